use super::*;
use crate::clock::{PunchFilter, PunchQuery};
use crate::formats::zk_attlog::{repair_attlog, RepairOptions};
use crate::formats::zk_sample;
use crate::workbench::OpenOptions;

const DOC_72: &str = "user_dat_72byte_record_from_zk-protocol_doc.bin";
const D: &str = "attlog_D_yqs112358_caoka_flash_corruption_excerpt.dat";
const A: &str = "attlog_A_Alden4891_attloger_LF_pin9.dat";

/// A user.dat of three users whose IDs punch in sample D, then an empty slot.
fn d_users() -> Vec<u8> {
    let users = [
        (1, "730004", "Ann"),
        (2, "710016", "Bob"),
        (3, "710011", "Cai"),
    ]
    .map(|(uid, id, name)| UserRecord::new(uid, id, name));
    let mut bytes = write_users(&users, 72, encoding_rs::UTF_8).unwrap();
    bytes.extend([0u8; 72]);
    bytes
}

/// One valid 608-byte `template.dat` record of `uid`, finger `index`.
fn template_record(uid: u16, index: u8) -> Vec<u8> {
    let mut r = 602u16.to_le_bytes().to_vec();
    r.extend(uid.to_le_bytes());
    r.extend([index, 1]);
    r.resize(608, 9);
    r
}

fn d_set() -> ClockSet {
    let mut set = ClockSet::new();
    set.add("user.dat", FileKind::ZkUserDat72, d_users());
    set.add("1_attlog.dat", FileKind::ZkAttlog, zk_sample(D));
    set
}

fn page(set: &mut ClockSet, start: usize, count: usize, filter: PunchFilter) -> PunchPage {
    set.punch_page(&PunchQuery {
        start,
        count,
        filter,
    })
}

use crate::clock::PunchPage;

#[test]
fn a_set_is_summarised_and_linked_by_user_id() {
    let set = d_set();
    let view = set.view();
    let users = view.users.unwrap();
    assert_eq!((users.users, users.empty_slots, users.record), (3, 1, 72));
    assert_eq!(users.encoding, "UTF-8");
    let log = view.attlog.unwrap();
    assert_eq!((log.punches, log.damaged, log.lines), (3, 12, 15));
    assert!(view.links.checked);
    // Line 12 ("ZZ") is erased flash, not a punch by a user no one has.
    assert!(view.links.punch_ids_without_user.is_empty());
    assert!(
        view.links.users_without_templates.is_empty(),
        "no template files"
    );
}

#[test]
fn the_unfiltered_table_holds_punches_and_damaged_lines_in_file_order() {
    let mut set = d_set();
    let all = page(&mut set, 0, 100, PunchFilter::default());
    assert_eq!((all.total, all.rows.len()), (15, 15));
    let damaged: Vec<u64> = (all.rows.iter())
        .filter(|r| !r.damage.is_empty())
        .map(|r| r.line)
        .collect();
    assert_eq!(damaged, [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    let punches: Vec<usize> = (all.rows.iter().filter(|r| r.damage.is_empty()))
        .map(|r| r.row)
        .collect();
    assert_eq!(punches, [0, 1, 2], "lines 1-3");
    assert_eq!(
        (all.rows[0].user_id.as_str(), all.rows[0].name.as_str()),
        ("730004", "Ann")
    );
    assert_eq!(all.rows[0].date, "2020-11-04");
    assert_eq!(all.rows[0].time, "07:14:03");
    assert_eq!(all.rows[0].status, "check-in");
    assert_eq!(
        all.rows[3].text,
        "71ZZZZZZZZ·2047-02-30 19:13:30·1·90·90·1515870810"
    );
    // A page from the middle starts where the whole table has that row.
    for start in 0..15 {
        let part = page(&mut set, start, 3, PunchFilter::default());
        let end = (start + 3).min(15);
        assert_eq!(part.rows, all.rows[start..end], "start {start}");
    }
}

#[test]
fn filters_pick_users_days_statuses_and_damage() {
    let mut set = d_set();
    let by = |user: &str| PunchFilter {
        user: user.into(),
        ..PunchFilter::default()
    };
    let ann = page(&mut set, 0, 10, by("730004"));
    assert_eq!(ann.total, 1);
    let bob = page(&mut set, 0, 10, by("bO"));
    assert_eq!((bob.total, bob.rows[0].user_id.as_str()), (1, "710016"));
    let damaged = PunchFilter {
        damaged_only: true,
        ..PunchFilter::default()
    };
    let d = page(&mut set, 2, 3, damaged);
    assert_eq!(d.total, 12);
    assert_eq!(d.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [6, 7, 8]);
    let day = PunchFilter {
        from: "2020-11-04".into(),
        to: "2020-11-04".into(),
        status: Some(0),
        ..PunchFilter::default()
    };
    assert_eq!(page(&mut set, 0, 10, day).total, 3);
    let bad = PunchFilter {
        from: "4 Nov".into(),
        ..PunchFilter::default()
    };
    let p = page(&mut set, 0, 10, bad);
    assert!(p.filter_note.unwrap().contains("YYYY-MM-DD"));
    assert_eq!(p.total, 3, "a date not understood filters nothing");
    let reversed = PunchFilter {
        from: "2020-11-05".into(),
        to: "2020-11-04".into(),
        ..PunchFilter::default()
    };
    let p = page(&mut set, 0, 10, reversed);
    assert_eq!(p.total, 0);
    assert_eq!(
        p.filter_note.as_deref(),
        Some("From 2020-11-05 is after To 2020-11-04: no punch can fall between them; swap the two dates.")
    );
}

#[test]
fn repair_drops_the_damaged_lines_and_keeps_the_rest_byte_for_byte() {
    let set = d_set();
    let bytes = zk_sample(D);
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    let expected: Vec<u8> = [0, 1, 2].iter().flat_map(|&i| lines[i].to_vec()).collect();
    let mut out = Vec::new();
    let opts = RepairOptions {
        remove_damaged: true,
        remove_duplicates: true,
    };
    let log = set.log().unwrap();
    let counts = RepairCounts::from(repair_attlog(&bytes[..], log, opts, &mut out).unwrap());
    assert_eq!(out, expected);
    assert_eq!((counts.kept, counts.removed_damaged), (3, 12));
    let mut same = Vec::new();
    repair_attlog(&bytes[..], log, RepairOptions::default(), &mut same).unwrap();
    assert_eq!(same, bytes, "nothing dropped: the file as it was");
}

#[test]
fn users_are_paged_with_passwords_only_on_request_and_written_back_whole() {
    let mut set = ClockSet::new();
    let doc = zk_sample(DOC_72);
    set.add("user.dat", FileKind::ZkUserDat72, doc.clone());
    let page = set.user_page(0, 10);
    let ned = &page.rows[0];
    assert_eq!(
        (ned.uid, ned.user_id.as_str(), ned.name.as_str()),
        (13, "555", "Ned")
    );
    assert_eq!((ned.card, ned.group, ned.password_set), (222, 2, true));
    assert_eq!(ned.time_zones, "own: 1, 2, 0");
    assert_eq!(set.password(0).as_deref(), Some("444"));
    assert_eq!(
        set.write_user_dat(72).unwrap(),
        doc,
        "garbage after NULs kept"
    );
    let written28 = set.write_user_dat(28).unwrap_err();
    assert!(written28[0]
        .notes
        .iter()
        .any(|r| r.contains("one time zone")));
    assert_eq!(set.check_fit(28).len(), 1);
    assert!(set.check_fit(72).is_empty());
}

#[test]
fn another_record_size_and_encoding_read_the_file_again() {
    let mut set = d_set();
    set.reread_users(Some(28), encoding_named("gbk"));
    let view = set.view().users.unwrap();
    assert_eq!(
        (view.record, view.forced, view.encoding.as_str()),
        (28, true, "GBK")
    );
    assert!(view.why.contains("chosen by you"));
    set.reread_users(None, encoding_named("utf-8"));
    assert_eq!(set.view().users.unwrap().users, 3);
}

#[test]
fn the_clocks_biostar_csv_is_written_as_the_workbenchs_import_file_and_its_notes_for_a_spreadsheet()
{
    let set = d_set();
    let (csv, _) = set.to_biostar(false, false, "--include-disabled").unwrap();
    assert!(csv.starts_with(b"user_id,name,csn\r\n"), "no BOM: {csv:?}");
    // The workbench writes the same rows into the same bytes.
    let book = Workbook::open(csv.clone(), "clock.csv", OpenOptions::default()).unwrap();
    let mut import = Vec::new();
    let rows = crate::workbench::ImportRows::All;
    book.write_import(&mut import, rows).unwrap();
    assert_eq!(import, csv);
    // The notes are for fixing users in a spreadsheet program: with a BOM for Excel.
    let note = UserNote {
        uid: 1,
        user_id: "7".into(),
        line: 0,
        notes: vec!["Zoë".into()],
    };
    let notes = UserNote::write_csv(&[note], Vec::new()).unwrap();
    assert!(
        notes.starts_with(b"\xEF\xBB\xBFuid,user_id,note\r\n"),
        "{notes:?}"
    );
}

#[test]
fn users_go_to_biostar_and_come_back_keeping_their_uids() {
    let mut set = d_set();
    let (csv, notes) = set.to_biostar(false, false, "--include-disabled").unwrap();
    let text = String::from_utf8(csv).unwrap();
    assert_eq!(
        text,
        "user_id,name,csn\r\n730004,Ann,\r\n710016,Bob,\r\n710011,Cai,\r\n"
    );
    assert!(notes.is_empty(), "{notes:?}");
    let sheet = "user_id,name,csn\r\n710016,Bob Lee,77\r\n9,New,\r\n";
    let book = Workbook::open(sheet.into(), "hr.csv", OpenOptions::default()).unwrap();
    let findings = set.users_from_csv(&book, 72);
    assert!(findings.is_empty(), "{findings:?}");
    let users = set.user_page(0, 10).rows;
    let bob = users.iter().find(|u| u.user_id == "710016").unwrap();
    assert_eq!((bob.uid, bob.name.as_str(), bob.card), (2, "Bob Lee", 77));
    assert_eq!(users.iter().find(|u| u.user_id == "9").unwrap().uid, 4);
    assert!(set
        .view()
        .users
        .unwrap()
        .from_csv
        .unwrap()
        .contains("1 added, 1 updated"));
    // Read again, the user.dat's own users come back, and the page is told the CSV's went.
    set.reread_users(Some(72), encoding_rs::UTF_8);
    let view = set.view();
    assert!(view.users.as_ref().unwrap().from_csv.is_none());
    assert_eq!(view.users.unwrap().users, 3);
    assert_eq!(
        view.notes.last().unwrap(),
        "user.dat was read again: the users taken from the CSV before are gone (Users from \
         hr.csv: 1 added, 1 updated, 2 kept that the CSV does not list, 4 in all.). Take the \
         users from the CSV again to get them back."
    );
}

#[test]
fn users_the_csv_does_not_list_are_counted_and_named_as_kept() {
    let mut set = d_set();
    let sheet = "user_id,name\r\n710016,Bob\r\n9,New\r\n";
    let book = Workbook::open(sheet.into(), "hr.csv", OpenOptions::default()).unwrap();
    assert!(set.users_from_csv(&book, 72).is_empty());
    let view = set.view().users.unwrap();
    assert_eq!(
        view.from_csv.as_deref(),
        Some("Users from hr.csv: 1 added, 0 updated, 2 kept that the CSV does not list, 4 in all.")
    );
    assert_eq!(
        view.kept.as_deref(),
        Some(
            "2 users of user.dat are not in hr.csv but are kept, with their access to the \
              clock: user IDs 730004, 710011. If any of them has left, delete them on the clock \
              after the upload."
        )
    );
    let all = (1..=150).map(|n| format!("{n}\r\n")).collect::<String>();
    let mut set = ClockSet::new();
    let book = Workbook::open(
        format!("user_id\r\n{all}").into(),
        "all.csv",
        OpenOptions::default(),
    );
    set.users_from_csv(&book.unwrap(), 72);
    let book = Workbook::open("user_id\r\n1\r\n".into(), "one.csv", OpenOptions::default());
    set.users_from_csv(&book.unwrap(), 72);
    let kept = set.view().users.unwrap().kept.unwrap();
    assert!(
        kept.starts_with("149 users held now (taken from an earlier CSV) are not in one.csv"),
        "{kept}"
    );
    assert!(kept.contains(": user IDs 2, 3, 4, "), "{kept}");
    assert!(kept.contains(", 101 and 49 more. If any"), "{kept}");
    set.reread_users(None, encoding_rs::UTF_8);
    assert_eq!(set.view().users.unwrap().kept, None);
}

#[test]
fn a_kept_user_with_no_user_id_is_named_by_uid() {
    let users =
        [(4, "", "Nobody"), (5, "5", "Eve")].map(|(uid, id, name)| UserRecord::new(uid, id, name));
    let mut set = ClockSet::new();
    set.add(
        "user.dat",
        FileKind::ZkUserDat72,
        write_users(&users, 72, encoding_rs::UTF_8).unwrap(),
    );
    let book = Workbook::open(
        "user_id,name\r\n5,Eve\r\n".into(),
        "hr.csv",
        OpenOptions::default(),
    );
    set.users_from_csv(&book.unwrap(), 72);
    let kept = set.view().users.unwrap().kept.unwrap();
    assert!(kept.starts_with("1 user of user.dat is not in hr.csv but is kept, with their access to the clock: user ID (uid 4, no user ID). If they have left, delete them on the clock after the upload."), "{kept}");
}

#[test]
fn a_new_user_dat_says_the_users_taken_from_the_csv_are_gone() {
    let mut set = d_set();
    let book = Workbook::open(
        "user_id,name\r\n9,New\r\n".into(),
        "hr.csv",
        OpenOptions::default(),
    )
    .unwrap();
    set.users_from_csv(&book, 72);
    let notes_before = set.view().notes.len();
    set.add("user2.dat", FileKind::ZkUserDat72, Vec::new());
    let notes = set.view().notes;
    assert_eq!(notes.len(), notes_before + 2, "{notes:?}");
    assert!(notes[notes_before].starts_with("user2.dat was added: the users taken from the CSV before are gone (Users from hr.csv: 1 added"));
    assert_eq!(
        notes[notes_before + 1],
        "user2.dat replaces user.dat: a set holds one file of each kind, so user.dat is not shown, linked or repaired. To work on user.dat, add it again on its own."
    );
}

#[test]
fn templates_are_listed_per_user_and_unlinked_uids_reported() {
    let mut set = d_set();
    let record = template_record;
    let bytes = [record(2, 0), record(2, 5), record(40, 1)].concat();
    set.add("template.dat", FileKind::ZkTemplateDat, bytes);
    let view = set.view();
    let t = &view.templates[0];
    assert_eq!((t.records, t.valid, t.owner_count), (3, 3, 2));
    assert_eq!(t.owners[0].user_id.as_deref(), Some("710016"));
    assert_eq!(t.owners[0].entries.len(), 2);
    assert_eq!(t.owners[1].user_id, None);
    assert_eq!(view.links.templates_without_user, [(40, 1)]);
    let without: Vec<u32> = view
        .links
        .users_without_templates
        .iter()
        .map(|u| u.0)
        .collect();
    assert_eq!(without, [1, 3]);
}

#[test]
fn a_second_log_replaces_the_first_and_says_so() {
    let mut set = d_set();
    set.add("2_attlog.dat", FileKind::ZkAttlog, zk_sample(A));
    let view = set.view();
    assert_eq!(view.attlog.unwrap().punches, 20);
    assert!(view.notes[0].contains("2_attlog.dat replaces 1_attlog.dat"));
    set.add("notes.txt", FileKind::Unknown, b"hello".to_vec());
    assert!(set.view().notes[1].contains("not a clock file"));
}

#[test]
fn users_from_a_csv_alone_join_names_and_say_what_does_not_fit() {
    let mut set = ClockSet::new();
    set.add("1_attlog.dat", FileKind::ZkAttlog, zk_sample(D));
    let sheet = "user_id,name,csn\r\n730004,Ann Long Name,\r\nabc,Bob,\r\n";
    let book = Workbook::open(sheet.into(), "hr.csv", OpenOptions::default()).unwrap();
    let notes = set.users_from_csv(&book, 28);
    let who: Vec<(u32, &str)> = notes.iter().map(|n| (n.uid, n.user_id.as_str())).collect();
    assert_eq!(who, [(1, "730004"), (2, "abc")], "{notes:?}");
    assert!(notes[0].notes[0].contains("takes 13 bytes"), "{notes:?}");
    let view = set.view().users.unwrap();
    assert_eq!((view.record, view.users, view.size), (28, 2, 0));
    assert!(
        view.why.starts_with("no user.dat in the set"),
        "{}",
        view.why
    );
    let first = page(&mut set, 0, 1, PunchFilter::default());
    assert_eq!(
        first.rows[0].name, "Ann Long Name",
        "names joined from the new users"
    );
}

#[test]
fn new_users_never_take_a_uid_whose_templates_have_no_user() {
    let mut set = d_set();
    // uids 4 and 5 have fingerprints but no user: the next free uids would be theirs.
    let bytes = [4, 5, 2].map(|uid| template_record(uid, 0)).concat();
    set.add("template.dat", FileKind::ZkTemplateDat, bytes);
    let sheet = "user_id,name\r\n9,New\r\n10,Newer\r\n";
    let book = Workbook::open(sheet.into(), "hr.csv", OpenOptions::default()).unwrap();
    assert!(set.users_from_csv(&book, 72).is_empty());
    let uid = |id: &str| set.users().iter().find(|u| u.user_id == id).map(|u| u.uid);
    assert_eq!((uid("9"), uid("10")), (Some(6), Some(7)));
    assert_eq!(set.view().links.templates_without_user, [(4, 1), (5, 1)]);
}

/// Takes the users of the CSV `sheet` (hr.csv) into `set`, in 72-byte records.
fn take_csv(set: &mut ClockSet, sheet: &str) -> Vec<UserNote> {
    let book = Workbook::open(sheet.into(), "hr.csv", OpenOptions::default()).unwrap();
    set.users_from_csv(&book, 72)
}

#[test]
fn a_csv_card_that_is_no_number_shows_in_the_user_table_as_given() {
    let mut set = d_set();
    let notes = take_csv(
        &mut set,
        "user_id,name,csn\r\n9,New,12x\r\n10,Newer,77\r\n11,Spaced, 5555 \r\n12,Big,99999999999\r\n",
    );
    assert!(notes[0].notes[0].starts_with("card \"12x\" is not a plain number"));
    let page = set.user_page(0, 100);
    let row = |id: &str| page.rows.iter().find(|r| r.user_id == id).unwrap().clone();
    let (new, newer) = (row("9"), row("10"));
    assert_eq!((new.card, new.card_cell.as_deref()), (0, Some("12x")));
    assert_eq!(
        new.card_text(),
        "\"12x\" (not a card number: see the notes)"
    );
    assert_eq!(
        row("11").card_text(),
        "\" 5555 \" (not a card number: see the notes)"
    );
    assert_eq!(
        row("12").card_text(),
        "99999999999 (above 4294967295, more than the clock holds: see the notes)"
    );
    assert_eq!(
        (newer.card_cell.as_deref(), newer.card_text()),
        (None, "77".into())
    );
    // Read again from the user.dat, the CSV's users and their cells are gone.
    set.reread_users(None, encoding_rs::UTF_8);
    assert!(set
        .user_page(0, 100)
        .rows
        .iter()
        .all(|r| r.card_cell.is_none()));
}

#[test]
fn rows_the_clock_cannot_take_stop_the_write_until_the_csv_is_fixed() {
    let mut set = d_set();
    let sheet = "user_id,name,csn\r\n9,New,12x\r\n,Nobody,\r\n9,New again,\r\n";
    let notes = take_csv(&mut set, sheet);
    let mut said: Vec<String> = notes.iter().flat_map(|n| n.notes.clone()).collect();
    said.sort();
    assert!(
        said[0].starts_with("card \"12x\" is not a plain number"),
        "{said:?}"
    );
    assert!(
        said[1].starts_with("line 2 has the same user ID"),
        "{said:?}"
    );
    assert!(
        said[2].starts_with("line 4 has the same user ID"),
        "{said:?}"
    );
    assert!(
        said[3].starts_with("not taken, as the row has no user ID"),
        "{said:?}"
    );
    assert_eq!(said.len(), 4, "{said:?}");
    // The user.dat is not written while they stand, in either size...
    for record in [72, 28] {
        let refused = set.write_user_dat(record).unwrap_err();
        assert_eq!(refused.len(), 3, "one note per row: {refused:?}");
        assert_eq!(refused[..2], notes[..2]);
        assert!(refused[2].notes.starts_with(&notes[2].notes), "{refused:?}");
    }
    // The check before writing says all of it too, not only what the records cannot hold.
    assert_eq!(set.check_fit(72), set.write_user_dat(72).unwrap_err());
    // ...and once the file's own users are read again, it is.
    set.reread_users(None, encoding_rs::UTF_8);
    assert_eq!(set.write_user_dat(72).unwrap(), d_users());
}

#[test]
fn a_user_dat_added_later_is_read_in_the_encoding_chosen() {
    let mut set = d_set();
    set.reread_users(None, encoding_named("gbk"));
    let gbk_name = encoding_named("gbk").encode("张三").0.into_owned();
    let mut record = write_users(&[UserRecord::new(1, "1", "")], 72, encoding_rs::UTF_8).unwrap();
    record[11..11 + gbk_name.len()].copy_from_slice(&gbk_name);
    set.add("user2.dat", FileKind::ZkUserDat72, record);
    assert_eq!(set.view().users.unwrap().encoding, "GBK");
    assert_eq!(set.users()[0].name, "张三");
}

#[test]
fn a_user_dat_far_too_long_for_a_clock_is_read_from_its_head_and_said() {
    let mut set = ClockSet::new();
    let mut head = d_users();
    head.resize(crate::formats::zk_user_dat::MAX_READ as usize, 0);
    set.add_head("user.dat", FileKind::ZkUserDat72, head, 2_000_000_000 * 72);
    let view = set.view().users.unwrap();
    assert_eq!((view.users, view.size), (3, 2_000_000_000 * 72));
    let said = "Byte 4718592: more than 65536 records, more than a clock holds; the remaining \
                143995281408 bytes are not read.";
    assert_eq!(view.problems, [said]);
}

#[test]
fn a_csv_without_a_user_id_column_gets_one_note() {
    let mut set = d_set();
    let sheet = "name,csn\r\nAnn,1\r\nBob,2\r\nCai,3\r\n";
    let book = Workbook::open(sheet.into(), "hr.csv", OpenOptions::default()).unwrap();
    let notes = set.users_from_csv(&book, 72);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].uid, 0);
    assert!(notes[0].notes[0].starts_with("the CSV has no column mapped to user_id"));
    assert!(set.write_user_dat(72).is_err());
}

#[test]
fn users_from_a_csv_alone_are_written_in_the_code_page_chosen() {
    let mut set = ClockSet::new();
    set.choose_encoding(encoding_named("cp936"));
    let sheet = "user_id,name\r\n1,张伟\r\n2,王秀英王秀英王秀英王秀\r\n";
    let book = Workbook::open(sheet.into(), "hr.csv", OpenOptions::default()).unwrap();
    // 11 Chinese characters take 22 bytes in GBK (33 in UTF-8): they fit.
    assert!(set.users_from_csv(&book, 72).is_empty());
    assert_eq!(set.view().users.unwrap().encoding, "GBK");
    let bytes = set.write_user_dat(72).unwrap();
    let gbk = |t: &str| encoding_named("gbk").encode(t).0.into_owned();
    assert_eq!(&bytes[11..11 + 4], gbk("张伟").as_slice());
    assert_eq!(
        &bytes[72 + 11..72 + 11 + 22],
        gbk("王秀英王秀英王秀英王秀").as_slice()
    );
    // A character GBK has no form for is said, not written as something else.
    let book = Workbook::open(
        "user_id,name\r\n1,\u{1F600}\r\n".into(),
        "e.csv",
        OpenOptions::default(),
    );
    let notes = set.users_from_csv(&book.unwrap(), 72);
    assert!(notes[0].notes[0].contains("GBK cannot write"), "{notes:?}");
}

#[test]
fn an_empty_csn_cell_removes_a_card_and_says_whose() {
    let mut set = ClockSet::new();
    let mut users = [(1, "1001", "Ann"), (2, "1002", "Bob")]
        .map(|(uid, id, name)| UserRecord::new(uid, id, name));
    users[1].card = 123_456;
    set.add(
        "user.dat",
        FileKind::ZkUserDat72,
        write_users(&users, 72, encoding_rs::UTF_8).unwrap(),
    );
    let book = Workbook::open(
        "user_id,name,csn,pin\r\n1002,Bob,,5678\r\n".into(),
        "hr.csv",
        OpenOptions::default(),
    );
    assert!(set.users_from_csv(&book.unwrap(), 72).is_empty());
    assert_eq!(set.users()[1].card, 0);
    let view = set.view().users.unwrap();
    let said = view.kept.unwrap_or_default();
    assert!(
        said.contains("The card of 1 user of the clock is removed, as the CSV's csn cell is empty for them: user ID 1002. Their badge will stop working on the clock; fill in the csn in the CSV to keep it."),
        "{said}"
    );
    assert!(
        said.contains("1 user of user.dat is not in hr.csv but is kept"),
        "{said}"
    );
}

#[test]
fn windows_code_page_names_choose_their_encodings() {
    for (label, name) in [
        ("cp949", "EUC-KR"),
        ("CP936", "GBK"),
        ("cp950", "Big5"),
        ("cp932", "Shift_JIS"),
        ("cp1251", "windows-1251"),
        ("euc-kr", "EUC-KR"),
        (" gbk ", "GBK"),
    ] {
        assert_eq!(
            crate::formats::zk_user_dat::clock_encoding_for(label).map(|e| e.name()),
            Some(name),
            "{label}"
        );
    }
    assert_eq!(
        crate::formats::zk_user_dat::clock_encoding_for("cp1259"),
        None
    );
    assert_eq!(
        crate::formats::zk_user_dat::clock_encoding_for("klingon"),
        None
    );
}

#[test]
fn users_from_a_csv_alone_are_taken_again_in_another_code_page_or_record_size() {
    let mut set = ClockSet::new();
    let book = Workbook::open(
        "user_id,name\r\n1,张伟\r\n".into(),
        "hr.csv",
        OpenOptions::default(),
    )
    .unwrap();
    assert!(set.users_from_csv(&book, 72).is_empty());
    assert_eq!(set.view().users.unwrap().encoding, "UTF-8");
    // The clock turns out to be GBK, with 28-byte records: the same users, taken again.
    set.choose_encoding(encoding_named("gbk"));
    set.users_from_csv(&book, 28);
    let view = set.view().users.unwrap();
    assert_eq!(
        (view.encoding.as_str(), view.record, view.users),
        ("GBK", 28, 1)
    );
    let bytes = set.write_user_dat(28).unwrap();
    assert_eq!(
        &bytes[8..12],
        encoding_named("gbk").encode("张伟").0.as_ref()
    );
}

#[test]
fn users_whose_csn_cell_is_no_card_number_are_counted_as_updated() {
    let mut set = ClockSet::new();
    let users = (101..=105).map(|id: u32| UserRecord::new(id - 100, &id.to_string(), "U"));
    let dat = write_users(&users.collect::<Vec<_>>(), 72, encoding_rs::UTF_8).unwrap();
    set.add("user.dat", FileKind::ZkUserDat72, dat);
    let sheet =
        "user_id,name,csn\r\n102,U,x12\r\n103,U, 5 \r\n104,U,0x1F\r\n201,New,\r\n202,New,\r\n";
    let book = Workbook::open(sheet.into(), "hr.csv", OpenOptions::default()).unwrap();
    set.users_from_csv(&book, 72);
    let summary = set.view().users.unwrap().from_csv.unwrap();
    assert_eq!(
        summary,
        "Users from hr.csv: 2 added, 3 updated, 2 kept that the CSV does not list, 7 in all."
    );
}

#[test]
fn random_bytes_named_user_dat_are_said_to_be_no_users_before_them() {
    let bytes: Vec<u8> = (0..1008u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut set = ClockSet::new();
    set.add("user.dat", FileKind::ZkUserDat72, bytes);
    let view = set.view().users.unwrap();
    let why = view.unreadable.expect("random bytes are no users");
    assert!(
        why.starts_with("This does not look like a user.dat from a clock:"),
        "{why}"
    );
    assert_eq!(set.users_unreadable(), Some(why.as_str()));
    assert!(
        !view.problems.contains(&why),
        "said once, not among the problems"
    );
    assert_eq!(d_set().view().users.unwrap().unreadable, None);
}

#[test]
fn a_row_a_later_row_of_its_user_id_replaces_keeps_its_own_findings() {
    let mut set = ClockSet::new();
    let sheet = "user_id,name,csn\r\n202,김철수김철수김철수,123\r\n202,Dup,124\r\n,NoID,1\r\n";
    let notes = take_csv(&mut set, sheet);
    let whom: Vec<String> = notes.iter().map(UserNote::who).collect();
    assert_eq!(
        whom,
        [
            "line 2 of the CSV, uid 1 (202)",
            "line 3 of the CSV, uid 1 (202)",
            "line 4 of the CSV, no user ID"
        ]
    );
    let first = &notes[0].notes;
    assert!(
        first.contains(
            &"line 3 has the same user ID: only one row per user can go to the clock".to_string()
        ),
        "{first:?}"
    );
    assert!(
        first
            .iter()
            .any(|n| n.starts_with("the name \"김철수김철수김철수\" takes 27 bytes in UTF-8")),
        "the name too long is said though a later row replaces it: {first:?}"
    );
    assert_eq!(
        notes[1].notes,
        ["line 2 has the same user ID: only one row per user can go to the clock"]
    );
    assert_eq!(
        set.check_fit(72).len(),
        3,
        "the check before writing says all three rows"
    );
    // Two users do not fit: 202 (its two rows) and the row with no user ID.
    let listed = NoteList::of(set.check_fit(72));
    assert_eq!((listed.total, listed.users), (3, 2));
    assert_eq!(NoteList::of(notes).users, 2);
}

#[test]
fn a_user_whose_row_a_later_one_replaces_is_counted_once_among_those_that_do_not_fit() {
    let mut set = ClockSet::new();
    let sheet = "user_id,name,csn\r\n7,Ann,0x1\r\n8,Bob,1\r\n7,Ann,0x2\r\n";
    let notes = take_csv(&mut set, sheet);
    let whom = [
        "line 2 of the CSV, uid 1 (7)",
        "line 4 of the CSV, uid 1 (7)",
    ];
    assert_eq!(notes.iter().map(UserNote::who).collect::<Vec<_>>(), whom);
    assert_eq!(set.users().len(), 2);
    for list in [NoteList::of(notes), NoteList::of(set.check_fit(72))] {
        assert_eq!((list.total, list.users), (2, 1), "{:?}", list.shown);
    }
    // A user with several notes counts once; users of a user.dat sharing a user ID, and
    // rows with no user ID, count each.
    let note = |uid, user_id: &str, line| UserNote {
        uid,
        user_id: user_id.into(),
        line,
        notes: vec!["one".into(), "two".into()],
    };
    let notes = vec![
        note(3, "9", 0),
        note(4, "9", 0),
        note(0, "", 5),
        note(0, "", 6),
    ];
    assert_eq!(NoteList::of(notes).users, 4);
}
