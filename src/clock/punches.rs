//! Punches to a CSV with each user's name joined from `user.dat`.

use std::io;

use encoding_rs::Encoding;

use crate::formats::biostar_csv::{CsvWriter, WriteOptions};
use crate::formats::zk_attlog::{status_label, verify_label, Attlog, Punch};
use crate::formats::zk_user_dat::{decode_text, UserRecord, CHOOSE_CLOCK_ENCODING};
use crate::text::plural;

use super::{PunchNames, NOTES_SHOWN};

/// A punch's user ID (spaces trimmed) in the clock's code page, and how many of its byte
/// sequences do not decode there (each shows as U+FFFD).
pub fn punch_id(log: &Attlog, punch: &Punch, encoding: &'static Encoding) -> (String, usize) {
    decode_text(encoding, log.id(punch))
}

/// A punch export's CSV and the punches whose user ID does not decode in the clock's
/// code page: said per line, never silently replaced.
#[derive(Debug)]
pub struct PunchCsv<W> {
    /// Where the CSV was written.
    pub out: W,
    /// The first [`NOTES_SHOWN`] punches whose user ID does not decode, with line and byte.
    pub undecodable: Vec<String>,
    /// All such punches.
    pub undecodable_count: u64,
    /// User IDs two users share, whose punches got no name: a note each.
    pub shared: Vec<String>,
}

/// The note for a punch whose user ID has `bad` byte sequences that do not decode.
fn undecodable_note(
    log: &Attlog,
    punch: &Punch,
    id: &str,
    bad: usize,
    encoding: &'static Encoding,
) -> String {
    let line = u64::from(punch.line);
    let byte = log.line_index.range(line - 1).map_or(0, |r| r.start);
    format!(
        "Line {line} (byte {byte}): {} of the user ID did not decode as {}, shown as \u{FFFD} in the CSV (\"{id}\"). {CHOOSE_CLOCK_ENCODING}",
        plural(bad as u64, "byte sequence", "byte sequences"),
        encoding.name()
    )
}

/// The columns of the punch export.
pub const PUNCH_HEADER: [&str; 7] = [
    "user_id", "name", "date", "time", "status", "verify", "workcode",
];

/// Writes the punches of `log` as CSV onto `out`, one row a punch (exact repeats of an
/// earlier punch left out when `remove_duplicates`), user IDs read in the clock's
/// `encoding` and the name joined by user ID; user IDs that do not decode are listed.
/// The page and the command line write it for HR's spreadsheet program
/// ([`WriteOptions::SPREADSHEET`], with a BOM): no BioStar import reads it.
pub fn punches_to_csv<W: io::Write>(
    log: &Attlog,
    (users, encoding): (&[UserRecord], &'static Encoding),
    (opts, remove_duplicates): (&WriteOptions, bool),
    out: W,
) -> io::Result<PunchCsv<W>> {
    let names = PunchNames::of(users);
    let mut csv = CsvWriter::new(out, opts);
    csv.write_row(PUNCH_HEADER)?;
    let none = [];
    let skipped = if remove_duplicates {
        &log.duplicates[..]
    } else {
        &none[..]
    };
    let mut dups = skipped.iter().peekable();
    let (mut undecodable, mut undecodable_count) = (Vec::new(), 0);
    for (i, punch) in log.punches.iter().enumerate() {
        if dups.next_if_eq(&&(i as u32)).is_some() {
            continue;
        }
        let (id, bad) = punch_id(log, punch, encoding);
        if bad > 0 {
            undecodable_count += 1;
            if undecodable.len() < NOTES_SHOWN {
                undecodable.push(undecodable_note(log, punch, &id, bad, encoding));
            }
        }
        let name = names.get(id.as_str()).map_or("", String::as_str);
        let time = punch.time_text();
        let (status, verify) = (status_label(punch.status), verify_label(punch.verify));
        let workcode = punch.workcode.to_string();
        csv.write_row([
            &*id,
            name,
            &time[..10],
            &time[11..],
            &status,
            &verify,
            &workcode,
        ])?;
    }
    Ok(PunchCsv {
        out: csv.finish()?,
        undecodable,
        undecodable_count,
        shared: names.shared,
    })
}
