//! One module per file format, reader and writer side by side: each knows its format's
//! facts (signatures, record sizes, line shapes, file names) and streams its records.
//!
//! What a file *is* is decided in [`crate::recognize`], which asks these modules; the
//! formats know nothing of recognition or of the summaries [`crate::inspect`] builds: their
//! counters report through the small [`Tally`] trait.

pub mod biostar_csv;
pub mod csv_count;
pub mod data_file;
pub mod gzip;
pub mod zk_attlog;
pub mod zk_templates;
pub mod zk_user_dat;

use std::io::{self, Read};

/// Where a format's streaming counter reports what it found.
pub trait Tally {
    /// Records that `value` things were counted, called `one` when there is one and
    /// `many` otherwise ("1 user", "120 users"); `many` names the count.
    fn count(&mut self, one: &str, many: &str, value: u64);
    /// Records a problem found while reading, saying where and what to do.
    fn problem(&mut self, message: String);
}

/// Reads until `buf` is full or the reader ends; returns how many bytes were read.
fn read_full(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Reads the next whole record into `buf`: false at the end of the file, and false when
/// the last record is cut off, which is reported as the problem `cut_off(bytes_read)`.
fn next_record(
    reader: &mut dyn Read,
    buf: &mut [u8],
    tally: &mut dyn Tally,
    cut_off: impl FnOnce(usize) -> String,
) -> io::Result<bool> {
    let n = read_full(reader, buf)?;
    if n > 0 && n < buf.len() {
        tally.problem(cut_off(n));
    }
    Ok(n == buf.len())
}

/// A real clock file from `../shared/fixtures/zk`, for the unit tests.
#[cfg(test)]
pub(crate) fn zk_sample(name: &str) -> Vec<u8> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/zk/");
    std::fs::read(format!("{dir}{name}")).expect("the sample files sit beside the repository")
}

/// A [`Tally`] that keeps what a counter reported, for the unit tests.
#[cfg(test)]
#[derive(Default)]
pub(crate) struct Seen {
    /// Each count, in the order reported.
    pub counts: Vec<(String, u64)>,
    /// Each problem, in the order reported.
    pub problems: Vec<String>,
}

#[cfg(test)]
impl Tally for Seen {
    fn count(&mut self, _one: &str, many: &str, value: u64) {
        self.counts.push((many.to_string(), value));
    }
    fn problem(&mut self, message: String) {
        self.problems.push(message);
    }
}
