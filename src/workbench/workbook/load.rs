//! Opening a user CSV: decoding, delimiter, header row and reading; the options and the errors.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::formats::biostar_csv::{
    detect_delimiter, guess_header_row, read_owned, CsvDocument, Delimiter, ReadError, ReadOptions,
};
use crate::recognize::{recognize, Confidence, FileKind, LookAlike, HEAD_LEN};
use crate::text::{decode, detect, detect_and_decode_utf8, Decoded, TextEncoding};
use crate::workbench::mapping::{
    is_error_description, is_known_header, shown_header, ColumnMapping, Field, MatchKind,
    MAX_HEADER_BYTES,
};
use crate::workbench::merge::MergeChoice;
use crate::workbench::validate::{validate, SiteSettings};

use super::{header_cells, header_note, map_header, plural, Existing, Reading, Workbook};

/// Largest file the workbook opens (the browser's memory holds about three times it).
pub const MAX_FILE_BYTES: u64 = 1 << 30;
/// Leading bytes shown to [`recognize`] to tell a BioStar data file: archive signatures
/// sit in the first 512-byte block, and a short head keeps recognition to microseconds
/// (given all 64 KiB it also sniffs the CSV's shape, about 0.26 ms an open).
const SIGNATURE_HEAD: usize = 512;

/// Most fields a record may have: the columns of the widest spreadsheet (16,384 in Excel
/// and LibreOffice). A wider record cannot be a sheet of users, and mapping, checking and
/// showing millions of columns would cost time and memory for nothing.
pub const MAX_COLUMNS: usize = 16_384;

/// How to open a file: what to force instead of detecting, and the site's settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OpenOptions {
    /// Read the bytes in this encoding instead of detecting it.
    pub encoding: Option<TextEncoding>,
    /// Split fields at this delimiter instead of detecting it.
    pub delimiter: Option<Delimiter>,
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
    /// A record has more fields than any spreadsheet holds: the file is not a user CSV,
    /// or it is split at the wrong delimiter.
    TooManyColumns {
        /// The file's name.
        name: String,
        /// The 1-based source line of the first record that wide.
        line: u64,
        /// Its fields.
        fields: usize,
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
            WorkbookError::TooManyColumns { name, line, fields } => write!(
                f,
                "{name}, line {line}: {fields} fields, more than the {MAX_COLUMNS} columns any \
                 spreadsheet holds. A BioStar user CSV has one column per user field (user_id, \
                 name, department, user_title, ..., a few dozen at most), so this file is not \
                 a user CSV or is split at the wrong delimiter: choose another delimiter, or \
                 export the users again."
            ),
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

/// A file read into a sheet, with how it was read.
struct Loaded {
    reading: Reading,
    doc: CsvDocument,
}

/// What a file that is not text looks like and what to do, if it is not text.
fn not_text(name: &str, bytes: &[u8], encoding: TextEncoding) -> Option<String> {
    let head = &bytes[..bytes.len().min(HEAD_LEN)];
    if let Some(document) = LookAlike::of(head) {
        return Some(document.advice().to_string());
    }
    if is_data_file(name, bytes) {
        return Some(
            "gzip-compressed (a BioStar data file is), not a user CSV: open it as a data file, \
             or choose the CSV the server's \"Export CSV\" wrote."
                .to_string(),
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

/// True when the crate's recognition takes the file for a BioStar data file, a gzip
/// archive (recognised with medium confidence or more). A plain tar archive, recognised
/// only loosely, is left to the check for binary bytes, as before.
fn is_data_file(name: &str, bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(SIGNATURE_HEAD)];
    let recognition = recognize(name, bytes.len() as u64, head);
    recognition.kind == FileKind::BiostarDataFile && recognition.confidence > Confidence::Low
}

/// Reads bytes into a sheet: encoding and delimiter forced or detected.
fn load(
    bytes: Vec<u8>,
    name: &str,
    encoding: Option<TextEncoding>,
    delimiter: Option<Delimiter>,
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
    let (decoded, encoding_reason) = decode_text(bytes, name, encoding)?;
    let replacement_message = decoded.replacement_message();
    let (delimiter, delimiter_reason) = match delimiter {
        Some(d) => (d, format!("{} chosen by you", d.id())),
        None => {
            let d = detect_delimiter(&decoded.text);
            (d.delimiter, d.reason)
        }
    };
    let (encoding, replacement_count) = (decoded.encoding, decoded.replacement_count);
    let doc = read_sheet(decoded.text, name, size, delimiter.byte())?;
    Ok(Loaded {
        reading: Reading {
            encoding,
            encoding_reason,
            replacement_count,
            replacement_message,
            delimiter,
            delimiter_reason,
        },
        doc,
    })
}

/// Decodes the bytes in the forced or detected encoding, refusing files that are not
/// text; returns the text and why that encoding.
fn decode_text(
    bytes: Vec<u8>,
    name: &str,
    encoding: Option<TextEncoding>,
) -> Result<(Decoded, String), WorkbookError> {
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
    if let Some(what) = not_text(name, raw, chosen) {
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
    Ok((decoded, encoding_reason))
}

/// Reads decoded text (`size` bytes as opened) into a sheet split at `delimiter`.
fn read_sheet(
    text: String,
    name: &str,
    size: u64,
    delimiter: u8,
) -> Result<CsvDocument, WorkbookError> {
    // The sheet's text is the decoded text's own buffer, compacted in place.
    let doc = read_owned(text, &ReadOptions { delimiter }).map_err(|e| match e {
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
    let too_wide = (0..doc.sheet.len()).find(|&r| doc.sheet.width(r) > MAX_COLUMNS);
    if let Some(row) = too_wide {
        return Err(WorkbookError::TooManyColumns {
            name: name.to_string(),
            line: doc.sheet.line(row),
            fields: doc.sheet.width(row),
        });
    }
    Ok(doc)
}

/// How the workbench reads a CSV: its encoding, delimiter and header line, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvReading {
    /// The text encoding.
    pub encoding: TextEncoding,
    /// Why that encoding.
    pub encoding_reason: String,
    /// The field delimiter.
    pub delimiter: Delimiter,
    /// Why that delimiter.
    pub delimiter_reason: String,
    /// The 1-based line of the header row (0 when there is none).
    pub header_line: u64,
}

/// The complete lines of a file's first bytes (all of them when `whole`): a line cut
/// at the end of the head would read as a short record or a broken character.
fn complete_lines(head: &[u8], whole: bool) -> &[u8] {
    if whole {
        return head;
    }
    // UTF-16 line ends are two bytes; the BOM tells which one holds the LF.
    let lf_at = |i: usize| match head {
        [0xff, 0xfe, ..] => i.is_multiple_of(2) && head.get(i + 1) == Some(&0),
        [0xfe, 0xff, ..] => i % 2 == 1 && head[i - 1] == 0,
        _ => true,
    };
    let end = (0..head.len())
        .rev()
        .find(|&i| head[i] == b'\n' && lf_at(i));
    match (end, head) {
        (Some(i), [0xff, 0xfe, ..]) => &head[..i + 2],
        (Some(i), _) => &head[..i + 1],
        (None, _) => head,
    }
}

impl Workbook {
    /// How the workbench reads a file, judged from its first bytes (`head`, the whole file
    /// when `whole`), as the page shows it once the file is open; None when the head
    /// cannot be opened as a user CSV.
    pub fn reading_of_head(head: &[u8], whole: bool, name: &str) -> Option<CsvReading> {
        let bytes = complete_lines(head, whole).to_vec();
        let wb = Workbook::open(bytes, name, OpenOptions::default()).ok()?;
        let v = wb.view();
        Some(CsvReading {
            encoding: v.encoding,
            encoding_reason: v.encoding_reason,
            delimiter: v.delimiter,
            delimiter_reason: v.delimiter_reason,
            header_line: v.header_line,
        })
    }

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
            reading: loaded.reading,
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
            faces: None,
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
                    .filter(|(_, h)| shown_header(h) == cm.header)
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
            wb.reading.encoding.label(),
            wb.reading.delimiter.id()
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
        if self.faces.is_some() {
            wb.faces = self.faces.clone();
            wb.revalidate_all();
        }
        Ok(wb)
    }

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
            let header_len = sheet.cell(header_row, c).map_or(0, str::len);
            if cm.is_undecided() && !cm.header.trim().is_empty() && header_len <= MAX_HEADER_BYTES {
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
        if let Some(m) = &loaded.reading.replacement_message {
            notes.push(format!("In the export: {m}"));
        }
        for issue in loaded.doc.issues.iter().take(5) {
            notes.push(format!("In the export: {}", issue.message()));
        }
        if mapping.column_of(&Field::UserId).is_none() {
            return Err(WorkbookError::Unreadable {
                name: name.to_string(),
                detail: format!(
                    "no column of its header (line {}) is user_id, so none of its users could \
                     be matched with yours and the merge was not made. Choose the CSV the \
                     server's \"Export CSV\" wrote.",
                    super::view::line_of(&sheet, header_row)
                ),
            });
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
}
