//! The site settings validation depends on and the catalogue of rules it checks.

use serde::{Deserialize, Serialize};

use super::dates::date_key;

/// How the server's user IDs are configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserIdType {
    /// Integers 1 to 4294967294 (the default setting).
    #[default]
    Numeric,
    /// Letters, digits, `-` and `_`, at most 32 characters (BioStar 2.4 and later).
    Alphanumeric,
}

/// The latest expiry date the server and its devices accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryLimit {
    /// 2030-12-31 23:59:59 (BioStar 2.8.16 and devices without the date extension).
    Y2030,
    /// 2037-12-31 23:59:59 (firmware with the date extension).
    #[default]
    Y2037,
}

impl ExpiryLimit {
    /// The last moment this limit allows, as `YYYY-MM-DD HH:MM:SS`.
    pub fn last_moment(self) -> &'static str {
        match self {
            ExpiryLimit::Y2030 => "2030-12-31 23:59:59",
            ExpiryLimit::Y2037 => "2037-12-31 23:59:59",
        }
    }

    /// [`ExpiryLimit::last_moment`] as a date key, for comparing with parsed dates.
    pub(super) fn key(self) -> u64 {
        match self {
            ExpiryLimit::Y2030 => date_key(2030, 12, 31, 23, 59, 59),
            ExpiryLimit::Y2037 => date_key(2037, 12, 31, 23, 59, 59),
        }
    }
}

/// What the target server is like and how the import will be run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSettings {
    /// Numeric or alphanumeric user IDs.
    pub user_id_type: UserIdType,
    /// The latest expiry date allowed.
    pub expiry_limit: ExpiryLimit,
    /// A "dynamic" Airfob site: mobile cards need both mobile dates.
    pub dynamic_site: bool,
    /// Apply the live-server name rule (letters, numbers, spaces, `_` only).
    pub strict_names: bool,
    /// Warn about cells a spreadsheet program would run as formulas.
    pub spreadsheet_safe: bool,
    /// The import will overwrite users that already exist.
    pub overwrite: bool,
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            user_id_type: UserIdType::Numeric,
            expiry_limit: ExpiryLimit::Y2037,
            dynamic_site: false,
            strict_names: true,
            spreadsheet_safe: true,
            overwrite: false,
        }
    }
}

/// Whether a finding stops the row from importing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The server would reject the row (or the file): fix it before upload.
    Error,
    /// The row imports, but probably not as intended.
    Warning,
}

macro_rules! rules {
    ($( $(#[$doc:meta])* $v:ident = $id:literal, $sev:ident, $title:literal; )*) => {
        /// A rule the server enforces on import (or a likely mistake worth a warning).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[repr(u8)]
        pub enum Rule {
            $( $(#[$doc])* #[serde(rename = $id)] $v, )*
        }

        impl Rule {
            /// Every rule, in declaration order.
            pub const ALL: &'static [Rule] = &[$(Rule::$v),*];

            /// A stable identifier, e.g. `user_id.duplicate`.
            pub fn id(self) -> &'static str {
                match self { $(Rule::$v => $id,)* }
            }

            /// A short title for lists and counts.
            pub fn title(self) -> &'static str {
                match self { $(Rule::$v => $title,)* }
            }

            /// Whether the rule blocks the row.
            pub fn severity(self) -> Severity {
                match self { $(Rule::$v => Severity::$sev,)* }
            }
        }
    };
}

rules! {
    /// The row holds no data at all.
    BlankRow = "row.blank", Error, "Blank row";
    /// The row has fewer cells than the header.
    RowTooShort = "row.too_short", Warning, "Row shorter than the header";
    /// The row has cells with data past the header's last column.
    RowTooLong = "row.too_long", Error, "Data past the last header column";
    /// The row has empty cells past the header's last column.
    RowExtraEmptyCells = "row.extra_empty_cells", Warning, "Empty cells past the last header column";
    /// A cell holds a line break (the server reads it as a new record).
    CellHasNewline = "cell.newline", Error, "Line break inside a cell";
    /// A cell holds U+FFFD: bytes of the file its encoding could not read, replaced.
    CellUndecodable = "cell.undecodable", Error, "Character the encoding could not read (\u{FFFD})";
    /// An unmapped column the user has not ignored holds data.
    UnmappedColumn = "column.unmapped", Error, "Data in an unmapped column";
    /// A cell a spreadsheet program would run as a formula.
    FormulaCell = "cell.formula", Warning, "Cell looks like a spreadsheet formula";
    /// Two columns are mapped to one field (file level).
    MappingConflict = "mapping.conflict", Error, "Two columns mapped to one field";
    /// No column is mapped to user_id (file level).
    UserIdColumnMissing = "user_id.no_column", Error, "No user ID column";
    /// Nothing but blank cells under the header: nothing to import (file level).
    NoDataRows = "file.no_data", Error, "No data rows";
    /// The user ID is blank.
    UserIdMissing = "user_id.missing", Error, "User ID missing";
    /// Numeric site: the user ID is not a whole number.
    UserIdNotNumber = "user_id.not_number", Error, "User ID not a number";
    /// Numeric site: the user ID is 0 or above 4294967294.
    UserIdOutOfRange = "user_id.out_of_range", Error, "User ID out of range";
    /// Numeric site: the user ID has leading zeros.
    UserIdLeadingZeros = "user_id.leading_zeros", Warning, "User ID with leading zeros";
    /// Alphanumeric site: characters other than letters, digits, `-`, `_`.
    UserIdBadCharacters = "user_id.bad_characters", Error, "User ID with characters not allowed";
    /// Alphanumeric site: more than 32 characters.
    UserIdTooLong = "user_id.too_long", Error, "User ID over 32 characters";
    /// The same user ID on another row of the file.
    UserIdDuplicate = "user_id.duplicate", Error, "Duplicate user ID";
    /// The name has more than 48 characters.
    NameTooLong = "name.too_long", Error, "Name over 48 characters";
    /// The name has characters even the manual does not allow.
    NameCharacters = "name.characters", Error, "Name with characters not allowed";
    /// The name has symbols the manual allows but live servers reject.
    NameStrictCharacters = "name.strict_characters", Error, "Name with symbols live servers reject";
    /// The department has more than 64 characters.
    DepartmentTooLong = "department.too_long", Error, "Department over 64 characters";
    /// The title has more than 64 characters.
    UserTitleTooLong = "user_title.too_long", Error, "Title over 64 characters";
    /// The email address does not look like one.
    EmailShape = "email.shape", Warning, "Email address looks wrong";
    /// A date the server cannot read.
    DateFormat = "date.format", Error, "Date in an unsupported form";
    /// A month-first date (MM/DD/YYYY), which the server does not support.
    DateMonthFirst = "date.month_first", Error, "Month-first date";
    /// A slash date that reads both ways; the server reads it day first.
    DateAmbiguous = "date.ambiguous", Warning, "Ambiguous day/month date";
    /// A date or time that does not exist (Feb 30, 25:00).
    DateImpossible = "date.impossible", Error, "Date that does not exist";
    /// A date before 2001-01-01.
    DateBefore2001 = "date.before_2001", Error, "Date before 2001";
    /// A date after 2030-12-31 23:59:59 on a site limited to 2030.
    DateAfter2030 = "date.after_2030", Error, "Date after 2030";
    /// A date after 2037-12-31 23:59:59.
    DateAfter2037 = "date.after_2037", Error, "Date after 2037";
    /// The start is after the expiry (user or mobile card validity).
    StartAfterExpiry = "date.start_after_expiry", Error, "Start after expiry";
    /// The PIN is not 4 to 16 digits.
    PinFormat = "pin.format", Error, "PIN not 4 to 16 digits";
    /// A card number (csn or Wiegand) that is not a decimal number.
    CardNotNumber = "card.not_number", Error, "Card number not a number";
    /// A Wiegand card number larger than its format holds (26-bit H10301: 16777215).
    CardTooLarge = "card.too_large", Error, "Card number too large for its format";
    /// The same card number on another row of the file.
    CardDuplicate = "card.duplicate", Error, "Card on two users";
    /// Blank csn while overwriting: the user's stored card would be removed.
    CsnBlankOverwrite = "csn.blank_overwrite", Warning, "Blank card would remove the stored card";
    /// A mobile card will be issued (one Airfob credit each on a regular site).
    MobileCardIssued = "csn_mobile.issued", Warning, "Mobile card to issue";
    /// Dynamic site: a mobile card without both mobile dates.
    MobileDatesMissing = "csn_mobile.dates_missing", Error, "Mobile card without both mobile dates";
    /// A QR value, which BioStar X cannot issue through CSV.
    QrNotImportable = "qr.not_importable", Error, "QR cannot be imported";
    /// A face image value that is not a .jpg/.jpeg/.png file name.
    FaceImageFile = "face_image.file", Error, "Face image not a JPG/PNG file name";
    /// The named face image is not in the face folder (checked once a folder is added).
    FaceImageMissing = "face_image.missing", Error, "Face image not in the folder";
    /// No file has the exact name, but one differs only in case or `.jpeg`/`.jpg`.
    FaceImageNameDiffers = "face_image.name_differs", Error, "Face image name differs in case or extension";
    /// The file name has spaces around it: found here, but the server may look for them.
    FaceImageNameSpaces = "face_image.name_spaces", Warning, "Face image name with spaces around it";
    /// The named file is not a JPG or PNG by its bytes.
    FaceImageNotJpgPng = "face_image.not_jpg_png", Error, "Face image not really JPG/PNG";
    /// The named file's header is cut off or corrupt, or the file ends early.
    FaceImageDamaged = "face_image.damaged", Error, "Face image cut off or corrupt";
    /// The named file is over 10 MB.
    FaceImageOver10Mb = "face_image.over_10mb", Error, "Face image over 10 MB";
    /// The named image is over 4000 x 4000 px.
    FaceImageOver4000 = "face_image.over_4000px", Error, "Face image over 4000 x 4000 px";
    /// The named image is under 250 x 250 px (the server's recommended minimum).
    FaceImageUnder250 = "face_image.under_250px", Warning, "Face image under 250 x 250 px";
    /// Another user names the same image file.
    FaceImageShared = "face_image.shared", Error, "Face image named by two users";
    /// Another user's image has identical bytes.
    FaceImageSameBytes = "face_image.same_bytes", Error, "Face images with identical bytes";
    /// The named file is only in a sub-folder, where BioStar does not look.
    FaceImageInSubfolder = "face_image.in_subfolder", Error, "Face image in a sub-folder";
    /// No file has the exact name, but one has the same text in another Unicode form
    /// (composed in one, decomposed in the other, as macOS writes names).
    FaceImageUnicodeForm = "face_image.unicode_form", Error, "Face image name in another Unicode form";
}

impl Rule {
    /// How many rules there are.
    pub const COUNT: usize = Rule::ALL.len();
}
