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
use std::io::{self, Write};

/// Records [`detect_delimiter`] looks at.
const DELIMITER_SAMPLE_RECORDS: usize = 50;

/// Bytes [`detect_delimiter`] looks at, at most.
const DELIMITER_SAMPLE_BYTES: usize = 1 << 20;

/// Rows [`guess_header_row`] looks at.
const HEADER_SEARCH_ROWS: usize = 20;

/// Most per-cell issues kept in [`CsvDocument::issues`] (all are counted).
pub const MAX_ISSUES: usize = 1000;

/// Bytes a [`CsvWriter`] gathers before passing them to its output.
const WRITE_BUFFER: usize = 64 * 1024;

/// The delimiters a CSV file may use, in order of preference (BioStar writes commas).
const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];

/// The English name of a delimiter byte ("comma", "semicolon", "tab").
pub fn delimiter_name(byte: u8) -> &'static str {
    match byte {
        b',' => "comma",
        b';' => "semicolon",
        b'\t' => "tab",
        b'|' => "vertical bar",
        _ => "other character",
    }
}

/// The delimiter [`detect_delimiter`] chose and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delimiter {
    /// The delimiter: `,`, `;` or `\t`.
    pub byte: u8,
    /// Why it was chosen, in words for the user.
    pub reason: String,
}

impl Delimiter {
    /// The English name of the delimiter ("comma", "semicolon", "tab").
    pub fn name(&self) -> &'static str {
        delimiter_name(self.byte)
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
    delimiter: u8,
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
pub fn detect_delimiter(text: &str) -> Delimiter {
    let mut end = text.len().min(DELIMITER_SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = text.as_bytes().get(..end).unwrap_or(&[]);
    let complete = end == text.len();

    let mut best: Option<Split> = None;
    for delimiter in CANDIDATES {
        let counts = field_counts(sample, delimiter, DELIMITER_SAMPLE_RECORDS, complete);
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
        Some(split) => Delimiter {
            byte: split.delimiter,
            reason: format!(
                "{} gives {} fields on {} of the first {} records",
                delimiter_name(split.delimiter),
                split.fields,
                split.agreeing,
                split.records
            ),
        },
        None => Delimiter {
            byte: b',',
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
            ReadIssue::QuotedNewline { col, line, .. } => format!(
                "line {line}, column {}: this quoted value contains a line break. It is read correctly here, \
                 but the BioStar server's CSV import would read the text after the break as a separate record. \
                 Remove the line break from the value (or replace it with a space).",
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

/// The line break `rest` starts with (CR LF, or one CR or LF): (bytes, line feeds,
/// carriage returns); none at the end of the text.
fn terminator(rest: &[u8]) -> (usize, usize, usize) {
    match rest {
        [b'\r', b'\n', ..] => (2, 1, 1),
        [b'\n', ..] => (1, 1, 0),
        [b'\r', ..] => (1, 0, 1),
        _ => (0, 0, 0),
    }
}

/// Break bytes in `bytes`: (line feeds, carriage returns).
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
    let mut buf = text.into_bytes();
    let total = buf.len();
    let [lf, cr, delimiters] = count_bytes(&buf, [b'\n', b'\r', delimiter]);
    let cr_only = lf == 0 && cr > 0;
    let is_break = |b: u8| b == b'\n' || b == b'\r';

    // Upper bounds, so the index is allocated once.
    let rows = lf.max(cr) + 1;
    let mut cell_ends: Vec<u32> = Vec::with_capacity(delimiters + rows);
    let mut row_starts: Vec<u32> = Vec::with_capacity(rows);
    let mut row_lines: Vec<u64> = Vec::with_capacity(rows);

    // `pos`: the next byte to read; `written`: the end of the cell text compacted so far
    // (never past `pos`); `line`: the 1-based line `pos` is on.
    let (mut pos, mut written, mut line) = (0usize, 0usize, 1u64);
    let mut issues = Issues::default();
    let (mut blank_lines, mut interior_blank, mut first_interior_blank) = (0u64, 0u64, 0u64);
    // Line breaks that end records or blank lines (not those inside quoted cells).
    let (mut lf_between, mut cr_between) = (0usize, 0usize);
    let mut unterminated = None;

    loop {
        // Blank lines before the record (or at the end of the text).
        let gap = buf[pos..total].iter().take_while(|&&b| is_break(b)).count();
        if gap > 0 {
            let (g_lf, g_cr) = breaks_in(&buf[pos..pos + gap]);
            lf_between += g_lf;
            cr_between += g_cr;
            let blank = if cr_only { g_cr } else { g_lf } as u64;
            if blank > 0 {
                blank_lines += blank;
                if !row_starts.is_empty() && pos + gap < total {
                    if interior_blank == 0 {
                        first_interior_blank = line;
                    }
                    interior_blank += blank;
                }
            }
            line += blank;
            pos += gap;
        }
        if pos >= total {
            break;
        }

        let row = row_starts.len();
        let record_line = line;
        let too_large = || ReadError::TooLarge { line: record_line };
        row_starts.push(u32::try_from(cell_ends.len()).map_err(|_| too_large())?);
        row_lines.push(line);
        let mut w = written;
        let mut i = pos;
        // The record's line break: (bytes, line feeds, carriage returns), taken before a
        // separator may be written over it.
        let mut term = (0, 0, 0);

        // A record without quotes (the usual one): its cells and their delimiters stay as
        // they are, moved left in one copy, and its line break becomes the last separator.
        let line_end = memchr::memchr2(b'\r', b'\n', &buf[i..total]).map_or(total, |k| i + k);
        if memchr::memchr(b'"', &buf[i..line_end]).is_none() {
            let len = line_end - i;
            u32::try_from(w + len).map_err(|_| too_large())?;
            // Every end is at most w + len, checked above to fit in a u32.
            cell_ends
                .extend(memchr::memchr_iter(delimiter, &buf[i..line_end]).map(|k| (w + k) as u32));
            cell_ends.push((w + len) as u32);
            term = terminator(&buf[line_end..total]);
            buf.copy_within(i..line_end, w);
            w += len;
            put_separator(&mut buf, w, delimiter);
            written = w + 1;
            pos = line_end;
        } else {
            let mut col = 0usize;
            let end = loop {
                // A quoted cell: up to its closing quote, `""` standing for one quote. Cells
                // only ever move left (quotes and line breaks are dropped), so `w <= i` always.
                if buf.get(i) == Some(&b'"') {
                    let cell_line = line;
                    let (mut c_lf, mut c_cr) = (0usize, 0usize);
                    i += 1;
                    let closed = loop {
                        let close = memchr::memchr(b'"', &buf[i..total]).map(|k| i + k);
                        let part_end = close.unwrap_or(total);
                        let (p_lf, p_cr) = breaks_in(&buf[i..part_end]);
                        c_lf += p_lf;
                        c_cr += p_cr;
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
                    line += if cr_only { c_cr } else { c_lf } as u64;
                    if !closed {
                        // The rest of the text went into this cell: that is the issue to report.
                        unterminated = Some(ReadIssue::UnterminatedQuote { line: cell_line });
                    } else if c_lf + c_cr > 0 {
                        issues.note(ReadIssue::QuotedNewline {
                            row,
                            col,
                            line: cell_line,
                        });
                    }
                }
                // An unquoted cell, or what follows a closing quote: up to a delimiter or the
                // record's end (a quote here is an ordinary character).
                let stop = memchr::memchr3(delimiter, b'\r', b'\n', &buf[i..total])
                    .map_or(total, |k| i + k);
                let more = stop < total && buf[stop] == delimiter;
                if !more {
                    term = terminator(&buf[stop..total]);
                }
                buf.copy_within(i..stop, w);
                w += stop - i;
                cell_ends.push(u32::try_from(w).map_err(|_| too_large())?);
                // The separator goes where a dropped byte was (at `stop` at the latest).
                put_separator(&mut buf, w, delimiter);
                w += 1;
                col += 1;
                if more {
                    i = stop + 1;
                    continue;
                }
                break stop;
            };
            written = w;
            pos = end;
        }
        let (term, t_lf, t_cr) = term;
        lf_between += t_lf;
        cr_between += t_cr;
        line += if cr_only { t_cr } else { t_lf } as u64;
        pos += term;
    }

    for issue in [
        unterminated,
        (interior_blank > 0).then_some(ReadIssue::BlankLines {
            count: interior_blank,
            first_line: first_interior_blank,
        }),
    ]
    .into_iter()
    .flatten()
    {
        issues.count += 1;
        issues.kept.push(issue);
    }

    // The buffer keeps its capacity: shrinking would copy the whole text (the browser's
    // allocator cannot shrink a large block in place) to give back the dropped quotes and
    // CRs, about one byte a row.
    buf.truncate(written);
    debug_assert!(std::str::from_utf8(&buf).is_ok());
    // SAFETY: `buf` held valid UTF-8 (it came from a String). Every byte range copied
    // within it starts and ends at a delimiter, quote, CR, LF (all ASCII) or the ends of
    // the text, so each range holds whole characters, and it is copied from bytes not yet
    // written over (writes only ever land before the read position); the bytes written
    // besides are ASCII (`"` and the ASCII delimiter). The result is whole UTF-8
    // sequences end to end: valid UTF-8, without a second pass over 70 MB to show it.
    let text = unsafe { String::from_utf8_unchecked(buf) };
    let sheet = Sheet::from_read_parts(text, delimiter, cell_ends, row_starts, row_lines)
        .ok_or_else(|| ReadError::Parse {
            line: 0,
            detail: "the cells do not line up with their text after parsing".to_string(),
        })?;
    Ok(CsvDocument {
        sheet,
        delimiter,
        issues: issues.kept,
        issue_count: issues.count,
        blank_lines,
        crlf: lf_between > 0 && cr_between >= lf_between,
    })
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

/// How to write a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// The field delimiter (an ASCII byte other than a quote or line break).
    pub delimiter: u8,
    /// Start with the UTF-8 byte order mark (helps Excel see UTF-8).
    pub bom: bool,
    /// End lines with CR LF instead of LF.
    pub crlf: bool,
}

impl Default for WriteOptions {
    /// Comma, UTF-8 BOM and CR LF, like the failed-rows file BioStar itself writes.
    fn default() -> Self {
        WriteOptions {
            delimiter: b',',
            bom: true,
            crlf: true,
        }
    }
}

/// Writes CSV rows, quoting a cell only when it holds the delimiter, a quote, CR or LF, or
/// starts or ends with a space or tab (so spreadsheets keep it); buffered.
///
/// Written by hand rather than with `csv::Writer`, whose quoting rules cannot be told to
/// protect leading and trailing spaces.
#[derive(Debug)]
pub struct CsvWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    delimiter: u8,
    terminator: &'static [u8],
    /// The bytes that make a cell need quotes anywhere in it: the delimiter, `"`, CR, LF.
    special: [bool; 256],
}

impl<W: Write> CsvWriter<W> {
    /// A writer onto `out`; the BOM, if asked for, is written with the first rows.
    pub fn new(out: W, opts: &WriteOptions) -> Self {
        let mut buf = Vec::with_capacity(WRITE_BUFFER + 1024);
        if opts.bom {
            buf.extend_from_slice(b"\xEF\xBB\xBF");
        }
        let mut special = [false; 256];
        for b in [opts.delimiter, b'"', b'\n', b'\r'] {
            special[usize::from(b)] = true;
        }
        CsvWriter {
            out,
            buf,
            delimiter: opts.delimiter,
            terminator: if opts.crlf { b"\r\n" } else { b"\n" },
            special,
        }
    }

    /// Writes one row. A row of a single empty cell is written as `""` so it is not read
    /// back as a blank line; a row of no cells is written as an empty line.
    pub fn write_row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> io::Result<()> {
        self.write_row_with(cells, |_| false)
    }

    /// Like [`CsvWriter::write_row`], for cells taken from `span`: the text of
    /// `span_cells` cells as read, the writer's delimiter between each two. When `span`
    /// holds no quote or line break (one vectorised pass), the cells lying in it are
    /// written without testing each of their bytes, except for the delimiter when `span`
    /// holds more delimiters than its separators.
    pub fn write_row_from<'a>(
        &mut self,
        span: &str,
        span_cells: usize,
        cells: impl IntoIterator<Item = &'a str>,
    ) -> io::Result<()> {
        let bytes = span.as_bytes();
        let (special, delimiters) = self.scan(bytes);
        if special {
            return self.write_row(cells);
        }
        let separators_only = delimiters + 1 == span_cells;
        let d = self.delimiter;
        let lo = bytes.as_ptr() as usize;
        let hi = lo + bytes.len();
        self.write_row_with(cells, |cell| {
            let at = cell.as_ptr() as usize;
            at >= lo && at + cell.len() <= hi && (separators_only || !cell.as_bytes().contains(&d))
        })
    }

    /// Writes a row given as its `cells` cells' text with the writer's delimiter between
    /// each two, as one copy, when no cell needs quotes; returns false, writing nothing,
    /// when one does (or the row is a single empty cell, which is written as `""`).
    pub fn write_joined(&mut self, joined: &str, cells: usize) -> io::Result<bool> {
        let bytes = joined.as_bytes();
        if bytes.is_empty() || cells == 0 {
            return Ok(false);
        }
        let (special, delimiters) = self.scan(bytes);
        if special || delimiters + 1 != cells || self.edge_spaces(bytes) {
            return Ok(false);
        }
        self.buf.extend_from_slice(bytes);
        self.buf.extend_from_slice(self.terminator);
        if self.buf.len() >= WRITE_BUFFER {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(true)
    }

    /// (whether `span` holds a quote or line break, how many delimiters it holds), in one
    /// pass of 64-byte blocks with byte-wide tallies, which the compiler vectorises (a
    /// search per delimiter costs more on rows of many short cells).
    fn scan(&self, span: &[u8]) -> (bool, usize) {
        let d = self.delimiter;
        let tally = |(n, s): (u8, u8), &b: &u8| {
            (
                n + u8::from(b == d),
                s | u8::from(b == b'"' || b == b'\r' || b == b'\n'),
            )
        };
        let mut delimiters = 0usize;
        let mut special = 0u8;
        let mut blocks = span.chunks_exact(64);
        for block in &mut blocks {
            let (n, s) = block.iter().fold((0, 0), tally);
            delimiters += usize::from(n);
            special |= s;
        }
        let (n, s) = blocks.remainder().iter().fold((0, 0), tally);
        (special | s != 0, delimiters + usize::from(n))
    }

    /// True when a cell of `span` (cells joined by the delimiter, none holding one) starts
    /// or ends with a space or tab: at either end of `span`, or next to a delimiter.
    fn edge_spaces(&self, span: &[u8]) -> bool {
        let d = self.delimiter;
        let space = |b: u8| b == b' ' || b == b'\t';
        let ends =
            span.first().is_some_and(|&b| space(b)) || span.last().is_some_and(|&b| space(b));
        // Every pair of neighbours, OR-ed without an early exit, so it vectorises.
        let inner = span
            .iter()
            .zip(span.get(1..).unwrap_or_default())
            .fold(false, |any, (&x, &y)| {
                any | (x == d && space(y)) | (space(x) && y == d)
            });
        ends || inner
    }

    /// Writes one row; `clean(cell)` true promises the cell holds no special byte.
    fn write_row_with<'a>(
        &mut self,
        cells: impl IntoIterator<Item = &'a str>,
        clean: impl Fn(&str) -> bool,
    ) -> io::Result<()> {
        let delimiter = self.delimiter;
        if !delimiter.is_ascii() || matches!(delimiter, b'"' | b'\r' | b'\n') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "byte 0x{delimiter:02X} cannot separate fields; choose comma, semicolon or tab as the delimiter"
                ),
            ));
        }
        let row_start = self.buf.len();
        let mut count = 0usize;
        for cell in cells {
            if count > 0 {
                self.buf.push(delimiter);
            }
            if clean(cell) && !edge_space(cell.as_bytes()) {
                self.buf.extend_from_slice(cell.as_bytes());
            } else {
                write_cell(&mut self.buf, cell, &self.special);
            }
            count += 1;
        }
        if count == 1 && self.buf.len() == row_start {
            self.buf.extend_from_slice(b"\"\"");
        }
        self.buf.extend_from_slice(self.terminator);
        if self.buf.len() >= WRITE_BUFFER {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Writes what is buffered, flushes, and gives the output back.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()?;
        Ok(self.out)
    }
}

/// True when a cell must be quoted to survive a CSV reader or a spreadsheet; `special`
/// marks the delimiter, `"`, CR and LF (one table look-up per byte instead of four tests).
fn needs_quotes(cell: &[u8], special: &[bool; 256]) -> bool {
    edge_space(cell) || cell.iter().any(|&b| special[usize::from(b)])
}

/// True when a cell starts or ends with a space or tab, which readers may trim unless the
/// cell is quoted.
fn edge_space(cell: &[u8]) -> bool {
    let space = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t'));
    space(cell.first()) || space(cell.last())
}

/// Appends one cell, quoted (with inner quotes doubled) only when needed.
fn write_cell(buf: &mut Vec<u8>, cell: &str, special: &[bool; 256]) {
    let bytes = cell.as_bytes();
    if !needs_quotes(bytes, special) {
        buf.extend_from_slice(bytes);
        return;
    }
    buf.push(b'"');
    for (i, part) in bytes.split(|&b| b == b'"').enumerate() {
        if i > 0 {
            buf.extend_from_slice(b"\"\"");
        }
        buf.extend_from_slice(part);
    }
    buf.push(b'"');
}

/// Writes every row of a sheet (current cells, edits included) and gives the output back.
pub fn write_sheet<W: Write>(sheet: &Sheet, out: W, opts: &WriteOptions) -> io::Result<W> {
    let mut writer = CsvWriter::new(out, opts);
    for row in 0..sheet.len() {
        writer.write_row(sheet.row(row))?;
    }
    writer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_ok(text: &str, delimiter: u8) -> CsvDocument {
        read(text, &ReadOptions { delimiter }).unwrap()
    }

    fn rows(sheet: &Sheet) -> Vec<Vec<String>> {
        (0..sheet.len())
            .map(|r| sheet.row(r).map(str::to_string).collect())
            .collect()
    }

    fn lines(sheet: &Sheet) -> Vec<u64> {
        (0..sheet.len()).map(|r| sheet.line(r)).collect()
    }

    #[test]
    fn detects_comma_semicolon_and_tab() {
        let comma = detect_delimiter("user_id,name,department\n1,Kim,Sales\n2,Lee,HR\n");
        assert_eq!(comma.byte, b',');
        assert_eq!(comma.name(), "comma");
        assert_eq!(
            comma.reason,
            "comma gives 3 fields on 3 of the first 3 records"
        );

        let semicolon = detect_delimiter("user_id;name;note\n1;Kim;12,5\n2;Lee;3,25\n");
        assert_eq!(semicolon.byte, b';', "{}", semicolon.reason);

        let tab = detect_delimiter("user_id\tname\n1\tKim, Chul\n2\tLee, Young\n");
        assert_eq!(tab.byte, b'\t', "{}", tab.reason);
    }

    #[test]
    fn quoted_delimiters_do_not_count() {
        let text =
            "user_id;name;note\n1;\"Kim, Chul\";\"a,b,c\"\n2;Lee;\"x,y\"\n3;\"Park\";plain\n";
        assert_eq!(detect_delimiter(text).byte, b';');
        let text = "user_id,name,note\n1,\"Kim; Chul\",\"a;b;c\"\n2,Lee,\"x;y;z\"\n";
        assert_eq!(detect_delimiter(text).byte, b',');
        // A quoted line break does not end the record.
        let text = "a\tb\tc\n1\t\"x\ny\tz\"\t3\n2\t5\t6\n";
        let tab = detect_delimiter(text);
        assert_eq!(tab.byte, b'\t');
        assert_eq!(tab.reason, "tab gives 3 fields on 3 of the first 3 records");
    }

    #[test]
    fn a_single_column_defaults_to_comma_and_says_why() {
        let found = detect_delimiter("user_id\n1\n2\n");
        assert_eq!(found.byte, b',');
        assert!(found.reason.contains("assuming comma"), "{}", found.reason);
        assert_eq!(detect_delimiter("").byte, b',');
    }

    #[test]
    fn reads_cells_and_lines_with_lf_and_crlf() {
        for newline in ["\n", "\r\n"] {
            let text =
                ["user_id,name", "1,김철수", "2,\"Lee, \"\"Y\"\"\"", "3,"].join(newline) + newline;
            let doc = read_ok(&text, b',');
            assert_eq!(
                rows(&doc.sheet),
                vec![
                    vec!["user_id", "name"],
                    vec!["1", "김철수"],
                    vec!["2", "Lee, \"Y\""],
                    vec!["3", ""],
                ]
            );
            assert_eq!(lines(&doc.sheet), vec![1, 2, 3, 4], "{newline:?}");
            assert_eq!(doc.issues, vec![]);
            assert_eq!(doc.issue_count, 0);
            assert_eq!(doc.blank_lines, 0);
            assert_eq!(doc.crlf, newline == "\r\n");
        }
    }

    #[test]
    fn lone_cr_files_are_numbered_by_cr() {
        let doc = read_ok("a,b\r1,\"x\ry\"\r2,z\r", b',');
        assert_eq!(rows(&doc.sheet)[1], vec!["1", "x\ry"]);
        assert_eq!(lines(&doc.sheet), vec![1, 2, 4]);
        assert_eq!(
            doc.issues,
            vec![ReadIssue::QuotedNewline {
                row: 1,
                col: 1,
                line: 2
            }]
        );
    }

    #[test]
    fn blank_lines_are_skipped_counted_and_lines_stay_right() {
        for newline in ["\n", "\r\n"] {
            let text = ["", "a,b", "", "", "1,2", "2,3", "", ""].join(newline);
            let doc = read_ok(&text, b',');
            assert_eq!(rows(&doc.sheet).len(), 3);
            assert_eq!(lines(&doc.sheet), vec![2, 5, 6], "{newline:?}");
            // Line 1, lines 3-4, and line 7 (line 8 is empty text after the last break).
            assert_eq!(doc.blank_lines, 4, "{newline:?}");
            assert_eq!(
                doc.issues,
                vec![ReadIssue::BlankLines {
                    count: 2,
                    first_line: 3
                }]
            );
            assert_eq!(doc.issue_count, 1);
            assert_eq!(
                doc.issues[0].message(),
                "2 blank lines (the first on line 3) were skipped: blank lines hold no values and are left out \
                 of the converted file. Nothing to do, unless a user's row was meant to be there."
            );
        }
    }

    #[test]
    fn quoted_newlines_are_read_and_flagged_on_the_right_lines() {
        for newline in ["\n", "\r\n"] {
            let text = format!(
                "user_id,name,memo{n}1,\"Kim{n}Chul\",\"a{n}b{n}c\"{n}2,Lee,\"x{n}y\"{n}3,Park,ok{n}",
                n = newline
            );
            let doc = read_ok(&text, b',');
            assert_eq!(
                doc.sheet.cell(1, 1),
                Some(format!("Kim{newline}Chul").as_str())
            );
            assert_eq!(
                doc.sheet.cell(1, 2),
                Some(format!("a{newline}b{newline}c").as_str())
            );
            assert_eq!(lines(&doc.sheet), vec![1, 2, 6, 8], "{newline:?}");
            assert_eq!(
                doc.issues,
                vec![
                    ReadIssue::QuotedNewline {
                        row: 1,
                        col: 1,
                        line: 2
                    },
                    ReadIssue::QuotedNewline {
                        row: 1,
                        col: 2,
                        line: 3
                    },
                    ReadIssue::QuotedNewline {
                        row: 2,
                        col: 2,
                        line: 6
                    },
                ]
            );
            assert_eq!(doc.issue_count, 3);
            let message = doc.issues[0].message();
            assert!(message.starts_with("line 2, column 2: "), "{message}");
            assert!(message.contains("BioStar server"));
            assert!(message.contains("as a separate record"));
            assert!(message.contains("Remove the line break"));
        }
    }

    #[test]
    fn per_cell_issues_are_capped_but_counted() {
        let mut text = String::from("a,b\n");
        for i in 0..(MAX_ISSUES + 5) {
            text.push_str(&format!("{i},\"x\ny\"\n"));
        }
        let doc = read_ok(&text, b',');
        assert_eq!(doc.issues.len(), MAX_ISSUES);
        assert_eq!(doc.issue_count, (MAX_ISSUES + 5) as u64);
        assert_eq!(doc.sheet.len(), MAX_ISSUES + 6);
    }

    #[test]
    fn an_unterminated_quote_is_reported_where_it_opens() {
        let text = "user_id,name\n1,Kim\n2,\"Lee\n3,Park\n4,Choi\n";
        let doc = read_ok(text, b',');
        assert_eq!(doc.sheet.len(), 3);
        assert_eq!(doc.sheet.cell(2, 1), Some("Lee\n3,Park\n4,Choi\n"));
        assert_eq!(doc.issues, vec![ReadIssue::UnterminatedQuote { line: 3 }]);
        assert_eq!(doc.issue_count, 1);
        assert_eq!(doc.blank_lines, 0);
        let message = doc.issues[0].message();
        assert!(message.starts_with("line 3: a quoted value opens here and is never closed"));
        assert!(message.contains("Add the closing quote"));

        // A record spanning lines before the open quote, and no line break in the open cell.
        let doc = read_ok("a,b,c\n1,\"x\ny\",\"open", b',');
        assert_eq!(doc.sheet.cell(1, 2), Some("open"));
        assert_eq!(
            doc.issues,
            vec![
                ReadIssue::QuotedNewline {
                    row: 1,
                    col: 1,
                    line: 2
                },
                ReadIssue::UnterminatedQuote { line: 3 },
            ]
        );
        // Other issues stay, and the count stays exact.
        let doc = read_ok("a,b\n1,\"x\ny\"\n2,\"open\nz\n", b',');
        assert_eq!(
            doc.issues,
            vec![
                ReadIssue::QuotedNewline {
                    row: 1,
                    col: 1,
                    line: 2
                },
                ReadIssue::UnterminatedQuote { line: 4 },
            ]
        );
        assert_eq!(doc.issue_count, 2);
        // Closed quotes at the end are fine, escaped quotes included.
        let doc = read_ok("a,b\n1,\"x\"\"\"\n", b',');
        assert_eq!(doc.sheet.cell(1, 1), Some("x\""));
        assert_eq!(doc.issues, vec![]);
    }

    #[test]
    fn an_empty_file_gives_an_empty_sheet() {
        for text in ["", "\n\n", "\r\n"] {
            let doc = read_ok(text, b',');
            assert!(doc.sheet.is_empty());
            assert_eq!(doc.issues, vec![]);
            assert_eq!(doc.issue_count, 0);
        }
        assert_eq!(read_ok("\n\n", b',').blank_lines, 2);
    }

    #[test]
    fn preamble_rows_and_ragged_rows_are_kept_without_issues() {
        let doc = read_ok(
            "Exported users,,,\n,,,\nuser_id,name\n1,Kim,extra,more\n",
            b',',
        );
        assert_eq!(doc.sheet.len(), 4);
        assert_eq!(doc.sheet.width(0), 4);
        assert_eq!(doc.sheet.width(2), 2);
        assert_eq!(doc.sheet.width(3), 4);
        assert_eq!(doc.issue_count, 0);
    }

    #[test]
    fn bad_delimiters_are_refused_with_advice() {
        let err = read("a,b", &ReadOptions { delimiter: b'"' }).unwrap_err();
        assert_eq!(err, ReadError::UnsupportedDelimiter { delimiter: b'"' });
        assert_eq!(
            err.to_string(),
            "byte 0x22 cannot separate fields; choose comma, semicolon or tab as the delimiter"
        );
        let err = ReadError::from(SheetError::TooLarge { line: 9 });
        assert!(err
            .to_string()
            .starts_with("line 9: the file holds more than 4 GiB"));
        let mut writer = CsvWriter::new(
            Vec::new(),
            &WriteOptions {
                delimiter: b'\n',
                bom: false,
                crlf: false,
            },
        );
        let err = writer.write_row(["a"]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    fn sheet_of(lines: &[&str]) -> Sheet {
        let mut sheet = Sheet::new();
        for (i, line) in lines.iter().enumerate() {
            sheet.push_row(i as u64 + 1, line.split(',')).unwrap();
        }
        sheet
    }

    fn biostar_field(name: &str) -> bool {
        matches!(
            name,
            "user_id" | "name" | "department" | "user_title" | "phone" | "email" | "csn"
        )
    }

    #[test]
    fn header_is_found_after_a_preamble() {
        let sheet = sheet_of(&[
            "Exported users,,,",
            ",,,",
            "user_id,name,department,phone",
            "1,Kim,Sales,010-1234-5678",
            "2,Lee,HR,",
        ]);
        assert_eq!(guess_header_row(&sheet, biostar_field), 2);
    }

    #[test]
    fn header_on_the_first_line_is_row_zero() {
        let sheet = sheet_of(&["user_id,name,email", "1,Kim,kim@example.com", "2,Lee,"]);
        assert_eq!(guess_header_row(&sheet, biostar_field), 0);
        // Data that happens to look like text does not move it.
        let sheet = sheet_of(&["user_id,name", "1,Kim", "Park,Lee", "name,email"]);
        assert_eq!(guess_header_row(&sheet, biostar_field), 0);
    }

    #[test]
    fn unknown_header_names_after_a_title_are_found() {
        let sheet = sheet_of(&[
            "Staff list 2024,,,",
            ",,,",
            "Employee No,Full Name,Dept,Mobile",
            "007,Kim,Sales,010-1234-5678",
            "008,Lee,HR,010-2222-3333",
        ]);
        assert_eq!(guess_header_row(&sheet, |_| false), 2);
    }

    #[test]
    fn data_without_a_header_gives_zero() {
        let sheet = sheet_of(&["1,Kim,Sales", "2,Lee,HR", "Park,Choi,Team"]);
        assert_eq!(guess_header_row(&sheet, |_| false), 0);
        assert_eq!(guess_header_row(&Sheet::new(), |_| true), 0);
        let sheet = sheet_of(&[",,", ",,"]);
        assert_eq!(guess_header_row(&sheet, |_| true), 0);
    }

    #[test]
    fn rows_read_lie_in_the_arena_joined_by_the_delimiter() {
        for (text, delimiter) in [
            ("a,b,c\r\n1,,\"x,\"\"y\"\"\"\r\n\r\nlast,row", b','),
            ("a;b\n\"q\nr\";s\n", b';'),
            ("x\ty\rz\t", b'\t'),
        ] {
            let doc = read_owned(text.to_string(), &ReadOptions { delimiter }).unwrap();
            assert_eq!(doc.sheet.separator(), delimiter);
            for r in 0..doc.sheet.len() {
                let cells: Vec<&str> = doc.sheet.row(r).collect();
                let joined = cells.join(&char::from(delimiter).to_string());
                assert_eq!(
                    doc.sheet.row(r).span(),
                    Some(joined.as_str()),
                    "{text:?} row {r}"
                );
                // Every suffix of the row too.
                for skip in 1..cells.len() {
                    let mut rest = doc.sheet.row(r);
                    rest.nth(skip - 1);
                    let tail = cells[skip..].join(&char::from(delimiter).to_string());
                    assert_eq!(rest.span(), Some(tail.as_str()));
                }
            }
        }
    }

    #[test]
    fn fast_writes_give_the_bytes_of_the_plain_writer() {
        const PIECES: &[&str] = &["a", "김", " ", "\t", ",", ";", "\"", "\n", "\r", "7", ""];
        let opts = WriteOptions {
            delimiter: b',',
            bom: false,
            crlf: true,
        };
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let (mut plain, mut fast) = (
            CsvWriter::new(Vec::new(), &opts),
            CsvWriter::new(Vec::new(), &opts),
        );
        let mut joined_rows = 0;
        for _ in 0..20_000 {
            let width = 1 + rng.below_usize(5);
            let cells: Vec<String> = (0..width)
                .map(|_| {
                    (0..rng.below_usize(4))
                        .map(|_| PIECES[rng.below_usize(PIECES.len())])
                        .collect()
                })
                .collect();
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            let joined = refs.join(",");
            plain.write_row(refs.iter().copied()).unwrap();
            if fast.write_joined(&joined, width).unwrap() {
                joined_rows += 1;
            } else {
                fast.write_row(refs.iter().copied()).unwrap();
            }
            // Some cells only, taken from the joined text: the per-cell path.
            let mut start = 0;
            let spans: Vec<&str> = refs
                .iter()
                .map(|c| {
                    let cell = &joined[start..start + c.len()];
                    start += c.len() + 1;
                    cell
                })
                .collect();
            let some: Vec<&str> = spans.iter().copied().step_by(2).collect();
            plain.write_row(some.iter().copied()).unwrap();
            fast.write_row_from(&joined, width, some.iter().copied())
                .unwrap();
        }
        assert!(
            joined_rows > 1000,
            "only {joined_rows} rows took the one-copy path"
        );
        let (plain, fast) = (plain.finish().unwrap(), fast.finish().unwrap());
        assert_eq!(
            String::from_utf8(plain).unwrap(),
            String::from_utf8(fast).unwrap()
        );
    }

    #[test]
    fn writer_quotes_only_when_needed() {
        let mut writer = CsvWriter::new(
            Vec::new(),
            &WriteOptions {
                delimiter: b',',
                bom: false,
                crlf: false,
            },
        );
        writer
            .write_row([
                "1",
                "Kim, Chul",
                "say \"hi\"",
                " lead",
                "trail ",
                "007",
                "김철수",
                "",
            ])
            .unwrap();
        writer.write_row(["a\nb", "c\rd", "semi;colon"]).unwrap();
        writer.write_row([""]).unwrap();
        writer.write_row(std::iter::empty()).unwrap();
        let out = String::from_utf8(writer.finish().unwrap()).unwrap();
        assert_eq!(
            out,
            "1,\"Kim, Chul\",\"say \"\"hi\"\"\",\" lead\",\"trail \",007,김철수,\n\"a\nb\",\"c\rd\",semi;colon\n\"\"\n\n"
        );
    }

    #[test]
    fn writer_adds_bom_crlf_and_other_delimiters() {
        let opts = WriteOptions {
            delimiter: b';',
            bom: true,
            crlf: true,
        };
        let mut writer = CsvWriter::new(Vec::new(), &opts);
        writer.write_row(["user_id", "name"]).unwrap();
        writer.write_row(["1", "a;b,c"]).unwrap();
        let out = writer.finish().unwrap();
        assert_eq!(out, b"\xEF\xBB\xBFuser_id;name\r\n1;\"a;b,c\"\r\n");
        assert_eq!(
            WriteOptions::default(),
            WriteOptions {
                delimiter: b',',
                bom: true,
                crlf: true
            }
        );
    }

    use crate::bench::Rng;

    const TRICKY: &[&str] = &[
        "",
        " ",
        "007",
        "0",
        "Kim",
        "김철수",
        "😀 emoji",
        "a,b",
        "a;b",
        "a\tb",
        "\"",
        "\"\"",
        "say \"hi\"",
        "\"quoted\"",
        " lead",
        "trail ",
        "line\nbreak",
        "cr\r\nlf",
        "lone\rcr",
        "\n",
        "=1+2",
        "2024-01-01 09:00",
        "é€",
    ];

    #[test]
    fn round_trip_keeps_every_cell() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for case in 0..60 {
            let delimiter = CANDIDATES[case % 3];
            let opts = WriteOptions {
                delimiter,
                bom: case % 2 == 0,
                crlf: case % 4 < 2,
            };
            let mut original = Sheet::new();
            for row in 0..(1 + rng.below_usize(12)) {
                let width = 1 + rng.below_usize(6);
                let cells: Vec<&str> = (0..width)
                    .map(|_| TRICKY[rng.below_usize(TRICKY.len())])
                    .collect();
                original.push_row(row as u64 + 1, cells).unwrap();
            }
            let bytes = write_sheet(&original, Vec::new(), &opts).unwrap();
            let decoded = crate::text::decode(bytes, None);
            assert_eq!(decoded.replacement_count, 0);
            let doc = read_ok(&decoded.text, delimiter);
            assert_eq!(rows(&doc.sheet), rows(&original), "case {case}");
            assert_eq!(doc.crlf, opts.crlf, "case {case}");

            // Writing what was read gives the same bytes again.
            let again = write_sheet(&doc.sheet, Vec::new(), &opts).unwrap();
            let first = write_sheet(&original, Vec::new(), &opts).unwrap();
            assert_eq!(again, first, "case {case}");
        }
    }

    /// The records the csv crate reads from `text` untouched, as strings.
    fn oracle(text: &str, delimiter: u8) -> Vec<Vec<String>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        reader
            .byte_records()
            .map(|r| {
                r.unwrap()
                    .iter()
                    .map(|c| String::from_utf8(c.to_vec()).unwrap())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn in_place_reading_gives_the_records_of_an_untouched_parse() {
        const PIECES: &[&str] = &[
            "a", "김", "\"", "\"\"", ",", ";", "\t", "\n", "\r", "\r\n", " ", "7", "abc,",
            "\"x,y\"", "\"q\"t", "x\"y",
        ];
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        for case in 0..5000 {
            let len = if case % 1000 == 0 {
                60_000
            } else {
                rng.below_usize(80)
            };
            let text: String = (0..len)
                .map(|_| PIECES[rng.below_usize(PIECES.len())])
                .collect();
            let delimiter = CANDIDATES[case % 3];
            let doc = read_owned(text.clone(), &ReadOptions { delimiter }).unwrap();
            assert_eq!(rows(&doc.sheet), oracle(&text, delimiter), "case {case}");
        }
    }

    #[test]
    fn arbitrary_text_reads_without_panic_and_lines_stay_ordered() {
        const PIECES: &[&str] = &[
            "a", "김", "\"", "\"\"", ",", ";", "\t", "\n", "\r", "\r\n", " ", "7",
        ];
        let mut rng = Rng(0xD1B5_4A32_D192_ED03);
        for case in 0..2000 {
            let text: String = (0..rng.below_usize(40))
                .map(|_| PIECES[rng.below_usize(PIECES.len())])
                .collect();
            // Lines as numbered: by LF, or by CR in a text without any LF.
            let line_break = if text.contains('\n') { '\n' } else { '\r' };
            let line_count = 1 + text.matches(line_break).count() as u64;
            let detected = detect_delimiter(&text);
            let doc = read_ok(&text, detected.byte);
            let lines = lines(&doc.sheet);
            assert!(
                lines.windows(2).all(|w| w[0] <= w[1]),
                "case {case}: {text:?}"
            );
            assert!(lines.iter().all(|&l| l >= 1), "case {case}: {text:?}");
            assert!(
                lines.iter().all(|&l| l <= line_count),
                "case {case}: {text:?}"
            );
            for issue in &doc.issues {
                assert!(
                    (1..=line_count).contains(&issue.line()),
                    "case {case}: {text:?}"
                );
                assert!(!issue.message().is_empty());
            }
            assert!(doc.issue_count >= doc.issues.len() as u64);

            // Whatever was read is written and read back cell for cell.
            let opts = WriteOptions {
                delimiter: detected.byte,
                bom: false,
                crlf: case % 2 == 0,
            };
            let written = write_sheet(&doc.sheet, Vec::new(), &opts).unwrap();
            let written = String::from_utf8(written).unwrap();
            let again = read_ok(&written, detected.byte);
            assert_eq!(
                rows(&again.sheet),
                rows(&doc.sheet),
                "case {case}: {text:?}"
            );
        }
    }

    #[test]
    fn edits_are_written_and_originals_kept() {
        let mut doc = read_ok("user_id,name\n1,Kim\n", b',');
        assert!(doc.sheet.set_cell(1, 1, "Lee, Y"));
        let opts = WriteOptions {
            delimiter: b',',
            bom: false,
            crlf: false,
        };
        let out = write_sheet(&doc.sheet, Vec::new(), &opts).unwrap();
        assert_eq!(out, b"user_id,name\n1,\"Lee, Y\"\n");
        assert_eq!(doc.sheet.original_cell(1, 1), Some("Kim"));
    }
}
