//! BioStar 2 / BioStar X user CSV: reader and writer, lossless for untouched cells.
//!
//! [`detect_delimiter`] and [`read`] turn decoded text into a [`Sheet`] (every record, the
//! preamble before the header included), flagging what the BioStar server would read
//! differently; [`guess_header_row`] finds the header; [`CsvWriter`] writes rows back,
//! quoting only where needed.
//!
//! Lines are counted the way editors number them: by line feed (CR LF counts once); in a
//! file with no line feed at all (old Mac text), by carriage return.

use crate::model::{Sheet, SheetError};
use crate::text::count_bytes;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;

mod write;
pub use write::{write_sheet, CsvWriter, WriteOptions};

/// Records [`detect_delimiter`] looks at.
const DELIMITER_SAMPLE_RECORDS: usize = 50;

/// Bytes [`detect_delimiter`] looks at, at most.
const DELIMITER_SAMPLE_BYTES: usize = 1 << 20;

/// Rows [`guess_header_row`] looks at.
const HEADER_SEARCH_ROWS: usize = 20;

/// Most per-cell issues kept in [`CsvDocument::issues`] (all are counted).
pub const MAX_ISSUES: usize = 1000;

/// A field delimiter bioport reads and writes in a user CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delimiter {
    /// `,`, as BioStar writes.
    Comma,
    /// `;`, as spreadsheets write where the comma is the decimal mark.
    Semicolon,
    /// A tab.
    Tab,
}

impl Delimiter {
    /// Every delimiter, in order of preference when a file fits several (BioStar writes commas).
    pub const ALL: [Delimiter; 3] = [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab];

    /// The byte in the file.
    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
        }
    }

    /// The delimiter of a byte, if bioport reads it.
    pub fn from_byte(byte: u8) -> Option<Delimiter> {
        Delimiter::ALL.into_iter().find(|d| d.byte() == byte)
    }

    /// Stable id for command lines, the protocol and JSON: "comma", "semicolon", "tab".
    pub fn id(self) -> &'static str {
        match self {
            Delimiter::Comma => "comma",
            Delimiter::Semicolon => "semicolon",
            Delimiter::Tab => "tab",
        }
    }

    /// The name shown to the user: "comma (,)", "semicolon (;)", "tab".
    pub fn label(self) -> &'static str {
        match self {
            Delimiter::Comma => "comma (,)",
            Delimiter::Semicolon => "semicolon (;)",
            Delimiter::Tab => "tab",
        }
    }

    /// The delimiter a person or a script named: its id, or the character itself
    /// (`,` `;`, a tab or `\t`).
    pub fn parse(s: &str) -> Option<Delimiter> {
        match s {
            "," => Some(Delimiter::Comma),
            ";" => Some(Delimiter::Semicolon),
            "\t" | "\\t" => Some(Delimiter::Tab),
            id => Delimiter::ALL.into_iter().find(|d| d.id() == id),
        }
    }
}

impl std::fmt::Display for Delimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// The delimiter [`detect_delimiter`] chose and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelimiterGuess {
    /// The delimiter.
    pub delimiter: Delimiter,
    /// Why it was chosen, in words for the user.
    pub reason: String,
}

impl DelimiterGuess {
    /// The delimiter's byte.
    pub fn byte(&self) -> u8 {
        self.delimiter.byte()
    }
}

/// Scanner states matching csv-core's: a quote opens a quoted field only at a field's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Field counts of the first `max_records` records of `bytes` split by `delimiter`,
/// honouring quotes and skipping blank lines.
fn field_counts(bytes: &[u8], delimiter: u8, max_records: usize, complete: bool) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut fields = 1usize;
    let mut state = Scan::FieldStart;
    let mut in_record = false;
    for &b in bytes {
        let line_break = b == b'\n' || b == b'\r';
        match state {
            Scan::FieldStart | Scan::Unquoted | Scan::QuoteInQuoted
                if line_break && (in_record || state != Scan::FieldStart) =>
            {
                counts.push(fields);
                if counts.len() >= max_records {
                    return counts;
                }
                fields = 1;
                state = Scan::FieldStart;
                in_record = false;
            }
            Scan::FieldStart if line_break => {} // a blank line
            Scan::FieldStart | Scan::Unquoted | Scan::QuoteInQuoted if b == delimiter => {
                fields += 1;
                state = Scan::FieldStart;
                in_record = true;
            }
            Scan::FieldStart => {
                state = if b == b'"' {
                    Scan::Quoted
                } else {
                    Scan::Unquoted
                };
                in_record = true;
            }
            Scan::Unquoted => {}
            Scan::Quoted => {
                if b == b'"' {
                    state = Scan::QuoteInQuoted;
                }
            }
            Scan::QuoteInQuoted => {
                state = if b == b'"' {
                    Scan::Quoted
                } else {
                    Scan::Unquoted
                };
            }
        }
    }
    if in_record && complete {
        counts.push(fields);
    }
    counts
}

/// How one candidate delimiter splits the sample.
#[derive(Debug, Clone, Copy)]
struct Split {
    delimiter: Delimiter,
    fields: usize,
    agreeing: usize,
    records: usize,
}

impl Split {
    /// Share of records that have the most common field count.
    fn share(&self) -> f64 {
        self.agreeing as f64 / self.records.max(1) as f64
    }
}

/// Chooses `,` `;` or tab: the one splitting the first ~50 records (outside quotes) into a
/// consistent number of fields above one; comma when none does.
pub fn detect_delimiter(text: &str) -> DelimiterGuess {
    let mut end = text.len().min(DELIMITER_SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = text.as_bytes().get(..end).unwrap_or(&[]);
    let complete = end == text.len();

    let mut best: Option<Split> = None;
    for delimiter in Delimiter::ALL {
        let counts = field_counts(sample, delimiter.byte(), DELIMITER_SAMPLE_RECORDS, complete);
        let mut tally: Vec<(usize, usize)> = Vec::new();
        for &count in &counts {
            match tally.iter_mut().find(|(fields, _)| *fields == count) {
                Some((_, seen)) => *seen += 1,
                None => tally.push((count, 1)),
            }
        }
        let Some(&(fields, agreeing)) = tally.iter().max_by_key(|(fields, seen)| (*seen, *fields))
        else {
            continue;
        };
        if fields < 2 {
            continue;
        }
        let split = Split {
            delimiter,
            fields,
            agreeing,
            records: counts.len(),
        };
        best = match best {
            None => Some(split),
            Some(old) => {
                let clearly_more_consistent = split.share() > old.share() + 0.1;
                let as_consistent_and_wider =
                    (split.share() - old.share()).abs() <= 0.1 && split.fields > old.fields;
                if clearly_more_consistent || as_consistent_and_wider {
                    Some(split)
                } else {
                    Some(old)
                }
            }
        };
    }
    match best {
        Some(split) => DelimiterGuess {
            delimiter: split.delimiter,
            reason: format!(
                "{} gives {} fields on {} of the first {} records",
                split.delimiter.id(),
                split.fields,
                split.agreeing,
                split.records
            ),
        },
        None => DelimiterGuess {
            delimiter: Delimiter::Comma,
            reason:
                "no comma, semicolon or tab splits the first records into more than one field; \
                     assuming comma, as BioStar writes"
                    .to_string(),
        },
    }
}

/// How to read a CSV text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// The field delimiter, usually from [`detect_delimiter`].
    pub delimiter: u8,
}

impl Default for ReadOptions {
    /// Comma, as BioStar writes.
    fn default() -> Self {
        ReadOptions { delimiter: b',' }
    }
}

/// Something in the file that was read but needs the user's attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReadIssue {
    /// A quoted cell holds a line break (CR or LF): read correctly here, but the BioStar
    /// server's parser would split the record there.
    QuotedNewline {
        /// 0-based row in the sheet.
        row: usize,
        /// 0-based column.
        col: usize,
        /// 1-based source line where the cell starts.
        line: u64,
        /// 1-based source line where its closing quote is.
        #[serde(default)]
        end_line: u64,
    },
    /// A quote opened on this line is never closed: the rest of the file went into one cell.
    UnterminatedQuote {
        /// 1-based source line of the opening quote.
        line: u64,
    },
    /// Blank lines between records held no values and were skipped.
    BlankLines {
        /// How many blank lines were skipped between records.
        count: u64,
        /// 1-based line of the first of them.
        first_line: u64,
    },
}

impl ReadIssue {
    /// What is wrong, where, and what to do.
    pub fn message(&self) -> String {
        match self {
            ReadIssue::QuotedNewline {
                col,
                line,
                end_line,
                ..
            } if *end_line > line + 1 => format!(
                "line {line}, column {}: a quoted value opens here and closes on line {end_line}, so \
                 {} lines were read into this one cell. If its opening quote is a stray (a value \
                 such as \"Kim without its closing quote), the rows on those lines are inside this \
                 cell and not read as users: remove the stray quote. Otherwise remove the line breaks \
                 from the value.",
                col + 1,
                end_line - line + 1
            ),
            ReadIssue::QuotedNewline { col, line, .. } => format!(
                "line {line}, column {}: this quoted value contains a line break. bioport reads it as \
                 one value, but the BioStar server's CSV import would read the text after the break as \
                 a separate record. Remove the line break from the value (or replace it with a space).",
                col + 1
            ),
            ReadIssue::UnterminatedQuote { line } => format!(
                "line {line}: a quoted value opens here and is never closed, so everything from here to the end \
                 of the file was read into this one cell. Add the closing quote (\") where the value ends, \
                 or remove the opening quote."
            ),
            ReadIssue::BlankLines { count, first_line } => {
                let lines = if *count == 1 {
                    format!("line {first_line} is blank and was")
                } else {
                    format!("{count} blank lines (the first on line {first_line}) were")
                };
                format!(
                    "{lines} skipped: blank lines hold no values and are left out of the converted file. \
                     Nothing to do, unless a user's row was meant to be there."
                )
            }
        }
    }

    /// The 1-based source line the issue is about.
    pub fn line(&self) -> u64 {
        match self {
            ReadIssue::QuotedNewline { line, .. } | ReadIssue::UnterminatedQuote { line } => *line,
            ReadIssue::BlankLines { first_line, .. } => *first_line,
        }
    }
}

/// Why a CSV text could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The cells hold more than 4 GiB of text.
    TooLarge {
        /// 1-based line of the record that did not fit.
        line: u64,
    },
    /// The delimiter cannot separate fields (a quote, a line break or a non-ASCII byte).
    UnsupportedDelimiter {
        /// The byte asked for.
        delimiter: u8,
    },
    /// The CSV parser stopped (not expected for decoded text; kept so nothing panics).
    Parse {
        /// 1-based line where it stopped.
        line: u64,
        /// The parser's own words.
        detail: String,
    },
}

impl From<SheetError> for ReadError {
    fn from(e: SheetError) -> Self {
        match e {
            SheetError::TooLarge { line } => ReadError::TooLarge { line },
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::TooLarge { line } => write!(
                f,
                "line {line}: the file holds more than 4 GiB of text; split it into smaller files and open them one at a time"
            ),
            ReadError::UnsupportedDelimiter { delimiter } => write!(
                f,
                "byte 0x{delimiter:02X} cannot separate fields; choose comma, semicolon or tab as the delimiter"
            ),
            ReadError::Parse { line, detail } => write!(
                f,
                "line {line}: the CSV could not be read ({detail}); save the file again as CSV from its program and retry"
            ),
        }
    }
}

impl std::error::Error for ReadError {}

/// A CSV file read into a [`Sheet`], with what needs attention.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvDocument {
    /// Every record, preamble and header included, with its source line.
    pub sheet: Sheet,
    /// The delimiter used.
    pub delimiter: u8,
    /// Issues found: per-cell ones in file order (the first [`MAX_ISSUES`]), then
    /// whole-file ones ([`ReadIssue::UnterminatedQuote`], [`ReadIssue::BlankLines`]).
    pub issues: Vec<ReadIssue>,
    /// How many issues there are in all (may exceed `issues.len()`).
    pub issue_count: u64,
    /// Blank lines skipped anywhere (also before the first record and at the end).
    pub blank_lines: u64,
    /// True when the file's line breaks are CR LF (so a writer can keep them).
    pub crlf: bool,
}

/// Collects issues, keeping the first [`MAX_ISSUES`] per-cell ones and counting all.
#[derive(Debug, Default)]
struct Issues {
    kept: Vec<ReadIssue>,
    count: u64,
}

impl Issues {
    fn note(&mut self, issue: ReadIssue) {
        self.count += 1;
        if self.kept.len() < MAX_ISSUES {
            self.kept.push(issue);
        }
    }
}

/// Writes the separator that follows a cell in the sheet's arena at `at`: a byte already
/// read (or, for a last record without a line break, one more at the end).
fn put_separator(buf: &mut Vec<u8>, at: usize, sep: u8) {
    match buf.get_mut(at) {
        Some(b) => *b = sep,
        None => buf.push(sep),
    }
}

/// A line break: (bytes, line feeds, carriage returns).
type LineBreak = (usize, usize, usize);

/// The line break `rest` starts with (CR LF, or one CR or LF); none at the end of the text.
fn terminator(rest: &[u8]) -> LineBreak {
    match rest {
        [b'\r', b'\n', ..] => (2, 1, 1),
        [b'\n', ..] => (1, 1, 0),
        [b'\r', ..] => (1, 0, 1),
        _ => (0, 0, 0),
    }
}

/// Break bytes in `bytes`: (line feeds, carriage returns).
///
/// Out of line: inlined into the reader's loop, its vector constants stay in registers
/// across every record and are reloaded after each cell's copy, which costs more (counted
/// with cachegrind) than a call for each quoted cell or run of blank lines.
#[inline(never)]
fn breaks_in(bytes: &[u8]) -> (usize, usize) {
    let [lf, cr, _] = count_bytes(bytes, [b'\n', b'\r', b'\n']);
    (lf, cr)
}

/// Reads every record of `text` into a [`Sheet`] (no header handling: preamble rows are
/// kept), with each record's starting line, and flags what BioStar would read differently.
///
/// Copies the text once; [`read_owned`] reads without the copy.
pub fn read(text: &str, opts: &ReadOptions) -> Result<CsvDocument, ReadError> {
    read_owned(text.to_owned(), opts)
}

/// Like [`read`], but the sheet's text is `text`'s own buffer, compacted in place as the
/// records are read: the text and the sheet are never held at once.
///
/// Records are read as csv-core reads them (CR, LF and CR LF each end a record, blank lines
/// are skipped, a quote opens a quoted cell only at the cell's start, `""` in it stands for
/// one quote, and text after its closing quote joins the cell), which the tests check
/// against the csv crate on random text. Each cell is found with a vectorised search for
/// the next delimiter, quote or line break and moved left in one copy.
pub fn read_owned(text: String, opts: &ReadOptions) -> Result<CsvDocument, ReadError> {
    let delimiter = opts.delimiter;
    if !delimiter.is_ascii() || matches!(delimiter, b'"' | b'\r' | b'\n') {
        return Err(ReadError::UnsupportedDelimiter { delimiter });
    }
    let (mut parts, cr_only) = Parts::new(text, delimiter);
    let mut reader = Reader::new(&mut parts, delimiter, cr_only);
    while reader.skip_blank_lines() {
        reader.read_record()?;
    }
    let counts = reader.finish();
    parts.into_document(delimiter, counts)
}

/// `at` as a cell offset of the sheet, or [`ReadError::TooLarge`] for the record starting
/// on `line` when it does not fit in a u32.
#[inline]
fn offset(at: usize, line: u64) -> Result<u32, ReadError> {
    u32::try_from(at).map_err(|_| ReadError::TooLarge { line })
}

/// What a [`read_owned`] fills: the text, compacted in place into the cells' text, the
/// sheet's index and the issues kept.
///
/// Kept apart from the [`Reader`], which only borrows it: a struct whose address reaches a
/// `Vec`'s growth path stays in memory whole, and the reader's counters belong in registers.
struct Parts {
    buf: Vec<u8>,
    /// Each cell's end in the compacted text.
    cell_ends: Vec<u32>,
    /// Each row's first cell in `cell_ends`.
    row_starts: Vec<u32>,
    /// Each row's first line.
    row_lines: Vec<u64>,
    issues: Issues,
}

impl Parts {
    /// `text`'s bytes, with an index allocated once for as many cells and rows as there can
    /// be; and whether lines are numbered by CR (the text has CRs and no line feed).
    fn new(text: String, delimiter: u8) -> (Self, bool) {
        let buf = text.into_bytes();
        let [lf, cr, delimiters] = count_bytes(&buf, [b'\n', b'\r', delimiter]);
        let rows = lf.max(cr) + 1;
        let parts = Parts {
            buf,
            cell_ends: Vec::with_capacity(delimiters + rows),
            row_starts: Vec::with_capacity(rows),
            row_lines: Vec::with_capacity(rows),
            issues: Issues::default(),
        };
        (parts, lf == 0 && cr > 0)
    }

    /// The document read: the sheet over the compacted text, and all issues.
    fn into_document(self, delimiter: u8, counts: Counts) -> Result<CsvDocument, ReadError> {
        // The buffer keeps its capacity: shrinking would copy the whole text (the browser's
        // allocator cannot shrink a large block in place) to give back the dropped quotes and
        // CRs, about one byte a row.
        let mut buf = self.buf;
        buf.truncate(counts.written);
        debug_assert!(std::str::from_utf8(&buf).is_ok());
        // SAFETY: `buf` held valid UTF-8 (it came from a String). Every byte range copied
        // within it starts and ends at a delimiter, quote, CR, LF (all ASCII) or the ends of
        // the text, so each range holds whole characters, and it is copied from bytes not yet
        // written over (writes only ever land before the read position); the bytes written
        // besides are ASCII (`"` and the ASCII delimiter). The result is whole UTF-8
        // sequences end to end: valid UTF-8, without a second pass over 70 MB to show it.
        let text = unsafe { String::from_utf8_unchecked(buf) };
        let (cell_ends, row_starts, row_lines) = (self.cell_ends, self.row_starts, self.row_lines);
        let sheet = Sheet::from_read_parts(text, delimiter, cell_ends, row_starts, row_lines)
            .ok_or_else(|| ReadError::Parse {
                line: 0,
                detail: "the cells do not line up with their text after parsing".to_string(),
            })?;
        Ok(CsvDocument {
            sheet,
            delimiter,
            issues: self.issues.kept,
            issue_count: self.issues.count,
            blank_lines: counts.blank_lines,
            crlf: counts.crlf,
        })
    }
}

/// What a [`Reader`] counted, for the document.
struct Counts {
    /// The length of the compacted text.
    written: usize,
    /// Blank lines skipped anywhere.
    blank_lines: u64,
    /// The line breaks between records are CR LF.
    crlf: bool,
}

/// Blank lines skipped: all of them, and those between two records (an issue).
#[derive(Debug, Default)]
struct BlankLines {
    all: u64,
    interior: u64,
    first_interior: u64,
}

impl BlankLines {
    /// Counts `count` blank lines starting on `line`; `interior` when records come before and
    /// after them.
    #[inline]
    fn note(&mut self, count: u64, line: u64, interior: bool) {
        self.all += count;
        if interior && count > 0 {
            if self.interior == 0 {
                self.first_interior = line;
            }
            self.interior += count;
        }
    }

    /// The issue blank lines between records make, if there are any.
    fn issue(&self) -> Option<ReadIssue> {
        (self.interior > 0).then_some(ReadIssue::BlankLines {
            count: self.interior,
            first_line: self.first_interior,
        })
    }
}

/// One [`read_owned`] under way: where it reads and writes in the text, and what it counts.
///
/// Cells only ever move left (quotes and line breaks are dropped), so the text written never
/// passes the text read: `written <= pos`, and every write lands on bytes already read.
struct Reader<'a> {
    parts: &'a mut Parts,
    /// The text's length (the buffer grows by one separator when the last record has no
    /// line break and nothing was dropped).
    total: usize,
    delimiter: u8,
    /// Lines are numbered by CR.
    cr_only: bool,
    /// The next byte to read.
    pos: usize,
    /// The end of the cell text compacted so far.
    written: usize,
    /// The 1-based line `pos` is on.
    line: u64,
    blank_lines: BlankLines,
    /// Line feeds and CRs that end records or blank lines (not those inside quoted cells).
    lf_between: usize,
    cr_between: usize,
    /// A quoted cell left open to the end of the text.
    unterminated: Option<ReadIssue>,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `parts`' text.
    fn new(parts: &'a mut Parts, delimiter: u8, cr_only: bool) -> Self {
        Reader {
            total: parts.buf.len(),
            parts,
            delimiter,
            cr_only,
            pos: 0,
            written: 0,
            line: 1,
            blank_lines: BlankLines::default(),
            lf_between: 0,
            cr_between: 0,
            unterminated: None,
        }
    }

    /// The lines `lf` line feeds and `cr` carriage returns end.
    #[inline]
    fn lines(&self, lf: usize, cr: usize) -> u64 {
        (if self.cr_only { cr } else { lf }) as u64
    }

    /// Moves past line breaks between records (see [`terminator`]), counting them; returns
    /// the lines passed.
    #[inline]
    fn pass_breaks(&mut self, (bytes, lf, cr): LineBreak) -> u64 {
        self.lf_between += lf;
        self.cr_between += cr;
        let lines = self.lines(lf, cr);
        self.line += lines;
        self.pos += bytes;
        lines
    }

    /// Skips the blank lines before the next record (or at the end of the text); false when
    /// no record is left.
    #[inline]
    fn skip_blank_lines(&mut self) -> bool {
        let rest = &self.parts.buf[self.pos..self.total];
        let gap = rest
            .iter()
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .count();
        if gap > 0 {
            let (lf, cr) = breaks_in(&rest[..gap]);
            let first = self.line;
            let blank = self.pass_breaks((gap, lf, cr));
            let interior = !self.parts.row_starts.is_empty() && self.pos < self.total;
            self.blank_lines.note(blank, first, interior);
        }
        self.pos < self.total
    }

    /// Reads the record at `pos` as a new row, and the line break that ends it.
    #[inline]
    fn read_record(&mut self) -> Result<(), ReadError> {
        let (pos, total, record_line) = (self.pos, self.total, self.line);
        let parts = &mut *self.parts;
        parts
            .row_starts
            .push(offset(parts.cell_ends.len(), record_line)?);
        parts.row_lines.push(record_line);
        let line_end =
            memchr::memchr2(b'\r', b'\n', &parts.buf[pos..total]).map_or(total, |k| pos + k);
        let term = if memchr::memchr(b'"', &parts.buf[pos..line_end]).is_none() {
            self.read_plain_record(line_end, record_line)?
        } else {
            self.read_quoted_record(record_line)?
        };
        self.pass_breaks(term);
        Ok(())
    }

    /// Reads a record without quotes (the usual one), ending at `line_end`: its cells and
    /// their delimiters stay as they are, moved left in one copy, and its line break becomes
    /// the last separator. Returns the line break, taken before it is written over.
    #[inline]
    fn read_plain_record(
        &mut self,
        line_end: usize,
        record_line: u64,
    ) -> Result<LineBreak, ReadError> {
        let (i, w) = (self.pos, self.written);
        let len = line_end - i;
        offset(w + len, record_line)?;
        let parts = &mut *self.parts;
        // Every end is at most w + len, checked above to fit in a u32.
        let delimiters = memchr::memchr_iter(self.delimiter, &parts.buf[i..line_end]);
        parts.cell_ends.extend(delimiters.map(|k| (w + k) as u32));
        parts.cell_ends.push((w + len) as u32);
        let term = terminator(&parts.buf[line_end..self.total]);
        parts.buf.copy_within(i..line_end, w);
        put_separator(&mut parts.buf, w + len, self.delimiter);
        self.written = w + len + 1;
        self.pos = line_end;
        Ok(term)
    }

    /// Reads a record holding a quote, cell by cell; returns its line break, taken before it
    /// is written over.
    #[inline]
    fn read_quoted_record(&mut self, record_line: u64) -> Result<LineBreak, ReadError> {
        let (total, delimiter) = (self.total, self.delimiter);
        let row = self.parts.row_starts.len() - 1;
        let (mut i, mut w, mut col) = (self.pos, self.written, 0);
        loop {
            // A quote opens a quoted cell only at the cell's start.
            if self.parts.buf.get(i) == Some(&b'"') {
                (i, w) = self.read_quoted(i + 1, w, row, col);
            }
            // An unquoted cell, or what follows a closing quote: up to a delimiter or the
            // record's end (a quote here is an ordinary character).
            let rest = &self.parts.buf[i..total];
            let stop = memchr::memchr3(delimiter, b'\r', b'\n', rest).map_or(total, |k| i + k);
            let more = stop < total && self.parts.buf[stop] == delimiter;
            // The record's line break, taken before the separator may be written over it.
            let term = (!more).then(|| terminator(&self.parts.buf[stop..total]));
            w = self.end_cell(i..stop, w, record_line)?;
            match term {
                None => (i, col) = (stop + 1, col + 1),
                Some(term) => {
                    self.written = w;
                    self.pos = stop;
                    return Ok(term);
                }
            }
        }
    }

    /// Reads a quoted cell's text from `i` (past its opening quote) to its closing quote,
    /// `""` standing for one quote, writing it from `w` on; notes a line break in it or a
    /// missing closing quote. Returns where reading and writing go on.
    #[inline]
    fn read_quoted(
        &mut self,
        mut i: usize,
        mut w: usize,
        row: usize,
        col: usize,
    ) -> (usize, usize) {
        let (total, cell_line) = (self.total, self.line);
        let buf = &mut self.parts.buf;
        let (mut lf, mut cr) = (0usize, 0usize);
        let closed = loop {
            let close = memchr::memchr(b'"', &buf[i..total]).map(|k| i + k);
            let part_end = close.unwrap_or(total);
            let (part_lf, part_cr) = breaks_in(&buf[i..part_end]);
            (lf, cr) = (lf + part_lf, cr + part_cr);
            buf.copy_within(i..part_end, w);
            w += part_end - i;
            match close {
                Some(q) if q + 1 < total && buf[q + 1] == b'"' => {
                    buf[w] = b'"';
                    w += 1;
                    i = q + 2;
                }
                Some(q) => {
                    i = q + 1;
                    break true;
                }
                None => {
                    i = total;
                    break false;
                }
            }
        };
        self.line += self.lines(lf, cr);
        if !closed {
            // The rest of the text went into this cell: that is the issue to report.
            self.unterminated = Some(ReadIssue::UnterminatedQuote { line: cell_line });
        } else if lf + cr > 0 {
            self.parts.issues.note(ReadIssue::QuotedNewline {
                row,
                col,
                line: cell_line,
                end_line: self.line,
            });
        }
        (i, w)
    }

    /// Moves the cell text at `from` to `w`, ends the cell there and puts the separator after
    /// it (where a dropped byte was, at `from.end` at the latest); returns where the next
    /// cell's text goes.
    #[inline]
    fn end_cell(
        &mut self,
        from: Range<usize>,
        w: usize,
        record_line: u64,
    ) -> Result<usize, ReadError> {
        let end = w + from.len();
        let parts = &mut *self.parts;
        parts.buf.copy_within(from, w);
        parts.cell_ends.push(offset(end, record_line)?);
        put_separator(&mut parts.buf, end, self.delimiter);
        Ok(end + 1)
    }

    /// Notes the whole-file issues (after the per-cell ones, past the cap) and gives what was
    /// counted.
    fn finish(self) -> Counts {
        let issues = &mut self.parts.issues;
        for issue in [self.unterminated, self.blank_lines.issue()]
            .into_iter()
            .flatten()
        {
            issues.count += 1;
            issues.kept.push(issue);
        }
        Counts {
            written: self.written,
            blank_lines: self.blank_lines.all,
            crlf: self.lf_between > 0 && self.cr_between >= self.lf_between,
        }
    }
}

/// True for cells like "1", "010-1234-5678", "2024-01-01 09:00" or "3.5": digits and separators.
fn looks_numeric(cell: &str) -> bool {
    cell.bytes().any(|b| b.is_ascii_digit())
        && cell
            .bytes()
            .all(|b| b.is_ascii_digit() || b" +-./:,()".contains(&b))
}

/// 1 + the index of the row's last non-blank cell (0 for a blank row).
fn filled_width(sheet: &Sheet, row: usize) -> usize {
    sheet
        .row(row)
        .enumerate()
        .filter(|(_, cell)| !cell.trim().is_empty())
        .last()
        .map_or(0, |(col, _)| col + 1)
}

/// What a row looks like, for [`guess_header_row`].
#[derive(Debug, Default, Clone, Copy)]
struct RowShape {
    filled: usize,
    width: usize,
    known: usize,
    text: usize,
    numeric: usize,
}

/// Counts a row's known field names, text cells and numeric cells.
fn row_shape(sheet: &Sheet, row: usize, is_known_field: &impl Fn(&str) -> bool) -> RowShape {
    let mut shape = RowShape::default();
    for (col, cell) in sheet.row(row).enumerate() {
        let cell = cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
        if cell.is_empty() {
            continue;
        }
        shape.filled += 1;
        shape.width = col + 1;
        shape.known += usize::from(is_known_field(cell));
        if looks_numeric(cell) {
            shape.numeric += 1;
        } else {
            shape.text += 1;
        }
    }
    shape
}

/// The 0-based index of the header row among the first ~20 rows (HR files often start with a
/// title line or blank-ish rows); 0 when nothing looks like a header.
///
/// A row naming known fields wins (the most known names, then text cells, then following rows
/// of a similar width). Without any known name, the first row whose cells are all text (two or
/// more) is taken, provided only narrower rows come before it.
pub fn guess_header_row(sheet: &Sheet, is_known_field: impl Fn(&str) -> bool) -> usize {
    let rows = sheet.len().min(HEADER_SEARCH_ROWS);
    let shapes: Vec<RowShape> = (0..rows)
        .map(|row| row_shape(sheet, row, &is_known_field))
        .collect();
    let similar_rows_follow = |row: usize, width: usize| {
        let next: Vec<usize> = (row + 1..sheet.len().min(row + 6))
            .map(|r| filled_width(sheet, r))
            .collect();
        let similar = next
            .iter()
            .filter(|&&w| w * 2 >= width && w <= width + (width / 4).max(1))
            .count();
        !next.is_empty() && similar * 2 >= next.len()
    };

    let mut best: Option<(usize, i64)> = None;
    for (row, shape) in shapes.iter().enumerate() {
        if shape.known == 0 {
            continue;
        }
        let score = 4 * shape.known as i64 + shape.text as i64 - shape.numeric as i64
            + 2 * i64::from(similar_rows_follow(row, shape.width));
        if best.is_none_or(|(_, top)| score > top) {
            best = Some((row, score));
        }
    }
    if let Some((row, _)) = best {
        return row;
    }

    for (row, shape) in shapes.iter().enumerate() {
        let all_text = shape.text >= 2 && shape.numeric == 0;
        if all_text && similar_rows_follow(row, shape.width) {
            return row;
        }
        // A row this wide is data (or an unrecognised header): stop looking past it.
        if shape.filled * 2 > shapes.iter().map(|s| s.filled).max().unwrap_or(0) {
            return 0;
        }
    }
    0
}

#[cfg(test)]
mod tests;
