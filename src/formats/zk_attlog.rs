//! ZKTeco attendance log (`<device number>_attlog.dat`): text, one punch a line, six
//! tab-separated fields starting with the user ID and `YYYY-MM-DD HH:MM:SS`.
//!
//! Real logs carry runs of NUL bytes and records from erased flash (`ZZZZ...`); the
//! counter counts those lines as damaged and says where they are.

use std::io::{self, BufRead, BufReader, Read, Write};

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
/// each damaged line is a problem naming its line, its byte offset and what is wrong,
/// judged as the punch reader judges it ([`read_attlog`]), without keeping the punches.
///
/// A line longer than [`MAX_LINE`] is never held whole: it is a damaged line saying its
/// length (its NULs still counted).
pub fn count_punches(reader: &mut dyn Read, tally: &mut dyn Tally) -> io::Result<()> {
    let mut lines = LineReader::new(reader);
    let mut line = Vec::with_capacity(MAX_LINE + 2);
    let (mut punches, mut damaged, mut number, mut nul_bytes) = (0u64, 0u64, 0u64, 0u64);
    while let Some(raw) = lines.next_line(&mut line, &mut io::sink())? {
        number += 1;
        nul_bytes += raw.nuls;
        match parse_line(&line, raw) {
            Parsed::Punch(_) => punches += 1,
            Parsed::Blank => {}
            Parsed::Damaged(damage) => {
                damaged += 1;
                let at = DamagedLine {
                    line: number,
                    offset: raw.offset,
                    damage,
                };
                tally.problem(at.message());
            }
        }
    }
    tally.count("punches", punches);
    tally.count("damaged lines", damaged);
    tally.count("NUL bytes", nul_bytes);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The punch reader: every line parsed into a packed punch or a located damage, and the
// repair writer that copies the lines to keep byte for byte.
// ---------------------------------------------------------------------------------------

/// Longest line kept for parsing; a longer one is reported and skipped, never held.
pub const MAX_LINE: usize = 4096;
/// Most damaged lines listed one by one; the rest are counted.
pub const MAX_LISTED: usize = 10_000;
/// Longest user ID a punch line may carry (the clock's field holds 24 bytes).
const MAX_ID: usize = 24;

/// One punch, packed: the ID stays in the file, found by offset and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Punch {
    /// Byte offset of the user ID (spaces trimmed) in the file.
    pub id_at: u64,
    /// Punch time packed as the clock packs it (see [`pack_time`]).
    pub time: u32,
    /// Work code.
    pub workcode: i32,
    /// Device number.
    pub device: u16,
    /// Length of the user ID in bytes.
    pub id_len: u8,
    /// Status code (see [`status_label`]).
    pub status: u8,
    /// Verify code (see [`verify_label`]).
    pub verify: u8,
}

impl Punch {
    /// The user ID's bytes in `file` (the bytes the punches were read from).
    pub fn id<'a>(&self, file: &'a [u8]) -> &'a [u8] {
        let start = (self.id_at as usize).min(file.len());
        &file[start..(start + usize::from(self.id_len)).min(file.len())]
    }

    /// The punch time as the clock writes it: `YYYY-MM-DD HH:MM:SS`.
    pub fn time_text(&self) -> String {
        let [y, mo, d, h, mi, s] = unpack_time(self.time);
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }

    /// Everything but where the ID is: two punches with equal keys and IDs are duplicates.
    fn key(&self) -> (u32, i32, u16, u8, u8) {
        (
            self.time,
            self.workcode,
            self.device,
            self.status,
            self.verify,
        )
    }
}

/// Packs a time the clock's way: seconds in a calendar of 31-day months from 2000.
pub fn pack_time(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> u32 {
    (((((y - 2000) * 12 + mo - 1) * 31 + d - 1) * 24 + h) * 60 + mi) * 60 + s
}

/// Unpacks [`pack_time`]: year, month, day, hour, minute, second.
pub fn unpack_time(t: u32) -> [u32; 6] {
    let (s, t) = (t % 60, t / 60);
    let (mi, t) = (t % 60, t / 60);
    let (h, t) = (t % 24, t / 24);
    let (d, t) = (t % 31 + 1, t / 31);
    [t / 12 + 2000, t % 12 + 1, d, h, mi, s]
}

/// A status code in words (0 check-in ... 5 overtime-out, 255 none).
pub fn status_label(status: u8) -> String {
    match status {
        0 => "check-in".into(),
        1 => "check-out".into(),
        2 => "break-out".into(),
        3 => "break-in".into(),
        4 => "overtime-in".into(),
        5 => "overtime-out".into(),
        255 => "none".into(),
        other => format!("status {other}"),
    }
}

/// A verify code in words (0 password, 1 fingerprint, 2 card, 15 face).
pub fn verify_label(verify: u8) -> String {
    match verify {
        0 => "password".into(),
        1 => "fingerprint".into(),
        2 => "card".into(),
        15 => "face".into(),
        other => format!("verify {other}"),
    }
}

/// What is wrong with a damaged line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// The line holds this many NUL bytes.
    NulBytes(u64),
    /// The line is this many bytes long, more than [`MAX_LINE`].
    TooLong(u64),
    /// The line has this many tab-separated fields instead of six.
    FieldCount(usize),
    /// The user ID is blank, too long, or holds control bytes.
    BadUserId,
    /// The line was printed from erased or one-byte-filled flash (`ZZZZ...`).
    ErasedFlash,
    /// The time is not `YYYY-MM-DD HH:MM:SS`.
    BadTime,
    /// The time names a date or hour that does not exist (such as 2047-02-30).
    ImpossibleDate,
    /// The named code field is not a number in its range.
    BadNumber(&'static str),
}

impl Damage {
    /// The damage in words.
    pub fn message(&self) -> String {
        match self {
            Damage::NulBytes(n) => format!("{n} NUL bytes"),
            Damage::TooLong(n) => format!("a line of {n} bytes (more than {MAX_LINE})"),
            Damage::FieldCount(n) => {
                format!("{n} of the {FIELDS} tab-separated fields (cut off or run together)")
            }
            Damage::BadUserId => "a user ID that is blank, too long or holds control bytes".into(),
            Damage::ErasedFlash => "a record from erased flash (ZZZZ...)".into(),
            Damage::BadTime => "a time that is not YYYY-MM-DD HH:MM:SS".into(),
            Damage::ImpossibleDate => "a date or time that does not exist".into(),
            Damage::BadNumber(field) => format!("a {field} that is not a number in range"),
        }
    }
}

/// A damaged line: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DamagedLine {
    /// 1-based line number.
    pub line: u64,
    /// Byte offset of the line's start.
    pub offset: u64,
    /// What is wrong.
    pub damage: Damage,
}

impl DamagedLine {
    /// "Line 5 (byte 120): 311077 NUL bytes."
    pub fn message(&self) -> String {
        format!(
            "Line {} (byte {}): {}.",
            self.line,
            self.offset,
            self.damage.message()
        )
    }
}

/// One line as the line reader found it (its bytes are in the caller's buffer).
#[derive(Debug, Clone, Copy)]
struct RawLine {
    offset: u64,
    len: u64,
    nuls: u64,
    newline: bool,
}

/// Splits a stream into lines, holding at most [`MAX_LINE`] + 2 bytes of any line.
struct LineReader<R: Read> {
    inner: BufReader<R>,
    offset: u64,
}

impl<R: Read> LineReader<R> {
    fn new(reader: R) -> Self {
        LineReader {
            inner: BufReader::with_capacity(256 * 1024, reader),
            offset: 0,
        }
    }

    /// The next line into `line` (capped, line end included when it fits), or None; the
    /// whole of a line longer than the cap goes to `overflow` instead, as it is read.
    fn next_line(
        &mut self,
        line: &mut Vec<u8>,
        overflow: &mut dyn Write,
    ) -> io::Result<Option<RawLine>> {
        const CAP: usize = MAX_LINE + 2;
        line.clear();
        let (mut len, mut nuls, mut newline) = (0u64, 0u64, false);
        while !newline {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            let take = chunk
                .iter()
                .position(|&b| b == b'\n')
                .map_or(chunk.len(), |i| i + 1);
            newline = chunk[take - 1] == b'\n';
            nuls += chunk[..take].iter().filter(|&&b| b == 0).count() as u64;
            let room = CAP.saturating_sub(line.len()).min(take);
            line.extend_from_slice(&chunk[..room]);
            if len + take as u64 > CAP as u64 {
                if len <= CAP as u64 {
                    overflow.write_all(line)?;
                }
                overflow.write_all(&chunk[room..take])?;
            }
            len += take as u64;
            self.inner.consume(take);
        }
        let raw = RawLine {
            offset: self.offset,
            len,
            nuls,
            newline,
        };
        self.offset += len;
        Ok((len > 0).then_some(raw))
    }
}

/// The line without its LF or CR LF.
fn content(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// What a line is: a punch, blank, or damaged.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Parsed {
    Punch(Punch),
    Blank,
    Damaged(Damage),
}

/// Parses a line (its bytes as read, possibly capped) that starts at `raw.offset`.
fn parse_line(line: &[u8], raw: RawLine) -> Parsed {
    if raw.nuls > 0 {
        return Parsed::Damaged(Damage::NulBytes(raw.nuls));
    }
    if raw.len > MAX_LINE as u64 + 2 {
        return Parsed::Damaged(Damage::TooLong(raw.len));
    }
    let text = content(line);
    if text.iter().all(u8::is_ascii_whitespace) {
        return Parsed::Blank;
    }
    let fields: Vec<&[u8]> = text.split(|&b| b == b'\t').collect();
    if fields.len() != FIELDS {
        return Parsed::Damaged(Damage::FieldCount(fields.len()));
    }
    match parse_fields(&fields, raw.offset) {
        Ok(punch) => Parsed::Punch(punch),
        Err(damage) => Parsed::Damaged(damage),
    }
}

/// A number of type `T` from an ASCII field, or the damage naming `what`.
fn number<T: std::str::FromStr>(field: &[u8], what: &'static str) -> Result<T, Damage> {
    std::str::from_utf8(field)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(Damage::BadNumber(what))
}

/// The six fields of a punch line, checked; the ID's offset counts from `offset`.
fn parse_fields(fields: &[&[u8]], offset: u64) -> Result<Punch, Damage> {
    let id_field = fields[0];
    let lead = id_field
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    let id = id_field[lead..].trim_ascii_end();
    if id.is_empty() || id.len() > MAX_ID || id.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return Err(Damage::BadUserId);
    }
    let workcode: i32 = number(fields[5], "workcode")?;
    if id.windows(4).any(|w| w == b"ZZZZ") || workcode == 0x5A5A_5A5A {
        return Err(Damage::ErasedFlash);
    }
    // A clock writes work codes from 0 up; a negative one is flash garbage that happens
    // to parse (sample D's line 8, "ZZw?0P?0 ... -256901120").
    if workcode < 0 {
        return Err(Damage::BadNumber("workcode"));
    }
    Ok(Punch {
        id_at: offset + lead as u64,
        time: parse_time(fields[1])?,
        workcode,
        device: number(fields[2], "device number")?,
        id_len: id.len() as u8,
        status: number(fields[3], "status")?,
        verify: number(fields[4], "verify code")?,
    })
}

/// A `YYYY-MM-DD HH:MM:SS` time, packed; years 2000 to 2099.
fn parse_time(field: &[u8]) -> Result<u32, Damage> {
    let text = std::str::from_utf8(field).map_err(|_| Damage::BadTime)?;
    if !is_punch_time(text) {
        return Err(Damage::BadTime);
    }
    let n = |at: usize, len: usize| text[at..at + len].parse::<u32>().unwrap_or(0);
    let (y, mo, d) = (n(0, 4), n(5, 2), n(8, 2));
    let (h, mi, s) = (n(11, 2), n(14, 2), n(17, 2));
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let day_ok = (1..=12).contains(&mo) && (1..=days[mo as usize - 1]).contains(&d);
    if !(2000..=2099).contains(&y) || !day_ok || h > 23 || mi > 59 || s > 59 {
        return Err(Damage::ImpossibleDate);
    }
    Ok(pack_time(y, mo, d, h, mi, s))
}

/// A read attendance log: its punches, packed, and what is damaged.
#[derive(Debug, Clone, Default)]
pub struct Attlog {
    /// Every punch in file order (duplicates included).
    pub punches: Vec<Punch>,
    /// Damaged lines, the first [`MAX_LISTED`] of them.
    pub damaged: Vec<DamagedLine>,
    /// All damaged lines.
    pub damaged_count: u64,
    /// Lines read (blank ones included).
    pub lines: u64,
    /// Blank lines (neither punch nor damage).
    pub blank_lines: u64,
    /// NUL bytes in the whole file.
    pub nul_bytes: u64,
    /// Indexes into `punches` of exact repeats of an earlier punch.
    pub duplicates: Vec<u32>,
    /// Bytes read.
    pub size: u64,
    /// The last line has no line end.
    pub missing_final_newline: bool,
}

/// Streams an attendance log into packed punches; damage is located and skipped, never
/// fatal. Call [`find_duplicates`] with the file's bytes to fill `duplicates`.
pub fn read_attlog(reader: impl Read) -> io::Result<Attlog> {
    let mut lines = LineReader::new(reader);
    let mut buf = Vec::with_capacity(MAX_LINE + 2);
    let mut log = Attlog::default();
    while let Some(raw) = lines.next_line(&mut buf, &mut io::sink())? {
        log.lines += 1;
        log.nul_bytes += raw.nuls;
        log.missing_final_newline = !raw.newline;
        match parse_line(&buf, raw) {
            Parsed::Punch(p) => log.punches.push(p),
            Parsed::Blank => log.blank_lines += 1,
            Parsed::Damaged(damage) => {
                log.damaged_count += 1;
                if log.damaged.len() < MAX_LISTED {
                    log.damaged.push(DamagedLine {
                        line: log.lines,
                        offset: raw.offset,
                        damage,
                    });
                }
            }
        }
    }
    log.size = lines.offset;
    log.punches.shrink_to_fit();
    Ok(log)
}

/// Reads a log held in memory, duplicates found: [`read_attlog`] then [`find_duplicates`].
pub fn read_attlog_bytes(file: &[u8]) -> Attlog {
    // Reading a byte slice cannot fail.
    let mut log = read_attlog(file).unwrap_or_default();
    find_duplicates(&mut log, file);
    log
}

/// Fills `log.duplicates` with the punches that repeat an earlier one exactly (same ID,
/// time and codes); `file` is the bytes the log was read from.
pub fn find_duplicates(log: &mut Attlog, file: &[u8]) {
    let punches = &log.punches;
    let mut order: Vec<u32> = (0..punches.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&punches[a as usize], &punches[b as usize]);
        (pa.key(), pa.id(file), a).cmp(&(pb.key(), pb.id(file), b))
    });
    let same = |a: u32, b: u32| {
        let (pa, pb) = (&punches[a as usize], &punches[b as usize]);
        pa.key() == pb.key() && pa.id(file) == pb.id(file)
    };
    let mut dups: Vec<u32> = order
        .windows(2)
        .filter(|w| same(w[0], w[1]))
        .map(|w| w[1])
        .collect();
    dups.sort_unstable();
    log.duplicates = dups;
}

/// What the repair writer drops.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepairOptions {
    /// Leave damaged lines out.
    pub remove_damaged: bool,
    /// Leave exact repeats of an earlier punch out (needs [`find_duplicates`] first).
    pub remove_duplicates: bool,
}

/// How many lines the repair writer kept and left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepairReport {
    /// Lines written as they were.
    pub kept: u64,
    /// Damaged lines left out.
    pub removed_damaged: u64,
    /// Duplicate punches left out.
    pub removed_duplicates: u64,
}

/// Streams the lines of the log read from `reader` onto `out`, leaving out what `opts`
/// drops; kept lines are copied byte for byte (ID width, fields and line end as they
/// were), so with nothing to drop the output is the input. Holds one capped line at most.
pub fn repair_attlog(
    reader: impl Read,
    log: &Attlog,
    opts: RepairOptions,
    out: &mut dyn Write,
) -> io::Result<RepairReport> {
    let mut lines = LineReader::new(reader);
    let mut buf = Vec::with_capacity(MAX_LINE + 2);
    let mut report = RepairReport::default();
    let (mut punch, mut dups) = (0u32, log.duplicates.iter().peekable());
    loop {
        // A line over the cap is damaged: it streams straight to `out` unless dropped.
        let mut sink = io::sink();
        let overflow: &mut dyn Write = match opts.remove_damaged {
            true => &mut sink,
            false => &mut *out,
        };
        let Some(raw) = lines.next_line(&mut buf, overflow)? else {
            return Ok(report);
        };
        let (damaged, duplicate) = match parse_line(&buf, raw) {
            Parsed::Punch(_) => {
                let dup = dups.next_if_eq(&&punch).is_some();
                punch += 1;
                (false, dup)
            }
            Parsed::Damaged(_) => (true, false),
            Parsed::Blank => (false, false),
        };
        if damaged && opts.remove_damaged {
            report.removed_damaged += 1;
        } else if duplicate && opts.remove_duplicates {
            report.removed_duplicates += 1;
        } else {
            if raw.len <= buf.len() as u64 {
                out.write_all(&buf)?;
            }
            report.kept += 1;
        }
    }
}

#[cfg(test)]
mod tests;
