//! ZKTeco `user.dat`: the clock's users, one fixed-size record each, 72 bytes (colour-screen
//! firmware) or 28 bytes (older black-and-white firmware).
//!
//! Which size a file has is told from its length and from how many records have the shape
//! of a user record; [`judge`] weighs the two, [`count_users`] streams the records.

use std::io::{self, Read};

use super::{next_record, Tally};

/// The name the clock reads users from.
pub const FILE_NAME: &str = "user.dat";
/// Size of one record in a ZKTeco `user.dat` written by colour-screen firmware.
pub const USER_DAT_72: u64 = 72;
/// Size of one record in a ZKTeco `user.dat` written by older black-and-white firmware.
pub const USER_DAT_28: u64 = 28;

/// Most records of the head that plausibility looks at.
const PLAUSIBILITY_RECORDS: usize = 256;

/// Plausibility of the bytes as `user.dat` records of `size` bytes: share of records that fit.
pub fn user_dat_plausibility(head: &[u8], size: usize) -> f64 {
    let records: Vec<&[u8]> = head.chunks_exact(size).take(PLAUSIBILITY_RECORDS).collect();
    if records.is_empty() {
        return 0.0;
    }
    let good = records
        .iter()
        .filter(|r| user_record_plausible(r, size))
        .count();
    good as f64 / records.len() as f64
}

/// Whole records in `head` that have the user shape and are not empty slots.
fn users_in(head: &[u8], size: usize) -> usize {
    head.chunks_exact(size)
        .take(PLAUSIBILITY_RECORDS)
        .filter(|r| r.iter().any(|&b| b != 0) && user_record_plausible(r, size))
        .count()
}

fn printable_or_nul_field(field: &[u8], needs_nul: bool) -> bool {
    let end = field.iter().position(|&b| b == 0);
    if needs_nul && end.is_none() {
        return false;
    }
    let text = &field[..end.unwrap_or(field.len())];
    text.iter().all(|&b| b >= 0x20 && b != 0x7f)
}

fn user_record_plausible(r: &[u8], size: usize) -> bool {
    if r.iter().all(|&b| b == 0) {
        return true; // an empty slot
    }
    let privilege = r[2];
    let privilege_ok = privilege <= 15;
    match size {
        72 => {
            privilege_ok
                && printable_or_nul_field(&r[11..35], true)
                && printable_or_nul_field(&r[48..72], true)
                && r[39] <= 99
        }
        28 => privilege_ok && printable_or_nul_field(&r[8..16], false) && r[20] == 0,
        _ => false,
    }
}

/// What a file's length and first records say about it being a `user.dat`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// The records have the user shape: `share` of them (at least 90%, or 50% when named so).
    Fits {
        /// The record size read from length and content: [`USER_DAT_72`] or [`USER_DAT_28`].
        record: u64,
        /// Share of the head's records with the user shape, 0 to 1.
        share: f64,
        /// The length divides by both record sizes, so the content decided.
        both_sizes_fit: bool,
    },
    /// Named `user.dat` and the length fits, but too few records have the user shape.
    Misshapen {
        /// The record size the length allows (the more plausible when both do).
        record: u64,
        /// Share of the head's records with the user shape, 0 to 1.
        share: f64,
    },
    /// Named `user.dat`, but the length divides by neither size: read as `record`-byte records.
    Truncated {
        /// The record size chosen: 28 when two whole 28-byte records say so, else 72.
        record: u64,
        /// How many bytes at the end are a cut-off record.
        cut: u64,
    },
    /// Not a `user.dat`.
    No,
}

/// Judges whether a file of `size` bytes starting with `head` is a `user.dat`, and with
/// which record size; `by_name` says it is named `user.dat`, which lowers the bar.
pub fn judge(size: u64, head: &[u8], by_name: bool) -> Verdict {
    let fits72 = size.is_multiple_of(USER_DAT_72);
    let fits28 = size.is_multiple_of(USER_DAT_28);
    let p72 = user_dat_plausibility(head, USER_DAT_72 as usize);
    let p28 = user_dat_plausibility(head, USER_DAT_28 as usize);
    let pick = match (fits72, fits28) {
        (true, true) if p72 >= p28 => Some((USER_DAT_72, p72)),
        (true, true) => Some((USER_DAT_28, p28)),
        (true, false) => Some((USER_DAT_72, p72)),
        (false, true) => Some((USER_DAT_28, p28)),
        (false, false) => None,
    };
    match pick {
        Some((record, share)) if share >= 0.9 || (by_name && share >= 0.5) => Verdict::Fits {
            record,
            share,
            both_sizes_fit: fits72 && fits28,
        },
        Some((record, share)) if by_name => Verdict::Misshapen { record, share },
        None if by_name => {
            // Too little to judge by content unless two whole 28-byte records say so:
            // default to the colour-screen layout, the common one.
            let judged_28 = head.len() as u64 >= 2 * USER_DAT_28 && p28 > p72;
            let record = if judged_28 { USER_DAT_28 } else { USER_DAT_72 };
            Verdict::Truncated {
                record,
                cut: size % record,
            }
        }
        // Under another name, a cut-off file is still told by its records: whole ones in
        // the head with the user shape, two at least that are not empty slots.
        None => {
            let (record, share) = if p72 >= p28 {
                (USER_DAT_72, p72)
            } else {
                (USER_DAT_28, p28)
            };
            if share >= 0.9 && users_in(head, record as usize) >= 2 {
                Verdict::Truncated {
                    record,
                    cut: size % record,
                }
            } else {
                Verdict::No
            }
        }
        _ => Verdict::No,
    }
}

/// Streams `record`-byte user records and tallies "users", "empty slots" and "disabled
/// users"; a cut-off last record is a problem, not read.
pub fn count_users(record: u64, reader: &mut dyn Read, tally: &mut dyn Tally) -> io::Result<()> {
    let size = record as usize;
    let mut buf = vec![0u8; size];
    let (mut users, mut empty, mut disabled) = (0u64, 0u64, 0u64);
    let mut index = 0u64;
    while next_record(reader, &mut buf, tally, |n| {
        format!(
            "Byte {}: the last record is cut off ({n} of {size} bytes); it is not read. Copy user.dat from the clock again.",
            index * record
        )
    })? {
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
    tally.count("users", users);
    tally.count("empty slots", empty);
    tally.count("disabled users", disabled);
    Ok(())
}
