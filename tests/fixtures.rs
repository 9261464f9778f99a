//! Recognition and inspection of the real sample files in ../shared/fixtures/zk.

use bioport::inspect::{inspect, Summary};
use bioport::recognize::{recognize, Confidence, FileKind, HEAD_LEN};

mod common;

fn fixture(name: &str) -> (String, Vec<u8>) {
    (name.to_string(), common::zk_fixture(name))
}

fn summary(name: &str, bytes: &[u8]) -> Summary {
    inspect(
        name,
        bytes.len() as u64,
        &bytes[..bytes.len().min(HEAD_LEN)],
        bytes,
        &mut |_| {},
    )
}

#[test]
fn real_attlogs_are_attlogs_whatever_their_line_ends() {
    for (file, punches) in [
        ("attlog_A_Alden4891_attloger_LF_pin9.dat", 20),
        ("attlog_B_mefistoduan_CHECKHELPER_CRLF_face15.dat", 20),
        ("attlog_C_Thrawn1_Time_work_table_CRLF_status255.dat", 12),
    ] {
        let (name, bytes) = fixture(file);
        let s = summary(&name, &bytes);
        assert_eq!(s.recognition.kind, FileKind::ZkAttlog, "{file}");
        assert_eq!(s.get("punches"), Some(punches), "{file}: {:?}", s.problems);
        assert_eq!(s.get("damaged lines"), Some(0), "{file}: {:?}", s.problems);
        // Under the name the clock gives it, recognition is sure.
        let r = recognize("1_attlog.dat", bytes.len() as u64, &bytes);
        assert_eq!(r.confidence, Confidence::High);
        assert!(r.notes.is_empty());
    }
}

#[test]
fn flash_corruption_rows_are_counted_as_damage_not_punches() {
    let (name, bytes) = fixture("attlog_D_yqs112358_caoka_flash_corruption_excerpt.dat");
    let s = summary(&name, &bytes);
    assert_eq!(s.recognition.kind, FileKind::ZkAttlog);
    let lines = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count() as u64;
    let damaged = s.get("damaged lines").unwrap();
    assert!(damaged >= 3, "the ZZZZ rows are damage: {:?}", s.problems);
    assert_eq!(
        s.get("punches").unwrap() + damaged,
        lines,
        "every line is counted once"
    );
    assert!(
        s.problems.iter().any(|p| p.contains("erased flash")),
        "{:?}",
        s.problems
    );
}

#[test]
fn nul_hole_in_an_attlog_is_found_and_located() {
    let (name, bytes) = fixture("attlog_E_CHECKHELPER_nul_hole_excerpt.bin");
    let s = summary(&name, &bytes);
    assert_eq!(
        s.recognition.kind,
        FileKind::ZkAttlog,
        "{:?}",
        s.recognition
    );
    assert!(
        s.recognition
            .notes
            .iter()
            .any(|n| n.contains("_attlog.dat")),
        "wrong name is noted"
    );
    let nul_count = bytes.iter().filter(|&&b| b == 0).count() as u64;
    assert_eq!(s.get("NUL bytes"), Some(nul_count));
    assert!(
        s.problems
            .iter()
            .any(|p| p.starts_with("Line 5 (byte 120):") && p.contains("NUL")),
        "{:?}",
        s.problems
    );
    // Lines 2-4, 6 and 7 are whole punches; line 1 is a fragment ("0"), line 8 is cut off.
    assert_eq!(s.get("punches"), Some(5), "{:?}", s.problems);
    assert!(
        s.problems
            .iter()
            .any(|p| p.starts_with("Line 8 (byte 332):") && p.contains("2 of the 6")),
        "{:?}",
        s.problems
    );
}

#[test]
fn documented_72_byte_user_record() {
    let (name, bytes) = fixture("user_dat_72byte_record_from_zk-protocol_doc.bin");
    let r = recognize("user.dat", bytes.len() as u64, &bytes);
    assert_eq!(r.kind, FileKind::ZkUserDat72);
    assert_eq!(r.confidence, Confidence::High);
    let s = summary("user.dat", &bytes);
    assert_eq!(s.get("users"), Some(1));
    // Under its fixture name it is still found from content, with a note about the name.
    let r = recognize(&name, bytes.len() as u64, &bytes);
    assert_eq!(r.kind, FileKind::ZkUserDat72, "{r:?}");
    assert!(r.notes.iter().any(|n| n.contains("user.dat")));
}

#[test]
fn synthetic_28_byte_user_record() {
    let (_, bytes) = fixture("user_dat_28byte_record_SYNTHETIC.bin");
    let r = recognize("user.dat", bytes.len() as u64, &bytes);
    assert_eq!(r.kind, FileKind::ZkUserDat28);
    let s = summary("user.dat", &bytes);
    assert_eq!(s.get("users"), Some(1));
    assert_eq!(s.get("empty slots"), Some(0));
}

#[test]
fn truncated_and_renamed_fixtures() {
    let (_, bytes) = fixture("user_dat_72byte_record_from_zk-protocol_doc.bin");
    let cut = &bytes[..50];
    let s = summary("user.dat", cut);
    assert_eq!(s.recognition.kind, FileKind::ZkUserDat72);
    assert!(
        s.recognition.notes[0].contains("truncated"),
        "{:?}",
        s.recognition.notes
    );
    assert_eq!(s.get("users"), Some(0));
    assert_eq!(s.problem_count, 1);

    let (_, log) = fixture("attlog_A_Alden4891_attloger_LF_pin9.dat");
    let r = recognize("attendance.csv", log.len() as u64, &log);
    assert_eq!(
        r.kind,
        FileKind::ZkAttlog,
        "content wins over a wrong extension"
    );
    assert_eq!(r.confidence, Confidence::Medium);
}
