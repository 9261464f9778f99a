//! BioStar import rules applied to every row before upload: findings with row, column and severity.
//!
//! [`validate`] checks every data row of a [`Sheet`] against the rules the BioStar server
//! enforces on "Import CSV" (docs/formats.md section 1), so a file can be fixed before it is
//! uploaded instead of after the server rejects rows. Findings are compact (no text); a
//! [`Finding::message`] renders where the problem is and how to fix it. After a cell edit,
//! [`Report::revalidate_row`] re-checks that row and every row whose duplicate status it
//! touches, using per-value row lists kept in the report.
//!
//! Decisions the formats notes leave open, made here:
//! - User IDs compare as the server's site type reads them: on a numeric site an ID is a
//!   number, so `007` and `7` are the same user (and `007` draws a warning); on an
//!   alphanumeric site IDs compare as exact, case-sensitive text. Surrounding spaces are
//!   ignored when comparing (they are reported by the ID rules anyway).
//! - Card numbers (`csn` and Wiegand columns) must be decimal digits; they compare as
//!   numbers (leading zeros ignored), and only within the same column.
//! - Formula cells (mapped columns only; unmapped ones are errors already and ignored ones
//!   are not written): a cell starting with `=` or `@` is flagged; one starting with `+` or
//!   `-` is flagged unless the rest is only digits, spaces and `-()./` (a signed number or a
//!   phone number such as `+82 10-1234-5678`, which carries no formula to run).
//! - An unmapped column the user has not ignored is an error on every row where it holds
//!   data (one finding per row, counting the columns), and once for the file.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use serde::{Deserialize, Serialize};

use crate::model::Sheet;
use crate::workbench::mapping::Mapping;

mod dates;
mod keys;
mod messages;
mod plan;
mod row;
mod settings;

pub(crate) use dates::{parse_datetime, DateParse};
pub(crate) use keys::{card_key, user_id_key};
pub use settings::{ExpiryLimit, Rule, Severity, SiteSettings, UserIdType};

use keys::{card_key_of, id_key_of, KeyHasher, RowIndex};
use plan::{cell_text, ColUse, Plan};
use row::{has_data, Ctx};

/// One problem found: where it is and which rule it breaks (no text, 24 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The sheet row (0-based; the header row for file-level findings).
    pub row: u32,
    /// The 0-based column, when the finding is about one cell or column.
    pub col: Option<u32>,
    /// The rule broken.
    pub rule: Rule,
    /// The other row of a duplicate, the other column of a conflict or of a start/expiry
    /// pair, the first row with data of an unmapped column, or how many unmapped columns
    /// hold data in this row.
    pub other: Option<u32>,
}

impl Finding {
    /// Whether this finding blocks its row.
    pub fn severity(&self) -> Severity {
        self.rule.severity()
    }
}

/// How a data row fares overall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// No findings.
    Valid,
    /// Warnings only: the row imports.
    Warnings,
    /// At least one error: the server would reject the row.
    Errors,
}

/// Row counts of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Data rows checked.
    pub rows: u32,
    /// Rows without findings.
    pub valid: u32,
    /// Rows with at least one error.
    pub with_errors: u32,
    /// Rows with warnings but no error.
    pub with_warnings: u32,
    /// Rows with a mobile card to issue (each costs one Airfob credit on a regular site).
    pub mobile_cards: u32,
    /// File-level errors (mapping conflicts, no user ID column, unmapped data columns).
    pub file_errors: u32,
}

/// How many findings one rule produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCount {
    /// The rule.
    pub rule: Rule,
    /// Findings of that rule on data rows.
    pub count: u32,
}

/// What a report says in a few numbers: totals and counts per rule (non-zero only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Row counts.
    pub totals: Totals,
    /// Findings per rule on data rows, in rule order, rules with findings only.
    pub by_rule: Vec<RuleCount>,
}

fn status_of(findings: &[Finding]) -> RowStatus {
    let mut status = RowStatus::Valid;
    for f in findings {
        match f.rule.severity() {
            Severity::Error => return RowStatus::Errors,
            Severity::Warning => status = RowStatus::Warnings,
        }
    }
    status
}

// ---------------------------------------------------------------------------------------
// The report

/// Where the findings of each data row are kept.
#[derive(Debug, Clone, Default)]
struct Store {
    first_data: usize,
    rows: usize,
    /// Findings of every row from the full run, in row order.
    flat: Vec<Finding>,
    /// Where each data row's findings start in `flat` (one more entry than rows).
    starts: Vec<usize>,
    /// Findings of rows re-checked since the full run (they replace the flat ones).
    rechecked: HashMap<u32, Vec<Finding>, BuildHasherDefault<KeyHasher>>,
}

impl Store {
    fn contains(&self, row: usize) -> bool {
        row >= self.first_data && row - self.first_data < self.rows
    }

    fn of(&self, row: usize) -> &[Finding] {
        if !self.contains(row) {
            return &[];
        }
        if !self.rechecked.is_empty() {
            if let Some(v) = self.rechecked.get(&(row as u32)) {
                return v;
            }
        }
        let i = row - self.first_data;
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => self.flat.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// Running counts: findings per rule and rows per status.
#[derive(Debug, Clone)]
struct Counts {
    by_rule: Vec<u32>,
    valid: u32,
    with_warnings: u32,
    with_errors: u32,
}

impl Counts {
    fn new() -> Counts {
        Counts {
            by_rule: vec![0; Rule::COUNT],
            valid: 0,
            with_warnings: 0,
            with_errors: 0,
        }
    }

    /// Adds (`add` true) or takes away one row's findings.
    fn tally(&mut self, findings: &[Finding], add: bool) {
        let bump = |v: &mut u32| {
            *v = if add {
                v.saturating_add(1)
            } else {
                v.saturating_sub(1)
            }
        };
        for f in findings {
            if let Some(c) = self.by_rule.get_mut(f.rule as usize) {
                bump(c);
            }
        }
        match status_of(findings) {
            RowStatus::Valid => bump(&mut self.valid),
            RowStatus::Warnings => bump(&mut self.with_warnings),
            RowStatus::Errors => bump(&mut self.with_errors),
        }
    }
}

/// All findings of a file, row status and counts, with what re-checking one row needs.
#[derive(Debug, Clone)]
pub struct Report {
    header_row: usize,
    store: Store,
    file: Vec<Finding>,
    counts: Counts,
    ids: RowIndex,
    /// One index per card column (csn, then Wiegand columns), as the plan lists them.
    cards: Vec<RowIndex>,
}

/// Checks every data row (the rows after `header_row`) against the BioStar import rules.
pub fn validate(
    sheet: &Sheet,
    header_row: usize,
    mapping: &Mapping,
    settings: &SiteSettings,
) -> Report {
    let plan = Plan::new(sheet, header_row, mapping);
    let first_data = header_row.saturating_add(1).min(sheet.len());
    let rows = sheet.len() - first_data;

    // A blank row has blank ID and card cells, so it gets no keys.
    let mut id_keys = Vec::with_capacity(rows);
    let mut card_keys: Vec<Vec<u64>> = plan
        .cards
        .iter()
        .map(|_| Vec::with_capacity(rows))
        .collect();
    for row in first_data..sheet.len() {
        id_keys.push(id_key_of(sheet, &plan, settings, row));
        for (keys, &col) in card_keys.iter_mut().zip(&plan.cards) {
            keys.push(card_key_of(sheet, row, col));
        }
    }
    let ids = RowIndex::build(first_data, id_keys);
    let cards: Vec<RowIndex> = card_keys
        .into_iter()
        .map(|keys| RowIndex::build(first_data, keys))
        .collect();

    let mut store = Store {
        first_data,
        rows,
        flat: Vec::new(),
        starts: Vec::with_capacity(rows + 1),
        rechecked: HashMap::default(),
    };
    let mut counts = Counts::new();
    {
        let ctx = Ctx {
            sheet,
            plan: &plan,
            settings,
            ids: &ids,
            cards: &cards,
        };
        let mut cells = Vec::new();
        for row in first_data..sheet.len() {
            let start = store.flat.len();
            store.starts.push(start);
            ctx.check_row(row, &mut cells, &mut store.flat);
            counts.tally(store.flat.get(start..).unwrap_or(&[]), true);
        }
        store.starts.push(store.flat.len());
    }

    Report {
        header_row,
        file: file_findings(sheet, header_row, mapping, &plan, first_data),
        store,
        counts,
        ids,
        cards,
    }
}

/// Findings about the header and mapping rather than one row, by rule then column.
fn file_findings(
    sheet: &Sheet,
    header_row: usize,
    mapping: &Mapping,
    plan: &Plan,
    first_data: usize,
) -> Vec<Finding> {
    let h = header_row as u32;
    let mut out = Vec::new();
    if header_row >= sheet.len() {
        return out;
    }
    if plan.user_id.is_none() {
        out.push(Finding {
            row: h,
            col: None,
            rule: Rule::UserIdColumnMissing,
            other: None,
        });
    }
    for conflict in mapping.conflicts() {
        let Some((&first, rest)) = conflict.columns.split_first() else {
            continue;
        };
        for &c in rest {
            out.push(Finding {
                row: h,
                col: Some(c as u32),
                rule: Rule::MappingConflict,
                other: Some(first as u32),
            });
        }
    }
    for (c, u) in plan.uses.iter().enumerate() {
        if *u != ColUse::Undecided {
            continue;
        }
        let first = (first_data..sheet.len()).find(|&r| has_data(cell_text(sheet, r, c)));
        if let Some(r) = first {
            out.push(Finding {
                row: h,
                col: Some(c as u32),
                rule: Rule::UnmappedColumn,
                other: Some(r as u32),
            });
        }
    }
    out.sort_by_key(|f| (f.rule, f.col));
    out
}

/// A duplicate index a row edit touched: the user ID index, or card column `k` of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Touched {
    Id(u64),
    Card(usize, u64),
}

impl Report {
    /// The header row the report was made for.
    pub fn header_row(&self) -> usize {
        self.header_row
    }

    /// The sheet rows checked (the data rows).
    pub fn data_rows(&self) -> std::ops::Range<usize> {
        self.store.first_data..self.store.first_data + self.store.rows
    }

    /// The findings of sheet row `row` (empty for the header and rows outside the data).
    pub fn findings_of(&self, row: usize) -> &[Finding] {
        self.store.of(row)
    }

    /// Whether sheet row `row` is valid, has warnings only, or has errors.
    pub fn status(&self, row: usize) -> RowStatus {
        status_of(self.findings_of(row))
    }

    /// Every data-row finding, in row order.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> + '_ {
        self.data_rows()
            .flat_map(move |r| self.findings_of(r).iter())
    }

    /// The sheet rows with at least one finding, in order.
    pub fn rows_with_findings(&self) -> impl Iterator<Item = usize> + '_ {
        self.data_rows()
            .filter(move |r| !self.findings_of(*r).is_empty())
    }

    /// Findings about the file as a whole (mapping conflicts, no user ID column, data in
    /// unmapped columns); their `row` is the header row.
    pub fn file_findings(&self) -> &[Finding] {
        &self.file
    }

    /// How many data-row findings `rule` produced.
    pub fn count(&self, rule: Rule) -> u32 {
        self.counts.by_rule.get(rule as usize).copied().unwrap_or(0)
    }

    /// Row counts.
    pub fn totals(&self) -> Totals {
        Totals {
            rows: self.store.rows as u32,
            valid: self.counts.valid,
            with_errors: self.counts.with_errors,
            with_warnings: self.counts.with_warnings,
            mobile_cards: self.count(Rule::MobileCardIssued),
            file_errors: self
                .file
                .iter()
                .filter(|f| f.rule.severity() == Severity::Error)
                .count() as u32,
        }
    }

    /// Totals and counts per rule, ready to send to the app.
    pub fn summary(&self) -> Summary {
        Summary {
            totals: self.totals(),
            by_rule: Rule::ALL
                .iter()
                .map(|&rule| RuleCount {
                    rule,
                    count: self.count(rule),
                })
                .filter(|rc| rc.count > 0)
                .collect(),
        }
    }

    /// Re-checks sheet row `row` after an edit, and every row whose duplicate user ID or
    /// card finding the edit changes. `header_row`, `mapping` and `settings` must be
    /// those given to [`validate`]; after changing them, editing the header row or adding
    /// rows, call [`validate`] again. Returns the rows re-checked, in order (empty when
    /// `row` is not a data row).
    pub fn revalidate_row(
        &mut self,
        sheet: &Sheet,
        header_row: usize,
        mapping: &Mapping,
        settings: &SiteSettings,
        row: usize,
    ) -> Vec<usize> {
        if header_row != self.header_row || !self.store.contains(row) || row >= sheet.len() {
            return Vec::new();
        }
        let plan = Plan::new(sheet, header_row, mapping);
        let touched = self.move_keys(sheet, &plan, settings, row);
        let ctx = Ctx {
            sheet,
            plan: &plan,
            settings,
            ids: &self.ids,
            cards: &self.cards,
        };
        let affected = self.affected_rows(&ctx, &touched, row);
        let mut cells = Vec::new();
        for &r in &affected {
            let mut fresh = Vec::new();
            ctx.check_row(r, &mut cells, &mut fresh);
            self.counts.tally(self.store.of(r), false);
            self.counts.tally(&fresh, true);
            self.store.rechecked.insert(r as u32, fresh);
        }
        self.update_unmapped(sheet, &plan, row);
        affected
    }

    /// Moves `row` to its new keys in the duplicate indexes; returns every key it left or
    /// joined.
    fn move_keys(
        &mut self,
        sheet: &Sheet,
        plan: &Plan,
        settings: &SiteSettings,
        row: usize,
    ) -> Vec<Touched> {
        let mut touched: Vec<Touched> = Vec::new();
        let new_id = id_key_of(sheet, plan, settings, row);
        if let Some(old) = self.ids.set(row, new_id) {
            touched.extend([Touched::Id(old), Touched::Id(new_id)]);
        }
        for (k, (index, &col)) in self.cards.iter_mut().zip(&plan.cards).enumerate() {
            let new = card_key_of(sheet, row, col);
            if let Some(old) = index.set(row, new) {
                touched.extend([Touched::Card(k, old), Touched::Card(k, new)]);
            }
        }
        touched.retain(|t| !matches!(t, Touched::Id(0) | Touched::Card(_, 0)));
        touched
    }

    /// The rows to re-check after an edit of `row` that `touched` these keys: `row`, and
    /// the other rows sharing a touched key whose duplicate finding changes (the other row
    /// it points at, or whether they have one), in order.
    fn affected_rows(&self, ctx: &Ctx<'_>, touched: &[Touched], row: usize) -> Vec<usize> {
        let mut affected: Vec<usize> = vec![row];
        for t in touched {
            let (rows, rule, col) = match *t {
                Touched::Id(key) => (self.ids.live_rows(key), Rule::UserIdDuplicate, None),
                Touched::Card(k, key) => (
                    self.cards
                        .get(k)
                        .map_or_else(Vec::new, |index| index.live_rows(key)),
                    Rule::CardDuplicate,
                    ctx.plan.cards.get(k).map(|&c| c as u32),
                ),
            };
            for o in rows {
                let o = o as usize;
                if o == row || !self.store.contains(o) || o >= ctx.sheet.len() {
                    continue;
                }
                let now = match *t {
                    Touched::Id(_) => ctx.other_id_row(o),
                    Touched::Card(k, _) => ctx.other_card_row(o, k),
                };
                let before = self
                    .store
                    .of(o)
                    .iter()
                    .find(|f| f.rule == rule && (col.is_none() || f.col == col))
                    .and_then(|f| f.other);
                if now != before {
                    affected.push(o);
                }
            }
        }
        affected.sort_unstable();
        affected.dedup();
        affected
    }

    /// Brings the file-level "data in an unmapped column" findings up to date after an edit
    /// of `row`: only that row changed, so the first row with data moves at most from it.
    fn update_unmapped(&mut self, sheet: &Sheet, plan: &Plan, row: usize) {
        for (c, u) in plan.uses.iter().enumerate() {
            if *u != ColUse::Undecided {
                continue;
            }
            let has = has_data(cell_text(sheet, row, c));
            let pos = self
                .file
                .iter()
                .position(|f| f.rule == Rule::UnmappedColumn && f.col == Some(c as u32));
            let first = pos
                .and_then(|p| self.file.get(p))
                .and_then(|f| f.other)
                .map(|o| o as usize);
            let new_first = match first {
                None => has.then_some(row),
                Some(f) if row < f && has => Some(row),
                Some(f) if row == f && !has => {
                    (row + 1..sheet.len()).find(|&r| has_data(cell_text(sheet, r, c)))
                }
                Some(f) => Some(f),
            };
            match (pos, new_first) {
                (Some(p), Some(nf)) => {
                    if let Some(f) = self.file.get_mut(p) {
                        f.other = Some(nf as u32);
                    }
                }
                (Some(p), None) => {
                    self.file.remove(p);
                }
                (None, Some(nf)) => self.file.push(Finding {
                    row: self.header_row as u32,
                    col: Some(c as u32),
                    rule: Rule::UnmappedColumn,
                    other: Some(nf as u32),
                }),
                (None, None) => {}
            }
        }
        self.file.sort_by_key(|f| (f.rule, f.col));
    }
}

// ---------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::dates::{date_key, days_in_month, fixed_datetime, parse_datetime_by_cursor};
    use super::keys::shared_keys;
    use super::row::{email_ok, has_line_break, name_characters};
    use super::*;
    use crate::workbench::mapping::{auto_map, Field};

    const HEADER: [&str; 15] = [
        "user_id",
        "name",
        "department",
        "user_title",
        "email",
        "start_datetime",
        "expiry_datetime",
        "csn",
        "mobile_start_datetime",
        "mobile_expiry_datetime",
        "csn_mobile",
        "qr",
        "face_image_file1",
        "pin",
        "26 bit SIA Standard-H10301",
    ];

    /// A valid row with the cells in `changes` (column name, value) replaced.
    fn row_with(id: &str, changes: &[(&str, &str)]) -> Vec<String> {
        let mut cells: Vec<String> = vec![
            id.to_string(),
            "Kim Minsu".into(),
            "R&D".into(),
            "Engineer".into(),
            "kim@example.com".into(),
            "2024-01-01 00:00".into(),
            "2030-12-31 23:59".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ];
        for (name, v) in changes {
            let i = HEADER.iter().position(|h| h == name).unwrap();
            cells[i] = v.to_string();
        }
        cells
    }

    fn build(rows: &[Vec<String>]) -> (Sheet, Mapping) {
        let mut sheet = Sheet::new();
        sheet.push_row(1, HEADER).unwrap();
        for (i, r) in rows.iter().enumerate() {
            sheet
                .push_row(i as u64 + 2, r.iter().map(String::as_str))
                .unwrap();
        }
        let mapping = auto_map(&HEADER, &[]);
        (sheet, mapping)
    }

    fn check(rows: &[Vec<String>], settings: &SiteSettings) -> (Sheet, Mapping, Report) {
        let (sheet, mapping) = build(rows);
        let report = validate(&sheet, 0, &mapping, settings);
        (sheet, mapping, report)
    }

    fn rules(report: &Report, row: usize) -> Vec<Rule> {
        report.findings_of(row).iter().map(|f| f.rule).collect()
    }

    /// Asserts a single-row file with `changes` breaks `rule` (and the base row does not).
    fn fails(changes: &[(&str, &str)], rule: Rule, settings: &SiteSettings) -> String {
        let (_, _, ok) = check(&[row_with("1", &[])], settings);
        assert!(
            !rules(&ok, 1).contains(&rule),
            "base row already breaks {rule:?}: {:?}",
            rules(&ok, 1)
        );
        let (sheet, mapping, bad) = check(&[row_with("1", changes)], settings);
        assert!(
            rules(&bad, 1).contains(&rule),
            "{changes:?} should break {rule:?}, got {:?}",
            rules(&bad, 1)
        );
        let f = bad
            .findings_of(1)
            .iter()
            .find(|f| f.rule == rule)
            .copied()
            .unwrap();
        let msg = f.message(&sheet, 0, &mapping);
        assert!(msg.starts_with("Line 2"), "{msg}");
        msg
    }

    fn passes(changes: &[(&str, &str)], rule: Rule, settings: &SiteSettings) {
        let (_, _, r) = check(&[row_with("1", changes)], settings);
        assert!(
            !rules(&r, 1).contains(&rule),
            "{changes:?} should not break {rule:?}"
        );
    }

    fn def() -> SiteSettings {
        SiteSettings::default()
    }

    #[test]
    fn a_good_row_is_valid() {
        let (_, _, r) = check(&[row_with("1", &[]), row_with("2", &[])], &def());
        assert_eq!(
            r.findings().count(),
            0,
            "{:?}",
            r.findings().collect::<Vec<_>>()
        );
        assert_eq!(r.status(1), RowStatus::Valid);
        let t = r.totals();
        assert_eq!(
            (t.rows, t.valid, t.with_errors, t.with_warnings),
            (2, 2, 0, 0)
        );
        assert!(r.file_findings().is_empty());
    }

    #[test]
    fn finding_is_compact() {
        assert!(std::mem::size_of::<Finding>() <= 24);
    }

    #[test]
    fn rule_ids_are_unique_and_match_serde() {
        for (i, a) in Rule::ALL.iter().enumerate() {
            for b in &Rule::ALL[i + 1..] {
                assert_ne!(a.id(), b.id());
            }
            assert_eq!(serde_json::to_string(a).unwrap(), format!("\"{}\"", a.id()));
            assert!(!a.title().is_empty());
        }
    }

    #[test]
    fn user_id_numeric_rules() {
        let s = def();
        let m = fails(&[("user_id", "")], Rule::UserIdMissing, &s);
        assert!(m.contains("\"user_id\" (A)"), "{m}");
        passes(&[("user_id", "4294967294")], Rule::UserIdOutOfRange, &s);
        fails(&[("user_id", "4294967295")], Rule::UserIdOutOfRange, &s);
        fails(&[("user_id", "0")], Rule::UserIdOutOfRange, &s);
        fails(
            &[("user_id", "123456789012345678901234")],
            Rule::UserIdOutOfRange,
            &s,
        );
        passes(&[("user_id", "42")], Rule::UserIdNotNumber, &s);
        fails(&[("user_id", "A42")], Rule::UserIdNotNumber, &s);
        fails(&[("user_id", "-5")], Rule::UserIdNotNumber, &s);
        let m = fails(&[("user_id", "1.23457E+11")], Rule::UserIdNotNumber, &s);
        assert!(m.contains("scientific notation"), "{m}");
        let m = fails(&[("user_id", " 42")], Rule::UserIdNotNumber, &s);
        assert!(m.contains("spaces"), "{m}");
        passes(&[("user_id", "70")], Rule::UserIdLeadingZeros, &s);
        let m = fails(&[("user_id", "007")], Rule::UserIdLeadingZeros, &s);
        assert!(m.contains("same user as 7"), "{m}");
        // leading zeros are a warning: the row still imports
        let (_, _, r) = check(&[row_with("007", &[])], &s);
        assert_eq!(r.status(1), RowStatus::Warnings);
    }

    #[test]
    fn user_id_alphanumeric_rules() {
        let s = SiteSettings {
            user_id_type: UserIdType::Alphanumeric,
            ..def()
        };
        passes(&[("user_id", "EMP-001_a")], Rule::UserIdBadCharacters, &s);
        fails(&[("user_id", "EMP 001")], Rule::UserIdBadCharacters, &s);
        fails(&[("user_id", "사원1")], Rule::UserIdBadCharacters, &s);
        passes(&[("user_id", &"a".repeat(32))], Rule::UserIdTooLong, &s);
        fails(&[("user_id", &"a".repeat(33))], Rule::UserIdTooLong, &s);
        passes(&[("user_id", "A42")], Rule::UserIdNotNumber, &s);
        fails(&[("user_id", "  ")], Rule::UserIdMissing, &s);
    }

    #[test]
    fn duplicate_user_ids_point_at_each_other() {
        let rows = vec![
            row_with("1", &[]),
            row_with("2", &[]),
            row_with("1", &[]),
            row_with("01", &[]),
        ];
        let (sheet, mapping, r) = check(&rows, &def());
        assert!(!rules(&r, 2).contains(&Rule::UserIdDuplicate));
        let dup = |row: usize| {
            r.findings_of(row)
                .iter()
                .find(|f| f.rule == Rule::UserIdDuplicate)
                .and_then(|f| f.other)
        };
        assert_eq!(dup(1), Some(3));
        assert_eq!(dup(3), Some(1));
        // numeric site: 01 is user 1
        assert_eq!(dup(4), Some(1));
        let f = r.findings_of(1)[0];
        let m = f.message(&sheet, 0, &mapping);
        assert!(m.contains("line 4"), "{m}");
        assert_eq!(r.count(Rule::UserIdDuplicate), 3);

        // alphanumeric site: text compares exactly
        let s = SiteSettings {
            user_id_type: UserIdType::Alphanumeric,
            ..def()
        };
        let rows = vec![
            row_with("a1", &[]),
            row_with("A1", &[]),
            row_with("01", &[]),
            row_with("1", &[]),
        ];
        let (_, _, r) = check(&rows, &s);
        assert_eq!(r.count(Rule::UserIdDuplicate), 0);
    }

    #[test]
    fn name_rules() {
        let s = def();
        passes(&[("name", &"가".repeat(48))], Rule::NameTooLong, &s);
        fails(&[("name", &"가".repeat(49))], Rule::NameTooLong, &s);
        passes(&[("name", "김철수 Kim_2")], Rule::NameCharacters, &s);
        passes(&[("name", "김철수 Kim_2")], Rule::NameStrictCharacters, &s);
        let m = fails(&[("name", "O'Brien")], Rule::NameCharacters, &s);
        assert!(m.contains("\"'\""), "{m}");
        let m = fails(&[("name", "Jean-Luc (JL)")], Rule::NameStrictCharacters, &s);
        assert!(m.contains("\"-()\""), "{m}");
        let lax = SiteSettings {
            strict_names: false,
            ..def()
        };
        passes(
            &[("name", "Jean-Luc (JL)")],
            Rule::NameStrictCharacters,
            &lax,
        );
        fails(&[("name", "Jean.Luc")], Rule::NameCharacters, &lax);
    }

    #[test]
    fn department_and_title_length() {
        let s = def();
        passes(
            &[("department", &"d".repeat(64))],
            Rule::DepartmentTooLong,
            &s,
        );
        fails(
            &[("department", &"d".repeat(65))],
            Rule::DepartmentTooLong,
            &s,
        );
        passes(
            &[("user_title", &"직".repeat(64))],
            Rule::UserTitleTooLong,
            &s,
        );
        fails(
            &[("user_title", &"직".repeat(65))],
            Rule::UserTitleTooLong,
            &s,
        );
    }

    #[test]
    fn email_shape() {
        let s = def();
        passes(&[("email", "a.b@mail.example.co.kr")], Rule::EmailShape, &s);
        passes(&[("email", "")], Rule::EmailShape, &s);
        fails(&[("email", "kim at example.com")], Rule::EmailShape, &s);
        fails(&[("email", "kim@example")], Rule::EmailShape, &s);
        fails(&[("email", "kim@@example.com")], Rule::EmailShape, &s);
        for ok in [" a@b.c ", "김@예제.kr", "a.b@c.d.e"] {
            assert!(email_ok(ok), "{ok}");
        }
        for bad in [
            "@b.c",
            "a@.b.c",
            "a@b.c.",
            "a@b..c",
            "a@b.c@d.e",
            "a@bc",
            "kim@ex\u{0B}ample.com",
            "김@예\u{3000}제.kr",
        ] {
            assert!(!email_ok(bad), "{bad}");
        }
        let (_, _, r) = check(&[row_with("1", &[("email", "x")])], &s);
        assert_eq!(r.status(1), RowStatus::Warnings);
    }

    #[test]
    fn date_parsing() {
        let ok = |s: &str| {
            matches!(
                parse_datetime(s),
                DateParse::Ok {
                    ambiguous: false,
                    ..
                }
            )
        };
        assert!(ok("2024-02-29 23:59"));
        assert!(ok("2024-02-29 23:59:59"));
        assert!(ok("2024-02-29 23:59:59.123"));
        assert!(ok("31/12/2024"));
        assert!(ok("31/12/2024 9:05"));
        assert!(ok("31/12/2024 09:05:07"));
        assert!(ok(" 2024-01-01 00:00 "));
        assert!(ok("05/05/2024"));
        assert_eq!(parse_datetime("2024-01-01"), DateParse::Format);
        assert_eq!(parse_datetime("2024/01/01 00:00"), DateParse::Format);
        assert_eq!(parse_datetime("2024-01-01T00:00"), DateParse::Format);
        assert_eq!(parse_datetime("2024-1-1 00:00"), DateParse::Format);
        assert_eq!(
            parse_datetime("2024-01-01 00:00:00.1234"),
            DateParse::Format
        );
        assert_eq!(parse_datetime("31.12.2024"), DateParse::Format);
        assert_eq!(parse_datetime("12/31/2024"), DateParse::MonthFirst);
        assert_eq!(parse_datetime("2023-02-29 00:00"), DateParse::Impossible);
        assert_eq!(parse_datetime("30/02/2024"), DateParse::Impossible);
        assert_eq!(parse_datetime("2024-01-01 24:00"), DateParse::Impossible);
        assert_eq!(parse_datetime("13/13/2024"), DateParse::Impossible);
        assert!(matches!(
            parse_datetime("03/04/2024"),
            DateParse::Ok {
                ambiguous: true,
                ..
            }
        ));
        let key = |s| match parse_datetime(s) {
            DateParse::Ok { key, .. } => key,
            _ => 0,
        };
        assert_eq!(key("2024-03-04 10:00"), key("04/03/2024 10:00"));
        assert!(key("2024-03-04 10:00") < key("2024-03-04 10:01"));
        assert!(key("2024-12-31 23:59:59") < key("2025-01-01 00:00"));
    }

    #[test]
    fn fixed_place_dates_read_as_the_cursor_reads_them() {
        const PIECES: &[u8] = b"0123456789-: /x";
        let mut rng = crate::bench::Rng(0x5851_F42D_4C95_7F2D);
        let mut fixed = 0;
        for case in 0..200_000 {
            // Mostly well-formed dates with one byte changed, so every check is reached.
            let base = if case % 2 == 0 {
                format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}",
                    rng.below(3000),
                    rng.below(14),
                    rng.below(33),
                    rng.below(26),
                    rng.below(62)
                )
            } else {
                format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                    rng.below(3000),
                    rng.below(14),
                    rng.below(33),
                    rng.below(26),
                    rng.below(62),
                    rng.below(62)
                )
            };
            let mut b = base.into_bytes();
            if case % 3 == 0 {
                let k = rng.below_usize(b.len());
                b[k] = PIECES[rng.below_usize(PIECES.len())];
            }
            if fixed_datetime(&b).is_some() {
                fixed += 1;
            }
            let text = String::from_utf8(b).unwrap();
            assert_eq!(
                parse_datetime(&text),
                parse_datetime_by_cursor(text.as_bytes()),
                "{text}"
            );
        }
        assert!(fixed > 100_000, "{fixed}");
    }

    #[test]
    fn data_is_anything_but_whitespace() {
        for blank in [
            "",
            " ",
            "\t\r\n",
            "\u{3000}",
            "\u{00A0} ",
            "\u{2003}\u{1680}",
            "\u{85}",
        ] {
            assert!(!has_data(blank), "{blank:?}");
        }
        for data in ["x", " x", "김", "é", "\u{00A0}x", "\u{3000}김", "\u{FEFF}"] {
            assert!(has_data(data), "{data:?}");
        }
        // The fast answer agrees with the definition for every character.
        for c in (0..0x11_0000u32).filter_map(char::from_u32) {
            let v = c.to_string();
            assert_eq!(has_data(&v), !c.is_whitespace(), "{c:?}");
        }
    }

    #[test]
    fn date_keys_order_moments() {
        let mut rng = crate::bench::Rng(0x2545_F491_4F6C_DD1D);
        let mut moment = || {
            let y = 1900 + rng.below(200) as u32;
            let mo = 1 + rng.below(12) as u32;
            let d = 1 + rng.below(u64::from(days_in_month(y, mo))) as u32;
            let (h, mi, s) = (
                rng.below(24) as u32,
                rng.below(60) as u32,
                rng.below(60) as u32,
            );
            (y, mo, d, h, mi, s)
        };
        for _ in 0..100_000 {
            let (a, b) = (moment(), moment());
            let key = |(y, mo, d, h, mi, s)| date_key(y, mo, d, h, mi, s);
            assert_eq!(key(a).cmp(&key(b)), a.cmp(&b), "{a:?} {b:?}");
        }
    }

    #[test]
    fn name_characters_read_ascii_and_other_text_alike() {
        for name in [
            "Kim Chul",
            "Kim_Chul",
            "Kim-Chul",
            "Kim.Chul",
            "O'Brien",
            "a~!@#$%^&()-_=+[]{};,",
            "a/b",
        ] {
            let mut wide = name.to_string();
            wide.push('김');
            let (any, strict) = name_characters(name);
            assert_eq!(name_characters(&wide), (any, strict), "{name}");
        }
        assert_eq!(name_characters("Kim Chul"), (false, false));
        assert_eq!(name_characters("Kim-Chul"), (false, true));
        assert_eq!(name_characters("Kim.Chul"), (true, false));
    }

    #[test]
    fn date_rules() {
        let s = def();
        passes(
            &[("start_datetime", "2024-01-01 00:00:00")],
            Rule::DateFormat,
            &s,
        );
        let m = fails(&[("start_datetime", "2024-01-05")], Rule::DateFormat, &s);
        assert!(m.contains("2024-01-05 00:00"), "{m}");
        let m = fails(&[("start_datetime", "45292")], Rule::DateFormat, &s);
        assert!(m.contains("serial"), "{m}");
        passes(
            &[("expiry_datetime", "31/12/2029")],
            Rule::DateMonthFirst,
            &s,
        );
        let m = fails(
            &[("expiry_datetime", "12/31/2029")],
            Rule::DateMonthFirst,
            &s,
        );
        assert!(
            m.contains("31/12/2029") && m.contains("2029-12-31 00:00"),
            "{m}"
        );
        passes(
            &[("expiry_datetime", "13/12/2029")],
            Rule::DateAmbiguous,
            &s,
        );
        let m = fails(
            &[("expiry_datetime", "03/04/2029")],
            Rule::DateAmbiguous,
            &s,
        );
        assert!(m.contains("3 April") && m.contains("04/03/2029"), "{m}");
        passes(
            &[("start_datetime", "2024-02-29 00:00")],
            Rule::DateImpossible,
            &s,
        );
        fails(
            &[("start_datetime", "2023-02-29 00:00")],
            Rule::DateImpossible,
            &s,
        );
        fails(
            &[("start_datetime", "30/02/2024")],
            Rule::DateImpossible,
            &s,
        );
        passes(
            &[("start_datetime", "2001-01-01 00:00")],
            Rule::DateBefore2001,
            &s,
        );
        fails(
            &[("start_datetime", "2000-12-31 23:59")],
            Rule::DateBefore2001,
            &s,
        );
        passes(
            &[("expiry_datetime", "2037-12-31 23:59:59")],
            Rule::DateAfter2037,
            &s,
        );
        fails(
            &[("expiry_datetime", "2038-01-01 00:00")],
            Rule::DateAfter2037,
            &s,
        );
        let s30 = SiteSettings {
            expiry_limit: ExpiryLimit::Y2030,
            ..def()
        };
        passes(
            &[("expiry_datetime", "2030-12-31 23:59")],
            Rule::DateAfter2030,
            &s30,
        );
        fails(
            &[("expiry_datetime", "2031-01-01 00:00")],
            Rule::DateAfter2030,
            &s30,
        );
        passes(
            &[("start_datetime", "2030-12-31 23:59")],
            Rule::StartAfterExpiry,
            &s,
        );
        let m = fails(
            &[("start_datetime", "2031-01-01 00:00")],
            Rule::StartAfterExpiry,
            &s,
        );
        assert!(m.contains("\"start_datetime\" (F)"), "{m}");
        // the same rules on the mobile dates
        fails(
            &[("mobile_expiry_datetime", "12/31/2029")],
            Rule::DateMonthFirst,
            &s,
        );
        passes(
            &[
                ("mobile_start_datetime", "2024-01-01 00:00"),
                ("mobile_expiry_datetime", "2025-01-01 00:00"),
            ],
            Rule::StartAfterExpiry,
            &s,
        );
        fails(
            &[
                ("mobile_start_datetime", "2026-01-01 00:00"),
                ("mobile_expiry_datetime", "2025-01-01 00:00"),
            ],
            Rule::StartAfterExpiry,
            &s,
        );
    }

    #[test]
    fn pin_rule() {
        let s = def();
        passes(&[("pin", "1234")], Rule::PinFormat, &s);
        passes(&[("pin", "1234567890123456")], Rule::PinFormat, &s);
        fails(&[("pin", "123")], Rule::PinFormat, &s);
        fails(&[("pin", "12345678901234567")], Rule::PinFormat, &s);
        let m = fails(&[("pin", "12a4")], Rule::PinFormat, &s);
        assert!(!m.contains("12a4"), "a PIN is a secret: {m}");
    }

    #[test]
    fn card_rules() {
        let s = def();
        passes(&[("csn", "3456789012")], Rule::CardNotNumber, &s);
        let m = fails(&[("csn", "04A2B3C4")], Rule::CardNotNumber, &s);
        assert!(m.contains("77771716"), "{m}");
        let m = fails(&[("csn", "3.45679E+09")], Rule::CardNotNumber, &s);
        assert!(m.contains("scientific"), "{m}");
        let m = fails(
            &[("26 bit SIA Standard-H10301", "252-15298")],
            Rule::CardNotNumber,
            &s,
        );
        assert!(m.contains("16530370"), "{m}");
        passes(
            &[("26 bit SIA Standard-H10301", "16530370")],
            Rule::CardNotNumber,
            &s,
        );

        let rows = vec![
            row_with("1", &[("csn", "123")]),
            row_with("2", &[("csn", "0123")]),
            row_with(
                "3",
                &[("csn", "124"), ("26 bit SIA Standard-H10301", "123")],
            ),
        ];
        let (_, _, r) = check(&rows, &s);
        let dup: Vec<Option<u32>> = (1..=3)
            .map(|row| {
                r.findings_of(row)
                    .iter()
                    .find(|f| f.rule == Rule::CardDuplicate)
                    .map(|f| f.other.unwrap())
            })
            .collect();
        // the same number in another card column is another card
        assert_eq!(dup, vec![Some(2), Some(1), None]);
    }

    #[test]
    fn blank_csn_with_overwrite() {
        let over = SiteSettings {
            overwrite: true,
            ..def()
        };
        passes(&[("csn", "")], Rule::CsnBlankOverwrite, &def());
        passes(&[("csn", "123")], Rule::CsnBlankOverwrite, &over);
        let (sheet, mapping, r) = check(&[row_with("1", &[("csn", " ")])], &over);
        assert_eq!(rules(&r, 1), vec![Rule::CsnBlankOverwrite]);
        assert_eq!(r.status(1), RowStatus::Warnings);
        let m = r.findings_of(1)[0].message(&sheet, 0, &mapping);
        assert!(m.starts_with("Line 2, column \"csn\" (H) is blank"), "{m}");
    }

    #[test]
    fn mobile_card_rules() {
        let s = def();
        passes(&[], Rule::MobileCardIssued, &s);
        fails(&[("csn_mobile", "1")], Rule::MobileCardIssued, &s);
        let rows = vec![
            row_with("1", &[("csn_mobile", "1")]),
            row_with("2", &[("csn_mobile", "2")]),
            row_with("3", &[]),
        ];
        let (_, _, r) = check(&rows, &s);
        assert_eq!(r.totals().mobile_cards, 2);
        assert_eq!(r.status(1), RowStatus::Warnings);

        let dynamic = SiteSettings {
            dynamic_site: true,
            ..def()
        };
        passes(&[("csn_mobile", "1")], Rule::MobileDatesMissing, &s);
        passes(
            &[
                ("csn_mobile", "1"),
                ("mobile_start_datetime", "2024-01-01 00:00"),
                ("mobile_expiry_datetime", "2025-01-01 00:00"),
            ],
            Rule::MobileDatesMissing,
            &dynamic,
        );
        let m = fails(
            &[
                ("csn_mobile", "1"),
                ("mobile_start_datetime", "2024-01-01 00:00"),
            ],
            Rule::MobileDatesMissing,
            &dynamic,
        );
        assert!(m.contains("mobile_expiry_datetime\" (J)"), "{m}");
    }

    #[test]
    fn qr_and_face_rules() {
        let s = def();
        passes(&[("qr", "")], Rule::QrNotImportable, &s);
        fails(&[("qr", "QR-123")], Rule::QrNotImportable, &s);
        passes(&[("face_image_file1", "kim.JPG")], Rule::FaceImageFile, &s);
        passes(
            &[("face_image_file1", "김철수.jpeg")],
            Rule::FaceImageFile,
            &s,
        );
        passes(&[("face_image_file1", "a.png")], Rule::FaceImageFile, &s);
        fails(&[("face_image_file1", "kim.bmp")], Rule::FaceImageFile, &s);
        fails(&[("face_image_file1", "kim")], Rule::FaceImageFile, &s);
        fails(
            &[("face_image_file1", "C:\\faces\\kim.jpg")],
            Rule::FaceImageFile,
            &s,
        );
    }

    #[test]
    fn formula_cells() {
        let s = def();
        passes(&[("department", "+82 10-1234-5678")], Rule::FormulaCell, &s);
        passes(&[("department", "-5")], Rule::FormulaCell, &s);
        passes(&[("department", "-")], Rule::FormulaCell, &s);
        passes(&[("department", "R&D=x")], Rule::FormulaCell, &s);
        fails(
            &[("department", "=HYPERLINK(\"x\")")],
            Rule::FormulaCell,
            &s,
        );
        fails(&[("department", "@SUM(A1)")], Rule::FormulaCell, &s);
        fails(
            &[("department", "+cmd|' /C calc'!A0")],
            Rule::FormulaCell,
            &s,
        );
        fails(&[("department", "-2+3+cmd")], Rule::FormulaCell, &s);
        let off = SiteSettings {
            spreadsheet_safe: false,
            ..def()
        };
        passes(&[("department", "=1+1")], Rule::FormulaCell, &off);
    }

    #[test]
    fn newline_in_a_cell() {
        let s = def();
        passes(&[("department", "R&D")], Rule::CellHasNewline, &s);
        let m = fails(&[("department", "R&D\nLab")], Rule::CellHasNewline, &s);
        assert!(m.contains("R&D\\nLab"), "{m}");
    }

    #[test]
    fn line_breaks_found_anywhere() {
        assert!(!has_line_break(b""));
        assert!(!has_line_break("김철수 Kim\t0123456789abcdef".as_bytes()));
        for n in 0..20 {
            for brk in [b'\n', b'\r'] {
                let mut v = vec![b'a'; 20];
                v[n] = brk;
                assert!(has_line_break(&v), "at {n}");
            }
        }
        // bytes just below 0x0E that are not line breaks
        assert!(!has_line_break(&[0x0B, 0x0C, 0x09, 0, 1, 2, 3, 4, 5]));
    }

    #[test]
    fn row_width_rules() {
        let mut sheet = Sheet::new();
        sheet.push_row(1, ["user_id", "name"]).unwrap();
        sheet.push_row(2, ["1", "Kim"]).unwrap();
        sheet.push_row(3, ["2"]).unwrap();
        sheet.push_row(4, ["3", "Lee", "extra"]).unwrap();
        sheet.push_row(5, ["4", "Park", "", ""]).unwrap();
        sheet.push_row(6, ["", ""]).unwrap();
        sheet.push_row(7, std::iter::empty()).unwrap();
        let mapping = auto_map(&["user_id", "name"], &[]);
        let r = validate(&sheet, 0, &mapping, &def());
        assert_eq!(rules(&r, 1), vec![]);
        assert_eq!(rules(&r, 2), vec![Rule::RowTooShort]);
        assert_eq!(rules(&r, 3), vec![Rule::RowTooLong]);
        assert_eq!(r.findings_of(3)[0].col, Some(2));
        assert_eq!(rules(&r, 4), vec![Rule::RowExtraEmptyCells]);
        assert_eq!(rules(&r, 5), vec![Rule::BlankRow]);
        assert_eq!(rules(&r, 6), vec![Rule::BlankRow]);
        let m = r.findings_of(2)[0].message(&sheet, 0, &mapping);
        assert!(
            m.starts_with("Line 3 has 1 cells but the header has 2"),
            "{m}"
        );
        let t = r.totals();
        assert_eq!(
            (t.rows, t.valid, t.with_warnings, t.with_errors),
            (6, 1, 2, 3)
        );
    }

    #[test]
    fn unmapped_columns_must_be_decided() {
        let mut sheet = Sheet::new();
        sheet.push_row(1, ["user_id", "Vehicle", "Memo"]).unwrap();
        sheet.push_row(2, ["1", "12가3456", "hi"]).unwrap();
        sheet.push_row(3, ["2", "", ""]).unwrap();
        let mut mapping = auto_map(&["user_id", "Vehicle", "Memo"], &[]);
        let r = validate(&sheet, 0, &mapping, &def());
        assert_eq!(rules(&r, 1), vec![Rule::UnmappedColumn]);
        assert_eq!(r.findings_of(1)[0].other, Some(2));
        assert_eq!(rules(&r, 2), vec![]);
        assert_eq!(r.file_findings().len(), 2);
        let m = r.file_findings()[0].message(&sheet, 0, &mapping);
        assert!(
            m.starts_with("Column \"Vehicle\" (B)") && m.contains("line 2"),
            "{m}"
        );
        assert!(
            m.contains("custom user field") && m.contains("ignore"),
            "{m}"
        );
        let m = r.findings_of(1)[0].message(&sheet, 0, &mapping);
        assert!(m.contains("and 1 more"), "{m}");
        assert_eq!(r.totals().file_errors, 2);

        mapping.remap(1, Some(Field::Custom("Vehicle".into())));
        mapping.remap(2, None);
        let r = validate(&sheet, 0, &mapping, &def());
        assert_eq!(rules(&r, 1), vec![]);
        assert!(r.file_findings().is_empty());
    }

    #[test]
    fn file_level_findings() {
        let mut sheet = Sheet::new();
        sheet.push_row(1, ["name", "이름"]).unwrap();
        sheet.push_row(2, ["Kim", "김"]).unwrap();
        let mut mapping = auto_map(&["name", "이름"], &[]);
        mapping.remap(1, Some(Field::Name));
        let r = validate(&sheet, 0, &mapping, &def());
        let file: Vec<Rule> = r.file_findings().iter().map(|f| f.rule).collect();
        assert_eq!(file, vec![Rule::MappingConflict, Rule::UserIdColumnMissing]);
        let m = r.file_findings()[0].message(&sheet, 0, &mapping);
        assert!(
            m.starts_with("Column \"name\" (A) and column \"이름\" (B)"),
            "{m}"
        );
        assert_eq!(rules(&r, 1), vec![Rule::UserIdMissing]);
        let m = r.findings_of(1)[0].message(&sheet, 0, &mapping);
        assert!(m.contains("no column is mapped"), "{m}");
    }

    #[test]
    fn header_row_not_first_and_out_of_range() {
        let mut sheet = Sheet::new();
        sheet.push_row(1, ["Exported 2024-05-01"]).unwrap();
        sheet.push_row(2, ["user_id", "name"]).unwrap();
        sheet.push_row(3, ["5", "Kim"]).unwrap();
        let mapping = auto_map(&["user_id", "name"], &[]);
        let r = validate(&sheet, 1, &mapping, &def());
        assert_eq!(r.data_rows(), 2..3);
        assert_eq!(r.totals().valid, 1);
        let r = validate(&sheet, 7, &mapping, &def());
        assert_eq!(r.totals().rows, 0);
        assert!(r.findings_of(7).is_empty());
        let empty = validate(&Sheet::new(), 0, &mapping, &def());
        assert_eq!(empty.totals().rows, 0);
    }

    #[test]
    fn revalidate_clears_and_creates_duplicates() {
        let rows = vec![
            row_with("1", &[("csn", "100")]),
            row_with("2", &[("csn", "200")]),
            row_with("1", &[("csn", "300")]),
        ];
        let (mut sheet, mapping, mut r) = check(&rows, &def());
        let s = def();
        assert_eq!(r.totals().with_errors, 2);
        assert_eq!(r.count(Rule::UserIdDuplicate), 2);

        // Clearing: row 3 gets its own ID; row 1 is clean again.
        sheet.set_cell(3, 0, "3");
        r.revalidate_row(&sheet, 0, &mapping, &s, 3);
        assert_eq!(r.count(Rule::UserIdDuplicate), 0);
        assert_eq!(r.status(1), RowStatus::Valid);
        assert_eq!(r.status(3), RowStatus::Valid);
        assert_eq!(r.totals().valid, 3);

        // Creating: row 2's card becomes row 1's.
        sheet.set_cell(2, 7, "0100");
        r.revalidate_row(&sheet, 0, &mapping, &s, 2);
        assert_eq!(r.count(Rule::CardDuplicate), 2);
        assert_eq!(r.findings_of(1)[0].other, Some(2));
        assert_eq!(r.findings_of(2)[0].other, Some(1));
        assert_eq!(r.totals().with_errors, 2);

        // Three-way, then removing the first: the others now point at each other.
        sheet.set_cell(3, 7, "100");
        r.revalidate_row(&sheet, 0, &mapping, &s, 3);
        assert_eq!(r.count(Rule::CardDuplicate), 3);
        sheet.set_cell(1, 7, "");
        r.revalidate_row(&sheet, 0, &mapping, &s, 1);
        assert_eq!(r.count(Rule::CardDuplicate), 2);
        assert_eq!(r.findings_of(2)[0].other, Some(3));
        assert_eq!(r.findings_of(3)[0].other, Some(2));
        assert_eq!(r.status(1), RowStatus::Valid);

        // The counts agree with a full run.
        let full = validate(&sheet, 0, &mapping, &s);
        assert_eq!(full.summary(), r.summary());
        for row in 1..=3 {
            assert_eq!(full.findings_of(row), r.findings_of(row));
        }
    }

    #[test]
    fn revalidate_after_many_edits_matches_a_full_run() {
        // IDs and cards from small ranges, so edits keep making and breaking duplicates.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let rows: Vec<Vec<String>> = (0..60)
            .map(|_| {
                let id = next(40).to_string();
                let csn = next(30).to_string();
                row_with(&id, &[("csn", &csn)])
            })
            .collect();
        let (mut sheet, mapping, mut r) = check(&rows, &def());
        let s = def();
        for step in 0..400 {
            let row = 1 + next(60) as usize;
            let (col, value) = match next(4) {
                0 => (0, format!("{:0w$}", next(40), w = next(3) as usize)),
                1 => (7, next(30).to_string()),
                2 => (7, String::new()),
                _ => (0, String::new()),
            };
            sheet.set_cell(row, col, &value);
            r.revalidate_row(&sheet, 0, &mapping, &s, row);
            if step % 50 == 49 {
                let full = validate(&sheet, 0, &mapping, &s);
                for row in 1..=60 {
                    assert_eq!(full.findings_of(row), r.findings_of(row), "row {row}");
                }
                assert_eq!(full.summary(), r.summary());
            }
        }
    }

    #[test]
    fn revalidate_keeps_unmapped_column_findings_current() {
        let mut sheet = Sheet::new();
        sheet.push_row(1, ["user_id", "Vehicle", "Memo"]).unwrap();
        for (i, v) in ["", "", "x", "", "y"].iter().enumerate() {
            let id = (i + 1).to_string();
            sheet.push_row(i as u64 + 2, [id.as_str(), v, ""]).unwrap();
        }
        let mapping = auto_map(&["user_id", "Vehicle", "Memo"], &[]);
        let s = def();
        let mut r = validate(&sheet, 0, &mapping, &s);
        let edits: [(usize, usize, &str); 8] = [
            (1, 1, "a"), // earlier data: the first row moves up
            (1, 1, ""),  // and back
            (3, 1, ""),  // the first row loses its data: the next one is found
            (5, 1, ""),  // no data left: the finding goes
            (2, 2, "m"), // data in another unmapped column
            (4, 1, "z"),
            (2, 2, ""),
            (4, 1, ""),
        ];
        for (row, col, v) in edits {
            sheet.set_cell(row, col, v);
            r.revalidate_row(&sheet, 0, &mapping, &s, row);
            let full = validate(&sheet, 0, &mapping, &s);
            assert_eq!(
                r.file_findings(),
                full.file_findings(),
                "after {row},{col}={v:?}"
            );
            assert_eq!(r.summary(), full.summary());
        }
        assert!(r.file_findings().is_empty());
    }

    #[test]
    fn revalidate_ignores_rows_outside_the_data() {
        let (sheet, mapping, mut r) = check(&[row_with("1", &[])], &def());
        let before = r.summary();
        r.revalidate_row(&sheet, 0, &mapping, &def(), 0);
        r.revalidate_row(&sheet, 0, &mapping, &def(), 99);
        r.revalidate_row(&sheet, 5, &mapping, &def(), 1);
        assert_eq!(r.summary(), before);
    }

    #[test]
    fn shared_keys_finds_every_group_even_when_table_slots_collide() {
        // Keys from a handful of values, many equal in their low bits (the table's slot).
        let mut rng = crate::bench::Rng(0x9E37_79B9_7F4A_7C15);
        for n in [0usize, 1, 2, 17, 1000, 5000] {
            let keys: Vec<u64> = (0..n)
                .map(|_| match rng.below(4) {
                    0 => 0,
                    _ => (rng.below(n as u64 / 3 + 2) << 40) | 0x55,
                })
                .collect();
            let mut naive: HashMap<u64, Vec<u32>> = HashMap::new();
            for (i, &k) in keys.iter().enumerate().filter(|(_, k)| **k != 0) {
                naive.entry(k).or_default().push(3 + i as u32);
            }
            naive.retain(|_, rows| rows.len() > 1);
            let found: HashMap<u64, Vec<u32>> = shared_keys(3, &keys).into_iter().collect();
            assert_eq!(found, naive, "n = {n}");
        }
    }

    #[test]
    fn row_index_tracks_groups_through_edits() {
        // data rows 1..=5 with keys 7, 3, 7, 0, 9
        let mut ix = RowIndex::build(1, vec![7, 3, 7, 0, 9]);
        assert_eq!(ix.shared(7), &[1, 3]);
        assert!(ix.shared(3).is_empty());
        assert_eq!(ix.key_of(4), 0);
        assert_eq!(ix.key_of(0), 0);
        assert_eq!(ix.key_of(99), 0);
        // row 5 joins key 7
        assert_eq!(ix.set(5, 7), Some(9));
        assert_eq!(ix.shared(7), &[1, 3, 5]);
        assert_eq!(ix.live_rows(9), Vec::<u32>::new());
        // row 1 leaves, row 4 joins
        assert_eq!(ix.set(1, 3), Some(7));
        assert_eq!(ix.set(4, 7), Some(0));
        assert_eq!(ix.shared(7), &[3, 4, 5]);
        assert_eq!(ix.shared(3), &[1, 2]);
        // row 1 comes back to its first key: still one entry
        assert_eq!(ix.set(1, 7), Some(3));
        assert_eq!(ix.shared(7), &[1, 3, 4, 5]);
        assert!(ix.shared(3).is_empty());
        assert_eq!(ix.set(1, 7), None);
        assert_eq!(ix.set(0, 7), None);
        assert_eq!(ix.set(6, 7), None);
        for r in [3, 4, 5] {
            ix.set(r, 0);
        }
        assert!(ix.shared(7).is_empty());
        assert_eq!(ix.live_rows(7), vec![1]);
    }

    #[test]
    fn summary_serialises() {
        let (_, _, r) = check(&[row_with("", &[])], &def());
        let json = serde_json::to_string(&r.summary()).unwrap();
        assert!(json.contains("\"user_id.missing\""), "{json}");
        let back: Summary = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r.summary());
    }

    #[test]
    fn every_rule_has_a_message() {
        let (sheet, mapping) = build(&[row_with("1", &[])]);
        for &rule in Rule::ALL {
            for col in [None, Some(0), Some(99)] {
                let f = Finding {
                    row: 1,
                    col,
                    rule,
                    other: Some(1),
                };
                assert!(!f.message(&sheet, 0, &mapping).is_empty());
                let far = Finding { row: 1000, ..f };
                assert!(!far.message(&sheet, 0, &mapping).is_empty());
            }
        }
    }
}
