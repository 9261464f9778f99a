//! BioStar import rules applied to every row before upload: findings with row, column and severity.
//!
//! [`validate`] checks every data row of a [`Sheet`] against the rules the BioStar server
//! enforces on "Import CSV" (`../shared/docs/formats.md` section 1), so a file can be fixed before it is
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
//!
//! This file holds the entry point and the report; the rest is split by concern: `settings`
//! (site settings and the rule catalogue), `plan` (which column holds which field), `dates`,
//! `keys` (duplicate detection), `row` (the per-row checks) and `messages`.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::Sheet;
use crate::workbench::faces::FaceFolder;
use crate::workbench::mapping::Mapping;

mod dates;
mod faces;
mod keys;
mod messages;
mod plan;
mod row;
mod settings;

// Everything public stays reachable at `crate::workbench::validate::*`.
pub(crate) use dates::{parse_datetime, DateParse};
pub(crate) use keys::{card_key, user_id_key};
pub use settings::{ExpiryLimit, Rule, Severity, SiteSettings, UserIdType};

use faces::FaceLayer;
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

/// How a row with these findings fares.
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
    /// The face folder and the rows naming its images, once a folder is added.
    faces: Option<FaceLayer>,
}

/// Checks every data row (the rows after `header_row`) against the BioStar import rules.
pub fn validate(
    sheet: &Sheet,
    header_row: usize,
    mapping: &Mapping,
    settings: &SiteSettings,
) -> Report {
    validate_with_faces(sheet, header_row, mapping, settings, None)
}

/// [`validate`], and with a face folder the face image cells against its files too.
pub fn validate_with_faces(
    sheet: &Sheet,
    header_row: usize,
    mapping: &Mapping,
    settings: &SiteSettings,
    folder: Option<Arc<FaceFolder>>,
) -> Report {
    let plan = Plan::new(sheet, header_row, mapping);
    let first_data = header_row.saturating_add(1).min(sheet.len());
    let rows = sheet.len() - first_data;
    let faces = folder.map(|f| FaceLayer::build(f, sheet, &plan, first_data));

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
            faces: faces.as_ref(),
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
        faces,
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
    let blank = |r: usize| sheet.row(r).all(|c| c.trim().is_empty());
    if (first_data..sheet.len()).all(blank) {
        out.push(Finding {
            row: h,
            col: None,
            rule: Rule::NoDataRows,
            other: None,
        });
        if (0..sheet.len()).all(blank) {
            return out; // blank lines only: no mapping to speak of
        }
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
        let face_rows = self
            .faces
            .as_mut()
            .map_or_else(Vec::new, |f| f.move_row(sheet, &plan, row));
        let ctx = Ctx {
            sheet,
            plan: &plan,
            settings,
            ids: &self.ids,
            cards: &self.cards,
            faces: self.faces.as_ref(),
        };
        let mut affected = self.affected_rows(&ctx, &touched, row);
        affected.extend(face_rows.into_iter().filter(|&r| self.store.contains(r)));
        affected.sort_unstable();
        affected.dedup();
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

#[cfg(test)]
mod tests;
