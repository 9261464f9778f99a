//! ZKTeco template files: `template.dat` (fingerprints) and `ssrface.dat` (faces) hold
//! fixed-size records; `template.fp10.1` (fingerprints) holds records that start with a
//! 6-byte header giving their size, user number and finger.
//!
//! Every record's header has the user number in bytes 2-3 and the finger or face index
//! (0-9) in byte 4.

use std::collections::HashSet;
use std::io::{self, Read};

use super::{next_record, read_full, Tally};

/// The name of the fingerprint file with fixed-size records.
pub const TEMPLATE_DAT_NAME: &str = "template.dat";
/// The name of the fingerprint file with variable-size records.
pub const FP10_NAME: &str = "template.fp10.1";
/// The name of the face template file.
pub const SSRFACE_NAME: &str = "ssrface.dat";
/// Size of one record in `template.dat` (fingerprint algorithm 9).
pub const TEMPLATE_DAT_RECORD: u64 = 608;
/// Size of one record in `ssrface.dat` (face templates).
pub const SSRFACE_RECORD: u64 = 2576;
/// Largest record `template.fp10.1` holds: 16 KiB of template plus its 6-byte header.
pub const FP10_MAX_RECORD: u64 = 16 * 1024 + 6;

/// Length of a record header.
const HEADER_LEN: usize = 6;
/// Highest finger or face index a record may carry.
const MAX_INDEX: u8 = 9;

/// True when the first record's finger or face index is in range (0-9).
pub fn first_record_plausible(head: &[u8]) -> bool {
    head.len() >= HEADER_LEN && head[4] <= MAX_INDEX
}

/// True when `head` starts with a plausible `template.fp10.1` record header.
pub fn fp10_head_plausible(head: &[u8]) -> bool {
    head.len() >= HEADER_LEN && fp10_header_valid(head)
}

/// True when a `template.fp10.1` header (at least 6 bytes) gives a valid size and finger.
fn fp10_header_valid(header: &[u8]) -> bool {
    (7..=FP10_MAX_RECORD).contains(&fp10_record_size(header)) && header[4] <= MAX_INDEX
}

/// The record size a `template.fp10.1` header gives, header included.
fn fp10_record_size(header: &[u8]) -> u64 {
    u64::from(u16::from_le_bytes([header[0], header[1]]))
}

/// Streams fixed `record`-byte template records and tallies `label` (all records), "valid"
/// and "users"; a cut-off last record is a problem, not read.
pub fn count_fixed(
    record: u64,
    label: &str,
    reader: &mut dyn Read,
    tally: &mut dyn Tally,
) -> io::Result<()> {
    let mut buf = vec![0u8; record as usize];
    let (mut records, mut valid) = (0u64, 0u64);
    let mut users = HashSet::new();
    while next_record(reader, &mut buf, tally, |n| {
        format!(
            "Byte {}: the last record is cut off ({n} of {record} bytes); it is not read. Copy the file from the clock again.",
            records * record
        )
    })? {
        records += 1;
        if buf[5] != 0 {
            valid += 1;
            users.insert(u16::from_le_bytes([buf[2], buf[3]]));
        }
    }
    tally.count(label, records);
    tally.count("valid", valid);
    tally.count("users", users.len() as u64);
    Ok(())
}

/// Walks the records of a `template.fp10.1` of `size` bytes and tallies "templates" and
/// "users"; a header that makes no sense stops the walk (the rest is read and dropped).
pub fn count_fp10(size: u64, reader: &mut dyn Read, tally: &mut dyn Tally) -> io::Result<()> {
    let mut header = [0u8; HEADER_LEN];
    let mut body = vec![0u8; FP10_MAX_RECORD as usize];
    let (mut records, mut offset) = (0u64, 0u64);
    let mut users = HashSet::new();
    while next_record(reader, &mut header, tally, |n| {
        format!(
            "Byte {offset}: {n} bytes left, too few for a record header; the file is truncated."
        )
    })? {
        let record = fp10_record_size(&header);
        if !fp10_header_valid(&header) {
            tally.problem(format!(
                "Byte {offset}: a record header says size {record}, finger {}; that is not a valid record, so the rest of the file ({} bytes) cannot be read.",
                header[4],
                size.saturating_sub(offset)
            ));
            // Drain so the byte count stays right; the rest is unreadable.
            io::copy(reader, &mut io::sink())?;
            break;
        }
        let want = record as usize - HEADER_LEN;
        let got = read_full(reader, &mut body[..want])?;
        if got < want {
            tally.problem(format!(
                "Byte {offset}: the last record is cut off ({} of {record} bytes).",
                got + HEADER_LEN
            ));
            break;
        }
        records += 1;
        users.insert(u16::from_le_bytes([header[2], header[3]]));
        offset += record;
    }
    tally.count("templates", records);
    tally.count("users", users.len() as u64);
    Ok(())
}

/// Which template file a listing is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKind {
    /// `template.dat`: 608-byte fingerprint records.
    Fingerprint,
    /// `template.fp10.1`: fingerprint records that give their own size.
    FingerprintV10,
    /// `ssrface.dat`: 2,576-byte face records.
    Face,
}

/// Most problems a listing keeps word for word; the rest are counted.
const MAX_PROBLEMS: usize = 100;

/// One template record: whose, which finger or face, and where (bytes never decoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateRecord {
    /// The uid of the user in `user.dat`.
    pub uid: u16,
    /// Finger (0-9) or face index.
    pub index: u8,
    /// The record's valid flag is set.
    pub valid: bool,
    /// The record's size field (the whole record for `template.fp10.1`).
    pub size: u16,
    /// Byte offset of the record in the file.
    pub offset: u64,
}

/// The records of a template file and what could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateList {
    /// Which file this is.
    pub kind: TemplateKind,
    /// The records in file order.
    pub records: Vec<TemplateRecord>,
    /// Problems with their byte positions (the first hundred).
    pub problems: Vec<String>,
    /// All problems found.
    pub problem_count: u64,
}

impl TemplateList {
    fn problem(&mut self, message: String) {
        self.problem_count += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(message);
        }
    }
}

/// The header fields of a record starting at `offset`.
fn record_at(header: &[u8], offset: u64) -> TemplateRecord {
    TemplateRecord {
        uid: u16::from_le_bytes([header[2], header[3]]),
        index: header[4],
        valid: header[5] != 0,
        size: u16::from_le_bytes([header[0], header[1]]),
        offset,
    }
}

/// Lists the records of a template file of `kind` held in `bytes`; sizes that run past
/// the record or the file, bad headers and cut-off records are problems, never panics.
pub fn list_templates(kind: TemplateKind, bytes: &[u8]) -> TemplateList {
    let mut list = TemplateList {
        kind,
        records: Vec::new(),
        problems: Vec::new(),
        problem_count: 0,
    };
    match kind {
        TemplateKind::Fingerprint => list_fixed(&mut list, bytes, TEMPLATE_DAT_RECORD as usize),
        TemplateKind::Face => list_fixed(&mut list, bytes, SSRFACE_RECORD as usize),
        TemplateKind::FingerprintV10 => list_fp10(&mut list, bytes),
    }
    list
}

fn list_fixed(list: &mut TemplateList, bytes: &[u8], size: usize) {
    let mut chunks = bytes.chunks_exact(size);
    for (i, chunk) in chunks.by_ref().enumerate() {
        let record = record_at(chunk, (i * size) as u64);
        if usize::from(record.size) > size {
            list.problem(format!(
                "Byte {}: the record's size field says {} bytes, more than the {size}-byte record holds.",
                record.offset, record.size
            ));
        }
        if record.index > MAX_INDEX {
            list.problem(format!(
                "Byte {}: finger or face index {} is not 0 to 9.",
                record.offset, record.index
            ));
        }
        list.records.push(record);
    }
    let cut = chunks.remainder().len();
    if cut > 0 {
        list.problem(format!(
            "Byte {}: the last record is cut off ({cut} of {size} bytes); it is not read.",
            bytes.len() - cut
        ));
    }
}

fn list_fp10(list: &mut TemplateList, bytes: &[u8]) {
    let mut offset = 0usize;
    while offset < bytes.len() {
        let rest = &bytes[offset..];
        if rest.len() < HEADER_LEN {
            list.problem(format!(
                "Byte {offset}: {} bytes left, too few for a record header; the file is truncated.",
                rest.len()
            ));
            return;
        }
        let record = record_at(rest, offset as u64);
        let size = usize::from(record.size);
        if !fp10_header_valid(rest) {
            list.problem(format!(
                "Byte {offset}: a record header says size {size}, finger {}; that is not a valid record, so the rest of the file ({} bytes) cannot be read.",
                record.index,
                rest.len()
            ));
            return;
        }
        if size > rest.len() {
            list.problem(format!(
                "Byte {offset}: the record's size field says {size} bytes, past the end of the file ({} bytes left).",
                rest.len()
            ));
            return;
        }
        list.records.push(record);
        offset += size;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::Rng;

    /// A record header: size, uid, index, valid.
    fn header(size: u16, uid: u16, index: u8, valid: u8) -> Vec<u8> {
        let mut h = size.to_le_bytes().to_vec();
        h.extend_from_slice(&uid.to_le_bytes());
        h.extend_from_slice(&[index, valid]);
        h
    }

    fn fp10_record(uid: u16, finger: u8, body: usize) -> Vec<u8> {
        let mut r = header((body + HEADER_LEN) as u16, uid, finger, 1);
        r.resize(body + HEADER_LEN, 0xab);
        r
    }

    #[test]
    fn fixed_records_are_listed_with_offsets_and_a_cut_end_reported() {
        let mut bytes = header(602, 13, 3, 1);
        bytes.resize(608, 7);
        let mut second = header(602, 14, 0, 0);
        second.resize(608, 7);
        bytes.extend(second);
        bytes.extend_from_slice(&[1, 2, 3]);
        let list = list_templates(TemplateKind::Fingerprint, &bytes);
        let r = list.records[1];
        assert_eq!((r.uid, r.index, r.valid, r.offset), (14, 0, false, 608));
        assert_eq!(list.records[0].uid, 13);
        assert_eq!(
            list.problems,
            ["Byte 1216: the last record is cut off (3 of 608 bytes); it is not read."]
        );
    }

    #[test]
    fn a_size_field_past_the_record_or_the_file_is_reported() {
        let mut face = header(3000, 2, 0, 1);
        face.resize(2576, 0);
        let list = list_templates(TemplateKind::Face, &face);
        assert!(
            list.problems[0].contains("size field says 3000"),
            "{:?}",
            list.problems
        );
        let mut fp = fp10_record(1, 2, 100);
        fp.extend(fp10_record(2, 3, 50));
        fp.extend(&header(500, 3, 1, 1));
        fp.extend([0; 10]);
        let list = list_templates(TemplateKind::FingerprintV10, &fp);
        assert_eq!(list.records.len(), 2);
        assert_eq!(list.records[1].offset, 106);
        assert_eq!(list.records[1].size, 56);
        assert!(list.problems[0].starts_with("Byte 162: the record's size field says 500 bytes, past the end of the file (16 bytes left)"));
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = Rng(0x7e4_91a7e);
        for _ in 0..300 {
            let bytes = rng.bytes(6000);
            for kind in [
                TemplateKind::Fingerprint,
                TemplateKind::FingerprintV10,
                TemplateKind::Face,
            ] {
                let list = list_templates(kind, &bytes);
                assert!(list.problems.len() <= MAX_PROBLEMS);
            }
        }
    }
}
