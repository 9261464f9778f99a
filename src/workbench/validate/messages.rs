//! The messages of findings: where the problem is and how to fix it, in one sentence.

use crate::model::Sheet;
use crate::workbench::mapping::{column_letter, Field, Mapping};

use super::dates::{month_name, slash_pair, suggest_iso};
use super::keys::strip_zeros;
use super::plan::{cell_text, width_of};
use super::row::{all_digits, MANUAL_NAME_SYMBOLS};
use super::{Finding, Rule};

/// Shows a cell value in a message: quoted, line breaks visible, at most 40 characters.
fn show(v: &str) -> String {
    let mut out = String::from("\"");
    for (n, c) in v.chars().enumerate() {
        if n == 40 {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
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
        format!("column \"{}\" ({})", header, column_letter(col))
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
        let row = self.row as usize;
        let col = self.col.map(|c| c as usize);
        let at = line_of(sheet, row);
        let colname = |c: usize| describe_column(sheet, header_row, mapping, c);
        let value = col.map(|c| cell_text(sheet, row, c)).unwrap_or_default();
        let shown = show(value);
        let place = match col {
            Some(c) => format!("{at}, {}", colname(c)),
            None => at.clone(),
        };
        let other_line = |o: Option<u32>| match o {
            Some(r) => line_of(sheet, r as usize).to_lowercase(),
            None => "another line".to_string(),
        };
        let field = col
            .and_then(|c| mapping.get(c))
            .and_then(|m| m.target.as_ref());
        let fname = field.map_or("this field", |f| f.header_name());
        match self.rule {
            Rule::BlankRow => format!("{at} is blank: delete the row."),
            Rule::RowTooShort => format!(
                "{at} has {} cells but the header has {}: the missing cells are read as \
                 blank. Check that no cell was lost or shifted.",
                width_of(sheet, row),
                width_of(sheet, header_row)
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
            Rule::UnmappedColumn if row == header_row => format!(
                "{} is not mapped to any BioStar field but holds data (first on {}): the \
                 import fails on unknown columns. Map it to a field, declare it as a custom \
                 user field (it must exist on the server too), or ignore it.",
                col.map_or_else(|| "A column".to_string(), |c| capitalise(&colname(c))),
                other_line(self.other)
            ),
            Rule::UnmappedColumn => {
                let more = self.other.unwrap_or(1).saturating_sub(1);
                let more = if more > 0 {
                    format!(" (and {more} more unmapped column(s))")
                } else {
                    String::new()
                };
                format!(
                    "{place} holds {shown}{more} but is not mapped to a BioStar field: the \
                     import fails on unknown columns. Map the column, declare it as a custom \
                     user field, or ignore it."
                )
            }
            Rule::FormulaCell => format!(
                "{place} starts with {}: a spreadsheet would run {shown} as a formula. If \
                 it is meant as text, remove the leading character or put a ' before it.",
                show(value.get(..1).unwrap_or(""))
            ),
            Rule::MappingConflict => format!(
                "{} and {} are both mapped to {fname}: the server takes one column per \
                 field. Remap one of them to another field or ignore it.",
                self.other.map_or_else(
                    || "Another column".to_string(),
                    |o| capitalise(&colname(o as usize))
                ),
                col.map_or_else(|| "a column".to_string(), colname),
            ),
            Rule::UserIdColumnMissing => "No column is mapped to user_id: every user needs an \
                 ID. Map the column holding the IDs to user_id."
                .to_string(),
            Rule::UserIdMissing => match col {
                Some(_) => format!("{place} is blank: every user needs an ID. Fill it in."),
                None => format!("{at} has no user ID (no column is mapped to user_id)."),
            },
            Rule::UserIdNotNumber => {
                let why = if looks_scientific(value) {
                    " A spreadsheet turned it into scientific notation and its last digits \
                     are lost: format the column as Text and enter the IDs again."
                } else if value.trim() != value && all_digits(value.trim()) {
                    " Remove the spaces around it."
                } else {
                    " Use digits only, or set the site to alphanumeric IDs if the server uses \
                     them."
                };
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
                other_line(self.other)
            ),
            Rule::NameTooLong => format!(
                "{place}: the name has {} characters; the server takes at most 48. Shorten it.",
                value.chars().count()
            ),
            Rule::NameCharacters => {
                let bad: String = value
                    .chars()
                    .filter(|c| {
                        !(c.is_alphanumeric()
                            || *c == ' '
                            || *c == '_'
                            || MANUAL_NAME_SYMBOLS.contains(*c))
                    })
                    .take(8)
                    .collect();
                format!(
                    "{place}: {shown} has characters the server does not allow in names ({}). \
                     Use letters, numbers, spaces and _ only.",
                    show(&bad)
                )
            }
            Rule::NameStrictCharacters => {
                let bad: String = value
                    .chars()
                    .filter(|c| MANUAL_NAME_SYMBOLS.contains(*c))
                    .take(8)
                    .collect();
                format!(
                    "{place}: {shown} has symbols ({}) that the manual allows but live servers \
                     reject (\"letters, numbers, spaces and underscores\" only). Remove them, \
                     or turn off strict names if your server accepts them.",
                    show(&bad)
                )
            }
            Rule::DepartmentTooLong | Rule::UserTitleTooLong => format!(
                "{place} has {} characters; the server takes at most 64. Shorten it.",
                value.chars().count()
            ),
            Rule::EmailShape => format!(
                "{place}: {shown} does not look like an email address (name@example.com). \
                 Check it."
            ),
            Rule::DateFormat => {
                let hint = if all_digits(value.trim()) && value.trim().len() == 5 {
                    " It looks like a spreadsheet date serial number: format the column as \
                     Text in that form before saving."
                        .to_string()
                } else {
                    match suggest_iso(value) {
                        Some(s) => format!(" Here: {s}."),
                        None => String::new(),
                    }
                };
                format!(
                    "{place}: {shown} is not a date the server reads. Write YYYY-MM-DD HH:MM, \
                     e.g. 2025-12-31 23:59.{hint}"
                )
            }
            Rule::DateMonthFirst => {
                let fix = match slash_pair(value) {
                    Some((m, d, rest)) => {
                        let iso =
                            suggest_iso(value).map_or(String::new(), |s| format!(" (or {s})"));
                        format!(
                            " For {} {d}, write {d:02}/{m:02}/{rest}{iso}.",
                            month_name(m)
                        )
                    }
                    None => String::new(),
                };
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
                let start = self.other.map(|o| o as usize);
                let start_desc = start.map_or_else(|| "the start".to_string(), colname);
                let start_val = start
                    .map(|s| show(cell_text(sheet, row, s)))
                    .unwrap_or_default();
                format!(
                    "{place}: the expiry {shown} is before {start_desc} {start_val}. Swap \
                     them or correct one."
                )
            }
            Rule::PinFormat => format!(
                "{place}: a PIN must be 4 to 16 digits; this one is not (value not shown). \
                 Correct it or leave it blank."
            ),
            Rule::CardNotNumber => format!(
                "{place}: {shown} is not a card number the server takes: {}.",
                card_hint(value, field)
            ),
            Rule::CardDuplicate => format!(
                "{place}: card {shown} is also on {}; a card belongs to one user. Remove it \
                 from one of the rows.",
                other_line(self.other)
            ),
            Rule::CsnBlankOverwrite => format!(
                "{place} is blank and the import overwrites existing users: if this user \
                 already has a card on the server, it would be removed. Fill in the card \
                 number to keep it, or ignore the csn column."
            ),
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
        }
    }
}
