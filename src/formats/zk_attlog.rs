//! ZKTeco attendance log (`<device number>_attlog.dat`): text, one punch a line, six
//! tab-separated fields starting with the user ID and `YYYY-MM-DD HH:MM:SS`.
//!
//! Real logs carry runs of NUL bytes and records from erased flash (`ZZZZ...`); the
//! counter counts those lines as damaged and says where they are.

use std::io::{self, BufRead, BufReader, Read};

use super::Tally;

/// How many tab-separated fields a whole punch line has.
pub const FIELDS: usize = 6;

/// True when a lower-cased file name is named like an attendance log (`*attlog.dat`).
pub fn has_attlog_name(lower_name: &str) -> bool {
    lower_name.ends_with("attlog.dat")
}

/// True when `s` is a punch time as the clock writes it: `YYYY-MM-DD HH:MM:SS`.
pub fn is_punch_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 19
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && b.iter()
            .enumerate()
            .all(|(i, c)| matches!(i, 4 | 7 | 10 | 13 | 16) || c.is_ascii_digit())
}

/// True when `line` starts like an attlog punch: an ID, a tab and a punch time.
pub fn starts_like_attlog_line(line: &str) -> bool {
    let mut fields = line.split('\t');
    let id = fields.next().unwrap_or("");
    !id.trim().is_empty() && fields.next().is_some_and(is_punch_time)
}

/// True when `line` has the shape of an attlog punch: ID, tab, `YYYY-MM-DD HH:MM:SS`, tab, more.
pub fn looks_like_attlog_line(line: &str) -> bool {
    starts_like_attlog_line(line) && line.split('\t').nth(2).is_some()
}

/// Streams the log line by line and tallies "punches", "damaged lines" and "NUL bytes";
/// each damaged line is a problem naming its line number and what is wrong with it.
pub fn count_punches(reader: &mut dyn Read, tally: &mut dyn Tally) -> io::Result<()> {
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
        if nuls == 0 && fields == FIELDS && looks_like_attlog_line(text) && !text.contains("ZZZZ") {
            punches += 1;
        } else {
            damaged += 1;
            let what = damage(text, nuls, fields);
            tally.problem(format!(
                "Line {number}: {what}; the line is damaged and is not counted as a punch."
            ));
        }
    }
    tally.count("punches", punches);
    tally.count("damaged lines", damaged);
    tally.count("NUL bytes", nul_bytes);
    Ok(())
}

/// What is wrong with a line that is not a whole punch, in words.
fn damage(text: &str, nuls: u64, fields: usize) -> String {
    if nuls > 0 {
        format!("{nuls} NUL bytes")
    } else if text.contains("ZZZZ") {
        "a record from erased flash (ZZZZ...)".to_string()
    } else if starts_like_attlog_line(text) {
        format!(
            "a punch with {fields} of the {FIELDS} tab-separated fields (cut off or run together)"
        )
    } else {
        "text that is not a punch".to_string()
    }
}
