//! A repair without a second read: the log remembers where each line starts (about two
//! bytes a line), so the repaired file is the original's byte ranges between the lines
//! left out. The page hands those ranges to the browser as slices of the user's `File`,
//! which it joins into the download without reading them first; [`repair_attlog`]
//! (reading the file again) gives the same bytes where ranges cannot serve.
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
        if index >= self.lines() {
            return None;
        }
        let mark = index / MARK_EVERY;
        let from = mark * MARK_EVERY;
        let start = self.marks[mark as usize] + (from..index).map(|i| self.len_of(i)).sum::<u64>();
        Some(start..start + self.len_of(index))
    }
}

impl Attlog {
    /// The repaired log as byte ranges of the file it was read from, in order, with what
    /// [`repair_attlog`](super::repair_attlog) would report; None when more than `most`
    /// ranges it would take (the caller then writes it reading the file again).
    pub fn kept_ranges(
        &self,
        opts: RepairOptions,
        most: usize,
    ) -> Option<(Vec<Range<u64>>, RepairReport)> {
        let mut report = RepairReport::default();
        let mut dropped = Vec::new();
        if opts.remove_damaged {
            dropped.extend((0..self.lines).filter(|&i| self.damaged_lines.contains(i)));
            report.removed_damaged = dropped.len() as u64;
        }
        if opts.remove_duplicates {
            for &d in &self.duplicates {
                // Punch lines are counted from 1, up to u32::MAX (then they saturate).
                let line = self.punches[d as usize].line;
                (line < u32::MAX).then_some(())?;
                dropped.push(u64::from(line) - 1);
            }
            report.removed_duplicates = self.duplicates.len() as u64;
        }
        if dropped.len() >= most {
            return None;
        }
        dropped.sort_unstable();
        report.kept = self.lines - dropped.len() as u64;
        let ranges = self.ranges_between(&dropped)?;
        (ranges.len() <= most).then_some((ranges, report))
    }

    /// The file's bytes outside the lines `dropped` (sorted), as ranges.
    fn ranges_between(&self, dropped: &[u64]) -> Option<Vec<Range<u64>>> {
        let index = &self.line_index;
        (index.lines() == self.lines && index.end == self.size).then_some(())?;
        let mut ranges = Vec::new();
        let mut from = 0;
        for &line in dropped {
            let gone = index.range(line)?;
            if gone.start > from {
                ranges.push(from..gone.start);
            }
            from = gone.end;
        }
        if self.size > from {
            ranges.push(from..self.size);
        }
        Some(ranges)
    }
}
