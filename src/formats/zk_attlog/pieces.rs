//! A repair made of byte ranges: the log remembers where each line starts (about two
//! bytes a line), so the repaired file is the original's byte ranges between the lines
//! left out, found without reading the file again. The page hands few ranges to the
//! browser as slices of the user's `File`, joined into the download unread; with many, it
//! reads the file again and cuts each slice ([`RangeCut`]), as [`repair_attlog`] does: no
//! line is split or parsed twice.
//!
//! [`repair_attlog`]: super::repair_attlog

use std::ops::Range;

use super::{Attlog, RawLine, RepairOptions, RepairReport};

/// Lines between two kept offsets.
const MARK_EVERY: u64 = 1024;

/// Where every line of a log starts: each line's length (up to 65,534 bytes; longer ones
/// are listed apart) and every 1,024th line's offset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineIndex {
    lens: Vec<u16>,
    /// (line, length) of the lines of [`u16::MAX`] bytes or more, in order.
    long: Vec<(u64, u64)>,
    /// Offset of lines 0, 1024, 2048 and so on.
    marks: Vec<u64>,
    /// Where the last line ends.
    end: u64,
}

impl LineIndex {
    /// Adds the next line.
    pub(super) fn push(&mut self, raw: &RawLine) {
        let index = self.lens.len() as u64;
        if index.is_multiple_of(MARK_EVERY) {
            self.marks.push(raw.offset);
        }
        let short = u16::try_from(raw.len).ok().filter(|&n| n < u16::MAX);
        if short.is_none() {
            self.long.push((index, raw.len));
        }
        self.lens.push(short.unwrap_or(u16::MAX));
        self.end = raw.offset + raw.len;
    }

    /// Lines indexed.
    pub fn lines(&self) -> u64 {
        self.lens.len() as u64
    }

    /// Line `index`'s length, its line end included.
    fn len_of(&self, index: u64) -> u64 {
        match self.lens[index as usize] {
            u16::MAX => match self.long.binary_search_by_key(&index, |&(i, _)| i) {
                Ok(at) => self.long[at].1,
                Err(_) => u64::from(u16::MAX),
            },
            n => u64::from(n),
        }
    }

    /// The bytes of 0-based line `index` (its line end included); None past the last.
    pub fn range(&self, index: u64) -> Option<Range<u64>> {
        self.range_from(&mut Cursor::default(), index)
    }

    /// [`range`](Self::range), summing line lengths on from `at` (a line before `index`
    /// and its offset) where that is nearer than `index`'s mark; `at` ends at `index`.
    fn range_from(&self, at: &mut Cursor, index: u64) -> Option<Range<u64>> {
        if index >= self.lines() {
            return None;
        }
        let mark = index / MARK_EVERY;
        if at.line > index || at.line / MARK_EVERY != mark {
            *at = Cursor {
                line: mark * MARK_EVERY,
                offset: self.marks[mark as usize],
            };
        }
        at.offset += (at.line..index).map(|i| self.len_of(i)).sum::<u64>();
        at.line = index;
        Some(at.offset..at.offset + self.len_of(index))
    }
}

/// A line and where it starts.
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    line: u64,
    offset: u64,
}

impl Attlog {
    /// The repaired log as the file's byte ranges, in order, found as they are taken, and
    /// what the repair leaves out; None when the log's line index does not describe its
    /// file (never for a log read by [`AttlogReader`](super::AttlogReader)).
    pub fn repair_plan(&self, opts: RepairOptions) -> Option<(KeptRanges<'_>, RepairReport)> {
        let index = &self.line_index;
        (index.lines() == self.lines && index.end == self.size).then_some(())?;
        let mut report = RepairReport {
            kept: 0,
            removed_damaged: u64::from(opts.remove_damaged) * self.damaged_count,
            removed_blank: u64::from(opts.remove_damaged) * self.blank_lines,
            removed_duplicates: u64::from(opts.remove_duplicates) * self.duplicates.len() as u64,
            removed_bom: self.bom,
        };
        report.kept = self.lines - report.left_out();
        let dropped = Dropped {
            log: self,
            opts,
            line: 0,
            punch: 0,
            dups: self.duplicates.iter().peekable(),
        };
        let ranges = KeptRanges {
            index,
            dropped,
            at: Cursor::default(),
            // The byte order mark is no part of the log the clock reads.
            from: if self.bom {
                super::UTF8_BOM.len() as u64
            } else {
                0
            },
            size: self.size,
        };
        Some((ranges, report))
    }

    /// The repaired log as byte ranges of the file it was read from, in order, with what
    /// [`repair_attlog`](super::repair_attlog) reports; None when it takes more than
    /// `most` ranges (the caller then reads the file again), or has no plan.
    pub fn kept_ranges(
        &self,
        opts: RepairOptions,
        most: usize,
    ) -> Option<(Vec<Range<u64>>, RepairReport)> {
        let (ranges, report) = self.repair_plan(opts)?;
        // Each range but the first follows a line left out.
        (report.left_out() < most as u64).then_some(())?;
        let ranges: Vec<_> = ranges.take(most.saturating_add(1)).collect();
        (ranges.len() <= most).then_some((ranges, report))
    }
}

/// The 0-based lines a repair leaves out, in order.
struct Dropped<'a> {
    log: &'a Attlog,
    opts: RepairOptions,
    /// The next line to look at, and the punches before it.
    line: u64,
    punch: u32,
    dups: std::iter::Peekable<std::slice::Iter<'a, u32>>,
}

impl Dropped<'_> {
    /// Steps over the next 64 lines at once when they start a word of the line sets and
    /// none is damaged, blank or a duplicate; true when it did.
    fn skipped_word(&mut self) -> bool {
        let log = self.log;
        let word = (self.line / 64) as usize;
        let plain = self.line.is_multiple_of(64)
            && self.line + 64 <= log.lines
            && log.damaged_lines.word(word) == 0
            && log.blank_line_set.word(word) == 0
            && self
                .dups
                .peek()
                .is_none_or(|&&d| d >= self.punch.saturating_add(64));
        if plain {
            self.line += 64;
            self.punch = self.punch.saturating_add(64);
        }
        plain
    }
}

impl Iterator for Dropped<'_> {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        let log = self.log;
        while self.line < log.lines {
            if self.skipped_word() {
                continue;
            }
            let line = self.line;
            self.line += 1;
            if log.damaged_lines.contains(line) || log.blank_line_set.contains(line) {
                if self.opts.remove_damaged {
                    return Some(line);
                }
                continue;
            }
            let punch = self.punch;
            self.punch = self.punch.saturating_add(1);
            if self.dups.next_if_eq(&&punch).is_some() && self.opts.remove_duplicates {
                return Some(line);
            }
        }
        None
    }
}

/// The byte ranges a repaired log is made of, in order (see [`Attlog::repair_plan`]).
pub struct KeptRanges<'a> {
    index: &'a LineIndex,
    dropped: Dropped<'a>,
    /// The last line left out, and where it starts.
    at: Cursor,
    /// Where the next range may start.
    from: u64,
    size: u64,
}

impl Iterator for KeptRanges<'_> {
    type Item = Range<u64>;

    fn next(&mut self) -> Option<Range<u64>> {
        for line in self.dropped.by_ref() {
            let gone = self.index.range_from(&mut self.at, line)?;
            let kept = self.from..gone.start;
            self.from = gone.end;
            if !kept.is_empty() {
                return Some(kept);
            }
        }
        let last = self.from..self.size;
        self.from = self.size;
        (!last.is_empty()).then_some(last)
    }
}

/// Cuts a file read in chunks, in order, into the parts inside the ranges it keeps.
pub struct RangeCut<'a> {
    ranges: std::iter::Peekable<KeptRanges<'a>>,
    /// Bytes of the file cut so far.
    at: u64,
    /// The file's size when its log was read.
    size: u64,
}

impl<'a> RangeCut<'a> {
    /// A cut keeping `ranges`.
    pub fn new(ranges: KeptRanges<'a>) -> Self {
        RangeCut {
            size: ranges.size,
            ranges: ranges.peekable(),
            at: 0,
        }
    }

    /// The next `len` bytes of the file: hands `keep` each part of them kept, as a range
    /// within them.
    pub fn cut<E>(
        &mut self,
        len: usize,
        mut keep: impl FnMut(Range<usize>) -> Result<(), E>,
    ) -> Result<(), E> {
        let (start, end) = (self.at, self.at + len as u64);
        while let Some(range) = self.ranges.peek_mut() {
            if range.start >= end {
                break;
            }
            let from = range.start.max(start);
            let to = range.end.min(end);
            keep((from - start) as usize..(to - start) as usize)?;
            if range.end > end {
                range.start = end;
                break;
            }
            self.ranges.next();
        }
        self.at = end;
        Ok(())
    }

    /// Every byte of the file was cut: fails, saying so, when the file is no longer the
    /// size its log was read at (the ranges would not be its lines).
    pub fn finish(mut self) -> Result<(), String> {
        if self.at == self.size && self.ranges.peek().is_none() {
            return Ok(());
        }
        Err(format!(
            "the log is {} bytes now, {} when it was read: it changed since; open it again",
            self.at, self.size
        ))
    }
}
