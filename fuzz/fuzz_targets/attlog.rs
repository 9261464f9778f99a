//! Attendance logs: any bytes read, counted and repaired never panic; the counter agrees
//! with the reader, and a repair that drops nothing gives the input back.
#![no_main]
use bioport::formats::zk_attlog::{count_punches, read_attlog_bytes, repair_attlog, RepairOptions};
use bioport::formats::Tally;
use libfuzzer_sys::fuzz_target;

#[derive(Default)]
struct Counts(Vec<(String, u64)>, usize);

impl Tally for Counts {
    fn count(&mut self, label: &str, value: u64) {
        self.0.push((label.to_string(), value));
    }
    fn problem(&mut self, _: String) {
        self.1 += 1;
    }
}

fuzz_target!(|data: &[u8]| {
    let log = read_attlog_bytes(data);
    assert_eq!(log.size, data.len() as u64);
    let mut counts = Counts::default();
    count_punches(&mut &data[..], &mut counts).unwrap();
    assert_eq!(counts.0[0].1, log.punches.len() as u64, "punches");
    assert_eq!(counts.0[1].1, log.damaged_count, "damaged lines");
    let mut out = Vec::new();
    repair_attlog(data, &log, RepairOptions::default(), &mut out).unwrap();
    assert_eq!(out, data, "keeping everything writes the log back as read");
    let both = RepairOptions {
        remove_damaged: true,
        remove_duplicates: true,
    };
    let mut clean = Vec::new();
    let report = repair_attlog(data, &log, both, &mut clean).unwrap();
    assert_eq!(report.removed_damaged, log.damaged_count);
    assert_eq!(report.removed_duplicates, log.duplicates.len() as u64);
    assert_eq!(
        read_attlog_bytes(&clean).damaged_count,
        0,
        "a repaired log reads clean"
    );
});
