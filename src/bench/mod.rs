//! Benchmark inputs and operations, shared by the native bench (`examples/bench.rs`) and
//! the worker's `bench` request, so one script can print browser-vs-native ratios.
//!
//! Inputs are generated, deterministic and realistic in shape; figures are printed, never
//! asserted: this is a benchmark, not a timed test.

use std::io::{self, Read};

use serde::{Deserialize, Serialize};

use crate::archive::repackage::repackage;
use crate::archive::Direction;
use crate::clock::{users_to_biostar, ToCsvOptions};
use crate::formats::data_file::{list, ListOptions};
use crate::formats::zk_attlog::{read_attlog_sized, repair_attlog, RepairOptions};
use crate::formats::zk_user_dat::{read_users, UserReadOptions};
use crate::inspect::inspect;
use crate::recognize::HEAD_LEN;
use crate::workbench::validate::SiteSettings;
use crate::workbench::{ImportRows, OpenOptions, Workbook, MAX_FILE_BYTES};

#[cfg(not(target_arch = "wasm32"))]
pub mod faces;
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
    /// Read a clock's `user.dat` (72-byte records, UTF-8) and convert its users to a
    /// BioStar user CSV checked against the import rules, as the screen does; counts the
    /// users.
    ClockUserDatCsv,
    /// Read an attendance log, find its duplicates and write it repaired (damaged lines
    /// and duplicates left out) into nothing; counts the punches read.
    ClockAttlog,
    /// [`BenchOp::ClockAttlog`] with the screen's default repair: damaged lines left out,
    /// duplicates kept.
    ClockAttlogKept,
    /// Verify and list a data file, streaming; counts the entries.
    DataFileList,
    /// Verify and list a data file with each entry's SHA-256, streaming; counts the entries.
    DataFileHash,
    /// Repackage a data file for a device (`BioStarX_` paths renamed `BioStar2_`) into
    /// nothing, streaming; counts the entries.
    DataFileRepackage,
}

impl BenchOp {
    /// Every operation, in the order the report prints them.
    pub const ALL: [BenchOp; 12] = [
        BenchOp::InspectCsv,
        BenchOp::InspectDataFile,
        BenchOp::InspectAttlog,
        BenchOp::CsvWorkbench,
        BenchOp::CsvLongLine,
        BenchOp::CsvLongCell,
        BenchOp::ClockUserDatCsv,
        BenchOp::ClockAttlog,
        BenchOp::ClockAttlogKept,
        BenchOp::DataFileList,
        BenchOp::DataFileHash,
        BenchOp::DataFileRepackage,
    ];

    /// The repair a clock log operation writes: damaged lines out, duplicates out for
    /// [`BenchOp::ClockAttlog`] and kept for the others.
    pub fn repair(self) -> RepairOptions {
        RepairOptions {
            remove_damaged: true,
            remove_duplicates: self == BenchOp::ClockAttlog,
        }
    }

    /// Stable id for command lines and JSON.
    pub fn id(self) -> &'static str {
        match self {
            BenchOp::InspectCsv => "inspect_csv",
            BenchOp::InspectDataFile => "inspect_data_file",
            BenchOp::InspectAttlog => "inspect_attlog",
            BenchOp::CsvWorkbench => "csv_workbench",
            BenchOp::CsvLongLine => "csv_long_line",
            BenchOp::CsvLongCell => "csv_long_cell",
            BenchOp::ClockUserDatCsv => "clock_user_dat_csv",
            BenchOp::ClockAttlog => "clock_attlog",
            BenchOp::ClockAttlogKept => "clock_attlog_kept",
            BenchOp::DataFileList => "data_file_list",
            BenchOp::DataFileHash => "data_file_hash",
            BenchOp::DataFileRepackage => "data_file_repackage",
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
            BenchOp::InspectDataFile
            | BenchOp::DataFileList
            | BenchOp::DataFileHash
            | BenchOp::DataFileRepackage => "BioStarX_20250102_030405.tgz",
            BenchOp::InspectAttlog | BenchOp::ClockAttlog | BenchOp::ClockAttlogKept => {
                "1_attlog.dat"
            }
            BenchOp::ClockUserDatCsv => "user.dat",
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
        BenchOp::InspectDataFile
        | BenchOp::DataFileList
        | BenchOp::DataFileHash
        | BenchOp::DataFileRepackage => generate_data_file(target),
        BenchOp::InspectAttlog => generate_attlog(target),
        BenchOp::ClockUserDatCsv => generate_user_dat(target),
        BenchOp::ClockAttlog | BenchOp::ClockAttlogKept => generate_attlog_lines(target),
        BenchOp::CsvLongLine => generate_long_line(target),
        BenchOp::CsvLongCell => generate_long_cell(target),
    }
}

/// The whole input in one buffer of the file's size (at most [`MAX_FILE_BYTES`]), as the
/// worker reads a file it opens whole; None when it cannot be read.
fn read_whole<R: Read>(size: u64, mut reader: R) -> Option<Vec<u8>> {
    let mut bytes = vec![0u8; size.min(MAX_FILE_BYTES) as usize];
    reader.read_exact(&mut bytes).ok()?;
    Some(bytes)
}

/// Opens the whole input as a workbook and writes the import and failed-rows files into
/// nothing; returns the data rows (0 when it cannot be opened).
fn run_workbench<R: Read>(size: u64, reader: R) -> u64 {
    let Some(bytes) = read_whole(size, reader) else {
        return 0;
    };
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

/// Reads a whole `user.dat` (`read_users` takes the file's bytes; a clock's file is at
/// most 4.7 MB) and converts its users as the screen's "Convert to BioStar CSV" and
/// `convert user.dat --to biostar-csv` do: the CSV written, then opened in the workbench
/// and checked against BioStar's import rules for the per-user notes; returns the users
/// (0 when the CSV cannot be made).
fn run_user_dat_csv<R: Read>(size: u64, reader: R) -> u64 {
    let Some(bytes) = read_whole(size, reader) else {
        return 0;
    };
    let file = read_users(&bytes, &UserReadOptions::default());
    let opts = ToCsvOptions::default();
    match users_to_biostar(&file.users, &opts, SiteSettings::default()) {
        Ok(_) => file.users.len() as u64,
        Err(_) => 0,
    }
}

/// Reads an attendance log (duplicates found) and writes it repaired (damaged lines and
/// duplicates left out) into nothing, as `convert 1_attlog.dat --to attlog` does: two
/// passes over the input, which is never held whole. Returns the punches read,
/// duplicates included (0 when it cannot be read).
fn run_attlog<R: Read>(size: u64, mut open: impl FnMut() -> Option<R>, opts: RepairOptions) -> u64 {
    let Some(log) = open().and_then(|r| read_attlog_sized(r, size).ok()) else {
        return 0;
    };
    let again = open().map(|r| repair_attlog(r, &log, opts, &mut io::sink()));
    match again {
        Some(Ok(_)) => log.punches.len() as u64,
        _ => 0,
    }
}

/// Runs `op` once over the input (`size` bytes, starting with `head`), read from the
/// start by each reader `open` gives (an op that streams twice opens it twice); returns the
/// records counted (0 when the input cannot be opened).
pub fn run<R: Read>(
    op: BenchOp,
    size: u64,
    head: &[u8],
    mut open: impl FnMut() -> Option<R>,
) -> u64 {
    match op {
        BenchOp::ClockAttlog | BenchOp::ClockAttlogKept => run_attlog(size, open, op.repair()),
        _ => open().map_or(0, |reader| run_once(op, size, head, reader)),
    }
}

/// Runs an op that reads its input once, from `reader`.
fn run_once<R: Read>(op: BenchOp, size: u64, head: &[u8], reader: R) -> u64 {
    let label = match op {
        BenchOp::CsvWorkbench | BenchOp::CsvLongLine | BenchOp::CsvLongCell => {
            return run_workbench(size, reader)
        }
        BenchOp::InspectCsv => "records (header included)",
        BenchOp::InspectDataFile => "entries",
        BenchOp::InspectAttlog => "punches",
        BenchOp::ClockUserDatCsv => return run_user_dat_csv(size, reader),
        // One reader cannot be read twice: `run` gives this op its own two.
        BenchOp::ClockAttlog | BenchOp::ClockAttlogKept => return 0,
        // The data file ops stream `reader` through once: never the whole file in memory.
        BenchOp::DataFileList | BenchOp::DataFileHash => {
            let options = ListOptions {
                hash: op == BenchOp::DataFileHash,
            };
            return list(reader, options, &mut |_| {}).totals.entries;
        }
        BenchOp::DataFileRepackage => {
            let to = Direction::ToDevice;
            return repackage(reader, io::sink(), to).map_or(0, |(_, outcome)| outcome.entries);
        }
    };
    let head = &head[..head.len().min(HEAD_LEN)];
    let summary = inspect(op.file_name(), size, head, reader, &mut |_| {});
    summary.get(label).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::zk_user_dat::MAX_RECORDS;

    #[test]
    fn generated_inputs_are_read_as_what_they_claim() {
        let csv = generate(BenchOp::InspectCsv, 50_000);
        assert!(csv.len() >= 50_000);
        let rows = csv.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count() as u64;
        assert_eq!(
            run(BenchOp::InspectCsv, csv.len() as u64, &csv, || Some(
                csv.as_slice()
            )),
            rows
        );

        let log = generate(BenchOp::InspectAttlog, 20_000);
        let lines = log.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count() as u64;
        assert_eq!(
            run(BenchOp::InspectAttlog, log.len() as u64, &log, || Some(
                log.as_slice()
            )),
            lines
        );

        let tgz = generate(BenchOp::InspectDataFile, 300_000);
        assert_eq!(&tgz[..2], &[0x1f, 0x8b]);
        assert!(
            run(BenchOp::InspectDataFile, tgz.len() as u64, &tgz, || Some(
                tgz.as_slice()
            )) >= 4
        );
    }

    #[test]
    fn the_workbench_input_is_realistic_and_mostly_valid() {
        let csv = generate(BenchOp::CsvWorkbench, 3_000_000);
        let rows = csv.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count() as u64 - 1;
        let per_row = csv.len() as f64 / rows as f64;
        assert!((135.0..145.0).contains(&per_row), "{per_row} bytes a row");
        assert_eq!(
            run(BenchOp::CsvWorkbench, csv.len() as u64, &csv, || Some(
                csv.as_slice()
            )),
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
    fn the_clock_inputs_are_read_by_their_ops() {
        use crate::formats::zk_attlog::read_attlog_bytes;

        // A user.dat of about 100 KB: whole 72-byte records, the users the generator made.
        let (dat, users) = user_dat_counted(100_000);
        assert_eq!(dat, generate(BenchOp::ClockUserDatCsv, 100_000));
        assert_eq!(dat.len() % 72, 0);
        let file = read_users(&dat, &UserReadOptions::default());
        assert_eq!(file.record, 72);
        assert!(file.problems.is_empty(), "{:?}", file.problems);
        assert!(file.empty_slots > 0);
        assert!(file
            .users
            .iter()
            .any(|u| u.name.contains('김') || u.name.contains('이') || u.name.contains('박')));
        assert!(file
            .users
            .iter()
            .any(|u| HAN_SURNAMES.iter().any(|s| u.name.starts_with(s))));
        assert!(file.users.iter().any(|u| u.card != 0));
        let run_dat = |b: &[u8]| run(BenchOp::ClockUserDatCsv, b.len() as u64, b, || Some(b));
        assert_eq!(run_dat(&dat), users);
        // A clock holds no more than 65,536 slots, whatever size is asked for.
        let (full, users) = user_dat_counted(36_000_000);
        assert_eq!(full.len(), MAX_RECORDS * 72);
        assert_eq!(run_dat(&full), users);
        assert!(users > 60_000);

        // An attendance log of about 2.5 MB: its punches, damage and duplicates as made.
        let (log, counts) = attlog_counted(2_500_000);
        assert_eq!(log, generate(BenchOp::ClockAttlog, 2_500_000));
        assert!(counts.damaged >= 1 && counts.duplicates >= 10, "{counts:?}");
        let run_log = |b: &[u8]| run(BenchOp::ClockAttlog, b.len() as u64, b, || Some(b));
        assert_eq!(run_log(&log), counts.punches);
        let read = read_attlog_bytes(&log);
        assert_eq!(read.lines, counts.lines);
        assert_eq!(read.damaged_count, counts.damaged);
        assert_eq!(read.duplicates.len() as u64, counts.duplicates);
        let per_line = log.len() as f64 / counts.lines as f64;
        assert!((36.0..44.0).contains(&per_line), "{per_line} bytes a line");
    }

    #[test]
    fn the_data_file_input_is_read_by_its_ops() {
        let (tgz, entries) = data_file_counted(1_000_000);
        assert_eq!(tgz, generate(BenchOp::DataFileList, 1_000_000));
        assert!(entries > 10);
        for op in [
            BenchOp::InspectDataFile,
            BenchOp::DataFileList,
            BenchOp::DataFileHash,
            BenchOp::DataFileRepackage,
        ] {
            assert_eq!(
                run(op, tgz.len() as u64, &tgz, || Some(tgz.as_slice())),
                entries,
                "{}",
                op.id()
            );
        }
        let listing = list(tgz.as_slice(), ListOptions::default(), &mut |_| {});
        assert!(listing.is_clean(), "{:?}", listing.findings);
        assert!(listing.totals.photos > 0 && listing.totals.text > 0);
        // Every entry sits under the BioStarX_ folder, so the repackage renames them all.
        let to = Direction::ToDevice;
        let (_, outcome) = repackage(tgz.as_slice(), io::sink(), to).expect("repackaged");
        assert_eq!(outcome.renamed, entries);
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
        for op in BenchOp::ALL {
            assert_eq!(BenchOp::from_id(op.id()), Some(op));
        }
    }
}
