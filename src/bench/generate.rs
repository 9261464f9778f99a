//! Deterministic, realistic benchmark inputs (one random-number generator for the bench,
//! the examples and the tests): BioStar user CSVs, attendance logs, data files, and the
//! pathological shapes a reader must survive (one huge line, one huge cell).

use std::io::Write;

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

/// A BioStar-like data file of about `target` compressed bytes: a gzip-compressed tar of
/// photo-like entries (poorly compressible) and a user table (compressible).
pub fn generate_data_file(target: usize) -> Vec<u8> {
    let mut rng = Rng(7);
    let mut builder = tar::Builder::new(Vec::new());
    let mut raw = 0usize;
    let mut n = 0u32;
    while raw < target {
        let len = 20_000 + rng.below(60_000) as usize;
        let data: Vec<u8> = if n.is_multiple_of(4) {
            generate_users_csv(len)
        } else {
            (0..len).map(|_| (rng.next() >> 24) as u8).collect()
        };
        let mut header = tar::Header::new_ustar();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        let path = format!("user/{n:06}.bin");
        if builder
            .append_data(&mut header, path, data.as_slice())
            .is_err()
        {
            break;
        }
        raw += len;
        n += 1;
    }
    let tar = builder.into_inner().unwrap_or_default();
    let mut gz =
        flate2::write::GzEncoder::new(Vec::with_capacity(target), flate2::Compression::fast());
    if gz.write_all(&tar).is_err() {
        return Vec::new();
    }
    gz.finish().unwrap_or_default()
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
