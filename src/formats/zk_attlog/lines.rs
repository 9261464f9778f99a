//! Splitting a log into lines (each held capped) and parsing one line into a punch, a
//! blank line or a located damage.

use std::io::{self, Read};

use super::{pack_time, Damage, FIELDS, MAX_LINE, UTF8_BOM};

/// Longest user ID a punch line may carry (the clock's field holds 24 bytes).
const MAX_ID: usize = 24;

/// One line as the line reader found it (its bytes are in the caller's buffer).
#[derive(Debug, Clone, Copy)]
pub(super) struct RawLine {
    /// Byte offset of the line's start.
    pub offset: u64,
    /// Its length, line end included.
    pub len: u64,
    /// NUL bytes in it; None where they were not counted (the line is whole in its
    /// bytes, which [`parse_line`] then counts only when it does not read as a punch).
    pub nuls: Option<u64>,
    /// It ends with LF.
    pub newline: bool,
}

/// What a [`Lines`] splitter hands each line to.
pub(super) trait LineSink {
    /// What the sink's work can fail with.
    type Error;

    /// A whole line: its bytes (capped at [`MAX_LINE`] + 2, line end included when it
    /// fits) and where it was.
    fn line(&mut self, bytes: &[u8], raw: RawLine) -> Result<(), Self::Error>;
}

/// Splits bytes pushed in chunks of any size into lines, holding at most [`MAX_LINE`] + 2
/// bytes of a line that spans chunks (a line inside one chunk is passed on in place).
#[derive(Debug, Default)]
pub(super) struct Lines {
    /// The start of the line that the last chunk left open (capped).
    held: Vec<u8>,
    /// That line's length so far.
    len: u64,
    /// Its NUL bytes so far.
    nuls: u64,
    /// Byte offset of that line's start: the bytes of all lines ended before it.
    pub offset: u64,
}

/// Longest part of a line held.
const CAP: usize = MAX_LINE + 2;

/// NUL bytes in `bytes`.
fn nuls_in(bytes: &[u8]) -> u64 {
    match memchr::memchr(0, bytes) {
        Some(_) => memchr::memchr_iter(0, bytes).count() as u64,
        None => 0,
    }
}

impl Lines {
    /// Splits the next `chunk` of the stream, handing `sink` every line it ends.
    pub fn feed<S: LineSink>(&mut self, mut chunk: &[u8], sink: &mut S) -> Result<(), S::Error> {
        while !chunk.is_empty() {
            let end = memchr::memchr(b'\n', chunk).map(|i| i + 1);
            let (part, rest) = chunk.split_at(end.unwrap_or(chunk.len()));
            chunk = rest;
            if end.is_some() && self.len == 0 && part.len() <= CAP {
                let (offset, len) = (self.offset, part.len() as u64);
                self.offset += len;
                let raw = RawLine {
                    offset,
                    len,
                    nuls: None,
                    newline: true,
                };
                sink.line(part, raw)?;
                continue;
            }
            self.hold(part);
            if end.is_some() {
                self.end_line(true, sink)?;
            }
        }
        Ok(())
    }

    /// The stream has ended: hands on the last line when it had no line end.
    pub fn finish<S: LineSink>(&mut self, sink: &mut S) -> Result<(), S::Error> {
        match self.len {
            0 => Ok(()),
            _ => self.end_line(false, sink),
        }
    }

    /// Adds `part` to the open line, held up to the cap.
    fn hold(&mut self, part: &[u8]) {
        self.nuls += nuls_in(part);
        let room = CAP.saturating_sub(self.held.len()).min(part.len());
        self.held.extend_from_slice(&part[..room]);
        self.len += part.len() as u64;
    }

    /// Hands on the open line and starts the next.
    fn end_line<S: LineSink>(&mut self, newline: bool, sink: &mut S) -> Result<(), S::Error> {
        let raw = RawLine {
            offset: self.offset,
            len: self.len,
            nuls: Some(self.nuls),
            newline,
        };
        self.offset += self.len;
        (self.len, self.nuls) = (0, 0);
        let result = sink.line(&self.held, raw);
        self.held.clear();
        result
    }
}

/// Hands every byte `reader` gives to `feed`, in pieces of up to 256 KiB.
pub(super) fn pump(
    mut reader: impl Read,
    mut feed: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => feed(&buf[..n])?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// The line without its LF and the CRs before it (`\r\r\n` from a clock or a copy that
/// added one is a line end, not part of the last field).
fn content(line: &[u8]) -> &[u8] {
    let mut line = line.strip_suffix(b"\n").unwrap_or(line);
    while let Some(rest) = line.strip_suffix(b"\r") {
        line = rest;
    }
    line
}

/// The fields of a punch line, checked; the ID still points into the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fields<'a> {
    /// The user ID, spaces trimmed.
    pub id: &'a [u8],
    /// The time, packed.
    pub time: u32,
    /// Work code.
    pub workcode: i32,
    /// Device number.
    pub device: u16,
    /// Status code.
    pub status: u8,
    /// Verify code.
    pub verify: u8,
}

/// What a line is: a punch, blank, or damaged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Parsed<'a> {
    Punch(Fields<'a>),
    Blank,
    Damaged(Damage),
}

/// True when `line` is the file's first and starts with a UTF-8 byte order mark.
pub(super) fn has_bom(line: &[u8], raw: &RawLine) -> bool {
    raw.offset == 0 && line.starts_with(UTF8_BOM)
}

/// Parses a line (its bytes as read, possibly capped) described by `raw`, past a UTF-8
/// byte order mark that starts the file; also gives its NUL bytes.
pub(super) fn parse_line(line: &[u8], raw: RawLine) -> (Parsed<'_>, u64) {
    let (line, raw) = match has_bom(line, &raw) {
        true => (
            &line[UTF8_BOM.len()..],
            RawLine {
                len: raw.len - 3,
                ..raw
            },
        ),
        false => (line, raw),
    };
    if raw.nuls.unwrap_or(0) == 0 && raw.len == line.len() as u64 {
        // A punch read this way holds no NUL: every byte of it was checked.
        if let Some(fields) = quick_fields(line) {
            return (Parsed::Punch(fields), 0);
        }
    }
    let nuls = raw.nuls.unwrap_or_else(|| nuls_in(line));
    (parse_fully(line, raw.len, nuls), nuls)
}

/// [`parse_line`] field by field, naming what is wrong: the line's bytes, its whole length
/// and its NUL bytes.
fn parse_fully(line: &[u8], len: u64, nuls: u64) -> Parsed<'_> {
    if nuls > 0 {
        return Parsed::Damaged(Damage::NulBytes(nuls));
    }
    let text = content(line);
    if len > MAX_LINE as u64 + 2 {
        // An over-long run of 0xFF (what erased flash reads as) is erased flash too.
        return Parsed::Damaged(match text.iter().all(|&b| b == 0xFF) {
            true => Damage::ErasedFlash,
            false => Damage::TooLong(len),
        });
    }
    if text.iter().all(u8::is_ascii_whitespace) {
        return Parsed::Blank;
    }
    if text.len() >= 8 && text.iter().all(|&b| b == text[0]) {
        // Flash that was erased or filled with one byte, printed as a line.
        return Parsed::Damaged(Damage::ErasedFlash);
    }
    let mut fields: [&[u8]; FIELDS] = [&[]; FIELDS];
    let (mut count, mut start) = (0, 0);
    for at in memchr::memchr_iter(b'\t', text) {
        if count < FIELDS {
            fields[count] = &text[start..at];
        }
        (count, start) = (count + 1, at + 1);
    }
    if count < FIELDS {
        fields[count] = &text[start..];
    }
    count += 1;
    if count != FIELDS {
        return Parsed::Damaged(Damage::FieldCount(count));
    }
    match parse_fields(&fields) {
        Ok(punch) => Parsed::Punch(punch),
        Err(damage) => Parsed::Damaged(damage),
    }
}

/// The fields of a line written the usual way (an ID, a tab, the 19-byte time, then four
/// codes with a tab before each), split at those places in one pass and checked as
/// [`parse_fully`] checks them; None for anything else, which [`parse_line`] then judges
/// in full. A field holding a stray tab fails its check, so Some is always the punch the
/// full reading gives.
fn quick_fields(line: &[u8]) -> Option<Fields<'_>> {
    let text = content(line);
    let tab = text.iter().position(|&b| b == b'\t')?;
    let (time, rest) = text[tab + 1..].split_at_checked(19)?;
    let mut codes = rest.strip_prefix(b"\t")?.splitn(4, |&b| b == b'\t');
    let mut code = || codes.next();
    let fields = [&text[..tab], time, code()?, code()?, code()?, code()?];
    parse_fields(&fields).ok()
}

/// A number of type `T` from an ASCII field (as `str::parse` takes it: an optional sign,
/// `-` only where `T` is signed, then digits), or the damage naming `what`.
fn number<T: TryFrom<i64>>(field: &[u8], what: &'static str) -> Result<T, Damage> {
    let bad = Damage::BadNumber(what);
    let (negative, digits) = match field {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, field),
    };
    if digits.is_empty() || (negative && T::try_from(-1).is_err()) {
        return Err(bad);
    }
    let mut value: i64 = 0;
    for &b in digits {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return Err(bad);
        }
        // Never overflows: `value` is at most u32::MAX here. (A checked i64 multiply is a
        // 128-bit library call in wasm32, a tenth of the line's parse.)
        value = value * 10 + i64::from(digit);
        // No field type holds more than 32 bits: stop long before i64 could overflow.
        if value > i64::from(u32::MAX) {
            return Err(bad);
        }
    }
    T::try_from(if negative { -value } else { value }).map_err(|_| bad)
}

/// The six fields of a punch line, checked.
fn parse_fields<'a>(fields: &[&'a [u8]; FIELDS]) -> Result<Fields<'a>, Damage> {
    let id = fields[0].trim_ascii();
    if id.is_empty() || id.len() > MAX_ID || id.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return Err(Damage::BadUserId);
    }
    let workcode: i32 = number(fields[5], "workcode")?;
    // Flash filled with 0x5A prints as Z: an ID of Zs alone (sample D's line 12, "ZZ"
    // padded with spaces, on 2000-07-09 with verify 255) is what it leaves too.
    let all_z = id.len() >= 2 && id.iter().all(|&b| b == b'Z');
    if all_z || id.windows(4).any(|w| w == b"ZZZZ") || workcode == 0x5A5A_5A5A {
        return Err(Damage::ErasedFlash);
    }
    // A clock writes work codes from 0 up; a negative one is flash garbage that happens
    // to parse (sample D's line 8, "ZZw?0P?0 ... -256901120").
    if workcode < 0 {
        return Err(Damage::BadNumber("workcode"));
    }
    Ok(Fields {
        id,
        time: parse_time(fields[1])?,
        workcode,
        device: number(fields[2], "device number")?,
        status: number(fields[3], "status")?,
        verify: number(fields[4], "verify code")?,
    })
}

/// Two ASCII digits at `at` as a number (the caller checked they are digits).
fn two(b: &[u8; 19], at: usize) -> u32 {
    u32::from(b[at] - b'0') * 10 + u32::from(b[at + 1] - b'0')
}

/// A `YYYY-MM-DD HH:MM:SS` time, packed; years 2000 to 2099.
fn parse_time(field: &[u8]) -> Result<u32, Damage> {
    // As an array of its fixed length, its bytes are read with no bounds checks.
    let b: &[u8; 19] = field.try_into().map_err(|_| Damage::BadTime)?;
    if !super::is_punch_time_bytes(b) {
        return Err(Damage::BadTime);
    }
    let (y, mo, d) = (two(b, 0) * 100 + two(b, 2), two(b, 5), two(b, 8));
    let (h, mi, s) = (two(b, 11), two(b, 14), two(b, 17));
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let feb = if leap { 29 } else { 28 };
    let days = [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let day_ok = (1..=12).contains(&mo) && (1..=days[mo as usize - 1]).contains(&d);
    if !(2000..=2099).contains(&y) || !day_ok || h > 23 || mi > 59 || s > 59 {
        return Err(Damage::ImpossibleDate);
    }
    Ok(pack_time(y, mo, d, h, mi, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `str::parse` says of `text` as a `T`.
    fn std_parse<T: std::str::FromStr>(text: &[u8]) -> Option<T> {
        std::str::from_utf8(text).ok()?.parse().ok()
    }

    #[test]
    fn numbers_are_read_as_str_parse_reads_them() {
        let cases: [&[u8]; 17] = [
            b"0",
            b"7",
            b"+7",
            b"-7",
            b"-0",
            b"+",
            b"-",
            b"",
            b"007",
            b"255",
            b"256",
            b"65535",
            b"65536",
            b"2147483647",
            b"2147483648",
            b"-2147483648",
            b"99999999999999999999",
        ];
        for text in cases {
            let ours: Option<u8> = number(text, "x").ok();
            assert_eq!(ours, std_parse::<u8>(text), "u8 {text:?}");
            let ours: Option<u16> = number(text, "x").ok();
            assert_eq!(ours, std_parse::<u16>(text), "u16 {text:?}");
            let ours: Option<i32> = number(text, "x").ok();
            assert_eq!(ours, std_parse::<i32>(text), "i32 {text:?}");
        }
        for text in [&b"1 2"[..], b"1a", b"\xff", b" 1", b"1\r"] {
            assert_eq!(
                number::<i32>(text, "x"),
                Err(Damage::BadNumber("x")),
                "{text:?}"
            );
        }
    }

    /// `line` as [`parse_line`] reads a line whole in its chunk.
    fn whole(line: &[u8]) -> RawLine {
        RawLine {
            offset: 0,
            len: line.len() as u64,
            nuls: None,
            newline: line.ends_with(b"\n"),
        }
    }

    #[test]
    fn the_one_pass_read_gives_what_the_field_by_field_read_gives() {
        let good: [&[u8]; 6] = [
            b"Z\t2023-01-01 00:00:00\t1\t0\t1\t0\n",
            b"     1234\t2024-02-29 23:59:59\t1\t0\t1\t0\r\n",
            b"7\t2023-01-01 00:00:00\t65535\t255\t15\t2147483647\n",
            b"  abc  \t2023-12-31 10:00:00\t0\t5\t2\t0012",
            b"1\t2023-12-31 10:00:00\t1\t1\t1\t1\r",
            b"00000000000000000000001\t2099-12-31 10:00:00\t1\t1\t1\t9\n",
        ];
        let mut rng = crate::bench::Rng(0x9_0f1e);
        let mut quick = 0;
        for line in good {
            assert!(
                quick_fields(line).is_some(),
                "{:?}",
                String::from_utf8_lossy(line)
            );
            // Every line one byte changed, cut short or grown: the one-pass read is
            // either None or the same punch.
            for _ in 0..4000 {
                let mut l = line.to_vec();
                match rng.below(3) {
                    0 => {
                        let at = rng.below(l.len() as u64) as usize;
                        let bytes = b"\t\r\n 0+-9aZ\x00\x7f:";
                        l[at] = bytes[rng.below(bytes.len() as u64) as usize];
                    }
                    1 => l.truncate(rng.below(l.len() as u64) as usize),
                    _ => l.insert(rng.below(l.len() as u64) as usize, b'1'),
                }
                let fully = parse_fully(&l, l.len() as u64, nuls_in(&l));
                if let Some(fields) = quick_fields(&l) {
                    quick += 1;
                    assert_eq!(
                        Parsed::Punch(fields),
                        fully,
                        "{:?}",
                        String::from_utf8_lossy(&l)
                    );
                }
                let (parsed, nuls) = parse_line(&l, whole(&l));
                assert_eq!((parsed, nuls), (fully, nuls_in(&l)));
            }
        }
        assert!(quick > 2000, "most changes still read in one pass: {quick}");
        let refused: [&[u8]; 7] = [
            b"ZZZZ1\t2024-01-01 00:00:00\t1\t0\t1\t0\n",
            b"   ZZ \t2024-01-01 00:00:00\t1\t0\t1\t0\n",
            b"1\t2024-01-01 00:00:00\t1\t0\t1\t1515870810\n",
            b"1\t2024-02-30 00:00:00\t1\t0\t1\t0\n",
            b"1\t2024-01-01 00:00:00\t1\t256\t1\t0\n",
            b"1\t2024-01-01 00:00:00\t1\t0\t1\t0\t\n",
            b"1\t2024-01-01 00:00:00\t1\t0\t1\t0 \n",
        ];
        for line in refused {
            assert_eq!(
                quick_fields(line),
                None,
                "{:?}",
                String::from_utf8_lossy(line)
            );
            assert!(matches!(
                parse_line(line, whole(line)).0,
                Parsed::Damaged(_)
            ));
        }
    }
}
