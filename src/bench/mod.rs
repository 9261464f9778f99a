//! Benchmark inputs and operations, shared by the native bench (`examples/bench.rs`) and
//! the worker's `bench` request, so one script can print browser-vs-native ratios.
//!
//! Inputs are generated, deterministic and realistic in shape; figures are printed, never
//! asserted: this is a benchmark, not a timed test.

use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::inspect::inspect;
use crate::recognize::HEAD_LEN;
use crate::workbench::{ImportRows, OpenOptions, Workbook, MAX_FILE_BYTES};

mod generate;
pub use generate::*;

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
    /// Open a BioStar user CSV as a workbook (decode, read, map, validate), then write the
    /// import file and the failed-rows file.
    CsvWorkbench,
    /// Open one line of millions of short fields as a workbook: refused early, in linear
    /// time and flat memory, with one finding.
    CsvLongLine,
    /// Open one cell of hundreds of megabytes as a workbook (a header no field matches).
    CsvLongCell,
}

impl BenchOp {
    /// Every operation, in the order the report prints them.
    pub const ALL: [BenchOp; 6] = [
        BenchOp::InspectCsv,
        BenchOp::InspectDataFile,
        BenchOp::InspectAttlog,
        BenchOp::CsvWorkbench,
        BenchOp::CsvLongLine,
        BenchOp::CsvLongCell,
    ];

    /// Stable id for command lines and JSON.
    pub fn id(self) -> &'static str {
        match self {
            BenchOp::InspectCsv => "inspect_csv",
            BenchOp::InspectDataFile => "inspect_data_file",
            BenchOp::InspectAttlog => "inspect_attlog",
            BenchOp::CsvWorkbench => "csv_workbench",
            BenchOp::CsvLongLine => "csv_long_line",
            BenchOp::CsvLongCell => "csv_long_cell",
        }
    }

    /// The operation with this id.
    pub fn from_id(id: &str) -> Option<BenchOp> {
        BenchOp::ALL.into_iter().find(|op| op.id() == id)
    }

    /// The file name the generated input gets.
    pub fn file_name(self) -> &'static str {
        match self {
            BenchOp::InspectCsv | BenchOp::CsvWorkbench => "users.csv",
            BenchOp::CsvLongLine => "long_line.csv",
            BenchOp::CsvLongCell => "long_cell.csv",
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

/// Generates the input of `op`, about `target` bytes.
pub fn generate(op: BenchOp, target: usize) -> Vec<u8> {
    match op {
        BenchOp::InspectCsv | BenchOp::CsvWorkbench => generate_users_csv(target),
        BenchOp::InspectDataFile => generate_data_file(target),
        BenchOp::InspectAttlog => generate_attlog(target),
        BenchOp::CsvLongLine => generate_long_line(target),
        BenchOp::CsvLongCell => generate_long_cell(target),
    }
}

/// Opens the whole input as a workbook and writes the import and failed-rows files into
/// nothing; returns the data rows (0 when it cannot be opened).
fn run_workbench<R: Read>(size: u64, mut reader: R) -> u64 {
    // As the worker reads a file it opens: into one buffer of the file's size.
    let mut bytes = vec![0u8; size.min(MAX_FILE_BYTES) as usize];
    if reader.read_exact(&mut bytes).is_err() {
        return 0;
    }
    let Ok(wb) = Workbook::open(bytes, "users.csv", OpenOptions::default()) else {
        return 0;
    };
    let import = wb.write_import(std::io::sink(), ImportRows::ValidOnly);
    let errors = wb.write_errors(std::io::sink());
    match (import, errors) {
        (Ok(_), Ok(_)) => wb.report().data_rows().len() as u64,
        _ => 0,
    }
}

/// Runs `op` once over `reader` (the whole input, `size` bytes, starting with `head`); returns the records counted.
pub fn run<R: Read>(op: BenchOp, size: u64, head: &[u8], reader: R) -> u64 {
    let label = match op {
        BenchOp::CsvWorkbench | BenchOp::CsvLongLine | BenchOp::CsvLongCell => {
            return run_workbench(size, reader)
        }
        BenchOp::InspectCsv => "records (header included)",
        BenchOp::InspectDataFile => "entries",
        BenchOp::InspectAttlog => "punches",
    };
    let head = &head[..head.len().min(HEAD_LEN)];
    let summary = inspect(op.file_name(), size, head, reader, &mut |_| {});
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
    fn the_workbench_input_is_realistic_and_mostly_valid() {
        let csv = generate(BenchOp::CsvWorkbench, 3_000_000);
        let rows = csv.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count() as u64 - 1;
        let per_row = csv.len() as f64 / rows as f64;
        assert!((135.0..145.0).contains(&per_row), "{per_row} bytes a row");
        assert_eq!(
            run(
                BenchOp::CsvWorkbench,
                csv.len() as u64,
                &csv,
                csv.as_slice()
            ),
            rows
        );
        let wb = Workbook::open(csv, "users.csv", OpenOptions::default()).unwrap();
        let v = wb.view();
        assert!(v.columns.iter().all(|c| c.target.is_some()));
        let share = v.totals.with_errors as f64 / rows as f64;
        assert!(
            (0.015..0.035).contains(&share),
            "{share} of rows with errors"
        );
        // Cards are unique: a card on two users is never generated.
        assert!(v.rules.iter().all(|r| r.id != "card.duplicate"));
        for rule in [
            "date.impossible",
            "date.month_first",
            "date.after_2037",
            "user_id.duplicate",
            "name.too_long",
            "pin.format",
            "card.not_number",
            "csn_mobile.issued",
        ] {
            assert!(v.rules.iter().any(|r| r.id == rule), "no {rule}");
        }
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(generate_users_csv(10_000), generate_users_csv(10_000));
        assert_eq!(
            BenchOp::from_id("inspect_attlog"),
            Some(BenchOp::InspectAttlog)
        );
        assert_eq!(BenchOp::from_id("nope"), None);
        assert_eq!(
            BenchOp::from_id("csv_workbench"),
            Some(BenchOp::CsvWorkbench)
        );
        assert!(BenchOp::ALL.contains(&BenchOp::CsvWorkbench));
        assert_eq!(BenchOp::CsvWorkbench.file_name(), "users.csv");
    }
}
