//! Benchmark inputs and operations, shared by the native bench (`examples/bench.rs`) and
//! the worker's `bench` request, so one script can print browser-vs-native ratios.
//!
//! Inputs are generated, deterministic and realistic in shape; figures are printed, never
//! asserted: this is a benchmark, not a timed test.

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

use crate::formats::HEAD_LEN;
use crate::inspect::inspect;

/// An operation the bench can time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BenchOp {
    /// Recognise and count the records of a BioStar user CSV.
    InspectCsv,
    /// Verify a BioStar data file: inflate gzip, walk the tar entries, check the CRC.
    InspectDataFile,
    /// Count the punches and damage of an attendance log.
    InspectAttlog,
}

impl BenchOp {
    /// Every operation, in the order the report prints them.
    pub const ALL: [BenchOp; 3] = [
        BenchOp::InspectCsv,
        BenchOp::InspectDataFile,
        BenchOp::InspectAttlog,
    ];

    /// Stable id for command lines and JSON.
    pub fn id(self) -> &'static str {
        match self {
            BenchOp::InspectCsv => "inspect_csv",
            BenchOp::InspectDataFile => "inspect_data_file",
            BenchOp::InspectAttlog => "inspect_attlog",
        }
    }

    /// The operation with this id.
    pub fn from_id(id: &str) -> Option<BenchOp> {
        BenchOp::ALL.into_iter().find(|op| op.id() == id)
    }

    /// The file name the generated input gets.
    pub fn file_name(self) -> &'static str {
        match self {
            BenchOp::InspectCsv => "users.csv",
            BenchOp::InspectDataFile => "BioStarX_20250102_030405.tgz",
            BenchOp::InspectAttlog => "1_attlog.dat",
        }
    }
}

/// One measured run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchFigure {
    /// The operation's id.
    pub op: String,
    /// Where it ran: "native" or "wasm-worker".
    pub runtime: String,
    /// Bytes of input.
    pub bytes: u64,
    /// Records, rows or entries handled.
    pub records: u64,
    /// Best wall time over the runs, in milliseconds.
    pub millis: f64,
    /// Input megabytes (10^6 bytes) per second at the best time.
    pub mb_per_s: f64,
    /// Records per second at the best time.
    pub records_per_s: f64,
    /// Peak memory seen (native: peak RSS; wasm: linear memory size), if known.
    pub peak_memory_bytes: Option<u64>,
}

impl BenchFigure {
    /// A figure from a measured best time.
    pub fn new(
        op: BenchOp,
        runtime: &str,
        bytes: u64,
        records: u64,
        millis: f64,
        peak: Option<u64>,
    ) -> Self {
        let secs = (millis / 1000.0).max(1e-9);
        BenchFigure {
            op: op.id().to_string(),
            runtime: runtime.to_string(),
            bytes,
            records,
            millis,
            mb_per_s: bytes as f64 / 1e6 / secs,
            records_per_s: records as f64 / secs,
            peak_memory_bytes: peak,
        }
    }
}

/// A small deterministic generator (xorshift), so inputs are the same in every runtime.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const FAMILY: [&str; 8] = [
    "김", "이", "박", "최", "Smith", "García", "Nguyen", "O'Brien",
];
const GIVEN: [&str; 8] = ["철수", "영희", "민준", "서연", "Ann", "José", "Li", "Zoë"];
const DEPARTMENTS: [&str; 6] = [
    "인사",
    "IT",
    "Finance, Tax",
    "연구개발",
    "Security",
    "Sales \"East\"",
];

/// A realistic BioStar user CSV of about `target` bytes: Korean and Latin names, cards,
/// dates, quoted cells, and a few rows with errors.
pub fn generate_users_csv(target: usize) -> Vec<u8> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::with_capacity(target + 256);
    out.extend_from_slice(
        b"user_id,name,department,user_title,phone,email,user_group,start_datetime,expiry_datetime,csn,26 bit SIA Standard-H10301,pin\r\n",
    );
    let mut id = 1u64;
    while out.len() < target {
        let family = FAMILY[rng.below(8) as usize];
        let given = GIVEN[rng.below(8) as usize];
        let dept = DEPARTMENTS[rng.below(6) as usize];
        let dept = if dept.contains([',', '"']) {
            format!("\"{}\"", dept.replace('"', "\"\""))
        } else {
            dept.to_string()
        };
        let bad = rng.below(100) == 0;
        let year = 2020 + rng.below(6);
        let _ = write!(
            out,
            "{},{}{},{},Engineer,+82-10-{:04}-{:04},user{}@example.com,All Users,{}-{:02}-{:02} 09:00,{}-12-31 23:59,{},{},{}\r\n",
            if bad { format!("x{id}") } else { id.to_string() },
            family,
            given,
            dept,
            rng.below(10000),
            rng.below(10000),
            id,
            year,
            1 + rng.below(12),
            1 + rng.below(28),
            if bad { 2040 } else { 2030 },
            1_000_000 + rng.below(9_000_000),
            rng.below(1 << 24),
            1000 + rng.below(9000),
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

/// Generates the input of `op`, about `target` bytes.
pub fn generate(op: BenchOp, target: usize) -> Vec<u8> {
    match op {
        BenchOp::InspectCsv => generate_users_csv(target),
        BenchOp::InspectDataFile => generate_data_file(target),
        BenchOp::InspectAttlog => generate_attlog(target),
    }
}

/// Runs `op` once over `reader` (the whole input, `size` bytes, starting with `head`); returns the records counted.
pub fn run<R: Read>(op: BenchOp, size: u64, head: &[u8], reader: R) -> u64 {
    let head = &head[..head.len().min(HEAD_LEN)];
    let summary = inspect(op.file_name(), size, head, reader, &mut |_| {});
    let label = match op {
        BenchOp::InspectCsv => "records (header included)",
        BenchOp::InspectDataFile => "entries",
        BenchOp::InspectAttlog => "punches",
    };
    summary.get(label).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_inputs_are_read_as_what_they_claim() {
        let csv = generate(BenchOp::InspectCsv, 50_000);
        assert!(csv.len() >= 50_000);
        let rows = csv.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count() as u64;
        assert_eq!(
            run(BenchOp::InspectCsv, csv.len() as u64, &csv, csv.as_slice()),
            rows
        );

        let log = generate(BenchOp::InspectAttlog, 20_000);
        let lines = log.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count() as u64;
        assert_eq!(
            run(
                BenchOp::InspectAttlog,
                log.len() as u64,
                &log,
                log.as_slice()
            ),
            lines
        );

        let tgz = generate(BenchOp::InspectDataFile, 300_000);
        assert_eq!(&tgz[..2], &[0x1f, 0x8b]);
        assert!(
            run(
                BenchOp::InspectDataFile,
                tgz.len() as u64,
                &tgz,
                tgz.as_slice()
            ) >= 4
        );
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(generate_users_csv(10_000), generate_users_csv(10_000));
        assert_eq!(
            BenchOp::from_id("inspect_attlog"),
            Some(BenchOp::InspectAttlog)
        );
        assert_eq!(BenchOp::from_id("nope"), None);
    }
}
