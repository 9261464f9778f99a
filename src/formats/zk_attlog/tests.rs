use super::*;
use crate::bench::Rng;
use crate::formats::{zk_sample, Seen};

const A: &str = "attlog_A_Alden4891_attloger_LF_pin9.dat";
const B: &str = "attlog_B_mefistoduan_CHECKHELPER_CRLF_face15.dat";
const C: &str = "attlog_C_Thrawn1_Time_work_table_CRLF_status255.dat";
const D: &str = "attlog_D_yqs112358_caoka_flash_corruption_excerpt.dat";
const E: &str = "attlog_E_CHECKHELPER_nul_hole_excerpt.bin";

fn read(bytes: &[u8]) -> Attlog {
    read_attlog_bytes(bytes)
}

/// The log repaired by reading it again; checked to be the same bytes and report as the
/// repair made of the file's byte ranges, and as the lines of `bytes` kept one by one.
fn repaired(bytes: &[u8], log: &Attlog, opts: RepairOptions) -> (Vec<u8>, RepairReport) {
    let mut out = Vec::new();
    let report = repair_attlog(bytes, log, opts, &mut out).unwrap();
    let (ranges, by_ranges) = log.kept_ranges(opts, usize::MAX).unwrap();
    let joined: Vec<u8> = ranges
        .into_iter()
        .flat_map(|r| bytes[r.start as usize..r.end as usize].to_vec())
        .collect();
    assert!(
        joined == out && by_ranges == report,
        "{by_ranges:?} / {report:?}"
    );
    assert_eq!(out, kept_line_by_line(bytes, log, opts));
    (out, report)
}

/// The lines of `bytes` a repair keeps, found one by one (the plain way the ranges must
/// agree with).
fn kept_line_by_line(bytes: &[u8], log: &Attlog, opts: RepairOptions) -> Vec<u8> {
    let mut punch = 0;
    let mut kept = Vec::new();
    for (i, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        let i = i as u64;
        let damaged = log.damaged_lines.contains(i);
        let blank = log.blank_line_set.contains(i);
        let is_punch = !damaged && !blank;
        let duplicate = is_punch && log.duplicates.binary_search(&punch).is_ok();
        punch += u32::from(is_punch);
        if !((damaged || blank) && opts.remove_damaged || duplicate && opts.remove_duplicates) {
            kept.extend_from_slice(line);
        }
    }
    kept
}

const BOTH: RepairOptions = RepairOptions {
    remove_damaged: true,
    remove_duplicates: true,
};

#[test]
fn real_logs_read_whole_and_write_back_byte_identical() {
    for (file, punches) in [(A, 20), (B, 20), (C, 12)] {
        let bytes = zk_sample(file);
        let log = read(&bytes);
        assert_eq!(log.punches.len(), punches, "{file}: {:?}", log.damaged);
        assert_eq!(log.damaged_count, 0, "{file}");
        let (out, report) = repaired(&bytes, &log, BOTH);
        assert_eq!(out, bytes, "{file}");
        assert_eq!(report.kept, log.lines);
    }
}

#[test]
fn fields_of_real_punches_and_their_labels() {
    let a = zk_sample(A);
    let log = read(&a);
    let p = log.punches[1];
    assert_eq!(log.id(&p), b"2233", "ID widths trimmed");
    assert_eq!(p.time_text(), "2020-01-07 10:38:32");
    assert_eq!((p.device, p.status, p.verify, p.workcode), (1, 0, 1, 0));
    let b = zk_sample(B);
    let log = read(&b);
    assert_eq!(log.id(&log.punches[0]), b"583", "first line 7 wide");
    assert_eq!(log.id(&log.punches[1]), b"517", "then 9 wide");
    assert_eq!(status_label(log.punches[0].status), "check-out");
    assert!(log.punches.iter().any(|p| verify_label(p.verify) == "face"));
    let c = zk_sample(C);
    assert!(read(&c)
        .punches
        .iter()
        .all(|p| status_label(p.status) == "none"));
    assert_eq!(
        [0, 1, 2, 3, 4, 5].map(status_label),
        [
            "check-in",
            "check-out",
            "break-out",
            "break-in",
            "overtime-in",
            "overtime-out"
        ]
    );
    assert_eq!(
        [0, 1, 2].map(verify_label),
        ["password", "fingerprint", "card"]
    );
}

#[test]
fn flash_corruption_rows_are_located_and_the_good_rows_kept() {
    let bytes = zk_sample(D);
    let log = read(&bytes);
    // Lines 1-3 are punches. Line 8 ("ZZw?0P?0", work code -256901120), line 12 (an ID
    // of Zs alone, verify 255) and line 15 (ID of control bytes, 2047-02-30) are flash
    // garbage that parses, unlike what the older counter took them for.
    assert_eq!(
        (log.punches.len(), log.damaged_count),
        (3, 12),
        "{:?}",
        log.damaged
    );
    let lines: Vec<u64> = log.damaged.iter().map(|d| d.line).collect();
    assert_eq!(lines, [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    assert_eq!(
        log.damaged[8].damage,
        Damage::ErasedFlash,
        "      ZZ on line 12"
    );
    assert_eq!(log.damaged[4].damage, Damage::BadNumber("workcode"));
    assert_eq!(log.damaged[0].damage, Damage::ErasedFlash, "71ZZZZZZZZ");
    let line5 = bytes
        .split_inclusive(|&b| b == b'\n')
        .take(4)
        .map(<[u8]>::len)
        .sum::<usize>();
    assert_eq!(log.damaged[1].offset, line5 as u64);
    let message = format!("Line 5 (byte {line5}): a record from erased flash");
    assert!(log.damaged[1].message().starts_with(&message));
    assert_eq!(
        log.damaged[11].damage,
        Damage::BadUserId,
        "control bytes on line 15"
    );
    assert_eq!(
        log.damaged[5].damage,
        Damage::BadUserId,
        "blank ID on line 9"
    );
    let (out, report) = repaired(&bytes, &log, BOTH);
    assert_eq!((report.kept, report.removed_damaged), (3, 12));
    let again = read(&out);
    assert_eq!((again.punches.len(), again.damaged_count), (3, 0));
}

#[test]
fn a_nul_hole_and_a_cut_off_last_line_are_found_and_located() {
    let bytes = zk_sample(E);
    let log = read(&bytes);
    assert_eq!((log.punches.len(), log.damaged_count), (5, 3));
    let lines: Vec<u64> = log.damaged.iter().map(|d| d.line).collect();
    assert_eq!(lines, [1, 5, 8]);
    let nuls = bytes.iter().filter(|&&b| b == 0).count() as u64;
    assert_eq!(log.damaged[1].damage, Damage::NulBytes(nuls));
    assert_eq!(log.damaged[1].offset, 120);
    assert_eq!(log.damaged[2].damage, Damage::FieldCount(2));
    assert!(log.missing_final_newline);
    let keep = RepairOptions::default();
    assert_eq!(
        repaired(&bytes, &log, keep).0,
        bytes,
        "kept: byte-identical"
    );
    let (out, _) = repaired(&bytes, &log, BOTH);
    assert!(out.ends_with(b"08:41:55\t1\t0\t0\t0\r\n"), "CRLF kept");
}

#[test]
fn each_kind_of_damage_is_named_and_reading_resyncs() {
    let text = b"1\t2024-02-29 08:00:00\t1\t0\t1\t0\n\
        2\t2023-02-29 08:00:00\t1\t0\t1\t0\n\
        3\t2024-01-01 24:00:00\t1\t0\t1\t0\n\
        4\t2024/01/01 08:00:00\t1\t0\t1\t0\n\
        5\t2024-01-01 08:00:00\t1\tx\t1\t0\n\
        6\t2024-01-01 08:00:00\t1\t0\t1\n\
        7\t2024-01-01 08:00:00\t70000\t0\t1\t0\n\
        8\t2024-01-01 08:00:00\t1\t256\t1\t0\n\
        \r\n\
        \xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\n\
        9\t2024-01-01 08:00:00\t1\t0\t1\t0";
    let log = read(text);
    let damage: Vec<Damage> = log.damaged.iter().map(|d| d.damage.clone()).collect();
    assert_eq!(
        damage,
        [
            Damage::ImpossibleDate,
            Damage::ImpossibleDate,
            Damage::BadTime,
            Damage::BadNumber("status"),
            Damage::FieldCount(5),
            Damage::BadNumber("device number"),
            Damage::BadNumber("status"),
            Damage::ErasedFlash,
        ]
    );
    assert_eq!((log.punches.len(), log.blank_lines, log.lines), (2, 1, 11));
    assert!(log.missing_final_newline);
}

#[test]
fn exact_duplicates_are_counted_and_removed_only_when_asked() {
    let text = b"   1\t2024-01-01 08:00:00\t1\t0\t1\t0\r\n\
        2\t2024-01-01 08:00:00\t1\t0\t1\t0\r\n\
        1\t2024-01-01 08:00:00\t1\t0\t1\t0\n\
        1\t2024-01-01 08:00:00\t1\t1\t1\t0\n\
        1\t2024-01-01 08:00:00\t1\t0\t1\t0\n";
    let log = read(text);
    assert_eq!(log.duplicates, [2, 4], "ID width does not matter, codes do");
    let only_damage = RepairOptions {
        remove_damaged: true,
        remove_duplicates: false,
    };
    assert_eq!(repaired(text, &log, only_damage).0, text);
    let (out, report) = repaired(text, &log, BOTH);
    assert_eq!(report.removed_duplicates, 2);
    let lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
    assert_eq!(out, [lines[0], lines[1], lines[3]].concat());
}

#[test]
fn blank_lines_go_with_the_damaged_ones() {
    let text = b"1\t2024-01-01 08:00:00\t1\t0\t1\t0\r\n\r\n  \t \r\n2\t2024-01-01 08:00:00\t1\t0\t1\t0\r\n\n";
    let log = read(text);
    assert_eq!((log.punches.len(), log.blank_lines), (2, 3));
    let (out, report) = repaired(text, &log, BOTH);
    assert_eq!(
        out,
        b"1\t2024-01-01 08:00:00\t1\t0\t1\t0\r\n2\t2024-01-01 08:00:00\t1\t0\t1\t0\r\n"
    );
    assert_eq!(
        (report.kept, report.removed_blank, report.left_out()),
        (2, 3, 3)
    );
    // Kept with the damaged lines.
    assert_eq!(repaired(text, &log, RepairOptions::default()).0, text);
}

#[test]
fn a_huge_line_without_newline_is_capped_and_reported() {
    let mut bytes = b"1\t2024-01-01 08:00:00\t1\t0\t1\t0\n".to_vec();
    bytes.resize(bytes.len() + 3_000_000, b'7');
    bytes.extend_from_slice(b"\n2\t2024-01-01 08:00:00\t1\t0\t1\t0\n");
    let log = read(&bytes);
    assert_eq!(log.punches.len(), 2, "resynced after the long line");
    assert_eq!(log.damaged[0].damage, Damage::TooLong(3_000_001));
    assert_eq!(repaired(&bytes, &log, RepairOptions::default()).0, bytes);
    let (out, report) = repaired(&bytes, &log, BOTH);
    assert_eq!(report.removed_damaged, 1);
    assert_eq!(
        out,
        b"1\t2024-01-01 08:00:00\t1\t0\t1\t0\n2\t2024-01-01 08:00:00\t1\t0\t1\t0\n"
    );
}

#[test]
fn punches_stay_small() {
    assert!(
        std::mem::size_of::<Punch>() <= 20,
        "a punch line is about 40 bytes"
    );
}

#[test]
fn each_user_id_is_held_once_and_punches_know_their_lines() {
    let text = b"   7\t2024-01-01 08:00:00\t1\t0\t1\t0\n\
        \n\
        12\t2024-01-01 08:01:00\t1\t0\t1\t0\n\
        7\t2024-01-01 17:00:00\t1\t1\t1\t0\n";
    let log = read(text);
    assert_eq!(log.ids.len(), 2, "'   7' and '7' are one user");
    let ids: Vec<&[u8]> = log.punches.iter().map(|p| log.id(p)).collect();
    assert_eq!(ids, [&b"7"[..], b"12", b"7"]);
    assert_eq!(log.punches[0].id, log.punches[2].id);
    let lines: Vec<u32> = log.punches.iter().map(|p| p.line).collect();
    assert_eq!(lines, [1, 3, 4]);
    assert_eq!(log.ids.find(b"12"), Some(log.punches[1].id));
    assert_eq!(log.ids.find(b"99"), None);
    assert!(log.blank_line_set.contains(1) && !log.blank_line_set.contains(0));
    assert_eq!(log.ids.not_utf8(), 0);
}

#[test]
fn user_ids_that_are_not_utf8_are_counted_and_kept_as_bytes() {
    let text = b"Z\xf6e\t2024-01-01 08:00:00\t1\t0\t1\t0\n\
        7\t2024-01-01 08:01:00\t1\t0\t1\t0\n\
        Z\xf6e\t2024-01-01 17:00:00\t1\t1\t1\t0\n";
    let log = read(text);
    assert_eq!(
        (log.punches.len(), log.ids.len(), log.ids.not_utf8()),
        (3, 2, 1)
    );
    assert_eq!(log.id(&log.punches[0]), b"Z\xf6e");
    assert_eq!(log.id_text(&log.punches[0]), "Z\u{FFFD}e");
}

#[test]
fn many_distinct_ids_all_come_back() {
    let mut text = Vec::new();
    for n in 0..5000 {
        text.extend_from_slice(format!("{n}\t2024-01-01 08:00:00\t1\t0\t1\t0\n").as_bytes());
    }
    let log = read(&text);
    assert_eq!(log.ids.len(), 5000);
    for (n, p) in log.punches.iter().enumerate() {
        assert_eq!(log.id_text(p), n.to_string());
    }
    assert!(log.duplicates.is_empty());
}

#[test]
fn time_packing_round_trips() {
    let t = pack_time(2047, 2, 28, 19, 13, 30);
    assert_eq!(unpack_time(t), [2047, 2, 28, 19, 13, 30]);
}

#[test]
fn random_bytes_never_panic_and_write_back_whole() {
    let mut rng = Rng(0xa77_1095);
    let alphabet = b"0123456789\t\r\n -:Z\0x";
    for _ in 0..300 {
        let len = rng.below_usize(600);
        let bytes: Vec<u8> = (0..len)
            .map(|_| match rng.below(4) {
                0 => rng.next() as u8,
                _ => alphabet[rng.below_usize(alphabet.len())],
            })
            .collect();
        let log = read(&bytes);
        assert_eq!(log.size, bytes.len() as u64);
        let (out, _) = repaired(&bytes, &log, RepairOptions::default());
        assert_eq!(out, bytes);
        repaired(&bytes, &log, BOTH);
    }
}

fn counted(bytes: &[u8]) -> Seen {
    let mut seen = Seen::default();
    count_punches(&mut &bytes[..], &mut seen).unwrap();
    seen
}

#[test]
fn the_inspect_counter_counts_as_the_reader_reads_every_sample() {
    // D's lines 8, 12 and 15 are flash damage too (a negative work code; an ID of Zs
    // alone; an ID of control bytes dated 2047-02-30).
    for (file, punches, damaged) in [(A, 20, 0), (B, 20, 0), (C, 12, 0), (D, 3, 12), (E, 5, 3)] {
        let bytes = zk_sample(file);
        let seen = counted(&bytes);
        assert_eq!(seen.counts[0], ("punches".into(), punches), "{file}");
        assert_eq!(seen.counts[1], ("damaged lines".into(), damaged), "{file}");
    }
    let seen = counted(&zk_sample(E));
    let log = read(&zk_sample(E));
    let messages: Vec<String> = log.damaged.iter().map(DamagedLine::message).collect();
    assert_eq!(seen.problems, messages);
    let nuls = zk_sample(E).iter().filter(|&&b| b == 0).count();
    assert!(
        seen.problems[0].starts_with("Line 1 (byte 0): "),
        "{:?}",
        seen.problems
    );
    assert!(
        seen.problems[1].starts_with("Line 5 (byte "),
        "{:?}",
        seen.problems
    );
    assert!(seen.problems[1].ends_with(&format!(": {nuls} NUL bytes.")));
    assert!(
        seen.problems[2].starts_with("Line 8 (byte "),
        "{:?}",
        seen.problems
    );
}

#[test]
fn the_inspect_counter_never_holds_a_huge_line() {
    let mut bytes = vec![b'7'; 5_000_000];
    bytes.extend_from_slice(b"\n1\t2024-01-01 08:00:00\t1\t0\t1\t0");
    let seen = counted(&bytes);
    assert_eq!(seen.counts[0], ("punches".into(), 1));
    assert_eq!(
        seen.problems,
        ["Line 1 (byte 0): a line of 5000001 bytes (more than 4096)."]
    );
}

#[test]
fn the_real_size_nul_hole_streams_through_reader_counter_and_repair() {
    // Widen the shortened hole of sample E back to the 311,077 NULs of the real file.
    let sample = zk_sample(E);
    let hole = sample.iter().position(|&b| b == 0).unwrap();
    let mut bytes = sample[..hole].to_vec();
    bytes.resize(hole + 311_077, 0);
    let after = hole + sample[hole..].iter().rposition(|&b| b == 0).unwrap() + 1;
    bytes.extend_from_slice(&sample[after..]);
    let nuls = bytes.iter().filter(|&&b| b == 0).count() as u64;
    let log = read(&bytes);
    assert_eq!((log.punches.len(), log.damaged_count), (5, 3));
    assert_eq!(log.damaged[1].damage, Damage::NulBytes(nuls));
    assert_eq!(repaired(&bytes, &log, RepairOptions::default()).0, bytes);
    let (out, report) = repaired(&bytes, &log, BOTH);
    assert_eq!((report.kept, report.removed_damaged), (5, 3));
    assert!(!out.contains(&0));
    let seen = counted(&bytes);
    assert!(seen.problems[1].ends_with(&format!(": {nuls} NUL bytes.")));
}

#[test]
fn a_log_of_one_endless_line_is_one_damaged_line() {
    let bytes = vec![b'Z'; 10_000_000];
    let log = read(&bytes);
    assert_eq!(log.lines, 1);
    assert_eq!(log.damaged[0].damage, Damage::TooLong(10_000_000));
    assert!(log.missing_final_newline);
    assert_eq!(
        repaired(&bytes, &log, RepairOptions::default()).0.len(),
        bytes.len()
    );
}

#[test]
fn a_damaged_line_keeps_its_first_bytes_to_show() {
    let text =
        b"1\t2024-01-01 08:00:00\t1\t0\t1\t0\nZZZZZZZZZ\t2047-02-30 25:00:00\x01\t1\t0\t1\t0\r\n";
    let log = read(text);
    assert_eq!(log.damaged[0].line, 2);
    assert_eq!(
        log.damaged[0].text,
        "ZZZZZZZZZ·2047-02-30 25:00:00··1·0·1·0·"
    );
    let long = [b'7'; 5000];
    assert_eq!(
        read(&long).damaged[0].text.len(),
        60,
        "at most 60 bytes are kept"
    );
}

/// `bytes` read and repaired (with `opts`) through the push readers, fed `step` bytes at
/// a time.
fn fed_in_steps(bytes: &[u8], step: usize, opts: RepairOptions) -> (Attlog, Vec<u8>) {
    let mut reader = AttlogReader::new(bytes.len() as u64);
    bytes.chunks(step).for_each(|c| reader.feed(c));
    let log = reader.finish();
    let mut out = Vec::new();
    let mut repair = AttlogRepair::new(&log, opts, &mut out).unwrap();
    for chunk in bytes.chunks(step) {
        repair.feed(chunk).unwrap();
    }
    let report = repair.finish().unwrap();
    assert_eq!(report, repaired(bytes, &log, opts).1, "step {step}");
    (log, out)
}

#[test]
fn a_log_fed_in_chunks_of_any_size_reads_and_repairs_as_whole() {
    // Damage of every kind, CRLF and LF, a line past the cap, NULs across chunk
    // boundaries, repeated punches, and no final newline.
    let mut bytes = zk_sample(D);
    bytes.extend(zk_sample(B));
    bytes.extend(vec![b'7'; MAX_LINE * 2 + 5]);
    bytes.extend(b"\n");
    bytes.extend(zk_sample(E));
    bytes.extend(zk_sample(A).repeat(2));
    bytes.extend(b"    1\t2024-01-02 03:04:05\t1\t0\t1\t0");
    let whole = read(&bytes);
    assert!(whole.damaged_count >= 3 && whole.nul_bytes > 0 && !whole.duplicates.is_empty());
    assert!(whole.missing_final_newline);
    for opts in [BOTH, RepairOptions::default()] {
        let (whole_out, _) = repaired(&bytes, &whole, opts);
        for step in [
            1,
            2,
            7,
            40,
            MAX_LINE + 1,
            MAX_LINE + 2,
            MAX_LINE + 3,
            65_536,
        ] {
            let (log, out) = fed_in_steps(&bytes, step, opts);
            assert_eq!(log.punches, whole.punches, "step {step}");
            assert_eq!(log.damaged, whole.damaged, "step {step}");
            let counts =
                |l: &Attlog| (l.lines, l.blank_lines, l.nul_bytes, l.damaged_count, l.size);
            assert_eq!(counts(&log), counts(&whole), "step {step}");
            assert_eq!(log.duplicates, whole.duplicates, "step {step}");
            assert_eq!(log.missing_final_newline, whole.missing_final_newline);
            assert_eq!(out, whole_out, "step {step}");
        }
    }
    assert_eq!(repaired(&bytes, &whole, RepairOptions::default()).0, bytes);
}

#[test]
fn a_repair_made_of_ranges_skips_the_lines_left_out_and_gives_up_past_its_limit() {
    let mut bytes = b"    1\t2024-01-02 03:04:05\t1\t0\t1\t0\r\n".repeat(3);
    bytes.extend(b"ZZZZ\t2047-02-30\n");
    bytes.extend(vec![b'x'; 70_000]);
    bytes.extend(b"\n    2\t2024-01-02 03:04:06\t1\t0\t1\t0");
    let log = read(&bytes);
    assert_eq!(
        (log.lines, log.duplicates.len(), log.damaged_count),
        (6, 2, 2)
    );
    let (ranges, report) = log.kept_ranges(BOTH, 10).unwrap();
    let line = 35;
    let last = bytes.len() as u64 - 33;
    assert_eq!(ranges, [0..line, last..bytes.len() as u64]);
    assert_eq!(
        (
            report.kept,
            report.removed_damaged,
            report.removed_duplicates
        ),
        (2, 2, 2)
    );
    let (_, report) = repaired(&bytes, &log, BOTH);
    assert_eq!(report.kept, 2);
    assert_eq!(
        log.line_index.range(4),
        Some(3 * line + 16..3 * line + 16 + 70_001)
    );
    assert!(log.kept_ranges(BOTH, 3).is_none(), "four lines left out");
    let keep_all = RepairOptions::default();
    let whole = log.kept_ranges(keep_all, 1).unwrap().0;
    assert_eq!(whole, vec![0..bytes.len() as u64]);
}

/// A log of `lines` punch lines where the lines `damaged` are cut off and the lines
/// `repeats` repeat the line before, with a blank line and a long line in between.
fn log_of_lines(lines: u64, damaged: &[u64], repeats: &[u64]) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut last = Vec::new();
    for i in 0..lines {
        let line = if damaged.contains(&i) {
            b"  1\t2024-01-0\n".to_vec()
        } else if repeats.contains(&i) {
            last.clone()
        } else if i == 700 {
            b"\r\n".to_vec()
        } else if i == 1500 {
            [vec![b'9'; 80_000], b"\n".to_vec()].concat()
        } else {
            let (h, m, s) = (i / 3600 % 24, i / 60 % 60, i % 60);
            format!(
                "{:>5}\t2024-03-01 {h:02}:{m:02}:{s:02}\t1\t0\t1\t0\n",
                i % 7
            )
            .into_bytes()
        };
        bytes.extend_from_slice(&line);
        last = line;
    }
    bytes
}

#[test]
fn ranges_across_words_and_marks_keep_what_the_lines_one_by_one_keep() {
    let damaged = [0, 63, 64, 65, 1023, 1024, 1025, 2047, 3000, 3001];
    let repeats = [2, 127, 128, 129, 191, 1030, 2050, 2999, 4095];
    let bytes = log_of_lines(4096, &damaged, &repeats);
    let log = read(&bytes);
    assert_eq!(log.lines, 4096);
    assert_eq!(
        log.damaged_count,
        damaged.len() as u64 + 1,
        "the long line too"
    );
    assert_eq!(log.duplicates.len(), repeats.len());
    for opts in [BOTH, RepairOptions::default()] {
        for only in [true, false] {
            let opts = RepairOptions {
                remove_duplicates: opts.remove_duplicates && only,
                ..opts
            };
            let (out, report) = repaired(&bytes, &log, opts);
            let left_out = report.left_out();
            assert_eq!(report.kept + left_out, 4096);
            assert_eq!(out.len() < bytes.len(), left_out > 0);
        }
    }
    let (ranges, _) = log.kept_ranges(BOTH, usize::MAX).unwrap();
    assert!(
        ranges.windows(2).all(|w| w[0].end < w[1].start),
        "{ranges:?}"
    );
    let start = log.line_index.range(1025).unwrap().start;
    let before: usize = (0..1025).map(|i| line_len(&bytes, i)).sum();
    assert_eq!(start, before as u64);
}

/// The length of 0-based line `i` of `bytes`, its line end included.
fn line_len(bytes: &[u8], i: usize) -> usize {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .nth(i)
        .map_or(0, <[u8]>::len)
}

#[test]
fn a_file_that_changed_since_it_was_read_is_not_repaired() {
    let bytes = log_of_lines(100, &[5], &[9]);
    let log = read(&bytes);
    let short = &bytes[..bytes.len() - 10];
    let longer = [&bytes[..], b"    1\t2024-01-02 03:04:05\t1\t0\t1\t0\n"].concat();
    for changed in [short, &longer[..]] {
        let error = repair_attlog(changed, &log, BOTH, &mut Vec::new()).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains(&format!("is {} bytes now, {}", changed.len(), bytes.len())),
            "{text}"
        );
        assert!(text.contains("open it again"), "{text}");
    }
    let mut unread = log.clone();
    unread.lines += 1;
    let error = repair_attlog(&bytes[..], &unread, BOTH, &mut Vec::new()).unwrap_err();
    assert!(error.to_string().contains("open the log again"), "{error}");
    assert!(unread.kept_ranges(BOTH, usize::MAX).is_none());
}

#[test]
fn a_range_cut_hands_out_each_kept_part_of_each_chunk() {
    let bytes = log_of_lines(3000, &[1, 2, 500, 2999], &[3, 1200]);
    let log = read(&bytes);
    let (ranges, _) = log.kept_ranges(BOTH, usize::MAX).unwrap();
    for step in [1, 33, 4096, 100_000] {
        let (plan, _) = log.repair_plan(BOTH).unwrap();
        let mut cut = RangeCut::new(plan);
        let mut parts = Vec::new();
        for (k, chunk) in bytes.chunks(step).enumerate() {
            let base = (k * step) as u64;
            cut.cut(chunk.len(), |r| {
                assert!(!r.is_empty() && r.end <= chunk.len());
                parts.push(base + r.start as u64..base + r.end as u64);
                Ok::<(), ()>(())
            })
            .unwrap();
        }
        assert_eq!(cut.finish(), Ok(()));
        // Parts that meet at a chunk's edge are one range cut in two.
        let mut joined: Vec<std::ops::Range<u64>> = Vec::new();
        for part in parts {
            match joined.last_mut() {
                Some(last) if last.end == part.start => last.end = part.end,
                _ => joined.push(part),
            }
        }
        assert_eq!(joined, ranges, "step {step}");
    }
}

#[test]
fn settled_ids_are_still_found_and_interned_once() {
    let mut ids = UserIds::default();
    let (a, b) = (ids.intern(b"100"), ids.intern(b"200"));
    ids.settle();
    assert_eq!((ids.find(b"200"), ids.find(b"300")), (Some(b), None));
    assert_eq!(ids.intern(b"100"), a, "the table comes back after settle");
    assert_eq!(ids.intern(b"300"), 2);
    assert_eq!((ids.len(), ids.find(b"300")), (3, Some(2)));
}

/// The duplicates of `punches` found the slow way: every key seen before.
fn duplicates_by_set(punches: &[Punch]) -> Vec<u32> {
    let mut seen = std::collections::HashSet::new();
    (0..punches.len() as u32)
        .filter(|&i| !seen.insert(punches[i as usize].key()))
        .collect()
}

#[test]
fn duplicates_found_through_shared_slots_match_a_set_of_every_key() {
    let mut rng = Rng(11);
    for (count, keys) in [
        (0, 1),
        (1, 1),
        (7, 2),
        (1000, 300),
        (50_000, 40_000),
        (200_000, 1 << 30),
    ] {
        let punches: Vec<Punch> = (0..count)
            .map(|line| {
                let k = rng.below(keys);
                Punch {
                    time: (k % 1000) as u32,
                    workcode: 0,
                    id: (k / 1000) as u32,
                    line,
                    device: 1,
                    status: (k % 3) as u8,
                    verify: 1,
                }
            })
            .collect();
        let found = find_duplicates(&punches);
        assert_eq!(
            found,
            duplicates_by_set(&punches),
            "{count} punches of {keys} keys"
        );
    }
}

#[test]
fn stray_crs_before_the_line_end_are_no_part_of_the_workcode() {
    let text = b"     1001\t2024-03-01 18:00:00\t1\t1\t1\t0\r\r\n     1002\t2024-03-01 18:01:00\t1\t1\t1\t7\r\r\r\n";
    let log = read(text);
    assert_eq!(
        (log.punches.len(), log.damaged_count),
        (2, 0),
        "{:?}",
        log.damaged
    );
    assert_eq!(log.punches[1].workcode, 7);
    // The repair copies the lines as they are, stray CRs and all.
    assert_eq!(repaired(text, &log, BOTH).0, text);
}

#[test]
fn an_over_long_run_of_erased_flash_is_called_erased_flash() {
    let mut bytes = vec![0xFFu8; 64 * 1024];
    bytes.extend_from_slice(b"\r\n1\t2024-01-01 08:00:00\t1\t0\t1\t0\r\n");
    let log = read(&bytes);
    assert_eq!(log.punches.len(), 1);
    assert_eq!(log.damaged[0].damage, Damage::ErasedFlash);
    assert_eq!(
        read(&[0xFF; 64 * 1024]).damaged[0].damage,
        Damage::ErasedFlash
    );
    // An over-long line of anything else is still too long.
    let long = [b"1\t".repeat(3000), b"\n".to_vec()].concat();
    assert!(matches!(read(&long).damaged[0].damage, Damage::TooLong(_)));
}

#[test]
fn a_utf8_bom_that_starts_the_log_is_said_not_read_into_the_first_id_and_repaired_away() {
    let lines = "      101\t2024-03-01 08:00:00\t1\t0\t1\t0\r\n      102\t2024-03-01 08:01:00\t1\t0\t1\t0\r\n";
    let bytes = [UTF8_BOM, lines.as_bytes()].concat();
    let log = read(&bytes);
    assert!(log.bom);
    assert_eq!((log.punches.len(), log.damaged_count), (2, 0));
    assert_eq!(log.id(&log.punches[0]), b"101");
    assert_eq!(counted(&bytes).counts[0], ("punches".into(), 2));
    let mut out = Vec::new();
    let report = repair_attlog(&bytes[..], &log, RepairOptions::default(), &mut out).unwrap();
    assert_eq!(out, lines.as_bytes(), "every byte but the mark, as it was");
    assert!(report.removed_bom && report.kept == 2, "{report:?}");
    // A damaged first line left out takes the mark with it; kept, it is kept without it.
    let damaged = [UTF8_BOM, b"ZZZZZZZZZZ\r\n", lines.as_bytes()].concat();
    let log = read(&damaged);
    for (opts, kept) in [
        (BOTH, lines.as_bytes().to_vec()),
        (RepairOptions::default(), damaged[3..].to_vec()),
    ] {
        let mut out = Vec::new();
        repair_attlog(&damaged[..], &log, opts, &mut out).unwrap();
        assert_eq!(out, kept);
    }
    // A mark anywhere but byte 0 is no mark: part of a user ID, left as it is.
    let later = [
        lines.as_bytes(),
        UTF8_BOM,
        b"7\t2024-03-01 08:02:00\t1\t0\t1\t0\r\n",
    ]
    .concat();
    assert!(!read(&later).bom);
}
