use super::*;
use crate::bench::Rng;
use crate::formats::zk_sample;

const DOC_72: &str = "user_dat_72byte_record_from_zk-protocol_doc.bin";
const SYN_28: &str = "user_dat_28byte_record_SYNTHETIC.bin";

fn read(bytes: &[u8]) -> UserFile {
    read_users(bytes, &UserReadOptions::default())
}

#[test]
fn documented_72_byte_record_decodes_to_its_documented_values() {
    let bytes = zk_sample(DOC_72);
    let file = read(&bytes);
    assert_eq!(file.record, 72, "{}", file.why);
    assert!(file.why.contains("divides by 72 only"), "{}", file.why);
    assert_eq!(file.users.len(), 1);
    let u = &file.users[0];
    assert_eq!(u.uid, 13);
    assert_eq!(u.privilege, Privilege::User);
    assert!(!u.disabled);
    assert_eq!(
        u.password.reveal(),
        b"444",
        "garbage after the NUL is not the password"
    );
    assert_eq!(u.name, "Ned");
    assert_eq!(u.card, 222);
    assert_eq!(u.group, 2);
    assert!(u.own_time_zones);
    assert_eq!(u.time_zones, [1, 2, 0]);
    assert_eq!(u.user_id, "555");
    assert!(file.problems.is_empty(), "{:?}", file.problems);
    assert!(
        !format!("{u:?}").contains("444"),
        "Debug never shows the password"
    );
    assert_eq!(file.to_bytes().unwrap(), bytes, "garbage after NULs kept");
}

#[test]
fn synthetic_28_byte_record_decodes_and_round_trips() {
    let bytes = zk_sample(SYN_28);
    let file = read(&bytes);
    assert_eq!(file.record, 28, "{}", file.why);
    let u = &file.users[0];
    assert_eq!(
        (u.uid, u.name.as_str(), u.card, u.group),
        (5, "ANA", 1234567, 1)
    );
    assert_eq!(
        (u.password.reveal(), u.user_id.as_str()),
        (&b"123"[..], "5")
    );
    assert_eq!(file.to_bytes().unwrap(), bytes);
}

#[test]
fn a_length_of_both_sizes_is_judged_by_content_and_can_be_overridden() {
    // 504 bytes = 7 x 72 = 18 x 28.
    let mut bytes = zk_sample(DOC_72);
    bytes.resize(504, 0);
    let file = read(&bytes);
    assert_eq!(file.record, 72);
    assert!(file.why.contains("both 72 and 28"), "{}", file.why);
    assert_eq!((file.users.len(), file.empty_slots), (1, 6));
    assert_eq!(file.to_bytes().unwrap(), bytes);
    let forced = read_users(
        &bytes,
        &UserReadOptions {
            record: Some(28),
            ..UserReadOptions::default()
        },
    );
    assert_eq!(forced.record, 28);
    assert!(forced.why.contains("chosen by you"));
}

#[test]
fn a_record_size_chosen_that_the_length_refuses_but_the_other_takes_is_no_user_dat() {
    let three_72 = zk_sample(DOC_72).repeat(3); // 216 bytes: 72 only
    let three_28 = zk_sample(SYN_28).repeat(3); // 84 bytes: 28 only
    for (bytes, chosen, other) in [(three_72, 28, 72), (three_28, 72, 28)] {
        let opts = UserReadOptions {
            record: Some(chosen),
            ..UserReadOptions::default()
        };
        let file = read_users(&bytes, &opts);
        let why = file.not_user_records.as_deref().unwrap_or_default();
        let said = format!(
            "This does not look like a user.dat of {chosen}-byte records: its length ({} bytes) divides by {other}, not by {chosen}",
            bytes.len()
        );
        assert!(why.starts_with(&said), "{why:?}");
        assert!(why.contains(&format!("Try the other record size ({other} bytes)")));
        assert!(
            !file.problems.iter().any(|p| p.contains("Copy user.dat")),
            "{:?}",
            file.problems
        );
    }
    // A length neither size divides is cut off whichever is chosen: copy it again.
    let mut cut = zk_sample(DOC_72).repeat(2);
    cut.truncate(100);
    let opts = UserReadOptions {
        record: Some(28),
        ..UserReadOptions::default()
    };
    let file = read_users(&cut, &opts);
    assert!(file.problems.iter().any(|p| p.contains("Copy user.dat")));
}

#[test]
fn a_cut_off_record_is_reported_with_its_byte_and_not_read() {
    let mut bytes = zk_sample(DOC_72);
    bytes.extend_from_slice(&zk_sample(DOC_72)[..50]);
    let file = read(&bytes);
    assert_eq!(file.users.len(), 1);
    assert!(file.why.contains("neither"), "{}", file.why);
    assert!(file.problems[0].starts_with("Byte 72: the last record is cut off (50 of 72"));
}

#[test]
fn undecodable_name_bytes_are_counted_per_field_and_kept_on_write() {
    let mut bytes = zk_sample(DOC_72);
    bytes[11..15].copy_from_slice(&[b'N', 0xff, 0xfe, b'd']);
    let file = read(&bytes);
    let u = &file.users[0];
    assert_eq!(
        u.undecodable,
        vec![Undecodable {
            field: "name",
            at: 11,
            sequences: 2
        }]
    );
    assert_eq!(u.name, "N\u{FFFD}\u{FFFD}d");
    assert!(
        file.problems[0].starts_with(
            "Byte 11 (record 1, uid 13): 2 byte sequences of the name did not decode as UTF-8"
        ),
        "{:?}",
        file.problems
    );
    assert_eq!(file.to_bytes().unwrap(), bytes);
    // The same bytes read as Windows-1252 decode whole.
    let latin = read_users(
        &bytes,
        &UserReadOptions {
            encoding: encoding_rs::WINDOWS_1252,
            ..UserReadOptions::default()
        },
    );
    assert!(latin.problems.is_empty());
    assert_eq!(latin.users[0].name, "Nÿþd");
    // One sequence is said in the singular.
    bytes[12] = b'e';
    let said = &read(&bytes).problems[0];
    assert!(
        said.starts_with("Byte 11 (record 1, uid 13): 1 byte sequence of the name did not decode as UTF-8, shown as \u{FFFD}."),
        "{said}"
    );
}

#[test]
fn a_changed_field_is_rewritten_cleanly_and_the_rest_kept() {
    let bytes = zk_sample(DOC_72);
    let mut file = read(&bytes);
    file.users[0].name = "Edward".into();
    let out = file.to_bytes().unwrap();
    assert_eq!(&out[11..35], b"Edward\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
    assert_eq!(&out[..11], &bytes[..11], "password garbage kept");
    assert_eq!(&out[35..], &bytes[35..]);
}

#[test]
fn empty_slots_are_counted_not_listed_and_kept_in_place() {
    let doc = zk_sample(DOC_72);
    let mut bytes = vec![0u8; 72];
    bytes.extend_from_slice(&doc);
    let mut uid0 = doc.clone();
    uid0[0..2].fill(0);
    bytes.extend_from_slice(&uid0);
    let file = read(&bytes);
    assert_eq!((file.users.len(), file.empty_slots), (1, 2));
    assert_eq!(file.to_bytes().unwrap(), bytes);
}

#[test]
fn new_users_are_written_in_either_size_and_read_back() {
    let mut ann = UserRecord::new(1, "1001", "Ann");
    ann.card = 4_294_967_295;
    ann.privilege = Privilege::SuperAdmin;
    ann.disabled = true;
    for record in [72, 28] {
        let bytes = write_users(std::slice::from_ref(&ann), record, encoding_rs::UTF_8).unwrap();
        assert_eq!(bytes.len() as u64, record);
        let opts = UserReadOptions {
            record: Some(record),
            ..UserReadOptions::default()
        };
        let back = &read_users(&bytes, &opts).users[0];
        assert_eq!(
            (back.uid, back.name.as_str(), back.user_id.as_str()),
            (1, "Ann", "1001")
        );
        assert_eq!(
            (back.card, back.privilege, back.disabled),
            (ann.card, Privilege::SuperAdmin, true)
        );
    }
}

fn reasons(users: &[UserRecord], record: u64, encoding: &'static Encoding) -> Vec<String> {
    check_users(users, record, encoding)
        .into_iter()
        .flat_map(|f| f.reasons)
        .collect()
}

#[test]
fn each_thing_the_clock_cannot_hold_is_one_reason_of_one_finding() {
    let utf8 = encoding_rs::UTF_8;
    let long = UserRecord::new(1, "1", "Zoë Margaret Featherstonehaugh");
    assert!(reasons(&[long], 72, utf8)[0].contains("takes 31 bytes"));
    // "김민서" is 9 bytes in UTF-8 but 6 in CP949 (EUC-KR).
    let korean = UserRecord::new(1, "1", "김민서");
    assert!(reasons(std::slice::from_ref(&korean), 28, utf8)[0].contains("holds 8"));
    assert!(reasons(&[korean], 28, encoding_rs::EUC_KR).is_empty());
    let greek = UserRecord::new(1, "1", "Ωμέγα");
    assert!(reasons(&[greek], 72, encoding_rs::WINDOWS_1252)[0].contains("cannot write"));
    let mut card = UserRecord::new(1, "1", "A");
    card.card = 4_294_967_296;
    assert!(reasons(&[card], 72, utf8)[0].contains("above 4294967295"));
    let alnum = UserRecord::new(1, "A17", "A");
    assert!(reasons(std::slice::from_ref(&alnum), 28, utf8)[0].contains("not a number"));
    assert!(reasons(&[alnum], 72, utf8).is_empty());
    let long_id = UserRecord::new(1, "123456789012345678901234", "A");
    assert!(reasons(&[long_id], 72, utf8)[0].contains("user ID"));
    for uid in [0, 65536] {
        assert!(reasons(&[UserRecord::new(uid, "1", "A")], 72, utf8)[0].contains("outside"));
    }
    let dupes = [
        UserRecord::new(1, "7", "A"),
        UserRecord::new(1, "8", "B"),
        UserRecord::new(2, "7", "C"),
    ];
    let findings = check_users(&dupes, 72, utf8);
    assert_eq!(findings.len(), 2, "one finding per user");
    assert_eq!(
        findings[0].reasons,
        ["uid 1 is also that of user 7; each user needs a uid of their own"]
    );
    assert_eq!(
        findings[1].reasons,
        ["user ID \"7\" is also that of the user with uid 1; each user needs a user ID of their own"]
    );
    assert_eq!(
        write_users(&dupes, 72, utf8).unwrap_err(),
        findings,
        "nothing truncated quietly"
    );
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x5eed_1234);
    for _ in 0..300 {
        let bytes = rng.bytes(400);
        for record in [None, Some(72), Some(28), Some(10)] {
            let opts = UserReadOptions {
                record,
                ..UserReadOptions::default()
            };
            let file = read_users(&bytes, &opts);
            let whole = bytes.len() - bytes.len() % file.record as usize;
            if let Ok(out) = file.to_bytes() {
                assert_eq!(
                    out,
                    bytes[..whole],
                    "unchanged records written back as read"
                );
            }
        }
    }
}

#[test]
fn a_nul_in_a_name_is_flagged_but_undecodable_names_as_read_are_not() {
    let user = UserRecord::new(1, "1", "An\0na");
    let found = reasons(&[user], 72, encoding_rs::UTF_8);
    assert!(found[0].contains("holds a NUL"), "{found:?}");
    // 23 bytes that do not decode: 23 x U+FFFD would take 69 bytes, but the name is
    // written back as read, so it fits.
    let mut bytes = zk_sample(DOC_72);
    bytes[11..34].fill(0xff);
    let file = read_users(
        &bytes,
        &UserReadOptions {
            encoding: encoding_rs::WINDOWS_1252,
            ..UserReadOptions::default()
        },
    );
    assert!(
        file.problems.is_empty(),
        "every byte decodes in Windows-1252"
    );
    let file = read(&bytes);
    assert_eq!(file.users[0].undecodable[0].sequences, 23);
    assert_eq!(file.to_bytes().unwrap(), bytes);
}

#[test]
fn a_file_longer_than_a_clock_holds_is_read_up_to_the_cap() {
    let mut bytes = Vec::with_capacity((MAX_RECORDS + 2) * 28);
    for uid in 1..=(MAX_RECORDS as u32 + 2) {
        let mut record = [0u8; 28];
        record[..2].copy_from_slice(&(uid as u16).to_le_bytes());
        record[8] = b'A';
        bytes.extend_from_slice(&record);
    }
    let file = read(&bytes);
    assert_eq!(file.record, 28);
    assert_eq!(
        file.users.len() as u64 + file.empty_slots,
        MAX_RECORDS as u64
    );
    let at = MAX_RECORDS * 28;
    assert!(file.problems[0].starts_with(&format!("Byte {at}: more than 65536 records")));
}

#[test]
fn names_decode_in_the_clock_code_pages_and_stop_at_the_nul() {
    let mut bytes = zk_sample(DOC_72);
    // "王小明" in GBK, then a NUL, then garbage that must never show.
    bytes[11..24].copy_from_slice(b"\xcd\xf5\xd0\xa1\xc3\xf7\0junk!!");
    let gbk = UserReadOptions {
        encoding: encoding_rs::GBK,
        ..UserReadOptions::default()
    };
    let file = read_users(&bytes, &gbk);
    assert_eq!(file.users[0].name, "王小明");
    assert!(file.problems.is_empty());
    assert!(!format!("{:?}", file.users[0]).contains("junk"));
    assert_eq!(
        file.to_bytes().unwrap(),
        bytes,
        "the garbage after the NUL is kept"
    );
    assert!(CLOCK_ENCODINGS.contains(&encoding_rs::GBK));
    // Korean (CP949 is encoding_rs's EUC-KR) in the 8-byte name of a 28-byte record.
    let korean = UserRecord::new(1, "1", "김민서");
    let out = write_users(&[korean], 28, encoding_rs::EUC_KR).unwrap();
    let opts = UserReadOptions {
        record: Some(28),
        encoding: encoding_rs::EUC_KR,
    };
    assert_eq!(read_users(&out, &opts).users[0].name, "김민서");
}

#[test]
fn a_size_other_than_72_or_28_is_never_used() {
    let bytes = zk_sample(DOC_72);
    let opts = UserReadOptions {
        record: Some(10),
        ..UserReadOptions::default()
    };
    let file = read_users(&bytes, &opts);
    assert_eq!(file.record, 72);
    assert!(
        file.why.starts_with("10 is not a user.dat record size"),
        "{}",
        file.why
    );
    let refused = write_users(&file.users, 10, encoding_rs::UTF_8).unwrap_err();
    assert_eq!(
        refused[0].reasons,
        ["10 is not a user.dat record size (72 or 28)"]
    );
}

#[test]
fn a_duplicate_uid_names_the_other_users_id_and_a_duplicate_id_their_uid() {
    let users = [
        UserRecord::new(2, "005", "Ann"),
        UserRecord::new(2, "007", "Bob"),
        UserRecord::new(3, "", "Cy"),
        UserRecord::new(3, "009", "Di"),
        UserRecord::new(4, "005", "Ed"),
    ];
    let findings = check_users(&users, 72, encoding_rs::UTF_8);
    let said: Vec<(u32, &str, &[String])> = (findings.iter())
        .map(|f| (f.uid, f.user_id.as_str(), &f.reasons[..]))
        .collect();
    assert_eq!(
        said,
        [
            (
                2,
                "007",
                &["uid 2 is also that of user 005; each user needs a uid of their own".to_string()][..]
            ),
            (
                3,
                "009",
                &["uid 3 is also that of user number 3 (who has no user ID); each user needs a uid of their own".to_string()][..]
            ),
            (
                4,
                "005",
                &["user ID \"005\" is also that of the user with uid 2; each user needs a user ID of their own".to_string()][..]
            ),
        ]
    );
}

#[test]
fn a_replacement_character_in_new_text_is_a_finding_but_not_in_text_as_read() {
    let name = UserRecord::new(12, "112", "\u{FFFD}\u{FFFD}ö\u{FFFD}");
    assert_eq!(
        reasons(&[name], 72, encoding_rs::UTF_8),
        ["the name \"\u{FFFD}\u{FFFD}ö\u{FFFD}\" holds \u{FFFD}, a character that did not decode in the file it came from; it would be written to the clock as that replacement character. Read the file it came from in its right code page, or fix the name there"]
    );
    let id = UserRecord::new(12, "11\u{FFFD}", "Kim");
    let found = reasons(&[id], 72, encoding_rs::UTF_8);
    assert!(
        found[0].starts_with(
            "the user ID \"11\u{FFFD}\" holds \u{FFFD}, a character that did not decode"
        ),
        "{found:?}"
    );
    // A name read from the file that does not decode is written back as its bytes.
    let mut bytes = zk_sample(DOC_72);
    bytes[11..13].copy_from_slice(&[0xc7, 0xd1]);
    let file = read(&bytes);
    assert!(file.users[0].name.contains('\u{FFFD}'));
    assert!(check_users(&file.users, 72, encoding_rs::UTF_8).is_empty());
}

#[test]
fn random_bytes_are_one_file_level_problem_and_no_clock_sample_is() {
    let bytes = Rng(0x0dd_f11e).bytes(72 * 40);
    let file = read(&bytes);
    let why = file.not_user_records.as_deref().unwrap_or_default();
    let users = file.users.len();
    let odd = (file.users.iter())
        .filter(|u| matches!(u.privilege, Privilege::Other(_)))
        .count();
    assert!(odd * 2 > users, "{odd} of {users}");
    assert!(
        why.starts_with(&format!(
            "This does not look like a user.dat from a clock: {users} of {users} records read as 72-byte users are not user records ({odd} with an unknown privilege, "
        )),
        "{why}"
    );
    // The verdict is no problem of a record: the list holds only those.
    assert!(
        !file
            .problems
            .iter()
            .any(|p| p.starts_with("This does not look like")),
        "{:?}",
        file.problems
    );
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/zk/");
    let mut read_as_users = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !name.starts_with("user_dat") {
            continue; // attendance logs and the README are text, not user records
        }
        let file = read(&zk_sample(&name));
        assert_eq!(file.not_user_records, None, "{name}");
        assert!(file.problems.is_empty(), "{name}: {:?}", file.problems);
        read_as_users += 1;
    }
    assert_eq!(read_as_users, 2);
}

#[test]
fn two_odd_records_are_no_verdict_on_a_file() {
    let mut rng = Rng(0x0dd_f11e);
    let mut bytes: Vec<u8> = (0..72 * 2).map(|_| rng.next() as u8).collect();
    bytes[0] = 1; // no empty slot
    bytes[72] = 2;
    bytes[2] = 200;
    bytes[74] = 200;
    let file = read(&bytes);
    assert_eq!(file.users.len(), 2);
    assert_eq!(file.not_user_records, None);
    assert!(!file
        .problems
        .iter()
        .any(|p| p.starts_with("This does not look like")));
}

#[test]
fn a_clocks_file_in_a_wrong_code_page_is_not_called_implausible() {
    let mut bytes = Vec::new();
    for uid in 1..=5u16 {
        let mut user = UserRecord::new(u32::from(uid), &uid.to_string(), "");
        user.name = "김철수".into();
        bytes.extend(encode_user(&user, 72, encoding_rs::EUC_KR));
    }
    let file = read(&bytes);
    assert_eq!(file.users.len(), 5);
    assert_eq!(file.not_user_records, None);
    assert_eq!(file.problems.len(), 5, "one undecodable name each");
}

#[test]
fn a_name_or_user_id_that_fills_its_field_without_a_nul_is_said_with_its_byte() {
    let users = [
        UserRecord::new(1, "1", "Ann"),
        UserRecord::new(2, "2", "Bob"),
    ];
    let mut bytes = write_users(&users, 72, encoding_rs::UTF_8).unwrap();
    bytes[72 + 11..72 + 35].fill(b'A');
    bytes[48..72].fill(b'7');
    let file = read(&bytes);
    assert_eq!(file.users[1].name, "A".repeat(24), "shown as read");
    assert_eq!(file.problems.len(), 2, "{:?}", file.problems);
    assert!(
        file.problems[0]
            .starts_with("Byte 48 (record 1, uid 1): the user ID fills all 24 bytes with no NUL"),
        "{:?}",
        file.problems
    );
    assert!(
        file.problems[1].starts_with("Byte 83 (record 2, uid 2): the name fills all 24 bytes"),
        "{:?}",
        file.problems
    );
    // 28-byte records hold an 8-byte name with no NUL: nothing to say.
    let narrow = write_users(
        &[UserRecord::new(1, "1", "ABCDEFGH")],
        28,
        encoding_rs::UTF_8,
    );
    assert!(read(&narrow.unwrap()).problems.is_empty());
}

#[test]
fn a_card_two_users_share_is_refused_unless_the_file_as_read_holds_it() {
    let utf8 = encoding_rs::UTF_8;
    let mut users = [
        UserRecord::new(1, "1", "Ann"),
        UserRecord::new(2, "2", "Bob"),
    ];
    users.iter_mut().for_each(|u| u.card = 500);
    assert_eq!(
        reasons(&users, 72, utf8),
        ["card 500 is also that of the user with uid 1 (user ID \"1\"); a card opens the clock for one user only"]
    );
    let read = read_users(&write_users_unchecked(&users), &UserReadOptions::default());
    let findings = check_users(&read.users, 72, utf8);
    assert!(findings[0].reasons.is_empty(), "{findings:?}");
    assert!(findings[0].held[0].contains("in the user.dat as read"));
    assert!(
        read.to_bytes().is_ok(),
        "written back as the clock holds it"
    );
    let mut changed = read.users.clone();
    changed[1].card = 0;
    changed[0].card = 600;
    changed[1].card = 600;
    assert_eq!(reasons(&changed, 72, utf8).len(), 1);
}

/// `users` in 72-byte records, unchecked (as a clock may hold them).
fn write_users_unchecked(users: &[UserRecord]) -> Vec<u8> {
    let utf8 = encoding_rs::UTF_8;
    users
        .iter()
        .flat_map(|u| encode_user(u, 72, utf8))
        .collect()
}

#[test]
fn a_control_character_in_a_name_or_user_id_is_refused() {
    let tab = UserRecord::new(1, "1", "Tab\tName");
    let said = reasons(&[tab], 72, encoding_rs::UTF_8);
    assert!(said[0].contains("holds a control character"), "{said:?}");
    let line = UserRecord::new(1, "1\n2", "A");
    assert!(reasons(&[line], 72, encoding_rs::UTF_8)[0].contains("control character"));
}

#[test]
fn a_forced_record_size_whose_records_lack_the_user_shape_says_so_and_the_other_size() {
    // 504 bytes = 7 x 72 = 18 x 28: seven users with passwords, cards and privileges.
    let users: Vec<UserRecord> = (1..=7u32)
        .map(|uid| {
            let mut u = UserRecord::new(uid, &format!("10{uid}"), "Alice Example");
            u.card = 1000 + u64::from(uid);
            u.password = Secret::new(b"1234".to_vec());
            u
        })
        .collect();
    let bytes = write_users(&users, 72, encoding_rs::UTF_8).unwrap();
    let forced = |record| {
        let opts = UserReadOptions {
            record: Some(record),
            ..UserReadOptions::default()
        };
        read_users(&bytes, &opts).why
    };
    let why = forced(28);
    assert!(
        why.starts_with("28-byte records, chosen by you, but only "),
        "{why}"
    );
    assert!(
        why.ends_with("% of the records have the user shape as 28-byte records (100% as 72-byte ones): try 72-byte records, or let the size be judged from the file"),
        "{why}"
    );
    assert_eq!(
        forced(72),
        "72-byte records, chosen by you; 100% of the records have the user shape"
    );
}
