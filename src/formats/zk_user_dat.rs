//! ZKTeco `user.dat`: the clock's users, one fixed-size record each, 72 bytes (colour-screen
//! firmware) or 28 bytes (older black-and-white firmware).
//!
//! Which size a file has is told from its length and from how many records have the shape
//! of a user record; [`judge`] weighs the two, [`count_users`] streams the records.

use std::io::{self, Read};

use encoding_rs::{DecoderResult, Encoding};

use super::{next_record, Tally};
use crate::text::plural;

/// The name the clock reads users from.
pub const FILE_NAME: &str = "user.dat";

/// True when a lower-cased file name is `user.dat` or looks like a copy of one: it holds
/// "user" and ends in `.dat` or `.bak` (`user (1).dat`, `t2_user.dat`, `user.dat.bak`).
pub fn has_user_dat_copy_name(lower_name: &str) -> bool {
    lower_name.contains("user") && (lower_name.ends_with(".dat") || lower_name.ends_with(".bak"))
}

/// True when `size` bytes are a whole number of 72- or 28-byte records (and not none).
pub fn whole_records(size: u64) -> bool {
    size > 0 && (size.is_multiple_of(USER_DAT_72) || size.is_multiple_of(USER_DAT_28))
}
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

/// True when a text field holds no control byte before its first NUL (or its end).
fn printable_or_nul_field(field: &[u8]) -> bool {
    until_nul(field).iter().all(|&b| b >= 0x20 && b != 0x7f)
}

fn user_record_plausible(r: &[u8], size: usize) -> bool {
    if r.iter().all(|&b| b == 0) {
        return true; // an empty slot
    }
    r[2] <= 15 && fields_plausible(r, size)
}

/// True when a `size`-byte record's name and user ID are text (a 72-byte record's name or
/// user ID that fills its 24 bytes with no NUL is a finding of the reader, not a sign of
/// another file) and its group and pad bytes are what clocks write.
fn fields_plausible(r: &[u8], size: usize) -> bool {
    match size {
        72 => {
            printable_or_nul_field(&r[11..35]) && printable_or_nul_field(&r[48..72]) && r[39] <= 99
        }
        28 => printable_or_nul_field(&r[8..16]) && r[20] == 0,
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
        /// Share of the head's whole records with the user shape, 0 to 1: low, the
        /// records say the file is no user.dat (or damaged), not only cut off.
        share: f64,
    },
    /// Not a `user.dat`.
    No,
}

/// True when a cut-off file of `size` bytes, read as `record`-byte records, holds enough
/// whole records to judge (two) and fewer than half of them have the user shape: what is
/// wrong is more than a cut-off end (not a user.dat, or damaged).
pub fn misshapen(size: u64, record: u64, share: f64) -> bool {
    size / record >= 2 && share < 0.5
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
            let (record, share) = if judged_28 {
                (USER_DAT_28, p28)
            } else {
                (USER_DAT_72, p72)
            };
            Verdict::Truncated {
                record,
                cut: size % record,
                share,
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
                    share,
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
    tally.count("user", "users", users);
    tally.count("empty slot", "empty slots", empty);
    tally.count("disabled user", "disabled users", disabled);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Reading records into users, writing them back, and checking what the clock can hold.
// ---------------------------------------------------------------------------------------

/// What to do when names or user IDs do not decode in the encoding they were read in: the
/// page's choice and the command line's option, named alike wherever it is said.
pub const CHOOSE_CLOCK_ENCODING: &str = "If that is wrong, choose the clock's code page: Code page under user.dat on the page, --clock-encoding on the command line.";

/// The encodings a clock's names may be in, for a menu: UTF-8 (newer firmware) first,
/// then the code pages older firmware uses (Windows Western, Central and Eastern European,
/// Cyrillic, Greek, Turkish, Hebrew, Arabic, Baltic, Vietnamese, Thai; GBK, Big5,
/// CP949 and Shift_JIS).
pub const CLOCK_ENCODINGS: [&Encoding; 16] = [
    encoding_rs::UTF_8,
    encoding_rs::WINDOWS_1252,
    encoding_rs::WINDOWS_1250,
    encoding_rs::WINDOWS_1251,
    encoding_rs::WINDOWS_1253,
    encoding_rs::WINDOWS_1254,
    encoding_rs::WINDOWS_1255,
    encoding_rs::WINDOWS_1256,
    encoding_rs::WINDOWS_1257,
    encoding_rs::WINDOWS_1258,
    encoding_rs::WINDOWS_874,
    encoding_rs::GBK,
    encoding_rs::BIG5,
    encoding_rs::EUC_KR,
    encoding_rs::SHIFT_JIS,
    encoding_rs::ISO_8859_2,
];

/// The encoding a label names: a WHATWG label ("gbk", "euc-kr", "windows-1252") or a
/// Windows code page as such tools write it ("cp949", "cp936", "cp950", "cp932", "cp1252").
pub fn clock_encoding_for(label: &str) -> Option<&'static Encoding> {
    let label = label.trim();
    // The CSV's names first (cp949, cp936, cp950, cp932...), then cpNNNN as windows-NNNN.
    let windows_page = || {
        let page = label.to_ascii_lowercase();
        let number = page.strip_prefix("cp")?;
        Encoding::for_label(format!("windows-{number}").as_bytes())
    };
    (crate::text::TextEncoding::from_id(label).map(crate::text::TextEncoding::table))
        .or_else(windows_page)
        .or_else(|| Encoding::for_label(label.as_bytes()))
}

/// Decodes `bytes` in `encoding`; returns the text and how many byte sequences did not
/// decode (each shows as U+FFFD in the text, and the count says so).
pub fn decode_text(encoding: &'static Encoding, bytes: &[u8]) -> (String, usize) {
    // Most fields are ASCII, which reads the same in every ASCII-compatible encoding: one
    // word-wide check instead of a decoder's byte-wise one.
    if encoding.is_ascii_compatible() && bytes.is_ascii() {
        // SAFETY: ASCII bytes are valid UTF-8.
        return (unsafe { String::from_utf8_unchecked(bytes.to_vec()) }, 0);
    }
    // Most other fields decode whole: one allocation of their size.
    if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        return (text.into_owned(), 0);
    }
    decode_replacing(encoding, bytes)
}

/// Decodes `bytes` that do not wholly decode in `encoding`, each bad sequence as U+FFFD;
/// returns the text and how many there were.
#[cold]
fn decode_replacing(encoding: &'static Encoding, bytes: &[u8]) -> (String, usize) {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(bytes.len() * 3 + 4);
    let mut rest = bytes;
    let mut bad = 0;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut text, true);
        rest = &rest[read..];
        match result {
            DecoderResult::InputEmpty => return (text, bad),
            DecoderResult::Malformed(_, _) => {
                bad += 1;
                text.push('\u{FFFD}');
            }
            DecoderResult::OutputFull => text.reserve(rest.len() * 3 + 4),
        }
    }
}

/// The bytes of a NUL-terminated field up to its first NUL (what follows never shows).
fn until_nul(field: &[u8]) -> &[u8] {
    &field[..field.iter().position(|&b| b == 0).unwrap_or(field.len())]
}

/// A user's rank on the clock (the privilege byte without its "disabled" bit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privilege {
    /// An ordinary user (0).
    User,
    /// May enrol users (2).
    Enroller,
    /// May change settings (6).
    Admin,
    /// May do everything (14).
    SuperAdmin,
    /// A value no firmware documents, kept as read.
    Other(u8),
}

impl Privilege {
    /// The rank and the "disabled" flag held in a privilege byte.
    pub fn from_byte(byte: u8) -> (Privilege, bool) {
        let rank = match byte & !1 {
            0 => Privilege::User,
            2 => Privilege::Enroller,
            6 => Privilege::Admin,
            14 => Privilege::SuperAdmin,
            other => Privilege::Other(other),
        };
        (rank, byte & 1 == 1)
    }

    /// The privilege byte for this rank and `disabled` flag.
    pub fn to_byte(self, disabled: bool) -> u8 {
        let rank = match self {
            Privilege::User => 0,
            Privilege::Enroller => 2,
            Privilege::Admin => 6,
            Privilege::SuperAdmin => 14,
            Privilege::Other(v) => v & !1,
        };
        rank | u8::from(disabled)
    }

    /// The rank in words ("user", "enroller", "admin", "super admin").
    pub fn label(self) -> String {
        match self {
            Privilege::User => "user".into(),
            Privilege::Enroller => "enroller".into(),
            Privilege::Admin => "admin".into(),
            Privilege::SuperAdmin => "super admin".into(),
            Privilege::Other(v) => format!("unknown privilege {v}"),
        }
    }
}

/// Most password bytes a [`Secret`] holds without an allocation (a clock's hold 8 at most).
const INLINE_SECRET: usize = 16;

/// Bytes that are never shown by `Debug`: a user's password.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(SecretBytes);

/// A password's bytes: inline when they fit (zeros after `len`, so equal passwords are
/// equal values), on the heap when longer.
#[derive(Clone, PartialEq, Eq)]
enum SecretBytes {
    Inline { len: u8, bytes: [u8; INLINE_SECRET] },
    Heap(Vec<u8>),
}

impl Default for Secret {
    /// No password.
    fn default() -> Self {
        Secret::from_slice(&[])
    }
}

impl Secret {
    /// Wraps password bytes.
    pub fn new(bytes: Vec<u8>) -> Secret {
        match bytes.len() {
            0..=INLINE_SECRET => Secret::from_slice(&bytes),
            _ => Secret(SecretBytes::Heap(bytes)),
        }
    }

    /// Password bytes copied, inline when they fit.
    fn from_slice(bytes: &[u8]) -> Secret {
        let mut inline = [0; INLINE_SECRET];
        match inline.get_mut(..bytes.len()) {
            Some(start) => {
                start.copy_from_slice(bytes);
                let len = bytes.len() as u8;
                Secret(SecretBytes::Inline { len, bytes: inline })
            }
            None => Secret(SecretBytes::Heap(bytes.to_vec())),
        }
    }

    /// The password bytes; call only when the user asked to see or carry them.
    pub fn reveal(&self) -> &[u8] {
        match &self.0 {
            SecretBytes::Inline { len, bytes } => &bytes[..usize::from(*len)],
            SecretBytes::Heap(bytes) => bytes,
        }
    }

    /// True when there is no password.
    pub fn is_empty(&self) -> bool {
        self.reveal().is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({} bytes, not shown)", self.reveal().len())
    }
}

/// A text field that did not wholly decode: which field and how many byte sequences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecodable {
    /// "name" or "user ID" (the password is never decoded).
    pub field: &'static str,
    /// Where the field starts in its record (11 for a 72-byte record's name).
    pub at: usize,
    /// Byte sequences that did not decode in the chosen encoding.
    pub sequences: usize,
}

/// One user of a `user.dat`, in either record size.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    /// Internal number (1 to 65535) that the template files refer to.
    pub uid: u32,
    /// Rank on the clock.
    pub privilege: Privilege,
    /// The user may not punch.
    pub disabled: bool,
    /// Password bytes up to the first NUL (never decoded, never shown by `Debug`).
    pub password: Secret,
    /// Name, decoded up to the first NUL.
    pub name: String,
    /// Card number, 0 for none.
    pub card: u64,
    /// Group (1 for new users).
    pub group: u8,
    /// The user has own time zones rather than the group's (72-byte records only).
    pub own_time_zones: bool,
    /// Time zones 1 to 3, 0 for unused (28-byte records hold only the first).
    pub time_zones: [u16; 3],
    /// The user ID shown on the clock and written in the attendance log.
    pub user_id: String,
    /// Text fields that did not wholly decode.
    pub undecodable: Vec<Undecodable>,
    /// The record as read, so an unchanged user is written back byte for byte.
    raw: Option<RawRecord>,
}

/// A record's bytes as read (72 or 28 of them), held in the user without an allocation.
#[derive(Debug, Clone, PartialEq)]
struct RawRecord {
    bytes: [u8; USER_DAT_72 as usize],
    len: u8,
}

impl RawRecord {
    fn new(record: &[u8]) -> RawRecord {
        if let Ok(bytes) = <[u8; USER_DAT_72 as usize]>::try_from(record) {
            return RawRecord { bytes, len: 72 }; // the common size, copied whole
        }
        let mut bytes = [0; USER_DAT_72 as usize];
        let len = record.len().min(bytes.len());
        bytes[..len].copy_from_slice(&record[..len]);
        RawRecord {
            bytes,
            len: len as u8,
        }
    }

    fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl UserRecord {
    /// A new user with no password, card or time zones, in group 1.
    pub fn new(uid: u32, user_id: &str, name: &str) -> UserRecord {
        UserRecord {
            uid,
            privilege: Privilege::User,
            disabled: false,
            password: Secret::default(),
            name: name.to_string(),
            card: 0,
            group: 1,
            own_time_zones: false,
            time_zones: [0; 3],
            user_id: user_id.to_string(),
            undecodable: Vec::new(),
            raw: None,
        }
    }

    /// Decodes one record of `record.len()` bytes (72 or 28), text in `encoding`.
    pub fn decode(record: &[u8], encoding: &'static Encoding) -> UserRecord {
        let (privilege, disabled) = Privilege::from_byte(record[2]);
        let mut undecodable = Vec::new();
        let mut text = |field: &'static str, range: std::ops::Range<usize>| {
            let at = range.start;
            let (text, sequences) = decode_text(encoding, until_nul(&record[range]));
            if sequences > 0 {
                undecodable.push(Undecodable {
                    field,
                    at,
                    sequences,
                });
            }
            text
        };
        let wide = record.len() == USER_DAT_72 as usize;
        let [password, name, card, group] = if wide {
            [3..11, 11..35, 35..39, 39..40]
        } else {
            [3..8, 8..16, 16..20, 21..22]
        };
        let name = text("name", name);
        let user_id = match wide {
            true => text("user ID", 48..72),
            false => u32_at(record, 24).to_string(),
        };
        let zones = match wide {
            true => [u16_at(record, 42), u16_at(record, 44), u16_at(record, 46)],
            false => [u16_at(record, 22), 0, 0],
        };
        UserRecord {
            uid: u32::from(u16_at(record, 0)),
            privilege,
            disabled,
            password: Secret::from_slice(until_nul(&record[password])),
            name,
            card: u64::from(u32_at(record, card.start)),
            group: record[group.start],
            own_time_zones: wide && u16_at(record, 40) != 0,
            time_zones: zones,
            user_id,
            undecodable,
            raw: Some(RawRecord::new(record)),
        }
    }

    /// The record bytes as read, when this user came from a file.
    pub fn raw(&self) -> Option<&[u8]> {
        self.raw.as_ref().map(RawRecord::as_slice)
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// How to read a `user.dat`.
#[derive(Debug, Clone, Copy)]
pub struct UserReadOptions {
    /// The record size to use (72 or 28) instead of the one judged from the file.
    pub record: Option<u64>,
    /// The encoding of names and user IDs (UTF-8 unless chosen).
    pub encoding: &'static Encoding,
}

impl Default for UserReadOptions {
    /// Record size judged from the file, UTF-8 text.
    fn default() -> Self {
        UserReadOptions {
            record: None,
            encoding: encoding_rs::UTF_8,
        }
    }
}

/// A read `user.dat`: its users, the record size and why, and what could not be read.
#[derive(Debug, Clone)]
pub struct UserFile {
    /// The record size read: [`USER_DAT_72`] or [`USER_DAT_28`].
    pub record: u64,
    /// Why that record size, in words.
    pub why: String,
    /// The users in file order (empty slots left out).
    pub users: Vec<UserRecord>,
    /// All-zero records and records with uid 0.
    pub empty_slots: u64,
    /// What is wrong with the file, each with its byte position.
    pub problems: Vec<String>,
    /// Why what is read are not a clock's user records (most records do not look like
    /// them, or the record size chosen does not fit the length); None when they are.
    pub not_user_records: Option<String>,
    /// The encoding the text was read in.
    pub encoding: &'static Encoding,
    /// Empty slots as read, with their record index, so the file is written back whole.
    empty: Vec<(usize, Vec<u8>)>,
}

/// Why `record`-byte records were read, chosen by the user: with the share of records
/// that have the user shape, and the other size to try when few have it and more do
/// there, as the size judged from the file is explained.
fn forced_why(bytes: &[u8], record: u64) -> String {
    let pct = |share: f64| (share * 100.0).round();
    let share = user_dat_plausibility(bytes, record as usize);
    let other = USER_DAT_72 + USER_DAT_28 - record;
    let other_share = user_dat_plausibility(bytes, other as usize);
    let chosen = format!("{record}-byte records, chosen by you");
    if bytes.is_empty() || share >= 0.9 {
        return format!(
            "{chosen}; {}% of the records have the user shape",
            pct(share)
        );
    }
    let try_other = match other_share > share {
        true => format!(
            " ({}% as {other}-byte ones): try {other}-byte records, or let the size be judged from the file",
            pct(other_share)
        ),
        false => ": the file may be damaged or not a user.dat".to_string(),
    };
    format!(
        "{chosen}, but only {}% of the records have the user shape as {record}-byte records{try_other}",
        pct(share)
    )
}

/// The record size for a file of these bytes, and why, in words.
fn choose_record(bytes: &[u8], len: u64, forced: Option<u64>) -> (u64, String) {
    match forced {
        Some(record @ (USER_DAT_72 | USER_DAT_28)) => return (record, forced_why(bytes, record)),
        Some(other) => {
            let (record, why) = choose_record(bytes, len, None);
            let why = format!(
                "{other} is not a user.dat record size (72 or 28), so it was judged: {why}"
            );
            return (record, why);
        }
        None => {}
    }
    if len == 0 {
        return (
            USER_DAT_72,
            "the file is empty; 72-byte records assumed".into(),
        );
    }
    let pct = |share: f64| (share * 100.0).round();
    match judge(len, bytes, true) {
        Verdict::Fits { record, share, both_sizes_fit: true } => (record, format!(
            "the length ({len} bytes) divides by both 72 and 28; {}% of the records have the shape of {record}-byte user records",
            pct(share)
        )),
        Verdict::Fits { record, share, .. } => (record, format!(
            "the length ({len} bytes) divides by {record} only, and {}% of the records have the user shape",
            pct(share)
        )),
        Verdict::Misshapen { record, share } => (record, format!(
            "the length ({len} bytes) divides by {record}, but only {}% of the records have the user shape: the file may be damaged or not a user.dat",
            pct(share)
        )),
        Verdict::Truncated { record, share, .. } if misshapen(len, record, share) => (record, format!(
            "the length ({len} bytes) divides by neither 72 nor 28, and only {}% of its whole {record}-byte records have the user shape: the file is not a user.dat, or it is damaged",
            pct(share)
        )),
        Verdict::Truncated { record, cut, .. } => (record, format!(
            "the length ({len} bytes) divides by neither 72 nor 28; read as {record}-byte records, the last {cut} bytes are cut off"
        )),
        Verdict::No => (USER_DAT_72, "nothing in the file says which record size: 72 assumed".into()),
    }
}

/// Most records read from a `user.dat`: uids run to 65,535, so a clock holds no more.
pub const MAX_RECORDS: usize = 65_536;

/// Most bytes of a `user.dat` any reading uses: [`MAX_RECORDS`] records of 72 bytes. A
/// longer file need not be read past them ([`read_users_head`]).
pub const MAX_READ: u64 = MAX_RECORDS as u64 * USER_DAT_72;

/// Reads a whole `user.dat` into users: at most [`MAX_RECORDS`] records (a few MB); the
/// rest of a longer file is reported, not read.
pub fn read_users(bytes: &[u8], opts: &UserReadOptions) -> UserFile {
    read_users_head(bytes, bytes.len() as u64, opts)
}

/// [`read_users`] of a file of `len` bytes given its first bytes, `head` (all of them,
/// or at least [`MAX_READ`]): a file too long for a clock is never read whole.
pub fn read_users_head(head: &[u8], len: u64, opts: &UserReadOptions) -> UserFile {
    let (record, why) = choose_record(head, len, opts.record);
    let size = record as usize;
    let whole = head.len().min(MAX_RECORDS * size);
    let bytes = &head[..whole];
    let mut file = UserFile {
        record,
        why,
        users: Vec::with_capacity(whole / size),
        empty_slots: 0,
        problems: Vec::new(),
        not_user_records: None,
        encoding: opts.encoding,
        empty: Vec::new(),
    };
    let mut odd = Oddities::default();
    let mut chunks = bytes.chunks_exact(size);
    for (index, chunk) in chunks.by_ref().enumerate() {
        if u16_at(chunk, 0) == 0 {
            // An all-zero record or one with uid 0.
            file.empty_slots += 1;
            file.empty.push((index, chunk.to_vec()));
            continue;
        }
        let user = UserRecord::decode(chunk, opts.encoding);
        odd.add(chunk, &user);
        for bad in &user.undecodable {
            file.problems.push(format!(
                "Byte {} (record {}, uid {}): {} of the {} did not decode as {}, shown as \u{FFFD}. {CHOOSE_CLOCK_ENCODING}",
                index * size + bad.at,
                index + 1,
                user.uid,
                plural(bad.sequences as u64, "byte sequence", "byte sequences"),
                bad.field,
                opts.encoding.name()
            ));
        }
        file.problems.extend(unterminated(chunk, index, user.uid));
        file.users.push(user);
    }
    if (whole as u64) < len {
        file.problems.push(format!(
            "Byte {whole}: more than {MAX_RECORDS} records, more than a clock holds; the remaining {} bytes are not read.",
            len - whole as u64
        ));
    }
    let cut = chunks.remainder().len();
    let misread = other_size_fits(len, opts.record);
    if cut > 0 && misread.is_none() {
        file.problems.push(format!(
            "Byte {}: the last record is cut off ({cut} of {size} bytes); it is not read. Copy user.dat from the clock again.",
            whole - cut
        ));
    }
    file.not_user_records = misread.or_else(|| odd.verdict(record));
    file
}

/// The file-level problem when the record size chosen (`forced`) does not divide a
/// file's length `len` but the other size does: what is read are not its users (the
/// page and the command line say this alike).
fn other_size_fits(len: u64, forced: Option<u64>) -> Option<String> {
    let record = forced.filter(|r| [USER_DAT_72, USER_DAT_28].contains(r))?;
    let other = USER_DAT_72 + USER_DAT_28 - record;
    (!len.is_multiple_of(record) && len.is_multiple_of(other)).then(|| {
        format!(
            "This does not look like a user.dat of {record}-byte records: its length ({len} bytes) divides by {other}, not by {record}, so what is read as {record}-byte users are not its users. Try the other record size ({other} bytes), or let the size be judged from the file."
        )
    })
}

/// Problems of the 72-byte record at `index` whose name or user ID fills its 24 bytes
/// with no NUL after it: clocks write at most 23 bytes and a NUL there.
fn unterminated(record: &[u8], index: usize, uid: u32) -> impl Iterator<Item = String> + '_ {
    let fields = [("name", 11..35), ("user ID", 48..72)];
    let wide = record.len() == USER_DAT_72 as usize;
    (fields.into_iter())
        .filter(move |(_, range)| wide && !record[range.clone()].contains(&0))
        .map(move |(what, range)| {
            format!(
                "Byte {} (record {}, uid {uid}): the {what} fills all 24 bytes with no NUL after it; clocks write at most 23 bytes and a NUL, so the clock may show it cut or run into the next field. Check this user on the clock.",
                index * record.len() + range.start,
                index + 1
            )
        })
}

/// Records that must look wrong before a file is called no user.dat (one odd user of
/// two is no verdict on a file).
const MIN_ODD: u64 = 3;

/// Users read whose records do not look like a clock's, counted by why.
#[derive(Debug, Default)]
struct Oddities {
    /// Records read as users (empty slots aside).
    users: u64,
    /// Records with a privilege no firmware writes.
    privilege: u64,
    /// Records with bytes no clock writes in the name, user ID or group.
    fields: u64,
    /// Records with either.
    odd: u64,
}

impl Oddities {
    /// Counts the user read from `record`.
    fn add(&mut self, record: &[u8], user: &UserRecord) {
        let privilege = matches!(user.privilege, Privilege::Other(_));
        let fields = !fields_plausible(record, record.len());
        self.users += 1;
        self.privilege += u64::from(privilege);
        self.fields += u64::from(fields);
        self.odd += u64::from(privilege || fields);
    }

    /// The file-level problem when most users read from `record`-byte records are odd.
    fn verdict(&self, record: u64) -> Option<String> {
        let fields = match record {
            28 => "control bytes in the name, or a byte 20 that is not 0",
            _ => "control bytes in the name or user ID, or a group above 99",
        };
        (self.odd >= MIN_ODD && self.odd * 2 > self.users).then(|| {
            format!(
                "This does not look like a user.dat from a clock: {} of {} records read as {record}-byte users are not user records ({} with an unknown privilege, {} with {fields}). Check that this is the user.dat the clock wrote (USB Manager > Download > user data); if it is, try the other record size, or download it from the clock again.",
                self.odd, self.users, self.privilege, self.fields
            )
        })
    }
}

impl UserFile {
    /// The file's bytes: users and empty slots in their places (unchanged users byte for
    /// byte); refused with the findings when a user does not fit.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Vec<UserFinding>> {
        let findings = check_users(&self.users, self.record, self.encoding);
        if any_refusal(&findings) {
            return Err(findings);
        }
        let size = self.record as usize;
        let total = self.users.len() + self.empty.len();
        let mut out = Vec::with_capacity(total * size);
        let (mut users, mut empty) = (self.users.iter(), self.empty.iter().peekable());
        for index in 0..total {
            match empty.next_if(|(at, _)| *at == index) {
                Some((_, raw)) => out.extend_from_slice(raw),
                None => match users.next() {
                    Some(user) => out.extend(encode_user(user, self.record, self.encoding)),
                    None => out.extend_from_slice(empty.next().map_or(&[][..], |e| &e.1[..])),
                },
            }
        }
        Ok(out)
    }
}

/// Writes `users` as a `user.dat` of `record`-byte records (72 or 28), text in
/// `encoding`; refused with the findings of [`check_users`] when any user does not fit.
pub fn write_users(
    users: &[UserRecord],
    record: u64,
    encoding: &'static Encoding,
) -> Result<Vec<u8>, Vec<UserFinding>> {
    let findings = check_users(users, record, encoding);
    if any_refusal(&findings) {
        return Err(findings);
    }
    Ok(users
        .iter()
        .flat_map(|u| encode_user(u, record, encoding))
        .collect())
}

/// Writes `text` NUL-padded into `field`; the caller has checked that it fits.
fn put_text(field: &mut [u8], text: &[u8]) {
    field.fill(0);
    field[..text.len()].copy_from_slice(text);
}

/// One record for `user`: its bytes as read, with only the fields that changed rewritten.
fn encode_user(user: &UserRecord, record: u64, encoding: &'static Encoding) -> Vec<u8> {
    let size = record as usize;
    let (mut buf, was) = match user.raw() {
        Some(raw) if raw.len() == size => (raw.to_vec(), UserRecord::decode(raw, encoding)),
        _ => (
            vec![0u8; size],
            UserRecord::decode(&vec![0u8; size], encoding),
        ),
    };
    let uid = user.uid as u16;
    buf[0..2].copy_from_slice(&uid.to_le_bytes());
    if (user.privilege, user.disabled) != (was.privilege, was.disabled) {
        buf[2] = user.privilege.to_byte(user.disabled);
    }
    let enc = |s: &str| encoding.encode(s).0.into_owned();
    let [password, name, card, group] = if size == USER_DAT_72 as usize {
        [3..11, 11..35, 35..39, 39..40]
    } else {
        [3..8, 8..16, 16..20, 21..22]
    };
    if user.password != was.password {
        put_text(&mut buf[password], user.password.reveal());
    }
    if user.name != was.name {
        put_text(&mut buf[name], &enc(&user.name));
    }
    if user.card != was.card {
        buf[card].copy_from_slice(&(user.card as u32).to_le_bytes());
    }
    buf[group][0] = user.group;
    if size == USER_DAT_72 as usize {
        if user.own_time_zones != was.own_time_zones {
            buf[40..42].copy_from_slice(&u16::from(user.own_time_zones).to_le_bytes());
        }
        for (i, tz) in user.time_zones.iter().enumerate() {
            buf[42 + 2 * i..44 + 2 * i].copy_from_slice(&tz.to_le_bytes());
        }
        if user.user_id != was.user_id {
            put_text(&mut buf[48..72], &enc(&user.user_id));
        }
    } else {
        buf[22..24].copy_from_slice(&user.time_zones[0].to_le_bytes());
        let id: u32 = user.user_id.trim().parse().unwrap_or(0);
        buf[24..28].copy_from_slice(&id.to_le_bytes());
    }
    buf
}

/// What the clock cannot hold of one user: every reason, so it can be fixed at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFinding {
    /// Position of the user in the list checked (0-based).
    pub index: usize,
    /// The user's uid.
    pub uid: u32,
    /// The user's ID.
    pub user_id: String,
    /// Each thing that does not fit, in words.
    pub reasons: Vec<String>,
    /// What the file as read already holds (a user ID, card or uid two of its users
    /// share, neither changed): written back as the clock has it, but said.
    pub held: Vec<String>,
}

/// Bytes `text` takes in `encoding`, or None when a character has no form in it.
pub fn encoded_len(text: &str, encoding: &'static Encoding) -> Option<usize> {
    let (bytes, _, unmappable) = encoding.encode(text);
    (!unmappable).then_some(bytes.len())
}

/// Reasons one text field does not fit `max` bytes in `encoding`.
fn text_reasons(what: &str, text: &str, max: usize, encoding: &'static Encoding) -> Option<String> {
    if text.contains('\0') {
        return Some(format!(
            "the {what} {text:?} holds a NUL character, which would end it early on the clock"
        ));
    }
    if text.contains(char::is_control) {
        return Some(format!(
            "the {what} {text:?} holds a control character (a tab or line break), which the clock cannot show; remove it"
        ));
    }
    if text.contains(char::REPLACEMENT_CHARACTER) {
        return Some(format!(
            "the {what} \"{text}\" holds \u{FFFD}, a character that did not decode in the file it came from; it would be written to the clock as that replacement character. Read the file it came from in its right code page, or fix the {what} there"
        ));
    }
    match encoded_len(text, encoding) {
        None => Some(format!(
            "the {what} \"{text}\" has characters {} cannot write",
            encoding.name()
        )),
        Some(n) if n > max => Some(format!(
            "the {what} \"{text}\" takes {n} bytes in {}; the clock holds {max}",
            encoding.name()
        )),
        Some(_) => None,
    }
}

/// Reasons a single user does not fit `record`-byte records (duplicates aside).
fn user_reasons(
    user: &UserRecord,
    (record, encoding): (u64, &'static Encoding),
    was: Option<&UserRecord>,
) -> Vec<String> {
    if record != USER_DAT_72 && record != USER_DAT_28 {
        return vec![format!("{record} is not a user.dat record size (72 or 28)")];
    }
    let wide = record == USER_DAT_72;
    let mut reasons = Vec::new();
    if !(1..=65535).contains(&user.uid) {
        reasons.push(format!("uid {} is outside 1 to 65535", user.uid));
    }
    // Fields as read are written back as read, so only changed text is checked.
    let changed = |now: &str, then: fn(&UserRecord) -> &str| was.is_none_or(|w| then(w) != now);
    let (name_max, password_max) = if wide { (23, 8) } else { (8, 5) };
    if changed(&user.name, |w| &w.name) {
        reasons.extend(text_reasons("name", &user.name, name_max, encoding));
    }
    if user.password.reveal().len() > password_max {
        reasons.push(format!("the password is longer than {password_max} bytes"));
    }
    if user.card > u64::from(u32::MAX) {
        reasons.push(format!("card {} is above 4294967295", user.card));
    }
    if wide && changed(&user.user_id, |w| &w.user_id) {
        reasons.extend(text_reasons("user ID", &user.user_id, 23, encoding));
    } else if !wide {
        reasons.extend(narrow_id_reason(&user.user_id));
    }
    if !wide && (user.own_time_zones || user.time_zones[1..].iter().any(|&t| t != 0)) {
        reasons.push("28-byte records hold one time zone only".into());
    }
    reasons
}

/// Why a 28-byte record cannot hold user ID `id` as it is (it holds a number), if it cannot.
fn narrow_id_reason(id: &str) -> Option<String> {
    let id = id.trim();
    match id.parse::<u32>() {
        Err(_) => Some(format!(
            "the user ID \"{id}\" is not a number up to 4294967295, which 28-byte records need"
        )),
        Ok(n) if n.to_string() != id => Some(format!(
            "the user ID \"{id}\" would be written as {n}: 28-byte records hold a number, without leading zeros or a sign"
        )),
        Ok(_) => None,
    }
}

/// The user as its record was read, when it was read in `record`-byte records.
fn as_read(user: &UserRecord, record: u64, encoding: &'static Encoding) -> Option<UserRecord> {
    let raw = user.raw().filter(|raw| raw.len() as u64 == record)?;
    Some(UserRecord::decode(raw, encoding))
}

/// A field two users must not share: how it is named, its value for a user (None: no
/// value, as card 0), how the other user is named, and why.
struct Unique {
    what: &'static str,
    key: fn(&UserRecord) -> Option<String>,
    other: fn(&UserRecord, usize) -> String,
    each: &'static str,
}

/// The fields no two users may share.
const UNIQUE: [Unique; 3] = [
    Unique {
        what: "uid",
        key: |u| Some(u.uid.to_string()),
        other: user_called,
        each: "each user needs a uid of their own",
    },
    Unique {
        what: "user ID",
        key: |u| Some(format!("\"{}\"", u.user_id.trim())),
        other: |u, _| format!("the user with uid {}", u.uid),
        each: "each user needs a user ID of their own",
    },
    Unique {
        what: "card",
        key: |u| (u.card != 0).then(|| u.card.to_string()),
        other: |u, _| format!("the user with uid {} (user ID \"{}\")", u.uid, u.user_id),
        each: "a card opens the clock for one user only",
    },
];

/// How a message names `user` (at `index`): by user ID ("user 005"), or by position
/// when it has none.
fn user_called(user: &UserRecord, index: usize) -> String {
    match user.user_id.trim() {
        "" => format!("user number {} (who has no user ID)", index + 1),
        id => format!("user {id}"),
    }
}

/// Adds to `finding` the fields its user shares with an earlier user of `users`: in
/// `held` when neither changed them since the file was read (the clock holds them so),
/// else in `reasons`.
fn shared_fields(
    users: &[UserRecord],
    read: &[Option<UserRecord>],
    seen: &mut [std::collections::HashMap<String, usize>; 3],
    finding: &mut UserFinding,
) {
    let index = finding.index;
    for (unique, seen) in UNIQUE.iter().zip(seen.iter_mut()) {
        let Some(value) = (unique.key)(&users[index]) else {
            continue;
        };
        let first = *seen.entry(value.clone()).or_insert(index);
        if first == index {
            continue;
        }
        let as_read = |i: usize| read[i].as_ref().and_then(unique.key) == (unique.key)(&users[i]);
        let other = (unique.other)(&users[first], first);
        match as_read(index) && as_read(first) {
            true => finding.held.push(format!(
                "{} {value} is also that of {other}, in the user.dat as read: the clock holds both, and they are written back as they are. Remove or renumber one of them on the clock (User Mgt), then download user.dat again",
                unique.what
            )),
            false => finding.reasons.push(format!(
                "{} {value} is also that of {other}; {}",
                unique.what, unique.each
            )),
        }
    }
}

/// One finding per user that `record`-byte records (72 or 28) in `encoding` cannot hold:
/// fields too long, IDs and cards out of range, uids, user IDs and cards two users share
/// (those the file as read holds in `held`, which does not stop a write).
pub fn check_users(
    users: &[UserRecord],
    record: u64,
    encoding: &'static Encoding,
) -> Vec<UserFinding> {
    let read: Vec<Option<UserRecord>> = (users.iter())
        .map(|u| as_read(u, record, encoding))
        .collect();
    let mut seen = Default::default();
    let mut findings = Vec::new();
    for (index, user) in users.iter().enumerate() {
        let mut finding = UserFinding {
            index,
            uid: user.uid,
            user_id: user.user_id.clone(),
            reasons: user_reasons(user, (record, encoding), read[index].as_ref()),
            held: Vec::new(),
        };
        shared_fields(users, &read, &mut seen, &mut finding);
        if !finding.reasons.is_empty() || !finding.held.is_empty() {
            findings.push(finding);
        }
    }
    findings
}

/// True when any of `findings` stops a write (the file's own duplicates do not).
pub fn any_refusal(findings: &[UserFinding]) -> bool {
    findings.iter().any(|f| !f.reasons.is_empty())
}

#[cfg(test)]
mod tests;
