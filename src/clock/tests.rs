use super::*;
use crate::formats::biostar_csv::WriteOptions;
use crate::formats::zk_attlog::{read_attlog, read_attlog_bytes};
use crate::formats::zk_sample;
use crate::formats::zk_templates::{list_templates, TemplateKind};
use crate::formats::zk_user_dat::{read_users, write_users, Secret, UserReadOptions};
use crate::workbench::{OpenOptions, Workbook};

const DOC_72: &str = "user_dat_72byte_record_from_zk-protocol_doc.bin";
const UTF8: &encoding_rs::Encoding = encoding_rs::UTF_8;

fn doc_users() -> Vec<UserRecord> {
    read_users(&zk_sample(DOC_72), &UserReadOptions::default()).users
}

fn to_csv(users: &[UserRecord], opts: &ToCsvOptions) -> (String, Vec<CarryNote>) {
    let (bytes, notes) = users_to_csv(users, opts, Vec::new()).unwrap();
    (String::from_utf8(bytes).unwrap(), notes)
}

fn open(csv: &str) -> Workbook {
    Workbook::open(csv.as_bytes().to_vec(), "users.csv", OpenOptions::default()).unwrap()
}

/// Asserts the workbench opens `csv` with every row valid and no file errors.
fn assert_clean(csv: &str, rows: u32) {
    let totals = open(csv).view().totals;
    assert_eq!(
        (totals.rows, totals.valid, totals.file_errors),
        (rows, rows, 0),
        "{csv}"
    );
}

#[test]
fn the_documented_user_becomes_a_csv_the_workbench_opens_clean() {
    let (csv, notes) = to_csv(&doc_users(), &ToCsvOptions::default());
    assert_eq!(
        csv, "user_id,name,csn\r\n555,Ned,222\r\n",
        "no BOM, as the import file"
    );
    assert_clean(&csv, 1);
    assert_eq!(notes.len(), 1, "one note per user");
    assert_eq!(
        notes[0].notes,
        [
            "group 2 does not carry",
            "time zones do not carry",
            "the password is not 4 to 16 digits, so not a valid BioStar PIN; it does not carry",
        ]
    );
}

#[test]
fn valid_pins_carry_only_when_asked_and_other_losses_are_named() {
    let mut boss = UserRecord::new(7, "7", "Boss");
    boss.password = Secret::new(b"123456".to_vec());
    boss.privilege = crate::formats::zk_user_dat::Privilege::SuperAdmin;
    boss.disabled = true;
    let plain = UserRecord::new(8, "8", "Plain");
    let with_disabled = ToCsvOptions {
        include_disabled: true,
        ..ToCsvOptions::default()
    };
    let (csv, notes) = to_csv(&[boss.clone(), plain.clone()], &with_disabled);
    assert!(!csv.contains("123456"));
    assert_eq!(notes.len(), 1);
    assert!(notes[0].notes[0].contains("super admin"));
    assert!(notes[0].notes[2].contains("PINs were not asked for"));
    let opts = ToCsvOptions {
        carry_pins: true,
        include_disabled: true,
        ..ToCsvOptions::default()
    };
    let (csv, notes) = to_csv(&[boss, plain], &opts);
    assert!(csv.contains("7,Boss,,123456\r\n"), "{csv}");
    assert_eq!(notes[0].notes.len(), 2);
    assert_clean(&csv, 2);
    for (id, note) in [
        ("A17", "alphanumeric"),
        ("007", "leading zeros"),
        ("", "no user ID"),
    ] {
        let user = UserRecord::new(9, id, "Al");
        assert!(to_csv(&[user], &ToCsvOptions::default()).1[0].notes[0].contains(note));
    }
}

#[test]
fn card_numbers_are_written_in_full_and_no_card_as_an_empty_cell() {
    let cards = [0, 1, 9, 10, 99, 100, 101, 12_345, 4_294_967_295, u64::MAX];
    let users: Vec<UserRecord> = cards
        .iter()
        .enumerate()
        .map(|(i, &card)| {
            let mut user = UserRecord::new(i as u32 + 1, &(i + 1).to_string(), "Al");
            user.card = card;
            user
        })
        .collect();
    let (csv, _) = to_csv(&users, &ToCsvOptions::default());
    let cells: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| &l[l.rfind(',').unwrap() + 1..])
        .collect();
    let expected: Vec<String> = cards
        .iter()
        .map(|&c| if c == 0 { String::new() } else { c.to_string() })
        .collect();
    assert_eq!(cells, expected);
}

#[test]
fn an_unchanged_round_trip_through_biostar_writes_the_same_user_dat() {
    let bytes = zk_sample(DOC_72);
    let existing = doc_users();
    let (csv, _) = to_csv(&existing, &ToCsvOptions::default());
    let back = users_from_workbook(&open(&csv), &existing, &[], 72, UTF8);
    assert_eq!((back.added, back.updated), (0, 0));
    assert!(back.notes.is_empty(), "{:?}", back.notes);
    assert_eq!(write_users(&back.users, 72, UTF8).unwrap(), bytes);
}

#[test]
fn csv_users_get_uids_and_what_does_not_fit_is_said_per_user() {
    let csv = "user_id,name,csn\n555,Edward,222\n1001,Ann,\nA17,Bea,12ab\n1002,Zoë Margaret Featherstonehaugh,4294967296\n";
    let users = users_from_workbook(&open(csv), &doc_users(), &[], 72, UTF8);
    assert_eq!((users.added, users.updated), (3, 1));
    let uids: Vec<u32> = users.users.iter().map(|u| u.uid).collect();
    assert_eq!(
        uids,
        [13, 1, 2, 3],
        "the existing uid kept, new ones the lowest free"
    );
    assert_eq!(users.users[0].name, "Edward");
    assert_eq!(
        users.users[0].group, 2,
        "fields BioStar has no column for kept"
    );
    let lines: Vec<(u64, &str)> = users
        .notes
        .iter()
        .map(|n| (n.line, n.user_id.as_str()))
        .collect();
    assert_eq!(lines, [(4, "A17"), (5, "1002")]);
    assert!(users.notes[0].reasons[0].contains("not a plain number"));
    assert_eq!(users.notes[1].reasons.len(), 2, "{:?}", users.notes[1]);
    assert!(write_users(&users.users, 72, UTF8).is_err());
    // On a 28-byte clock the alphanumeric ID does not fit either, and "Edward" (6) does.
    let narrow = users_from_workbook(&open(csv), &[], &[], 28, UTF8);
    let ids: Vec<&str> = narrow.notes.iter().map(|n| n.user_id.as_str()).collect();
    assert_eq!(ids, ["A17", "1002"]);
    assert!(narrow.notes[0].reasons[1].contains("not a number up to"));
    assert!(narrow.notes[1].reasons[0].contains("holds 8"));
}

#[test]
fn punches_export_with_names_labels_and_duplicates_left_out_when_asked() {
    let mut log_bytes = zk_sample("attlog_A_Alden4891_attloger_LF_pin9.dat");
    let first = log_bytes
        .split_inclusive(|&b| b == b'\n')
        .next()
        .unwrap()
        .to_vec();
    log_bytes.extend(first); // one exact repeat
    let log = read_attlog_bytes(&log_bytes);
    let users = [UserRecord::new(1, "2233", "Ned")];
    let opts = WriteOptions {
        bom: false,
        crlf: false,
        delimiter: b',',
    };
    let all = punches_to_csv(&log, (&users, UTF8), (&opts, false), Vec::new())
        .unwrap()
        .out;
    assert_eq!(all.split(|&b| b == b'\n').count(), 2 + log.punches.len());
    let out = punches_to_csv(&log, (&users, UTF8), (&opts, true), Vec::new())
        .unwrap()
        .out;
    let text = String::from_utf8(out).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(log.duplicates.len(), 1);
    assert_eq!(rows.len(), 1 + log.punches.len() - 1);
    assert_eq!(rows[0], "user_id,name,date,time,status,verify,workcode");
    assert_eq!(rows[1], "126,,2020-01-07,10:34:08,check-in,fingerprint,0");
    assert_eq!(
        rows[2],
        "2233,Ned,2020-01-07,10:38:32,check-in,fingerprint,0"
    );
}

#[test]
fn links_find_templates_without_users_users_without_templates_and_unknown_punchers() {
    let users = [
        UserRecord::new(1, "126", "A"),
        UserRecord::new(2, "2233", "B"),
    ];
    let mut templates = Vec::new();
    for uid in [1u16, 9, 9, 1] {
        let mut record = vec![0u8; 608];
        record[2..4].copy_from_slice(&uid.to_le_bytes());
        record[5] = 1;
        templates.extend(record);
    }
    let list = list_templates(TemplateKind::Fingerprint, &templates);
    let log_bytes = zk_sample("attlog_A_Alden4891_attloger_LF_pin9.dat");
    let log = read_attlog(&log_bytes[..]).unwrap();
    let links = link(&users, &[list], Some((&log, UTF8)));
    assert_eq!(
        links.templates_without_user.into_iter().collect::<Vec<_>>(),
        [(9, 2)]
    );
    assert_eq!(links.users_without_templates, [2]);
    assert_eq!(
        links.templates_per_user.into_iter().collect::<Vec<_>>(),
        [(1, 2)]
    );
    assert!(links.punch_ids_without_user.contains("291"));
    assert!(!links.punch_ids_without_user.contains("2233"));
}

#[test]
fn a_log_of_many_unknown_ids_keeps_the_first_in_order_and_counts_them_all() {
    let mut text = String::new();
    for i in (0..500).rev() {
        text.push_str(&format!("{}\t2024-01-01 08:00:00\t1\t0\t1\t0\n", 1000 + i));
    }
    let log = read_attlog_bytes(text.as_bytes());
    let links = link(&[], &[], Some((&log, UTF8)));
    assert_eq!(links.punch_ids_without_user_count, 500);
    let kept: Vec<String> = links.punch_ids_without_user.into_iter().collect();
    let first: Vec<String> = (1000..1000 + MAX_UNLINKED).map(|i| i.to_string()).collect();
    assert_eq!(kept, first);
}

#[test]
fn pins_carry_and_wiegand_cards_and_zero_led_cards_are_named() {
    let csv = "user_id,name,csn,pin,26 bit SIA Standard-H10301\n1,Ann,0042,1234,\n2,Bob,,123456789,12-345\n";
    let users = users_from_workbook(&open(csv), &[], &[], 72, UTF8);
    assert_eq!(users.users[0].password.reveal(), b"1234");
    let reasons: Vec<&[String]> = users.notes.iter().map(|n| &n.reasons[..]).collect();
    assert!(reasons[0][0].contains("leading zeros"), "{reasons:?}");
    assert!(reasons[1][0].contains("26 bit SIA Standard-H10301 card does not carry"));
    assert!(
        reasons[1][1].contains("password is longer than 8"),
        "{reasons:?}"
    );
}

#[test]
fn an_empty_or_header_only_csv_gives_no_users() {
    for csv in ["user_id,name\n", "\n"] {
        if let Ok(book) = Workbook::open(csv.as_bytes().to_vec(), "u.csv", OpenOptions::default()) {
            let users = users_from_workbook(&book, &doc_users(), &[], 72, UTF8);
            assert_eq!((users.users.len(), users.added), (1, 0));
        }
    }
}

#[test]
fn random_files_never_panic_through_the_clock_workflow() {
    let mut rng = crate::bench::Rng(0xc10c_4a11);
    for _ in 0..100 {
        let users = read_users(&rng.bytes(720), &UserReadOptions::default()).users;
        let (csv, _) = to_csv(&users, &ToCsvOptions::default());
        if let Ok(book) = Workbook::open(csv.into_bytes(), "u.csv", OpenOptions::default()) {
            users_from_workbook(&book, &users, &[], 28, UTF8);
        }
        let log_bytes = rng.bytes(400);
        let log = read_attlog(&log_bytes[..]).unwrap();
        punches_to_csv(
            &log,
            (&users, UTF8),
            (&WriteOptions::default(), true),
            Vec::new(),
        )
        .unwrap();
        link(&users, std::iter::empty(), Some((&log, UTF8)));
    }
}

#[test]
fn users_disabled_on_the_clock_are_left_out_unless_asked_for_and_then_said_enabled() {
    let mut gone = UserRecord::new(2, "102", "Gone");
    gone.disabled = true;
    let users = [
        UserRecord::new(1, "101", "Ann"),
        gone,
        UserRecord::new(3, "A17", "Bea"),
    ];
    let settings = crate::workbench::validate::SiteSettings::default();
    let (csv, notes) = users_to_biostar(&users, &ToCsvOptions::default(), settings).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv, "user_id,name,csn\r\n101,Ann,\r\nA17,Bea,\r\n");
    assert_eq!((notes[0].uid, notes[0].user_id.as_str()), (2, "102"));
    assert_eq!(notes[0].notes, [to_biostar::LEFT_OUT_DISABLED]);
    // The import check's finding of the row after the one left out goes to its user.
    assert_eq!(notes[1].user_id, "A17");
    assert!(notes[1].notes.iter().any(|n| n.contains("import check")));
    // What carries a disabled user, when given, ends the note the CSV's writer makes.
    let hinted = ToCsvOptions {
        include_hint: Some("--include-disabled"),
        ..ToCsvOptions::default()
    };
    let (_, notes) = users_to_csv(&users, &hinted, Vec::new()).unwrap();
    assert_eq!(
        notes[0].notes,
        ["left out of the CSV: disabled on the clock, and a BioStar user CSV has no field that disables a user (it would arrive enabled); --include-disabled carries it, enabled"]
    );
    let opts = ToCsvOptions {
        include_disabled: true,
        ..ToCsvOptions::default()
    };
    let (csv, notes) = users_to_biostar(&users, &opts, settings).unwrap();
    assert!(String::from_utf8(csv).unwrap().contains("102,Gone,\r\n"));
    assert_eq!(
        notes[0].notes,
        ["disabled on the clock; BioStar gets the user enabled"]
    );
}

#[test]
fn the_in_memory_export_adds_what_the_biostar_import_check_finds_per_user() {
    let users = [
        UserRecord::new(1, "1", "Ann"),
        UserRecord::new(2, "A17", "Bea"),
        UserRecord::new(3, "3", "Cy"),
    ];
    let settings = crate::workbench::validate::SiteSettings::default();
    let (csv, notes) = users_to_biostar(&users, &ToCsvOptions::default(), settings).unwrap();
    assert_eq!(csv, to_csv(&users, &ToCsvOptions::default()).0.into_bytes());
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].user_id, "A17");
    assert!(
        notes[0].notes[1].starts_with("BioStar import check: "),
        "{notes:?}"
    );
    let (_, clean) = users_to_biostar(&doc_users(), &ToCsvOptions::default(), settings).unwrap();
    assert!(
        !clean[0].notes.iter().any(|n| n.contains("import check")),
        "{clean:?}"
    );
}

/// SHA-256 of `bytes` in hex.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The bench's largest generated `user.dat`, with some records made awkward: names that
/// need quotes or do not decode, passwords that are not PINs, odd ranks and user IDs.
fn awkward_user_dat() -> Vec<u8> {
    let mut dat = crate::bench::generate_user_dat(5_000_000);
    let fields: [(usize, std::ops::Range<usize>, &[u8]); 9] = [
        (97, 11..35, b"O\"Brien, Jr"),
        (89, 3..11, b"12ab"),
        (83, 11..35, b"\xff\xfeBad \xc3"),
        (79, 48..72, b" 42"),
        (73, 48..72, b"\xe9t\xe9"),
        (71, 11..35, b"tab\tend "),
        (67, 48..72, b"\0"),
        (61, 3..11, b"123"),
        (59, 11..35, b"line\r\nbreak"),
    ];
    for (every, range, text) in fields {
        for record in dat.chunks_exact_mut(72).step_by(every) {
            record[range.clone()].fill(0);
            record[range.start..range.start + text.len()].copy_from_slice(text);
        }
    }
    for record in dat.chunks_exact_mut(72).skip(5).step_by(53) {
        record[2] = 9; // a rank no firmware documents, disabled
    }
    dat
}

#[test]
fn a_generated_user_dat_converts_to_the_same_csv_and_notes_as_pinned() {
    let file = read_users(&awkward_user_dat(), &UserReadOptions::default());
    assert!(file.users.len() > 60_000);
    assert_eq!(
        file.problems.len(),
        1618,
        "names and user IDs that do not decode"
    );
    let problems = sha256_hex(format!("{:?}", file.problems).as_bytes());
    assert_eq!(
        problems,
        "ea6890edaec8de6af6199083cd219ca76b5d1bb8fd569fdd6e7b4c820688cfaf"
    );
    let semicolon = WriteOptions {
        delimiter: b';',
        bom: false,
        crlf: false,
    };
    // The digests of what the conversion wrote before it was made faster (the notes' since
    // the user IDs " 42" are said to be written as "42", and a count of bytes that do not
    // decode is said in the singular or plural, not "sequence(s)").
    let cases = [
        (
            true,
            WriteOptions::SPREADSHEET, // the BOM the digest was taken with
            "0468476b0a695d1978aaad8c0c0199a06d4059e1fbb5b866f200f8f846124a64",
            "13f6a95b56e5c1e4d13ed65fc57ada91c2b5ed4890ac41920c68b3949886ace9",
        ),
        (
            false,
            semicolon,
            "e998f93d6e1040c54f2491ba71589d37749fe35864ce92682a17c3386eef171b",
            "2b49d99c09ea60c794a2ba22bb72a4b2c429e70bd26958441aff51cfd7790a90",
        ),
    ];
    for (carry_pins, write, csv_sha, notes_sha) in cases {
        let include_disabled = true; // the pinned digests are of every user
        let opts = ToCsvOptions {
            carry_pins,
            include_disabled,
            include_hint: None,
            write,
        };
        let (csv, notes) = to_csv(&file.users, &opts);
        for awkward in [
            "\"O\"\"Brien, Jr\"",
            "\"tab\tend \"",
            "\"line\r\nbreak\"",
            "\u{FFFD}",
        ] {
            assert!(csv.contains(awkward), "{awkward:?}");
        }
        let pinned = (
            sha256_hex(csv.as_bytes()),
            sha256_hex(format!("{notes:?}").as_bytes()),
        );
        assert_eq!(pinned, (csv_sha.into(), notes_sha.into()), "{opts:?}");
    }
}

/// The import check's notes as the workbench gives them for `users`: their CSV opened in
/// it, each finding added to its user's carry note (the conversion's way before it
/// checked its own rows without reading its CSV back).
fn notes_through_the_workbench(users: &[UserRecord], opts: &ToCsvOptions) -> Vec<CarryNote> {
    let (csv, notes) = to_csv(users, opts);
    let book = open(&csv);
    let mut by_user: std::collections::BTreeMap<usize, CarryNote> =
        notes.into_iter().map(|n| (n.index, n)).collect();
    for (row, _, finding) in book.findings() {
        let index = row - book.header_row() - 1;
        let user = &users[index];
        let note = by_user.entry(index).or_insert_with(|| CarryNote {
            index,
            user_id: user.user_id.clone(),
            uid: user.uid,
            notes: Vec::new(),
        });
        note.notes
            .push(format!("BioStar import check: {}", finding.message));
    }
    by_user.into_values().collect()
}

#[test]
fn the_import_check_finds_what_the_workbench_finds_in_the_written_csv() {
    let mut users = read_users(&awkward_user_dat(), &UserReadOptions::default()).users;
    users.truncate(20_000);
    // Repeated user IDs and cards, after names with line breaks (lines differ from rows).
    for (from, to) in [(3, 19_990), (500, 19_991), (12_000, 19_992)] {
        users[to].user_id = users[from].user_id.clone();
        users[to].card = users[from].card.max(77);
        users[from].card = users[to].card;
    }
    users[19_993].name = "x".repeat(49);
    let semicolon = WriteOptions {
        delimiter: b';',
        bom: false,
        crlf: false,
    };
    let settings = crate::workbench::validate::SiteSettings::default();
    for (carry_pins, write) in [(true, WriteOptions::default()), (false, semicolon)] {
        let include_disabled = true; // the pinned digests are of every user
        let opts = ToCsvOptions {
            carry_pins,
            include_disabled,
            include_hint: None,
            write,
        };
        let (csv, notes) = users_to_biostar(&users, &opts, settings).unwrap();
        assert_eq!(csv, to_csv(&users, &opts).0.into_bytes());
        let expected = notes_through_the_workbench(&users, &opts);
        let checked = |n: &[CarryNote]| {
            n.iter()
                .filter(|n| n.notes.iter().any(|m| m.contains("import check")))
                .count()
        };
        assert!(checked(&expected) > 300, "{}", checked(&expected));
        let duplicate = notes.iter().find(|n| n.index == 19_991).unwrap();
        assert!(
            duplicate.notes.iter().any(|m| m.contains("Line ")),
            "{duplicate:?}"
        );
        assert_eq!(notes, expected);
    }
}

#[test]
fn notes_go_to_a_csv_a_row_per_note() {
    let notes = [
        UserNote {
            uid: 7,
            user_id: "A17".into(),
            line: 0,
            notes: vec!["one".into(), "two, with a comma".into()],
        },
        UserNote {
            uid: 0,
            user_id: "9".into(),
            line: 0,
            notes: vec!["no uid".into()],
        },
    ];
    let csv = UserNote::write_csv(&notes, Vec::new()).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "\u{feff}uid,user_id,note\r\n7,A17,one\r\n7,A17,\"two, with a comma\"\r\n,9,no uid\r\n"
    );
}

#[test]
fn a_note_list_keeps_the_first_users_and_every_note_in_its_csv() {
    let notes: Vec<UserNote> = (1..=250)
        .map(|uid| UserNote {
            uid,
            user_id: uid.to_string(),
            line: 0,
            notes: vec!["a".into(), "b".into()],
        })
        .collect();
    let list = NoteList::of(notes.clone());
    assert_eq!((list.shown.len(), list.total), (NOTES_SHOWN, 250));
    assert_eq!(list.shown[..], notes[..NOTES_SHOWN]);
    let csv = UserNote::write_csv(&notes, Vec::new()).unwrap();
    assert_eq!(list.csv.as_bytes(), csv);
    assert_eq!(list.csv.lines().count(), 1 + 500);
    assert_eq!(NoteList::of(Vec::new()).total, 0);
}

#[test]
fn punch_ids_are_read_in_the_clocks_code_page_and_those_that_do_not_decode_are_said() {
    let log = read_attlog_bytes(
        b"  \xb1\xe8\xc3\xb6\t2024-03-01 17:00:00\t1\t1\t2\t0\r\n  \xff\xb1\t2024-03-01 17:00:01\t1\t1\t2\t0\r\n",
    );
    let users = [UserRecord::new(1, "김철", "Kim")];
    let opts = (&WriteOptions::default(), false);
    let csv = punches_to_csv(&log, (&users, encoding_rs::EUC_KR), opts, Vec::new()).unwrap();
    let text = String::from_utf8(csv.out).unwrap();
    assert!(text.contains("김철,Kim,2024-03-01,17:00:00"), "{text}");
    assert_eq!(csv.undecodable_count, 1);
    assert!(
        csv.undecodable[0].starts_with(
            "Line 2 (byte 36): 2 byte sequences of the user ID did not decode as EUC-KR, shown as \u{FFFD} in the CSV"
        ),
        "{:?}",
        csv.undecodable
    );
    // The same log read as UTF-8: both IDs said, never silently replaced.
    let csv = punches_to_csv(&log, (&users, UTF8), opts, Vec::new()).unwrap();
    assert_eq!(csv.undecodable_count, 2);
    // Linking reads the log's IDs in the code page too.
    let links = link(
        &users,
        std::iter::empty(),
        Some((&log, encoding_rs::EUC_KR)),
    );
    assert_eq!(links.punch_ids_without_user_count, 1);
}

#[test]
fn punches_of_a_user_id_two_users_share_get_no_name_and_a_note() {
    let users = [
        UserRecord::new(1, "1001", "Ann"),
        UserRecord::new(11, "1001", "Other"),
        UserRecord::new(2, "2002", "Bob"),
    ];
    let names = PunchNames::of(&users);
    assert_eq!(names.get("1001").map(String::as_str), Some(""));
    assert_eq!(names.get("2002").map(String::as_str), Some("Bob"));
    assert_eq!(names.shared.len(), 1);
    assert!(names.shared[0].starts_with("user ID \"1001\" is that of the users with uids 1 and 11"));
}

#[test]
fn templates_that_do_not_carry_are_a_note_per_user() {
    let users = [
        UserRecord::new(1, "1", "Ann"),
        UserRecord::new(3, "3", "Cy"),
    ];
    let record = |uid: u16, index: u8| crate::formats::zk_templates::TemplateRecord {
        uid,
        index,
        valid: true,
        size: 608,
        offset: 0,
    };
    let list = |kind, records| TemplateList {
        kind,
        records,
        problems: Vec::new(),
        problem_count: 0,
    };
    let fingers = list(
        TemplateKind::Fingerprint,
        vec![record(1, 0), record(1, 1), record(3, 0)],
    );
    let faces = list(
        TemplateKind::Face,
        vec![record(1, 0), record(3, 0), record(3, 1)],
    );
    let mut notes = Vec::new();
    assert_eq!(
        add_template_notes(&users, [&fingers, &faces], &mut notes),
        2
    );
    // Counted in words that agree with the count.
    assert_eq!(
        notes[0].notes,
        [
            "2 fingerprint templates (fingers 0, 1) do not carry: enrol them again on BioStar",
            "1 face template does not carry: enrol the face again on BioStar"
        ]
    );
    assert_eq!(
        notes[1].notes,
        [
            "1 fingerprint template (finger 0) does not carry: enrol it again on BioStar",
            "2 face templates do not carry: enrol the face again on BioStar"
        ]
    );
}
