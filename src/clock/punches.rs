//! Punches to a CSV with each user's name joined from `user.dat`.

use std::collections::HashMap;
use std::io;

use crate::formats::biostar_csv::{CsvWriter, WriteOptions};
use crate::formats::zk_attlog::{status_label, verify_label, Attlog};
use crate::formats::zk_user_dat::UserRecord;

/// The columns of the punch export.
pub const PUNCH_HEADER: [&str; 7] = [
    "user_id", "name", "date", "time", "status", "verify", "workcode",
];

/// Writes the punches of `log` as CSV onto `out`, one row a punch (exact repeats of an
/// earlier punch left out when `remove_duplicates`), the name joined by user ID.
pub fn punches_to_csv<W: io::Write>(
    log: &Attlog,
    users: &[UserRecord],
    (opts, remove_duplicates): (&WriteOptions, bool),
    out: W,
) -> io::Result<W> {
    let names: HashMap<&str, &str> = users
        .iter()
        .map(|u| (u.user_id.trim(), u.name.as_str()))
        .collect();
    let mut csv = CsvWriter::new(out, opts);
    csv.write_row(PUNCH_HEADER)?;
    let none = [];
    let skipped = if remove_duplicates {
        &log.duplicates[..]
    } else {
        &none[..]
    };
    let mut dups = skipped.iter().peekable();
    for (i, punch) in log.punches.iter().enumerate() {
        if dups.next_if_eq(&&(i as u32)).is_some() {
            continue;
        }
        let id = log.id_text(punch);
        let name = names.get(id.as_ref()).copied().unwrap_or("");
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
    csv.finish()
}
