//! The BioStar CSV writer: rows back to CSV bytes, quoting a cell only where needed.

use crate::model::Sheet;
use std::io::{self, Write};

/// Bytes a [`CsvWriter`] gathers before passing them to its output.
const WRITE_BUFFER: usize = 64 * 1024;

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

impl WriteOptions {
    /// A BioStar user CSV for "Import CSV" (the workbench's import file, the users of a
    /// clock's user.dat, the new users of a face folder): comma, UTF-8 without a BOM
    /// (BioStar's manual asks for UTF-8 and names no BOM), CR LF.
    pub const IMPORT: WriteOptions = WriteOptions {
        delimiter: b',',
        bom: false,
        crlf: true,
    };

    /// A CSV for people to open in a spreadsheet program, not for BioStar's import (the
    /// error file, as BioStar writes its failed rows; a clock's punches for HR; notes to
    /// fix users by): as [`IMPORT`](Self::IMPORT) but with the UTF-8 BOM, without which
    /// Excel reads the file in the computer's code page and garbles names.
    pub const SPREADSHEET: WriteOptions = WriteOptions {
        bom: true,
        ..WriteOptions::IMPORT
    };
}

impl Default for WriteOptions {
    /// [`WriteOptions::IMPORT`]: what a BioStar user CSV is written as.
    fn default() -> Self {
        WriteOptions::IMPORT
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
        let mut written = 0usize;
        let mut count = 0usize;
        for cell in cells {
            if count > 0 {
                self.buf.push(delimiter);
            }
            written += cell.len();
            if clean(cell) && !edge_space(cell.as_bytes()) {
                self.put(cell.as_bytes())?;
            } else if needs_quotes(cell.as_bytes(), &self.special) {
                self.put_quoted(cell.as_bytes())?;
            } else {
                self.put(cell.as_bytes())?;
            }
            count += 1;
        }
        if count == 1 && written == 0 {
            self.buf.extend_from_slice(b"\"\"");
        }
        self.buf.extend_from_slice(self.terminator);
        if self.buf.len() >= WRITE_BUFFER {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Appends bytes to the buffer; a piece as large as the buffer goes straight out (after
    /// what is buffered), so a cell of hundreds of megabytes is never copied whole.
    #[inline]
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        if bytes.len() < WRITE_BUFFER {
            self.buf.extend_from_slice(bytes);
            return Ok(());
        }
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.write_all(bytes)
    }

    /// Appends a cell in quotes, its inner quotes doubled.
    fn put_quoted(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.buf.push(b'"');
        for (i, part) in bytes.split(|&b| b == b'"').enumerate() {
            if i > 0 {
                self.buf.extend_from_slice(b"\"\"");
            }
            self.put(part)?;
        }
        self.buf.push(b'"');
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
#[inline]
fn needs_quotes(cell: &[u8], special: &[bool; 256]) -> bool {
    edge_space(cell) || cell.iter().any(|&b| special[usize::from(b)])
}

/// True when a cell starts or ends with a space or tab, which readers may trim unless the
/// cell is quoted.
fn edge_space(cell: &[u8]) -> bool {
    let space = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t'));
    space(cell.first()) || space(cell.last())
}

/// Writes every row of a sheet (current cells, edits included) and gives the output back.
pub fn write_sheet<W: Write>(sheet: &Sheet, out: W, opts: &WriteOptions) -> io::Result<W> {
    let mut writer = CsvWriter::new(out, opts);
    for row in 0..sheet.len() {
        writer.write_row(sheet.row(row))?;
    }
    writer.finish()
}
