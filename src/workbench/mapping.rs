//! Column to field mapping for BioStar user CSV: exact, case and spacing, alias, fuzzy.
//!
//! [`auto_map`] proposes a BioStar field for every column of a header row, the way the
//! server's "Import CSV" dialog maps columns by name; [`Mapping::remap`] is the dialog's
//! "Remap". A column that matches nothing stays unmapped until the user maps it, declares
//! it as a custom field, or ignores it: the server rejects a file with an unknown column.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// A BioStar user field: one column of the server's user CSV.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// `user_id`: the user's ID (a number or, on alphanumeric sites, text).
    UserId,
    /// `name`: the user's display name.
    Name,
    /// `department`.
    Department,
    /// `user_title`: job title.
    UserTitle,
    /// `phone`.
    Phone,
    /// `email`.
    Email,
    /// `user_group`: the user group's name.
    UserGroup,
    /// `start_datetime`: start of the validity period.
    StartDatetime,
    /// `expiry_datetime`: end of the validity period.
    ExpiryDatetime,
    /// `csn`: card serial number of a CSN card.
    Csn,
    /// `mobile_start_datetime`: start of the mobile card's validity.
    MobileStartDatetime,
    /// `mobile_expiry_datetime`: end of the mobile card's validity.
    MobileExpiryDatetime,
    /// `csn_mobile`: a mobile access card to issue.
    CsnMobile,
    /// `qr`: QR credential (not importable through CSV in BioStar X).
    Qr,
    /// `face_image_file1`: file name of the first face image.
    FaceImageFile1,
    /// `face_image_file2`: file name of the second face image.
    FaceImageFile2,
    /// `pin`: the user's PIN.
    Pin,
    /// `tom_aoc`.
    TomAoc,
    /// `tom_scc`.
    TomScc,
    /// A Wiegand card-format column, named after the format configured on the server.
    WiegandCard(String),
    /// A custom user field, named as configured on the server.
    Custom(String),
}

/// The Wiegand card-format column names a server commonly writes (`../shared/docs/formats.md` section 1).
pub const KNOWN_WIEGAND_FORMATS: [&str; 9] = [
    "26 bit SIA Standard-H10301",
    "HID 37 bit-H10302",
    "HID 37 bit-H10304",
    "HID Corporate 1000",
    "HID Corporate 1000 48bit",
    "MIFARE CSN 32bit",
    "MIFARE CSN 34bit (Parity)",
    "DESFire 56bit",
    "DESFire 58bit (Parity)",
];

/// The bits of the number a known Wiegand format carries, parity bits aside (26-bit
/// H10301: facility code 8 and card 16), so the largest card number its column can hold is
/// 2^bits - 1; None for a format this table does not know.
pub fn wiegand_data_bits(format: &str) -> Option<u32> {
    let bits = [24, 35, 35, 32, 45, 32, 32, 56, 56];
    let known = KNOWN_WIEGAND_FORMATS
        .iter()
        .position(|f| f.eq_ignore_ascii_case(format.trim()));
    known.map(|i| bits[i])
}

/// Prefix of a Wiegand card field's [`Field::id`].
const WIEGAND_ID_PREFIX: &str = "wiegand:";
/// Prefix of a custom field's [`Field::id`].
const CUSTOM_ID_PREFIX: &str = "custom:";

/// The last column the server adds to its failed-rows file (BioStar 2.8.16 and later).
pub const ERROR_DESCRIPTION: &str = "Error_Description";

/// True for the header of the server's (or bioport's) error description column.
pub fn is_error_description(header: &str) -> bool {
    header.len() <= MAX_HEADER_BYTES && normalize(header) == "errordescription"
}

impl Field {
    /// Every fixed BioStar field, in the order a server writes them.
    pub const STANDARD: [Field; 19] = [
        Field::UserId,
        Field::Name,
        Field::Department,
        Field::UserTitle,
        Field::Phone,
        Field::Email,
        Field::UserGroup,
        Field::StartDatetime,
        Field::ExpiryDatetime,
        Field::Csn,
        Field::MobileStartDatetime,
        Field::MobileExpiryDatetime,
        Field::CsnMobile,
        Field::Qr,
        Field::FaceImageFile1,
        Field::FaceImageFile2,
        Field::Pin,
        Field::TomAoc,
        Field::TomScc,
    ];

    /// The exact header text the BioStar server writes and reads for this field.
    pub fn header_name(&self) -> &str {
        match self {
            Field::UserId => "user_id",
            Field::Name => "name",
            Field::Department => "department",
            Field::UserTitle => "user_title",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::UserGroup => "user_group",
            Field::StartDatetime => "start_datetime",
            Field::ExpiryDatetime => "expiry_datetime",
            Field::Csn => "csn",
            Field::MobileStartDatetime => "mobile_start_datetime",
            Field::MobileExpiryDatetime => "mobile_expiry_datetime",
            Field::CsnMobile => "csn_mobile",
            Field::Qr => "qr",
            Field::FaceImageFile1 => "face_image_file1",
            Field::FaceImageFile2 => "face_image_file2",
            Field::Pin => "pin",
            Field::TomAoc => "tom_aoc",
            Field::TomScc => "tom_scc",
            Field::WiegandCard(name) | Field::Custom(name) => name,
        }
    }

    /// A stable id for the app: the header name of a fixed field (`"user_id"`),
    /// `"wiegand:<format name>"` or `"custom:<field name>"`.
    pub fn id(&self) -> String {
        match self {
            Field::WiegandCard(name) => format!("{WIEGAND_ID_PREFIX}{name}"),
            Field::Custom(name) => format!("{CUSTOM_ID_PREFIX}{name}"),
            fixed => fixed.header_name().to_string(),
        }
    }

    /// The field with this [`Field::id`]; None for an unknown id or an empty name.
    pub fn from_id(id: &str) -> Option<Field> {
        if let Some(name) = id.strip_prefix(WIEGAND_ID_PREFIX) {
            return (!name.trim().is_empty()).then(|| Field::WiegandCard(name.to_string()));
        }
        if let Some(name) = id.strip_prefix(CUSTOM_ID_PREFIX) {
            return (!name.trim().is_empty()).then(|| Field::Custom(name.to_string()));
        }
        Field::STANDARD
            .iter()
            .find(|f| f.header_name() == id)
            .cloned()
    }

    /// A name for people: "User ID (user_id)", "Wiegand card: HID Corporate 1000",
    /// "Custom field: Purpose".
    pub fn label(&self) -> String {
        let plain = match self {
            Field::UserId => "User ID",
            Field::Name => "Name",
            Field::Department => "Department",
            Field::UserTitle => "Title",
            Field::Phone => "Phone",
            Field::Email => "Email",
            Field::UserGroup => "User group",
            Field::StartDatetime => "Start date",
            Field::ExpiryDatetime => "Expiry date",
            Field::Csn => "Card number",
            Field::MobileStartDatetime => "Mobile card start",
            Field::MobileExpiryDatetime => "Mobile card expiry",
            Field::CsnMobile => "Mobile card",
            Field::Qr => "QR code",
            Field::FaceImageFile1 => "Face image 1",
            Field::FaceImageFile2 => "Face image 2",
            Field::Pin => "PIN",
            Field::TomAoc | Field::TomScc => return self.header_name().to_string(),
            Field::WiegandCard(name) => return format!("Wiegand card: {name}"),
            Field::Custom(name) => return format!("Custom field: {name}"),
        };
        format!("{plain} ({})", self.header_name())
    }

    /// True for the fields holding a date and time.
    pub fn is_datetime(&self) -> bool {
        matches!(
            self,
            Field::StartDatetime
                | Field::ExpiryDatetime
                | Field::MobileStartDatetime
                | Field::MobileExpiryDatetime
        )
    }

    /// True for the fields holding a physical card number (`csn` and Wiegand formats).
    pub fn is_card(&self) -> bool {
        matches!(self, Field::Csn | Field::WiegandCard(_))
    }
}

/// How a column came to be mapped (or not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The header is the field's BioStar name, byte for byte.
    Exact,
    /// The header equals the name ignoring case, spaces, `_`, `-` and `.`.
    Normalized,
    /// The header is a common English or Korean name for the field.
    Alias,
    /// The header is close to a name or alias (a guess: check it).
    Fuzzy,
    /// The user chose the mapping (or chose to ignore the column).
    Manual,
    /// Nothing matched and the user has not decided yet.
    Unmapped,
}

impl MatchKind {
    /// Higher is a more trustworthy automatic match.
    fn rank(self) -> u8 {
        match self {
            MatchKind::Manual => 5,
            MatchKind::Exact => 4,
            MatchKind::Normalized => 3,
            MatchKind::Alias => 2,
            MatchKind::Fuzzy => 1,
            MatchKind::Unmapped => 0,
        }
    }
}

/// The mapping of one column of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnMapping {
    /// 0-based column index in the file.
    pub column: usize,
    /// The column's header text as read.
    pub header: String,
    /// The BioStar field the column feeds, or None (unmapped or ignored).
    pub target: Option<Field>,
    /// How the mapping was made.
    pub how: MatchKind,
    /// How sure the automatic match is, 0 to 1 (1 for exact and manual).
    pub confidence: f32,
    /// True when nothing matched: the column may be a custom field to declare.
    pub suggest_custom: bool,
    /// Why the column was left unmapped or how a guess was made, for the user.
    pub note: Option<String>,
}

impl ColumnMapping {
    /// True when the user chose to leave this column out of the import.
    pub fn is_ignored(&self) -> bool {
        self.target.is_none() && self.how == MatchKind::Manual
    }

    /// True when the column has no field and the user has not decided what to do with it.
    pub fn is_undecided(&self) -> bool {
        self.target.is_none() && self.how != MatchKind::Manual
    }
}

/// Two or more columns mapped to one field: the user must pick one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappingConflict {
    /// The field claimed more than once.
    pub field: Field,
    /// The 0-based columns claiming it, in column order.
    pub columns: Vec<usize>,
    /// Their header texts, in the same order.
    pub headers: Vec<String>,
}

impl MappingConflict {
    /// A sentence saying which columns clash and how to resolve it.
    pub fn message(&self) -> String {
        let cols: Vec<String> = self
            .columns
            .iter()
            .zip(&self.headers)
            .map(|(c, h)| format!("\"{}\" ({})", h, column_letter(*c)))
            .collect();
        format!(
            "Columns {} are all mapped to {}: the server takes one column per field. \
             Remap all but one of them to another field, or ignore them.",
            cols.join(" and "),
            self.field.header_name()
        )
    }
}

/// The field of every column of a file, as auto-mapped and then remapped by the user.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Mapping {
    /// One entry per column of the header row, in column order.
    pub columns: Vec<ColumnMapping>,
    /// The custom user fields declared (they must exist on the server too).
    pub custom_fields: Vec<String>,
}

impl Mapping {
    /// Maps `column` by hand to `target`; None ignores the column. False if no such column.
    pub fn remap(&mut self, column: usize, target: Option<Field>) -> bool {
        if let Some(Field::Custom(name)) = &target {
            if !self.custom_fields.iter().any(|c| c == name) {
                self.custom_fields.push(name.clone());
            }
        }
        match self.columns.get_mut(column) {
            Some(cm) => {
                cm.target = target;
                cm.how = MatchKind::Manual;
                cm.confidence = 1.0;
                cm.suggest_custom = false;
                cm.note = None;
                true
            }
            None => false,
        }
    }

    /// The first column mapped to `field`, if any.
    pub fn column_of(&self, field: &Field) -> Option<usize> {
        self.columns
            .iter()
            .find(|c| c.target.as_ref() == Some(field))
            .map(|c| c.column)
    }

    /// The mapping of column `column`, if the header has it.
    pub fn get(&self, column: usize) -> Option<&ColumnMapping> {
        self.columns.get(column)
    }

    /// Every field claimed by more than one column, with the columns (an error to resolve).
    pub fn conflicts(&self) -> Vec<MappingConflict> {
        let mut out: Vec<MappingConflict> = Vec::new();
        for (i, cm) in self.columns.iter().enumerate() {
            let Some(field) = &cm.target else { continue };
            if out.iter().any(|c| &c.field == field) {
                continue;
            }
            let same: Vec<&ColumnMapping> = self.columns[i..]
                .iter()
                .filter(|o| o.target.as_ref() == Some(field))
                .collect();
            if same.len() > 1 {
                out.push(MappingConflict {
                    field: field.clone(),
                    columns: same.iter().map(|o| o.column).collect(),
                    headers: same.iter().map(|o| o.header.clone()).collect(),
                });
            }
        }
        out
    }

    /// The BioStar header names of the mapped columns, in column order.
    pub fn output_header(&self) -> Vec<String> {
        self.columns
            .iter()
            .filter_map(|c| c.target.as_ref().map(|f| f.header_name().to_string()))
            .collect()
    }
}

/// The spreadsheet letter of a 0-based column: 0 is A, 26 is AA.
pub fn column_letter(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Common names of the fixed fields in English and Korean headers.
const ALIASES: &[(&str, Field)] = &[
    // user_id
    ("ID", Field::UserId),
    ("User No", Field::UserId),
    ("User Number", Field::UserId),
    ("Employee No", Field::UserId),
    ("Employee Number", Field::UserId),
    ("Employee ID", Field::UserId),
    ("Emp No", Field::UserId),
    ("Emp ID", Field::UserId),
    ("Staff ID", Field::UserId),
    ("Staff No", Field::UserId),
    ("Staff Number", Field::UserId),
    ("Person ID", Field::UserId),
    ("Personnel No", Field::UserId),
    ("사용자 ID", Field::UserId),
    ("사용자 아이디", Field::UserId),
    ("사용자 번호", Field::UserId),
    ("아이디", Field::UserId),
    ("사번", Field::UserId),
    ("사원번호", Field::UserId),
    ("직원번호", Field::UserId),
    // name
    ("Full Name", Field::Name),
    ("User Name", Field::Name),
    ("Employee Name", Field::Name),
    ("Staff Name", Field::Name),
    ("Display Name", Field::Name),
    ("이름", Field::Name),
    ("성명", Field::Name),
    ("성함", Field::Name),
    ("사용자명", Field::Name),
    ("사용자 이름", Field::Name),
    ("직원명", Field::Name),
    ("사원명", Field::Name),
    // department
    ("Dept", Field::Department),
    ("Division", Field::Department),
    ("부서", Field::Department),
    ("부서명", Field::Department),
    ("소속", Field::Department),
    ("소속부서", Field::Department),
    // user_title
    ("Title", Field::UserTitle),
    ("Job Title", Field::UserTitle),
    ("Position", Field::UserTitle),
    ("Designation", Field::UserTitle),
    ("직책", Field::UserTitle),
    ("직위", Field::UserTitle),
    ("직급", Field::UserTitle),
    ("직함", Field::UserTitle),
    // phone
    ("Phone Number", Field::Phone),
    ("Phone No", Field::Phone),
    ("Telephone", Field::Phone),
    ("Tel", Field::Phone),
    ("Mobile", Field::Phone),
    ("Mobile Phone", Field::Phone),
    ("Mobile No", Field::Phone),
    ("Mobile Number", Field::Phone),
    ("Cell", Field::Phone),
    ("Cell Phone", Field::Phone),
    ("Contact", Field::Phone),
    ("Contact Number", Field::Phone),
    ("전화번호", Field::Phone),
    ("전화", Field::Phone),
    ("휴대폰", Field::Phone),
    ("휴대폰 번호", Field::Phone),
    ("휴대전화", Field::Phone),
    ("휴대전화번호", Field::Phone),
    ("핸드폰", Field::Phone),
    ("연락처", Field::Phone),
    // email
    ("Email Address", Field::Email),
    ("Mail", Field::Email),
    ("이메일", Field::Email),
    ("이메일 주소", Field::Email),
    ("메일", Field::Email),
    ("전자메일", Field::Email),
    // user_group
    ("Group", Field::UserGroup),
    ("Group Name", Field::UserGroup),
    ("그룹", Field::UserGroup),
    ("그룹명", Field::UserGroup),
    ("사용자 그룹", Field::UserGroup),
    // start_datetime
    ("Start", Field::StartDatetime),
    ("Start Date", Field::StartDatetime),
    ("Start Time", Field::StartDatetime),
    ("Valid From", Field::StartDatetime),
    ("Validity Start", Field::StartDatetime),
    ("Begin Date", Field::StartDatetime),
    ("시작일", Field::StartDatetime),
    ("시작일시", Field::StartDatetime),
    ("시작일자", Field::StartDatetime),
    ("시작 날짜", Field::StartDatetime),
    ("유효기간 시작", Field::StartDatetime),
    ("유효기간 시작일", Field::StartDatetime),
    // expiry_datetime
    ("End", Field::ExpiryDatetime),
    ("End Date", Field::ExpiryDatetime),
    ("End Time", Field::ExpiryDatetime),
    ("End DateTime", Field::ExpiryDatetime),
    ("Expiry", Field::ExpiryDatetime),
    ("Expiry Date", Field::ExpiryDatetime),
    ("Expiration", Field::ExpiryDatetime),
    ("Expiration Date", Field::ExpiryDatetime),
    ("Expire Date", Field::ExpiryDatetime),
    ("Expires", Field::ExpiryDatetime),
    ("Valid To", Field::ExpiryDatetime),
    ("Valid Until", Field::ExpiryDatetime),
    ("Validity End", Field::ExpiryDatetime),
    ("만료일", Field::ExpiryDatetime),
    ("만료일시", Field::ExpiryDatetime),
    ("만료일자", Field::ExpiryDatetime),
    ("만료 날짜", Field::ExpiryDatetime),
    ("종료일", Field::ExpiryDatetime),
    ("종료일시", Field::ExpiryDatetime),
    ("종료일자", Field::ExpiryDatetime),
    ("유효기간 종료", Field::ExpiryDatetime),
    ("유효기간 만료일", Field::ExpiryDatetime),
    // csn
    ("Card", Field::Csn),
    ("Card No", Field::Csn),
    ("Card Number", Field::Csn),
    ("Card ID", Field::Csn),
    ("Card Serial Number", Field::Csn),
    ("Card Serial No", Field::Csn),
    ("RFID", Field::Csn),
    ("RFID Card", Field::Csn),
    ("카드", Field::Csn),
    ("카드번호", Field::Csn),
    ("카드 ID", Field::Csn),
    ("카드일련번호", Field::Csn),
    // mobile_start_datetime
    ("Mobile Start", Field::MobileStartDatetime),
    ("Mobile Start Date", Field::MobileStartDatetime),
    ("Mobile Valid From", Field::MobileStartDatetime),
    ("모바일 시작일", Field::MobileStartDatetime),
    ("모바일 카드 시작일", Field::MobileStartDatetime),
    // mobile_expiry_datetime
    ("Mobile Expiry", Field::MobileExpiryDatetime),
    ("Mobile Expiry Date", Field::MobileExpiryDatetime),
    ("Mobile End", Field::MobileExpiryDatetime),
    ("Mobile End Date", Field::MobileExpiryDatetime),
    ("Mobile Valid To", Field::MobileExpiryDatetime),
    ("모바일 만료일", Field::MobileExpiryDatetime),
    ("모바일 카드 만료일", Field::MobileExpiryDatetime),
    // csn_mobile
    ("Mobile Card", Field::CsnMobile),
    ("Mobile Card No", Field::CsnMobile),
    ("Mobile Card Number", Field::CsnMobile),
    ("Mobile Card ID", Field::CsnMobile),
    ("Mobile CSN", Field::CsnMobile),
    ("모바일 카드", Field::CsnMobile),
    ("모바일 카드번호", Field::CsnMobile),
    // qr
    ("QR Code", Field::Qr),
    ("QR코드", Field::Qr),
    // face images
    ("Face Image", Field::FaceImageFile1),
    ("Face Image 1", Field::FaceImageFile1),
    ("Face Image File", Field::FaceImageFile1),
    ("Face Photo", Field::FaceImageFile1),
    ("얼굴 이미지", Field::FaceImageFile1),
    ("얼굴 이미지 1", Field::FaceImageFile1),
    ("얼굴사진", Field::FaceImageFile1),
    ("Face Image 2", Field::FaceImageFile2),
    ("Face Photo 2", Field::FaceImageFile2),
    ("얼굴 이미지 2", Field::FaceImageFile2),
    ("얼굴사진 2", Field::FaceImageFile2),
    // pin
    ("PIN Code", Field::Pin),
    ("PIN Number", Field::Pin),
    ("Password", Field::Pin),
    ("비밀번호", Field::Pin),
    ("핀", Field::Pin),
    ("핀번호", Field::Pin),
    ("PIN 번호", Field::Pin),
];

/// Longest header, in bytes, compared with BioStar's field names: the longest name or alias
/// is a few dozen characters, so a longer header cannot match one, and is neither
/// normalized nor compared (a file's "header" can be a whole line of megabytes).
pub const MAX_HEADER_BYTES: usize = 256;

/// A header as the mapping keeps and shows it: whole up to [`MAX_HEADER_BYTES`], else its
/// start and how long it is.
pub fn shown_header(header: &str) -> String {
    if header.len() <= MAX_HEADER_BYTES {
        return header.to_string();
    }
    let mut end = 60;
    while !header.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}… ({} characters)",
        &header[..end],
        header.chars().count()
    )
}

/// Lower-cases and drops spaces, `_`, `-`, `.`, BOM and zero-width characters.
fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_whitespace()
            || matches!(
                c,
                '_' | '-' | '.' | '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}'
            )
        {
            continue;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The ASCII digits of a string, in order.
fn digits_of(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter(|c| c.is_ascii_digit())
}

/// Similarity a fuzzy match must reach (normalized Damerau-Levenshtein, 0 to 1).
const FUZZY_THRESHOLD: f64 = 0.8;
/// Shortest normalized header (in characters) that is matched fuzzily.
const FUZZY_MIN_CHARS: usize = 4;

/// True when two names of these lengths (in characters) can be [`FUZZY_THRESHOLD`] alike:
/// the edit distance is at least the difference of the lengths, so a header far longer
/// than any candidate is never compared (the comparison costs the product of the lengths).
fn fuzzy_reachable(a_chars: usize, b_chars: usize) -> bool {
    let longest = a_chars.max(b_chars) as f64;
    1.0 - a_chars.abs_diff(b_chars) as f64 / longest >= FUZZY_THRESHOLD
}

/// One candidate name a header can match.
struct Candidate {
    normalized: String,
    field: Field,
}

/// A proposed field for a header, before conflicts are resolved.
struct Proposal {
    field: Field,
    how: MatchKind,
    confidence: f32,
    note: Option<String>,
}

fn fixed_by_exact(header: &str) -> Option<Field> {
    if let Some(f) = Field::STANDARD.iter().find(|f| f.header_name() == header) {
        return Some(f.clone());
    }
    KNOWN_WIEGAND_FORMATS
        .iter()
        .find(|w| **w == header)
        .map(|w| Field::WiegandCard((*w).to_string()))
}

/// Every standard header, Wiegand format and alias, normalized once: (normalized, field),
/// standard headers first, then Wiegand formats, then aliases.
fn normalized_names() -> &'static NormalizedNames {
    static NAMES: std::sync::OnceLock<NormalizedNames> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| NormalizedNames {
        fixed: Field::STANDARD
            .iter()
            .map(|f| (normalize(f.header_name()), f.clone()))
            .chain(
                KNOWN_WIEGAND_FORMATS
                    .iter()
                    .map(|w| (normalize(w), Field::WiegandCard((*w).to_string()))),
            )
            .collect(),
        aliases: ALIASES
            .iter()
            .map(|(a, f)| (normalize(a), f.clone()))
            .collect(),
    })
}

/// The catalogue's names normalized, see [`normalized_names`].
struct NormalizedNames {
    fixed: Vec<(String, Field)>,
    aliases: Vec<(String, Field)>,
}

fn fixed_by_normalized(norm: &str) -> Option<Field> {
    let names = normalized_names();
    names
        .fixed
        .iter()
        .find(|(n, _)| n == norm)
        .map(|(_, f)| f.clone())
}

fn by_alias(norm: &str) -> Option<Field> {
    normalized_names()
        .aliases
        .iter()
        .find(|(n, _)| n == norm)
        .map(|(_, f)| f.clone())
}

/// True when a normalized header names a Wiegand card format ("35bit...", "wiegand").
fn looks_like_wiegand(norm: &str) -> bool {
    if norm.contains("wiegand") {
        return true;
    }
    let b = norm.as_bytes();
    (1..b.len()).any(|i| b[i - 1].is_ascii_digit() && b[i..].starts_with(b"bit"))
}

fn candidates(custom_fields: &[String]) -> Vec<Candidate> {
    let mut out = Vec::new();
    for f in Field::STANDARD.iter() {
        out.push(Candidate {
            normalized: normalize(f.header_name()),
            field: f.clone(),
        });
    }
    for w in KNOWN_WIEGAND_FORMATS {
        out.push(Candidate {
            normalized: normalize(w),
            field: Field::WiegandCard(w.to_string()),
        });
    }
    for c in custom_fields {
        out.push(Candidate {
            normalized: normalize(c),
            field: Field::Custom(c.clone()),
        });
    }
    for (a, f) in ALIASES {
        out.push(Candidate {
            normalized: normalize(a),
            field: f.clone(),
        });
    }
    out
}

/// The candidate whose normalized name is most alike `norm` (same digits, at least
/// [`FUZZY_THRESHOLD`] alike), proposed as a guess to check.
fn fuzzy(norm: &str, cands: &[Candidate]) -> Option<Proposal> {
    let norm_chars = norm.chars().count();
    if norm_chars < FUZZY_MIN_CHARS {
        return None;
    }
    let mut best: Option<(f64, &Candidate)> = None;
    for cand in cands {
        let cand_chars = cand.normalized.chars().count();
        if cand_chars < FUZZY_MIN_CHARS
            || !fuzzy_reachable(norm_chars, cand_chars)
            || !digits_of(norm).eq(digits_of(&cand.normalized))
        {
            continue;
        }
        let sim = strsim::normalized_damerau_levenshtein(norm, &cand.normalized);
        if sim >= FUZZY_THRESHOLD && best.is_none_or(|(b, _)| sim > b) {
            best = Some((sim, cand));
        }
    }
    let (sim, cand) = best?;
    Some(Proposal {
        field: cand.field.clone(),
        how: MatchKind::Fuzzy,
        confidence: (sim * 0.8) as f32,
        note: Some(format!(
            "Guessed from a similar name ({:.0}% alike): check it.",
            sim * 100.0
        )),
    })
}

fn propose(header: &str, custom_fields: &[String], cands: &[Candidate]) -> Option<Proposal> {
    let exact = |field: Field| Proposal {
        field,
        how: MatchKind::Exact,
        confidence: 1.0,
        note: None,
    };
    if let Some(f) = fixed_by_exact(header) {
        return Some(exact(f));
    }
    if let Some(c) = custom_fields.iter().find(|c| c.as_str() == header) {
        return Some(exact(Field::Custom(c.clone())));
    }
    if header.len() > MAX_HEADER_BYTES {
        return None;
    }
    let norm = normalize(header);
    if norm.is_empty() {
        return None;
    }
    let normalized = |field: Field| Proposal {
        field,
        how: MatchKind::Normalized,
        confidence: 0.95,
        note: None,
    };
    if let Some(f) = fixed_by_normalized(&norm) {
        return Some(normalized(f));
    }
    if let Some(c) = custom_fields.iter().find(|c| normalize(c) == norm) {
        return Some(normalized(Field::Custom(c.clone())));
    }
    if let Some(f) = by_alias(&norm) {
        return Some(Proposal {
            field: f,
            how: MatchKind::Alias,
            confidence: 0.85,
            note: None,
        });
    }
    if let Some(p) = fuzzy(&norm, cands) {
        return Some(p);
    }
    if looks_like_wiegand(&norm) {
        return Some(Proposal {
            field: Field::WiegandCard(header.trim().to_string()),
            how: MatchKind::Fuzzy,
            confidence: 0.6,
            note: Some(
                "Looks like a Wiegand card format column: the server must have a card format \
                 with exactly this name, or the import fails."
                    .to_string(),
            ),
        });
    }
    None
}

/// Proposes a field for every header: exact name, then normalized, alias, fuzzy.
///
/// `custom_fields` are the custom user fields declared on the server; they match by name.
/// When two columns match one field, the better match keeps it and the other is left
/// unmapped with a note.
pub fn auto_map(headers: &[&str], custom_fields: &[String]) -> Mapping {
    let cands = candidates(custom_fields);
    let mut columns: Vec<ColumnMapping> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| match propose(h, custom_fields, &cands) {
            _ if is_error_description(h) => ColumnMapping {
                column: i,
                header: shown_header(h),
                target: None,
                how: MatchKind::Manual,
                confidence: 1.0,
                suggest_custom: false,
                note: Some(
                    "Why the server rejected the row, from a failed-rows file: ignored, so the \
                     fixed file can be imported again."
                        .to_string(),
                ),
            },
            Some(p) => ColumnMapping {
                column: i,
                header: shown_header(h),
                target: Some(p.field),
                how: p.how,
                confidence: p.confidence,
                suggest_custom: false,
                note: p.note,
            },
            None => ColumnMapping {
                column: i,
                header: shown_header(h),
                target: None,
                how: MatchKind::Unmapped,
                confidence: 0.0,
                suggest_custom: !h.trim().is_empty() && h.len() <= MAX_HEADER_BYTES,
                note: Some(if h.trim().is_empty() {
                    "The column has no header: ignore it, or map it if it holds user data."
                        .to_string()
                } else if h.len() > MAX_HEADER_BYTES {
                    "This header is longer than any BioStar field name: ignore the column, \
                     or check that the header row and the delimiter are right."
                        .to_string()
                } else {
                    "No BioStar field matches this header: map it, add it as a custom \
                     user field (on the server too), or ignore it."
                        .to_string()
                }),
            },
        })
        .collect();

    resolve_conflicts(&mut columns);
    Mapping {
        columns,
        custom_fields: custom_fields.to_vec(),
    }
}

/// Two columns on one field: the better match (then the earlier column) keeps it; the
/// others are left unmapped with a note. One pass to group, one per group: linear in the
/// number of columns, however many there are.
fn resolve_conflicts(columns: &mut [ColumnMapping]) {
    let mut by_field: HashMap<Field, Vec<usize>> = HashMap::new();
    for (i, c) in columns.iter().enumerate() {
        if let Some(field) = &c.target {
            by_field.entry(field.clone()).or_default().push(i);
        }
    }
    for (field, group) in by_field {
        if group.len() < 2 {
            continue;
        }
        let rank = |i: &usize| (columns[*i].how.rank(), columns[*i].confidence);
        let Some(&win) = group.iter().max_by(|a, b| {
            rank(a)
                .partial_cmp(&rank(b))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(columns[**b].column.cmp(&columns[**a].column))
        }) else {
            continue;
        };
        let (win_col, win_header) = (columns[win].column, columns[win].header.clone());
        for &i in group.iter().filter(|&&i| i != win) {
            let c = &mut columns[i];
            c.note = Some(format!(
                "Also looks like {}, but column \"{}\" ({}) matches it better: map this \
                 column to another field or ignore it.",
                field.header_name(),
                win_header,
                column_letter(win_col)
            ));
            c.target = None;
            c.how = MatchKind::Unmapped;
            c.confidence = 0.0;
            c.suggest_custom = false;
        }
    }
}

/// True when a header names a BioStar field by exact name, case and spacing, or alias.
pub fn is_known_header(s: &str) -> bool {
    if s.len() > MAX_HEADER_BYTES {
        return false;
    }
    if fixed_by_exact(s).is_some() {
        return true;
    }
    let norm = normalize(s);
    !norm.is_empty() && (fixed_by_normalized(&norm).is_some() || by_alias(&norm).is_some())
}

#[cfg(test)]
mod tests;
