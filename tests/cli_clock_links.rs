//! The command line on a clock's files given together: an attendance log's punch user IDs
//! against the user.dat of `--users`, said as the page says them, and `check` refusing
//! options that do nothing for the file it is given.

#![cfg(not(target_arch = "wasm32"))]

#[path = "common/cli_support.rs"]
mod cli_support;
#[path = "common/clock_records.rs"]
#[allow(dead_code)]
mod clock_records;

use cli_support::{bioport, stderr, stdout, TempDir};
use clock_records::{says, user_record};

/// A folder with a user.dat of users 101 and 103 and a log punched by 101, 103 and 999.
fn set_with_an_unknown_punch(test: &str) -> TempDir {
    let dir = TempDir::new(test);
    let users = [user_record(1, "101", b"Ann"), user_record(2, "103", b"Bob")];
    dir.file("user.dat", &users.concat());
    let log = [
        "101\t2024-01-02 08:00:00\t0\t1\t0\t0\r\n",
        "103\t2024-01-02 08:05:00\t1\t1\t0\t0\r\n",
        "999\t2024-01-02 08:07:00\t0\t1\t0\t0\r\n",
    ];
    dir.file("1_attlog.dat", log.concat().as_bytes());
    dir
}

#[test]
fn check_of_a_log_with_users_names_the_punch_ids_no_user_has() {
    let dir = set_with_an_unknown_punch("clock-links-check");
    let o = bioport(&["check", "1_attlog.dat"], &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = bioport(&["check", "1_attlog.dat", "--users", "user.dat"], &dir.0);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    says(
        &o,
        "  punch user IDs with no user in user.dat: 1: 999 (their punches get no name)",
    );
    let args = ["check", "1_attlog.dat", "--users", "user.dat", "--json"];
    let v: serde_json::Value = serde_json::from_str(&stdout(&bioport(&args, &dir.0))).unwrap();
    assert_eq!(v["links"]["punch_ids_without_user"][0], "999");
    assert_eq!(v["links"]["punch_ids_without_user_count"], 1);
}

#[test]
fn punches_to_csv_with_users_say_which_ids_got_no_name() {
    let dir = set_with_an_unknown_punch("clock-links-convert");
    let args = [
        "convert",
        "1_attlog.dat",
        "--to",
        "punches-csv",
        "-o",
        "p.csv",
    ];
    let o = bioport(&[&args[..], &["--users", "user.dat"]].concat(), &dir.0);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    says(
        &o,
        "  punch user IDs with no user in user.dat: 1: 999 (their punches get no name)",
    );
    let csv = std::fs::read_to_string(dir.path("p.csv")).unwrap();
    assert!(csv.contains("\n101,Ann,2024-01-02"), "{csv}");
    assert!(csv.contains("\n999,,2024-01-02"), "{csv}");
}

#[test]
fn check_refuses_an_option_that_does_nothing_for_the_file_and_says_what_it_is_for() {
    let dir = set_with_an_unknown_punch("clock-links-options");
    dir.file("users.csv", b"user_id,name\n1,Ann\n");
    let cases = [
        (
            &["user.dat", "--users", "user.dat"][..],
            "--users names the user.dat beside an attendance log",
        ),
        (
            &["1_attlog.dat", "--faces", "."][..],
            "--faces checks the face image cells of a BioStar user CSV",
        ),
        (
            &["users.csv", "--users", "user.dat"][..],
            "--users names the user.dat beside",
        ),
        (
            &["1_attlog.dat", "--show-passwords"][..],
            "--show-passwords shows the passwords of a user.dat's users",
        ),
        (
            &["1_attlog.dat", "--templates", "user.dat"][..],
            "--templates names the other template files",
        ),
        (
            &["users.csv", "--record-size", "72"][..],
            "--record-size reads a user.dat",
        ),
        (
            &["1_attlog.dat", "--clock-encoding", "gbk"][..],
            "--clock-encoding reads the names and user IDs of a user.dat",
        ),
        (
            &["users.csv", "--clock-encoding", "utf-8"][..],
            "--clock-encoding reads the names and user IDs of a user.dat",
        ),
    ];
    for (args, said) in cases {
        let o = bioport(&[&["check"][..], args].concat(), &dir.0);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
        let err = stderr(&o);
        assert!(
            err.starts_with(&format!("bioport: {} is ", args[0])),
            "{err}"
        );
        assert!(err.contains(said), "{args:?}: {err}");
        assert!(
            err.trim_end().ends_with("leave it out to check this file"),
            "{err}"
        );
    }
}

#[test]
fn clock_encoding_is_refused_where_it_does_nothing_and_taken_where_it_reads_or_writes() {
    let dir = set_with_an_unknown_punch("clock-links-encoding");
    dir.file("users.csv", b"user_id,name\n1,Ann\n");
    let run = |line: &str| bioport(&line.split(' ').collect::<Vec<_>>(), &dir.0);
    // Where it reads a user.dat (alone or beside the file) or a log's user IDs, it is taken.
    for line in [
        "check user.dat",
        "check 1_attlog.dat --users user.dat",
        "convert 1_attlog.dat --to punches-csv -o p.csv",
    ] {
        let o = run(&format!("{line} --clock-encoding gbk"));
        assert_ne!(o.status.code(), Some(2), "{line}: {}", stderr(&o));
    }
    let refused = [
        (
            "1_attlog.dat --to attlog -o r.dat",
            "Time clock attendance log",
            "attlog",
        ),
        (
            "users.csv --to biostar-csv -o b.csv",
            "BioStar user CSV",
            "biostar-csv",
        ),
    ];
    for (line, kind, to) in refused {
        let (file, output) = (
            line.split(' ').next().unwrap(),
            line.rsplit(' ').next().unwrap(),
        );
        let o = run(&format!("convert {line} --clock-encoding gbk"));
        assert_eq!(o.status.code(), Some(2), "{line}: {}", stdout(&o));
        let err = stderr(&o);
        let said = format!("bioport: {file} is a {kind}");
        assert!(err.starts_with(&said), "{err}");
        let what = ": --clock-encoding is the clock's code page, which a user.dat is read in";
        assert!(err.contains(what), "{err}");
        let end = format!("--to {to} does not use it, so leave it out to convert this file");
        assert!(err.trim_end().ends_with(&end), "{err}");
        assert!(!dir.path(output).exists(), "{line}: nothing is written");
        // Without it, the same conversion runs.
        let o = run(&format!("convert {line}"));
        assert_eq!(o.status.code(), Some(0), "{line}: {}", stderr(&o));
        assert!(dir.path(output).exists(), "{line}: written");
    }
}
