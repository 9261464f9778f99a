//! The types every format converts through.
//!
//! [`Sheet`] holds the records of a delimited text file compactly: one text arena and
//! the end offset of every cell, so 500,000 rows cost little more than their text. Each
//! cell in the arena is followed by one separator byte, so a row read from a file without
//! quotes lies in the arena exactly as it was written (one copy to read, one to write).

use std::collections::HashMap;
use std::fmt;

/// Why a [`Sheet`] refused a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetError {
    /// The cells' text passed the 4 GiB the compact store can address.
    TooLarge {
        /// The 1-based source line of the record that did not fit.
        line: u64,
    },
}

impl fmt::Display for SheetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SheetError::TooLarge { line } => write!(
                f,
                "line {line}: the file holds more than 4 GiB of text; split it into smaller files and open them one at a time"
            ),
        }
    }
}

impl std::error::Error for SheetError {}

/// A table of text cells (all records of a file, header included), stored compactly.
///
/// Rows may have different lengths; cell edits are kept apart from the original text, so
/// [`Sheet::original_cell`] always gives the text as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// Every cell's text, each followed by one `sep` byte.
    text: String,
    /// The ASCII byte after every cell in `text`.
    sep: u8,
    /// Where each cell ends in `text` (its separator's offset); the next starts one later.
    cell_ends: Vec<u32>,
    row_starts: Vec<u32>,
    row_lines: Vec<u64>,
    edits: HashMap<(u32, u32), String>,
    /// Rows whose width edits changed (cells added past the last, or empty cells trimmed
    /// off the end): row -> width.
    resized: HashMap<u32, u32>,
}

impl Default for Sheet {
    /// An empty sheet whose cells are separated by commas in its arena.
    fn default() -> Self {
        Sheet::with_capacity(0, 0, 0)
    }
}

impl Sheet {
    /// An empty sheet.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty sheet with room for about `rows` rows of `text_bytes` bytes of text.
    pub fn with_capacity(rows: usize, cells: usize, text_bytes: usize) -> Self {
        Sheet {
            text: String::with_capacity(text_bytes + cells),
            sep: b',',
            cell_ends: Vec::with_capacity(cells),
            row_starts: Vec::with_capacity(rows),
            row_lines: Vec::with_capacity(rows),
            edits: HashMap::new(),
            resized: HashMap::new(),
        }
    }

    /// Appends a record that starts on the 1-based source `line`.
    pub fn push_row<'a, I>(&mut self, line: u64, cells: I) -> Result<(), SheetError>
    where
        I: IntoIterator<Item = &'a str>,
    {
        let start = self.cell_ends.len();
        let text_len = self.text.len();
        self.row_starts
            .push(u32::try_from(start).map_err(|_| SheetError::TooLarge { line })?);
        for cell in cells {
            self.text.push_str(cell);
            // The separator's offset must fit too: cells end where their separator is.
            match u32::try_from(self.text.len() + 1) {
                Ok(end) => {
                    self.cell_ends.push(end - 1);
                    self.text.push(char::from(self.sep));
                }
                Err(_) => {
                    self.text.truncate(text_len);
                    self.cell_ends.truncate(start);
                    self.row_starts.pop();
                    return Err(SheetError::TooLarge { line });
                }
            }
        }
        self.row_lines.push(line);
        Ok(())
    }

    /// Appends a record given as its cells' text joined end to end plus each cell's end
    /// offset in `joined`, starting on source `line`. Returns Ok(false), adding nothing,
    /// unless the ends ascend, fall on character boundaries and the last one is
    /// `joined.len()` (no ends for an empty record).
    pub fn push_row_joined(
        &mut self,
        line: u64,
        joined: &str,
        ends: &[usize],
    ) -> Result<bool, SheetError> {
        let mut previous = 0;
        for &end in ends {
            if end < previous || !joined.is_char_boundary(end) {
                return Ok(false);
            }
            previous = end;
        }
        if previous != joined.len() {
            return Ok(false);
        }
        let mut start = 0;
        let cells = ends.iter().map(|&end| {
            let cell = joined.get(start..end).unwrap_or_default();
            start = end;
            cell
        });
        self.push_row(line, cells)?;
        Ok(true)
    }

    /// A sheet from its parts: the text of every cell followed by one `sep` byte, each
    /// cell's end (the offset of its separator), each row's first cell and each row's
    /// source line. None unless `sep` is ASCII and follows every cell, the ends ascend, the
    /// text ends with the last separator, and rows start in order within the cells.
    pub fn from_parts(
        text: String,
        sep: u8,
        cell_ends: Vec<u32>,
        row_starts: Vec<u32>,
        row_lines: Vec<u64>,
    ) -> Option<Sheet> {
        if !separators_follow_cells(&text, sep, &cell_ends) {
            return None;
        }
        Sheet::from_laid_out_parts(text, sep, cell_ends, row_starts, row_lines)
    }

    /// [`Sheet::from_parts`] for parts the CSV reader built, which lays them out right by
    /// construction (its tests read thousands of random texts): the per-cell check is
    /// left to debug builds, saving a pass over every cell end of a large file.
    pub(crate) fn from_read_parts(
        text: String,
        sep: u8,
        cell_ends: Vec<u32>,
        row_starts: Vec<u32>,
        row_lines: Vec<u64>,
    ) -> Option<Sheet> {
        if cfg!(debug_assertions) && !separators_follow_cells(&text, sep, &cell_ends) {
            return None;
        }
        Sheet::from_laid_out_parts(text, sep, cell_ends, row_starts, row_lines)
    }

    /// The checks of [`Sheet::from_parts`] that cost a pass over the rows, not the cells.
    fn from_laid_out_parts(
        text: String,
        sep: u8,
        cell_ends: Vec<u32>,
        row_starts: Vec<u32>,
        row_lines: Vec<u64>,
    ) -> Option<Sheet> {
        let last = cell_ends.last().map_or(0, |&e| e as usize + 1);
        let starts_ok = row_starts.windows(2).all(|w| w[0] <= w[1])
            && row_starts
                .last()
                .is_none_or(|&s| s as usize <= cell_ends.len());
        if !sep.is_ascii()
            || last != text.len()
            || !starts_ok
            || row_lines.len() != row_starts.len()
        {
            return None;
        }
        Some(Sheet {
            text,
            sep,
            cell_ends,
            row_starts,
            row_lines,
            edits: HashMap::new(),
            resized: HashMap::new(),
        })
    }

    /// The byte that follows every cell in the arena, as [`Sheet::from_parts`] was given it
    /// (a comma for sheets built row by row).
    pub fn separator(&self) -> u8 {
        self.sep
    }

    /// How many rows the sheet holds.
    pub fn len(&self) -> usize {
        self.row_starts.len()
    }

    /// True when the sheet holds no rows.
    pub fn is_empty(&self) -> bool {
        self.row_starts.is_empty()
    }

    /// The 1-based source line where row `row` starts.
    pub fn line(&self, row: usize) -> u64 {
        self.row_lines[row]
    }

    fn cell_range(&self, row: usize) -> (usize, usize) {
        let first = self.row_starts[row] as usize;
        let last = self
            .row_starts
            .get(row + 1)
            .map_or(self.cell_ends.len(), |s| *s as usize);
        (first, last)
    }

    /// How many cells row `row` has (including cells an edit added past its end, without
    /// the empty ones trimmed off it).
    pub fn width(&self, row: usize) -> usize {
        if !self.resized.is_empty() {
            if let Some(&w) = self.resized.get(&(row as u32)) {
                return w as usize;
            }
        }
        let (first, last) = self.cell_range(row);
        last - first
    }

    /// How many cells row `row` had as read, ignoring cells added by edits.
    pub fn original_width(&self, row: usize) -> usize {
        let (first, last) = self.cell_range(row);
        last - first
    }

    /// The text of the cell as read from the file, ignoring edits; None past the row's end.
    pub fn original_cell(&self, row: usize, col: usize) -> Option<&str> {
        let (first, last) = self.cell_range(row);
        let idx = first + col;
        if idx >= last {
            return None;
        }
        let end = self.cell_ends[idx] as usize;
        let start = if idx == 0 {
            0
        } else {
            self.cell_ends[idx - 1] as usize + 1
        };
        Some(&self.text[start..end])
    }

    /// The current text of a cell (an edit if there is one); None past the row's end.
    pub fn cell(&self, row: usize, col: usize) -> Option<&str> {
        let resized = !self.resized.is_empty();
        if resized && col >= self.width(row) {
            return None;
        }
        if !self.edits.is_empty() {
            if let Some(v) = self.edits.get(&(row as u32, col as u32)) {
                return Some(v.as_str());
            }
        }
        match self.original_cell(row, col) {
            None if resized => Some(""),
            found => found,
        }
    }

    /// The current text of a cell, or "" past the row's end.
    pub fn cell_or_empty(&self, row: usize, col: usize) -> &str {
        self.cell(row, col).unwrap_or("")
    }

    /// The current cells of a row (empty past the last row).
    pub fn row(&self, row: usize) -> RowCells<'_> {
        if row >= self.len() {
            return RowCells::Read {
                text: &self.text,
                ends: &[],
                start: 0,
            };
        }
        if self.edits.is_empty() && self.resized.is_empty() {
            // No edits: walk the row's end offsets instead of looking each cell up.
            let (first, last) = self.cell_range(row);
            let start = match first.checked_sub(1) {
                Some(i) => self.cell_ends.get(i).map_or(0, |&e| e as usize + 1),
                None => 0,
            };
            return RowCells::Read {
                text: &self.text,
                ends: self.cell_ends.get(first..last).unwrap_or_default(),
                start,
            };
        }
        RowCells::Edited {
            sheet: self,
            row,
            cols: 0..self.width(row),
        }
    }

    /// Replaces the text of an existing cell; false when the cell does not exist.
    pub fn set_cell(&mut self, row: usize, col: usize, value: &str) -> bool {
        if row >= self.len() || col >= self.width(row) {
            return false;
        }
        if self.original_cell(row, col) == Some(value) {
            self.edits.remove(&(row as u32, col as u32));
        } else {
            self.edits
                .insert((row as u32, col as u32), value.to_string());
        }
        true
    }

    /// Like [`Sheet::set_cell`], but a cell past the end of an existing row is added, with
    /// empty cells before it (to fill in a row shorter than the header); false when the row
    /// does not exist.
    pub fn set_cell_padded(&mut self, row: usize, col: usize, value: &str) -> bool {
        if row >= self.len() || col >= u32::MAX as usize {
            return false;
        }
        if col >= self.width(row) {
            if value.is_empty() {
                return true;
            }
            self.resized.insert(row as u32, col as u32 + 1);
        }
        if col >= self.original_width(row) && value.is_empty() {
            self.edits.remove(&(row as u32, col as u32));
            return true;
        }
        self.set_cell(row, col, value)
    }

    /// Drops the empty cells at the end of row `row`, keeping at least its first `keep`
    /// cells: a row whose last cells were emptied ends where its text does. The edits that
    /// emptied them still count (the row differs from what was read). False when the row
    /// does not exist.
    pub fn trim_empty_end(&mut self, row: usize, keep: usize) -> bool {
        if row >= self.len() {
            return false;
        }
        let mut width = self.width(row);
        while width > keep && self.cell_or_empty(row, width - 1).is_empty() {
            width -= 1;
        }
        if width == self.original_width(row) {
            self.resized.remove(&(row as u32));
        } else {
            self.resized.insert(row as u32, width as u32);
        }
        true
    }

    /// True when the cell's text differs from what was read.
    pub fn is_edited(&self, row: usize, col: usize) -> bool {
        self.edits.contains_key(&(row as u32, col as u32))
    }

    /// How many cells have been edited.
    pub fn edit_count(&self) -> usize {
        self.edits.len()
    }

    /// Bytes of cell text held (originals and their separators), for memory reports.
    pub fn text_bytes(&self) -> usize {
        self.text.len()
    }
}

/// True when the ASCII byte `sep` follows every cell, the ends ascend and the text ends
/// with the last separator: then both ends of every cell are character boundaries in
/// valid UTF-8.
fn separators_follow_cells(text: &str, sep: u8, cell_ends: &[u32]) -> bool {
    let bytes = text.as_bytes();
    let mut start = 0usize;
    for &end in cell_ends {
        let end = end as usize;
        if end < start || bytes.get(end) != Some(&sep) {
            return false;
        }
        start = end + 1;
    }
    sep.is_ascii() && start == text.len()
}

/// The current cells of one row, from [`Sheet::row`].
#[derive(Debug, Clone)]
pub enum RowCells<'a> {
    /// A sheet without edits: the cells as read, by their end offsets.
    Read {
        /// The sheet's text.
        text: &'a str,
        /// The end offsets of the cells not yet given (each followed by a separator).
        ends: &'a [u32],
        /// Where the next cell starts in `text`.
        start: usize,
    },
    /// A sheet with edits: each cell looked up.
    Edited {
        /// The sheet.
        sheet: &'a Sheet,
        /// The row.
        row: usize,
        /// The columns not yet given.
        cols: std::ops::Range<usize>,
    },
}

impl<'a> RowCells<'a> {
    /// The text the cells not yet given lie in, as read, with the sheet's
    /// [`Sheet::separator`] between each two (None for a sheet with edits).
    pub fn span(&self) -> Option<&'a str> {
        match self {
            RowCells::Read { text, ends, start } => {
                let end = ends.last().map_or(*start, |&e| e as usize);
                text.get(*start..end)
            }
            RowCells::Edited { .. } => None,
        }
    }
}

impl<'a> Iterator for RowCells<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match self {
            RowCells::Read { text, ends, start } => {
                let (&end, rest) = ends.split_first()?;
                let end = end as usize;
                let cell = text.get(*start..end).unwrap_or("");
                *ends = rest;
                *start = end + 1;
                Some(cell)
            }
            RowCells::Edited { sheet, row, cols } => {
                cols.next().map(|c| sheet.cell_or_empty(*row, c))
            }
        }
    }

    fn nth(&mut self, n: usize) -> Option<&'a str> {
        match self {
            RowCells::Read { ends, start, .. } => {
                // Skip n cells at once: the next cell starts where the n-th ends.
                if n > 0 {
                    match ends.get(n - 1) {
                        Some(&end) => {
                            *start = end as usize + 1;
                            *ends = ends.get(n..).unwrap_or_default();
                        }
                        None => {
                            *ends = &[];
                            return None;
                        }
                    }
                }
                self.next()
            }
            RowCells::Edited { sheet, row, cols } => {
                cols.nth(n).map(|c| sheet.cell_or_empty(*row, c))
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match self {
            RowCells::Read { ends, .. } => ends.len(),
            RowCells::Edited { cols, .. } => cols.len(),
        };
        (n, Some(n))
    }
}

impl ExactSizeIterator for RowCells<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_cells_lines_and_widths() {
        let mut s = Sheet::new();
        s.push_row(1, ["user_id", "name"]).unwrap();
        s.push_row(2, ["1", "김철수", "extra"]).unwrap();
        s.push_row(4, std::iter::empty()).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s.cell(1, 1), Some("김철수"));
        assert_eq!(s.cell(1, 2), Some("extra"));
        assert_eq!(s.cell(0, 2), None);
        assert_eq!(s.width(2), 0);
        assert_eq!(s.line(2), 4);
        assert_eq!(s.row(0).collect::<Vec<_>>(), vec!["user_id", "name"]);
        assert_eq!(s.row(1).len(), 3);
        assert_eq!(s.row(3).count(), 0);
        assert_eq!(s.row(1).nth(1), Some("김철수"));
        assert_eq!(
            s.row(1).skip(1).collect::<Vec<_>>(),
            vec!["김철수", "extra"]
        );
        assert_eq!(s.row(1).nth(3), None);
        assert_eq!(s.row(1).skip(5).count(), 0);
    }

    #[test]
    fn edits_overlay_and_revert() {
        let mut s = Sheet::new();
        s.push_row(1, ["a", "b"]).unwrap();
        assert!(s.set_cell(0, 1, "c"));
        assert_eq!(s.cell(0, 1), Some("c"));
        assert_eq!(s.original_cell(0, 1), Some("b"));
        assert!(s.is_edited(0, 1));
        assert!(s.set_cell(0, 1, "b"));
        assert!(!s.is_edited(0, 1));
        assert!(!s.set_cell(0, 5, "x"));
        assert!(!s.set_cell(3, 0, "x"));
    }

    #[test]
    fn padded_edits_widen_a_short_row() {
        let mut s = Sheet::new();
        s.push_row(1, ["a", "b", "c"]).unwrap();
        s.push_row(2, ["1"]).unwrap();
        assert!(s.set_cell_padded(1, 2, "x"));
        assert_eq!(s.width(1), 3);
        assert_eq!(s.original_width(1), 1);
        assert_eq!(s.row(1).collect::<Vec<_>>(), vec!["1", "", "x"]);
        assert_eq!(s.row(1).skip(2).collect::<Vec<_>>(), vec!["x"]);
        assert_eq!(s.row(1).nth(3), None);
        assert_eq!(s.cell(1, 1), Some(""));
        assert_eq!(s.original_cell(1, 2), None);
        assert!(s.is_edited(1, 2));
        assert!(!s.is_edited(1, 1));
        assert_eq!(s.edit_count(), 1);
        // Clearing an added cell removes the edit; an empty value past the end adds nothing.
        assert!(s.set_cell_padded(1, 2, ""));
        assert!(!s.is_edited(1, 2));
        assert_eq!(s.edit_count(), 0);
        assert!(s.set_cell_padded(1, 7, ""));
        assert_eq!(s.width(1), 3);
        assert!(!s.set_cell_padded(5, 0, "x"));
        // Other rows are not widened.
        assert_eq!(s.width(0), 3);
        assert_eq!(s.cell(0, 3), None);
    }

    #[test]
    fn emptied_cells_are_trimmed_off_a_rows_end() {
        let mut s = Sheet::new();
        s.push_row(1, ["a", "b", "x", "", "y"]).unwrap();
        assert!(s.set_cell(0, 4, ""));
        assert!(s.trim_empty_end(0, 2));
        assert_eq!(s.width(0), 3, "x still filled");
        assert!(s.set_cell(0, 2, ""));
        assert!(s.trim_empty_end(0, 2));
        assert_eq!(s.width(0), 2, "never past `keep`");
        assert_eq!(s.row(0).collect::<Vec<_>>(), vec!["a", "b"]);
        assert_eq!(s.cell(0, 2), None);
        assert_eq!(s.original_cell(0, 4), Some("y"));
        assert_eq!(s.edit_count(), 2, "the emptying edits still count");
        // Filled in again, the row grows back from there.
        assert!(s.set_cell_padded(0, 3, "z"));
        assert_eq!(s.row(0).collect::<Vec<_>>(), vec!["a", "b", "", "z"]);
        assert!(!s.trim_empty_end(1, 0));
    }

    #[test]
    fn joined_rows_match_pushed_rows() {
        let mut s = Sheet::new();
        s.push_row(1, ["a", "b"]).unwrap();
        assert_eq!(s.push_row_joined(2, "1김철수", &[1, 1, 10]), Ok(true));
        s.push_row(3, ["x"]).unwrap();
        assert_eq!(s.row(1).collect::<Vec<_>>(), vec!["1", "", "김철수"]);
        assert_eq!(s.line(1), 2);
        assert_eq!(s.row(2).collect::<Vec<_>>(), vec!["x"]);
        // Bad ends add nothing.
        assert_eq!(s.push_row_joined(4, "김", &[1, 3]), Ok(false));
        assert_eq!(s.push_row_joined(4, "ab", &[2, 1]), Ok(false));
        assert_eq!(s.push_row_joined(4, "ab", &[1]), Ok(false));
        assert_eq!(s.push_row_joined(4, "ab", &[3]), Ok(false));
        assert_eq!(s.len(), 3);
        assert_eq!(s.push_row_joined(4, "", &[]), Ok(true));
        assert_eq!(s.width(3), 0);
    }

    #[test]
    fn parts_need_a_separator_after_every_cell() {
        let parts = |text: &str, sep: u8, ends: &[u32], starts: &[u32]| {
            Sheet::from_parts(
                text.to_string(),
                sep,
                ends.to_vec(),
                starts.to_vec(),
                vec![1; starts.len()],
            )
        };
        let s = parts("a,김,\n,", b',', &[1, 5, 7], &[0, 2]).unwrap();
        assert_eq!(s.row(0).collect::<Vec<_>>(), vec!["a", "김"]);
        assert_eq!(s.row(1).collect::<Vec<_>>(), vec!["\n"]);
        assert_eq!(s.row(0).span(), Some("a,김"));
        assert_eq!(s.original_cell(1, 0), Some("\n"));
        assert_eq!(s.separator(), b',');
        // A cell's end must be its separator, the text must end with the last one, and
        // the separator must be ASCII.
        assert!(parts("a,김,\n,", b',', &[1, 4, 7], &[0, 2]).is_none());
        assert!(parts("a,김,\n,x", b',', &[1, 5, 7], &[0, 2]).is_none());
        assert!(parts("a;김;", b',', &[1, 5], &[0]).is_none());
        assert!(parts("a\u{e9}", 0xC3, &[1], &[0]).is_none());
        assert!(parts("a,b,", b',', &[3, 1], &[0]).is_none());
        assert!(parts("a,", b',', &[1], &[0, 2]).is_none());
        // Rows pushed one by one lie the same way.
        let mut pushed = Sheet::new();
        pushed.push_row(1, ["a", "김"]).unwrap();
        pushed.push_row(1, ["\n"]).unwrap();
        assert_eq!(pushed, s);
    }

    #[test]
    fn empty_cells_are_kept() {
        let mut s = Sheet::new();
        s.push_row(1, ["", "", "x", ""]).unwrap();
        assert_eq!(s.width(0), 4);
        assert_eq!(s.row(0).collect::<Vec<_>>(), vec!["", "", "x", ""]);
    }
}
