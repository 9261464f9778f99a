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
