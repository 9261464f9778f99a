//! Short summaries of any recognised file: what it is and how many records it holds.
//!
//! [`inspect`] streams the file once (it never needs the whole file in memory), reports
//! progress in bytes, and counts what it cannot read instead of stopping at it.

use std::collections::HashSet;
use std::io::{self, BufRead, BufReader, Read};

use serde::{Deserialize, Serialize};

use crate::formats::{
    self, looks_like_attlog_line, FileKind, Recognition, FP10_MAX_RECORD, SSRFACE_RECORD,
    TEMPLATE_DAT_RECORD,
};

/// Most problems listed one by one in a summary; the rest are counted.
pub const MAX_LISTED_PROBLEMS: usize = 50;

/// One counted quantity of a summary, e.g. "users: 120".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// What is counted ("rows", "users", "entries", ...).
    pub label: String,
    /// How many.
    pub value: u64,
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
}

impl Summary {
    fn count(&mut self, label: &str, value: u64) {
        self.counts.push(Count {
            label: label.to_string(),
            value,
        });
    }

    fn problem(&mut self, message: String) {
        self.problem_count += 1;
        if self.problems.len() < MAX_LISTED_PROBLEMS {
            self.problems.push(message);
        }
    }

    /// The count with this label, if present.
    pub fn get(&self, label: &str) -> Option<u64> {
        self.counts
            .iter()
            .find(|c| c.label == label)
            .map(|c| c.value)
    }

    /// One line for a terminal: name, kind and counts.
    pub fn one_line(&self) -> String {
        let counts: Vec<String> = self
            .counts
            .iter()
            .map(|c| format!("{} {}", c.value, c.label))
            .collect();
        let mut line = format!(
            "{}: {} ({} bytes)",
            self.name,
            self.recognition.kind.label(),
            self.size
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

/// Recognises and summarises a file read from `reader` (from its first byte).
///
/// `head` is the file's first bytes (up to [`formats::HEAD_LEN`]), used for recognition;
/// `progress` is called with the number of bytes read so far.
pub fn inspect<R: Read>(
    name: &str,
    size: u64,
    head: &[u8],
    reader: R,
    progress: &mut dyn FnMut(u64),
) -> Summary {
    let recognition = formats::recognize(name, size, head);
    let kind = recognition.kind;
    let mut summary = Summary {
        name: name.to_string(),
        size,
        recognition,
        counts: Vec::new(),
        problems: Vec::new(),
        problem_count: 0,
        device_name: None,
    };
    let step = (size / 100).max(64 * 1024);
    let mut reader = ProgressReader::new(reader, step, progress);
    let result = match kind {
        FileKind::BiostarCsv => inspect_csv(head, &mut reader, &mut summary),
        FileKind::BiostarDataFile => inspect_archive(head, &mut reader, &mut summary),
        FileKind::ZkUserDat72 => inspect_user_dat(72, &mut reader, &mut summary),
        FileKind::ZkUserDat28 => inspect_user_dat(28, &mut reader, &mut summary),
        FileKind::ZkAttlog => inspect_attlog(&mut reader, &mut summary),
        FileKind::ZkTemplateDat => {
            inspect_fixed_templates(TEMPLATE_DAT_RECORD, "templates", &mut reader, &mut summary)
        }
        FileKind::ZkFaceDat => {
            inspect_fixed_templates(SSRFACE_RECORD, "face records", &mut reader, &mut summary)
        }
        FileKind::ZkTemplateFp10 => inspect_fp10(&mut reader, &mut summary),
        FileKind::Unknown => Ok(()),
    };
    if let Err(e) = result {
        let at = reader.position();
        summary.problem(format!(
            "Reading stopped at byte {at} of {size}: {e}. The file may be incomplete; copy it again from where it was exported."
        ));
    }
    if kind == FileKind::BiostarDataFile {
        summary.device_name = crate::archive::rename_for_device(name);
    }
    summary
}

fn inspect_csv(head: &[u8], reader: &mut dyn Read, s: &mut Summary) -> io::Result<()> {
    // UTF-16 cannot be split into records as bytes: decode it whole (text::decode finds the
    // BOM). Everything else is streamed; its delimiter is told from the head.
    let utf16 = head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]);
    let mut owned;
    let (source, delimiter): (&mut dyn Read, u8) = if utf16 {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        let text = crate::text::decode(bytes, None).text;
        let delimiter = crate::formats::biostar_csv::detect_delimiter(&text).byte;
        owned = io::Cursor::new(text.into_bytes());
        (&mut owned, delimiter)
    } else {
        let head_text = String::from_utf8_lossy(&head[..head.len().min(16 * 1024)]);
        (
            reader,
            crate::formats::biostar_csv::detect_delimiter(&head_text).byte,
        )
    };
    count_csv_records(source, delimiter, s)
}

/// Streams CSV records with csv-core, counting them and flagging quoted line breaks at the
/// line where their record starts. Driving csv-core directly lets this see every byte it
/// consumes, so lines are counted exactly (LF, CR LF and blank lines alike) without holding
/// the file.
fn count_csv_records(source: &mut dyn Read, delimiter: u8, s: &mut Summary) -> io::Result<()> {
    let mut parser = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let mut input = vec![0u8; 256 * 1024];
    let (mut pos, mut len, mut eof) = (0usize, 0usize, false);
    let mut fields = vec![0u8; 64 * 1024];
    let mut ends = vec![0usize; 64];
    let (mut out_len, mut ends_len) = (0usize, 0usize);
    let mut line = 1u64;
    let mut record_line: Option<u64> = None;
    let (mut records, mut multiline) = (0u64, 0u64);
    loop {
        if pos == len && !eof {
            len = read_full(source, &mut input)?;
            pos = 0;
            eof = len == 0;
        }
        let chunk = &input[pos..len];
        let (result, nin, nout, nend) =
            parser.read_record(chunk, &mut fields[out_len..], &mut ends[ends_len..]);
        let consumed = &chunk[..nin];
        let mut rest = consumed;
        if record_line.is_none() {
            // Bytes between records are line ends of the previous record or blank lines.
            let gap = rest
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
            line += rest[..gap].iter().filter(|&&b| b == b'\n').count() as u64;
            rest = &rest[gap..];
            if !rest.is_empty() {
                record_line = Some(line);
            }
        }
        line += rest.iter().filter(|&&b| b == b'\n').count() as u64;
        pos += nin;
        out_len += nout;
        ends_len += nend;
        match result {
            csv_core::ReadRecordResult::InputEmpty => {}
            csv_core::ReadRecordResult::OutputFull => fields.resize(fields.len() * 2, 0),
            csv_core::ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
            csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => {
                if matches!(result, csv_core::ReadRecordResult::Record) {
                    records += 1;
                    if fields[..out_len].iter().any(|&b| b == b'\n' || b == b'\r') {
                        multiline += 1;
                        let at = record_line.unwrap_or(line);
                        s.problem(format!(
                            "Line {at}: a quoted cell holds a line break; the BioStar server would read it as two records. Remove the line break."
                        ));
                    }
                }
                out_len = 0;
                ends_len = 0;
                record_line = None;
                if matches!(result, csv_core::ReadRecordResult::End) {
                    break;
                }
            }
        }
    }
    s.count("records (header included)", records);
    s.count("cells with line breaks", multiline);
    Ok(())
}

fn inspect_archive(head: &[u8], reader: &mut dyn Read, s: &mut Summary) -> io::Result<()> {
    let gz = head.starts_with(&[0x1f, 0x8b]);
    let (mut entries, mut bytes) = (0u64, 0u64);
    let mut source: Box<dyn Read + '_> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
    };
    {
        let mut archive = tar::Archive::new(&mut source);
        for entry in archive.entries()? {
            let mut entry = entry?;
            entries += 1;
            let size = entry.header().size()?;
            bytes += size;
            // Read through the entry so gzip and truncation errors surface here.
            let copied = io::copy(&mut entry, &mut io::sink())?;
            if copied != size {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("entry {entries} is cut short: {copied} of {size} bytes"),
                ));
            }
        }
    }
    // Read to the end so the gzip trailer (CRC and length) is checked.
    io::copy(&mut source, &mut io::sink())?;
    s.count("entries", entries);
    s.count("bytes in entries", bytes);
    Ok(())
}

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

fn inspect_user_dat(size: usize, reader: &mut dyn Read, s: &mut Summary) -> io::Result<()> {
    let mut buf = vec![0u8; size];
    let (mut users, mut empty, mut disabled) = (0u64, 0u64, 0u64);
    let mut index = 0u64;
    loop {
        let n = read_full(reader, &mut buf)?;
        if n == 0 {
            break;
        }
        if n < size {
            s.problem(format!(
                "Byte {}: the last record is cut off ({n} of {size} bytes); it is not read. Copy user.dat from the clock again.",
                index * size as u64
            ));
            break;
        }
        let uid = u16::from_le_bytes([buf[0], buf[1]]);
        if buf.iter().all(|&b| b == 0) || uid == 0 {
            empty += 1;
        } else {
            users += 1;
            if buf[2] & 1 == 1 {
                disabled += 1;
            }
        }
        index += 1;
    }
    s.count("users", users);
    s.count("empty slots", empty);
    s.count("disabled users", disabled);
    Ok(())
}

fn inspect_attlog(reader: &mut dyn Read, s: &mut Summary) -> io::Result<()> {
    let mut lines = BufReader::with_capacity(256 * 1024, reader);
    let mut line = Vec::new();
    let (mut punches, mut damaged, mut number, mut nul_bytes) = (0u64, 0u64, 0u64, 0u64);
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        number += 1;
        let nuls = line.iter().filter(|&&b| b == 0).count() as u64;
        nul_bytes += nuls;
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.trim().is_empty() {
            continue;
        }
        let fields = text.split('\t').count();
        if nuls == 0 && fields == 6 && looks_like_attlog_line(text) && !text.contains("ZZZZ") {
            punches += 1;
        } else {
            damaged += 1;
            let what = if nuls > 0 {
                format!("{nuls} NUL bytes")
            } else if text.contains("ZZZZ") {
                "a record from erased flash (ZZZZ...)".to_string()
            } else if formats::starts_like_attlog_line(text) {
                format!(
                    "a punch with {fields} of the 6 tab-separated fields (cut off or run together)"
                )
            } else {
                "text that is not a punch".to_string()
            };
            s.problem(format!(
                "Line {number}: {what}; the line is damaged and is not counted as a punch."
            ));
        }
    }
    s.count("punches", punches);
    s.count("damaged lines", damaged);
    s.count("NUL bytes", nul_bytes);
    Ok(())
}

fn inspect_fixed_templates(
    record: u64,
    label: &str,
    reader: &mut dyn Read,
    s: &mut Summary,
) -> io::Result<()> {
    let mut buf = vec![0u8; record as usize];
    let (mut records, mut valid) = (0u64, 0u64);
    let mut users = HashSet::new();
    loop {
        let n = read_full(reader, &mut buf)?;
        if n == 0 {
            break;
        }
        if (n as u64) < record {
            s.problem(format!(
                "Byte {}: the last record is cut off ({n} of {record} bytes); it is not read. Copy the file from the clock again.",
                records * record
            ));
            break;
        }
        records += 1;
        if buf[5] != 0 {
            valid += 1;
            users.insert(u16::from_le_bytes([buf[2], buf[3]]));
        }
    }
    s.count(label, records);
    s.count("valid", valid);
    s.count("users", users.len() as u64);
    Ok(())
}

fn inspect_fp10(reader: &mut dyn Read, s: &mut Summary) -> io::Result<()> {
    let mut header = [0u8; 6];
    let mut body = vec![0u8; FP10_MAX_RECORD as usize];
    let (mut records, mut offset) = (0u64, 0u64);
    let mut users = HashSet::new();
    loop {
        let n = read_full(reader, &mut header)?;
        if n == 0 {
            break;
        }
        if n < 6 {
            s.problem(format!("Byte {offset}: {n} bytes left, too few for a record header; the file is truncated."));
            break;
        }
        let size = u64::from(u16::from_le_bytes([header[0], header[1]]));
        if !(7..=FP10_MAX_RECORD).contains(&size) || header[4] > 9 {
            s.problem(format!(
                "Byte {offset}: a record header says size {size}, finger {}; that is not a valid record, so the rest of the file ({} bytes) cannot be read.",
                header[4],
                s.size.saturating_sub(offset)
            ));
            // Drain so the byte count stays right; the rest is unreadable.
            io::copy(reader, &mut io::sink())?;
            break;
        }
        let want = (size - 6) as usize;
        let got = read_full(reader, &mut body[..want])?;
        if got < want {
            s.problem(format!(
                "Byte {offset}: the last record is cut off ({} of {size} bytes).",
                got + 6
            ));
            break;
        }
        records += 1;
        users.insert(u16::from_le_bytes([header[2], header[3]]));
        offset += size;
    }
    s.count("templates", records);
    s.count("users", users.len() as u64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, bytes: &[u8]) -> Summary {
        let head = &bytes[..bytes.len().min(formats::HEAD_LEN)];
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
    fn truncated_archive_is_reported_with_a_position() {
        let bytes = tgz(&[("users.db", &[1u8; 20000])]);
        let cut = &bytes[..bytes.len() - 30];
        let s = run("BioStarX_20250102_030405.tgz", cut);
        assert_eq!(s.problem_count, 1, "{:?}", s.problems);
        assert!(
            s.problems[0].contains("Reading stopped at byte"),
            "{}",
            s.problems[0]
        );
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
}
