//! Date cells: the forms the server reads, ordered date keys, and rewrites for messages.

use super::row::all_digits;
use crate::calendar::civil_from_days;
pub(super) use crate::calendar::days_in_month;

/// Orders moments: a larger key is later. Not a timestamp: the fields packed into bits
/// (month below 16, day and hour below 32, minute and second below 64 once checked).
pub(super) const fn date_key(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> u64 {
    ((y as u64) << 26)
        | ((mo as u64) << 22)
        | ((d as u64) << 17)
        | ((h as u64) << 12)
        | ((mi as u64) << 6)
        | s as u64
}

/// The earliest moment the server takes: 2001-01-01 00:00:00.
pub(super) const EARLIEST_KEY: u64 = date_key(2001, 1, 1, 0, 0, 0);

/// What reading a date cell gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateParse {
    /// A valid moment; `ambiguous` for a day-first date that also reads month first.
    Ok { key: u64, ambiguous: bool },
    /// Not one of the accepted forms.
    Format,
    /// Clearly month first (MM/DD/YYYY with DD over 12).
    MonthFirst,
    /// The form is right but the date or time does not exist.
    Impossible,
}

/// `b` without leading and trailing ASCII spaces.
fn trim_spaces(mut b: &[u8]) -> &[u8] {
    while let [b' ', rest @ ..] = b {
        b = rest;
    }
    while let [rest @ .., b' '] = b {
        b = rest;
    }
    b
}

/// A cursor over ASCII bytes for hand-written parsing.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    /// Reads `min..=max` digits as a number.
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let mut n = 0u32;
        let mut k = 0;
        while k < max {
            match self.b.get(self.i) {
                Some(c) if c.is_ascii_digit() => {
                    n = n * 10 + u32::from(c - b'0');
                    self.i += 1;
                    k += 1;
                }
                _ => break,
            }
        }
        (k >= min).then_some(n)
    }

    fn byte(&mut self, want: u8) -> bool {
        if self.b.get(self.i) == Some(&want) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn done(&self) -> bool {
        self.i >= self.b.len()
    }

    /// Reads `HH:MM[:SS[.f{1,3}]]` (hour with `hmin..=2` digits) up to the end.
    fn time(&mut self, hmin: usize) -> Option<(u32, u32, u32)> {
        let h = self.digits(hmin, 2)?;
        if !self.byte(b':') {
            return None;
        }
        let mi = self.digits(2, 2)?;
        let mut s = 0;
        if self.byte(b':') {
            s = self.digits(2, 2)?;
            if self.byte(b'.') {
                self.digits(1, 3)?;
            }
        }
        self.done().then_some((h, mi, s))
    }
}

fn checked_key(y: u32, mo: u32, d: u32, (h, mi, s): (u32, u32, u32), ambiguous: bool) -> DateParse {
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59
    {
        return DateParse::Impossible;
    }
    DateParse::Ok {
        key: date_key(y, mo, d, h, mi, s),
        ambiguous,
    }
}

/// Reads a date cell in one of the forms the server accepts (surrounding spaces ignored):
/// `YYYY-MM-DD HH:MM`, `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD HH:MM:SS.fff`, and day-first
/// `DD/MM/YYYY` with an optional ` HH:MM` or ` HH:MM:SS`.
pub(crate) fn parse_datetime(s: &str) -> DateParse {
    let b = trim_spaces(s.as_bytes());
    fixed_datetime(b).unwrap_or_else(|| parse_datetime_by_cursor(b))
}

/// `YYYY-MM-DD HH:MM` or `YYYY-MM-DD HH:MM:SS` read at fixed places (the usual forms);
/// None for anything else, which [`parse_datetime_by_cursor`] reads.
pub(super) fn fixed_datetime(b: &[u8]) -> Option<DateParse> {
    let (head, seconds): (&[u8; 16], Option<[u8; 3]>) = match b {
        [head @ .., b':', s1, s2] if head.len() == 16 => {
            (head.try_into().ok()?, Some([b':', *s1, *s2]))
        }
        _ => (b.try_into().ok()?, None),
    };
    // "DDDD-DD-" and "DD DD:DD" tested 8 bytes at a time: digits are 0x30..=0x39, so a
    // byte is a digit when its high nibble is 3 and adding 6 keeps it there.
    let word = |k: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&head[k..k + 8]);
        u64::from_le_bytes(w)
    };
    let shape_ok = |x: u64, punct_mask: u64, punct: u64| {
        const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
        let d = !punct_mask;
        // No digit byte carries into the next when the first test passes.
        x & HIGH & d == 0x3030_3030_3030_3030 & d
            && x.wrapping_add(0x0606_0606_0606_0606 & d) & HIGH & d == 0x3030_3030_3030_3030 & d
            && x & punct_mask == punct
    };
    // Bytes 4 and 7 of the first word are '-'; bytes 2 and 5 of the second are ' ', ':'.
    const P1: u64 = 0xFF00_00FF_0000_0000;
    const V1: u64 = 0x2D00_002D_0000_0000;
    const P2: u64 = 0x0000_FF00_00FF_0000;
    const V2: u64 = 0x0000_3A00_0020_0000;
    if !shape_ok(word(0), P1, V1) || !shape_ok(word(8), P2, V2) {
        return None;
    }
    let [y1, y2, y3, y4, _, m1, m2, _, d1, d2, _, h1, h2, _, i1, i2] = *head;
    let [_, s1, s2] = seconds.unwrap_or(*b":00");
    if !(s1.is_ascii_digit() && s2.is_ascii_digit()) {
        return None;
    }
    let n = |a: u8, b: u8| u32::from(a - b'0') * 10 + u32::from(b - b'0');
    Some(checked_key(
        n(y1, y2) * 100 + n(y3, y4),
        n(m1, m2),
        n(d1, d2),
        (n(h1, h2), n(i1, i2), n(s1, s2)),
        false,
    ))
}

/// Reads a trimmed date cell with a cursor: every form [`parse_datetime`] accepts.
pub(super) fn parse_datetime_by_cursor(b: &[u8]) -> DateParse {
    let mut c = Cursor { b, i: 0 };
    if b.get(4) == Some(&b'-') {
        let parsed = (|| {
            let y = c.digits(4, 4)?;
            c.byte(b'-').then_some(())?;
            let mo = c.digits(2, 2)?;
            c.byte(b'-').then_some(())?;
            let d = c.digits(2, 2)?;
            c.byte(b' ').then_some(())?;
            let t = c.time(2)?;
            Some((y, mo, d, t))
        })();
        return match parsed {
            Some((y, mo, d, t)) => checked_key(y, mo, d, t, false),
            None => DateParse::Format,
        };
    }
    let parsed = (|| {
        let a = c.digits(1, 2)?;
        c.byte(b'/').then_some(())?;
        let m = c.digits(1, 2)?;
        c.byte(b'/').then_some(())?;
        let y = c.digits(4, 4)?;
        let t = if c.done() {
            (0, 0, 0)
        } else {
            c.byte(b' ').then_some(())?;
            c.time(1)?
        };
        Some((a, m, y, t))
    })();
    let Some((a, m, y, t)) = parsed else {
        return DateParse::Format;
    };
    if m > 12 {
        if (1..=12).contains(&a) && m <= 31 {
            return DateParse::MonthFirst;
        }
        return DateParse::Impossible;
    }
    checked_key(y, m, a, t, (1..=12).contains(&a) && a != m)
}

// ---------------------------------------------------------------------------------------
// Dates in messages

/// A rewrite of a date the server does not read into `YYYY-MM-DD HH:MM`, if the intent is clear.
pub(super) fn suggest_iso(s: &str) -> Option<String> {
    let s = join_dotted(s.trim());
    let (date, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d.trim_end_matches('.'), Some(t.trim())),
        None => (s.trim_end_matches('.'), None),
    };
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let n = |x: &str| -> Option<u32> {
        if all_digits(x) && x.len() <= 4 {
            x.parse().ok()
        } else {
            None
        }
    };
    let (y, m, d) = if a.len() == 4 {
        (n(a)?, n(b)?, n(c)?)
    } else if c.len() == 4 {
        let (first, second) = (n(a)?, n(b)?);
        if second > 12 {
            (n(c)?, first, second)
        } else {
            (n(c)?, second, first)
        }
    } else {
        return None;
    };
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let (h, mi, sec) = match time.map(split_day_half) {
        None | Some(("", None)) => (0, 0, None),
        Some((t, half)) => {
            let tp: Vec<&str> = t.split(':').collect();
            let (h, mi, sec) = match tp.as_slice() {
                [h, mi] => (n(h)?, n(mi)?, None),
                [h, mi, sec] => (n(h)?, n(mi)?, Some(n(sec.split('.').next()?)?)),
                _ => return None,
            };
            (on_24_hours(h, half)?, mi, sec)
        }
    };
    if h > 23 || mi > 59 || sec.is_some_and(|s| s > 59) {
        return None;
    }
    Some(match sec {
        Some(sec) => format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{sec:02}"),
        None => format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}"),
    })
}

/// Words that mark a 12-hour time's half of the day, and whether each is the afternoon:
/// Korean Windows writes 오전/오후 before the time, English AM/PM after it.
const DAY_HALVES: [(&str, bool); 8] = [
    ("오전", false),
    ("오후", true),
    ("a.m.", false),
    ("p.m.", true),
    ("AM", false),
    ("PM", true),
    ("am", false),
    ("pm", true),
];

/// A time's text without its half-of-day word (before or after it), and whether that word
/// says afternoon (None when it has none).
fn split_day_half(time: &str) -> (&str, Option<bool>) {
    for (word, pm) in DAY_HALVES {
        let rest = (time.strip_prefix(word)).or_else(|| time.strip_suffix(word));
        if let Some(rest) = rest {
            return (rest.trim(), Some(pm));
        }
    }
    (time, None)
}

/// Hour `h` of a 12-hour clock (`half`: afternoon or not) on a 24-hour one; None for an
/// hour a 12-hour clock does not have.
fn on_24_hours(h: u32, half: Option<bool>) -> Option<u32> {
    match half {
        None => Some(h),
        Some(_) if !(1..=12).contains(&h) => None,
        Some(pm) => Some(h % 12 + if pm { 12 } else { 0 }),
    }
}

/// The moment a spreadsheet's date serial number (days since 1899-12-30, as Excel and
/// LibreOffice count them, the fraction being the time of day) stands for, written as the
/// server reads it; None for anything but five digits with an optional fraction.
pub(super) fn serial_date(s: &str) -> Option<String> {
    let s = s.trim();
    let (days, fraction) = s.split_once('.').unwrap_or((s, ""));
    if days.len() != 5 || !all_digits(days) || !(fraction.is_empty() || all_digits(fraction)) {
        return None;
    }
    let serial: f64 = s.parse().ok()?;
    let seconds = (serial.fract() * 86_400.0).round() as u32;
    let (y, m, d) =
        civil_from_days(days.parse::<i64>().ok()? - 25_569 + i64::from(seconds / 86_400));
    let (h, mi, sec) = (seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
    Some(match sec {
        0 => format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}"),
        _ => format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{sec:02}"),
    })
}

/// `s` with the space after a dot taken out where a digit follows: Korean spreadsheets
/// write dates as `2024. 1. 5.`.
fn join_dotted(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, part) in s.split(". ").enumerate() {
        if i > 0 {
            let digit = part.starts_with(|c: char| c.is_ascii_digit());
            out.push_str(if digit { "." } else { ". " });
        }
        out.push_str(part);
    }
    out
}

/// The two numbers before the year of a slash date.
pub(super) fn slash_pair(s: &str) -> Option<(u32, u32, &str)> {
    let mut it = s.trim().splitn(3, '/');
    let a = it.next()?.parse().ok()?;
    let b = it.next()?.parse().ok()?;
    Some((a, b, it.next()?))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The English name of month `m` (1 to 12), or `?`.
pub(super) fn month_name(m: u32) -> &'static str {
    MONTHS
        .get((m as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("?")
}
