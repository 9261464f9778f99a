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
use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::formats::biostar_csv::{
    delimiter_name, detect_delimiter, guess_header_row, read_owned, CsvDocument, CsvWriter,
    ReadError, ReadOptions, WriteOptions,
};
use crate::model::Sheet;
use crate::text::{decode, detect, detect_and_decode_utf8, TextEncoding};
use crate::workbench::mapping::{
    auto_map, column_letter, is_error_description, is_known_header, ColumnMapping, Field, Mapping,
    MatchKind, ERROR_DESCRIPTION, KNOWN_WIEGAND_FORMATS,
};
use crate::workbench::merge::{
    merge, MergeChoice, MergeCounts, MergeOptions, MergeResult, MergeSide, RowKind, Side,
};
use crate::workbench::validate::{
    user_id_key, validate, Report, RowStatus, Rule, Severity, SiteSettings, Totals,
};

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
/// Largest file the workbook opens (the browser's memory holds about three times it).
pub const MAX_FILE_BYTES: u64 = 1 << 30;
/// Filters whose row lists are kept.
const CACHED_FILTERS: usize = 8;
/// Bytes looked at to tell text from binary files.
const BINARY_SNIFF: usize = 64 * 1024;

/// How to open a file: what to force instead of detecting, and the site's settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OpenOptions {
    /// Read the bytes in this encoding instead of detecting it.
    pub encoding: Option<TextEncoding>,
    /// Split fields at this byte (`,` `;` or tab) instead of detecting it.
    pub delimiter: Option<u8>,
    /// The header is this sheet row (0-based) instead of the guessed one.
    pub header_row: Option<usize>,
    /// What the target server is like.
    pub settings: SiteSettings,
    /// Custom user fields the server has (columns with these headers map to them).
    pub custom_fields: Vec<String>,
}

/// Why a file could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkbookError {
    /// The file has no bytes, or only blank lines.
    Empty {
        /// The file's name.
        name: String,
        /// True when it had bytes, but only blank lines.
        blank: bool,
    },
    /// The file is not text (a spreadsheet workbook, an archive, a binary file).
    NotText {
        /// The file's name.
        name: String,
        /// What it looks like and what to do, e.g. "an Excel workbook (.xlsx): ...".
        what: String,
    },
    /// The file is larger than the workbook opens.
    TooLarge {
        /// The file's name.
        name: String,
        /// Its size in bytes.
        size: u64,
        /// The largest size opened.
        limit: u64,
    },
    /// The text could not be read as CSV.
    Unreadable {
        /// The file's name.
        name: String,
        /// What the reader said (with the line and what to do).
        detail: String,
    },
    /// A header row was asked for that the file does not have.
    NoSuchRow {
        /// The 0-based row asked for.
        row: usize,
        /// How many rows the file has.
        rows: usize,
    },
}

impl fmt::Display for WorkbookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkbookError::Empty { name, blank: false } => write!(
                f,
                "{name} is empty (0 bytes): there is nothing to read. Export the users again \
                 and choose the new file."
            ),
            WorkbookError::Empty { name, blank: true } => write!(
                f,
                "{name} holds only blank lines: there are no users in it. Check that you \
                 chose the right file, or export it again."
            ),
            WorkbookError::NotText { name, what } => write!(f, "{name} is {what}"),
            WorkbookError::TooLarge { name, size, limit } => write!(
                f,
                "{name} is {:.0} MB, more than the {:.0} MB this converter opens at once. Split \
                 it into smaller CSV files (the server imports each on its own).",
                *size as f64 / 1e6,
                *limit as f64 / 1e6
            ),
            WorkbookError::Unreadable { name, detail } => write!(f, "{name}: {detail}"),
            WorkbookError::NoSuchRow { row, rows } => write!(
                f,
                "the file has {rows} rows, so row {} cannot be the header. Choose a row from \
                 the preview.",
                row + 1
            ),
        }
    }
}

impl std::error::Error for WorkbookError {}

/// Which rows the import file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportRows {
    /// Only rows without errors (what the server would accept).
    ValidOnly,
    /// Every data row with data, errors included (to fix elsewhere).
    All,
}

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
    /// Per-user choices that matched no user in both files.
    pub unused_overrides: Vec<String>,
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
    /// The delimiter: ",", ";" or "\t".
    pub delimiter: String,
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
}

/// What a writer wrote, and why rows were left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteReport {
    /// Data rows written (the header not counted).
    pub rows: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Data rows left out.
    pub skipped: u64,
    /// What was written, what was left out and why, in sentences.
    pub note: String,
}

/// The server's current export, loaded to merge against.
#[derive(Debug, Clone)]
struct Existing {
    name: String,
    sheet: Sheet,
    header_row: usize,
    mapping: Mapping,
    notes: Vec<String>,
}

/// A file read into a sheet, with how it was read.
struct Loaded {
    encoding: TextEncoding,
    encoding_reason: String,
    replacement_count: u64,
    replacement_message: Option<String>,
    delimiter: u8,
    delimiter_reason: String,
    doc: CsvDocument,
}

/// An opened BioStar user CSV: mapping, findings, edits and merge (see the module notes).
#[derive(Debug)]
pub struct Workbook {
    name: String,
    size: u64,
    options: OpenOptions,
    encoding: TextEncoding,
    encoding_reason: String,
    replacement_count: u64,
    replacement_message: Option<String>,
    delimiter: u8,
    delimiter_reason: String,
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
}

/// Counts the bytes passed to a writer.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A cell cut to `max` characters, with "…" when cut.
fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// "a", "2 columns", "1 row"...: a count with its noun.
fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// What a file that is not text looks like and what to do, if it is not text.
fn not_text(bytes: &[u8], encoding: TextEncoding) -> Option<String> {
    let head = &bytes[..bytes.len().min(BINARY_SNIFF)];
    let save_as = "open it in its program and save it as \"CSV UTF-8 (comma delimited)\", then \
                   choose the CSV file.";
    if head.starts_with(b"PK\x03\x04") {
        return Some(format!(
            "a ZIP archive, as an Excel workbook (.xlsx) is, not a CSV text file: {save_as}"
        ));
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(format!(
            "an old Excel workbook (.xls), not a CSV text file: {save_as}"
        ));
    }
    if head.starts_with(&[0x1F, 0x8B]) {
        return Some(
            "gzip-compressed (a BioStar data file is), not a user CSV: open it as a data file, \
             or choose the CSV the server's \"Export CSV\" wrote."
                .to_string(),
        );
    }
    if head.starts_with(b"%PDF") {
        return Some(
            "a PDF document, not a CSV text file: export the users as CSV instead.".to_string(),
        );
    }
    if matches!(encoding, TextEncoding::Utf16Le | TextEncoding::Utf16Be) || head.is_empty() {
        return None;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A))
        .count();
    (control * 100 > head.len()).then(|| {
        format!(
            "not a text file: {} of its first {} bytes are control bytes that text does not \
             hold. Choose the CSV file the server or your spreadsheet program wrote.",
            control,
            head.len()
        )
    })
}

/// Reads bytes into a sheet: encoding and delimiter forced or detected.
fn load(
    bytes: Vec<u8>,
    name: &str,
    encoding: Option<TextEncoding>,
    delimiter: Option<u8>,
) -> Result<Loaded, WorkbookError> {
    let size = bytes.len() as u64;
    if bytes.is_empty() {
        return Err(WorkbookError::Empty {
            name: name.to_string(),
            blank: false,
        });
    }
    if size > MAX_FILE_BYTES {
        return Err(WorkbookError::TooLarge {
            name: name.to_string(),
            size,
            limit: MAX_FILE_BYTES,
        });
    }
    // UTF-8 without a BOM (the usual file) is checked once, for detecting and decoding.
    let (bytes, utf8) = match encoding {
        Some(_) => (bytes, None),
        None => match detect_and_decode_utf8(bytes) {
            Ok(found) => (Vec::new(), Some(found)),
            Err(bytes) => (bytes, None),
        },
    };
    let (chosen, encoding_reason) = match (encoding, &utf8) {
        (Some(e), _) => (e, format!("{} chosen by you", e.label())),
        (None, Some((d, _))) => (d.encoding, d.reason.clone()),
        (None, None) => {
            let d = detect(&bytes);
            (d.encoding, d.reason)
        }
    };
    let raw = match &utf8 {
        Some((_, decoded)) => decoded.text.as_bytes(),
        None => bytes.as_slice(),
    };
    if let Some(what) = not_text(raw, chosen) {
        return Err(WorkbookError::NotText {
            name: name.to_string(),
            what,
        });
    }
    // Decoding reuses the buffer for UTF-8; only the decoded text is kept from here.
    let decoded = match utf8 {
        Some((_, decoded)) => decoded,
        None => decode(bytes, Some(chosen)),
    };
    let replacement_message = decoded.replacement_message();
    let (delimiter, delimiter_reason) = match delimiter {
        Some(d) => (d, format!("{} chosen by you", delimiter_name(d))),
        None => {
            let d = detect_delimiter(&decoded.text);
            (d.byte, d.reason)
        }
    };
    let (encoding, replacement_count) = (decoded.encoding, decoded.replacement_count);
    // The sheet's text is the decoded text's own buffer, compacted in place.
    let doc = read_owned(decoded.text, &ReadOptions { delimiter }).map_err(|e| match e {
        ReadError::TooLarge { .. } => WorkbookError::TooLarge {
            name: name.to_string(),
            size,
            limit: MAX_FILE_BYTES,
        },
        other => WorkbookError::Unreadable {
            name: name.to_string(),
            detail: other.to_string(),
        },
    })?;
    if doc.sheet.is_empty() {
        return Err(WorkbookError::Empty {
            name: name.to_string(),
            blank: true,
        });
    }
    Ok(Loaded {
        encoding,
        encoding_reason,
        replacement_count,
        replacement_message,
        delimiter,
        delimiter_reason,
        doc,
    })
}

/// The header row's cells as text.
fn header_cells(sheet: &Sheet, header_row: usize) -> Vec<String> {
    if header_row >= sheet.len() {
        return Vec::new();
    }
    sheet.row(header_row).map(str::to_string).collect()
}

/// Auto-maps the header row of `sheet`.
fn map_header(sheet: &Sheet, header_row: usize, custom_fields: &[String]) -> Mapping {
    let headers = header_cells(sheet, header_row);
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    auto_map(&refs, custom_fields)
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
    Some(format!(
        "The header {how} on line {}: the {} before it (lines {} to {}) are not imported. \
         Choose another \"start import at row\" if that is wrong.",
        sheet.line(header_row),
        plural(header_row as u64, "row", "rows"),
        sheet.line(0),
        sheet.line(header_row - 1)
    ))
}

impl Workbook {
    /// Opens a user CSV: detects (or takes) encoding, delimiter and header row, maps the
    /// columns and validates every row. UTF-8 bytes are not copied.
    pub fn open(
        bytes: Vec<u8>,
        name: &str,
        options: OpenOptions,
    ) -> Result<Workbook, WorkbookError> {
        let size = bytes.len() as u64;
        let loaded = load(bytes, name, options.encoding, options.delimiter)?;
        let sheet = loaded.doc.sheet;
        let (header_row, guessed) = match options.header_row {
            Some(row) if row >= sheet.len() => {
                return Err(WorkbookError::NoSuchRow {
                    row,
                    rows: sheet.len(),
                })
            }
            Some(row) => (row, false),
            None => (guess_header_row(&sheet, is_known_header), true),
        };
        let mapping = map_header(&sheet, header_row, &options.custom_fields);
        let report = validate(&sheet, header_row, &mapping, &options.settings);
        let header_note = header_note(&sheet, header_row, guessed);
        let mut options = options;
        options.custom_fields = mapping.custom_fields.clone();
        Ok(Workbook {
            name: name.to_string(),
            size,
            options,
            encoding: loaded.encoding,
            encoding_reason: loaded.encoding_reason,
            replacement_count: loaded.replacement_count,
            replacement_message: loaded.replacement_message,
            delimiter: loaded.delimiter,
            delimiter_reason: loaded.delimiter_reason,
            sheet,
            read_issues: loaded.doc.issues.iter().map(|i| i.message()).collect(),
            read_issue_count: loaded.doc.issue_count,
            header_row,
            mapping,
            report,
            header_note,
            notes: Vec::new(),
            existing: None,
            merge_default: MergeChoice::Keep,
            merge_overrides: HashMap::new(),
            merge_cache: RefCell::new(None),
            filter_cache: RefCell::new(Vec::new()),
        })
    }

    /// Reads the file again with other options (encoding, delimiter...): keeps manual
    /// remaps (by column index when the header reads the same, else by header text), the
    /// existing export and merge choices; edits are lost, and the notes say so.
    pub fn reopen(&self, bytes: Vec<u8>, options: OpenOptions) -> Result<Workbook, WorkbookError> {
        let mut wb = Workbook::open(bytes, &self.name, options)?;
        let old_header = header_cells(&self.sheet, self.header_row);
        let new_header = header_cells(&wb.sheet, wb.header_row);
        let manual: Vec<&ColumnMapping> = self
            .mapping
            .columns
            .iter()
            .filter(|c| c.how == MatchKind::Manual && !is_error_description(&c.header))
            .collect();
        let mut lost: Vec<String> = Vec::new();
        for cm in &manual {
            let target_col = if old_header == new_header {
                Some(cm.column)
            } else {
                let same: Vec<usize> = new_header
                    .iter()
                    .enumerate()
                    .filter(|(_, h)| **h == cm.header)
                    .map(|(i, _)| i)
                    .collect();
                match same.as_slice() {
                    [one] => Some(*one),
                    _ => None,
                }
            };
            match target_col {
                Some(c) => {
                    wb.mapping.remap(c, cm.target.clone());
                }
                None => lost.push(cm.header.clone()),
            }
        }
        if !manual.is_empty() {
            wb.options.custom_fields = wb.mapping.custom_fields.clone();
            wb.revalidate_all();
        }
        let reading = format!(
            "{} and {} delimiters",
            wb.encoding.label(),
            delimiter_name(wb.delimiter)
        );
        let edits = self.sheet.edit_count() as u64;
        if edits > 0 {
            wb.notes.push(format!(
                "Your {} dropped when the file was read again with {reading}: make {} again.",
                plural(edits, "edit was", "edits were"),
                if edits == 1 { "it" } else { "them" }
            ));
        }
        if !lost.is_empty() {
            wb.notes.push(format!(
                "The header reads differently now, so your mapping of {} ({}) was not kept: \
                 map {} again.",
                plural(lost.len() as u64, "column", "columns"),
                lost.iter()
                    .map(|h| format!("\"{h}\""))
                    .collect::<Vec<_>>()
                    .join(", "),
                if lost.len() == 1 { "it" } else { "them" }
            ));
        }
        wb.existing = self.existing.clone();
        wb.merge_default = self.merge_default;
        wb.merge_overrides = self.merge_overrides.clone();
        Ok(wb)
    }

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

    /// Every data-row finding as shown in the app, in row order, with the row's line.
    pub fn findings(&self) -> impl Iterator<Item = (usize, u64, FindingView)> + '_ {
        self.report.data_rows().flat_map(move |row| {
            self.report
                .findings_of(row)
                .iter()
                .map(move |f| (row, self.sheet.line(row), self.finding_view(f)))
        })
    }

    fn finding_view(&self, f: &crate::workbench::validate::Finding) -> FindingView {
        FindingView {
            col: f.col.map(|c| c as usize),
            rule: f.rule.id().to_string(),
            severity: f.severity(),
            message: f.message(&self.sheet, self.header_row, &self.mapping),
        }
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
        self.report = validate(
            &self.sheet,
            self.header_row,
            &self.mapping,
            &self.options.settings,
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
    // Views

    /// Everything the app shows except the rows.
    pub fn view(&self) -> WorkbookView {
        let preview = (0..self.sheet.len().min(PREVIEW_ROWS))
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
            .collect();
        let data = self.report.data_rows();
        let sample_rows = data.start..data.end.min(data.start + SAMPLE_ROWS);
        let columns = self
            .mapping
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
            .collect();
        WorkbookView {
            name: self.name.clone(),
            size: self.size,
            encoding: self.encoding,
            encoding_reason: self.encoding_reason.clone(),
            replacement_count: self.replacement_count,
            replacement_message: self.replacement_message.clone(),
            delimiter: (self.delimiter as char).to_string(),
            delimiter_reason: self.delimiter_reason.clone(),
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
    fn row_view(&self, row: usize) -> RowView {
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
    /// in) and re-checks it at once. Returns the edited row, then every other row whose
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
        let affected = self.report.revalidate_row(
            &self.sheet,
            self.header_row,
            &self.mapping,
            &self.options.settings,
            row,
        );
        self.merge_cache.borrow_mut().take();
        {
            let mut cache = self.filter_cache.borrow_mut();
            for (filter, list) in cache.iter_mut() {
                let rule = Self::filter_rule(filter);
                for &r in &affected {
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

    /// Loads the server's current export to merge against (replacing one loaded before).
    /// Its columns that match no field are read as custom fields: the server wrote them.
    pub fn load_existing(&mut self, bytes: Vec<u8>, name: &str) -> Result<(), WorkbookError> {
        let loaded = load(bytes, name, None, None)?;
        let sheet = loaded.doc.sheet;
        let header_row = guess_header_row(&sheet, is_known_header);
        let mut mapping = map_header(&sheet, header_row, &self.options.custom_fields);
        let mut as_custom = Vec::new();
        for c in 0..mapping.columns.len() {
            let Some(cm) = mapping.columns.get(c) else {
                continue;
            };
            if cm.is_undecided() && !cm.header.trim().is_empty() {
                let header = cm.header.trim().to_string();
                as_custom.push(format!("\"{header}\""));
                mapping.remap(c, Some(Field::Custom(header)));
            }
        }
        let mut notes = Vec::new();
        if let Some(n) = header_note(&sheet, header_row, true) {
            notes.push(n);
        }
        if !as_custom.is_empty() {
            notes.push(format!(
                "The export's {} {} no BioStar field: read as custom user fields, since the \
                 server wrote them.",
                plural(as_custom.len() as u64, "column", "columns"),
                as_custom.join(", ")
                    + if as_custom.len() == 1 {
                        " matches"
                    } else {
                        " match"
                    }
            ));
        }
        if let Some(m) = &loaded.replacement_message {
            notes.push(format!("In the export: {m}"));
        }
        for issue in loaded.doc.issues.iter().take(5) {
            notes.push(format!("In the export: {}", issue.message()));
        }
        if mapping.column_of(&Field::UserId).is_none() {
            notes.push(
                "The export has no user_id column, so no user can be matched: every row of \
                 your file counts as new. Choose the CSV the server's \"Export CSV\" wrote."
                    .to_string(),
            );
        }
        self.existing = Some(Arc::new(Existing {
            name: name.to_string(),
            sheet,
            header_row,
            mapping,
            notes,
        }));
        self.merge_cache.borrow_mut().take();
        Ok(())
    }

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

    fn merge_counts(&self) -> Option<MergeCountsView> {
        self.with_merge(|m, existing| MergeCountsView {
            existing_name: existing.name.clone(),
            existing_rows: existing.sheet.len().saturating_sub(existing.header_row + 1),
            counts: m.counts,
            import_rows: m
                .import_rows()
                .filter(|r| {
                    r.incoming
                        .is_some_and(|i| self.report.status(i as usize) != RowStatus::Errors)
                })
                .count() as u64,
            unused_overrides: m.unused_overrides.clone(),
            notes: existing.notes.clone(),
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

    // -----------------------------------------------------------------------------------
    // Writing

    /// An error when the mapping cannot be written: two columns on one field.
    fn check_conflicts(&self) -> io::Result<()> {
        match self.mapping.conflicts().first() {
            Some(c) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("Nothing was written. {}", c.message()),
            )),
            None => Ok(()),
        }
    }

    /// The mapped columns (in column order) and a sentence about the columns left out,
    /// counting the values they hold on `rows`.
    fn left_out_columns(&self, rows: &[usize]) -> (Vec<usize>, Vec<String>) {
        let cols: Vec<usize> = self
            .mapping
            .columns
            .iter()
            .filter(|c| c.target.is_some())
            .map(|c| c.column)
            .collect();
        let mut notes = Vec::new();
        for cm in &self.mapping.columns {
            if cm.target.is_some() {
                continue;
            }
            let values = rows
                .iter()
                .filter(|&&r| !self.sheet.cell_or_empty(r, cm.column).trim().is_empty())
                .count() as u64;
            let name = if cm.header.trim().is_empty() {
                format!("column {}", column_letter(cm.column))
            } else {
                format!("\"{}\" ({})", cm.header.trim(), column_letter(cm.column))
            };
            let why = if cm.is_ignored() {
                "ignored"
            } else {
                "not mapped"
            };
            let held = if values == 0 {
                "no written row had a value in it".to_string()
            } else {
                format!("{} not written", plural(values, "value", "values"))
            };
            notes.push(format!("{name} is {why}, so it was left out ({held})."));
        }
        (cols, notes)
    }

    /// Writes the import file for the server's "Import CSV": BioStar header names, UTF-8
    /// without BOM, CRLF, comma; the rows without errors (or all rows with data). With an
    /// existing export loaded, the rows are the merge's new and overwritten users.
    pub fn write_import<W: Write>(&self, out: W, rows: ImportRows) -> io::Result<WriteReport> {
        self.check_conflicts()?;
        if self.mapping.column_of(&Field::UserId).is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "Nothing was written: no column is mapped to user_id, and the server needs \
                 an ID for every user. Map the column holding the IDs to user_id.",
            ));
        }
        if self.existing.is_none() {
            return self.write_plain(out, rows);
        }
        match self.with_merge(|m, existing| self.write_merged(out, m, existing, rows)) {
            Some(written) => written,
            None => Err(io::Error::other("the existing export was not kept")),
        }
    }

    /// Writes the file's own data rows (no merge).
    fn write_plain<W: Write>(&self, out: W, which: ImportRows) -> io::Result<WriteReport> {
        let mut rows = Vec::new();
        let (mut errors, mut blank) = (0u64, 0u64);
        let header_width = self.header_width();
        let mut past_header = 0u64;
        for r in self.report.data_rows() {
            let findings = self.report.findings_of(r);
            if findings.iter().any(|f| f.rule == Rule::BlankRow) {
                blank += 1;
                continue;
            }
            if which == ImportRows::ValidOnly && self.report.status(r) == RowStatus::Errors {
                errors += 1;
                continue;
            }
            past_header += self
                .sheet
                .row(r)
                .skip(header_width)
                .filter(|v| !v.trim().is_empty())
                .count() as u64;
            rows.push(r);
        }
        let (cols, mut notes) = self.left_out_columns(&rows);
        if errors > 0 {
            notes.insert(
                0,
                format!(
                    "{} with errors left out: fix them (the error file lists them) and import \
                     them next.",
                    plural(errors, "row", "rows")
                ),
            );
        }
        if blank > 0 {
            notes.push(format!(
                "{} without any value left out.",
                plural(blank, "blank row", "blank rows")
            ));
        }
        if past_header > 0 {
            notes.push(format!(
                "{} past the header's last column not written (no header says what they are).",
                plural(past_header, "value", "values")
            ));
        }
        let header = self.mapping.output_header();
        let mut counting = Counting {
            inner: out,
            bytes: 0,
        };
        let mut writer = CsvWriter::new(&mut counting, &import_options());
        writer.write_row(header.iter().map(String::as_str))?;
        // Rows as read lie in the sheet with its separator between cells: when every
        // column is written in the file's order and the separator is the import file's
        // delimiter, such a row is written as it lies (unless a cell needs quotes).
        let same_columns = cols.iter().enumerate().all(|(k, &c)| k == c)
            && self.sheet.separator() == import_options().delimiter;
        let mut cells: Vec<&str> = Vec::new();
        for &r in &rows {
            let row = self.sheet.row(r);
            let width = row.len();
            let span = row.span();
            if let Some(span) = span {
                if same_columns && width == cols.len() && writer.write_joined(span, width)? {
                    continue;
                }
            }
            cells.clear();
            cells.extend(row);
            let values = cols.iter().map(|&c| cells.get(c).copied().unwrap_or(""));
            match span {
                Some(span) => writer.write_row_from(span, width, values)?,
                None => writer.write_row(values)?,
            }
        }
        writer.finish()?;
        let written = rows.len() as u64;
        let total = self.report.data_rows().len() as u64;
        let head = format!(
            "Wrote {} of {} with {} for \"Import CSV\" (UTF-8, comma, CRLF).",
            plural(written, "row", "rows"),
            plural(total, "data row", "data rows"),
            plural(header.len() as u64, "column", "columns"),
        );
        Ok(WriteReport {
            rows: written,
            bytes: counting.bytes,
            skipped: total - written,
            note: std::iter::once(head)
                .chain(notes)
                .collect::<Vec<_>>()
                .join(" "),
        })
    }

    /// Writes the merged import file: the merge's new and overwritten users.
    fn write_merged<W: Write>(
        &self,
        out: W,
        m: &MergeResult,
        existing: &Existing,
        which: ImportRows,
    ) -> io::Result<WriteReport> {
        let mut errors = 0u64;
        let (mut new, mut overwritten) = (0u64, 0u64);
        let mut source_rows = Vec::new();
        let header = m.output_header();
        let mut counting = Counting {
            inner: out,
            bytes: 0,
        };
        let mut writer = CsvWriter::new(&mut counting, &import_options());
        writer.write_row(header.iter().map(String::as_str))?;
        for out_row in m.import_rows() {
            let Some(r) = out_row.incoming.map(|r| r as usize) else {
                continue;
            };
            if which == ImportRows::ValidOnly && self.report.status(r) == RowStatus::Errors {
                errors += 1;
                continue;
            }
            match out_row.kind {
                RowKind::New => new += 1,
                _ => overwritten += 1,
            }
            source_rows.push(r);
            writer.write_row(
                (0..m.fields.len()).map(|f| m.value(out_row, f, &self.sheet, &existing.sheet)),
            )?;
        }
        writer.finish()?;
        let skipped_merge = m
            .skipped
            .iter()
            .filter(|s| s.side == Side::Incoming)
            .count() as u64;
        let (_, column_notes) = self.left_out_columns(&source_rows);
        let mut notes = vec![format!(
            "Merged with {}: {} and {} written; import this file with \"overwrite\".",
            existing.name,
            plural(new, "new user", "new users"),
            plural(overwritten, "overwritten user", "overwritten users"),
        )];
        let c = m.counts;
        if c.kept > 0 || c.identical > 0 {
            notes.push(format!(
                "Left out, so the server keeps them as stored: {} you chose to keep and {} \
                 already the same.",
                plural(c.kept as u64, "user", "users"),
                plural(c.identical as u64, "user", "users"),
            ));
        }
        if errors > 0 {
            notes.push(format!(
                "{} with errors left out: fix them (the error file lists them).",
                plural(errors, "row", "rows")
            ));
        }
        if skipped_merge > 0 {
            notes.push(format!(
                "{} without a user ID or repeating one left out of the merge.",
                plural(skipped_merge, "row", "rows")
            ));
        }
        if c.cards_removed > 0 {
            notes.push(format!(
                "Overwriting removes the stored card of {}: their card cell is blank in your \
                 file.",
                plural(c.cards_removed as u64, "user", "users")
            ));
        }
        notes.extend(column_notes);
        let written = new + overwritten;
        let total = self.report.data_rows().len() as u64;
        Ok(WriteReport {
            rows: written,
            bytes: counting.bytes,
            skipped: total.saturating_sub(written),
            note: notes.join(" "),
        })
    }

    /// Writes the failed-rows file, as the server's own: the rows with errors, all their
    /// columns (current text) under the original headers, then `Error_Description`
    /// naming every problem of the row; UTF-8 with BOM, CRLF.
    pub fn write_errors<W: Write>(&self, out: W) -> io::Result<WriteReport> {
        let rows: Vec<usize> = self
            .report
            .data_rows()
            .filter(|&r| self.report.status(r) == RowStatus::Errors)
            .collect();
        let header = header_cells(&self.sheet, self.header_row);
        // An old Error_Description column (a failed-rows file opened again) is replaced.
        let dropped: Vec<usize> = self
            .mapping
            .columns
            .iter()
            .filter(|c| c.is_ignored() && is_error_description(&c.header))
            .map(|c| c.column)
            .collect();
        let filled = |r: usize| {
            (0..self.sheet.width(r))
                .rev()
                .find(|&c| !self.sheet.cell_or_empty(r, c).is_empty())
                .map_or(0, |c| c + 1)
        };
        let width = rows
            .iter()
            .map(|&r| filled(r))
            .max()
            .unwrap_or(0)
            .max(header.len());
        let cols: Vec<usize> = (0..width).filter(|c| !dropped.contains(c)).collect();
        let mut counting = Counting {
            inner: out,
            bytes: 0,
        };
        let mut writer = CsvWriter::new(&mut counting, &WriteOptions::default());
        writer.write_row(
            cols.iter()
                .map(|&c| header.get(c).map_or("", String::as_str))
                .chain(std::iter::once(ERROR_DESCRIPTION)),
        )?;
        for &r in &rows {
            let findings = self.report.findings_of(r);
            let mut problems: Vec<String> = findings
                .iter()
                .filter(|f| f.severity() == Severity::Error)
                .map(|f| f.message(&self.sheet, self.header_row, &self.mapping))
                .collect();
            problems.extend(
                findings
                    .iter()
                    .filter(|f| f.severity() == Severity::Warning)
                    .map(|f| {
                        format!(
                            "Warning: {}",
                            f.message(&self.sheet, self.header_row, &self.mapping)
                        )
                    }),
            );
            let description = problems.join(" | ");
            writer.write_row(
                cols.iter()
                    .map(|&c| self.sheet.cell_or_empty(r, c))
                    .chain(std::iter::once(description.as_str())),
            )?;
        }
        writer.finish()?;
        let written = rows.len() as u64;
        let mut note = format!(
            "Wrote {} with errors, every column as read (edits included) and {} naming each \
             problem (UTF-8 with BOM, CRLF, like the server's own failed-rows file).",
            plural(written, "row", "rows"),
            ERROR_DESCRIPTION
        );
        if !dropped.is_empty() {
            note.push_str(" The old Error_Description column was replaced by the new one.");
        }
        Ok(WriteReport {
            rows: written,
            bytes: counting.bytes,
            skipped: 0,
            note,
        })
    }

    /// Writes the chosen rows (sheet indices, in the order given) with the import file's
    /// columns and format, errors or not; rows that are not data rows are left out and
    /// counted.
    pub fn write_rows<W: Write>(&self, out: W, rows: &[usize]) -> io::Result<WriteReport> {
        self.check_conflicts()?;
        let data = self.report.data_rows();
        let chosen: Vec<usize> = rows.iter().copied().filter(|r| data.contains(r)).collect();
        let skipped = (rows.len() - chosen.len()) as u64;
        let (cols, mut notes) = self.left_out_columns(&chosen);
        let header = self.mapping.output_header();
        let mut counting = Counting {
            inner: out,
            bytes: 0,
        };
        let mut writer = CsvWriter::new(&mut counting, &import_options());
        writer.write_row(header.iter().map(String::as_str))?;
        for &r in &chosen {
            writer.write_row(cols.iter().map(|&c| self.sheet.cell_or_empty(r, c)))?;
        }
        writer.finish()?;
        if skipped > 0 {
            notes.insert(
                0,
                format!(
                    "{} not data rows (the header or rows before it) left out.",
                    plural(skipped, "row", "rows")
                ),
            );
        }
        let head = format!(
            "Wrote {} with the import file's {}.",
            plural(chosen.len() as u64, "selected row", "selected rows"),
            plural(header.len() as u64, "column", "columns")
        );
        Ok(WriteReport {
            rows: chosen.len() as u64,
            bytes: counting.bytes,
            skipped,
            note: std::iter::once(head)
                .chain(notes)
                .collect::<Vec<_>>()
                .join(" "),
        })
    }

    /// The opened name without folders and extension ("users" for "C:\\x\\users.csv").
    fn stem(&self) -> &str {
        let base = self.name.rsplit(['/', '\\']).next().unwrap_or(&self.name);
        let stem = match base.rsplit_once('.') {
            Some((s, _)) if !s.is_empty() => s,
            _ => base,
        };
        if stem.is_empty() {
            "users"
        } else {
            stem
        }
    }

    /// The import file's name: "users_import.csv" for "users.csv".
    pub fn import_file_name(&self) -> String {
        format!("{}_import.csv", self.stem())
    }

    /// The failed-rows file's name: "users_errors.csv" for "users.csv".
    pub fn error_file_name(&self) -> String {
        format!("{}_errors.csv", self.stem())
    }
}

/// The line of a sheet row, or 0 past the end.
fn line_of(sheet: &Sheet, row: usize) -> u64 {
    if row < sheet.len() {
        sheet.line(row)
    } else {
        0
    }
}

/// The import file's format: comma, UTF-8 without BOM, CRLF.
fn import_options() -> WriteOptions {
    WriteOptions {
        delimiter: b',',
        bom: false,
        crlf: true,
    }
}

#[cfg(test)]
mod tests;
