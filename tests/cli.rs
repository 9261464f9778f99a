//! The command line, run as a program: `bioport check` and `bioport convert` on files in a
//! temporary folder, checking exit codes, what is printed and the bytes written.

#![cfg(not(target_arch = "wasm32"))]

#[path = "common/archives.rs"]
mod archives;
#[path = "common/cli_support.rs"]
mod cli_support;
mod common;

use std::fs;

use archives::{data_file, gzip};
use cli_support::{bioport, stderr, stdout, TempDir};

const VALID: &str = "user_id,name,department,expiry_datetime,csn\r\n\
    1,Kim,R&D,2030-12-31 23:59,100\r\n\
    2,김철수,Sales,2030-12-31 23:59,200\r\n";

/// Row 2 has a month-first date, row 3 a bad PIN, row 4 is fine.
const MIXED: &str = "user_id,name,expiry_datetime,pin\r\n\
    1,Kim,2030-12-31 23:59,1234\r\n\
    2,Lee,12/31/2030 23:59,\r\n\
    3,Park,2030-12-31 23:59,12\r\n\
    4,\"Choi, J\",2030-12-31 23:59,\r\n";

#[test]
fn check_a_valid_file_exits_0_with_a_summary() {
    let dir = TempDir::new("check-valid");
    dir.file("users.csv", VALID.as_bytes());
    let o = bioport(&["check", "users.csv"], &dir.0);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.starts_with("users.csv: "), "{out}");
    assert!(out.contains("  encoding: UTF-8 (valid UTF-8 throughout)"));
    assert!(out.contains("  delimiter: comma (comma gives 5 fields"));
    assert!(out.contains("  header: line 1"));
    assert!(out.contains("    A \"user_id\" -> User ID (user_id) [exact]"));
    assert!(out.contains("    E \"csn\" -> Card number (csn) [exact]"));
    assert!(out.contains("  rows: 2 (2 valid, 0 with warnings only, 0 with errors)"));
    assert!(!out.contains("findings:"));
}

#[test]
fn check_lists_every_finding_and_exits_1() {
    let dir = TempDir::new("check-errors");
    dir.file("users.csv", MIXED.as_bytes());
    let o = bioport(&["check", "users.csv"], &dir.0);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("  rows: 4 (1 valid, 0 with warnings only, 3 with errors)"));
    assert!(out.contains("    error          1  date.month_first           Month-first date"));
    assert!(out.contains(
        "  line 3      C   error   Line 3, column \"expiry_datetime\" (C): \"12/31/2030 23:59\" is month first"
    ));
    assert!(out.contains("  line 4      D   error   Line 4, column \"pin\" (D): a PIN must be"));
    assert!(out.contains("  line 5      B   error   Line 5, column \"name\" (B)"));
    // The manual's symbols are allowed with --no-strict-names.
    let o = bioport(&["check", "users.csv", "--no-strict-names"], &dir.0);
    assert!(stdout(&o).contains("(2 valid, 0 with warnings only, 2 with errors)"));
}

#[test]
fn check_site_options_change_the_rules() {
    let dir = TempDir::new("check-site");
    dir.file(
        "users.csv",
        b"user_id,name,expiry_datetime\nA-1,Kim,2031-06-01 00:00\n",
    );
    let o = bioport(&["check", "users.csv"], &dir.0);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("user_id.not_number"));
    let o = bioport(&["check", "users.csv", "--alphanumeric-ids"], &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = bioport(
        &[
            "check",
            "users.csv",
            "--alphanumeric-ids",
            "--expiry",
            "2030",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("date.after_2030"));
    // Dynamic site: a mobile card needs both mobile dates.
    dir.file("mobile.csv", b"user_id,csn_mobile\n1,12345\n");
    let o = bioport(&["check", "mobile.csv"], &dir.0);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("mobile cards to issue: 1"));
    let o = bioport(&["check", "mobile.csv", "--dynamic-site"], &dir.0);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("csn_mobile.dates_missing"));
}

#[test]
fn check_reading_options() {
    let dir = TempDir::new("check-reading");
    let text = "명단;;\r\n사번;이름;Vehicle\r\n1;김철수;12가3456\r\n";
    let (cp949, _, _) = encoding_rs::EUC_KR.encode(text);
    dir.file("kr.csv", &cp949);
    // Detected: CP949, semicolon, header on line 2; Vehicle is unmapped.
    let o = bioport(&["check", "kr.csv"], &dir.0);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("  encoding: CP949 (Korean Windows)"));
    assert!(out.contains("  delimiter: semicolon"));
    assert!(out.contains("  header: line 2"));
    assert!(out.contains("    C \"Vehicle\" -> Not mapped"));
    // Declared as a custom field, the file is clean.
    let o = bioport(&["check", "kr.csv", "--custom-field", "Vehicle"], &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("-> Custom field: Vehicle [exact]"));
    // Forced choices.
    let o = bioport(
        &[
            "check",
            "kr.csv",
            "--encoding",
            "euc-kr",
            "--delimiter",
            ";",
            "--header-row",
            "1",
        ],
        &dir.0,
    );
    let out = stdout(&o);
    assert!(
        out.contains("CP949 (Korean Windows) chosen by you"),
        "{out}"
    );
    assert!(out.contains("  delimiter: semicolon (semicolon chosen by you)"));
    assert!(out.contains("  header: line 1"));
    let o = bioport(&["check", "kr.csv", "--encoding", "latin-9"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown encoding \"latin-9\"; use one of utf-8, utf-8-bom"));
    let o = bioport(&["check", "kr.csv", "--delimiter", "|"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    let o = bioport(&["check", "kr.csv", "--header-row", "9"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("there is no line 9"));
    // Tab, named.
    dir.file("tab.csv", b"user_id\tname\n1\tKim\n");
    let o = bioport(&["check", "tab.csv", "--delimiter", "tab"], &dir.0);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("  delimiter: tab (tab chosen by you)"));
}

#[test]
fn chinese_and_japanese_code_pages_are_detected_and_can_be_chosen() {
    let dir = TempDir::new("check-cjk");
    let text = "user_id,name,department\r\n1,王伟,销售部\r\n2,李娜,财务部\r\n3,张敏,人事部\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    dir.file("cn.csv", &gbk);
    let o = bioport(&["check", "cn.csv"], &dir.0);
    let out = stdout(&o);
    assert!(
        out.contains("  encoding: GBK (Simplified Chinese) ("),
        "{out}"
    );
    assert!(!out.contains("Korean"), "{out}");
    let o = bioport(
        &["convert", "cn.csv", "--to", "biostar-csv", "-o", "out.csv"],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(fs::read_to_string(dir.0.join("out.csv"))
        .unwrap()
        .contains("1,王伟,销售部"));
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("user_id,name\r\n1,山田太郎\r\n");
    dir.file("jp.csv", &sjis);
    let o = bioport(&["check", "jp.csv", "--encoding", "shift_jis"], &dir.0);
    assert!(
        stdout(&o).contains("Shift_JIS (Japanese) chosen by you"),
        "{}",
        stdout(&o)
    );
    let o = bioport(&["check", "jp.csv", "--encoding", "latin-9"], &dir.0);
    assert!(
        stderr(&o).contains("gbk, big5, shift_jis"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_unreadable_files_exit_2() {
    let dir = TempDir::new("check-unreadable");
    let o = bioport(&["check", "missing.csv"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing.csv: cannot read"));
    dir.file("empty.csv", b"");
    let o = bioport(&["check", "empty.csv"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("empty.csv is empty (0 bytes)"));
    dir.file("book.csv", b"PK\x03\x04\x14\x00\x06\x00\x08\x00");
    let o = bioport(&["check", "book.csv"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("Excel workbook (.xlsx)"));
}

#[test]
fn check_json_has_the_view_and_every_finding() {
    let dir = TempDir::new("check-json");
    dir.file("users.csv", MIXED.as_bytes());
    let o = bioport(&["check", "users.csv", "--json"], &dir.0);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(v["view"]["name"], "users.csv");
    assert_eq!(v["view"]["totals"]["with_errors"], 3);
    assert_eq!(v["view"]["columns"][0]["target"], "user_id");
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3);
    assert_eq!(findings[0]["line"], 3);
    assert_eq!(findings[0]["column"], "C");
    assert_eq!(findings[0]["rule"], "date.month_first");
    assert_eq!(findings[0]["severity"], "error");
    assert_eq!(findings[1]["rule"], "pin.format");
}

#[test]
fn convert_writes_the_import_file_and_the_failed_rows_exactly() {
    let dir = TempDir::new("convert-errors");
    dir.file("users.csv", MIXED.as_bytes());
    let o = bioport(
        &[
            "convert",
            "users.csv",
            "--to",
            "biostar-csv",
            "-o",
            "ready.csv",
        ],
        &dir.0,
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("read users.csv: 4 data rows (1 valid, 0 with warnings only, 3 with errors), UTF-8, comma, header on line 1"));
    assert!(out.contains("wrote ready.csv: 1 row, 63 bytes."), "{out}");
    assert!(out.contains("wrote ready_errors.csv: 3 rows,"));
    assert_eq!(
        fs::read(dir.path("ready.csv")).unwrap(),
        b"user_id,name,expiry_datetime,pin\r\n1,Kim,2030-12-31 23:59,1234\r\n"
    );
    let errors = fs::read(dir.path("ready_errors.csv")).unwrap();
    let expected = "\u{FEFF}user_id,name,expiry_datetime,pin,Error_Description\r\n\
        2,Lee,12/31/2030 23:59,,\"Line 3, column \"\"expiry_datetime\"\" (C): \"\"12/31/2030 23:59\"\" \
        is month first (MM/DD/YYYY), which the server does not support: it reads slash dates day \
        first. For December 31, write 31/12/2030 23:59 (or 2030-12-31 23:59).\"\r\n\
        3,Park,2030-12-31 23:59,12,\"Line 4, column \"\"pin\"\" (D): a PIN must be 4 to 16 digits; \
        this one is not (value not shown). Correct it or leave it blank.\"\r\n\
        4,\"Choi, J\",2030-12-31 23:59,,\"Line 5, column \"\"name\"\" (B): \"\"Choi, J\"\" has symbols \
        that the manual allows but live servers reject (\"\"letters, numbers, spaces and \
        underscores\"\" only): ‘,’. Remove them, or turn off strict names if your server accepts them.\"\r\n";
    assert_eq!(String::from_utf8(errors).unwrap(), expected);
    assert!(!dir.path("ready.csv.bioport-partial").exists());

    // --all-rows writes every row; the failed rows are still written beside it.
    let o = bioport(
        &[
            "convert",
            "users.csv",
            "--to",
            "biostar-csv",
            "-o",
            "all.csv",
            "--all-rows",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1));
    let all = fs::read_to_string(dir.path("all.csv")).unwrap();
    assert_eq!(all.split("\r\n").count(), 6);
    assert!(all.contains("\r\n4,\"Choi, J\",2030-12-31 23:59,\r\n"));
    assert!(dir.path("all_errors.csv").exists());
}

#[test]
fn convert_a_clean_file_exits_0_without_an_error_file() {
    let dir = TempDir::new("convert-clean");
    // Semicolons, a BOM and Korean: written back as comma, no BOM, CRLF.
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice("사번;이름;부서\n1;김철수;인사\n2;\"Lee; Y\";IT\n".as_bytes());
    dir.file("kr.csv", &bytes);
    let o = bioport(
        &[
            "convert",
            "kr.csv",
            "--to",
            "biostar-csv",
            "-o",
            "kr_import.csv",
            "--no-strict-names",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        fs::read_to_string(dir.path("kr_import.csv")).unwrap(),
        "user_id,name,department\r\n1,김철수,인사\r\n2,Lee; Y,IT\r\n"
    );
    assert!(!dir.path("kr_import_errors.csv").exists());
}

#[test]
fn convert_merge_names_card_clashes_and_ids_the_export_lists_twice() {
    let dir = TempDir::new("convert-merge-cards");
    dir.file(
        "ex.csv",
        b"user_id,name,csn\n1,Kim,1001\n2,Lee,1002\n2,LeeDup,1003\n4,Choi,4004\n",
    );
    dir.file(
        "in.csv",
        b"user_id,name,csn\n3,Park,1002\n4,Choi,\n1,Kim,1001\n",
    );
    let o = bioport(
        &[
            "convert",
            "in.csv",
            "--to",
            "biostar-csv",
            "-o",
            "m.csv",
            "--existing",
            "ex.csv",
        ],
        &dir.0,
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("  Line 2, column \"csn\" (C): card 1002 is held on the server by user 2 (line 3 of ex.csv), whom the merge keeps as stored"),
        "{out}"
    );
    assert!(
        out.contains("  The server's export ex.csv lists user 2 twice (lines 3 and 4); the merge used line 3 and left line 4 out."),
        "{out}"
    );
    assert!(!out.contains("without a usable user ID"), "{out}");
    // The server would refuse user 3's row: it goes to the error file, not the import file.
    assert!(out.contains("0 new and 0 overwritten users written, 0 left out for errors, 1 for a card held on the server; 1 kept as stored, 1 already the same; 1 only in the export; rows left out of the merge (no user ID, or listed twice): 0"), "{out}");
    assert_eq!(
        fs::read_to_string(dir.path("m.csv")).unwrap(),
        "user_id,name,csn\r\n"
    );
    let errors = fs::read_to_string(dir.path("m_errors.csv")).unwrap();
    assert_eq!(
        errors,
        "\u{feff}user_id,name,csn,Error_Description\r\n3,Park,1002,\"Line 2, column \"\"csn\"\" (C): card 1002 is held on the server by user 2 (line 3 of ex.csv), whom the merge keeps as stored, and the server refuses a card another user holds. Give user 3 another card, or take the card from user 2 first.\"\r\n"
    );
}

#[test]
fn convert_merges_with_the_servers_export() {
    let dir = TempDir::new("convert-merge");
    dir.file(
        "export.csv",
        b"user_id,name,department,csn,Purpose\r\n1,Kim,R&D,100,staff\r\n2,Lee,Sales,200,staff\r\n3,Park,HR,300,\r\n",
    );
    dir.file(
        "users.csv",
        b"user_id,name,department,csn\r\n1,Kim,R&D,100\r\n2,Lee,Marketing,200\r\n3,Park,HR,\r\n5,Jung,R&D,500\r\n",
    );
    let args = |merge: &'static str, out: &'static str| {
        vec![
            "convert",
            "users.csv",
            "--to",
            "biostar-csv",
            "-o",
            out,
            "--existing",
            "export.csv",
            "--merge",
            merge,
        ]
    };
    let o = bioport(&args("keep", "keep.csv"), &dir.0);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    // Each user of the file counted once, matching the file written.
    assert!(out.contains("merge with export.csv: 1 new and 0 overwritten users written, 0 left out for errors, 0 for a card held on the server; 2 kept as stored, 1 already the same; 0 only in the export"), "{out}");
    assert!(
        out.contains("2 users you chose to keep and 1 user already the same"),
        "{out}"
    );
    assert!(out.contains("Merged with export.csv: 1 new user and 0 overwritten users written"));
    assert_eq!(
        fs::read(dir.path("keep.csv")).unwrap(),
        b"user_id,name,department,csn,Purpose\r\n5,Jung,R&D,500,\r\n"
    );
    let o = bioport(&args("overwrite", "over.csv"), &dir.0);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("1 new and 2 overwritten users written, 0 left out for errors, 0 for a card held on the server; 0 kept as stored, 1 already the same"), "{}", stdout(&o));
    assert!(stdout(&o).contains("removes the stored card of 1 user"));
    assert_eq!(
        fs::read(dir.path("over.csv")).unwrap(),
        b"user_id,name,department,csn,Purpose\r\n2,Lee,Marketing,200,staff\r\n3,Park,HR,,\r\n5,Jung,R&D,500,\r\n"
    );
    // --merge needs --existing.
    let o = bioport(
        &[
            "convert",
            "users.csv",
            "--to",
            "biostar-csv",
            "-o",
            "x.csv",
            "--merge",
            "overwrite",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.path("x.csv").exists());
}

#[test]
fn convert_refuses_what_it_cannot_write() {
    let dir = TempDir::new("convert-refuse");
    dir.file("ids.csv", b"user_id,ID\n1,2\n");
    let o = bioport(
        &["convert", "ids.csv", "--to", "biostar-csv", "-o", "out.csv"],
        &dir.0,
    );
    // "ID" also means user_id, but the exact match keeps the field: "ID" is left unmapped,
    // and its data makes the row an error.
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert_eq!(fs::read(dir.path("out.csv")).unwrap(), b"user_id\r\n");
    assert!(stdout(&o).contains("\"ID\" (B) is not mapped"));
    dir.file("noid.csv", b"name,department\nKim,R&D\n");
    let o = bioport(
        &[
            "convert",
            "noid.csv",
            "--to",
            "biostar-csv",
            "-o",
            "noid_out.csv",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no column is mapped to user_id"));
    assert!(!dir.path("noid_out.csv").exists());
    assert!(!dir.path("noid_out.csv.bioport-partial").exists());
    // An output folder that does not exist.
    dir.file("ok.csv", VALID.as_bytes());
    let o = bioport(
        &[
            "convert",
            "ok.csv",
            "--to",
            "biostar-csv",
            "-o",
            "nope/out.csv",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nope/out.csv: cannot write"));
    // Unknown target format: refused by the argument parser.
    let o = bioport(
        &["convert", "ok.csv", "--to", "xlsx", "-o", "out.csv"],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn inspect_exit_codes_tell_damaged_files_from_good_ones() {
    let dir = TempDir::new("inspect-exit");
    let (tgz, raw) = data_file();
    let good = "BioStarX_20250102_030405.tgz";
    dir.file(good, &tgz);
    let o = bioport(&["inspect", good], &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("2 entries"), "{}", stdout(&o));

    let len = tgz.len();
    let mut crc = tgz.clone();
    crc[len - 8] ^= 0xff;
    let mut length = tgz.clone();
    length[len - 4] ^= 0x01;
    let mut header = raw.clone();
    header[148] ^= 0x07; // the first entry's header checksum
    let damaged: [(&str, Vec<u8>); 4] = [
        ("truncated.tgz", tgz[..len / 2].to_vec()),
        ("crc.tgz", crc),
        ("length.tgz", length),
        ("header.tgz", gzip(&header)),
    ];
    for (name, bytes) in &damaged {
        dir.file(name, bytes);
        let o = bioport(&["inspect", name], &dir.0);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stdout(&o));
        assert!(stdout(&o).contains("problem: "), "{name}: {}", stdout(&o));
    }

    let record = common::zk_fixture("user_dat_72byte_record_from_zk-protocol_doc.bin");
    dir.file("user.dat", &record);
    let o = bioport(&["inspect", "user.dat"], &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let mut cut = record.clone();
    cut.extend_from_slice(&record[..30]);
    fs::create_dir_all(dir.path("cut")).unwrap();
    dir.file("cut/user.dat", &cut);
    let o = bioport(&["inspect", "cut/user.dat"], &dir.0);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("the last record is cut off (30 of 72 bytes)"));

    // Not a file bioport reads, and a file that is not there: 2; the worst file wins.
    dir.file("notes.bin", &[0u8, 1, 2, 3, 0xff, 0xfe, 7]);
    let o = bioport(&["inspect", "notes.bin"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    let o = bioport(&["inspect", good, "user.dat", "crc.tgz"], &dir.0);
    assert_eq!(o.status.code(), Some(1));
    let o = bioport(&["inspect", good, "missing.tgz"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    // --help states the codes.
    let help = stdout(&bioport(&["inspect", "--help"], &dir.0));
    assert!(help.contains("1  read, problems found"), "{help}");
}

#[test]
fn check_help_lists_only_what_check_takes_and_every_kind_of_file_it_reads() {
    let dir = TempDir::new("check-help");
    let o = bioport(&["check", "--help"], &dir.0);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    // Every kind of file `check` reads is named in FILE's help.
    let file = help
        .split("  <FILE>\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_default();
    for kind in [
        "user CSV",
        "user.dat",
        "attendance log",
        "template.dat",
        "template.fp10.1",
        "ssrface.dat",
        "BioStar data file (.tgz)",
    ] {
        assert!(file.contains(kind), "FILE's help names {kind}: {file}");
    }
    // What check takes is listed ...
    for option in [
        "--header-row",
        "--clock-encoding",
        "--record-size",
        "--users",
        "--templates",
        "--show-passwords",
        "--device",
        "--firmware",
        "--faces",
        "--json",
    ] {
        assert!(
            help.contains(&format!("  {option} ")) || help.contains(&format!("  {option}\n")),
            "{option}: {help}"
        );
    }
    // ... and what only convert takes is not, nor accepted.
    for option in [
        "--write-records",
        "--carry-pins",
        "--include-disabled",
        "--keep-damaged",
        "--remove-duplicates",
    ] {
        assert!(!help.contains(option), "{option} is convert's: {help}");
        let o = bioport(&["check", "users.csv", option], &dir.0);
        assert_eq!(o.status.code(), Some(2), "{option}");
        assert!(
            stderr(&o).contains(&format!("unexpected argument '{option}'")),
            "{}",
            stderr(&o)
        );
    }
    // --show-passwords is check's only: convert writes no passwords to show.
    let convert = stdout(&bioport(&["convert", "--help"], &dir.0));
    assert!(convert.contains("--carry-pins"), "{convert}");
    assert!(!convert.contains("--show-passwords"), "{convert}");
}

#[test]
fn check_refuses_device_for_a_file_that_is_no_data_file() {
    let dir = TempDir::new("check-device-csv");
    dir.file("users.csv", VALID.as_bytes());
    let o = bioport(
        &[
            "check",
            "users.csv",
            "--device",
            "BioStation 2",
            "--firmware",
            "1.9.0",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert_eq!(
        stderr(&o).trim_end(),
        "bioport: users.csv is a BioStar user CSV: --device and --firmware check a BioStar data file (.tgz) against a device, as in `bioport check BioStar2_YYYYMMDD_HHMMSS.tgz --device MODEL --firmware X.Y.Z`; leave them out to check this file"
    );
    assert!(stdout(&o).is_empty(), "nothing is checked: {}", stdout(&o));
    // With --json the refusal is the one JSON document.
    let o = bioport(
        &["check", "users.csv", "--device", "BioStation 2", "--json"],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON on stdout");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("--device and --firmware check a BioStar data file"),
        "{v}"
    );
    // A clock's file too.
    dir.file(
        "1_attlog.dat",
        &common::zk_fixture("attlog_A_Alden4891_attloger_LF_pin9.dat"),
    );
    let o = bioport(
        &["check", "1_attlog.dat", "--device", "BioStation 2"],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("1_attlog.dat is a Time clock attendance log (attlog.dat): --device and --firmware check a BioStar data file"),
        "{}",
        stderr(&o)
    );
    // Without --device the same files are checked as before.
    let o = bioport(&["check", "users.csv"], &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn json_is_always_one_json_document() {
    let dir = TempDir::new("json-always");
    dir.file("users.csv", VALID.as_bytes());
    let o = bioport(&["inspect", "users.csv", "missing.csv", "--json"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON on stdout");
    assert_eq!(v[0]["recognition"]["kind"], "biostar_csv");
    // The reading facts the page shows: encoding, delimiter, header line, and why.
    assert_eq!(v[0]["reading"]["encoding"], "utf-8");
    assert_eq!(v[0]["reading"]["delimiter"], "comma");
    assert_eq!(v[0]["reading"]["header_line"], 1);
    assert!(v[0]["reading"]["delimiter_reason"]
        .as_str()
        .unwrap()
        .starts_with("comma gives 5 fields"));
    assert_eq!(v[1]["name"], "missing.csv");
    assert!(v[1]["error"]
        .as_str()
        .unwrap()
        .contains("missing.csv: cannot open"));

    let o = bioport(&["check", "missing.csv", "--json"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON on stdout");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("missing.csv: cannot read"),
        "{v}"
    );
}

#[test]
fn check_and_convert_refuse_files_of_another_kind_and_say_what_serves_them() {
    let dir = TempDir::new("other-kinds");
    dir.file(
        "1_attlog.dat",
        &common::zk_fixture("attlog_A_Alden4891_attloger_LF_pin9.dat"),
    );
    // An attendance log is no user CSV: convert says what it can make of it.
    let o = bioport(
        &[
            "convert",
            "1_attlog.dat",
            "--to",
            "biostar-csv",
            "-o",
            "out.csv",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("1_attlog.dat is a Time clock attendance log (attlog.dat): convert does not turn it into biostar-csv. It takes --to attlog (repair) or --to punches-csv."),
        "{err}"
    );
    // Template files: convert names what they are and what reads them.
    // One 608-byte record: size 608, uid 1, finger 0, valid.
    let mut template = vec![0x60, 0x02, 1, 0, 0, 1];
    template.resize(608, 0);
    dir.file("template.dat", &template);
    let o = bioport(
        &[
            "convert",
            "template.dat",
            "--to",
            "biostar-csv",
            "-o",
            "out.csv",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("template.dat is a Fingerprint templates (template.dat): convert does not turn it into biostar-csv. It takes nothing: its templates are carried as they are; `bioport check` lists them."),
        "{err}"
    );
    assert!(!dir.path("out.csv").exists());
    assert!(!dir.path("out_errors.csv").exists());
    let (tgz, _) = data_file();
    dir.file("users.csv.tgz", &tgz);
    let o = bioport(&["check", "users.csv.tgz"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("users.csv.tgz is a BioStar data file: name the device it is for with --device MODEL --firmware X.Y.Z"),
        "{}",
        stderr(&o)
    );
    // Nor does convert turn a data file into anything: it says what serves one.
    let o = bioport(
        &[
            "convert",
            "users.csv.tgz",
            "--to",
            "biostar-csv",
            "-o",
            "out.csv",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim_end(),
        "bioport: users.csv.tgz is a BioStar data file (.tgz): convert does not turn it into biostar-csv. It takes nothing: it goes to a device as it is, under the name the device reads. `bioport rename` gives it that name (BioStar2_YYYYMMDD_HHMMSS.tgz), `bioport inspect --entries` verifies and lists it, and `bioport check --device MODEL --firmware X.Y.Z` says whether a device takes it."
    );
    assert!(!dir.path("out.csv").exists());
}

#[test]
fn convert_never_writes_over_its_input() {
    let dir = TempDir::new("convert-own-input");
    dir.file("users.csv", MIXED.as_bytes());
    let absolute = dir.path("users.csv").display().to_string();
    for output in ["users.csv", "./users.csv", absolute.as_str()] {
        let o = bioport(
            &["convert", "users.csv", "--to", "biostar-csv", "-o", output],
            &dir.0,
        );
        assert_eq!(o.status.code(), Some(2), "{output}");
        assert!(
            stderr(&o).contains("would replace the input users.csv; nothing was written"),
            "{}",
            stderr(&o)
        );
        assert_eq!(fs::read(dir.path("users.csv")).unwrap(), MIXED.as_bytes());
    }
    // The error file's name may not be the input's either.
    dir.file("out_errors.csv", MIXED.as_bytes());
    let o = bioport(
        &[
            "convert",
            "out_errors.csv",
            "--to",
            "biostar-csv",
            "-o",
            "out.csv",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the error file out_errors.csv would replace the input"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        fs::read(dir.path("out_errors.csv")).unwrap(),
        MIXED.as_bytes()
    );
    assert!(!dir.path("out.csv").exists());
    // Nor the server's export given beside it.
    dir.file("export.csv", VALID.as_bytes());
    let o = bioport(
        &[
            "convert",
            "users.csv",
            "--to",
            "biostar-csv",
            "-o",
            "export.csv",
            "--existing",
            "export.csv",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(fs::read(dir.path("export.csv")).unwrap(), VALID.as_bytes());
}

#[test]
fn check_prints_a_readable_summary_of_thousands_of_columns_and_refuses_millions() {
    let dir = TempDir::new("wide");
    let header: Vec<String> = (0..5_000).map(|i| format!("extra_{i}")).collect();
    let mut text = header.join(",");
    text.push_str("\r\n");
    dir.file("wide.csv", text.as_bytes());
    let o = bioport(&["check", "wide.csv"], &dir.0);
    let out = stdout(&o);
    assert!(out.len() < 40_000, "{} bytes printed", out.len());
    assert!(
        out.contains(
            "    ... and 4800 more columns, 4950 more column notes (--json lists them all)"
        ),
        "{out}"
    );

    dir.file("line.csv", "ab,".repeat(400_000).as_bytes());
    let o = bioport(&["check", "line.csv"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
    assert!(
        stderr(&o).contains("line.csv, line 1: 400001 fields, more than the 16384 columns"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn convert_says_when_the_error_file_holds_cells_a_spreadsheet_would_run() {
    let dir = TempDir::new("formulas");
    let text = "user_id,name,department\r\n1,Kim,=1+1\r\nx,Lee,@SUM(A1)\r\n3,Park,IT\r\n";
    dir.file("users.csv", text.as_bytes());
    let o = bioport(
        &[
            "convert",
            "users.csv",
            "--to",
            "biostar-csv",
            "-o",
            "out.csv",
        ],
        &dir.0,
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(
        out.contains("note: 2 cells start like a spreadsheet formula (=, +, -, @) in this file. The files written keep every cell as read, so a spreadsheet program opening the error file would run those of them it holds. Open it through the program's text import (columns as Text), or fix those cells first"),
        "{out}"
    );
    let errors = fs::read_to_string(dir.0.join("out_errors.csv")).unwrap();
    assert!(
        errors.contains("@SUM(A1)"),
        "cells are kept as read: {errors}"
    );
    // One cell is said in the singular.
    dir.file("one.csv", b"user_id,name,department\r\nx,Kim,=1+1\r\n");
    let args = [
        "convert",
        "one.csv",
        "--to",
        "biostar-csv",
        "-o",
        "one_out.csv",
    ];
    let out = stdout(&bioport(&args, &dir.0));
    assert!(
        out.contains("note: 1 cell starts like a spreadsheet formula (=, +, -, @) in this file. The files written keep every cell as read, so a spreadsheet program opening the error file would run it if it holds it. Open it through the program's text import (columns as Text), or fix that cell first"),
        "{out}"
    );
    // Without formulas, nothing is said.
    dir.file("plain.csv", b"user_id,name\r\nx,Lee\r\n");
    let args = ["convert", "plain.csv", "--to", "biostar-csv", "-o", "p.csv"];
    assert!(!stdout(&bioport(&args, &dir.0)).contains("formula"));
}

#[test]
fn columns_are_mapped_by_hand_with_map() {
    let dir = TempDir::new("convert-map");
    dir.file(
        "de.csv",
        "Personalnummer,Vorname,Abteilung,Notiz\n1,Kim,HR,x\n2,Lee,IT,y\n".as_bytes(),
    );
    let maps = [
        "--map",
        "personalnummer=user_id",
        "--map",
        "Vorname=name",
        "--map",
        "C=department",
        "--map",
        "Notiz=ignore",
    ];
    let mut args = vec!["convert", "de.csv", "--to", "biostar-csv", "-o", "out.csv"];
    args.extend(maps);
    let o = bioport(&args, &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        fs::read_to_string(dir.path("out.csv")).unwrap(),
        "user_id,name,department\r\n1,Kim,HR\r\n2,Lee,IT\r\n"
    );
    // A column that is not there, and a field that does not exist.
    let o = bioport(&["check", "de.csv", "--map", "Nummer=user_id"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--map Nummer=user_id: no column is headed \"Nummer\" (nor is it a column letter); the header has \"Personalnummer\", \"Vorname\", \"Abteilung\", \"Notiz\""),
        "{}",
        stderr(&o)
    );
    let o = bioport(&["check", "de.csv", "--map", "A=userid"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("\"userid\" is not a BioStar field; use one of user_id, name"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_output_through_a_link_a_fifo_or_a_folder_lands_where_it_points_or_is_refused() {
    use std::os::unix::fs::symlink;
    let dir = TempDir::new("convert-outputs");
    dir.file("users.csv", VALID.as_bytes());
    let convert = |output: &str| {
        bioport(
            &["convert", "users.csv", "--to", "biostar-csv", "-o", output],
            &dir.0,
        )
    };
    // A symbolic link is written through: the link stays, its target gets the file.
    symlink("target.csv", dir.path("link.csv")).unwrap();
    let o = convert("link.csv");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(fs::symlink_metadata(dir.path("link.csv"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(fs::read_to_string(dir.path("target.csv"))
        .unwrap()
        .starts_with("user_id,"));
    // A FIFO is written into, not replaced.
    let fifo = dir.path("pipe.csv");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = std::thread::spawn(move || fs::read_to_string(fifo).unwrap());
    let o = convert("pipe.csv");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Still a FIFO (checked first: a reader of a replaced one would wait for ever).
    let kind = fs::symlink_metadata(dir.path("pipe.csv"))
        .unwrap()
        .file_type();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&kind));
    assert!(reader.join().unwrap().starts_with("user_id,"));
    // A folder is refused before anything is written.
    fs::create_dir(dir.path("adir")).unwrap();
    let o = convert("adir");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the import file adir is a folder; nothing was written"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path("adir_errors.csv").exists());
}

#[test]
fn an_output_name_that_is_not_utf8_keeps_its_bytes_in_the_error_files_name() {
    use std::os::unix::ffi::OsStrExt;
    let dir = TempDir::new("convert-bytes-name");
    dir.file("users.csv", MIXED.as_bytes());
    let name = std::ffi::OsStr::from_bytes(b"o\xff.csv");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_bioport"))
        .args(["convert", "users.csv", "--to", "biostar-csv", "-o"])
        .arg(name)
        .current_dir(&dir.0)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(dir.0.join(name).exists());
    assert!(dir
        .0
        .join(std::ffi::OsStr::from_bytes(b"o\xff_errors.csv"))
        .exists());
}
