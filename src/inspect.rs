//! Short summaries of any recognised file: what it is and how many records it holds.
//!
//! [`inspect`] streams the file once (it never needs the whole file in memory), reports
//! progress in bytes, and counts what it cannot read instead of stopping at it.

use std::io::{self, Read};

use serde::{Deserialize, Serialize};

use crate::archive;
use crate::formats::data_file::Listing;
use crate::formats::zk_templates::{self, TemplateKind};
use crate::formats::zk_user_dat::{self, USER_DAT_28, USER_DAT_72};
use crate::formats::{csv_count, data_file, zk_attlog, Tally};
use crate::recognize::{recognize, FileKind, Recognition};
use crate::text::plural;
use crate::workbench::{CsvReading, Workbook};

/// Most problems listed one by one in a summary; the rest are counted.
pub const MAX_LISTED_PROBLEMS: usize = 50;

/// One counted quantity of a summary, e.g. "users: 120".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// What is counted ("rows", "users", "entries", ...): its name.
    pub label: String,
    /// What one of them is called ("row", "user", "entry", ...).
    #[serde(default)]
    pub one: String,
    /// How many.
    pub value: u64,
}

impl Count {
    /// The count with its noun, agreeing with it, digits grouped: "1 entry", "1,024 entries".
    pub fn said(&self) -> String {
        let one = if self.one.is_empty() {
            &self.label
        } else {
            &self.one
        };
        plural(self.value, one, &self.label)
    }
}

/// What [`inspect`] found in one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The file's name as given.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// What it was recognised as.
    pub recognition: Recognition,
    /// The counts that matter for its kind, most important first.
    pub counts: Vec<Count>,
    /// Problems found while reading, each saying where and what to do (at most [`MAX_LISTED_PROBLEMS`]).
    pub problems: Vec<String>,
    /// How many problems there were in all.
    pub problem_count: u64,
    /// For a BioStar data file: the name a device recognises (`BioStar2_...`), if it differs.
    pub device_name: Option<String>,
    /// For a user CSV: how the workbench reads it (from its first bytes), as the page
    /// shows once it is open.
    #[serde(default)]
    pub reading: Option<CsvReading>,
}

impl Tally for Summary {
    fn count(&mut self, one: &str, many: &str, value: u64) {
        self.counts.push(Count {
            label: many.to_string(),
            one: one.to_string(),
            value,
        });
    }

    fn problem(&mut self, message: String) {
        self.problem_count += 1;
        if self.problems.len() < MAX_LISTED_PROBLEMS {
            self.problems.push(message);
        }
    }
}

impl Summary {
    /// The count with this label, if present.
    pub fn get(&self, label: &str) -> Option<u64> {
        self.counts
            .iter()
            .find(|c| c.label == label)
            .map(|c| c.value)
    }

    /// One line for a terminal: name, kind and counts.
    pub fn one_line(&self) -> String {
        let counts: Vec<String> = self.counts.iter().map(Count::said).collect();
        let mut line = format!(
            "{}: {} ({})",
            self.name,
            self.recognition.kind.label(),
            plural(self.size, "byte", "bytes")
        );
        if !counts.is_empty() {
            line.push_str(": ");
            line.push_str(&counts.join(", "));
        }
        line
    }
}

/// A reader that reports how many bytes have passed through it.
pub struct ProgressReader<'p, R> {
    inner: R,
    done: u64,
    last_report: u64,
    step: u64,
    progress: &'p mut dyn FnMut(u64),
}

impl<'p, R: Read> ProgressReader<'p, R> {
    /// Wraps `inner`, calling `progress(bytes_so_far)` about every `step` bytes.
    pub fn new(inner: R, step: u64, progress: &'p mut dyn FnMut(u64)) -> Self {
        ProgressReader {
            inner,
            done: 0,
            last_report: 0,
            step: step.max(1),
            progress,
        }
    }

    /// Bytes read so far.
    pub fn position(&self) -> u64 {
        self.done
    }
}

impl<R: Read> Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        if self.done - self.last_report >= self.step || (n == 0 && self.done != self.last_report) {
            self.last_report = self.done;
            (self.progress)(self.done);
        }
        Ok(n)
    }
}

/// What to say when a reader stopped: its own words when they name the byte (the format
/// readers say where a file is cut off or damaged), else how far reading got.
fn stopped(e: &std::io::Error, at: u64, size: u64) -> String {
    let said = e.to_string();
    let what =
        if said.starts_with("byte ") || said.starts_with("Byte ") || said.contains(" at byte ") {
            let mut chars = said.chars();
            chars
                .next()
                .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
        } else {
            format!("Reading stopped at byte {at} of {size}: {said}")
        };
    format!("{what}. The file is damaged or incomplete; copy it again from where it was exported.")
}

/// Recognises and summarises a file read from `reader` (from its first byte).
///
/// `head` is the file's first bytes (up to [`crate::recognize::HEAD_LEN`]), used for recognition;
/// `progress` is called with the number of bytes read so far.
pub fn inspect<R: Read>(
    name: &str,
    size: u64,
    head: &[u8],
    reader: R,
    progress: &mut dyn FnMut(u64),
) -> Summary {
    let mut summary = blank(name, size, head);
    let step = (size / 100).max(64 * 1024);
    let mut reader = ProgressReader::new(reader, step, progress);
    let result = match summary.recognition.kind {
        FileKind::BiostarCsv => csv_count::count_records(head, &mut reader, &mut summary),
        FileKind::BiostarDataFile => tally_data_file(&mut summary, &mut reader),
        FileKind::ZkUserDat72 => zk_user_dat::count_users(USER_DAT_72, &mut reader, &mut summary),
        FileKind::ZkUserDat28 => zk_user_dat::count_users(USER_DAT_28, &mut reader, &mut summary),
        FileKind::ZkAttlog => zk_attlog::count_punches(&mut reader, &mut summary),
        kind @ (FileKind::ZkTemplateDat | FileKind::ZkFaceDat | FileKind::ZkTemplateFp10) => {
            let template = TemplateKind::of(kind).unwrap_or(TemplateKind::Face);
            zk_templates::count_templates(template, size, &mut reader, &mut summary)
        }
        FileKind::Unknown => Ok(()),
    };
    if let Err(e) = result {
        summary.problem(stopped(&e, reader.position(), size));
    }
    finish(summary, head)
}

/// Lists a data file and tallies it; a file that turns out to be no data file at all
/// (gzip holding no tar) is then not a file bioport reads, as one that is not gzip is.
fn tally_data_file(summary: &mut Summary, reader: &mut dyn Read) -> io::Result<()> {
    let listing = data_file::list(reader, Default::default(), &mut |_| {});
    if no_data_file(summary, &listing) {
        return Ok(());
    }
    let notes = listing.findings.iter().filter(|f| f.kind.is_info());
    (summary.recognition.notes).extend(notes.map(|f| f.to_string()));
    data_file::tally_listing(&listing, summary)
}

/// Makes `summary` say its file is not one bioport reads when `listing` found it to be no
/// data file at all (gzip holding no tar), with the reason; true when it did.
fn no_data_file(summary: &mut Summary, listing: &Listing) -> bool {
    let found = listing.findings.iter().find(|f| f.kind.not_a_data_file());
    let Some(f) = found else {
        return false;
    };
    summary.recognition.kind = FileKind::Unknown;
    summary.recognition.reason = data_file::not_a_data_file_reason(&summary.name, f);
    true
}

/// An attendance log inspected as its bytes arrive: [`inspect`] pushed, for the worker,
/// which reads the next slices ahead while these are counted.
pub struct AttlogInspection {
    summary: Summary,
    counter: zk_attlog::PunchCounter,
    head: Vec<u8>,
    read: u64,
}

impl AttlogInspection {
    /// An inspection of the log `name` of `size` bytes, starting with `head`.
    pub fn new(name: &str, size: u64, head: &[u8]) -> Self {
        AttlogInspection {
            summary: blank(name, size, head),
            counter: zk_attlog::PunchCounter::default(),
            head: head.to_vec(),
            read: 0,
        }
    }

    /// Counts the next `chunk` of the log.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.counter.feed(chunk, &mut self.summary);
        self.read += chunk.len() as u64;
    }

    /// The summary once every byte was fed, or once reading failed with `error` (said as
    /// [`inspect`] says it, with how far reading got).
    pub fn finish(mut self, error: Option<String>) -> Summary {
        match error {
            Some(e) => {
                let size = self.summary.size;
                let said = stopped(&std::io::Error::other(e), self.read, size);
                self.summary.problem(said);
            }
            None => self.counter.finish(&mut self.summary),
        }
        finish(self.summary, &self.head)
    }
}

/// Summarises a data file already verified and listed (the worker keeps the listing for
/// its screen), as [`inspect`] summarises it (one that is no data file at all, a gzip
/// holding no tar, is then not a file bioport reads); `read` is how many bytes of the
/// file the listing took.
pub fn inspect_listed(name: &str, size: u64, head: &[u8], listing: &Listing, read: u64) -> Summary {
    let mut summary = blank(name, size, head);
    if no_data_file(&mut summary, listing) {
        return summary;
    }
    if let Err(e) = data_file::tally_listing(listing, &mut summary) {
        summary.problem(stopped(&e, read, size));
    }
    finish(summary, head)
}

/// The summary of a file recognised and not read yet.
fn blank(name: &str, size: u64, head: &[u8]) -> Summary {
    Summary {
        name: name.to_string(),
        size,
        recognition: recognize(name, size, head),
        counts: Vec::new(),
        problems: Vec::new(),
        problem_count: 0,
        device_name: None,
        reading: None,
    }
}

/// Adds what a summary says beside its counts: a data file's name for a device, a CSV's
/// reading (encoding and delimiter).
fn finish(mut summary: Summary, head: &[u8]) -> Summary {
    let name = summary.name.as_str();
    match summary.recognition.kind {
        FileKind::BiostarDataFile => summary.device_name = archive::rename_for_device(name),
        FileKind::BiostarCsv => {
            let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
            let whole = head.len() as u64 >= summary.size;
            summary.reading = Workbook::reading_of_head(head, whole, base);
        }
        _ => {}
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, bytes: &[u8]) -> Summary {
        let head = &bytes[..bytes.len().min(crate::recognize::HEAD_LEN)];
        let mut seen = Vec::new();
        let s = inspect(name, bytes.len() as u64, head, bytes, &mut |n| seen.push(n));
        if s.problem_count == 0 && s.recognition.kind != FileKind::Unknown {
            assert_eq!(
                seen.last().copied(),
                Some(bytes.len() as u64),
                "progress reaches the end"
            );
        }
        s
    }

    fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            builder.append_data(&mut h, path, *data).unwrap();
        }
        let tar = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn csv_counts_records_and_flags_line_breaks() {
        let s = run("u.csv", b"user_id,name\n1,\"Kim\nLee\"\n2,Park\n");
        assert_eq!(s.get("records (header included)"), Some(3));
        assert_eq!(s.get("cells with line breaks"), Some(1));
        assert!(s.problems[0].starts_with("Line 2:"), "{:?}", s.problems);
    }

    #[test]
    fn utf16_tab_separated_text_is_read_with_its_own_delimiter() {
        // What a spreadsheet writes as "Unicode text": UTF-16 LE with BOM, tab-separated.
        let mut bytes = vec![0xff, 0xfe];
        for u in "user_id\tname\r\n1\t\"Kim\nLee\"\r\n2\tPark, Ann\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let s = run("users.txt", &bytes);
        assert_eq!(s.recognition.kind, FileKind::BiostarCsv);
        assert_eq!(s.get("records (header included)"), Some(3));
        assert_eq!(s.get("cells with line breaks"), Some(1));
        assert!(s.problems[0].starts_with("Line 2:"), "{:?}", s.problems);
    }

    #[test]
    fn line_breaks_are_placed_on_their_lines_with_crlf_and_blank_lines() {
        let csv = b"user_id,name\r\n\r\n1,\"a\r\nb\"\r\n2,\"c\nd\"\r\n\n3,e\r\n4,\"f\ng\"";
        let s = run("u.csv", csv);
        assert_eq!(s.get("records (header included)"), Some(5));
        assert_eq!(s.get("cells with line breaks"), Some(3));
        assert!(s.problems[0].starts_with("Line 3:"), "{:?}", s.problems);
        assert!(s.problems[1].starts_with("Line 5:"), "{:?}", s.problems);
        assert!(s.problems[2].starts_with("Line 9:"), "{:?}", s.problems);
    }

    #[test]
    fn semicolon_csv_counts() {
        let s = run("u.csv", b"user_id;name\n1;Kim\n2;Lee\n3;Park\n");
        assert_eq!(s.get("records (header included)"), Some(4));
        assert_eq!(s.problem_count, 0);
    }

    #[test]
    fn archive_lists_entries_and_device_name() {
        let bytes = tgz(&[("users.db", b"abc"), ("photos/1.jpg", &[7u8; 5000])]);
        let s = run("BioStarX_20250102_030405.tgz", &bytes);
        assert_eq!(s.get("entries"), Some(2));
        assert_eq!(s.get("bytes in entries"), Some(5003));
        assert_eq!(s.problem_count, 0, "{:?}", s.problems);
        assert_eq!(
            s.device_name.as_deref(),
            Some("BioStar2_20250102_030405.tgz")
        );
    }

    #[test]
    fn a_listed_archive_is_summarised_as_one_read_here() {
        let mut tar = Vec::new();
        for (path, flag) in [("../up", b'0'), ("users.db", b'0')] {
            let mut h = tar::Header::new_ustar();
            h.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
            h.set_entry_type(tar::EntryType::new(flag));
            h.set_size(0);
            h.set_cksum();
            tar.extend_from_slice(h.as_bytes());
        }
        tar.extend_from_slice(&[0u8; 1024]);
        let bytes = crate::formats::data_file::walk_tests::gzip(&tar);
        let name = "BioStarX_20250102_030405.tgz";
        let read_here = run(name, &bytes);
        assert_eq!(read_here.problem_count, 1, "the '..' path");
        let options = data_file::ListOptions::default();
        let listing = data_file::list(&bytes[..], options, &mut |_| {});
        let head = &bytes[..bytes.len().min(crate::recognize::HEAD_LEN)];
        let size = bytes.len() as u64;
        assert_eq!(inspect_listed(name, size, head, &listing, size), read_here);
        let cut = &bytes[..bytes.len() - 9];
        let listing = data_file::list(cut, options, &mut |_| {});
        let cut_size = cut.len() as u64;
        let listed = inspect_listed(name, cut_size, head, &listing, cut_size);
        assert_eq!(listed, run(name, cut));
        assert_eq!(listed.problem_count, 2, "{:?}", listed.problems);
    }

    #[test]
    fn a_listed_gzip_holding_no_tar_is_not_a_file_bioport_reads_as_one_read_here() {
        let bytes = crate::formats::data_file::walk_tests::gzip(&b"name,id\nAnn,1\n".repeat(50));
        let name = "BioStarX_20250102_030405.tgz";
        let listing = data_file::list(&bytes[..], Default::default(), &mut |_| {});
        let size = bytes.len() as u64;
        let listed = inspect_listed(name, size, &bytes, &listing, size);
        assert_eq!(listed.recognition.kind, FileKind::Unknown);
        let reason = "BioStarX_20250102_030405.tgz: the contents are not a tar archive (the first 512 bytes are not a tar header): not a BioStar data file (byte 0 of the uncompressed archive). It is damaged or not a data file: export it again.";
        assert_eq!(listed.recognition.reason, reason);
        assert_eq!((listed.counts.len(), listed.problem_count), (0, 0));
        assert_eq!(listed.device_name, None);
        assert_eq!(listed, run(name, &bytes));
    }

    #[test]
    fn truncated_archive_is_reported_with_a_position() {
        let bytes = tgz(&[("users.db", &[1u8; 20000])]);
        let cut = &bytes[..bytes.len() - 30];
        let s = run("BioStarX_20250102_030405.tgz", cut);
        assert_eq!(s.problem_count, 1, "{:?}", s.problems);
        // The gzip reader names where the file ends; the message says it once.
        let at = cut.len();
        assert!(
            s.problems[0].starts_with(&format!("The file ends at byte {at}, inside ")),
            "{}",
            s.problems[0]
        );
        assert!(
            !s.problems[0].contains("Reading stopped"),
            "{}",
            s.problems[0]
        );
        assert!(s.problems[0].ends_with("copy it again from where it was exported."));
    }

    #[test]
    fn corrupt_gzip_crc_is_reported() {
        let mut bytes = tgz(&[("a", b"hello")]);
        let n = bytes.len();
        bytes[n - 8] ^= 0xff; // CRC32 in the trailer
        let s = run("BioStarX_20250102_030405.tgz", &bytes);
        assert_eq!(s.problem_count, 1, "{:?}", s.problems);
    }

    #[test]
    fn user_dat_counts_users_slots_and_cut_records() {
        let mut bytes = vec![0u8; 72 * 3];
        bytes[0] = 1;
        bytes[11] = b'A';
        bytes[48] = b'1';
        bytes[72] = 2;
        bytes[74] = 1; // disabled
        bytes[72 + 11] = b'B';
        bytes[72 + 48] = b'2';
        bytes.extend([9u8; 10]);
        let s = run("user.dat", &bytes);
        assert_eq!(s.recognition.kind, FileKind::ZkUserDat72);
        assert_eq!(s.get("users"), Some(2));
        assert_eq!(s.get("empty slots"), Some(1));
        assert_eq!(s.get("disabled users"), Some(1));
        assert_eq!(s.problem_count, 1);
        assert!(s.problems[0].contains("Byte 216"), "{}", s.problems[0]);
    }

    #[test]
    fn fp10_walks_records_and_stops_at_garbage_with_position() {
        let mut bytes = Vec::new();
        for uid in [1u16, 1, 2] {
            let mut r = vec![0u8; 20];
            r[0..2].copy_from_slice(&20u16.to_le_bytes());
            r[2..4].copy_from_slice(&uid.to_le_bytes());
            r[5] = 1;
            bytes.extend(r);
        }
        let s = run("template.fp10.1", &bytes);
        assert_eq!(s.get("templates"), Some(3));
        assert_eq!(s.get("users"), Some(2));
        bytes.extend([0xffu8; 8]);
        let s = run("template.fp10.1", &bytes);
        assert_eq!(s.get("templates"), Some(3));
        assert!(s.problems[0].starts_with("Byte 60:"), "{}", s.problems[0]);
    }

    #[test]
    fn an_attlog_pushed_in_chunks_is_summarised_as_inspect_reads_it() {
        let mut log =
            crate::formats::zk_sample("attlog_D_yqs112358_caoka_flash_corruption_excerpt.dat");
        log.extend(crate::formats::zk_sample(
            "attlog_E_CHECKHELPER_nul_hole_excerpt.bin",
        ));
        log.extend(b"   7\t2024-01-02 03:04:05\t1\t0\t1\t0");
        let whole = run("1_attlog.dat", &log);
        assert_eq!(whole.recognition.kind, FileKind::ZkAttlog);
        assert!(whole.problem_count > 0 && whole.get("punches").unwrap() > 0);
        let head = &log[..log.len().min(crate::recognize::HEAD_LEN)];
        for step in [1, 13, 4096, 1 << 20] {
            let mut pushed = AttlogInspection::new("1_attlog.dat", log.len() as u64, head);
            log.chunks(step).for_each(|c| pushed.feed(c));
            assert_eq!(pushed.finish(None), whole, "step {step}");
        }
        // A read that fails says how far it got, as a pulled read does.
        let mut cut = AttlogInspection::new("1_attlog.dat", log.len() as u64, head);
        cut.feed(&log[..100]);
        let said = cut.finish(Some("NotReadableError".into()));
        assert_eq!(said.get("punches"), None);
        assert!(
            said.problems
                .iter()
                .any(|p| p.starts_with("Reading stopped at byte 100 of")),
            "{:?}",
            said.problems
        );
    }
}
