//! The per-row checks: one pass over a row's cells, then the rules of each field group,
//! and the small cell predicates they use.

use crate::model::{RowCells, Sheet};

use super::dates::{parse_datetime, DateParse, EARLIEST_KEY};
use super::keys::{card_key, strip_zeros, user_id_key, RowIndex};
use super::plan::{cell_text, ColUse, Plan};
use super::{ExpiryLimit, Finding, Rule, SiteSettings, UserIdType};

/// True when a spreadsheet would take the cell for a formula (see the module notes).
fn looks_like_formula(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b'=') | Some(b'@') => true,
        Some(b'+') | Some(b'-') => !s
            .as_bytes()
            .get(1..)
            .unwrap_or_default()
            .iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'(' | b')' | b'.' | b'/')),
        _ => false,
    }
}

/// The symbols the manual allows in names (live servers reject them).
pub(super) const MANUAL_NAME_SYMBOLS: &str = "~!@#$%^&()-_=+[]{};,";

/// (has characters outside the manual's set, has symbols outside the strict set).
pub(super) fn name_characters(s: &str) -> (bool, bool) {
    let mut any = false;
    let mut strict = false;
    if s.is_ascii() {
        for &b in s.as_bytes() {
            if b.is_ascii_alphanumeric() || b == b' ' || b == b'_' {
                continue;
            }
            if MANUAL_NAME_SYMBOLS.as_bytes().contains(&b) {
                strict = true;
            } else {
                any = true;
            }
        }
        return (any, strict);
    }
    for c in s.chars() {
        // Hangul syllables first: the general lookup is slow for them.
        if c.is_ascii_alphanumeric()
            || c == ' '
            || c == '_'
            || ('\u{AC00}'..='\u{D7A3}').contains(&c)
            || c.is_alphanumeric()
        {
            continue;
        }
        if MANUAL_NAME_SYMBOLS.contains(c) {
            strict = true;
        } else {
            any = true;
        }
    }
    (any, strict)
}

/// True when `s` has more than `max` characters (counting only when the bytes are more).
fn longer_than(s: &str, max: usize) -> bool {
    s.len() > max && s.chars().count() > max
}

/// True when `s` looks like an email address: one `@`, something before it, and a dotted
/// domain after it, without whitespace inside.
pub(super) fn email_ok(s: &str) -> bool {
    // The usual address: visible ASCII only, so one pass over its bytes tells it all.
    let b = s.as_bytes();
    let mut at = None;
    for (i, &c) in b.iter().enumerate() {
        if c == b'@' {
            if at.is_some() {
                return false;
            }
            at = Some(i);
        } else if !c.is_ascii_graphic() {
            return email_ok_general(s);
        }
    }
    let Some(at) = at else {
        return false;
    };
    let (local, domain) = (&b[..at], &b[at + 1..]);
    !local.is_empty()
        && domain.contains(&b'.')
        && domain.first() != Some(&b'.')
        && domain.last() != Some(&b'.')
        && !domain.windows(2).any(|w| w == b"..")
}

/// [`email_ok`] for any text: surrounding whitespace trimmed, any whitespace inside
/// refused.
fn email_ok_general(s: &str) -> bool {
    let s = s.trim();
    let b = s.as_bytes();
    let Some(at) = memchr::memchr(b'@', b) else {
        return false;
    };
    let (local, domain) = (&b[..at], &b[at + 1..]);
    let whitespace = if s.is_ascii() {
        // char::is_whitespace on ASCII (vertical tab included, unlike is_ascii_whitespace).
        b.iter()
            .any(|c| matches!(c, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' '))
    } else {
        s.chars().any(char::is_whitespace)
    };
    !local.is_empty()
        && memchr::memchr(b'@', domain).is_none()
        && !whitespace
        && memchr::memchr(b'.', domain).is_some()
        && domain.first() != Some(&b'.')
        && domain.last() != Some(&b'.')
        && !domain.windows(2).any(|w| w == b"..")
}

/// A PIN is 4 to 16 digits.
fn pin_ok(s: &str) -> bool {
    all_digits(s) && (4..=16).contains(&s.len())
}

/// True when `b` holds a `\n` or `\r` (a vectorised search).
pub(super) fn has_line_break(b: &[u8]) -> bool {
    memchr::memchr2(b'\n', b'\r', b).is_some()
}

/// True when a cell holds more than whitespace (fast for the usual non-blank cell).
pub(super) fn has_data(v: &str) -> bool {
    // Visible ASCII first: data (the ASCII whitespace chars are 0x09..=0x0D and 0x20).
    if v.as_bytes().first().is_some_and(|&b| b > b' ' && b < 0x80) {
        return true;
    }
    // Non-ASCII whitespace starts with 0xC2, 0xE1, 0xE2 or 0xE3 in UTF-8; Hangul and most
    // other letters do not.
    if v.as_bytes()
        .first()
        .is_some_and(|&b| b >= 0x80 && !matches!(b, 0xC2 | 0xE1 | 0xE2 | 0xE3))
    {
        return true;
    }
    match v.chars().next() {
        None => false,
        Some(c) if !c.is_whitespace() => true,
        Some(_) => !v.trim().is_empty(),
    }
}

/// True when `s` is one or more ASCII digits.
pub(super) fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// True when `s` is a .jpg, .jpeg or .png file name without a folder.
fn face_file_ok(s: &str) -> bool {
    let s = s.trim();
    if s.contains('/') || s.contains('\\') {
        return false;
    }
    let Some((stem, ext)) = s.rsplit_once('.') else {
        return false;
    };
    !stem.is_empty()
        && (ext.eq_ignore_ascii_case("jpg")
            || ext.eq_ignore_ascii_case("jpeg")
            || ext.eq_ignore_ascii_case("png"))
}

/// Everything a row check needs to look at.
pub(super) struct Ctx<'a> {
    pub(super) sheet: &'a Sheet,
    pub(super) plan: &'a Plan,
    pub(super) settings: &'a SiteSettings,
    pub(super) ids: &'a RowIndex,
    /// One index per column of `plan.cards`.
    pub(super) cards: &'a [RowIndex],
}

impl<'a> Ctx<'a> {
    /// The first other row whose ID compares equal to `row`'s.
    pub(super) fn other_id_row(&self, row: usize) -> Option<u32> {
        let key = self.ids.key_of(row);
        let shared = self.ids.shared(key);
        if key == 0 || shared.is_empty() {
            return None;
        }
        let col = self.plan.user_id?;
        let t = self.settings.user_id_type;
        let mine = user_id_key(cell_text(self.sheet, row, col), t);
        shared.iter().copied().find(|&r| {
            r as usize != row && user_id_key(cell_text(self.sheet, r as usize, col), t) == mine
        })
    }

    /// The first other row with the same card number in column number `k` of the plan's cards.
    pub(super) fn other_card_row(&self, row: usize, k: usize) -> Option<u32> {
        let index = self.cards.get(k)?;
        let key = index.key_of(row);
        let shared = index.shared(key);
        if key == 0 || shared.is_empty() {
            return None;
        }
        let col = *self.plan.cards.get(k)?;
        let mine = card_key(cell_text(self.sheet, row, col));
        shared.iter().copied().find(|&r| {
            r as usize != row && card_key(cell_text(self.sheet, r as usize, col)) == mine
        })
    }

    /// Checks one row, appending its findings to `out`; `cells` is scratch space.
    pub(super) fn check_row(&self, row: usize, cells: &mut Vec<&'a str>, out: &mut Vec<Finding>) {
        let sheet = self.sheet;
        let plan = self.plan;
        let st = self.settings;
        let r32 = row as u32;
        let start = out.len();
        let mut add = |rule: Rule, col: Option<usize>, other: Option<u32>| {
            out.push(Finding {
                row: r32,
                col: col.map(|c| c as u32),
                rule,
                other,
            })
        };

        // Every cell: any data at all, line breaks, unmapped data, formulas.
        cells.clear();
        let row_cells = sheet.row(row);
        // Cells as read lie end to end in the sheet's text: one scan tells whether any of
        // them can hold a line break, so the usual row skips the per-cell test.
        let breaks_possible = match &row_cells {
            RowCells::Read { text, ends, start } => {
                let end = ends.last().map_or(*start, |&e| e as usize);
                has_line_break(text.as_bytes().get(*start..end).unwrap_or_default())
            }
            RowCells::Edited { .. } => true,
        };
        cells.extend(row_cells);
        let width = cells.len();
        let cells: &[&str] = cells;
        let get = |col: Option<usize>| col.and_then(|c| cells.get(c).copied()).unwrap_or("");
        let mut any_data = false;
        let mut unmapped_first = None;
        let mut unmapped_count = 0u32;
        for (c, &v) in cells.iter().enumerate() {
            let Some(&first) = v.as_bytes().first() else {
                continue;
            };
            // Visible ASCII first: data (the slow test only for other first bytes).
            let data = (first > b' ' && first < 0x80) || has_data(v);
            any_data |= data;
            if breaks_possible && has_line_break(v.as_bytes()) {
                add(Rule::CellHasNewline, Some(c), None);
            }
            match plan.uses.get(c) {
                Some(ColUse::Undecided) if data => {
                    unmapped_first.get_or_insert(c);
                    unmapped_count += 1;
                }
                Some(ColUse::Mapped)
                    if st.spreadsheet_safe
                        && matches!(first, b'=' | b'@' | b'+' | b'-')
                        && looks_like_formula(v) =>
                {
                    add(Rule::FormulaCell, Some(c), None);
                }
                _ => {}
            }
        }
        if !any_data {
            out.truncate(start);
            out.push(Finding {
                row: r32,
                col: None,
                rule: Rule::BlankRow,
                other: None,
            });
            return;
        }
        let mut add = |rule: Rule, col: Option<usize>, other: Option<u32>| {
            out.push(Finding {
                row: r32,
                col: col.map(|c| c as u32),
                rule,
                other,
            })
        };
        if let Some(c) = unmapped_first {
            add(Rule::UnmappedColumn, Some(c), Some(unmapped_count));
        }

        // Shape of the row.
        if width < plan.width {
            add(Rule::RowTooShort, Some(width), None);
        } else if width > plan.width {
            match (plan.width..width).find(|&c| !get(Some(c)).is_empty()) {
                Some(c) => add(Rule::RowTooLong, Some(c), None),
                None => add(Rule::RowExtraEmptyCells, Some(plan.width), None),
            }
        }

        // user_id
        let id = get(plan.user_id);
        if !has_data(id) {
            add(Rule::UserIdMissing, plan.user_id, None);
        } else {
            match st.user_id_type {
                UserIdType::Numeric => {
                    if !all_digits(id) {
                        add(Rule::UserIdNotNumber, plan.user_id, None);
                    } else {
                        let digits = strip_zeros(id);
                        // All digits (checked above): at most 10 of them fit a u64 easily.
                        let value = if digits.len() > 10 {
                            u64::MAX
                        } else {
                            digits
                                .bytes()
                                .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'))
                        };
                        if !(1..=4_294_967_294).contains(&value) {
                            add(Rule::UserIdOutOfRange, plan.user_id, None);
                        } else if digits.len() != id.len() {
                            add(Rule::UserIdLeadingZeros, plan.user_id, None);
                        }
                    }
                }
                UserIdType::Alphanumeric => {
                    if !id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    {
                        add(Rule::UserIdBadCharacters, plan.user_id, None);
                    }
                    if longer_than(id, 32) {
                        add(Rule::UserIdTooLong, plan.user_id, None);
                    }
                }
            }
            if let Some(other) = self.other_id_row(row) {
                add(Rule::UserIdDuplicate, plan.user_id, Some(other));
            }
        }

        // name, department, title, email
        let name = get(plan.name);
        if !name.is_empty() {
            if longer_than(name, 48) {
                add(Rule::NameTooLong, plan.name, None);
            }
            let (any, strict) = name_characters(name);
            if any {
                add(Rule::NameCharacters, plan.name, None);
            }
            if strict && st.strict_names {
                add(Rule::NameStrictCharacters, plan.name, None);
            }
        }
        if longer_than(get(plan.department), 64) {
            add(Rule::DepartmentTooLong, plan.department, None);
        }
        if longer_than(get(plan.user_title), 64) {
            add(Rule::UserTitleTooLong, plan.user_title, None);
        }
        let email = get(plan.email);
        if has_data(email) && !email_ok(email) {
            add(Rule::EmailShape, plan.email, None);
        }

        // Dates: each on its own, then start against expiry.
        let mut keys = [None; 4];
        for (k, col) in plan.dates.iter().enumerate() {
            let v = get(*col);
            if !has_data(v) {
                continue;
            }
            match parse_datetime(v) {
                DateParse::Ok { key, ambiguous } => {
                    if ambiguous {
                        add(Rule::DateAmbiguous, *col, None);
                    }
                    if key < EARLIEST_KEY {
                        add(Rule::DateBefore2001, *col, None);
                    } else if key > st.expiry_limit.key() {
                        let rule = match st.expiry_limit {
                            ExpiryLimit::Y2030 => Rule::DateAfter2030,
                            ExpiryLimit::Y2037 => Rule::DateAfter2037,
                        };
                        add(rule, *col, None);
                    }
                    keys[k] = Some(key);
                }
                DateParse::Format => add(Rule::DateFormat, *col, None),
                DateParse::MonthFirst => add(Rule::DateMonthFirst, *col, None),
                DateParse::Impossible => add(Rule::DateImpossible, *col, None),
            }
        }
        for (s, e) in [(0, 1), (2, 3)] {
            if let (Some(start), Some(end)) = (keys[s], keys[e]) {
                if start > end {
                    add(
                        Rule::StartAfterExpiry,
                        plan.dates[e],
                        plan.dates[s].map(|c| c as u32),
                    );
                }
            }
        }

        // pin
        let pin = get(plan.pin);
        if !pin.is_empty() && !pin_ok(pin) {
            add(Rule::PinFormat, plan.pin, None);
        }

        // Cards: csn and Wiegand columns.
        for (k, &col) in plan.cards.iter().enumerate() {
            let v = get(Some(col));
            if !has_data(v) {
                if Some(col) == plan.csn && st.overwrite {
                    add(Rule::CsnBlankOverwrite, Some(col), None);
                }
                continue;
            }
            if !all_digits(v) {
                add(Rule::CardNotNumber, Some(col), None);
            }
            if let Some(other) = self.other_card_row(row, k) {
                add(Rule::CardDuplicate, Some(col), Some(other));
            }
        }

        // Mobile card.
        if has_data(get(plan.csn_mobile)) {
            add(Rule::MobileCardIssued, plan.csn_mobile, None);
            if st.dynamic_site {
                let missing = [plan.dates[2], plan.dates[3]]
                    .into_iter()
                    .find(|c| !has_data(get(*c)));
                if let Some(c) = missing {
                    add(Rule::MobileDatesMissing, c.or(plan.csn_mobile), None);
                }
            }
        }

        // QR, face images.
        if has_data(get(plan.qr)) {
            add(Rule::QrNotImportable, plan.qr, None);
        }
        for col in plan.faces {
            let v = get(col);
            if has_data(v) && !face_file_ok(v) {
                add(Rule::FaceImageFile, col, None);
            }
        }
    }
}
