//! The messages of findings: where the problem is and how to fix it, in one sentence.

use crate::model::Sheet;
use crate::workbench::faces::{FaceFolder, Lookup};
use crate::workbench::mapping::{column_letter, wiegand_data_bits, Field, Mapping};

use super::dates::{month_name, serial_date, slash_pair, suggest_iso};
use super::faces::problem_of;
use super::keys::strip_zeros;
use super::plan::{cell_text, width_of};
use super::row::{all_digits, MANUAL_NAME_SYMBOLS};
use super::{Finding, Rule};

/// Shows a cell value in a message: quoted, line breaks visible, at most 40 characters.
/// A value holding `"` is quoted with “ ” instead, so its quote marks show as they are
/// (never doubled, as a CSV would write them).
fn show(v: &str) -> String {
    let (open, close) = quote_marks(v);
    let mut out = String::from(open);
    for (n, c) in v.chars().enumerate() {
        if n == 40 {
            out.push('…');
            break;
        }
        push_visible(&mut out, c);
    }
    out.push(close);
    out
}

/// Adds `c` to a message so it shows: line breaks, tabs, NUL and other control
/// characters as escapes (they would print as nothing or as a space).
fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\0' => out.push_str("\\0"),
        c if c.is_control() => out.push_str(&format!("\\u{{{:04X}}}", u32::from(c))),
        c => out.push(c),
    }
}

/// The quote marks around `v` in a message: straight ones, or “ ” when `v` holds a
/// straight one.
fn quote_marks(v: &str) -> (char, char) {
    match v.contains('"') {
        true => ('“', '”'),
        false => ('"', '"'),
    }
}

/// Names column `col` for a message: its header and letter, or the letter alone.
fn describe_column(sheet: &Sheet, header_row: usize, mapping: &Mapping, col: usize) -> String {
    let header = match cell_text(sheet, header_row, col) {
        "" => mapping.get(col).map_or("", |c| c.header.as_str()),
        h => h,
    }
    .trim();
    if header.is_empty() {
        format!("column {}", column_letter(col))
    } else {
        let (open, close) = quote_marks(header);
        format!("column {open}{header}{close} ({})", column_letter(col))
    }
}

/// `s` with its first letter upper-cased.
fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "Line N" for sheet row `row` (its source line), or "Row N" past the sheet.
fn line_of(sheet: &Sheet, row: usize) -> String {
    if row < sheet.len() {
        format!("Line {}", sheet.line(row))
    } else {
        format!("Row {}", row + 1)
    }
}

/// True for a spreadsheet's scientific notation, e.g. `1.23457E+11`.
fn looks_scientific(s: &str) -> bool {
    let s = s.trim();
    let Some(pos) = s.find(['E', 'e']) else {
        return false;
    };
    let (mant, exp) = (&s[..pos], &s[pos + 1..]);
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    !mant.is_empty() && mant.bytes().all(|b| b.is_ascii_digit() || b == b'.') && all_digits(exp)
}

/// Explains a card value that is not a decimal number and suggests the number to write.
fn card_hint(v: &str, field: Option<&Field>) -> String {
    let t = v.trim();
    if t != v && all_digits(t) {
        return "remove the spaces around the number".to_string();
    }
    if let Some(text) = excel_text(t) {
        return format!(
            "it is Excel's =\"…\" form: write {} in a column formatted as Text",
            show(&text)
        );
    }
    if looks_scientific(t) {
        return "a spreadsheet turned the number into scientific notation and its last \
                digits are lost: format the column as Text, enter the full number again and \
                save"
            .to_string();
    }
    if let Some((fc, card)) = t.split_once(['-', ':', '/']) {
        if all_digits(fc) && all_digits(card) {
            let h10301 = matches!(field, Some(Field::WiegandCard(n)) if n.contains("H10301"));
            if let (true, Ok(fc), Ok(card)) = (h10301, fc.parse::<u32>(), card.parse::<u32>()) {
                if fc < 256 && card < 65536 {
                    return format!(
                        "this looks like facility code {fc} and card {card}: the server takes \
                         the packed number, {}",
                        (fc << 16) | card
                    );
                }
            }
            return "this looks like a facility code and a card number: the server takes one \
                    packed number (facility code and card number joined in binary; for 26-bit \
                    H10301, FC 252 and card 15298 give 16530370)"
                .to_string();
        }
    }
    let hex = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        if let Ok(n) = u64::from_str_radix(hex, 16) {
            return format!(
                "it looks hexadecimal; the server takes the decimal number: {n} if {hex} is \
                 the card's hex serial"
            );
        }
        return "it looks hexadecimal; the server takes the card number in decimal".to_string();
    }
    "write the card number in decimal digits only".to_string()
}

impl Finding {
    /// A sentence saying where the problem is (line, column) and how to fix it.
    pub fn message(&self, sheet: &Sheet, header_row: usize, mapping: &Mapping) -> String {
        self.message_with_faces(sheet, header_row, mapping, None)
    }

    /// [`Finding::message`], naming the files and sizes of the face folder for the face
    /// image rules.
    pub fn message_with_faces(
        &self,
        sheet: &Sheet,
        header_row: usize,
        mapping: &Mapping,
        faces: Option<&FaceFolder>,
    ) -> String {
        let mut parts = Parts::new(self, sheet, header_row, mapping);
        parts.faces = faces;
        // Nearly every message starts with where the problem is and the value at fault.
        let (place, shown) = (parts.place(), show(parts.value));
        parts
            .row_message(&place, &shown)
            .or_else(|| parts.column_message(&place, &shown))
            .or_else(|| parts.user_id_message(&place, &shown))
            .or_else(|| parts.person_message(&place, &shown))
            .or_else(|| parts.date_form_message(&place, &shown))
            .or_else(|| parts.date_range_message(&place, &shown))
            .or_else(|| parts.card_message(&place, &shown))
            .or_else(|| parts.credential_message(&place, &shown))
            .or_else(|| parts.face_message(&place, &shown))
            .unwrap_or_default()
    }
}

/// What every message is made of: the finding, where it is and what its cell holds.
///
/// Each `*_message` method writes the messages of one family of rules and gives None for
/// the other rules; [`Finding::message`] asks them in turn. A rule no family writes would
/// get an empty message, which the test rendering every rule catches.
struct Parts<'s> {
    finding: &'s Finding,
    sheet: &'s Sheet,
    header_row: usize,
    mapping: &'s Mapping,
    row: usize,
    col: Option<usize>,
    /// "Line N" of the finding's row.
    at: String,
    /// The text of the finding's cell ("" without a column).
    value: &'s str,
    /// The face folder, when one was added.
    faces: Option<&'s FaceFolder>,
}

impl<'s> Parts<'s> {
    /// The parts of `finding`'s message, read from `sheet` and `mapping`.
    fn new(
        finding: &'s Finding,
        sheet: &'s Sheet,
        header_row: usize,
        mapping: &'s Mapping,
    ) -> Self {
        let row = finding.row as usize;
        let col = finding.col.map(|c| c as usize);
        let at = line_of(sheet, row);
        let value = col.map(|c| cell_text(sheet, row, c)).unwrap_or_default();
        Parts {
            finding,
            sheet,
            header_row,
            mapping,
            row,
            col,
            at,
            value,
            faces: None,
        }
    }

    /// `at`, then the column when the finding has one.
    fn place(&self) -> String {
        let at = &self.at;
        match self.col {
            Some(c) => format!("{at}, {}", self.colname(c)),
            None => at.clone(),
        }
    }

    /// Names column `c` for a message.
    fn colname(&self, c: usize) -> String {
        describe_column(self.sheet, self.header_row, self.mapping, c)
    }

    /// The finding's other row as "line N" ("another line" when it has none).
    fn other_line(&self) -> String {
        match self.finding.other {
            Some(r) => line_of(self.sheet, r as usize).to_lowercase(),
            None => "another line".to_string(),
        }
    }

    /// The field the finding's column is mapped to.
    fn field(&self) -> Option<&'s Field> {
        self.col
            .and_then(|c| self.mapping.get(c))
            .and_then(|m| m.target.as_ref())
    }

    /// The shape of a row and what any cell may hold.
    fn row_message(&self, place: &str, shown: &str) -> Option<String> {
        let at = &self.at;
        Some(match self.finding.rule {
            Rule::BlankRow => format!(
                "{at} has only empty cells (a spreadsheet writes such rows as bare delimiters): \
                 it is left out of the import file, and the server would refuse it. Delete the \
                 row in your spreadsheet before exporting it again."
            ),
            Rule::RowTooShort => format!(
                "{at} has {} cells but the header has {}: the missing cells are read as \
                 blank. Check that no cell was lost or shifted.",
                width_of(self.sheet, self.row),
                width_of(self.sheet, self.header_row)
            ),
            Rule::RowTooLong => format!(
                "{place} holds {shown} past the header's last column: the server cannot tell \
                 which field it belongs to. Add a header for it, or move or delete the extra \
                 cells (a stray comma in an earlier cell often causes this)."
            ),
            Rule::RowExtraEmptyCells => format!(
                "{at} has empty cells past the header's last column (trailing commas): \
                 remove them."
            ),
            Rule::CellHasNewline => format!(
                "{place}: {shown} has a line break inside it: the server reads the rest as a \
                 new record. Replace the line break with a space."
            ),
            Rule::CellUndecodable => format!(
                "{place}: {shown} holds U+FFFD (\u{FFFD}), which stands for a character that \
                 could not be read (here, or by the program that wrote the file), and the \
                 server would store it as it is. Choose the file's right encoding (Reading), \
                 or type the character again."
            ),
            Rule::FormulaCell => match excel_text(self.value) {
                Some(text) => format!("{place}: {shown} is a formula.{}", excel_text_advice(&text)),
                None => format!(
                    "{place} starts with {}: a spreadsheet would run {shown} as a formula. If \
                     it is meant as text, remove the leading character or put a ' before it.",
                    show(self.value.get(..1).unwrap_or(""))
                ),
            },
            _ => return None,
        })
    }

    /// How columns are mapped: unmapped data, conflicts, no user ID column.
    fn column_message(&self, place: &str, shown: &str) -> Option<String> {
        let (col, other) = (self.col, self.finding.other);
        Some(match self.finding.rule {
            Rule::UnmappedColumn if self.row == self.header_row => format!(
                "{} is not mapped to any BioStar field but holds data (first on {}): the \
                 import fails on unknown columns. Map it to a field, declare it as a custom \
                 user field (it must exist on the server too), or ignore it.",
                col.map_or_else(|| "A column".to_string(), |c| capitalise(&self.colname(c))),
                self.other_line()
            ),
            Rule::UnmappedColumn => {
                let more = other.unwrap_or(1).saturating_sub(1);
                let more = if more > 0 {
                    let columns = crate::text::plural(
                        u64::from(more),
                        "more unmapped column",
                        "more unmapped columns",
                    );
                    format!(" (and {columns})")
                } else {
                    String::new()
                };
                format!(
                    "{place} holds {shown}{more} but is not mapped to a BioStar field: the \
                     import fails on unknown columns. Map the column, declare it as a custom \
                     user field, or ignore it."
                )
            }
            Rule::MappingConflict => {
                let fname = self.field().map_or("this field", |f| f.header_name());
                format!(
                    "{} and {} are both mapped to {fname}: the server takes one column per \
                     field. Remap one of them to another field or ignore it.",
                    other.map_or_else(
                        || "Another column".to_string(),
                        |o| capitalise(&self.colname(o as usize))
                    ),
                    col.map_or_else(|| "a column".to_string(), |c| self.colname(c)),
                )
            }
            Rule::UserIdColumnMissing => "No column is mapped to user_id: every user needs an \
                 ID. Map the column holding the IDs to user_id."
                .to_string(),
            Rule::NoDataRows
                if (0..self.sheet.len())
                    .all(|r| self.sheet.row(r).all(|c| c.trim().is_empty())) =>
            {
                "The file holds nothing but blank lines and spaces: there is nothing to \
                 import. Open the export the server or your spreadsheet program wrote."
                    .to_string()
            }
            Rule::NoDataRows => format!(
                "There are no data rows under the header ({}): there is nothing to import. \
                 If the users are in another file, open that one; if the header was chosen \
                 too low, choose another \"start import at row\".",
                self.at.to_lowercase()
            ),
            _ => return None,
        })
    }

    /// The user ID cell.
    fn user_id_message(&self, place: &str, shown: &str) -> Option<String> {
        let (at, value) = (&self.at, self.value);
        Some(match self.finding.rule {
            Rule::UserIdMissing => match self.col {
                Some(_) => format!("{place} is blank: every user needs an ID. Fill it in."),
                None => format!("{at} has no user ID (no column is mapped to user_id)."),
            },
            Rule::UserIdNotNumber => {
                let why = not_number_advice(value);
                format!("{place}: {shown} is not a whole number, but this site uses numeric user IDs (1 to 4294967294).{why}")
            }
            Rule::UserIdOutOfRange => format!(
                "{place}: {shown} is outside 1 to 4294967294, the numeric user IDs the server \
                 accepts. Choose an ID in that range."
            ),
            Rule::UserIdLeadingZeros => format!(
                "{place}: {shown} has leading zeros; numeric IDs are numbers, so it is the same \
                 user as {}. Write {} to avoid confusion.",
                strip_zeros(value.trim()),
                strip_zeros(value.trim())
            ),
            Rule::UserIdBadCharacters => format!(
                "{place}: {shown} has characters other than letters, digits, - and _ (no \
                 spaces or accents). Remove or replace them."
            ),
            Rule::UserIdTooLong => format!(
                "{place}: {shown} has {} characters; user IDs take at most 32. Shorten it.",
                value.chars().count()
            ),
            Rule::UserIdDuplicate => format!(
                "{place}: user ID {shown} is also on {}. Give each user its own ID, or \
                 delete one of the rows.",
                self.other_line()
            ),
            _ => return None,
        })
    }

    /// Name, department, title and email.
    fn person_message(&self, place: &str, shown: &str) -> Option<String> {
        let value = self.value;
        Some(match self.finding.rule {
            Rule::NameTooLong => format!(
                "{place}: the name has {} characters; the server takes at most 48. Shorten it.",
                value.chars().count()
            ),
            Rule::NameCharacters => format!(
                "{place}: {shown} has characters the server does not allow in names: {}. \
                 Use letters, numbers, spaces and _ only.",
                name_symbols(value, |c| {
                    !(c.is_alphanumeric()
                        || c == ' '
                        || c == '_'
                        || MANUAL_NAME_SYMBOLS.contains(c))
                })
            ),
            Rule::NameStrictCharacters => format!(
                "{place}: {shown} has symbols that the manual allows but live servers reject \
                 (\"letters, numbers, spaces and underscores\" only): {}. Remove them, or \
                 turn off strict names if your server accepts them.",
                name_symbols(value, |c| MANUAL_NAME_SYMBOLS.contains(c))
            ),
            Rule::DepartmentTooLong | Rule::UserTitleTooLong => format!(
                "{place} has {} characters; the server takes at most 64. Shorten it.",
                value.chars().count()
            ),
            Rule::EmailShape => format!(
                "{place}: {shown} does not look like an email address (name@example.com). \
                 Check it."
            ),
            _ => return None,
        })
    }

    /// The form of a date: unreadable, month first, ambiguous.
    fn date_form_message(&self, place: &str, shown: &str) -> Option<String> {
        let value = self.value;
        Some(match self.finding.rule {
            Rule::DateFormat => {
                let hint = date_format_hint(value);
                format!(
                    "{place}: {shown} is not a date the server reads. Write YYYY-MM-DD HH:MM, \
                     e.g. 2025-12-31 23:59.{hint}"
                )
            }
            Rule::DateMonthFirst => {
                let fix = month_first_fix(value);
                format!(
                    "{place}: {shown} is month first (MM/DD/YYYY), which the server does not \
                     support: it reads slash dates day first.{fix}"
                )
            }
            Rule::DateAmbiguous => match slash_pair(value) {
                Some((d, m, rest)) => format!(
                    "{place}: the server reads {shown} day first, as {d} {}. If you meant {} \
                     {m}, write {m:02}/{d:02}/{rest}. Writing YYYY-MM-DD HH:MM avoids the doubt.",
                    month_name(m),
                    month_name(d)
                ),
                None => format!(
                    "{place}: the server reads {shown} day first. Write YYYY-MM-DD HH:MM to \
                     avoid the doubt."
                ),
            },
            _ => return None,
        })
    }

    /// The moment of a date: one that does not exist, out of range, start after expiry.
    fn date_range_message(&self, place: &str, shown: &str) -> Option<String> {
        Some(match self.finding.rule {
            Rule::DateImpossible => format!(
                "{place}: {shown} does not exist (check the day of the month, leap years, \
                 hours 0-23 and minutes 0-59). Correct it."
            ),
            Rule::DateBefore2001 => format!(
                "{place}: {shown} is before 2001-01-01, the earliest date the server takes. \
                 Use 2001-01-01 00:00 or later."
            ),
            Rule::DateAfter2030 => format!(
                "{place}: {shown} is after 2030-12-31 23:59:59, the latest date this site \
                 takes. Use 2030-12-31 23:59 or earlier (or set the limit to 2037 if the \
                 server and devices support it)."
            ),
            Rule::DateAfter2037 => format!(
                "{place}: {shown} is after 2037-12-31 23:59:59, the latest date the server \
                 takes. Use 2037-12-31 23:59 or earlier."
            ),
            Rule::StartAfterExpiry => {
                let start = self.finding.other.map(|o| o as usize);
                let start_desc = start.map_or_else(|| "the start".to_string(), |c| self.colname(c));
                let start_val = start
                    .map(|s| show(cell_text(self.sheet, self.row, s)))
                    .unwrap_or_default();
                format!(
                    "{place}: the expiry {shown} is before {start_desc} {start_val}. Swap \
                     them or correct one."
                )
            }
            _ => return None,
        })
    }

    /// PIN, card numbers and the csn column.
    fn card_message(&self, place: &str, shown: &str) -> Option<String> {
        Some(match self.finding.rule {
            Rule::PinFormat => format!(
                "{place}: a PIN must be 4 to 16 digits; this one is not (value not shown). \
                 Correct it or leave it blank."
            ),
            Rule::CardNotNumber => format!(
                "{place}: {shown} is not a card number the server takes: {}.",
                card_hint(self.value, self.field())
            ),
            Rule::CardTooLarge => {
                let format = match self.field() {
                    Some(Field::WiegandCard(f)) => f.as_str(),
                    _ => "its format",
                };
                let bits = wiegand_data_bits(format).unwrap_or(64).min(63);
                format!(
                    "{place}: card {shown} is larger than a {format} card holds (at most {}, \
                     {bits} bits{}). Check the number; if the card is of another format, map \
                     the column to that format or to csn.",
                    (1u64 << bits) - 1,
                    if bits == 24 {
                        ": facility code up to 255 and card up to 65535"
                    } else {
                        ""
                    }
                )
            }
            Rule::CardDuplicate => format!(
                "{place}: card {shown} is also on {}; a card belongs to one user. Remove it \
                 from one of the rows.",
                self.other_line()
            ),
            Rule::CsnBlankOverwrite => format!(
                "{place} is blank and the import overwrites existing users: if this user \
                 already has a card on the server, it would be removed. Fill in the card \
                 number to keep it, or ignore the csn column."
            ),
            _ => return None,
        })
    }

    /// Mobile cards, QR and face images.
    fn credential_message(&self, place: &str, shown: &str) -> Option<String> {
        Some(match self.finding.rule {
            Rule::MobileCardIssued => format!(
                "{place}: a mobile card will be issued; on a regular site each costs one \
                 Airfob credit. Clear the cell (or ignore the column) to issue none."
            ),
            Rule::MobileDatesMissing => format!(
                "{place}: this is a dynamic site, so a mobile card needs both \
                 mobile_start_datetime and mobile_expiry_datetime. Fill in both (map the \
                 columns if the file has them)."
            ),
            Rule::QrNotImportable => format!(
                "{place}: BioStar X cannot issue QR credentials through CSV import. Clear the \
                 cell or ignore the qr column, and issue QR codes on the server."
            ),
            Rule::FaceImageFile => format!(
                "{place}: {shown} must be the file name of a JPG or PNG image (e.g. \
                 kim.jpg), without a folder; you choose the folder at import."
            ),
            _ => return None,
        })
    }
}

impl Parts<'_> {
    /// Face image cells against the face folder.
    fn face_message(&self, place: &str, shown: &str) -> Option<String> {
        let rule = self.finding.rule;
        let exact = self.faces.and_then(|f| match f.find(self.value) {
            Lookup::Exact(i) => f.image(i),
            _ => None,
        });
        if let (Some(problem), Some(image)) = (problem_of(rule), exact) {
            return Some(format!("{place}: {}", image.explain(problem)));
        }
        let other = self.other_line();
        Some(match rule {
            Rule::FaceImageMissing => format!(
                "{place}: {shown} is not in the face image folder. Add the file to the \
                 folder, or correct the name."
            ),
            Rule::FaceImageUnicodeForm => self.unicode_form_message(place, shown),
            Rule::FaceImageInSubfolder => {
                let path = (self.faces)
                    .and_then(|f| f.in_subfolder(self.value))
                    .unwrap_or_default();
                let sub = path.rsplit_once('/').map_or("", |(sub, _)| sub);
                format!(
                    "{place}: {shown} is in the sub-folder {}, where BioStar does not look: \
                     move it into the folder you pick at import.",
                    show(sub)
                )
            }
            Rule::FaceImageNameDiffers => format!(
                "{place}: no file is named exactly {shown}, but {} differs only in case or \
                 extension: the server looks for the exact name. Rename the file or \
                 correct the cell.",
                self.loose_matches()
            ),
            Rule::FaceImageNameSpaces => format!(
                "{place}: {shown} has spaces around the file name. bioport found {} without \
                 them, but the server may look for the name as written: remove the spaces.",
                show(self.value.trim())
            ),
            Rule::FaceImageNotJpgPng => {
                format!("{place}: {shown} is not a JPG or PNG by its bytes: save it as one.")
            }
            Rule::FaceImageDamaged => {
                format!("{place}: {shown} is cut off or corrupt: copy it again.")
            }
            Rule::FaceImageOver10Mb => format!(
                "{place}: {shown} is over the server's limit of {}: save it smaller.",
                crate::workbench::faces::MAX_FILE_BYTES_TEXT
            ),
            Rule::FaceImageOver4000 => format!(
                "{place}: {shown} is over the server's 4000 x 4000 px limit: scale it down."
            ),
            Rule::FaceImageUnder250 => format!(
                "{place}: {shown} is under the 250 x 250 px the server recommends: use a \
                 larger photo."
            ),
            Rule::FaceImageShared => format!(
                "{place}: {shown} is also named on {other}: two users would get the same \
                 face. Give each user their own photo."
            ),
            Rule::FaceImageSameBytes => format!(
                "{place}: {shown} has the same bytes as {}, named on {other}: two users \
                 would get the same face. Give each user their own photo.",
                self.twin_name()
                    .map_or_else(|| "the image".to_string(), |n| show(&n))
            ),
            _ => return None,
        })
    }

    /// The message of a name found only in another Unicode form: which of the two, the
    /// cell or the file's name, is written decomposed, and what to do about it.
    fn unicode_form_message(&self, place: &str, shown: &str) -> String {
        use unicode_normalization::UnicodeNormalization;
        let file = (self.faces.and_then(|f| f.same_text_as(self.value)))
            .map_or("", |image| image.name.as_str());
        let cell = self.value.trim();
        let cell_composed = cell.nfc().eq(cell.chars());
        let (decomposed, which, action) = if cell_composed {
            (
                file,
                "the file's name is written decomposed ({}), as macOS writes names, and the \
                 cell composed",
                "rename the file on Windows, typing its name again, so that it is stored \
                 composed like the cell",
            )
        } else {
            (
                cell,
                "the cell is written decomposed ({}), as text copied from a macOS file name \
                 can be, and the file's name composed",
                "type the cell again, so that it is stored composed like the file's name",
            )
        };
        let which = which.replace("{}", &decomposed_letter(decomposed));
        format!(
            "{place}: no file is named exactly {shown}, but {} is the same text in another \
             Unicode form: {which}. The server looks for the exact bytes: {action}.",
            show(file)
        )
    }

    /// The file the finding's other row names with the same bytes as this cell's, if any.
    fn twin_name(&self) -> Option<String> {
        let folder = self.faces?;
        let Lookup::Exact(i) = folder.find(self.value) else {
            return None;
        };
        let group = folder.same_bytes(i);
        let other = self.finding.other? as usize;
        [Field::FaceImageFile1, Field::FaceImageFile2]
            .iter()
            .filter_map(|f| self.mapping.column_of(f))
            .map(|c| cell_text(self.sheet, other, c).trim())
            .find(|v| matches!(folder.find(v), Lookup::Exact(j) if j != i && group.contains(&j)))
            .map(str::to_string)
    }

    /// The folder's files matching the cell but for case or extension, quoted.
    fn loose_matches(&self) -> String {
        let Some(folder) = self.faces else {
            return "a file".to_string();
        };
        let names: Vec<String> = match folder.find(self.value) {
            Lookup::Differs(v) => v
                .iter()
                .filter_map(|&i| folder.image(i))
                .map(|image| show(&image.name))
                .collect(),
            _ => Vec::new(),
        };
        match names.len() {
            0 => "a file".to_string(),
            _ => names.join(" and "),
        }
    }
}

/// The first letter of `name` that is written in parts ("ë as e + U+0308"), or "".
fn decomposed_letter(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    for c in name.nfc() {
        let parts: Vec<char> = std::iter::once(c).nfd().collect();
        if let [first, rest @ ..] = parts.as_slice() {
            if !rest.is_empty() {
                let marks: Vec<String> = rest
                    .iter()
                    .map(|m| format!("U+{:04X}", u32::from(*m)))
                    .collect();
                return format!("{c} as {first} + {}", marks.join(" + "));
            }
        }
    }
    String::new()
}

/// Why a user ID is not a whole number and what to do, as a sentence after the message.
fn not_number_advice(value: &str) -> String {
    if let Some(text) = excel_text(value) {
        excel_text_advice(&text)
    } else if looks_scientific(value) {
        " A spreadsheet turned it into scientific notation and its last digits \
         are lost: format the column as Text and enter the IDs again."
            .to_string()
    } else if value.trim() != value && all_digits(value.trim()) {
        " Remove the spaces around it.".to_string()
    } else {
        " Use digits only, or set the site to alphanumeric IDs if the server uses \
         them."
            .to_string()
    }
}

/// The first 8 different characters of a name that `bad` picks out, each between ‘ ’ on
/// its own (quote marks and commas among them stay readable).
fn name_symbols(value: &str, bad: impl Fn(char) -> bool) -> String {
    let mut symbols: Vec<char> = Vec::new();
    for c in value.chars().filter(|c| bad(*c)) {
        if !symbols.contains(&c) {
            symbols.push(c);
        }
        if symbols.len() == 8 {
            break;
        }
    }
    let mut shown = String::new();
    for (i, &c) in symbols.iter().enumerate() {
        if i > 0 {
            shown.push(' ');
        }
        shown.push('‘');
        push_visible(&mut shown, c);
        shown.push('’');
    }
    shown
}

/// What a date the server cannot read may be, as a sentence after the message ("" when
/// nothing is clear).
fn date_format_hint(value: &str) -> String {
    if let Some(text) = excel_text(value) {
        let moment = suggest_iso(&text).or_else(|| serial_date(&text));
        return format!("{}{}", excel_text_advice(&text), here(moment.as_deref()));
    }
    if let Some(moment) = serial_date(value) {
        return format!(
            " It looks like a spreadsheet date serial number, for {moment}: format the \
             column as Text in that form before saving.{}",
            here(Some(&moment))
        );
    }
    let Some(day_first) = suggest_iso(value) else {
        return String::new();
    };
    match slash_pair(value).filter(|&(a, b, _)| a != b && a <= 12 && b <= 12) {
        Some((a, b, rest)) => match suggest_iso(&format!("{b}/{a}/{rest}")) {
            Some(month_first) => format!(
                " The day and month could be either way round. Here: {day_first} if the day \
                 comes first, or {month_first} if the month does (sheets from the US, and \
                 times with AM or PM, usually put the month first)."
            ),
            None => here(Some(&day_first)),
        },
        None => here(Some(&day_first)),
    }
}

/// " Here: MOMENT." for a moment to write ("" for none), saying when it is past the
/// latest date the server takes.
fn here(moment: Option<&str>) -> String {
    let Some(moment) = moment else {
        return String::new();
    };
    let late = moment.get(..4).and_then(|y| y.parse::<u32>().ok()) > Some(2037);
    match late {
        true => format!(
            " Here: {moment}, but that is after 2037-12-31 23:59:59, the latest date the server \
             takes: check the date."
        ),
        false => format!(" Here: {moment}."),
    }
}

/// The text inside Excel's `="…"` form (a formula whose result is text, which keeps
/// leading zeros in the spreadsheet), its doubled quotes undone; None for other values.
fn excel_text(value: &str) -> Option<String> {
    let inner = value.trim().strip_prefix("=\"")?.strip_suffix('"')?;
    Some(inner.replace("\"\"", "\""))
}

/// What to do about a cell in Excel's `="…"` form holding `text`, as a sentence.
fn excel_text_advice(text: &str) -> String {
    format!(
        " It is Excel's =\"…\" form: the spreadsheet shows {}, but the server reads the \
         equals sign and quotes too. Write {} in a column formatted as Text.",
        show(text),
        show(text)
    )
}

/// How to write a month-first date day first, as a sentence after the message ("" when
/// the date does not split into numbers).
fn month_first_fix(value: &str) -> String {
    match slash_pair(value) {
        Some((m, d, rest)) => {
            let iso = suggest_iso(value).map_or(String::new(), |s| format!(" (or {s})"));
            format!(
                " For {} {d}, write {d:02}/{m:02}/{rest}{iso}.",
                month_name(m)
            )
        }
        None => String::new(),
    }
}
