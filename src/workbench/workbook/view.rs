//! The views sent to the app and the command line (the workbook, pages of rows, the merge)
//! and the functions that build them.

use serde::{Deserialize, Serialize};

use crate::formats::biostar_csv::Delimiter;
use crate::model::Sheet;
use crate::text::TextEncoding;
use crate::workbench::mapping::{Field, MatchKind, KNOWN_WIEGAND_FORMATS};
use crate::workbench::merge::{MergeChoice, MergeCounts, RowKind, Side};
use crate::workbench::validate::{
    user_id_key, Finding, RowStatus, Rule, Severity, SiteSettings, Totals,
};

use super::merge_notes::LeftOut;
use super::Workbook;

/// Sheet rows shown in the "start import at row" picker.
const PREVIEW_ROWS: usize = 15;
/// Characters a preview or sample cell is cut to.
const PREVIEW_CHARS: usize = 40;
/// Cells a preview row shows at most.
const PREVIEW_CELLS: usize = 64;
/// Rows one [`Workbook::rows`] page holds at most.
pub const MAX_PAGE_ROWS: usize = 1000;
/// Diffs one [`Workbook::merge_view`] page holds at most.
pub const MAX_PAGE_DIFFS: usize = 1000;
/// Data rows looked at for a column's sample value.
const SAMPLE_ROWS: usize = 200;
/// Filters whose row lists are kept.
const CACHED_FILTERS: usize = 8;

/// Which data rows a page of rows is taken from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "rule", rename_all = "snake_case")]
pub enum RowFilter {
    /// Every data row.
    All,
    /// Rows with at least one finding.
    WithFindings,
    /// Rows with at least one error.
    Errors,
    /// Rows with warnings and no error.
    Warnings,
    /// Rows with a finding of this rule (its id, e.g. `user_id.duplicate`).
    Rule(String),
    /// Rows with a face image finding (any `face_image.*` rule).
    FaceImages,
}

impl RowFilter {
    /// What a file of the rows it keeps is named after: `users_{tag}.csv`.
    pub fn file_tag(&self) -> String {
        match self {
            RowFilter::All => "all_rows".into(),
            RowFilter::WithFindings => "rows_with_findings".into(),
            RowFilter::Errors => "rows_with_errors".into(),
            RowFilter::Warnings => "rows_with_warnings_only".into(),
            RowFilter::Rule(id) => format!("rule_{}", id.replace('.', "_")),
            RowFilter::FaceImages => "face_image_findings".into(),
        }
    }
}

/// A page of rows to show: `count` rows from `start` among the rows `filter` keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowQuery {
    /// Index of the first row wanted among the filtered data rows.
    pub start: usize,
    /// How many rows (at most [`MAX_PAGE_ROWS`]).
    pub count: usize,
    /// Which rows.
    pub filter: RowFilter,
}

/// One page of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowPage {
    /// How many data rows the filter keeps in all.
    pub total: usize,
    /// Index of the page's first row among them.
    pub start: usize,
    /// The rows.
    pub rows: Vec<RowView>,
}

/// One finding, ready to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingView {
    /// The 0-based column it is about, if one.
    pub col: Option<usize>,
    /// The rule's id, e.g. `date.month_first`.
    pub rule: String,
    /// Error or warning.
    pub severity: Severity,
    /// Where and what, and how to fix it.
    pub message: String,
}

/// One data row, ready to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowView {
    /// The row's index in the sheet (what edits and exports name).
    pub row: usize,
    /// The 1-based line of the file where it starts.
    pub line: u64,
    /// Its cells' current text (edits included).
    pub cells: Vec<String>,
    /// The columns edited.
    pub edited: Vec<usize>,
    /// Valid, warnings or errors.
    pub status: RowStatus,
    /// Its findings.
    pub findings: Vec<FindingView>,
}

/// One of the first rows of the file, for the "start import at row" picker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewRow {
    /// The row's index in the sheet.
    pub row: usize,
    /// The 1-based line where it starts.
    pub line: u64,
    /// Its cells, each cut to about 40 characters (a cut ends with "…").
    pub cells: Vec<String>,
}

/// One column of the header and what it maps to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnView {
    /// 0-based column index.
    pub index: usize,
    /// The header text as read.
    pub header: String,
    /// The field's id ([`Field::id`]), or None when unmapped or ignored.
    pub target: Option<String>,
    /// The field's name for people, or "Ignored" / "Not mapped".
    pub target_label: String,
    /// How the mapping was made.
    pub how: MatchKind,
    /// How sure an automatic match is, 0 to 1.
    pub confidence: f32,
    /// True when nothing matched: it may be a custom field to declare.
    pub suggest_custom: bool,
    /// Why it is unmapped or how a guess was made.
    pub note: Option<String>,
    /// The first non-blank value of the column (cut to about 40 characters).
    pub sample: String,
}

/// A field the user may map a column to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChoice {
    /// The field's id ([`Field::id`]).
    pub id: String,
    /// Its name for people.
    pub label: String,
}

/// How many findings one rule produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleView {
    /// The rule's id (for [`RowFilter::Rule`]).
    pub id: String,
    /// A short title.
    pub title: String,
    /// Error or warning.
    pub severity: Severity,
    /// Findings on data rows.
    pub count: u32,
}

/// The merge against the server's current export, in numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeCountsView {
    /// The export's file name.
    pub existing_name: String,
    /// Data rows in the export.
    pub existing_rows: usize,
    /// Users new, in both, changed, kept, overwritten, untouched, skipped...
    pub counts: MergeCounts,
    /// Rows the import file will hold (new and overwritten users without errors).
    pub import_rows: u64,
    /// New users the import file holds.
    #[serde(default)]
    pub new_written: u64,
    /// Overwritten users the import file holds.
    #[serde(default)]
    pub overwritten_written: u64,
    /// New and overwritten users left out of the import file for their errors.
    #[serde(default)]
    pub left_out_errors: u64,
    /// New and overwritten users without errors left out of the import file because they
    /// give a card that a user the server keeps holds (the error file lists them).
    #[serde(default)]
    pub left_out_cards: u64,
    /// Rows of the file left out of the merge (no user ID, or an ID listed twice).
    #[serde(default)]
    pub left_out_of_merge: u64,
    /// Per-user choices that matched no user in both files.
    pub unused_overrides: Vec<String>,
    /// The merge's problems with their lines: cards a kept server user holds, rows left
    /// out (no user ID, an ID listed twice).
    pub problems: Vec<String>,
    /// What to know about the export (columns read as custom fields, read problems).
    pub notes: Vec<String>,
}

/// One field that differs for a user in both files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChangeView {
    /// The field's name for people.
    pub field: String,
    /// The stored value; None when the export lacks the column.
    pub before: Option<String>,
    /// The incoming value.
    pub after: String,
    /// Overwriting would remove a card the user has on the server.
    pub removes_card: bool,
}

/// How one user in both files differs, and what will happen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserDiffView {
    /// The user ID as written in the file.
    pub user_id: String,
    /// The line of the user's row in the file.
    pub line: u64,
    /// The line of the user's row in the export.
    pub existing_line: u64,
    /// The choice that applies (the override, else the default).
    pub choice: MergeChoice,
    /// True when the user chose for this user apart from the default.
    pub overridden: bool,
    /// The fields that differ.
    pub changes: Vec<FieldChangeView>,
}

/// The merge: counts and one page of per-user differences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeView {
    /// Counts.
    pub counts: MergeCountsView,
    /// The choice for users without an override.
    pub default: MergeChoice,
    /// Users in both files whose values differ.
    pub total_diffs: usize,
    /// Index of the page's first diff.
    pub start: usize,
    /// The page of diffs.
    pub diffs: Vec<UserDiffView>,
}

/// Everything the app shows about the workbook except its rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkbookView {
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// The encoding read.
    pub encoding: TextEncoding,
    /// Why that encoding.
    pub encoding_reason: String,
    /// Bytes that could not be decoded (each became U+FFFD).
    pub replacement_count: u64,
    /// A sentence about them, when there are any.
    pub replacement_message: Option<String>,
    /// The delimiter.
    pub delimiter: Delimiter,
    /// Why that delimiter.
    pub delimiter_reason: String,
    /// The header's sheet row (0-based).
    pub header_row: usize,
    /// The header's 1-based line in the file (0 for an empty sheet).
    pub header_line: u64,
    /// The first rows, for the "start import at row" picker.
    pub preview: Vec<PreviewRow>,
    /// The header's columns and their mapping.
    pub columns: Vec<ColumnView>,
    /// Every field a column may be mapped to.
    pub field_choices: Vec<FieldChoice>,
    /// Fields claimed by two columns: errors to resolve before writing.
    pub conflicts: Vec<String>,
    /// The site's settings.
    pub settings: SiteSettings,
    /// The custom user fields declared.
    pub custom_fields: Vec<String>,
    /// Row counts.
    pub totals: Totals,
    /// Findings per rule (rules with findings only, errors first).
    pub rules: Vec<RuleView>,
    /// What the reader noticed (line breaks in cells, unclosed quotes, blank lines).
    pub read_issues: Vec<String>,
    /// How many reader issues in all (may exceed `read_issues`).
    pub read_issue_count: u64,
    /// Problems of the file as a whole (no user_id column, unmapped data columns...).
    pub file_findings: Vec<String>,
    /// Things to know: the header's place, dropped edits after a reopen...
    pub notes: Vec<String>,
    /// Cells edited.
    pub edits: usize,
    /// The merge, when an existing export is loaded.
    pub merge: Option<MergeCountsView>,
    /// The face image folder, once added.
    pub faces: Option<super::FaceFolderView>,
    /// Face image cells hold file names, but no folder was added to check them against.
    #[serde(default)]
    pub faces_unchecked: bool,
}

impl WorkbookView {
    /// The rows the error file holds: those with errors, and those the merge leaves out
    /// for a card that a user the server keeps holds.
    pub fn error_file_rows(&self) -> u64 {
        let cards = self.merge.as_ref().map_or(0, |m| m.left_out_cards);
        u64::from(self.totals.with_errors) + cards
    }

    /// Said beside the error file when cells of the file start like a spreadsheet formula:
    /// the files written keep them as read, and a spreadsheet program would run those the
    /// error file holds on opening it.
    pub fn formula_note(&self) -> Option<String> {
        let id = crate::workbench::validate::Rule::FormulaCell.id();
        let count = self.rules.iter().find(|r| r.id == id)?.count;
        (count > 0).then(|| {
            let cells = crate::text::plural(u64::from(count), "cell starts", "cells start");
            let (run, fix) = match count {
                1 => ("it if it holds it", "that cell"),
                _ => ("those of them it holds", "those cells"),
            };
            format!(
                "{cells} like a spreadsheet formula (=, +, -, @) in this file. The files \
                 written keep every cell as read, so a spreadsheet program opening the error \
                 file would run {run}. Open it through the program's text import (columns as \
                 Text), or fix {fix} first (filter by \"Cell looks like a spreadsheet \
                 formula\")."
            )
        })
    }
}

/// A cell cut to `max` characters, with "…" when cut.
fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The line of a sheet row, or 0 past the end.
pub(super) fn line_of(sheet: &Sheet, row: usize) -> u64 {
    if row < sheet.len() {
        sheet.line(row)
    } else {
        0
    }
}

impl Workbook {
    /// Every data-row finding as shown in the app, in row order, with the row's line.
    pub fn findings(&self) -> impl Iterator<Item = (usize, u64, FindingView)> + '_ {
        self.report.data_rows().flat_map(move |row| {
            self.report
                .findings_of(row)
                .iter()
                .map(move |f| (row, self.sheet.line(row), self.finding_view(f)))
        })
    }

    fn finding_view(&self, f: &Finding) -> FindingView {
        FindingView {
            col: f.col.map(|c| c as usize),
            rule: f.rule.id().to_string(),
            severity: f.severity(),
            message: self
                .report
                .message(f, &self.sheet, self.header_row, &self.mapping),
        }
    }

    /// The first rows of the sheet, cut, for the "start import at row" picker.
    fn preview_rows(&self) -> Vec<PreviewRow> {
        (0..self.sheet.len().min(PREVIEW_ROWS))
            .map(|row| {
                let mut cells: Vec<String> = self
                    .sheet
                    .row(row)
                    .take(PREVIEW_CELLS)
                    .map(|c| cut(c, PREVIEW_CHARS))
                    .collect();
                if self.sheet.width(row) > PREVIEW_CELLS {
                    cells.push("…".to_string());
                }
                PreviewRow {
                    row,
                    line: self.sheet.line(row),
                    cells,
                }
            })
            .collect()
    }

    /// The header's columns: what each maps to and a sample value.
    fn column_views(&self) -> Vec<ColumnView> {
        let data = self.report.data_rows();
        let sample_rows = data.start..data.end.min(data.start + SAMPLE_ROWS);
        self.mapping
            .columns
            .iter()
            .map(|cm| ColumnView {
                index: cm.column,
                header: cm.header.clone(),
                target: cm.target.as_ref().map(Field::id),
                target_label: match &cm.target {
                    Some(f) => f.label(),
                    None if cm.is_ignored() => "Ignored (left out of the import)".to_string(),
                    None => "Not mapped".to_string(),
                },
                how: cm.how,
                confidence: cm.confidence,
                suggest_custom: cm.suggest_custom,
                note: cm.note.clone(),
                sample: sample_rows
                    .clone()
                    .map(|r| self.sheet.cell_or_empty(r, cm.column))
                    .find(|v| !v.trim().is_empty())
                    .map(|v| cut(v, PREVIEW_CHARS))
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// Everything the app shows except the rows.
    pub fn view(&self) -> WorkbookView {
        let preview = self.preview_rows();
        let columns = self.column_views();
        WorkbookView {
            name: self.name.clone(),
            size: self.size,
            encoding: self.reading.encoding,
            encoding_reason: self.reading.encoding_reason.clone(),
            replacement_count: self.reading.replacement_count,
            replacement_message: self.reading.replacement_message.clone(),
            delimiter: self.reading.delimiter,
            delimiter_reason: self.reading.delimiter_reason.clone(),
            header_row: self.header_row,
            header_line: if self.header_row < self.sheet.len() {
                self.sheet.line(self.header_row)
            } else {
                0
            },
            preview,
            columns,
            field_choices: self.field_choices(),
            conflicts: self
                .mapping
                .conflicts()
                .iter()
                .map(|c| c.message())
                .collect(),
            settings: self.options.settings,
            custom_fields: self.mapping.custom_fields.clone(),
            totals: self.totals(),
            rules: self.rule_counts(),
            read_issues: self.read_issues.clone(),
            read_issue_count: self.read_issue_count,
            file_findings: self
                .report
                .file_findings()
                .iter()
                .map(|f| f.message(&self.sheet, self.header_row, &self.mapping))
                .collect(),
            notes: self
                .header_note
                .iter()
                .chain(&self.notes)
                .cloned()
                .collect(),
            edits: self.sheet.edit_count(),
            merge: self.merge_counts(),
            faces: self.face_view(),
            faces_unchecked: self.faces_unchecked(),
        }
    }

    /// Row counts, without the rest of the view (cheap: for refreshing after an edit; the
    /// view also recomputes the merge after an edit when an export is loaded).
    pub fn totals(&self) -> Totals {
        self.report.totals()
    }

    /// Findings per rule (rules with findings only, errors first, then by count).
    pub fn rule_counts(&self) -> Vec<RuleView> {
        let mut rules: Vec<RuleView> = self
            .report
            .summary()
            .by_rule
            .iter()
            .map(|rc| RuleView {
                id: rc.rule.id().to_string(),
                title: rc.rule.title().to_string(),
                severity: rc.rule.severity(),
                count: rc.count,
            })
            .collect();
        rules.sort_by_key(|r| (r.severity != Severity::Error, std::cmp::Reverse(r.count)));
        rules
    }

    /// Every field a column may be mapped to: fixed fields, Wiegand formats (the known
    /// nine and any the mapping uses), declared custom fields.
    fn field_choices(&self) -> Vec<FieldChoice> {
        let mut fields: Vec<Field> = Field::STANDARD.to_vec();
        fields.extend(
            KNOWN_WIEGAND_FORMATS
                .iter()
                .map(|w| Field::WiegandCard((*w).to_string())),
        );
        for cm in &self.mapping.columns {
            if let Some(f @ Field::WiegandCard(_)) = &cm.target {
                if !fields.contains(f) {
                    fields.push(f.clone());
                }
            }
        }
        fields.extend(
            self.mapping
                .custom_fields
                .iter()
                .map(|c| Field::Custom(c.clone())),
        );
        fields
            .iter()
            .map(|f| FieldChoice {
                id: f.id(),
                label: f.label(),
            })
            .collect()
    }

    /// One data row as shown.
    pub(super) fn row_view(&self, row: usize) -> RowView {
        let width = self.sheet.width(row);
        RowView {
            row,
            line: self.sheet.line(row),
            cells: self.sheet.row(row).map(str::to_string).collect(),
            edited: if self.sheet.edit_count() == 0 {
                Vec::new()
            } else {
                (0..width)
                    .filter(|&c| self.sheet.is_edited(row, c))
                    .collect()
            },
            status: self.report.status(row),
            findings: self
                .report
                .findings_of(row)
                .iter()
                .map(|f| self.finding_view(f))
                .collect(),
        }
    }

    /// True when sheet row `row` (a data row) is kept by `filter`.
    fn keeps(&self, filter: &RowFilter, rule: Option<Rule>, row: usize) -> bool {
        match filter {
            RowFilter::All => true,
            RowFilter::WithFindings => !self.report.findings_of(row).is_empty(),
            RowFilter::Errors => self.report.status(row) == RowStatus::Errors,
            RowFilter::Warnings => self.report.status(row) == RowStatus::Warnings,
            RowFilter::Rule(_) => {
                rule.is_some_and(|r| self.report.findings_of(row).iter().any(|f| f.rule == r))
            }
            RowFilter::FaceImages => self
                .report
                .findings_of(row)
                .iter()
                .any(|f| f.rule.id().starts_with("face_image.")),
        }
    }

    /// The rule a filter names, if any.
    fn filter_rule(filter: &RowFilter) -> Option<Rule> {
        match filter {
            RowFilter::Rule(id) => Rule::ALL.iter().copied().find(|r| r.id() == id),
            _ => None,
        }
    }

    /// Runs `f` on the sheet rows `filter` keeps (built once, then cached).
    fn with_filtered<T>(&self, filter: &RowFilter, f: impl FnOnce(&[u32]) -> T) -> T {
        let mut cache = self.filter_cache.borrow_mut();
        let pos = match cache.iter().position(|(k, _)| k == filter) {
            Some(p) => p,
            None => {
                let rule = Self::filter_rule(filter);
                let rows: Vec<u32> = self
                    .report
                    .data_rows()
                    .filter(|&r| self.keeps(filter, rule, r))
                    .map(|r| r as u32)
                    .collect();
                if cache.len() >= CACHED_FILTERS {
                    cache.remove(0);
                }
                cache.push((filter.clone(), rows));
                cache.len() - 1
            }
        };
        f(&cache[pos].1)
    }

    /// Adds to and removes from the cached filters' row lists the rows whose findings
    /// changed (`affected`), so the lists stay right without being built again.
    pub(super) fn patch_filters(&self, affected: &[usize]) {
        let mut cache = self.filter_cache.borrow_mut();
        for (filter, list) in cache.iter_mut() {
            let rule = Self::filter_rule(filter);
            for &r in affected {
                let keep = self.keeps(filter, rule, r);
                match (keep, list.binary_search(&(r as u32))) {
                    (true, Err(i)) => list.insert(i, r as u32),
                    (false, Ok(i)) => {
                        list.remove(i);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Every data row (sheet row indices) the table's `filter` keeps, in order.
    pub fn rows_kept_by(&self, filter: &RowFilter) -> Vec<usize> {
        match filter {
            RowFilter::All => self.report.data_rows().collect(),
            _ => self.with_filtered(filter, |list| list.iter().map(|&r| r as usize).collect()),
        }
    }

    /// A page of data rows: `count` (at most [`MAX_PAGE_ROWS`]) from `start` among the
    /// rows the filter keeps.
    pub fn rows(&self, query: &RowQuery) -> RowPage {
        let count = query.count.min(MAX_PAGE_ROWS);
        let (total, rows): (usize, Vec<usize>) = match query.filter {
            RowFilter::All => {
                let data = self.report.data_rows();
                let total = data.len();
                let from = query.start.min(total);
                let to = query.start.saturating_add(count).min(total);
                (total, (from..to).map(|i| data.start + i).collect())
            }
            _ => self.with_filtered(&query.filter, |list| {
                let from = query.start.min(list.len());
                let to = query.start.saturating_add(count).min(list.len());
                (
                    list.len(),
                    list[from..to].iter().map(|&r| r as usize).collect(),
                )
            }),
        };
        RowPage {
            total,
            start: query.start,
            rows: rows.into_iter().map(|r| self.row_view(r)).collect(),
        }
    }

    fn merge_counts(&self) -> Option<MergeCountsView> {
        self.with_merge(|m, existing| {
            // New and overwritten users written, left out for errors, for a card.
            let mut n = [0u64; 4];
            for merged in self.merged_rows(m) {
                n[match merged.left_out {
                    None if merged.row.kind == RowKind::New => 0,
                    None => 1,
                    Some(LeftOut::Errors) => 2,
                    Some(LeftOut::Card) => 3,
                }] += 1;
            }
            MergeCountsView {
                existing_name: existing.name.clone(),
                existing_rows: existing.sheet.len().saturating_sub(existing.header_row + 1),
                counts: m.counts,
                import_rows: n[0] + n[1],
                new_written: n[0],
                overwritten_written: n[1],
                left_out_errors: n[2],
                left_out_cards: n[3],
                left_out_of_merge: m
                    .skipped
                    .iter()
                    .filter(|s| s.side == Side::Incoming)
                    .count() as u64,
                unused_overrides: m.unused_overrides.clone(),
                problems: self.merge_problems(m, existing),
                notes: existing.notes.clone(),
            }
        })
    }

    /// The merge's counts and `count` (at most [`MAX_PAGE_DIFFS`]) per-user differences
    /// from `start`; None when no existing export is loaded.
    pub fn merge_view(&self, start: usize, count: usize) -> Option<MergeView> {
        let counts = self.merge_counts()?;
        let t = self.options.settings.user_id_type;
        self.with_merge(|m, existing| {
            let from = start.min(m.diffs.len());
            let to = start
                .saturating_add(count.min(MAX_PAGE_DIFFS))
                .min(m.diffs.len());
            let diffs = m.diffs[from..to]
                .iter()
                .map(|d| UserDiffView {
                    user_id: d.user_id.clone(),
                    line: line_of(&self.sheet, d.incoming_row as usize),
                    existing_line: line_of(&existing.sheet, d.existing_row as usize),
                    choice: d.choice,
                    overridden: self
                        .merge_overrides
                        .contains_key(user_id_key(&d.user_id, t)),
                    changes: d
                        .changes
                        .iter()
                        .map(|c| FieldChangeView {
                            field: m.fields.get(c.field).map_or_else(String::new, Field::label),
                            before: c.before.clone(),
                            after: c.after.clone(),
                            removes_card: c.removes_card,
                        })
                        .collect(),
                })
                .collect();
            MergeView {
                counts,
                default: self.merge_default,
                total_diffs: m.diffs.len(),
                start,
                diffs,
            }
        })
    }
}
