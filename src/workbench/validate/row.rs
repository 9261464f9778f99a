//! The per-row checks: one pass over a row's cells, then the rules of each field group,
//! and the small cell predicates they use.

use crate::model::{RowCells, Sheet};

use super::dates::{parse_datetime, DateParse, EARLIEST_KEY};
use super::faces::FaceLayer;
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

/// U+FFFD in UTF-8: what a byte the file's encoding could not read became.
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// True when `b` may hold a line break or U+FFFD (the cells' rare finds): a line break,
/// or U+FFFD's first byte (which also starts fullwidth forms).
fn has_rare_bytes(b: &[u8]) -> bool {
    memchr::memchr3(b'\n', b'\r', REPLACEMENT[0], b).is_some()
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
pub(super) fn face_file_ok(s: &str) -> bool {
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
    /// The face folder, once one is added.
    pub(super) faces: Option<&'a FaceLayer>,
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
        let start = out.len();
        let mut sink = Sink {
            row: row as u32,
            out,
        };
        cells.clear();
        let row_cells = self.sheet.row(row);
        let rare = rare_bytes_possible(&row_cells);
        cells.extend(row_cells);
        let cells: &[&str] = cells;
        let scan = self.scan_cells(cells, rare, &mut sink);
        if !scan.any_data {
            sink.out.truncate(start);
            sink.add(Rule::BlankRow, None, None);
            return;
        }
        if let Some(c) = scan.unmapped_first {
            sink.add(Rule::UnmappedColumn, Some(c), Some(scan.unmapped_count));
        }
        self.check_shape(cells, &mut sink);
        self.check_user_id(row, cells, &mut sink);
        self.check_person(cells, &mut sink);
        self.check_dates(cells, &mut sink);
        self.check_pin_and_cards(row, cells, &mut sink);
        self.check_other_credentials(row, cells, &mut sink);
    }

    /// Every cell: any data at all, line breaks and U+FFFD (only looked for when
    /// `rare_possible`), unmapped data, formulas.
    #[inline]
    fn scan_cells(&self, cells: &[&str], rare_possible: bool, sink: &mut Sink<'_>) -> Scan {
        let mut scan = Scan {
            any_data: false,
            unmapped_first: None,
            unmapped_count: 0,
        };
        for (c, &v) in cells.iter().enumerate() {
            let Some(&first) = v.as_bytes().first() else {
                continue;
            };
            // Visible ASCII first: data (the slow test only for other first bytes).
            let data = (first > b' ' && first < 0x80) || has_data(v);
            scan.any_data |= data;
            if rare_possible {
                if has_line_break(v.as_bytes()) {
                    sink.add(Rule::CellHasNewline, Some(c), None);
                }
                // Only what is written: an ignored column (a reopened error file's
                // Error_Description, which may quote the character) is not.
                if self.plan.uses.get(c) == Some(&ColUse::Mapped)
                    && memchr::memmem::find(v.as_bytes(), REPLACEMENT).is_some()
                {
                    sink.add(Rule::CellUndecodable, Some(c), None);
                }
            }
            match self.plan.uses.get(c) {
                Some(ColUse::Undecided) if data => {
                    scan.unmapped_first.get_or_insert(c);
                    scan.unmapped_count += 1;
                }
                Some(ColUse::Mapped)
                    if self.settings.spreadsheet_safe
                        && matches!(first, b'=' | b'@' | b'+' | b'-')
                        && looks_like_formula(v) =>
                {
                    sink.add(Rule::FormulaCell, Some(c), None);
                }
                _ => {}
            }
        }
        scan
    }

    /// The row's width against the header's.
    #[inline]
    fn check_shape(&self, cells: &[&str], sink: &mut Sink<'_>) {
        let (width, header) = (cells.len(), self.plan.width);
        if width < header {
            sink.add(Rule::RowTooShort, Some(width), None);
        } else if width > header {
            match (header..width).find(|&c| !get(cells, Some(c)).is_empty()) {
                Some(c) => sink.add(Rule::RowTooLong, Some(c), None),
                None => sink.add(Rule::RowExtraEmptyCells, Some(header), None),
            }
        }
    }

    /// user_id: present, of the site's type, and on no other row.
    #[inline]
    fn check_user_id(&self, row: usize, cells: &[&str], sink: &mut Sink<'_>) {
        let col = self.plan.user_id;
        let id = get(cells, col);
        if !has_data(id) {
            sink.add(Rule::UserIdMissing, col, None);
            return;
        }
        match self.settings.user_id_type {
            UserIdType::Numeric => {
                if let Some(rule) = numeric_id_problem(id) {
                    sink.add(rule, col, None);
                }
            }
            UserIdType::Alphanumeric => {
                if !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                {
                    sink.add(Rule::UserIdBadCharacters, col, None);
                }
                if longer_than(id, 32) {
                    sink.add(Rule::UserIdTooLong, col, None);
                }
            }
        }
        if let Some(other) = self.other_id_row(row) {
            sink.add(Rule::UserIdDuplicate, col, Some(other));
        }
    }

    /// name, department, title and email.
    #[inline]
    fn check_person(&self, cells: &[&str], sink: &mut Sink<'_>) {
        let plan = self.plan;
        let name = get(cells, plan.name);
        if !name.is_empty() {
            if longer_than(name, 48) {
                sink.add(Rule::NameTooLong, plan.name, None);
            }
            let (any, strict) = name_characters(name);
            if any {
                sink.add(Rule::NameCharacters, plan.name, None);
            }
            if strict && self.settings.strict_names {
                sink.add(Rule::NameStrictCharacters, plan.name, None);
            }
        }
        if longer_than(get(cells, plan.department), 64) {
            sink.add(Rule::DepartmentTooLong, plan.department, None);
        }
        if longer_than(get(cells, plan.user_title), 64) {
            sink.add(Rule::UserTitleTooLong, plan.user_title, None);
        }
        let email = get(cells, plan.email);
        if has_data(email) && !email_ok(email) {
            sink.add(Rule::EmailShape, plan.email, None);
        }
    }

    /// The four dates, each on its own, then each start against its expiry.
    #[inline]
    fn check_dates(&self, cells: &[&str], sink: &mut Sink<'_>) {
        let dates = &self.plan.dates;
        let mut keys = [None; 4];
        for (k, col) in dates.iter().enumerate() {
            let v = get(cells, *col);
            if has_data(v) {
                keys[k] = self.check_date(v, *col, sink);
            }
        }
        for (s, e) in [(0, 1), (2, 3)] {
            if let (Some(start), Some(end)) = (keys[s], keys[e]) {
                if start > end {
                    sink.add(Rule::StartAfterExpiry, dates[e], dates[s].map(|c| c as u32));
                }
            }
        }
    }

    /// One date cell `v` (holding data) in column `col`: its findings, and its key when it
    /// is a moment that exists.
    #[inline]
    fn check_date(&self, v: &str, col: Option<usize>, sink: &mut Sink<'_>) -> Option<u64> {
        let rule = match parse_datetime(v) {
            DateParse::Ok { key, ambiguous } => {
                if ambiguous {
                    sink.add(Rule::DateAmbiguous, col, None);
                }
                let limit = self.settings.expiry_limit;
                if key < EARLIEST_KEY {
                    sink.add(Rule::DateBefore2001, col, None);
                } else if key > limit.key() {
                    let rule = match limit {
                        ExpiryLimit::Y2030 => Rule::DateAfter2030,
                        ExpiryLimit::Y2037 => Rule::DateAfter2037,
                    };
                    sink.add(rule, col, None);
                }
                return Some(key);
            }
            DateParse::Format => Rule::DateFormat,
            DateParse::MonthFirst => Rule::DateMonthFirst,
            DateParse::Impossible => Rule::DateImpossible,
        };
        sink.add(rule, col, None);
        None
    }

    /// pin, then the card columns (csn and Wiegand): decimal numbers on no other row.
    #[inline]
    fn check_pin_and_cards(&self, row: usize, cells: &[&str], sink: &mut Sink<'_>) {
        let plan = self.plan;
        let pin = get(cells, plan.pin);
        if !pin.is_empty() && !pin_ok(pin) {
            sink.add(Rule::PinFormat, plan.pin, None);
        }
        for (k, &col) in plan.cards.iter().enumerate() {
            let v = get(cells, Some(col));
            if !has_data(v) {
                if Some(col) == plan.csn && self.settings.overwrite {
                    sink.add(Rule::CsnBlankOverwrite, Some(col), None);
                }
                continue;
            }
            if !all_digits(v) {
                sink.add(Rule::CardNotNumber, Some(col), None);
            } else if let Some(&Some(max)) = plan.card_max.get(k) {
                if v.trim().parse::<u64>().map_or(true, |n| n > max) {
                    sink.add(Rule::CardTooLarge, Some(col), None);
                }
            }
            if let Some(other) = self.other_card_row(row, k) {
                sink.add(Rule::CardDuplicate, Some(col), Some(other));
            }
        }
    }

    /// The mobile card (with both mobile dates on a dynamic site), QR and face images.
    #[inline]
    fn check_other_credentials(&self, row: usize, cells: &[&str], sink: &mut Sink<'_>) {
        let plan = self.plan;
        if has_data(get(cells, plan.csn_mobile)) {
            sink.add(Rule::MobileCardIssued, plan.csn_mobile, None);
            if self.settings.dynamic_site {
                let missing = [plan.dates[2], plan.dates[3]]
                    .into_iter()
                    .find(|c| !has_data(get(cells, *c)));
                if let Some(c) = missing {
                    sink.add(Rule::MobileDatesMissing, c.or(plan.csn_mobile), None);
                }
            }
        }
        if has_data(get(cells, plan.qr)) {
            sink.add(Rule::QrNotImportable, plan.qr, None);
        }
        for col in plan.faces {
            let v = get(cells, col);
            if !has_data(v) {
                continue;
            }
            if !face_file_ok(v) {
                sink.add(Rule::FaceImageFile, col, None);
            } else if let Some(faces) = self.faces {
                faces.check_cell(row, v, |rule, other| sink.add(rule, col, other));
            }
        }
    }
}

/// Where one row's findings go: appended to `out`, all on sheet row `row`.
struct Sink<'o> {
    row: u32,
    out: &'o mut Vec<Finding>,
}

impl Sink<'_> {
    /// Appends a finding of `rule` at column `col` of this row.
    #[inline]
    fn add(&mut self, rule: Rule, col: Option<usize>, other: Option<u32>) {
        self.out.push(Finding {
            row: self.row,
            col: col.map(|c| c as u32),
            rule,
            other,
        });
    }
}

/// What the pass over every cell of a row found, besides the findings it added.
struct Scan {
    /// Whether any cell holds more than whitespace.
    any_data: bool,
    /// The first column holding data that is neither mapped nor ignored.
    unmapped_first: Option<usize>,
    /// How many such columns hold data.
    unmapped_count: u32,
}

/// The cell in column `col` of `cells` ("" when there is no column or no such cell).
#[inline]
fn get<'v>(cells: &[&'v str], col: Option<usize>) -> &'v str {
    col.and_then(|c| cells.get(c).copied()).unwrap_or("")
}

/// Whether any cell of a row can hold a line break or U+FFFD. Cells as read lie end to
/// end in the sheet's text: one scan tells, so the usual row skips the per-cell tests.
#[inline]
fn rare_bytes_possible(cells: &RowCells<'_>) -> bool {
    match cells {
        RowCells::Read { text, ends, start } => {
            let end = ends.last().map_or(*start, |&e| e as usize);
            has_rare_bytes(text.as_bytes().get(*start..end).unwrap_or_default())
        }
        RowCells::Edited { .. } => true,
    }
}

/// What is wrong with `id` (not blank) as a numeric user ID, if anything.
#[inline]
fn numeric_id_problem(id: &str) -> Option<Rule> {
    if !all_digits(id) {
        return Some(Rule::UserIdNotNumber);
    }
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
        Some(Rule::UserIdOutOfRange)
    } else if digits.len() != id.len() {
        Some(Rule::UserIdLeadingZeros)
    } else {
        None
    }
}
