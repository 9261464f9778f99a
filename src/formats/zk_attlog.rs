//! ZKTeco attendance log (`<device number>_attlog.dat`): text, one punch a line, six
//! tab-separated fields starting with the user ID and `YYYY-MM-DD HH:MM:SS`.
//!
//! Real logs carry runs of NUL bytes and records from erased flash (`ZZZZ...`); the
//! counter counts those lines as damaged and says where they are.

use std::convert::Infallible;
use std::io::{self, Read, Write};

use super::Tally;

mod ids;
mod lines;
mod pieces;

pub use ids::{LineSet, UserIds};
use lines::{pump, LineSink, Lines, Parsed, RawLine};
pub use pieces::{KeptRanges, LineIndex, RangeCut};

/// How many tab-separated fields a whole punch line has.
pub const FIELDS: usize = 6;
/// Longest line kept for parsing; a longer one is reported and skipped, never held.
pub const MAX_LINE: usize = 4096;
/// Most damaged lines listed one by one; the rest are counted.
pub const MAX_LISTED: usize = 10_000;
/// The UTF-8 byte order mark an editor such as Notepad puts before a file it saves.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// What is said of a log that starts with [`UTF8_BOM`].
pub const BOM_NOTE: &str = "Byte 0: a UTF-8 byte order mark (EF BB BF), which an editor such as Notepad adds when it saves the file; the clock writes none. It is not read as part of the first punch's user ID, and a repair removes it.";

/// True when a lower-cased file name is named like an attendance log (`*attlog.dat`).
pub fn has_attlog_name(lower_name: &str) -> bool {
    lower_name.ends_with("attlog.dat")
}

/// True when `s` is a punch time as the clock writes it: `YYYY-MM-DD HH:MM:SS`.
pub fn is_punch_time(s: &str) -> bool {
    is_punch_time_bytes(s.as_bytes())
}

/// [`is_punch_time`] on bytes.
#[inline]
pub fn is_punch_time_bytes(b: &[u8]) -> bool {
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
    let mut counter = PunchCounter::default();
    pump(reader, |chunk| {
        counter.feed(chunk, &mut *tally);
        Ok(())
    })?;
    counter.finish(tally);
    Ok(())
}

/// [`count_punches`] fed the log's bytes as they arrive (the caller may wait for each
/// chunk); each damaged line goes to the tally as it is found.
#[derive(Debug, Default)]
pub struct PunchCounter {
    lines: Lines,
    /// Punches, damaged lines, lines and NUL bytes.
    counts: [u64; 4],
}

impl PunchCounter {
    /// Counts the next `chunk` of the log.
    pub fn feed(&mut self, chunk: &[u8], tally: &mut dyn Tally) {
        let counts = &mut self.counts;
        always(self.lines.feed(chunk, &mut Counting { tally, counts }));
    }

    /// Every byte was fed: counts the last line and tallies the counts.
    pub fn finish(mut self, tally: &mut dyn Tally) {
        let counts = &mut self.counts;
        always(self.lines.finish(&mut Counting { tally, counts }));
        let [punches, damaged, _, nul_bytes] = self.counts;
        tally.count("punch", "punches", punches);
        tally.count("damaged line", "damaged lines", damaged);
        tally.count("NUL byte", "NUL bytes", nul_bytes);
    }
}

/// The value of a result that cannot be an error.
fn always<T>(result: Result<T, Infallible>) -> T {
    match result {
        Ok(value) => value,
        Err(never) => match never {},
    }
}

/// The lines of [`count_punches`]: punches, damaged lines, lines and NUL bytes counted,
/// each damaged line a problem.
struct Counting<'a> {
    tally: &'a mut dyn Tally,
    counts: &'a mut [u64; 4],
}

impl LineSink for Counting<'_> {
    type Error = Infallible;

    fn line(&mut self, bytes: &[u8], raw: RawLine) -> Result<(), Infallible> {
        let [punches, damaged, number, nul_bytes] = &mut *self.counts;
        *number += 1;
        let (parsed, nuls) = lines::parse_line(bytes, raw);
        *nul_bytes += nuls;
        match parsed {
            Parsed::Punch(_) => *punches += 1,
            Parsed::Blank => {}
            Parsed::Damaged(damage) => {
                *damaged += 1;
                let at = DamagedLine {
                    line: *number,
                    offset: raw.offset,
                    damage,
                    text: String::new(),
                };
                self.tally.problem(at.message());
            }
        }
        Ok(())
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
            Damage::ErasedFlash => {
                "a record from erased flash (ZZZZ... or one byte repeated)".into()
            }
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
    /// The line's first bytes (up to 60, without its line end), control bytes as `·`;
    /// empty where the counter only reports the line.
    pub text: String,
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

/// The first bytes of a line (up to 60, without its line end), control bytes as `·`.
fn preview(line: &[u8]) -> String {
    let line = &line[..line.len().min(60)];
    let line = line.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let text = String::from_utf8_lossy(line);
    text.chars()
        .map(|c| if c.is_control() { '·' } else { c })
        .collect()
}

/// One punch, packed: its user ID is a number into the log's [`UserIds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Punch {
    /// Punch time packed as the clock packs it (see [`pack_time`]).
    pub time: u32,
    /// Work code.
    pub workcode: i32,
    /// The user ID's number in [`Attlog::ids`].
    pub id: u32,
    /// 1-based line number (saturates at `u32::MAX`, past 4 billion lines).
    pub line: u32,
    /// Device number.
    pub device: u16,
    /// Status code (see [`status_label`]).
    pub status: u8,
    /// Verify code (see [`verify_label`]).
    pub verify: u8,
}

impl Punch {
    /// The punch time as the clock writes it: `YYYY-MM-DD HH:MM:SS`.
    pub fn time_text(&self) -> String {
        let [y, mo, d, h, mi, s] = unpack_time(self.time);
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }

    /// Everything that makes two punches the same punch (the ID's width aside).
    fn key(&self) -> [u32; 4] {
        let p = self;
        let codes = u32::from(p.device) << 16 | u32::from(p.status) << 8 | u32::from(p.verify);
        [p.id, p.time, p.workcode as u32, codes]
    }
}

/// A read attendance log: its punches, packed, and what is damaged.
#[derive(Debug, Clone, Default)]
pub struct Attlog {
    /// Every punch in file order (duplicates included).
    pub punches: Vec<Punch>,
    /// The distinct user IDs the punches name.
    pub ids: UserIds,
    /// Damaged lines, the first [`MAX_LISTED`] of them.
    pub damaged: Vec<DamagedLine>,
    /// All damaged lines.
    pub damaged_count: u64,
    /// Which lines (0-based) are damaged: what the repair writer leaves out.
    pub damaged_lines: LineSet,
    /// Which lines (0-based) are blank.
    pub blank_line_set: LineSet,
    /// Lines read (blank ones included).
    pub lines: u64,
    /// Blank lines (neither punch nor damage).
    pub blank_lines: u64,
    /// NUL bytes in the whole file.
    pub nul_bytes: u64,
    /// Indexes into `punches` of exact repeats of an earlier punch, in order.
    pub duplicates: Vec<u32>,
    /// Bytes read.
    pub size: u64,
    /// The last line has no line end.
    pub missing_final_newline: bool,
    /// The file starts with a UTF-8 byte order mark ([`UTF8_BOM`]), not part of line 1.
    pub bom: bool,
    /// Where each line starts, so a repair can be made of the file's byte ranges.
    pub line_index: LineIndex,
}

/// A 32-bit hash of a punch's key, the same on every platform (a `Hasher` works in
/// `usize`, which is 32 bits in wasm).
fn key_hash(punch: &Punch) -> u32 {
    let [id, time, workcode, codes] = punch.key().map(u64::from);
    let a = (id << 32 | time).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let b = (workcode << 32 | codes).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    ((a ^ b.rotate_left(29)) >> 32) as u32
}

/// Sorts `words` by their high 32 bits, keeping the order of words whose high halves are
/// equal: a radix sort, three passes of 11, 11 and 10 bits.
fn sort_by_high_half(words: &mut Vec<u64>) {
    let mut other = vec![0u64; words.len()];
    for shift in [32, 43, 54] {
        let digit = |w: u64| (w >> shift & 0x7ff) as usize;
        let mut starts = [0usize; 0x800];
        for &w in words.iter() {
            starts[digit(w)] += 1;
        }
        let mut sum = 0;
        for start in starts.iter_mut() {
            (*start, sum) = (sum, sum + *start);
        }
        for &w in words.iter() {
            let d = digit(w);
            other[starts[d]] = w;
            starts[d] += 1;
        }
        std::mem::swap(words, &mut other);
    }
}

/// The hash slots two or more punches fall in: 4 to 8 slots a punch, so at most about
/// one punch in five that repeats nothing shares a slot by chance. Two bits a slot, side by side
/// (seen, seen again), so marking a punch touches one word.
struct SharedSlots {
    bits: Vec<u64>,
    shift: u32,
}

impl SharedSlots {
    /// Marks the slots of `punches` that more than one of them hashes to.
    fn of(punches: &[Punch]) -> SharedSlots {
        let slots = (punches.len() as u64 * 4)
            .next_power_of_two()
            .clamp(64, 1 << 32);
        let shift = 64 - slots.trailing_zeros();
        let mut shared = SharedSlots {
            bits: vec![0u64; (slots / 32) as usize],
            shift,
        };
        for punch in punches {
            let (word, seen) = shared.place(key_hash(punch));
            let w = &mut shared.bits[word];
            *w |= (*w & seen) << 1 | seen;
        }
        shared
    }

    /// The word of hash `h`'s slot, and the slot's "seen" bit in it (the bit above it is
    /// "seen again").
    fn place(&self, h: u32) -> (usize, u64) {
        let slot = (u64::from(h) << 32 >> self.shift) as usize;
        (slot / 32, 1 << (slot % 32 * 2))
    }

    /// True when the slot of hash `h` is shared.
    fn has(&self, h: u32) -> bool {
        let (word, seen) = self.place(h);
        self.bits[word] & seen << 1 != 0
    }
}

/// The indexes of the punches that repeat an earlier one exactly (same ID, time and
/// codes), in order. Only punches whose hash slot is shared ([`SharedSlots`]) go on: one
/// word each (a 32-bit hash of its key above its index), sorted by the hash; whole keys
/// are compared only where hashes meet.
fn find_duplicates(punches: &[Punch]) -> Vec<u32> {
    let shared = SharedSlots::of(punches);
    let mut order: Vec<u64> = punches
        .iter()
        .enumerate()
        .map(|(i, p)| (i, key_hash(p)))
        .filter(|&(_, h)| shared.has(h))
        .map(|(i, h)| u64::from(h) << 32 | i as u64)
        .collect();
    drop(shared);
    sort_by_high_half(&mut order);
    let mut dups = Vec::new();
    for group in order.chunk_by(|a, b| a >> 32 == b >> 32) {
        if group.len() < 2 {
            continue;
        }
        // In index order; a stable sort by key keeps each key's first punch first.
        let mut members: Vec<u32> = group.iter().map(|&x| x as u32).collect();
        members.sort_by_key(|&i| punches[i as usize].key());
        let key = |i: u32| punches[i as usize].key();
        dups.extend(
            members
                .windows(2)
                .filter(|w| key(w[0]) == key(w[1]))
                .map(|w| w[1]),
        );
    }
    dups.sort_unstable();
    dups
}

impl Attlog {
    /// Grows the punches' room when full: to the count the `read` bytes so far promise
    /// for all `size` bytes (a little over), or by half when the size is unknown or the
    /// promise is already kept.
    fn make_room(&mut self, read: u64, size: u64) {
        let held = self.punches.len() as u64;
        let promised = match read {
            0 => 0,
            _ => (held as u128 * u128::from(size) / u128::from(read)) as u64,
        };
        // No punch line is shorter than 24 bytes: a guess from a short start stays sane.
        let promised = promised.min(size / 24);
        let least = held / 2 + 1024;
        let more = promised
            .saturating_sub(held)
            .saturating_add(promised / 64 + 1024);
        self.punches.reserve_exact(more.max(least) as usize);
    }

    /// The user ID of `punch`, as its bytes (spaces trimmed).
    pub fn id(&self, punch: &Punch) -> &[u8] {
        self.ids.get(punch.id)
    }

    /// The user ID of `punch` as text (bytes that are not UTF-8 shown as U+FFFD).
    pub fn id_text(&self, punch: &Punch) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.id(punch))
    }

    fn add(&mut self, line: &[u8], raw: lines::RawLine) {
        let (parsed, nuls) = lines::parse_line(line, raw);
        self.lines += 1;
        self.nul_bytes += nuls;
        self.missing_final_newline = !raw.newline;
        self.bom |= lines::has_bom(line, &raw);
        self.line_index.push(&raw);
        let (mut damaged, mut blank) = (false, false);
        match parsed {
            Parsed::Punch(f) => {
                let id = self.ids.intern(f.id);
                let line = u32::try_from(self.lines).unwrap_or(u32::MAX);
                let (time, workcode, device) = (f.time, f.workcode, f.device);
                let (status, verify) = (f.status, f.verify);
                let punch = Punch {
                    time,
                    workcode,
                    id,
                    line,
                    device,
                    status,
                    verify,
                };
                self.punches.push(punch);
            }
            Parsed::Blank => blank = true,
            Parsed::Damaged(damage) => {
                damaged = true;
                self.damaged_count += 1;
                if self.damaged.len() < MAX_LISTED {
                    let (number, offset) = (self.lines, raw.offset);
                    self.damaged.push(DamagedLine {
                        line: number,
                        offset,
                        damage,
                        text: preview(line),
                    });
                }
            }
        }
        self.blank_lines += u64::from(blank);
        self.damaged_lines.push(damaged);
        self.blank_line_set.push(blank);
    }
}

/// Streams an attendance log into packed punches, user IDs held once; damage is located
/// and skipped, never fatal; exact duplicates are found. The log holds no line's bytes:
/// about 20 bytes a punch and a bit a line.
pub fn read_attlog(reader: impl Read) -> io::Result<Attlog> {
    read_attlog_sized(reader, 0)
}

/// [`read_attlog`] of a file of `size` bytes (0: unknown): the punches' room grows to the
/// number the part read so far promises for the whole file, not to twice what it holds.
pub fn read_attlog_sized(reader: impl Read, size: u64) -> io::Result<Attlog> {
    let mut log = AttlogReader::new(size);
    pump(reader, |chunk| {
        log.feed(chunk);
        Ok(())
    })?;
    Ok(log.finish())
}

/// An attendance log read as its bytes arrive ([`read_attlog_sized`] pushed, not pulled:
/// the caller may wait for each chunk).
#[derive(Debug, Default)]
pub struct AttlogReader {
    lines: Lines,
    log: Building,
}

/// The log being read, and the file's size (0: unknown).
#[derive(Debug, Default)]
struct Building(Attlog, u64);

impl LineSink for Building {
    type Error = Infallible;

    fn line(&mut self, bytes: &[u8], raw: RawLine) -> Result<(), Infallible> {
        let Building(log, size) = self;
        if log.punches.len() == log.punches.capacity() {
            log.make_room(raw.offset, *size);
        }
        log.add(bytes, raw);
        Ok(())
    }
}

impl AttlogReader {
    /// A reader for a log of `size` bytes (0: unknown).
    pub fn new(size: u64) -> Self {
        AttlogReader {
            lines: Lines::default(),
            log: Building(Attlog::default(), size),
        }
    }

    /// Reads the next `chunk` of the log.
    pub fn feed(&mut self, chunk: &[u8]) {
        always(self.lines.feed(chunk, &mut self.log));
    }

    /// The log, once every byte was fed: duplicates found, room trimmed.
    pub fn finish(mut self) -> Attlog {
        always(self.lines.finish(&mut self.log));
        let mut log = self.log.0;
        log.size = self.lines.offset;
        log.ids.settle();
        // The room was promised from the size: shrinking would copy every punch to free
        // a sixty-fourth of them.
        if log.punches.capacity() - log.punches.len() > log.punches.len() / 8 {
            log.punches.shrink_to_fit();
        }
        log.duplicates = find_duplicates(&log.punches);
        log
    }
}

/// Reads a log held in memory ([`read_attlog_sized`] over a slice, which cannot fail).
pub fn read_attlog_bytes(file: &[u8]) -> Attlog {
    read_attlog_sized(file, file.len() as u64).unwrap_or_default()
}

/// What the repair writer drops.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepairOptions {
    /// Leave damaged lines out, and blank ones.
    pub remove_damaged: bool,
    /// Leave exact repeats of an earlier punch out.
    pub remove_duplicates: bool,
}

/// How many lines the repair writer kept and left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepairReport {
    /// Lines written as they were.
    pub kept: u64,
    /// Damaged lines left out.
    pub removed_damaged: u64,
    /// Blank lines left out (with the damaged ones).
    pub removed_blank: u64,
    /// Duplicate punches left out.
    pub removed_duplicates: u64,
    /// The UTF-8 byte order mark that started the file was left out.
    pub removed_bom: bool,
}

impl RepairReport {
    /// Lines left out, of every kind.
    pub fn left_out(&self) -> u64 {
        self.removed_damaged + self.removed_blank + self.removed_duplicates
    }
}

/// Streams the log read from `reader` (the bytes `log` was read from) onto `out`, leaving
/// out the lines `opts` drops and a UTF-8 byte order mark that starts the file; the rest is
/// copied byte for byte in ranges (ID width, fields and line ends as they were), so with
/// nothing to drop the output is the input. No line
/// is split or parsed again: `log` says where each starts and which are left out.
pub fn repair_attlog(
    reader: impl Read,
    log: &Attlog,
    opts: RepairOptions,
    out: &mut dyn Write,
) -> io::Result<RepairReport> {
    let mut repair = AttlogRepair::new(log, opts, out)?;
    pump(reader, |chunk| repair.feed(chunk))?;
    repair.finish()
}

/// A repair fed the log's bytes as they arrive ([`repair_attlog`] pushed, not pulled).
pub struct AttlogRepair<'a, W: Write> {
    cut: RangeCut<'a>,
    report: RepairReport,
    out: W,
}

impl<'a, W: Write> AttlogRepair<'a, W> {
    /// A repair of the log `log` was read from, written to `out`; fails when `log` does
    /// not describe its file's lines (not read by [`AttlogReader`]).
    pub fn new(log: &'a Attlog, opts: RepairOptions, out: W) -> io::Result<Self> {
        let unplanned = || {
            let text = "the log's lines do not match the bytes read; open the log again";
            io::Error::new(io::ErrorKind::InvalidData, text)
        };
        let (ranges, report) = log.repair_plan(opts).ok_or_else(unplanned)?;
        Ok(AttlogRepair {
            cut: RangeCut::new(ranges),
            report,
            out,
        })
    }

    /// Repairs the next `chunk` of the log's bytes.
    pub fn feed(&mut self, chunk: &[u8]) -> io::Result<()> {
        let out = &mut self.out;
        self.cut
            .cut(chunk.len(), |kept| out.write_all(&chunk[kept]))
    }

    /// What was kept and left out, once every byte was fed; fails when the file is no
    /// longer the size it was read at.
    pub fn finish(self) -> io::Result<RepairReport> {
        let changed = |text| io::Error::new(io::ErrorKind::InvalidData, text);
        self.cut.finish().map_err(changed)?;
        Ok(self.report)
    }
}

#[cfg(test)]
mod tests;
