//! The command line on a time clock's files, run as a program: `bioport check` and
//! `bioport convert` of user.dat, attendance logs and template files, checking exit
//! codes, what is printed and the bytes written.

#![cfg(not(target_arch = "wasm32"))]

#[path = "common/cli_support.rs"]
mod cli_support;
mod common;

use std::fs;

#[path = "common/clock_records.rs"]
mod clock_records;

use cli_support::{bioport, stderr, stdout, TempDir};
use clock_records::{noise, says, user_record, user_record28};

#[test]
fn check_reads_a_clocks_users_and_hides_passwords_unless_asked() {
    let dir = TempDir::new("clock-users");
    dir.file(
        "user.dat",
        &common::zk_fixture("user_dat_72byte_record_from_zk-protocol_doc.bin"),
    );
    let o = bioport(&["check", "user.dat"], &dir.0);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("user.dat: 1 user, 0 empty slots"), "{out}");
    assert!(out.contains("uid 13    555          Ned"), "{out}");
    assert!(
        out.contains("user, password set, card 222, group 2, time zones own: 1, 2, 0"),
        "{out}"
    );
    assert!(
        !out.contains("444"),
        "the password shows only when asked: {out}"
    );
    let o = bioport(&["check", "user.dat", "--show-passwords", "--json"], &dir.0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["users"][0]["password"], "444");
    assert_eq!(v["record_size"], 72);
}

#[test]
fn check_finds_an_attlogs_damage_by_line_and_byte() {
    let dir = TempDir::new("clock-attlog");
    dir.file(
        "2_attlog.dat",
        &common::zk_fixture("attlog_E_CHECKHELPER_nul_hole_excerpt.bin"),
    );
    let o = bioport(&["check", "2_attlog.dat", "--json"], &dir.0);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (v["punches"].as_u64(), v["damaged_lines"].as_u64()),
        (Some(5), Some(3))
    );
    let damage: Vec<&str> = v["damage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(damage[1].starts_with("Line 5 (byte "), "{damage:?}");
    assert!(damage[1].ends_with(": 80 NUL bytes."), "{damage:?}");
}

#[test]
fn check_of_a_damaged_log_says_how_to_repair_it_and_the_command_it_gives_does() {
    let dir = TempDir::new("clock-attlog-hint");
    let punch = "7\t2024-01-02 08:00:00\t1\t0\t1\t0\r\n";
    let log = format!(
        "{punch}ZZZZZZZZZZ\t2047-02-30 99:99:99\r\n{punch}8\t2024-01-02 08:01:00\t1\t0\t1\t0\r\n"
    );
    dir.file("3_attlog.dat", log.as_bytes());
    let o = bioport(&["check", "3_attlog.dat"], &dir.0);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let hint = out
        .lines()
        .find_map(|l| l.strip_prefix("  to repair: bioport "));
    let hint = hint.unwrap_or_else(|| panic!("no repair hint: {out}"));
    let (command, what) = hint.split_once(" writes ").unwrap();
    assert_eq!(
        command,
        "convert 3_attlog.dat --to attlog --remove-duplicates -o repaired_3_attlog.dat"
    );
    assert_eq!(
        what,
        "the log without the damaged lines and the exact duplicates."
    );
    let args: Vec<&str> = command.split(' ').collect();
    let o = bioport(&args, &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let repaired = fs::read(dir.0.join("repaired_3_attlog.dat")).unwrap();
    let expected = format!("{punch}8\t2024-01-02 08:01:00\t1\t0\t1\t0\r\n");
    assert_eq!(String::from_utf8(repaired).unwrap(), expected);
    let o = bioport(&["check", "repaired_3_attlog.dat"], &dir.0);
    assert_eq!(o.status.code(), Some(0));
    assert!(!stdout(&o).contains("to repair"), "{}", stdout(&o));
}

#[test]
fn convert_moves_users_between_the_clock_and_biostar_and_repairs_attlogs() {
    let dir = TempDir::new("clock-convert");
    let record = common::zk_fixture("user_dat_72byte_record_from_zk-protocol_doc.bin");
    dir.file("user.dat", &record);
    // user.dat -> BioStar CSV: what does not carry is reported; the CSV passes the rules.
    let o = bioport(
        &[
            "convert",
            "user.dat",
            "--to",
            "biostar-csv",
            "-o",
            "users.csv",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    says(
        &o,
        "uid 13 (555): group 2 does not carry; time zones do not carry; ",
    );
    says(&o, "the password is not 4 to 16 digits");
    // As on the page, PINs go only when asked for; no BOM, as the workbench's import file.
    assert_eq!(
        fs::read(dir.path("users.csv")).unwrap(),
        b"user_id,name,csn\r\n555,Ned,222\r\n"
    );
    let o = bioport(
        &[
            "convert",
            "user.dat",
            "--to",
            "biostar-csv",
            "-o",
            "pins.csv",
            "--carry-pins",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        fs::read(dir.path("pins.csv")).unwrap(),
        b"user_id,name,csn,pin\r\n555,Ned,222,\r\n"
    );
    assert_eq!(
        bioport(&["check", "users.csv"], &dir.0).status.code(),
        Some(0)
    );
    // ... and back, keeping the user's uid and every byte of its record.
    let o = bioport(
        &[
            "convert",
            "users.csv",
            "--to",
            "user-dat",
            "-o",
            "back.dat",
            "--users",
            "user.dat",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(fs::read(dir.path("back.dat")).unwrap(), record);

    // An attendance log, repaired: the damaged lines go, every other line stays as it was.
    let log = common::zk_fixture("attlog_E_CHECKHELPER_nul_hole_excerpt.bin");
    dir.file("2_attlog.dat", &log);
    let o = bioport(
        &[
            "convert",
            "2_attlog.dat",
            "--to",
            "attlog",
            "-o",
            "fixed_attlog.dat",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let kept: Vec<u8> = log
        .split_inclusive(|&b| b == b'\n')
        .enumerate()
        .filter(|(i, _)| ![0, 4, 7].contains(i))
        .flat_map(|(_, l)| l.to_vec())
        .collect();
    assert_eq!(fs::read(dir.path("fixed_attlog.dat")).unwrap(), kept);
    let o = bioport(
        &[
            "convert",
            "2_attlog.dat",
            "--to",
            "punches-csv",
            "-o",
            "p.csv",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(0));
    let punches = String::from_utf8(fs::read(dir.path("p.csv")).unwrap()).unwrap();
    assert!(
        punches.starts_with("\u{feff}user_id,name,date,time,status,verify,workcode\r\n"),
        "{punches}"
    );
    assert_eq!(punches.lines().count(), 6);
    // A target the input cannot become.
    let o = bioport(
        &["convert", "2_attlog.dat", "--to", "user-dat", "-o", "x.dat"],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("It takes --to attlog (repair) or --to punches-csv."));
}

/// A `template.dat` of 608-byte records, one per (uid, finger, valid).
fn template_dat(records: &[(u16, u8, bool)]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for &(uid, finger, valid) in records {
        let mut record = vec![0x5au8; 608];
        record[0..2].copy_from_slice(&608u16.to_le_bytes());
        record[2..4].copy_from_slice(&uid.to_le_bytes());
        record[4] = finger;
        record[5] = u8::from(valid);
        bytes.extend(record);
    }
    bytes
}

#[test]
fn templates_are_checked_against_the_users_and_keep_their_uids_from_new_users() {
    let dir = TempDir::new("clock-templates");
    let record = common::zk_fixture("user_dat_72byte_record_from_zk-protocol_doc.bin");
    dir.file("user.dat", &record);
    // uid 13 is Ned's; uid 1 has templates but no user.
    dir.file(
        "template.dat",
        &template_dat(&[(13, 0, true), (13, 1, false), (1, 6, true)]),
    );
    let o = bioport(&["check", "template.dat"], &dir.0);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("3 records (2 valid) of 2 uids"), "{out}");
    assert!(
        out.contains("uid 13: 0 (608 bytes), 1 (608 bytes, not valid)"),
        "{out}"
    );
    let o = bioport(&["check", "template.dat", "--users", "user.dat"], &dir.0);
    let out = stdout(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "an orphan template is a problem: {out}"
    );
    assert!(
        out.contains("uid 13    user 555 Ned: 0 (608 bytes)"),
        "{out}"
    );
    assert!(
        out.contains("template without a user: uid 1: 1 record\n"),
        "{out}"
    );
    let o = bioport(
        &["check", "template.dat", "--users", "user.dat", "--json"],
        &dir.0,
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["templates"]["records"], 3);
    assert_eq!(
        v["links"]["templates_without_user"][0],
        serde_json::json!([1, 1])
    );

    // A new user from a CSV takes neither Ned's uid nor the orphan templates' uid 1.
    dir.file("users.csv", b"user_id,name\r\n555,Ned\r\n600,Ann\r\n");
    let args = [
        "convert",
        "users.csv",
        "--to",
        "user-dat",
        "-o",
        "new.dat",
        "--users",
        "user.dat",
    ];
    let o = bioport(
        &[&args[..], &["--templates", "template.dat"]].concat(),
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    says(&o, "1 added, 0 updated, 2 in all");
    let written = fs::read(dir.path("new.dat")).unwrap();
    assert_eq!(written.len(), 144);
    assert_eq!(
        &written[..72],
        &record[..],
        "Ned's record is kept byte for byte"
    );
    assert_eq!(
        u16::from_le_bytes([written[72], written[73]]),
        2,
        "Ann gets uid 2, not 1"
    );
    // Without the templates, uid 1 is free.
    let o = bioport(&args, &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let written = fs::read(dir.path("new.dat")).unwrap();
    assert_eq!(u16::from_le_bytes([written[72], written[73]]), 1);
}

#[test]
fn users_that_the_clock_or_the_csv_cannot_carry_stop_the_write_and_are_named() {
    let dir = TempDir::new("clock-unfit");
    let record = common::zk_fixture("user_dat_72byte_record_from_zk-protocol_doc.bin");
    dir.file("user.dat", &record);
    // Written again in its own size it is the same file; in 28-byte records Ned's three
    // time zones do not fit, and nothing is written.
    let o = bioport(
        &["convert", "user.dat", "--to", "user-dat", "-o", "same.dat"],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(fs::read(dir.path("same.dat")).unwrap(), record);
    let o = bioport(
        &[
            "convert",
            "user.dat",
            "--to",
            "user-dat",
            "-o",
            "narrow.dat",
            "--write-records",
            "28",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1));
    says(
        &o,
        "does not fit: uid 13 (555): 28-byte records hold one time zone only",
    );
    assert!(!dir.path("narrow.dat").exists());
    // CSV rows: one without an ID, one repeating an ID, one whose ID a 28-byte record
    // would change: each is named, and nothing is written.
    dir.file(
        "users.csv",
        b"user_id,name\r\n7,Ann\r\n,Bob\r\n7,Ann B\r\n007,Cy\r\n",
    );
    let o = bioport(
        &[
            "convert",
            "users.csv",
            "--to",
            "user-dat",
            "-o",
            "u.dat",
            "--write-records",
            "28",
        ],
        &dir.0,
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("line 3 of the CSV, no user ID: not taken, as the row has no user ID"),
        "{out}"
    );
    assert!(out.contains("(7): line 2 has the same user ID"), "{out}");
    assert!(
        out.contains("the user ID \"007\" would be written as 7: 28-byte records hold a number"),
        "{out}"
    );
    assert!(!dir.path("u.dat").exists());
    // --record-size with no user.dat beside: the records written.
    dir.file("ok.csv", b"user_id,name\r\n7,Ann\r\n");
    let o = bioport(
        &[
            "convert",
            "ok.csv",
            "--to",
            "user-dat",
            "-o",
            "ok.dat",
            "--record-size",
            "28",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(fs::read(dir.path("ok.dat")).unwrap().len(), 28);
    // A user.dat read as records it does not divide into (but the other size does): no
    // user.dat as read, so nothing is written.
    let o = bioport(
        &[
            "convert",
            "user.dat",
            "--to",
            "user-dat",
            "-o",
            "cut.dat",
            "--record-size",
            "28",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("user.dat: This does not look like a user.dat of 28-byte records: its length (72 bytes) divides by 72, not by 28"), "{err}");
    assert!(!dir.path("cut.dat").exists());
}

#[test]
fn a_copy_of_a_user_dat_is_read_with_its_findings_and_binary_is_never_sent_to_a_csv() {
    let dir = TempDir::new("clock-user-copy");
    let bytes = [
        user_record(1, "1001", b"Ann"),
        user_record(2, "1002", b"Bob"),
        user_record(3, &"A".repeat(24), &[b'X'; 23]),
    ]
    .concat();
    for name in ["user (1).dat", "t2_user.dat", "users.dat", "user.dat.bak"] {
        dir.file(name, &bytes);
        let o = bioport(&["check", name], &dir.0);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {out}{}", stderr(&o));
        assert!(out.contains(&format!("{name}: 3 users")), "{out}");
        assert!(out.contains("the user ID fills all 24 bytes"), "{out}");
        let o = bioport(&["inspect", name], &dir.0);
        says(&o, "Time clock user.dat (72-byte records)");
    }
    // --record-size reads any file as a user.dat.
    dir.file("dump.bin", &bytes);
    let o = bioport(&["check", "dump.bin", "--record-size", "72"], &dir.0);
    says(&o, "72-byte records, chosen by you");
    // Binary bytes that are nothing bioport reads are said to be binary, not "choose a CSV".
    let noise = noise(1000);
    dir.file("user (2).dat", &noise);
    for args in [
        &["check", "user (2).dat"][..],
        &[
            "convert",
            "user (2).dat",
            "--to",
            "biostar-csv",
            "-o",
            "x.csv",
        ][..],
    ] {
        let o = bioport(args, &dir.0);
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        assert!(
            err.starts_with("bioport: user (2).dat is not a file bioport reads: it is binary ("),
            "{err}"
        );
        assert!(!err.contains("Choose the CSV"), "{err}");
    }
}

#[test]
fn a_face_file_of_twelve_records_a_user_has_no_index_problem() {
    let dir = TempDir::new("clock-faces");
    let mut faces = Vec::new();
    for uid in [1u16, 7] {
        for index in 0..12u8 {
            let mut r = vec![0u8; 2576];
            r[0..2].copy_from_slice(&2576u16.to_le_bytes());
            r[2..4].copy_from_slice(&uid.to_le_bytes());
            r[4] = index;
            r[5] = 1;
            faces.extend(r);
        }
    }
    dir.file("ssrface.dat", &faces);
    let o = bioport(&["check", "ssrface.dat"], &dir.0);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("24 records (24 valid) of 2 uids"), "{out}");
    assert!(out.contains("10 (2576 bytes), 11 (2576 bytes)"), "{out}");
    assert!(!out.contains("problem"), "{out}");
    faces[4] = 12;
    dir.file("ssrface.dat", &faces);
    let o = bioport(&["check", "ssrface.dat"], &dir.0);
    assert_eq!(o.status.code(), Some(1));
    says(&o, "problem: Byte 0 (uid 1): face index 12 is not 0 to 11;");
}

#[test]
fn templates_without_a_user_dat_are_not_called_orphans_and_count_every_uid() {
    let dir = TempDir::new("clock-no-users");
    dir.file(
        "template.dat",
        &template_dat(&[(1, 0, true), (1, 1, true), (2, 0, false), (99, 3, true)]),
    );
    let o = bioport(&["check", "template.dat"], &dir.0);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(!out.contains("no user in user.dat"), "{out}");
    assert_eq!(
        out.matches("no user.dat given, so the uids are not checked against users; add --users user.dat to check them").count(),
        1,
        "{out}"
    );
    assert!(
        out.contains("\n  uid 2: 0 (608 bytes, not valid)\n"),
        "{out}"
    );
    assert!(out.contains("4 records (3 valid) of 3 uids"), "{out}");
    let o = bioport(&["inspect", "template.dat"], &dir.0);
    assert!(
        stdout(&o).contains("4 templates, 3 valid, 3 users"),
        "the uids listed: {}",
        stdout(&o)
    );
}

#[test]
fn users_of_the_user_dat_that_the_csv_does_not_list_are_counted_and_named() {
    let dir = TempDir::new("clock-kept");
    let users: Vec<u8> = (1..=4u16)
        .flat_map(|uid| user_record(uid, &format!("10{uid}"), b"Old"))
        .collect();
    dir.file("user.dat", &users);
    dir.file(
        "edit.csv",
        b"user_id,name\r\n101,Old\r\n102,New Name\r\n200,Ann\r\n",
    );
    let o = bioport(
        &[
            "convert", "edit.csv", "--to", "user-dat", "-o", "x.dat", "--users", "user.dat",
        ],
        &dir.0,
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(
        out.contains(
            "Users from edit.csv: 1 added, 1 updated, 2 kept that the CSV does not list, 5 in all"
        ),
        "{out}"
    );
    assert!(
        out.contains("  note: 2 users of user.dat are not in edit.csv but are kept, with their access to the clock: user IDs 103, 104. If any of them has left, delete them on the clock after the upload."),
        "{out}"
    );
    assert_eq!(fs::read(dir.path("x.dat")).unwrap().len(), 5 * 72);
}

#[test]
fn a_replacement_character_in_the_csv_stops_the_write_and_is_named() {
    let dir = TempDir::new("clock-fffd");
    dir.file(
        "u.csv",
        "user_id,name\r\n111,Kim\r\n112,\u{FFFD}\u{FFFD}ö\r\n".as_bytes(),
    );
    let o = bioport(
        &["convert", "u.csv", "--to", "user-dat", "-o", "x.dat"],
        &dir.0,
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("does not fit: line 3 of the CSV, uid 2 (112): the name \"\u{FFFD}\u{FFFD}ö\" holds \u{FFFD}, a character that did not decode in the file it came from; it would be written to the clock as that replacement character. Read the file it came from in its right code page, or fix the name there"),
        "{out}"
    );
    assert!(!dir.path("x.dat").exists());
}

#[test]
fn a_duplicate_uid_in_a_user_dat_names_the_other_users_id() {
    let dir = TempDir::new("clock-dup-uid");
    let bytes = [user_record(2, "005", b"Ann"), user_record(2, "007", b"Bob")].concat();
    dir.file("user.dat", &bytes);
    let o = bioport(&["check", "user.dat"], &dir.0);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("does not fit: uid 2 (007): uid 2 is also that of user 005, in the user.dat as read: the clock holds both"),
        "{out}"
    );
}

#[test]
fn a_refused_csv_suggests_72_byte_records_only_when_they_were_not_chosen() {
    let dir = TempDir::new("clock-suggest");
    dir.file("u.csv", b"user_id,name\r\n1,Abcdefghijklmnopqrstuvwxyz\r\n");
    let args = [
        "convert",
        "u.csv",
        "--to",
        "user-dat",
        "-o",
        "x.dat",
        "--write-records",
    ];
    let o = bioport(&[&args[..], &["72"]].concat(), &dir.0);
    assert_eq!(o.status.code(), Some(1));
    says(&o, "takes 26 bytes in UTF-8; the clock holds 23");
    assert_eq!(
        stderr(&o).trim_end(),
        "bioport: nothing was written: fix the users above in the CSV, or on the clock where a note says so, and convert again"
    );
    let o = bioport(&[&args[..], &["28"]].concat(), &dir.0);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("fix the users above in the CSV (or choose 72-byte records with --write-records 72), or on the clock"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn random_bytes_named_user_dat_are_refused_as_not_a_clocks_file() {
    let dir = TempDir::new("clock-random-users");
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..5000)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect();
    dir.file("user.dat", &bytes);
    let o = bioport(&["check", "user.dat"], &dir.0);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.starts_with("bioport: user.dat: This does not look like a user.dat from a clock: "),
        "{err}"
    );
    assert!(
        err.contains(" records read as 72-byte users are not user records ("),
        "{err}"
    );
    let o = bioport(&["check", "user.dat", "--json"], &dir.0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["error"]
        .as_str()
        .unwrap()
        .contains("does not look like a user.dat"));
}

#[test]
fn a_file_forced_through_record_size_is_named_by_the_record_size_asked() {
    let dir = TempDir::new("clock-forced-kind");
    // 1008 bytes: whole records of 28 and of 72, and nothing the recognizer knows.
    let noise = noise(1008);
    dir.file("dump.bin", &noise);
    for size in ["28", "72"] {
        let args = ["convert", "dump.bin", "--to", "attlog", "-o", "x.dat"];
        let o = bioport(&[&args[..], &["--record-size", size]].concat(), &dir.0);
        assert_eq!(o.status.code(), Some(2), "{size}: {}", stdout(&o));
        let said = format!(
            "bioport: dump.bin is a Time clock user.dat ({size}-byte records): convert does not turn it into attlog."
        );
        assert!(stderr(&o).starts_with(&said), "{size}: {}", stderr(&o));
    }
}

#[test]
fn binary_bytes_named_like_an_attlog_are_refused_as_no_log_by_check_and_inspect() {
    let dir = TempDir::new("clock-binary-attlog");
    let bytes = noise(5000);
    dir.file("1_attlog.dat", &bytes);
    let said =
        "1_attlog.dat is named like a clock's attendance log (*_attlog.dat), but it is not text: ";
    let o = bioport(&["check", "1_attlog.dat"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with(&format!("bioport: Not a file bioport reads: {said}")),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("CSV"), "{}", stderr(&o));
    let o = bioport(&["inspect", "1_attlog.dat"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains(said), "{}", stdout(&o));
}

#[test]
fn a_csv_becomes_a_user_dat_in_the_clocks_code_page_given_by_any_common_name() {
    let dir = TempDir::new("clock-gbk");
    dir.file(
        "hr.csv",
        "user_id,name\r\n1,张伟\r\n2,王秀英王秀英王秀英王秀\r\n".as_bytes(),
    );
    for label in ["gbk", "cp936"] {
        let args = ["convert", "hr.csv", "--to", "user-dat", "-o", "user.dat"];
        let o = bioport(&[&args[..], &["--clock-encoding", label]].concat(), &dir.0);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{label}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        let bytes = fs::read(dir.0.join("user.dat")).unwrap();
        assert_eq!(&bytes[11..15], b"\xd5\xc5\xce\xb0", "张伟 in GBK ({label})");
        let (name, _, _) = encoding_rs::GBK.decode(&bytes[72 + 11..72 + 11 + 22]);
        assert_eq!(
            name, "王秀英王秀英王秀英王秀",
            "22 bytes in GBK fit ({label})"
        );
    }
    // A character GBK cannot write stops the write and is named.
    dir.file(
        "emoji.csv",
        "user_id,name\r\n3,\u{1F600}smile\r\n".as_bytes(),
    );
    let args = [
        "convert",
        "emoji.csv",
        "--to",
        "user-dat",
        "-o",
        "e.dat",
        "--clock-encoding",
        "gbk",
    ];
    let o = bioport(&args, &dir.0);
    assert_eq!(o.status.code(), Some(1));
    says(&o, "has characters GBK cannot write");
    assert!(!dir.0.join("e.dat").exists());
    // cp949 names Korean's code page as the CSV's --encoding does.
    let o = bioport(&["check", "user.dat", "--clock-encoding", "cp949"], &dir.0);
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn names_of_a_user_dat_that_do_not_decode_are_said_when_they_reach_a_punches_csv() {
    let dir = TempDir::new("clock-fffd-punches");
    let gbk = encoding_rs::GBK.encode("王伟").0.into_owned();
    dir.file("user.dat", &user_record(1, "1001", &gbk));
    dir.file(
        "1_attlog.dat",
        b"1001\t2024-03-01 08:00:00\t1\t0\t1\t0\r\n\r\n1001\t2024-03-01 17:00:00\t1\t1\t1\t0\r\n",
    );
    let o = bioport(&["check", "1_attlog.dat"], &dir.0);
    says(&o, "  1 blank line (not punches; a repair leaves them out with the damaged lines, or keeps them in place with --keep-damaged)");
    let args = [
        "convert",
        "1_attlog.dat",
        "--to",
        "punches-csv",
        "--users",
        "user.dat",
        "-o",
        "p.csv",
    ];
    let o = bioport(&args, &dir.0);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    says(&o, "of the name did not decode as UTF-8, shown as");
    // With the clock's code page, the name is joined whole and nothing is said.
    let o = bioport(&[&args[..], &["--clock-encoding", "gbk"]].concat(), &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let csv = fs::read_to_string(dir.0.join("p.csv")).unwrap();
    assert!(csv.contains("1001,王伟,2024-03-01"), "{csv}");
}

#[test]
fn a_punch_ending_in_stray_crs_is_kept_and_a_long_run_of_0xff_is_erased_flash() {
    let dir = TempDir::new("clock-stray-cr");
    let log = b"     1001\t2024-03-01 18:00:00\t1\t1\t1\t0\r\r\n";
    dir.file("1_attlog.dat", log);
    let o = bioport(&["check", "1_attlog.dat"], &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    says(&o, "1 line, 1 punch, 0 damaged lines");
    let args = [
        "convert",
        "1_attlog.dat",
        "--to",
        "attlog",
        "-o",
        "fixed.dat",
    ];
    let o = bioport(&args, &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(fs::read(dir.path("fixed.dat")).unwrap(), log);
    dir.file("2_attlog.dat", &[0xFF; 64 * 1024]);
    let o = bioport(&["check", "2_attlog.dat"], &dir.0);
    says(&o, "Line 1 (byte 0): a record from erased flash");
}

#[test]
fn punch_ids_are_read_in_the_clocks_code_page_and_one_that_does_not_decode_is_said() {
    let dir = TempDir::new("clock-cp949-ids");
    let kim = encoding_rs::EUC_KR.encode("김철").0.into_owned();
    let mut user = user_record(1, "", b"Kim");
    user[48..48 + kim.len()].copy_from_slice(&kim);
    dir.file("user.dat", &user);
    dir.file(
        "1_attlog.dat",
        b"  \xb1\xe8\xc3\xb6\t2024-03-01 17:00:00\t1\t1\t2\t0\r\n",
    );
    let args = [
        "convert",
        "1_attlog.dat",
        "--to",
        "punches-csv",
        "-o",
        "p.csv",
        "--users",
        "user.dat",
    ];
    let o = bioport(
        &[&args[..], &["--clock-encoding", "cp949"]].concat(),
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let csv = fs::read_to_string(dir.path("p.csv")).unwrap();
    assert!(csv.contains("김철,Kim,2024-03-01"), "{csv}");
    // Read as UTF-8, the ID is said with its line and byte, and the run exits 1.
    let o = bioport(&args, &dir.0);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    says(&o, "user ID does not decode: Line 1 (byte 0): ");
    // Both that and the user.dat's own finding name the page's choice and the option.
    let hint = "If that is wrong, choose the clock's code page: Code page under user.dat on the page, --clock-encoding on the command line.";
    says(&o, &format!("in the CSV (\"\u{FFFD}\u{FFFD}ö\"). {hint}"));
    let o = bioport(&["check", "user.dat"], &dir.0);
    says(&o, "user ID: 2 byte sequences did not decode in UTF-8");
    says(&o, "problem: Byte 48 (record 1, uid 1): ");
    says(&o, &format!("shown as \u{FFFD}. {hint}"));
}

#[test]
fn a_user_dat_read_in_a_wrong_code_page_is_refused_with_the_clocks_code_page_to_choose() {
    let dir = TempDir::new("clock-28-cp949");
    let mut record = vec![0u8; 28];
    record[0] = 1;
    record[8..12].copy_from_slice(&encoding_rs::EUC_KR.encode("김철").0);
    record[21] = 1;
    record[24] = 7;
    dir.file("u28_user.dat", &record);
    let args = [
        "convert",
        "u28_user.dat",
        "--to",
        "user-dat",
        "-o",
        "u72_user.dat",
        "--write-records",
        "72",
    ];
    let o = bioport(&args, &dir.0);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("the user.dat was read as UTF-8, and some of its names or user IDs do not decode in it: choose the clock's code page with --clock-encoding"), "{err}");
    assert!(!stdout(&o).contains("in the CSV"), "{}", stdout(&o));
    assert!(!dir.path("u72_user.dat").exists());
    let o = bioport(
        &[&args[..], &["--clock-encoding", "cp949"]].concat(),
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn a_card_two_users_hold_stops_a_write_from_a_csv_and_is_found_by_check() {
    let dir = TempDir::new("clock-dup-card");
    dir.file(
        "dupcard.csv",
        b"user_id,name,csn\r\n1,Ann,500\r\n2,Bob,500\r\n",
    );
    let o = bioport(
        &["convert", "dupcard.csv", "--to", "user-dat", "-o", "u.dat"],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1));
    says(
        &o,
        "uid 2 (2): card 500 is also that of the user with uid 1 (user ID \"1\")",
    );
    assert!(!dir.0.join("u.dat").exists(), "nothing is written");
    let mut old = user_record(1, "1", b"Ann");
    old[35..39].copy_from_slice(&500u32.to_le_bytes());
    dir.file("old.dat", &old);
    dir.file("new.csv", b"user_id,name,csn\r\n3,Cy,500\r\n");
    let args = [
        "convert", "new.csv", "--to", "user-dat", "--users", "old.dat", "-o", "u.dat",
    ];
    let o = bioport(&args, &dir.0);
    assert_eq!(o.status.code(), Some(1));
    says(&o, "card 500 is also that of the user with uid 1");
    let mut both = old.clone();
    both.extend(user_record(2, "2", b"Bob"));
    both[72 + 35..72 + 39].copy_from_slice(&500u32.to_le_bytes());
    dir.file("both.dat", &both);
    let o = bioport(&["check", "both.dat"], &dir.0);
    assert_eq!(o.status.code(), Some(1));
    says(&o, "uid 2 (2): card 500 is also that of the user with uid 1 (user ID \"1\"), in the user.dat as read");
}

#[test]
fn a_user_id_two_users_of_the_user_dat_share_is_written_back_and_said_not_blamed_on_the_csv() {
    let dir = TempDir::new("clock-dup-id");
    let dat = [
        user_record(1, "1001", b"Ann"),
        user_record(11, "1001", b"Other"),
    ]
    .concat();
    dir.file("user.dat", &dat);
    let o = bioport(
        &["convert", "user.dat", "--to", "user-dat", "-o", "out.dat"],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1), "written, with the duplicate said");
    says(&o, "held by the clock: uid 11 (1001): user ID \"1001\" is also that of the user with uid 1, in the user.dat as read");
    says(&o, "Remove or renumber one of them on the clock");
    assert_eq!(fs::read(dir.0.join("out.dat")).unwrap(), dat);
    dir.file("one.csv", b"user_id,name\r\n3003,New\r\n");
    let args = [
        "convert", "one.csv", "--to", "user-dat", "--users", "user.dat", "-o", "one.dat",
    ];
    let o = bioport(&args, &dir.0);
    assert_eq!(o.status.code(), Some(1));
    assert!(dir.0.join("one.dat").exists(), "{}", stderr(&o));
    dir.file("amb.csv", b"user_id,name\r\n1001,X\r\n");
    let args = [
        "convert", "amb.csv", "--to", "user-dat", "--users", "user.dat", "-o", "amb.dat",
    ];
    let o = bioport(&args, &dir.0);
    says(
        &o,
        "is held by the users with uids 1 and 11 in the user.dat, so the row cannot say which",
    );
    assert!(!dir.0.join("amb.dat").exists());
    dir.file(
        "1_attlog.dat",
        b"     1001\t2024-03-04 08:01:02\t1\t0\t1\t0\r\n",
    );
    let args = [
        "convert",
        "1_attlog.dat",
        "--to",
        "punches-csv",
        "--users",
        "user.dat",
        "-o",
        "p.csv",
    ];
    let o = bioport(&args, &dir.0);
    assert_eq!(o.status.code(), Some(1));
    says(
        &o,
        "no name: user ID \"1001\" is that of the users with uids 1 and 11",
    );
    let csv = fs::read_to_string(dir.0.join("p.csv")).unwrap();
    assert!(csv.contains("\n1001,,2024-03-04,"), "{csv}");
}

#[test]
fn cells_equal_to_the_user_dat_are_unchanged_and_a_trim_or_a_control_character_is_named() {
    let dir = TempDir::new("clock-trim");
    let dat = [
        user_record(9, "900", b"  Space Name "),
        user_record(10, "  77", b"Seven"),
    ]
    .concat();
    dir.file("user.dat", &dat);
    let o = bioport(
        &["convert", "user.dat", "--to", "biostar-csv", "-o", "u.csv"],
        &dir.0,
    );
    says(
        &o,
        "uid 10 (  77): the user ID \"  77\" is written as \"77\"",
    );
    let args = [
        "convert", "u.csv", "--to", "user-dat", "--users", "user.dat", "-o", "back.dat",
    ];
    let o = bioport(&args, &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    says(&o, "0 added, 0 updated");
    assert_eq!(fs::read(dir.0.join("back.dat")).unwrap(), dat);
    dir.file("new.csv", b"user_id,name\r\n 5 ,\" Eve \"\r\n");
    let o = bioport(
        &["convert", "new.csv", "--to", "user-dat", "-o", "new.dat"],
        &dir.0,
    );
    says(&o, "user 5: the user ID \" 5 \" is written as \"5\" (spaces around it trimmed); user 5: the name \" Eve \" is written as \"Eve\"");
    dir.file("tab.csv", b"user_id,name,csn\r\n5,Tab\tName, 77 \r\n");
    let o = bioport(
        &["convert", "tab.csv", "--to", "user-dat", "-o", "tab.dat"],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1));
    says(&o, "the name \"Tab\\tName\" holds a control character");
    says(&o, "card \" 77 \" has spaces around it");
}

#[test]
fn templates_that_do_not_carry_to_biostar_are_said_per_user() {
    let dir = TempDir::new("clock-templates-carry");
    let dat = [user_record(1, "1", b"Ann"), user_record(3, "3", b"Cy")].concat();
    dir.file("user.dat", &dat);
    dir.file(
        "template.dat",
        &template_dat(&[(1, 0, true), (1, 1, true), (3, 0, true)]),
    );
    let args = [
        "convert",
        "user.dat",
        "--to",
        "biostar-csv",
        "--templates",
        "template.dat",
        "-o",
        "u.csv",
    ];
    let o = bioport(&args, &dir.0);
    assert_eq!(o.status.code(), Some(1));
    says(&o, "uid 1 (1): 2 fingerprint templates (fingers 0, 1) do not carry: enrol them again on BioStar");
    says(
        &o,
        "uid 3 (3): 1 fingerprint template (finger 0) does not carry: enrol it again on BioStar",
    );
}

#[test]
fn a_user_disabled_on_the_clock_is_left_out_of_the_biostar_csv_unless_asked_for() {
    let dir = TempDir::new("clock-disabled");
    let mut gone = user_record(2, "102", b"Gone");
    gone[2] = 1; // privilege bit 0: disabled
    let dat = [user_record(1, "101", b"Ann"), gone].concat();
    dir.file("user.dat", &dat);
    let convert = ["convert", "user.dat", "--to", "biostar-csv", "-o", "u.csv"];
    let o = bioport(&convert, &dir.0);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a user left out is a problem said"
    );
    says(&o, "wrote u.csv: 1 user; 1 user disabled on the clock left out (named below): --include-disabled carries it, enabled");
    says(
        &o,
        "uid 2 (102): left out of the CSV: disabled on the clock, and a BioStar user CSV has no field that disables a user (it would arrive enabled); --include-disabled carries it, enabled\n",
    );
    let csv = fs::read_to_string(dir.0.join("u.csv")).unwrap();
    assert_eq!(csv, "user_id,name,csn\r\n101,Ann,\r\n");
    let o = bioport(&[&convert[..], &["--include-disabled"]].concat(), &dir.0);
    says(&o, "wrote u.csv: 2 users");
    says(
        &o,
        "uid 2 (102): disabled on the clock; BioStar gets the user enabled",
    );
    let csv = fs::read_to_string(dir.0.join("u.csv")).unwrap();
    assert!(csv.ends_with("102,Gone,\r\n"), "{csv}");
}

#[test]
fn a_record_size_forced_against_the_files_length_says_to_try_the_other_as_the_page_does() {
    let dir = TempDir::new("clock-forced-size");
    let wide = [1u16, 2, 3].map(|uid| user_record(uid, &format!("10{uid}"), b"Ann"));
    dir.file("ok72.dat", &wide.concat());
    let narrow = [1u16, 2, 3].map(|uid| user_record28(uid, 100 + u32::from(uid), b"Bo"));
    dir.file("ok28.dat", &narrow.concat());
    for (file, forced, other, len) in [("ok72.dat", "28", "72", 216), ("ok28.dat", "72", "28", 84)]
    {
        let o = bioport(&["check", file, "--record-size", forced], &dir.0);
        assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
        let err = stderr(&o);
        let said = format!("bioport: {file}: This does not look like a user.dat of {forced}-byte records: its length ({len} bytes) divides by {other}, not by {forced}");
        assert!(err.starts_with(&said), "{err}");
        assert!(
            err.contains(&format!("Try the other record size ({other} bytes)")),
            "{err}"
        );
        assert!(!err.contains("Copy user.dat"), "{err}");
        let o = bioport(&["check", file, "--record-size", other], &dir.0);
        assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
        says(&o, &format!("{file}: 3 users"));
    }
}

#[test]
fn an_attlog_saved_with_a_utf8_bom_is_said_read_as_its_user_ids_and_repaired_without_it() {
    let dir = TempDir::new("clock-attlog-bom");
    let lines = "      101\t2024-03-01 08:00:00\t1\t0\t1\t0\r\n";
    dir.file(
        "1_attlog.dat",
        &[b"\xEF\xBB\xBF", lines.as_bytes()].concat(),
    );
    let o = bioport(&["check", "1_attlog.dat"], &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    says(&o, "Byte 0: a UTF-8 byte order mark (EF BB BF)");
    says(&o, "  101          2024-03-01 08:00:00");
    dir.file("user.dat", &user_record(1, "101", b"Ann"));
    let args = [
        "convert",
        "1_attlog.dat",
        "--to",
        "punches-csv",
        "--users",
        "user.dat",
    ];
    let o = bioport(&[&args[..], &["-o", "p.csv"]].concat(), &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let csv = fs::read_to_string(dir.path("p.csv")).unwrap();
    assert!(csv.contains("\r\n101,Ann,2024-03-01"), "{csv}");
    let o = bioport(
        &["convert", "1_attlog.dat", "--to", "attlog", "-o", "r.dat"],
        &dir.0,
    );
    says(&o, "; the UTF-8 byte order mark at byte 0 removed");
    assert_eq!(fs::read(dir.path("r.dat")).unwrap(), lines.as_bytes());
}

#[test]
fn check_and_convert_say_a_users_card_privilege_and_time_zones_in_the_pages_words() {
    let dir = TempDir::new("clock-wording");
    let mut odd = user_record(2, "102", b"Odd");
    odd[2] = 4; // a privilege no firmware writes
    dir.file("user.dat", &[user_record(1, "101", b"Ann"), odd].concat());
    let o = bioport(&["check", "user.dat"], &dir.0);
    says(
        &o,
        "Ann                      user, no password, no card, group 1, time zones group's\n",
    );
    assert!(!stdout(&o).contains("card 0"), "{}", stdout(&o));
    let o = bioport(
        &["convert", "user.dat", "--to", "biostar-csv", "-o", "u.csv"],
        &dir.0,
    );
    says(&o, "uid 2 (102): unknown privilege 4 does not carry");
    assert!(!stdout(&o).contains("privilege unknown"), "{}", stdout(&o));
}
