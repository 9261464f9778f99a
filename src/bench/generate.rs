//! Deterministic, realistic benchmark inputs (one random-number generator for the bench,
//! the examples and the tests): BioStar user CSVs, attendance logs, data files, and the
//! pathological shapes a reader must survive (one huge line, one huge cell).

use std::fmt::Write as _;
use std::io::Write;

use crate::calendar::civil_from_days;
use crate::formats::zk_user_dat::MAX_RECORDS;

/// A small deterministic generator (xorshift), so inputs are the same in every runtime.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits (an endless stream, so not an `Iterator`).
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A number below `n`, as an index (0 when `n` is 0).
    pub fn below_usize(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Up to `most` random bytes (a random length below `most`), for no-panic tests.
    pub fn bytes(&mut self, most: usize) -> Vec<u8> {
        let len = self.below_usize(most);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

const SURNAMES: [&str; 10] = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"];
const SYLLABLES: [&str; 16] = [
    "민", "서", "준", "지", "현", "우", "수", "영", "하", "은", "도", "연", "철", "희", "진", "호",
];
const GIVEN: [&str; 10] = [
    "Ann", "José", "Li", "Zoë", "James", "Maria", "Wei", "Aisha", "Lucas", "Sofia",
];
const FAMILY: [&str; 10] = [
    "Smith", "García", "Nguyen", "Müller", "Chen", "Khan", "Rossi", "Brown", "Silva", "Kowalski",
];
const DEPARTMENTS: [&str; 8] = [
    "인사",
    "IT",
    "Finance, Tax",
    "연구개발",
    "Security",
    "Sales \"East\"",
    "생산관리팀",
    "R&D",
];
const TITLES: [&str; 6] = ["Engineer", "과장", "Manager", "대리", "Technician", "사원"];
const GROUPS: [&str; 4] = ["All Users", "본사", "Factory 2", "Visitors"];

/// The columns of [`generate_users_csv`], as a BioStar X server with mobile cards, one
/// Wiegand format and face images exports them.
const USER_COLUMNS: &str = "user_id,name,department,user_title,phone,email,user_group,\
start_datetime,expiry_datetime,csn,mobile_start_datetime,mobile_expiry_datetime,csn_mobile,\
26 bit SIA Standard-H10301,face_image_file1,pin";

/// A realistic BioStar user CSV of about `target` bytes (about 140 bytes a user: 500,000
/// users make about 70 MB), CRLF: Korean and Latin names, quoted departments, cards, some
/// emails missing, some mobile cards and face images, and about 2.5% of rows with errors
/// of several kinds
/// (impossible, late and month-first dates, duplicate IDs, names over 48 characters, short
/// PINs, hexadecimal cards).
pub fn generate_users_csv(target: usize) -> Vec<u8> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::with_capacity(target + 256);
    out.extend_from_slice(USER_COLUMNS.as_bytes());
    out.extend_from_slice(b"\r\n");
    let mut id = 1u64;
    let mut name = String::new();
    while out.len() < target {
        // One row in 40 carries an error; which one is picked below.
        let error = if rng.below(40) == 0 {
            rng.below(7)
        } else {
            u64::MAX
        };
        name.clear();
        if rng.below(3) < 2 {
            name.push_str(SURNAMES[rng.below(10) as usize]);
            for _ in 0..2 {
                name.push_str(SYLLABLES[rng.below(16) as usize]);
            }
        } else {
            name.push_str(GIVEN[rng.below(10) as usize]);
            name.push(' ');
            name.push_str(FAMILY[rng.below(10) as usize]);
        }
        if error == 3 {
            while name.chars().count() <= 48 {
                name.push_str(" Long");
            }
        }
        let dept = DEPARTMENTS[rng.below(8) as usize];
        let dept = if dept.contains([',', '"']) {
            format!("\"{}\"", dept.replace('"', "\"\""))
        } else {
            dept.to_string()
        };
        let user_id = if error == 1 && id > 1 { id - 1 } else { id };
        let year = 2020 + rng.below(6);
        let expiry = match error {
            0 => "2030-02-30 23:59".to_string(),
            2 => "12/31/2030 23:59".to_string(),
            4 => "2040-12-31 23:59".to_string(),
            _ => format!("{}-12-31 23:59", 2028 + rng.below(3)),
        };
        // Cards are unique per user (random ones would collide by the birthday effect):
        // an odd multiplier is a bijection modulo a power of two.
        let csn = 10_000_000 + (id.wrapping_mul(0x9E37_79B1) & ((1 << 26) - 1));
        let mobile = rng.below(30) == 0;
        let (mobile_start, mobile_expiry, csn_mobile) = if mobile {
            (
                format!("{year}-03-01 00:00"),
                "2030-12-31 23:59".to_string(),
                (100_000_000 + rng.below(900_000_000)).to_string(),
            )
        } else {
            (String::new(), String::new(), String::new())
        };
        let wiegand = id.wrapping_mul(0x0005_DEEC_E66D) & ((1 << 24) - 1);
        let wiegand = if error == 6 {
            format!("0x{wiegand:06X}")
        } else {
            wiegand.to_string()
        };
        let face = if rng.below(10) < 2 {
            format!("u{id}.jpg")
        } else {
            String::new()
        };
        let email = if rng.below(5) == 0 {
            String::new()
        } else {
            format!("user{id}@example.com")
        };
        let pin = if error == 5 {
            "12".to_string()
        } else {
            (1000 + rng.below(9000)).to_string()
        };
        let _ = write!(
            out,
            "{user_id},{name},{dept},{},010-{:04}-{:04},{email},{},\
             {year}-{:02}-{:02} 09:00,{expiry},{csn},{mobile_start},{mobile_expiry},{csn_mobile},\
             {wiegand},{face},{pin}\r\n",
            TITLES[rng.below(6) as usize],
            rng.below(10000),
            rng.below(10000),
            GROUPS[rng.below(4) as usize],
            1 + rng.below(12),
            1 + rng.below(28),
        );
        id += 1;
    }
    out
}

/// An attendance log of about `target` bytes, CRLF, IDs right-aligned to 9.
pub fn generate_attlog(target: usize) -> Vec<u8> {
    let mut rng = Rng(42);
    let mut out = Vec::with_capacity(target + 64);
    while out.len() < target {
        let _ = write!(
            out,
            "{:>9}\t2024-{:02}-{:02} {:02}:{:02}:{:02}\t1\t{}\t{}\t0\r\n",
            1 + rng.below(5000),
            1 + rng.below(12),
            1 + rng.below(28),
            rng.below(24),
            rng.below(60),
            rng.below(60),
            rng.below(6),
            [0, 1, 2, 15][rng.below(4) as usize],
        );
    }
    out
}

/// A BioStar-like data file of about `target` compressed bytes: a gzip-compressed tar
/// whose entries sit under a `BioStarX_20250102_030405/` folder (so a repackage for a
/// device renames every one): encrypted-looking records (random, incompressible), JPEG face
/// photos (a JPEG header, then random bytes) and user tables (compressible CSV).
pub fn generate_data_file(target: usize) -> Vec<u8> {
    data_file_counted(target).0
}

/// [`generate_data_file`] and the number of tar entries it holds (the folder included).
pub(crate) fn data_file_counted(target: usize) -> (Vec<u8>, u64) {
    const DIR: &str = "BioStarX_20250102_030405";
    let mut rng = Rng(7);
    // Compressed as it is built: only the compressed file is ever held whole.
    let gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(target + 128 * 1024),
        flate2::Compression::fast(),
    );
    let mut builder = tar::Builder::new(gz);
    let mut dir = tar::Header::new_ustar();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o755);
    dir.set_size(0);
    dir.set_mtime(1_735_787_045);
    dir.set_cksum();
    if builder
        .append_data(&mut dir, format!("{DIR}/"), std::io::empty())
        .is_err()
    {
        return (Vec::new(), 0);
    }
    let mut entries = 1u64;
    let mut n = 0u32;
    let mut data = Vec::new();
    while builder.get_ref().get_ref().len() < target {
        let (path, len) = match n % 8 {
            0 | 4 => (
                format!("{DIR}/user/users_{n:06}.csv"),
                20_000 + rng.below_usize(60_000),
            ),
            1 | 5 => (
                format!("{DIR}/photo/{n:06}.jpg"),
                10_000 + rng.below_usize(30_000),
            ),
            _ => (
                format!("{DIR}/data/{n:06}.bin"),
                20_000 + rng.below_usize(60_000),
            ),
        };
        data.clear();
        match n % 8 {
            0 | 4 => data.extend_from_slice(&generate_users_csv(len)),
            1 | 5 => {
                data.extend_from_slice(
                    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
                );
                random_bytes(&mut rng, &mut data, len);
            }
            _ => random_bytes(&mut rng, &mut data, len),
        }
        let mut header = tar::Header::new_ustar();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_735_787_045);
        header.set_cksum();
        if builder
            .append_data(&mut header, path, data.as_slice())
            .is_err()
        {
            break;
        }
        entries += 1;
        n += 1;
    }
    let bytes = builder
        .into_inner()
        .and_then(|gz| gz.finish())
        .unwrap_or_default();
    (bytes, entries)
}

/// Appends random bytes to `out` until it holds `len` bytes.
fn random_bytes(rng: &mut Rng, out: &mut Vec<u8>, len: usize) {
    while out.len() < len {
        let word = rng.next().to_le_bytes();
        let take = (len - out.len()).min(8);
        out.extend_from_slice(&word[..take]);
    }
}

pub(crate) const HAN_SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵"];
const HAN_GIVEN: [&str; 12] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
];

/// A ZKTeco `user.dat` of 72-byte records (colour-screen firmware), about `target` bytes
/// but never more than [`MAX_RECORDS`] records: the uid is 16 bits, so a clock holds at
/// most 65,535 users (4.7 MB) and `read_users` reads no more. Names in UTF-8 (Korean,
/// Chinese, Latin, a few blank), most users with a card, a quarter with a PIN, a few
/// admins, disabled users, other groups and own time zones, user IDs mostly the uid (some
/// with leading zeros or letters), and about one slot in 50 empty (a deleted user).
pub fn generate_user_dat(target: usize) -> Vec<u8> {
    user_dat_counted(target).0
}

/// [`generate_user_dat`] and the number of users it holds (empty slots left out).
pub(crate) fn user_dat_counted(target: usize) -> (Vec<u8>, u64) {
    let mut rng = Rng(0x0072_0072_5eed);
    let slots = target.div_ceil(72).clamp(1, MAX_RECORDS);
    let mut out = Vec::with_capacity(slots * 72);
    let mut users = 0u64;
    let mut text = String::new();
    for slot in 0..slots {
        let mut r = [0u8; 72];
        let uid = slot + 1;
        if uid > usize::from(u16::MAX) || rng.below(50) == 0 {
            out.extend_from_slice(&r);
            continue;
        }
        r[..2].copy_from_slice(&(uid as u16).to_le_bytes());
        let rank = match rng.below(1000) {
            0..=1 => 14,
            2..=4 => 6,
            5..=9 => 2,
            _ => 0,
        };
        r[2] = rank | u8::from(rng.below(300) == 0);
        if rng.below(4) == 0 {
            let digits = 4 + rng.below_usize(5);
            for b in &mut r[3..3 + digits] {
                *b = b'0' + rng.below(10) as u8;
            }
        }
        text.clear();
        match rng.below(20) {
            0..=10 => {
                text.push_str(SURNAMES[rng.below_usize(10)]);
                for _ in 0..2 {
                    text.push_str(SYLLABLES[rng.below_usize(16)]);
                }
            }
            11..=13 => {
                text.push_str(HAN_SURNAMES[rng.below_usize(8)]);
                for _ in 0..1 + rng.below(2) {
                    text.push_str(HAN_GIVEN[rng.below_usize(12)]);
                }
            }
            14..=18 => {
                text.push_str(GIVEN[rng.below_usize(10)]);
                text.push(' ');
                text.push_str(FAMILY[rng.below_usize(10)]);
            }
            _ => {}
        }
        put_text(&mut r[11..35], &text);
        if rng.below(10) < 7 {
            let card = 1_000_000 + (uid as u32).wrapping_mul(0x9E37_79B1) % 4_000_000_000;
            r[35..39].copy_from_slice(&card.to_le_bytes());
        }
        r[39] = if rng.below(20) == 0 {
            2 + rng.below(4) as u8
        } else {
            1
        };
        if rng.below(33) == 0 {
            r[40..42].copy_from_slice(&1u16.to_le_bytes());
            r[42..44].copy_from_slice(&1u16.to_le_bytes());
            r[44..46].copy_from_slice(&2u16.to_le_bytes());
        }
        text.clear();
        let _ = match rng.below(50) {
            0 => write!(text, "V{uid}"),
            1..=2 => write!(text, "{uid:06}"),
            _ => write!(text, "{uid}"),
        };
        put_text(&mut r[48..72], &text);
        out.extend_from_slice(&r);
        users += 1;
    }
    (out, users)
}

/// `text` into a NUL-padded field, cut at a character so one NUL always ends it.
fn put_text(field: &mut [u8], text: &str) {
    let mut end = text.len().min(field.len() - 1);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    field[..end].copy_from_slice(&text.as_bytes()[..end]);
}

/// What [`attlog_counted`] generated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct AttlogCounts {
    /// Lines written.
    pub lines: u64,
    /// Punch lines (duplicates included).
    pub punches: u64,
    /// Damaged lines.
    pub damaged: u64,
    /// Punch lines that repeat the one before exactly.
    pub duplicates: u64,
}

/// A realistic attendance log of about `target` bytes (about 40 bytes a line: 200 MB is
/// about 5,000,000 punches), CRLF, in time order from 2023-01-01, as colour-screen clocks
/// print it: user IDs right-aligned to 9 (3,000 users of 1 to 4 digits, a few of 10
/// digits wider than the column), device 1, check-in/out and break statuses, finger, face
/// and card verify codes; one line in 1,000 repeats the line before exactly (a duplicate),
/// and one in 50,000 is damaged (a NUL hole, a line cut off, erased flash, a date that
/// does not exist).
pub fn generate_attlog_lines(target: usize) -> Vec<u8> {
    attlog_counted(target).0
}

/// [`generate_attlog_lines`] and what it holds.
pub(crate) fn attlog_counted(target: usize) -> (Vec<u8>, AttlogCounts) {
    let mut rng = Rng(0xa771_0600);
    let mut out = Vec::with_capacity(target + 128);
    let mut counts = AttlogCounts::default();
    let mut seconds: i64 = 19_358 * 86_400; // 2023-01-01 00:00:00
    let mut previous: Vec<u8> = Vec::new();
    while out.len() < target {
        counts.lines += 1;
        if counts.lines % 50_000 == 137 {
            counts.damaged += 1;
            match (counts.lines / 50_000) % 4 {
                0 => {
                    out.extend_from_slice(&[0u8; 40]);
                    out.extend_from_slice(b"\r\n");
                }
                1 => out.extend_from_slice(b"     1234\t2023-03-0\r\n"),
                2 => out.extend_from_slice(b"ZZZZZZZZZ\t2023-05-05 05:05:05\t1\t0\t1\t0\r\n"),
                _ => out.extend_from_slice(b"       77\t2023-02-30 08:00:00\t1\t0\t1\t0\r\n"),
            }
            continue;
        }
        counts.punches += 1;
        if !previous.is_empty() && rng.below(1000) == 0 {
            counts.duplicates += 1;
            out.extend_from_slice(&previous);
            continue;
        }
        seconds += 1 + rng.below(12) as i64;
        let (y, mo, d) = civil_from_days(seconds.div_euclid(86_400));
        let s = seconds.rem_euclid(86_400);
        let id = if rng.below(100) < 3 {
            1_000_000_000 + rng.below(50)
        } else {
            1 + rng.below(3000)
        };
        let start = out.len();
        let _ = write!(
            out,
            "{id:>9}\t{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}\t1\t{}\t{}\t0\r\n",
            s / 3600,
            s / 60 % 60,
            s % 60,
            [0, 1, 0, 1, 0, 1, 4, 5][rng.below_usize(8)],
            [1, 15, 1, 15, 1, 4, 0, 2][rng.below_usize(8)],
        );
        previous.clear();
        previous.extend_from_slice(&out[start..]);
    }
    (out, counts)
}

/// One line of about `target` bytes holding short fields (`ab,ab,...`): millions of columns.
pub fn generate_long_line(target: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(target.max(3) + 3);
    while out.len() + 3 < target.max(3) {
        out.extend_from_slice(b"ab,");
    }
    out.truncate(target.max(3) - 1);
    out.push(b'\n');
    out
}

/// One cell of about `target` bytes with no delimiter at all, and a line break.
pub fn generate_long_cell(target: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(target.max(2));
    out.resize(target.max(2) - 1, b'x');
    out.push(b'\n');
    out
}
