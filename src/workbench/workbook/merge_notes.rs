//! The merge's problems in sentences, each with its lines: cards a written row gives that
//! a user the server keeps holds, and rows left out of the merge (no user ID, an ID listed
//! twice on one side); and which of the merge's new and overwritten users the valid-rows
//! import file leaves out, and why.

use std::collections::HashMap;

use super::view::line_of;
use super::{plural, Existing, Workbook};
use crate::model::Sheet;
use crate::workbench::mapping::{column_letter, Field, Mapping};
use crate::workbench::merge::{CardClash, MergeResult, OutputRow, Side, SkipReason, SkippedRow};
use crate::workbench::validate::RowStatus;

/// Why a new or overwritten user is left out of the valid-rows import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LeftOut {
    /// The row has errors.
    Errors,
    /// The row gives a card that a user the server keeps holds: the server would refuse it.
    Card,
}

/// Most problem sentences listed; the rest are counted in one more.
const MAX_PROBLEMS: usize = 100;

/// The user ID a sheet row holds, as written.
fn user_id_of<'a>(sheet: &'a Sheet, mapping: &Mapping, row: usize) -> &'a str {
    match mapping.column_of(&Field::UserId) {
        Some(c) if row < sheet.len() => sheet.cell_or_empty(row, c).trim(),
        _ => "",
    }
}

/// One of the merge's new and overwritten users, as the import file takes it.
pub(super) struct MergedRow<'m> {
    /// The user's row of the merge.
    pub row: &'m OutputRow,
    /// What leaves it out of the valid-rows import file (None: it is written).
    pub left_out: Option<LeftOut>,
    /// It gives a card that a user the server keeps holds (errors or not).
    pub clashes: bool,
}

impl Workbook {
    /// The merge's new and overwritten users in order, each with what leaves it out of the
    /// valid-rows import file.
    pub(super) fn merged_rows<'m>(
        &'m self,
        m: &'m MergeResult,
    ) -> impl Iterator<Item = MergedRow<'m>> + 'm {
        let clashing = m.clashing_rows();
        m.import_rows().map(move |row| {
            let clashes = row.incoming.is_some_and(|i| clashing.contains(&i));
            let left_out = match row.incoming {
                Some(i) if self.report.status(i as usize) != RowStatus::Errors => {
                    clashes.then_some(LeftOut::Card)
                }
                _ => Some(LeftOut::Errors),
            };
            MergedRow {
                row,
                left_out,
                clashes,
            }
        })
    }

    /// The card clashes of the merged rows, in sentences, by sheet row; empty without an
    /// export.
    pub(super) fn clash_notes_by_row(&self) -> HashMap<usize, Vec<String>> {
        let mut by_row: HashMap<usize, Vec<String>> = HashMap::new();
        self.with_merge(|m, existing| {
            for c in &m.card_clashes {
                let note = self.clash_note(m, c, existing);
                by_row
                    .entry(c.incoming_row as usize)
                    .or_default()
                    .push(note);
            }
        });
        by_row
    }

    /// Every problem of the merge `m` against `existing`, in sentences (at most
    /// [`MAX_PROBLEMS`], then a count of the rest).
    pub(super) fn merge_problems(&self, m: &MergeResult, existing: &Existing) -> Vec<String> {
        let clashes = m
            .card_clashes
            .iter()
            .map(|c| self.clash_note(m, c, existing));
        let skips = m.skipped.iter().map(|s| self.skip_note(s, existing));
        let mut all: Vec<String> = clashes.chain(skips).collect();
        if all.len() > MAX_PROBLEMS {
            let more = (all.len() - MAX_PROBLEMS) as u64;
            all.truncate(MAX_PROBLEMS);
            all.push(format!("And {} more.", plural(more, "problem", "problems")));
        }
        all
    }

    /// A card clash: where, who holds the card, and what to do.
    fn clash_note(&self, m: &MergeResult, c: &CardClash, existing: &Existing) -> String {
        let field = m.fields.get(c.field).cloned().unwrap_or(Field::Csn);
        let column = self.mapping.column_of(&field).unwrap_or(0);
        format!(
            "Line {}, column \"{}\" ({}): card {} is held on the server by user {} (line {} \
             of {}), whom the merge keeps as stored, and the server refuses a card another \
             user holds. Give user {} another card, or take the card from user {} first.",
            line_of(&self.sheet, c.incoming_row as usize),
            field.header_name(),
            column_letter(column),
            c.card,
            c.holder,
            line_of(&existing.sheet, c.existing_row as usize),
            existing.name,
            user_id_of(&self.sheet, &self.mapping, c.incoming_row as usize),
            c.holder,
        )
    }

    /// A row left out of the merge: which side, which lines, which row the merge used.
    fn skip_note(&self, s: &SkippedRow, existing: &Existing) -> String {
        let (sheet, mapping, whose) = match s.side {
            Side::Incoming => (&self.sheet, &self.mapping, "Your file".to_string()),
            Side::Existing => (
                &existing.sheet,
                &existing.mapping,
                format!("The server's export {}", existing.name),
            ),
        };
        let line = line_of(sheet, s.row as usize);
        match s.reason {
            SkipReason::NoUserId if s.side == Side::Incoming => format!(
                "Line {line} of your file has no user ID, so the merge leaves it out: fill in \
                 its user ID."
            ),
            SkipReason::NoUserId => format!(
                "Line {line} of the server's export {} has no user ID; the merge ignores it.",
                existing.name
            ),
            SkipReason::DuplicateOf(first) => format!(
                "{whose} lists user {} twice (lines {} and {line}); the merge used line {} and \
                 left line {line} out.",
                user_id_of(sheet, mapping, s.row as usize),
                line_of(sheet, first as usize),
                line_of(sheet, first as usize),
            ),
        }
    }
}
