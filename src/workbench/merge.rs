//! Merging a user CSV with an existing export: keep or overwrite per user ID, with a diff.
//!
//! The server's import asks one question for user IDs it already holds: keep the stored
//! user, or overwrite it with the file's row. [`merge`] answers it per user before upload,
//! against an export of what the server holds now: which users are new, which change and
//! how (field by field), which stay as they are, and which rows to write.
//!
//! - User IDs compare as the site reads them ([`UserIdType`]): on a numeric site `007` and
//!   `7` are one user; on an alphanumeric site IDs compare as exact text.
//! - Dates compare by the moment they name (`2024-01-01 00:00` equals `01/01/2024`), card
//!   numbers by their number (`0123` equals `123`), everything else as exact text.
//! - A field the incoming file does not have is not compared: the import leaves it alone.
//! - Under overwrite, a blank card (csn or Wiegand) where the server has one removes the
//!   stored card (observed for csn; assumed for Wiegand columns): it is flagged.
//! - A row without a user ID, or repeating an ID already seen on its side, is left out of
//!   the result and listed in [`MergeResult::skipped`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::model::Sheet;
use crate::workbench::mapping::{Field, Mapping};
use crate::workbench::validate::{card_key, parse_datetime, user_id_key, DateParse, UserIdType};

mod cards;

pub use cards::CardClash;

/// What to do with a user the server already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeChoice {
    /// Keep the stored user; the file's row is not applied.
    #[default]
    Keep,
    /// Replace the stored user's fields with the file's row.
    Overwrite,
}

/// The merge's settings: a default choice, per-user exceptions, how IDs compare.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MergeOptions {
    /// The choice for users in both files without an override.
    pub default: MergeChoice,
    /// Per-user choices, keyed by user ID (compared as the site compares IDs).
    pub overrides: HashMap<String, MergeChoice>,
    /// Numeric or alphanumeric user IDs.
    pub user_id_type: UserIdType,
}

/// One file taking part in a merge: its table, header row and mapping.
#[derive(Debug, Clone, Copy)]
pub struct MergeSide<'a> {
    /// All records of the file.
    pub sheet: &'a Sheet,
    /// The index of the header row; data rows follow it.
    pub header_row: usize,
    /// Which column holds which field.
    pub mapping: &'a Mapping,
}

/// Which file of the merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The file to import.
    Incoming,
    /// The export of what the server holds now.
    Existing,
}

/// What happens to one user in the merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// Only in the incoming file: the import creates the user.
    New,
    /// In both, values differ, overwrite chosen: the incoming row replaces the stored user.
    Overwritten,
    /// In both, values differ, keep chosen: the stored user stays.
    Kept,
    /// In both with the same values in every incoming field: nothing changes.
    Same,
    /// Only in the existing export: the import does not touch the user.
    Untouched,
}

/// One user of the merged result and the rows its values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputRow {
    /// What happens to the user.
    pub kind: RowKind,
    /// The user's row in the incoming sheet, if there.
    pub incoming: Option<u32>,
    /// The user's row in the existing sheet, if there.
    pub existing: Option<u32>,
}

impl OutputRow {
    /// The side and sheet row whose values the user ends up with.
    pub fn source(&self) -> Option<(Side, usize)> {
        match self.kind {
            RowKind::New | RowKind::Overwritten => {
                self.incoming.map(|r| (Side::Incoming, r as usize))
            }
            RowKind::Kept | RowKind::Same | RowKind::Untouched => {
                self.existing.map(|r| (Side::Existing, r as usize))
            }
        }
    }
}

/// One field whose value differs between the stored user and the incoming row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Index into [`MergeResult::fields`].
    pub field: usize,
    /// The stored value; None when the existing export lacks the column.
    pub before: Option<String>,
    /// The incoming value.
    pub after: String,
    /// Overwrite would remove a card the user has (or may have) on the server.
    pub removes_card: bool,
}

/// How one user in both files differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDiff {
    /// The user ID as written in the incoming file.
    pub user_id: String,
    /// The user's row in the incoming sheet.
    pub incoming_row: u32,
    /// The user's row in the existing sheet.
    pub existing_row: u32,
    /// The choice applied to this user.
    pub choice: MergeChoice,
    /// Every differing field, in output column order.
    pub changes: Vec<FieldChange>,
}

/// Why a row was left out of the merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The row has no user ID.
    NoUserId,
    /// The row repeats the user ID of an earlier row (given) on the same side.
    DuplicateOf(u32),
}

/// A row the merge left out, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedRow {
    /// Which file.
    pub side: Side,
    /// The sheet row.
    pub row: u32,
    /// Why.
    pub reason: SkipReason,
}

/// How many users fell in each group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MergeCounts {
    /// Users only in the incoming file.
    pub new: u32,
    /// Users in both files.
    pub in_both: u32,
    /// Users in both whose incoming values differ from the stored ones.
    pub changed: u32,
    /// Users in both with the same values.
    pub identical: u32,
    /// Users in both whose values differ, with the choice keep (`kept + overwritten` is
    /// `changed`, and `changed + identical` is `in_both`).
    pub kept: u32,
    /// Users in both whose values differ, with the choice overwrite.
    pub overwritten: u32,
    /// Users only in the existing export.
    pub untouched: u32,
    /// Users whose stored card an overwrite would remove.
    pub cards_removed: u32,
    /// Rows left out (no ID, or an ID repeated on the same side).
    pub skipped: u32,
    /// Card cells of written rows that a user the server keeps holds.
    #[serde(default)]
    pub card_clashes: u32,
}

/// The merged user list, the diff of users in both files, and counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeResult {
    /// The output columns: the incoming file's fields in its column order, then fields
    /// only the existing export has.
    pub fields: Vec<Field>,
    /// Every user once: incoming users in incoming order, then untouched existing users.
    pub rows: Vec<OutputRow>,
    /// Users in both files whose values differ, in incoming order.
    pub diffs: Vec<UserDiff>,
    /// Rows left out, with the reason.
    pub skipped: Vec<SkippedRow>,
    /// Override IDs that matched no user in both files.
    pub unused_overrides: Vec<String>,
    /// How many users fell in each group.
    pub counts: MergeCounts,
    /// Cards written rows give that a user the server keeps holds, in incoming order.
    pub card_clashes: Vec<CardClash>,
    /// The incoming column of each output field.
    incoming_cols: Vec<Option<usize>>,
    /// The existing column of each output field.
    existing_cols: Vec<Option<usize>>,
}

impl MergeResult {
    /// The BioStar header names of the output columns.
    pub fn output_header(&self) -> Vec<String> {
        self.fields
            .iter()
            .map(|f| f.header_name().to_string())
            .collect()
    }

    /// The rows to write into the import file (new users and overwritten ones); import it
    /// with "overwrite". Kept, unchanged and untouched users are left out, so the server
    /// keeps them as they are.
    pub fn import_rows(&self) -> impl Iterator<Item = &OutputRow> + '_ {
        self.rows
            .iter()
            .filter(|r| matches!(r.kind, RowKind::New | RowKind::Overwritten))
    }

    /// The value of output field `field` (an index into `fields`) for `row`: from the side
    /// the user's values come from, else from the other side, else "".
    pub fn value<'a>(
        &self,
        row: &OutputRow,
        field: usize,
        incoming: &'a Sheet,
        existing: &'a Sheet,
    ) -> &'a str {
        let from_in = || {
            let r = row.incoming? as usize;
            let c = (*self.incoming_cols.get(field)?)?;
            (r < incoming.len()).then(|| incoming.cell_or_empty(r, c))
        };
        let from_ex = || {
            let r = row.existing? as usize;
            let c = (*self.existing_cols.get(field)?)?;
            (r < existing.len()).then(|| existing.cell_or_empty(r, c))
        };
        match row.kind {
            RowKind::New | RowKind::Overwritten => from_in().or_else(from_ex),
            RowKind::Kept | RowKind::Same | RowKind::Untouched => from_ex(),
        }
        .unwrap_or("")
    }
}

/// The data rows of a side, with their normalized user IDs; skipped rows listed.
fn index_side<'a>(
    side: &MergeSide<'a>,
    which: Side,
    t: UserIdType,
    skipped: &mut Vec<SkippedRow>,
) -> (Vec<(usize, &'a str)>, HashMap<&'a str, usize>) {
    let sheet = side.sheet;
    let col = side.mapping.column_of(&Field::UserId);
    let first = side.header_row.saturating_add(1);
    let mut order = Vec::new();
    let mut seen: HashMap<&'a str, usize> = HashMap::new();
    for row in first..sheet.len() {
        let id = col.map_or("", |c| user_id_key(sheet.cell_or_empty(row, c), t));
        if id.is_empty() {
            skipped.push(SkippedRow {
                side: which,
                row: row as u32,
                reason: SkipReason::NoUserId,
            });
            continue;
        }
        match seen.get(id) {
            Some(&earlier) => skipped.push(SkippedRow {
                side: which,
                row: row as u32,
                reason: SkipReason::DuplicateOf(earlier as u32),
            }),
            None => {
                seen.insert(id, row);
                order.push((row, id));
            }
        }
    }
    (order, seen)
}

/// True when two values of `field` mean the same.
fn same_value(field: &Field, a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if field.is_datetime() {
        if let (DateParse::Ok { key: x, .. }, DateParse::Ok { key: y, .. }) =
            (parse_datetime(a), parse_datetime(b))
        {
            return x == y;
        }
        return a.trim() == b.trim();
    }
    if field.is_card() {
        return card_key(a) == card_key(b);
    }
    false
}

/// Merges `incoming` into `existing` (what the server holds), per user ID.
pub fn merge(incoming: &MergeSide, existing: &MergeSide, options: &MergeOptions) -> MergeResult {
    let t = options.user_id_type;
    let fields = output_fields(incoming, existing);
    let cols = |side: &MergeSide| -> Vec<Option<usize>> {
        fields.iter().map(|f| side.mapping.column_of(f)).collect()
    };
    let (incoming_cols, existing_cols) = (cols(incoming), cols(existing));

    let mut skipped = Vec::new();
    let (in_order, _) = index_side(incoming, Side::Incoming, t, &mut skipped);
    let (ex_order, ex_ids) = index_side(existing, Side::Existing, t, &mut skipped);
    let overrides: HashMap<String, MergeChoice> = options
        .overrides
        .iter()
        .map(|(k, v)| (user_id_key(k, t).to_string(), *v))
        .collect();
    let mut pass = Pass {
        incoming,
        existing,
        fields: &fields,
        incoming_cols: &incoming_cols,
        existing_cols: &existing_cols,
        counts: MergeCounts {
            skipped: skipped.len() as u32,
            ..MergeCounts::default()
        },
        rows: Vec::with_capacity(in_order.len() + ex_order.len()),
        diffs: Vec::new(),
        matched: vec![false; existing.sheet.len()],
        used_overrides: Vec::new(),
    };
    for &(in_row, id) in &in_order {
        match ex_ids.get(id) {
            None => pass.add_new(in_row),
            Some(&ex_row) => {
                let choice = match overrides.get_key_value(id) {
                    Some((k, c)) => {
                        pass.used_overrides.push(k.as_str());
                        *c
                    }
                    None => options.default,
                };
                pass.add_pair(in_row, ex_row, choice);
            }
        }
    }
    pass.add_untouched(&ex_order);

    let mut unused_overrides: Vec<String> = options
        .overrides
        .keys()
        .filter(|k| !pass.used_overrides.contains(&user_id_key(k, t)))
        .cloned()
        .collect();
    unused_overrides.sort();
    let Pass {
        counts,
        rows,
        diffs,
        ..
    } = pass;
    let mut result = MergeResult {
        fields,
        rows,
        diffs,
        skipped,
        unused_overrides,
        counts,
        card_clashes: Vec::new(),
        incoming_cols,
        existing_cols,
    };
    result.card_clashes = cards::card_clashes(&result, incoming, existing);
    result.counts.card_clashes = result.card_clashes.len() as u32;
    result
}

/// The output's fields: incoming's mapped fields in column order, then existing-only ones.
fn output_fields(incoming: &MergeSide, existing: &MergeSide) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::new();
    for m in [incoming.mapping, existing.mapping] {
        for f in m.columns.iter().filter_map(|cm| cm.target.as_ref()) {
            if !fields.contains(f) {
                fields.push(f.clone());
            }
        }
    }
    fields
}

/// One merge pass: the sides, where each output field lies in them, and what is built.
struct Pass<'a> {
    incoming: &'a MergeSide<'a>,
    existing: &'a MergeSide<'a>,
    fields: &'a [Field],
    incoming_cols: &'a [Option<usize>],
    existing_cols: &'a [Option<usize>],
    counts: MergeCounts,
    rows: Vec<OutputRow>,
    diffs: Vec<UserDiff>,
    /// Existing rows some incoming row matched.
    matched: Vec<bool>,
    used_overrides: Vec<&'a str>,
}

impl<'a> Pass<'a> {
    /// An incoming user the export does not have.
    fn add_new(&mut self, in_row: usize) {
        self.counts.new += 1;
        self.rows.push(OutputRow {
            kind: RowKind::New,
            incoming: Some(in_row as u32),
            existing: None,
        });
    }

    /// A user on both sides, kept or overwritten as `choice` says, with its changes.
    fn add_pair(&mut self, in_row: usize, ex_row: usize, choice: MergeChoice) {
        if let Some(m) = self.matched.get_mut(ex_row) {
            *m = true;
        }
        self.counts.in_both += 1;
        let changes = self.changes(in_row, ex_row, choice);
        let kind = if changes.is_empty() {
            self.counts.identical += 1;
            RowKind::Same
        } else {
            self.counts.changed += 1;
            match choice {
                MergeChoice::Keep => self.counts.kept += 1,
                MergeChoice::Overwrite => self.counts.overwritten += 1,
            }
            if changes.iter().any(|c| c.removes_card) {
                self.counts.cards_removed += 1;
            }
            let user_id = self
                .incoming
                .mapping
                .column_of(&Field::UserId)
                .map_or("", |c| self.incoming.sheet.cell_or_empty(in_row, c))
                .to_string();
            self.diffs.push(UserDiff {
                user_id,
                incoming_row: in_row as u32,
                existing_row: ex_row as u32,
                choice,
                changes,
            });
            match choice {
                MergeChoice::Keep => RowKind::Kept,
                MergeChoice::Overwrite => RowKind::Overwritten,
            }
        };
        self.rows.push(OutputRow {
            kind,
            incoming: Some(in_row as u32),
            existing: Some(ex_row as u32),
        });
    }

    /// The fields whose value differs between the two rows of one user.
    fn changes(&self, in_row: usize, ex_row: usize, choice: MergeChoice) -> Vec<FieldChange> {
        let mut changes = Vec::new();
        for (fi, field) in self.fields.iter().enumerate() {
            if *field == Field::UserId {
                continue;
            }
            let Some(Some(ic)) = self.incoming_cols.get(fi) else {
                continue;
            };
            let after = self.incoming.sheet.cell_or_empty(in_row, *ic);
            let before = self
                .existing_cols
                .get(fi)
                .copied()
                .flatten()
                .map(|ec| self.existing.sheet.cell_or_empty(ex_row, ec));
            let blank_after = after.trim().is_empty();
            let differs = match before {
                Some(b) => !same_value(field, b, after),
                None => !blank_after || field.is_card(),
            };
            if !differs {
                continue;
            }
            let removes_card = choice == MergeChoice::Overwrite
                && field.is_card()
                && blank_after
                && before.is_none_or(|b| !b.trim().is_empty());
            changes.push(FieldChange {
                field: fi,
                before: before.map(str::to_string),
                after: after.to_string(),
                removes_card,
            });
        }
        changes
    }

    /// The export's users no incoming row matched, in the export's order.
    fn add_untouched(&mut self, ex_order: &[(usize, &str)]) {
        for &(ex_row, _) in ex_order {
            if !self.matched.get(ex_row).copied().unwrap_or(false) {
                self.counts.untouched += 1;
                self.rows.push(OutputRow {
                    kind: RowKind::Untouched,
                    incoming: None,
                    existing: Some(ex_row as u32),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workbench::mapping::auto_map;

    fn sheet(rows: &[&[&str]]) -> (Sheet, Mapping) {
        let mut s = Sheet::new();
        for (i, r) in rows.iter().enumerate() {
            s.push_row(i as u64 + 1, r.iter().copied()).unwrap();
        }
        let m = auto_map(rows[0], &[]);
        (s, m)
    }

    /// The server's export: users 1, 2, 3, 4.
    fn existing() -> (Sheet, Mapping) {
        sheet(&[
            &["user_id", "name", "department", "expiry_datetime", "csn"],
            &["1", "Kim", "R&D", "2030-12-31 23:59", "100"],
            &["2", "Lee", "Sales", "2030-12-31 23:59", "200"],
            &["3", "Park", "HR", "2030-12-31 23:59", ""],
            &["4", "Choi", "HR", "2030-12-31 23:59", "400"],
        ])
    }

    /// The file to import, with Korean headers in another order: 1 same (other spellings),
    /// 2 changed, 3 changed, 5 new.
    fn incoming() -> (Sheet, Mapping) {
        sheet(&[
            &["카드번호", "사번", "이름", "부서", "만료일"],
            &["0100", "001", "Kim", "R&D", "31/12/2030 23:59"],
            &["", "2", "Lee", "Marketing", "2030-12-31 23:59"],
            &["300", "3", "Park", "HR", "2030-12-31 23:59"],
            &["500", "5", "Jung", "R&D", "2030-12-31 23:59"],
        ])
    }

    fn run(options: &MergeOptions) -> MergeResult {
        let (is, im) = incoming();
        let (es, em) = existing();
        merge_sheets((&is, &im), (&es, &em), options)
    }

    /// Merges two sheets whose header is their first row.
    fn merge_sheets(
        (is, im): (&Sheet, &Mapping),
        (es, em): (&Sheet, &Mapping),
        options: &MergeOptions,
    ) -> MergeResult {
        let side = |sheet, mapping| MergeSide {
            sheet,
            header_row: 0,
            mapping,
        };
        merge(&side(is, im), &side(es, em), options)
    }

    fn kinds(r: &MergeResult) -> Vec<RowKind> {
        r.rows.iter().map(|r| r.kind).collect()
    }

    #[test]
    fn keep_by_default() {
        let r = run(&MergeOptions::default());
        assert_eq!(
            kinds(&r),
            vec![
                RowKind::Same,
                RowKind::Kept,
                RowKind::Kept,
                RowKind::New,
                RowKind::Untouched
            ]
        );
        let c = r.counts;
        assert_eq!(
            (c.new, c.in_both, c.changed, c.identical, c.untouched),
            (1, 3, 2, 1, 1)
        );
        assert_eq!(
            (c.kept, c.overwritten, c.cards_removed, c.skipped),
            (2, 0, 0, 0)
        );
        let import: Vec<Option<u32>> = r.import_rows().map(|o| o.incoming).collect();
        assert_eq!(import, vec![Some(4)]);
        // Keep never removes a card, though the blank csn is listed as a difference.
        assert!(r.diffs[0].changes.iter().all(|c| !c.removes_card));
    }

    #[test]
    fn overwrite_with_an_override_and_the_diff() {
        let mut options = MergeOptions {
            default: MergeChoice::Overwrite,
            ..MergeOptions::default()
        };
        options.overrides.insert("03".into(), MergeChoice::Keep);
        options.overrides.insert("99".into(), MergeChoice::Keep);
        let r = run(&options);
        assert_eq!(
            kinds(&r),
            vec![
                RowKind::Same,
                RowKind::Overwritten,
                RowKind::Kept,
                RowKind::New,
                RowKind::Untouched
            ]
        );
        // User 1 is the same: neither kept nor overwritten, so the counts partition.
        assert_eq!((r.counts.kept, r.counts.overwritten), (1, 1));
        assert_eq!(
            r.counts.in_both,
            r.counts.kept + r.counts.overwritten + r.counts.identical
        );
        assert_eq!(r.unused_overrides, vec!["99".to_string()]);

        // User 2: csn blanked (removes the stored card) and department changed.
        let d = &r.diffs[0];
        assert_eq!(
            (d.user_id.as_str(), d.incoming_row, d.existing_row),
            ("2", 2, 2)
        );
        assert_eq!(d.choice, MergeChoice::Overwrite);
        let named: Vec<(&str, Option<&str>, &str, bool)> = d
            .changes
            .iter()
            .map(|c| {
                (
                    r.fields[c.field].header_name(),
                    c.before.as_deref(),
                    c.after.as_str(),
                    c.removes_card,
                )
            })
            .collect();
        assert_eq!(
            named,
            vec![
                ("csn", Some("200"), "", true),
                ("department", Some("Sales"), "Marketing", false)
            ]
        );
        assert_eq!(r.counts.cards_removed, 1);

        // User 3 is kept by the override: a card where the server has none, not applied.
        let d = &r.diffs[1];
        assert_eq!((d.user_id.as_str(), d.choice), ("3", MergeChoice::Keep));
        assert_eq!(d.changes.len(), 1);
        assert_eq!(d.changes[0].before.as_deref(), Some(""));

        let import: Vec<Option<u32>> = r.import_rows().map(|o| o.incoming).collect();
        assert_eq!(import, vec![Some(2), Some(4)]);
    }

    #[test]
    fn output_columns_and_values_follow_each_rows_source() {
        let (is, im) = incoming();
        let (es, em) = existing();
        let options = MergeOptions {
            default: MergeChoice::Overwrite,
            ..MergeOptions::default()
        };
        let r = merge_sheets((&is, &im), (&es, &em), &options);
        assert_eq!(
            r.output_header(),
            vec!["csn", "user_id", "name", "department", "expiry_datetime"]
        );
        let dept = 3;
        let values: Vec<&str> = r.rows.iter().map(|o| r.value(o, dept, &is, &es)).collect();
        assert_eq!(values, vec!["R&D", "Marketing", "HR", "R&D", "HR"]);
        assert_eq!(r.rows[4].source(), Some((Side::Existing, 4)));
        assert_eq!(r.rows[3].source(), Some((Side::Incoming, 4)));
        assert_eq!(r.value(&r.rows[0], 99, &is, &es), "");
    }

    #[test]
    fn user_ids_compare_as_the_site_reads_them() {
        // numeric: 001 is user 1 (so the first incoming row is that user, unchanged)
        let r = run(&MergeOptions::default());
        assert_eq!(r.rows[0].existing, Some(1));
        // alphanumeric: 001 is a user of its own
        let r = run(&MergeOptions {
            user_id_type: UserIdType::Alphanumeric,
            ..MergeOptions::default()
        });
        assert_eq!(r.rows[0].kind, RowKind::New);
        assert_eq!((r.counts.new, r.counts.untouched), (2, 2));
    }

    #[test]
    fn rows_without_ids_and_repeated_ids_are_listed_not_dropped() {
        let (is, im) = sheet(&[&["user_id", "name"], &["7", "A"], &["", "B"], &["007", "C"]]);
        let (es, em) = sheet(&[&["user_id", "name"], &["8", "X"], &["8", "Y"]]);
        let r = merge_sheets((&is, &im), (&es, &em), &MergeOptions::default());
        assert_eq!(
            r.skipped,
            vec![
                SkippedRow {
                    side: Side::Incoming,
                    row: 2,
                    reason: SkipReason::NoUserId
                },
                SkippedRow {
                    side: Side::Incoming,
                    row: 3,
                    reason: SkipReason::DuplicateOf(1)
                },
                SkippedRow {
                    side: Side::Existing,
                    row: 2,
                    reason: SkipReason::DuplicateOf(1)
                },
            ]
        );
        assert_eq!(r.counts.skipped, 3);
        assert_eq!((r.counts.new, r.counts.untouched), (1, 1));
    }

    #[test]
    fn a_written_card_a_kept_server_user_holds_is_a_clash() {
        // New user 3 takes card 1002 of server user 2, whom the merge leaves as stored;
        // user 1 is overwritten, so its old card 1001 is free for new user 4.
        let (is, im) = sheet(&[
            &["user_id", "name", "csn"],
            &["3", "Park", "01002"],
            &["4", "Choi", "1001"],
            &["1", "Kim", "1005"],
        ]);
        let (es, em) = sheet(&[
            &["user_id", "name", "csn"],
            &["1", "Kim", "1001"],
            &["2", "Lee", "1002"],
        ]);
        let mut options = MergeOptions::default();
        options.overrides.insert("1".into(), MergeChoice::Overwrite);
        let r = merge_sheets((&is, &im), (&es, &em), &options);
        assert_eq!(
            r.card_clashes,
            vec![CardClash {
                incoming_row: 1,
                field: 2,
                card: "01002".into(),
                holder: "2".into(),
                existing_row: 2,
            }]
        );
        // Kept, user 1 keeps card 1001: user 4's row now clashes too.
        let r = merge_sheets((&is, &im), (&es, &em), &MergeOptions::default());
        let rows: Vec<u32> = r.card_clashes.iter().map(|c| c.incoming_row).collect();
        assert_eq!(rows, vec![1, 2]);
    }

    #[test]
    fn a_field_the_export_lacks() {
        let (is, im) = sheet(&[
            &["user_id", "email", "csn"],
            &["1", "a@b.co", ""],
            &["2", "", ""],
        ]);
        let (es, em) = sheet(&[&["user_id"], &["1"], &["2"]]);
        let r = merge_sheets(
            (&is, &im),
            (&es, &em),
            &MergeOptions {
                default: MergeChoice::Overwrite,
                ..MergeOptions::default()
            },
        );
        // user 1: email unknown before, set now; csn blank may remove an unseen card
        let d = &r.diffs[0];
        assert_eq!(d.changes.len(), 2);
        assert_eq!(d.changes[0].before, None);
        assert!(d.changes[1].removes_card);
        // user 2: a blank csn is still flagged, a blank email is no change
        assert_eq!(r.diffs[1].changes.len(), 1);
        assert_eq!(r.counts.cards_removed, 2);
    }

    #[test]
    fn same_value_by_field() {
        assert!(same_value(
            &Field::StartDatetime,
            "2024-03-04 00:00",
            "04/03/2024"
        ));
        assert!(!same_value(
            &Field::StartDatetime,
            "2024-03-04 00:00",
            "03/04/2024"
        ));
        assert!(same_value(&Field::Csn, "00123", "123"));
        assert!(same_value(
            &Field::WiegandCard("HID 37 bit-H10302".into()),
            " 5",
            "5"
        ));
        assert!(!same_value(&Field::Name, "Kim", "Kim "));
    }

    #[test]
    fn result_round_trips_through_serde() {
        let r = run(&MergeOptions::default());
        let json = serde_json::to_string(&r).unwrap();
        let back: MergeResult = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
    }
}
