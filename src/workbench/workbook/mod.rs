//! The workbook: one opened BioStar user CSV with its mapping, findings, edits and merge.
//!
//! [`Workbook`] is the document the worker owns and the command line uses: it reads the
//! bytes (encoding, delimiter, header row), maps the columns, validates every row, keeps
//! the user's edits and choices, merges against the server's current export, and writes
//! the import file and the failed-rows file the BioStar server reads. Everything it shows
//! the app is a plain serde view ([`WorkbookView`], [`RowPage`], [`MergeView`]).
//!
//! Rows are asked for a page at a time ([`Workbook::rows`]); the row lists behind each
//! filter are built once and patched on edits, so scrolling 500,000 rows stays cheap.
//!
//! This file holds the workbook's state and its changes (cells, header row, mapping,
//! merge choices); opening and reading a file is in `load`, the views in `view`, and
//! the files written in `write`.
//!
//! Decisions made here:
//! - [`Workbook::options`] returns the user's choices only (forced encoding, delimiter,
//!   header row, settings, custom fields): what was detected is left `None`, so a reopen
//!   with one change detects the rest again for the new reading.
//! - Edits are allowed on data rows only, on cells up to the header's width (a row
//!   shorter than the header can be filled in).
//! - Writers refuse (with an error saying what to do) while two columns are mapped to one
//!   field; the import file is also refused without a user_id column. The failed-rows
//!   file can always be written.
//! - The "Warnings" filter is rows with warnings and no error, matching the totals.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use crate::formats::biostar_csv::Delimiter;
use crate::model::Sheet;
use crate::text::TextEncoding;
use crate::workbench::faces::FaceFolder;
use crate::workbench::mapping::{auto_map, is_error_description, Field, Mapping, MatchKind};
use crate::workbench::merge::{merge, MergeChoice, MergeOptions, MergeResult, MergeSide};
use crate::workbench::validate::{user_id_key, validate_with_faces, Report, SiteSettings};

mod faces;
mod load;
mod merge_notes;
mod view;
mod write;

pub use faces::FaceFolderView;
pub use load::{CsvReading, OpenOptions, WorkbookError, MAX_COLUMNS, MAX_FILE_BYTES};
pub use view::{
    ColumnView, FieldChangeView, FieldChoice, FindingView, MergeCountsView, MergeView, PreviewRow,
    RowFilter, RowPage, RowQuery, RowView, RuleView, UserDiffView, WorkbookView, MAX_PAGE_DIFFS,
    MAX_PAGE_ROWS,
};
pub use write::{ImportRows, WriteReport};

/// The server's current export, loaded to merge against.
#[derive(Debug, Clone)]
struct Existing {
    name: String,
    sheet: Sheet,
    header_row: usize,
    mapping: Mapping,
    notes: Vec<String>,
}

/// How a file was read: its encoding and delimiter, and why each.
#[derive(Debug)]
struct Reading {
    encoding: TextEncoding,
    encoding_reason: String,
    /// Bytes that could not be decoded (each became U+FFFD).
    replacement_count: u64,
    /// A sentence about them, when there are any.
    replacement_message: Option<String>,
    delimiter: Delimiter,
    delimiter_reason: String,
}

/// An opened BioStar user CSV: mapping, findings, edits and merge (see the module notes).
#[derive(Debug)]
pub struct Workbook {
    name: String,
    size: u64,
    options: OpenOptions,
    reading: Reading,
    sheet: Sheet,
    read_issues: Vec<String>,
    read_issue_count: u64,
    header_row: usize,
    mapping: Mapping,
    report: Report,
    /// Where the header is, when it is not the first row.
    header_note: Option<String>,
    /// Other things to know (dropped edits and remaps).
    notes: Vec<String>,
    existing: Option<Arc<Existing>>,
    merge_default: MergeChoice,
    /// Per-user choices, keyed by the user ID as the site compares it.
    merge_overrides: HashMap<String, MergeChoice>,
    merge_cache: RefCell<Option<MergeResult>>,
    /// Row lists of recently used filters (sheet rows, ascending).
    filter_cache: RefCell<Vec<(RowFilter, Vec<u32>)>>,
    /// The face image folder, once added: the face image cells are checked against it.
    faces: Option<Arc<FaceFolder>>,
}

use crate::text::plural;

/// The header row's cells as text.
fn header_cells(sheet: &Sheet, header_row: usize) -> Vec<String> {
    if header_row >= sheet.len() {
        return Vec::new();
    }
    sheet.row(header_row).map(str::to_string).collect()
}

/// Auto-maps the header row of `sheet`.
fn map_header(sheet: &Sheet, header_row: usize, custom_fields: &[String]) -> Mapping {
    let headers: Vec<&str> = if header_row < sheet.len() {
        sheet.row(header_row).collect()
    } else {
        Vec::new()
    };
    auto_map(&headers, custom_fields)
}

/// A note saying where the header was found, when it is not the first row.
fn header_note(sheet: &Sheet, header_row: usize, guessed: bool) -> Option<String> {
    if header_row == 0 || header_row >= sheet.len() {
        return None;
    }
    let how = if guessed {
        "was found"
    } else {
        "was set by you"
    };
    // The rows before it, by the lines they start on (blank lines are no rows).
    let (first, last) = (sheet.line(0), sheet.line(header_row - 1));
    let before = match header_row {
        1 => format!("the row before it (line {first}) is"),
        2 => format!("the 2 rows before it (lines {first} and {last}) are"),
        n => format!("the {n} rows before it (lines {first} to {last}) are"),
    };
    Some(format!(
        "The header {how} on line {}: {before} not imported. Choose another \
         \"start import at row\" if that is wrong.",
        sheet.line(header_row),
    ))
}

impl Workbook {
    /// The user's choices (forced encoding, delimiter, header row; settings; custom
    /// fields); detected values are None, so a reopen with one change detects the rest.
    pub fn options(&self) -> OpenOptions {
        self.options.clone()
    }

    /// The file's name as opened.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The sheet (every record of the file, edits included).
    pub fn sheet(&self) -> &Sheet {
        &self.sheet
    }

    /// The current mapping.
    pub fn mapping(&self) -> &Mapping {
        &self.mapping
    }

    /// The validation report.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The header's sheet row.
    pub fn header_row(&self) -> usize {
        self.header_row
    }

    /// The sheet row starting on 1-based `line`, or the first one after it (a quoted line
    /// break makes a record span lines); None past the end.
    pub fn row_of_line(&self, line: u64) -> Option<usize> {
        let rows = self.sheet.len();
        let first = (0..rows).position(|r| self.sheet.line(r) >= line)?;
        Some(first)
    }

    fn header_width(&self) -> usize {
        if self.header_row < self.sheet.len() {
            self.sheet.width(self.header_row)
        } else {
            0
        }
    }

    /// Validates every row again and forgets what depended on the findings.
    fn revalidate_all(&mut self) {
        self.report = validate_with_faces(
            &self.sheet,
            self.header_row,
            &self.mapping,
            &self.options.settings,
            self.faces.clone(),
        );
        self.filter_cache.borrow_mut().clear();
        self.merge_cache.borrow_mut().take();
    }

    /// Re-runs the automatic mapping (custom fields included), keeping manual choices.
    fn remap_auto_keeping_manual(&mut self) {
        let mut fresh = map_header(&self.sheet, self.header_row, &self.options.custom_fields);
        for cm in &self.mapping.columns {
            if cm.how == MatchKind::Manual {
                if let Some(slot) = fresh.columns.get_mut(cm.column) {
                    *slot = cm.clone();
                }
            }
        }
        for c in &self.mapping.custom_fields {
            if !fresh.custom_fields.contains(c) {
                fresh.custom_fields.push(c.clone());
            }
        }
        self.mapping = fresh;
        self.options.custom_fields = self.mapping.custom_fields.clone();
    }

    // -----------------------------------------------------------------------------------
    // Changes

    /// Takes sheet row `row` as the header: maps again (automatically; manual choices
    /// are dropped, the notes say so) and validates again. Edits are kept.
    pub fn set_header_row(&mut self, row: usize) -> Result<(), WorkbookError> {
        if row >= self.sheet.len() {
            return Err(WorkbookError::NoSuchRow {
                row,
                rows: self.sheet.len(),
            });
        }
        self.options.header_row = Some(row);
        if row == self.header_row {
            return Ok(());
        }
        let manual = self
            .mapping
            .columns
            .iter()
            .filter(|c| c.how == MatchKind::Manual && !is_error_description(&c.header))
            .count() as u64;
        self.header_row = row;
        self.mapping = map_header(&self.sheet, row, &self.options.custom_fields);
        self.header_note = header_note(&self.sheet, row, false);
        if manual > 0 {
            self.notes.push(format!(
                "The header changed, so your mapping of {} was not kept: the columns were \
                 mapped again by name.",
                plural(manual, "column", "columns")
            ));
        }
        self.revalidate_all();
        Ok(())
    }

    /// Maps column `column` to `target` by hand (None ignores the column), then validates
    /// again. A custom field target is declared if it was not.
    pub fn remap(&mut self, column: usize, target: Option<Field>) {
        if !self.mapping.remap(column, target) {
            return;
        }
        self.options.custom_fields = self.mapping.custom_fields.clone();
        self.revalidate_all();
    }

    /// Declares a custom user field the server has: columns with that header map to it
    /// (manual choices stay); then validates again.
    pub fn add_custom_field(&mut self, name: &str) {
        let name = name.trim();
        if name.is_empty() {
            return;
        }
        if !self.options.custom_fields.iter().any(|c| c == name) {
            self.options.custom_fields.push(name.to_string());
        }
        self.remap_auto_keeping_manual();
        self.revalidate_all();
    }

    /// Changes the site's settings and validates again.
    pub fn set_settings(&mut self, settings: SiteSettings) {
        if settings == self.options.settings {
            return;
        }
        self.options.settings = settings;
        self.revalidate_all();
    }

    /// Sets one cell of a data row (up to the header's width: a short row can be filled
    /// in; a cell past it can be emptied, and the row then ends with its last filled cell
    /// or the header's last column) and re-checks it at once. Returns the edited row, then every other row whose
    /// findings changed (duplicates it joined or left); empty when nothing can be edited
    /// there (the header, rows before it, columns past the header).
    pub fn edit_cell(&mut self, row: usize, col: usize, value: &str) -> Vec<RowView> {
        if !self.report.data_rows().contains(&row)
            || col >= self.sheet.width(row).max(self.header_width())
        {
            return Vec::new();
        }
        if self.sheet.cell(row, col) == Some(value)
            || (value.is_empty() && col >= self.sheet.width(row))
        {
            return vec![self.row_view(row)];
        }
        if !self.sheet.set_cell_padded(row, col, value) {
            return Vec::new();
        }
        if value.is_empty() && col >= self.header_width() {
            // An extra cell deleted: no empty cells are left trailing the header's last.
            self.sheet.trim_empty_end(row, self.header_width());
        }
        let affected = self.report.revalidate_row(
            &self.sheet,
            self.header_row,
            &self.mapping,
            &self.options.settings,
            row,
        );
        self.merge_cache.borrow_mut().take();
        self.patch_filters(&affected);
        let mut out = vec![self.row_view(row)];
        out.extend(
            affected
                .iter()
                .filter(|&&r| r != row)
                .map(|&r| self.row_view(r)),
        );
        out
    }

    // -----------------------------------------------------------------------------------
    // Merge

    /// Forgets the existing export: the import file holds the file's own rows again.
    pub fn clear_existing(&mut self) {
        self.existing = None;
        self.merge_cache.borrow_mut().take();
    }

    /// Sets the choice for users in both files without an override.
    pub fn set_merge_default(&mut self, choice: MergeChoice) {
        if self.merge_default != choice {
            self.merge_default = choice;
            self.merge_cache.borrow_mut().take();
        }
    }

    /// Sets (or with None, removes) the choice for one user, by user ID.
    pub fn set_merge_override(&mut self, user_id: &str, choice: Option<MergeChoice>) {
        let key = user_id_key(user_id, self.options.settings.user_id_type).to_string();
        if key.is_empty() {
            return;
        }
        match choice {
            Some(c) => {
                self.merge_overrides.insert(key, c);
            }
            None => {
                self.merge_overrides.remove(&key);
            }
        }
        self.merge_cache.borrow_mut().take();
    }

    /// Runs `f` on the merge result (computed once, until something changes).
    fn with_merge<T>(&self, f: impl FnOnce(&MergeResult, &Existing) -> T) -> Option<T> {
        let existing = self.existing.as_deref()?;
        let mut cache = self.merge_cache.borrow_mut();
        let result = cache.get_or_insert_with(|| {
            merge(
                &MergeSide {
                    sheet: &self.sheet,
                    header_row: self.header_row,
                    mapping: &self.mapping,
                },
                &MergeSide {
                    sheet: &existing.sheet,
                    header_row: existing.header_row,
                    mapping: &existing.mapping,
                },
                &MergeOptions {
                    default: self.merge_default,
                    overrides: self.merge_overrides.clone(),
                    user_id_type: self.options.settings.user_id_type,
                },
            )
        });
        Some(f(result, existing))
    }
}

#[cfg(test)]
mod tests;
