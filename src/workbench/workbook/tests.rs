//! Tests of the workbook: opening, views, edits, merge and the files written.

use super::*;
use crate::formats::biostar_csv::{read, Delimiter, ReadIssue};
use crate::formats::biostar_csv::{CsvWriter, ReadOptions, WriteOptions};
use crate::text::TextEncoding;
use crate::workbench::validate::{ExpiryLimit, UserIdType};
use crate::workbench::validate::{RowStatus, Severity};

fn open(text: &str) -> Workbook {
    Workbook::open(
        text.as_bytes().to_vec(),
        "users.csv",
        OpenOptions::default(),
    )
    .unwrap()
}

fn import(wb: &Workbook, rows: ImportRows) -> (String, WriteReport) {
    let mut out = Vec::new();
    let report = wb.write_import(&mut out, rows).unwrap();
    assert_eq!(report.bytes, out.len() as u64);
    (String::from_utf8(out).unwrap(), report)
}

fn errors_file(wb: &Workbook) -> (Vec<u8>, WriteReport) {
    let mut out = Vec::new();
    let report = wb.write_errors(&mut out).unwrap();
    assert_eq!(report.bytes, out.len() as u64);
    (out, report)
}

fn page(wb: &Workbook, filter: RowFilter) -> RowPage {
    wb.rows(&RowQuery {
        start: 0,
        count: 100,
        filter,
    })
}

fn rows_of(page: &RowPage) -> Vec<usize> {
    page.rows.iter().map(|r| r.row).collect()
}

fn target(view: &WorkbookView, col: usize) -> Option<&str> {
    view.columns[col].target.as_deref()
}

const USERS: &str = "user_id,name,department,start_datetime,expiry_datetime,csn,pin\r\n\
    1,Kim,R&D,2025-01-01 09:00,2030-12-31 23:59,100,1234\r\n\
    2,Lee,Sales,2025-01-01 09:00,12/31/2030 23:59,200,\r\n\
    3,Park,HR,2025-01-01 09:00,2030-12-31 23:59,300,12\r\n\
    4,Choi,HR,2025-01-01 09:00,2030-12-31 23:59,,\r\n";

#[test]
fn opens_and_says_how_it_read_the_file() {
    let text = "Users of site A,,\n\nuser_id,name,Vehicle\n1,Kim,12가3456\n2,\"Lee Y \",\n";
    let wb = open(text);
    let v = wb.view();
    assert_eq!(v.name, "users.csv");
    assert_eq!(v.size, text.len() as u64);
    assert_eq!(v.encoding, TextEncoding::Utf8);
    assert_eq!(v.encoding_reason, "valid UTF-8 throughout");
    assert_eq!(v.delimiter, Delimiter::Comma);
    assert!(v.delimiter_reason.starts_with("comma gives 3 fields"));
    assert_eq!((v.header_row, v.header_line), (1, 3));
    assert_eq!(v.preview.len(), 4);
    assert_eq!(v.preview[1].line, 3);
    assert_eq!(v.preview[3].cells, vec!["2", "Lee Y ", ""]);
    assert_eq!(target(&v, 0), Some("user_id"));
    assert_eq!(target(&v, 1), Some("name"));
    assert_eq!(target(&v, 2), None);
    assert_eq!(v.columns[2].target_label, "Not mapped");
    assert!(v.columns[2].suggest_custom);
    assert_eq!(v.columns[2].sample, "12가3456");
    assert_eq!(v.columns[1].target_label, "Name (name)");
    assert_eq!(v.totals.rows, 2);
    assert_eq!(v.totals.valid, 1);
    assert_eq!(v.totals.with_errors, 1);
    assert_eq!(
        v.rules,
        vec![RuleView {
            id: "column.unmapped".into(),
            title: "Data in an unmapped column".into(),
            severity: Severity::Error,
            count: 1
        }]
    );
    assert_eq!(v.file_findings.len(), 1);
    assert!(v.file_findings[0].contains("\"Vehicle\" (C)"));
    assert!(
        v.notes[0].starts_with(
            "The header was found on line 3: the row before it (line 1) is not imported."
        ),
        "the blank line 2 is no row: {:?}",
        v.notes
    );
    assert!(v.read_issues[0].contains("line 2 is blank"));
    assert_eq!(v.read_issue_count, 1);
    assert_eq!(v.field_choices.len(), 19 + 9);
    assert!(v
        .field_choices
        .iter()
        .any(|c| c.id == "wiegand:DESFire 56bit"));
    assert_eq!(v.edits, 0);
    assert_eq!(v.merge, None);
    assert!(v.conflicts.is_empty());
}

#[test]
fn preview_cells_are_cut_and_say_so() {
    let long = "가".repeat(50);
    let wb = open(&format!("user_id,name\n1,{long}\n"));
    let cell = &wb.view().preview[1].cells[1];
    assert_eq!(cell.chars().count(), 41);
    assert!(cell.ends_with('…'));
    assert_eq!(wb.view().columns[1].sample, *cell);
}

#[test]
fn cp949_and_semicolons_are_detected() {
    let text = "사번;이름;부서\r\n1;김철수;인사\r\n2;이영희;연구개발\r\n";
    let (bytes, _, _) = encoding_rs::EUC_KR.encode(text);
    let wb = Workbook::open(bytes.into_owned(), "직원.csv", OpenOptions::default()).unwrap();
    let v = wb.view();
    assert_eq!(v.encoding, TextEncoding::Cp949);
    assert_eq!(v.delimiter, Delimiter::Semicolon);
    assert_eq!(target(&v, 0), Some("user_id"));
    assert_eq!(v.columns[0].how, MatchKind::Alias);
    assert_eq!(target(&v, 2), Some("department"));
    assert_eq!(v.totals.valid, 2);
    let (out, _) = import(&wb, ImportRows::ValidOnly);
    assert_eq!(
        out,
        "user_id,name,department\r\n1,김철수,인사\r\n2,이영희,연구개발\r\n"
    );
    assert_eq!(wb.import_file_name(), "직원_import.csv");
}

#[test]
fn options_force_encoding_delimiter_and_header() {
    let text = "title\nuser_id;name\n1;Kim\n";
    let options = OpenOptions {
        encoding: Some(TextEncoding::Windows1252),
        delimiter: Some(Delimiter::Semicolon),
        header_row: Some(1),
        ..OpenOptions::default()
    };
    let wb = Workbook::open(text.as_bytes().to_vec(), "u.csv", options.clone()).unwrap();
    let v = wb.view();
    assert_eq!(v.encoding, TextEncoding::Windows1252);
    assert!(v.encoding_reason.contains("chosen by you"));
    assert_eq!(v.delimiter_reason, "semicolon chosen by you");
    assert_eq!(v.header_row, 1);
    assert!(v.notes[0].starts_with("The header was set by you on line 2"));
    assert_eq!(wb.options(), options);
    // Detected values are not pinned.
    let wb = open("user_id,name\n1,Kim\n");
    assert_eq!(wb.options(), OpenOptions::default());

    let err = Workbook::open(
        text.as_bytes().to_vec(),
        "u.csv",
        OpenOptions {
            header_row: Some(9),
            ..OpenOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(err, WorkbookError::NoSuchRow { row: 9, rows: 3 });
    assert!(err.to_string().contains("the file has 3 rows"));
}

#[test]
fn unusable_files_say_what_and_what_to_do() {
    let open_err = |bytes: &[u8]| Workbook::open(bytes.to_vec(), "x.csv", OpenOptions::default());
    let e = open_err(b"").unwrap_err();
    assert!(matches!(e, WorkbookError::Empty { blank: false, .. }));
    assert!(e.to_string().contains("empty (0 bytes)"));
    let e = open_err(b"\r\n\r\n\n").unwrap_err();
    assert!(matches!(e, WorkbookError::Empty { blank: true, .. }));
    assert!(e.to_string().contains("only blank lines"));
    let e = open_err(b"PK\x03\x04\x14\x00\x06\x00rest of a workbook").unwrap_err();
    assert!(e.to_string().contains("Excel workbook (.xlsx)"), "{e}");
    assert!(e.to_string().contains("CSV UTF-8"));
    let e = open_err(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]).unwrap_err();
    assert!(e.to_string().contains("(.xls)"));
    let e = open_err(&[0x1F, 0x8B, 8, 0, 0, 0]).unwrap_err();
    assert!(e.to_string().contains("gzip"));
    let binary: Vec<u8> = (0..200u8).map(|b| b % 7).collect();
    let e = open_err(&binary).unwrap_err();
    assert!(matches!(e, WorkbookError::NotText { .. }));
    assert!(e.to_string().contains("control bytes"));
    // UTF-16 is full of NUL bytes and is text.
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "user_id,name\r\n1,Kim\r\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let wb = Workbook::open(utf16, "u.csv", OpenOptions::default()).unwrap();
    assert_eq!(wb.view().encoding, TextEncoding::Utf16Le);
    assert_eq!(wb.view().totals.valid, 1);
    let too_large = WorkbookError::TooLarge {
        name: "big.csv".into(),
        size: 2_000_000_000,
        limit: MAX_FILE_BYTES,
    };
    assert!(too_large.to_string().contains("Split it"));
}

#[test]
fn header_row_can_be_chosen_and_maps_again() {
    let mut wb = open("Export,of,users\nuser_id,name,Vehicle\n1,Kim,x\n");
    assert_eq!(wb.header_row(), 1);
    wb.remap(2, None);
    assert_eq!(wb.view().totals.valid, 1);
    wb.set_header_row(0).unwrap();
    let v = wb.view();
    assert_eq!(v.header_row, 0);
    assert_eq!(v.totals.rows, 2);
    assert!(v
        .notes
        .iter()
        .any(|n| n.contains("mapping of 1 column was not kept")));
    assert_eq!(wb.options().header_row, Some(0));
    wb.set_header_row(1).unwrap();
    let v = wb.view();
    assert_eq!(v.totals.rows, 1);
    assert!(v.notes[0].starts_with("The header was set by you on line 2"));
    assert_eq!(
        wb.set_header_row(3),
        Err(WorkbookError::NoSuchRow { row: 3, rows: 3 })
    );
}

#[test]
fn remap_and_custom_fields_revalidate() {
    let mut wb = open("user_id,name,Vehicle,Memo,Plate\n1,Kim,car,hello,12가\n2,Lee,,hi,\n");
    assert_eq!(wb.view().totals.with_errors, 2);
    // Declaring a custom field maps the column with that header.
    wb.add_custom_field(" Vehicle ");
    let v = wb.view();
    assert_eq!(target(&v, 2), Some("custom:Vehicle"));
    assert_eq!(v.custom_fields, vec!["Vehicle"]);
    assert!(v.field_choices.iter().any(|c| c.id == "custom:Vehicle"));
    assert_eq!(wb.options().custom_fields, vec!["Vehicle"]);
    // Ignore Memo, map Plate to a new custom field by id.
    wb.remap(3, None);
    wb.remap(4, Field::from_id("custom:License Plate Number"));
    let v = wb.view();
    assert_eq!(
        v.columns[3].target_label,
        "Ignored (left out of the import)"
    );
    assert_eq!(target(&v, 4), Some("custom:License Plate Number"));
    assert_eq!(v.custom_fields, vec!["Vehicle", "License Plate Number"]);
    assert_eq!(v.totals.valid, 2);
    // Adding another custom field keeps the manual choices.
    wb.add_custom_field("Memo");
    let v = wb.view();
    assert_eq!(target(&v, 3), None);
    assert_eq!(v.columns[3].how, MatchKind::Manual);
    let (out, report) = import(&wb, ImportRows::ValidOnly);
    assert_eq!(
        out,
        "user_id,name,Vehicle,License Plate Number\r\n1,Kim,car,12가\r\n2,Lee,,\r\n"
    );
    assert!(
        report
            .note
            .contains("\"Memo\" (D) is ignored, so it was left out (2 values not written)"),
        "{}",
        report.note
    );
    // Two columns on one field: a conflict, and writers refuse.
    wb.remap(1, Some(Field::UserId));
    let v = wb.view();
    assert_eq!(v.conflicts.len(), 1);
    assert!(v.conflicts[0].contains("mapped to user_id"));
    let e = wb.write_import(Vec::new(), ImportRows::All).unwrap_err();
    assert!(e.to_string().starts_with("Nothing was written."));
    assert!(wb.write_rows(Vec::new(), &[1]).is_err());
    // Remapping a column the header does not have changes nothing.
    wb.remap(40, Some(Field::Pin));
    assert_eq!(wb.view().columns.len(), 5);
}

#[test]
fn settings_change_the_findings() {
    let mut wb = open("user_id,name,expiry_datetime\nA-1,Kim,2031-01-01 00:00\n2,Lee,\n");
    let v = wb.view();
    assert_eq!((v.totals.valid, v.totals.with_errors), (1, 1));
    assert_eq!(v.rules[0].id, "user_id.not_number");
    wb.set_settings(SiteSettings {
        user_id_type: UserIdType::Alphanumeric,
        expiry_limit: ExpiryLimit::Y2030,
        ..SiteSettings::default()
    });
    let v = wb.view();
    assert_eq!(v.settings.user_id_type, UserIdType::Alphanumeric);
    assert_eq!(v.rules[0].id, "date.after_2030");
    assert_eq!(v.totals.with_errors, 1);
    assert_eq!(wb.options().settings.expiry_limit, ExpiryLimit::Y2030);
}

#[test]
fn edits_revalidate_at_once_with_duplicates() {
    let mut wb = open("user_id,name\n1,Kim\n2,Lee\n2,Park\n3,Choi\n");
    let dup = RowFilter::Rule("user_id.duplicate".into());
    assert_eq!(rows_of(&page(&wb, dup.clone())), vec![2, 3]);
    assert_eq!(page(&wb, RowFilter::Errors).total, 2);
    // Fixing one side of the duplicate fixes both rows.
    let changed = wb.edit_cell(3, 0, "4");
    assert_eq!(
        changed.iter().map(|r| r.row).collect::<Vec<_>>(),
        vec![3, 2]
    );
    assert_eq!(changed[0].cells, vec!["4", "Park"]);
    assert_eq!(changed[0].edited, vec![0]);
    assert_eq!(changed[0].status, RowStatus::Valid);
    assert_eq!(changed[1].status, RowStatus::Valid);
    assert_eq!(page(&wb, dup.clone()).total, 0);
    assert_eq!(page(&wb, RowFilter::Errors).total, 0);
    assert_eq!(wb.view().totals.valid, 4);
    assert_eq!(wb.totals(), wb.view().totals);
    assert!(wb.rule_counts().is_empty());
    assert_eq!(wb.view().edits, 1);
    // Joining another user's ID makes both rows duplicates again.
    let changed = wb.edit_cell(4, 0, "1");
    assert_eq!(
        changed.iter().map(|r| r.row).collect::<Vec<_>>(),
        vec![4, 1]
    );
    assert!(changed[1].findings[0].message.contains("also on line 5"));
    assert_eq!(rows_of(&page(&wb, dup.clone())), vec![1, 4]);
    assert_eq!(rows_of(&page(&wb, RowFilter::WithFindings)), vec![1, 4]);
    // Setting a cell back to what was read is no edit.
    wb.edit_cell(4, 0, "3");
    assert_eq!(wb.view().edits, 1);
    assert_eq!(page(&wb, dup).total, 0);
    // The header, rows outside the data and columns past the header are not edited.
    assert!(wb.edit_cell(0, 0, "x").is_empty());
    assert!(wb.edit_cell(9, 0, "x").is_empty());
    assert!(wb.edit_cell(1, 2, "x").is_empty());
    // The edit is in the import file.
    let (out, _) = import(&wb, ImportRows::ValidOnly);
    assert_eq!(
        out,
        "user_id,name\r\n1,Kim\r\n2,Lee\r\n4,Park\r\n3,Choi\r\n"
    );
}

#[test]
fn a_short_row_can_be_filled_in() {
    let mut wb = open("user_id,name,pin\n1,Kim\n");
    assert_eq!(wb.view().rules[0].id, "row.too_short");
    let changed = wb.edit_cell(1, 2, "1234");
    assert_eq!(changed[0].cells, vec!["1", "Kim", "1234"]);
    assert_eq!(changed[0].status, RowStatus::Valid);
    assert_eq!(changed[0].edited, vec![2]);
    let (out, _) = import(&wb, ImportRows::ValidOnly);
    assert_eq!(out, "user_id,name,pin\r\n1,Kim,1234\r\n");
}

#[test]
fn deleting_the_last_extra_cells_leaves_no_trailing_cells() {
    let mut wb = open("user_id,name,department\n1,Kim,HR,x,,y\n2,Lee,IT,z,\n");
    assert_eq!(wb.view().rules[0].id, "row.too_long");
    // One of two extra cells deleted: the other is still past the header.
    let changed = wb.edit_cell(1, 3, "");
    assert_eq!(changed[0].cells, vec!["1", "Kim", "HR", "", "", "y"]);
    assert_eq!(changed[0].status, RowStatus::Errors);
    // The last one deleted: the row ends at the header's last column, with no warning left.
    let changed = wb.edit_cell(1, 5, "");
    assert_eq!(changed[0].cells, vec!["1", "Kim", "HR"]);
    assert_eq!(changed[0].status, RowStatus::Valid);
    assert!(changed[0].findings.is_empty(), "{:?}", changed[0].findings);
    // An empty cell read after the extra one goes with it.
    let changed = wb.edit_cell(2, 3, "");
    assert_eq!(changed[0].cells, vec!["2", "Lee", "IT"]);
    assert!(changed[0].findings.is_empty(), "{:?}", changed[0].findings);
    assert!(wb.rule_counts().is_empty());
    assert_eq!(wb.view().edits, 3, "the deletions are edits");
    let (out, _) = import(&wb, ImportRows::ValidOnly);
    assert_eq!(out, "user_id,name,department\r\n1,Kim,HR\r\n2,Lee,IT\r\n");
}

#[test]
fn filters_and_pages() {
    let mut text = String::from("user_id,name,expiry_datetime,email\n");
    for i in 1..=30 {
        let expiry = match i % 10 {
            0 => "12/31/2030 23:59", // month first: error
            5 => "05/06/2030 10:00", // ambiguous: warning
            _ => "2030-12-31 23:59",
        };
        let email = if i == 7 { "nope" } else { "a@b.co" };
        text.push_str(&format!("{i},User {i},{expiry},{email}\n"));
    }
    let wb = open(&text);
    let v = wb.view();
    assert_eq!(v.totals.rows, 30);
    assert_eq!(v.totals.with_errors, 3);
    assert_eq!(v.totals.with_warnings, 4);
    assert_eq!(v.rules[0].id, "date.month_first");
    assert_eq!(v.rules[0].count, 3);
    assert_eq!(v.rules[1].id, "date.ambiguous");
    assert_eq!(v.rules[2].id, "email.shape");

    let all = wb.rows(&RowQuery {
        start: 25,
        count: 10,
        filter: RowFilter::All,
    });
    assert_eq!(all.total, 30);
    assert_eq!(all.start, 25);
    assert_eq!(rows_of(&all), vec![26, 27, 28, 29, 30]);
    assert_eq!(all.rows[0].line, 27);
    assert_eq!(all.rows[0].cells[0], "26");

    assert_eq!(rows_of(&page(&wb, RowFilter::Errors)), vec![10, 20, 30]);
    assert_eq!(rows_of(&page(&wb, RowFilter::Warnings)), vec![5, 7, 15, 25]);
    let with = wb.rows(&RowQuery {
        start: 2,
        count: 3,
        filter: RowFilter::WithFindings,
    });
    assert_eq!(with.total, 7);
    assert_eq!(rows_of(&with), vec![10, 15, 20]);
    let rule = page(&wb, RowFilter::Rule("date.month_first".into()));
    assert_eq!(rows_of(&rule), vec![10, 20, 30]);
    let f = &rule.rows[0].findings[0];
    assert_eq!(
        (f.col, f.rule.as_str(), f.severity),
        (Some(2), "date.month_first", Severity::Error)
    );
    assert!(f
        .message
        .starts_with("Line 11, column \"expiry_datetime\" (C)"));
    assert_eq!(page(&wb, RowFilter::Rule("no.such".into())).total, 0);
    // Past the end: an empty page with the total.
    let past = wb.rows(&RowQuery {
        start: 99,
        count: 5,
        filter: RowFilter::Errors,
    });
    assert_eq!((past.total, past.rows.len()), (3, 0));
    // Pages are capped.
    let big = wb.rows(&RowQuery {
        start: 0,
        count: usize::MAX,
        filter: RowFilter::All,
    });
    assert_eq!(big.rows.len(), 30);
}

#[test]
fn row_filters_serialise_as_the_app_sends_them() {
    let json = serde_json::to_string(&RowFilter::Rule("pin.format".into())).unwrap();
    assert_eq!(json, r#"{"kind":"rule","rule":"pin.format"}"#);
    assert_eq!(
        serde_json::to_string(&RowFilter::WithFindings).unwrap(),
        r#"{"kind":"with_findings"}"#
    );
    let back: RowFilter = serde_json::from_str(r#"{"kind":"errors"}"#).unwrap();
    assert_eq!(back, RowFilter::Errors);
    let q: RowQuery =
        serde_json::from_str(r#"{"start":0,"count":60,"filter":{"kind":"all"}}"#).unwrap();
    assert_eq!(q.filter, RowFilter::All);
    assert_eq!(
        serde_json::to_string(&ImportRows::ValidOnly).unwrap(),
        r#""valid_only""#
    );
    let wb = open(USERS);
    let v = wb.view();
    let back: WorkbookView = serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap();
    assert_eq!(back, v);
}

#[test]
fn import_file_bytes() {
    let wb = open(USERS);
    let (out, report) = import(&wb, ImportRows::ValidOnly);
    assert_eq!(
        out,
        "user_id,name,department,start_datetime,expiry_datetime,csn,pin\r\n\
         1,Kim,R&D,2025-01-01 09:00,2030-12-31 23:59,100,1234\r\n\
         4,Choi,HR,2025-01-01 09:00,2030-12-31 23:59,,\r\n"
    );
    assert_eq!((report.rows, report.skipped), (2, 2));
    assert_eq!(
        report.note,
        "Wrote 2 rows of 4 data rows with 7 columns for \"Import CSV\" (UTF-8, comma, \
         CRLF). 2 rows with errors left out: fix them (the error file lists them) and \
         import them next."
    );
    let (out, report) = import(&wb, ImportRows::All);
    assert_eq!(out.lines().count(), 5);
    assert!(out.contains("\r\n2,Lee,Sales,2025-01-01 09:00,12/31/2030 23:59,200,\r\n"));
    assert_eq!((report.rows, report.skipped), (4, 0));
}

#[test]
fn import_file_leaves_out_and_counts_what_it_cannot_write() {
    let wb = open("user_id,name,Note,\n1,Kim,a,\n2,Lee,,\n,,,\n3,Park,,extra\n");
    let (out, report) = import(&wb, ImportRows::All);
    assert_eq!(out, "user_id,name\r\n1,Kim\r\n2,Lee\r\n3,Park\r\n");
    assert_eq!((report.rows, report.skipped), (3, 1));
    assert!(report
        .note
        .contains("1 blank row without any value left out."));
    assert!(report
        .note
        .contains("\"Note\" (C) is not mapped, so it was left out (1 value not written)."));
    assert!(report
        .note
        .contains("column D is not mapped, so it was left out (1 value not written)."));
    let (out, report) = import(&wb, ImportRows::ValidOnly);
    assert_eq!(out, "user_id,name\r\n2,Lee\r\n");
    assert!(report.note.contains("no written row had a value in it"));
    // Without a user_id column nothing is written.
    let wb = open("name,department\nKim,R&D\n");
    let e = wb.write_import(Vec::new(), ImportRows::All).unwrap_err();
    assert!(e.to_string().contains("no column is mapped to user_id"));
}

#[test]
fn error_file_bytes() {
    let wb = open(USERS);
    let (out, report) = errors_file(&wb);
    let expected = "\u{FEFF}user_id,name,department,start_datetime,expiry_datetime,csn,pin,Error_Description\r\n\
        2,Lee,Sales,2025-01-01 09:00,12/31/2030 23:59,200,,\
        \"Line 3, column \"\"expiry_datetime\"\" (E): \"\"12/31/2030 23:59\"\" is month first \
        (MM/DD/YYYY), which the server does not support: it reads slash dates day first. \
        For December 31, write 31/12/2030 23:59 (or 2030-12-31 23:59).\"\r\n\
        3,Park,HR,2025-01-01 09:00,2030-12-31 23:59,300,12,\
        \"Line 4, column \"\"pin\"\" (G): a PIN must be 4 to 16 digits; this one is not \
        (value not shown). Correct it or leave it blank.\"\r\n";
    assert_eq!(String::from_utf8(out.clone()).unwrap(), expected);
    assert!(out.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!((report.rows, report.skipped), (2, 0));
    assert_eq!(wb.error_file_name(), "users_errors.csv");
}

#[test]
fn error_file_joins_every_problem_and_keeps_every_column() {
    let mut wb = open(
        "사번,name,Memo,pin\n\
         1,Kim!,note 1,12\n\
         2,Lee,\"two\nlines\",1234,extra\n\
         3,Park,,5678\n",
    );
    wb.remap(2, None);
    wb.edit_cell(1, 1, "Kim?");
    let (out, report) = errors_file(&wb);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "\u{FEFF}사번,name,Memo,pin,,Error_Description");
    assert!(lines[1].starts_with("1,Kim?,note 1,12,,\"Line 2, column \"\"name\"\" (B)"));
    assert_eq!(lines[1].matches(" | ").count(), 1, "{}", lines[1]);
    assert!(lines[1].contains(" | Line 2, column \"\"pin\"\" (D)"));
    // The quoted line break stays inside its (quoted) cell.
    assert!(lines[2].starts_with("2,Lee,\"two\nlines\",1234,extra,\"Line 3"));
    assert!(lines[2].contains("line break"));
    assert!(lines[2].contains(" | "));
    assert_eq!(report.rows, 2);
    // Warnings are named too, marked as such.
    let wb = open("user_id,email,name\n1,nope,Kim#\n");
    let (out, _) = errors_file(&wb);
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(" | Warning: Line 2, column \"\"email\"\" (B)"),
        "{text}"
    );
    // No row with errors: the header alone.
    let wb = open("user_id\n1\n");
    let (out, report) = errors_file(&wb);
    assert_eq!(out, b"\xEF\xBB\xBFuser_id,Error_Description\r\n");
    assert_eq!(report.rows, 0);
}

#[test]
fn a_failed_rows_file_can_be_fixed_and_loaded_again() {
    let wb = open(USERS);
    let (errors, _) = errors_file(&wb);
    let mut again = Workbook::open(errors, "users_errors.csv", OpenOptions::default()).unwrap();
    let v = again.view();
    assert_eq!(v.encoding, TextEncoding::Utf8Bom);
    assert_eq!(v.columns[7].header, "Error_Description");
    assert_eq!(v.columns[7].target, None);
    assert!(v.columns[7]
        .note
        .as_deref()
        .unwrap()
        .contains("failed-rows file"));
    assert_eq!(v.totals.rows, 2);
    assert_eq!(v.totals.with_errors, 2);
    assert!(v.file_findings.is_empty());
    again.edit_cell(1, 4, "2030-12-31 23:59");
    again.edit_cell(2, 6, "1212");
    let (out, report) = import(&again, ImportRows::ValidOnly);
    assert_eq!(
        out,
        "user_id,name,department,start_datetime,expiry_datetime,csn,pin\r\n\
         2,Lee,Sales,2025-01-01 09:00,2030-12-31 23:59,200,\r\n\
         3,Park,HR,2025-01-01 09:00,2030-12-31 23:59,300,1212\r\n"
    );
    assert!(report.note.contains("\"Error_Description\" (H) is ignored"));
    // Its own failed rows replace the old description rather than adding a column.
    again.edit_cell(2, 6, "1");
    let (out, report) = errors_file(&again);
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.matches("Error_Description").count(), 1);
    assert!(text.starts_with("\u{FEFF}user_id,name,department,start_datetime,expiry_datetime,csn,pin,Error_Description\r\n3,Park,HR,"));
    assert!(report
        .note
        .contains("old Error_Description column was replaced"));
    assert_eq!(again.import_file_name(), "users_errors_import.csv");
}

#[test]
fn untouched_files_round_trip_cell_for_cell() {
    let tricky = [
        "",
        " leading",
        "trailing ",
        "\ttab",
        "a,b",
        "say \"hi\"",
        "\"",
        "\"\"",
        "김철수",
        "Zoë O'Brien",
        "=SUM(A1)",
        "two\r\nlines",
        "x\ry",
        "'007",
        "   ",
        ";",
        "€",
    ];
    let headers: Vec<&str> = Field::STANDARD.iter().map(|f| f.header_name()).collect();
    let mut text = headers.join(",") + "\r\n";
    let mut expected: Vec<Vec<String>> = vec![headers.iter().map(|h| h.to_string()).collect()];
    for (i, _) in tricky.iter().enumerate() {
        let row: Vec<String> = (0..headers.len())
            .map(|c| tricky[(i + c) % tricky.len()].to_string())
            .collect();
        let mut writer = CsvWriter::new(Vec::new(), &WriteOptions::IMPORT);
        writer.write_row(row.iter().map(String::as_str)).unwrap();
        text.push_str(&String::from_utf8(writer.finish().unwrap()).unwrap());
        expected.push(row);
    }
    let wb = open(&text);
    assert!(wb.mapping().columns.iter().all(|c| c.target.is_some()));
    let (out, report) = import(&wb, ImportRows::All);
    assert_eq!(report.rows as usize, tricky.len());
    let doc = read(&out, &ReadOptions { delimiter: b',' }).unwrap();
    let got: Vec<Vec<String>> = (0..doc.sheet.len())
        .map(|r| doc.sheet.row(r).map(str::to_string).collect())
        .collect();
    assert_eq!(got, expected);
    // An untouched file written as it was read gives the same bytes.
    assert_eq!(out, text);
    // The same holds for the server's own layout with Wiegand and custom columns.
    let text =
        "user_id,name,26 bit SIA Standard-H10301,Purpose\r\n1,\" Kim \",16530370,\"a,b\"\r\n";
    let mut wb = open(text);
    wb.add_custom_field("Purpose");
    assert_eq!(import(&wb, ImportRows::All).0, text);
}

/// The server's export: users 1, 2, 3, 4, with a custom column it wrote.
const EXPORT: &str = "user_id,name,department,csn,Purpose\r\n\
    1,Kim,R&D,100,staff\r\n\
    2,Lee,Sales,200,staff\r\n\
    3,Park,HR,300,\r\n\
    4,Choi,HR,400,staff\r\n";

/// The file: 1 same, 2 changed, 3 changed (blank card), 5 new, 6 with an error.
const INCOMING: &str = "user_id,name,department,csn\r\n\
    1,Kim,R&D,0100\r\n\
    2,Lee,Marketing,200\r\n\
    3,Park,HR,\r\n\
    5,Jung,R&D,500\r\n\
    6,Bad!,R&D,600\r\n";

#[test]
fn merge_keep_overwrite_and_override() {
    let mut wb = open(INCOMING);
    wb.load_existing(EXPORT.as_bytes().to_vec(), "export.csv")
        .unwrap();
    merge_counts_and_diffs(&wb);
    merge_keep(&wb);
    merge_overwrite(&mut wb);
    merge_override(&mut wb);

    wb.clear_existing();
    assert_eq!(wb.merge_view(0, 10), None);
    assert_eq!(wb.view().merge, None);
    let (out, _) = import(&wb, ImportRows::ValidOnly);
    assert!(out.starts_with("user_id,name,department,csn\r\n1,Kim,R&D,0100\r\n"));
}

/// The merge of INCOMING with EXPORT, as loaded: counts and the first diff.
fn merge_counts_and_diffs(wb: &Workbook) {
    let m = wb.merge_view(0, 10).unwrap();
    assert_eq!(m.counts.existing_name, "export.csv");
    assert_eq!(m.counts.existing_rows, 4);
    assert!(m.counts.notes[0].contains("\"Purpose\" matches no BioStar field"));
    let c = m.counts.counts;
    assert_eq!(
        (
            c.new,
            c.in_both,
            c.changed,
            c.identical,
            c.kept,
            c.untouched
        ),
        (2, 3, 2, 1, 2, 1)
    );
    assert_eq!(m.default, MergeChoice::Keep);
    assert_eq!(m.total_diffs, 2);
    assert_eq!(m.counts.import_rows, 1);
    // The file's users, each counted once: 1 new written, 1 new left out for its errors,
    // 2 kept, 1 the same.
    let v = &m.counts;
    assert_eq!(
        (v.new_written, v.overwritten_written, v.left_out_errors),
        (1, 0, 1)
    );
    assert_eq!(
        v.new_written + v.overwritten_written + v.left_out_errors + u64::from(c.kept + c.identical),
        u64::from(c.new + c.in_both)
    );
    let d = &m.diffs[0];
    assert_eq!((d.user_id.as_str(), d.line, d.existing_line), ("2", 3, 3));
    assert_eq!((d.choice, d.overridden), (MergeChoice::Keep, false));
    assert_eq!(
        d.changes,
        vec![FieldChangeView {
            field: "Department (department)".into(),
            before: Some("Sales".into()),
            after: "Marketing".into(),
            removes_card: false
        }]
    );
    assert_eq!(wb.view().merge.unwrap().counts.new, 2);
}

/// The merge with the default choice, keep.
fn merge_keep(wb: &Workbook) {
    // Keep: only the new user without errors is written.
    let (out, report) = import(wb, ImportRows::ValidOnly);
    assert_eq!(
        out,
        "user_id,name,department,csn,Purpose\r\n5,Jung,R&D,500,\r\n"
    );
    assert_eq!(report.rows, 1);
    assert!(report
        .note
        .starts_with("Merged with export.csv: 1 new user and 0 overwritten users written"));
    assert!(report
        .note
        .contains("2 users you chose to keep and 1 user already the same"));
    assert!(report.note.contains("1 row with errors left out"));
}

/// The merge with overwrite as the default choice.
fn merge_overwrite(wb: &mut Workbook) {
    // Overwrite: changed users are written, with the export's values for the fields
    // the file lacks; the blank card is flagged.
    wb.set_merge_default(MergeChoice::Overwrite);
    let m = wb.merge_view(0, 10).unwrap();
    assert_eq!(m.counts.counts.overwritten, 2);
    // The counts match the file: users 2 and 3 overwritten, 5 new, 6 left out.
    let v = &m.counts;
    assert_eq!(
        (
            v.overwritten_written,
            v.new_written,
            v.left_out_errors,
            v.import_rows
        ),
        (2, 1, 1, 3)
    );
    assert_eq!(m.counts.counts.cards_removed, 1);
    assert!(m.diffs[1].changes[0].removes_card);
    let (out, report) = import(wb, ImportRows::ValidOnly);
    assert_eq!(
        out,
        "user_id,name,department,csn,Purpose\r\n\
         2,Lee,Marketing,200,staff\r\n\
         3,Park,HR,,\r\n\
         5,Jung,R&D,500,\r\n"
    );
    assert!(report.note.contains("removes the stored card of 1 user"));
}

/// A per-user choice against the default, then removed; an edit; an unused choice.
fn merge_override(wb: &mut Workbook) {
    // Override: keep user 3 (written as "003": IDs compare as numbers).
    wb.set_merge_override("003", Some(MergeChoice::Keep));
    let m = wb.merge_view(1, 10).unwrap();
    assert_eq!(m.start, 1);
    assert_eq!(m.diffs.len(), 1);
    assert_eq!(
        (m.diffs[0].choice, m.diffs[0].overridden),
        (MergeChoice::Keep, true)
    );
    let (out, _) = import(wb, ImportRows::ValidOnly);
    assert_eq!(
        out,
        "user_id,name,department,csn,Purpose\r\n2,Lee,Marketing,200,staff\r\n5,Jung,R&D,500,\r\n"
    );
    // All rows: the new user with an error too.
    let (out, _) = import(wb, ImportRows::All);
    assert!(out.ends_with("6,Bad!,R&D,600,\r\n"));
    // Removing the override and an edit are taken into account.
    wb.set_merge_override("3", None);
    wb.edit_cell(3, 3, "300");
    let m = wb.merge_view(0, 10).unwrap();
    assert_eq!(m.total_diffs, 1);
    assert_eq!(m.counts.counts.cards_removed, 0);
    wb.set_merge_override("77", Some(MergeChoice::Overwrite));
    assert_eq!(
        wb.merge_view(0, 0).unwrap().counts.unused_overrides,
        vec!["77"]
    );
}

#[test]
fn reopen_with_another_encoding_keeps_choices_and_drops_edits() {
    let text = "user_id,name,Memo\r\n1,김철수,메모\r\n2,이영희,\r\n";
    let (cp949, _, _) = encoding_rs::EUC_KR.encode(text);
    let bytes = cp949.into_owned();
    // Read wrongly as Windows-1252 first.
    let first = OpenOptions {
        encoding: Some(TextEncoding::Windows1252),
        ..OpenOptions::default()
    };
    let mut wb = Workbook::open(bytes.clone(), "users.csv", first).unwrap();
    assert_ne!(wb.sheet().cell(1, 1), Some("김철수"));
    wb.remap(2, Some(Field::Custom("Memo".into())));
    wb.set_settings(SiteSettings {
        strict_names: false,
        ..SiteSettings::default()
    });
    wb.edit_cell(2, 1, "x");
    wb.edit_cell(1, 1, "y");
    wb.load_existing(EXPORT.as_bytes().to_vec(), "export.csv")
        .unwrap();
    wb.set_merge_default(MergeChoice::Overwrite);

    let mut options = wb.options();
    options.encoding = Some(TextEncoding::Cp949);
    let again = wb.reopen(bytes, options).unwrap();
    let v = again.view();
    assert_eq!(v.encoding, TextEncoding::Cp949);
    assert_eq!(again.sheet().cell(1, 1), Some("김철수"));
    assert_eq!(target(&v, 2), Some("custom:Memo"));
    assert_eq!(v.columns[2].how, MatchKind::Manual);
    assert!(!v.settings.strict_names);
    assert_eq!(v.edits, 0);
    assert_eq!(
        v.notes,
        vec![
            "Your 2 edits were dropped when the file was read again with CP949 (Korean \
              Windows) and comma delimiters: make them again."
        ]
    );
    assert_eq!(
        again.merge_view(0, 1).unwrap().default,
        MergeChoice::Overwrite
    );

    // With a different header, remaps follow the header text or are reported lost.
    let mut wb = open("user_id,Memo,Plate\n1,a,b\n");
    wb.remap(1, None);
    wb.remap(2, None);
    let again = wb
        .reopen(b"user_id;Plate\n1;b\n".to_vec(), wb.options())
        .unwrap();
    let v = again.view();
    assert_eq!(v.columns[1].how, MatchKind::Manual);
    assert!(
        v.notes
            .iter()
            .any(|n| n.contains("mapping of 1 column (\"Memo\") was not kept")),
        "{:?}",
        v.notes
    );
}

#[test]
fn selected_rows_export_with_the_import_columns() {
    let wb = open(USERS);
    let mut out = Vec::new();
    let report = wb.write_rows(&mut out, &[3, 0, 2, 99]).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "user_id,name,department,start_datetime,expiry_datetime,csn,pin\r\n\
         3,Park,HR,2025-01-01 09:00,2030-12-31 23:59,300,12\r\n\
         2,Lee,Sales,2025-01-01 09:00,12/31/2030 23:59,200,\r\n"
    );
    assert_eq!((report.rows, report.skipped), (2, 2));
    assert!(report.note.contains("2 rows not data rows"));
}

#[test]
fn the_rows_a_filter_shows_export_whole_beyond_the_page() {
    let mut text = String::from("user_id,name\n");
    for i in 1..=300 {
        let id = if i % 3 == 0 {
            format!("x{i}")
        } else {
            i.to_string()
        };
        text.push_str(&format!("{id},N{i}\n"));
    }
    let wb = open(&text);
    let errors = wb.rows_kept_by(&RowFilter::Errors);
    assert_eq!(errors.len(), 100, "more than a page of rows");
    assert_eq!(errors[..2], [3, 6]);
    assert_eq!(rows_of(&page(&wb, RowFilter::Errors))[..2], [3, 6]);
    assert_eq!(
        wb.rows_kept_by(&RowFilter::All),
        (1..=300).collect::<Vec<_>>()
    );
    let mut out = Vec::new();
    let report = wb.write_rows(&mut out, &errors).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.starts_with("user_id,name\r\nx3,N3\r\nx6,N6\r\n"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 101);
    assert_eq!((report.rows, report.skipped), (100, 0));
    assert!(
        report.note.starts_with("With the import file's 2 columns."),
        "{}",
        report.note
    );
}

#[test]
fn file_names_and_lines() {
    let wb = Workbook::open(
        b"user_id\n1\n".to_vec(),
        "C:\\exports\\site.a.users.CSV",
        OpenOptions::default(),
    )
    .unwrap();
    assert_eq!(wb.import_file_name(), "site.a.users_import.csv");
    assert_eq!(wb.error_file_name(), "site.a.users_errors.csv");
    let wb = Workbook::open(b"user_id\n1\n".to_vec(), "noext", OpenOptions::default()).unwrap();
    assert_eq!(wb.import_file_name(), "noext_import.csv");
    assert_eq!(
        wb.import_file_name_of(ImportRows::ValidOnly),
        "noext_import.csv"
    );
    assert_eq!(
        wb.import_file_name_of(ImportRows::All),
        "noext_import_all_rows.csv"
    );
    let wb = open("a,b\n\n\"x\ny\",1\nuser_id,name\n");
    assert_eq!(wb.row_of_line(1), Some(0));
    assert_eq!(wb.row_of_line(2), Some(1));
    assert_eq!(wb.row_of_line(5), Some(2));
    assert_eq!(wb.row_of_line(6), None);
}

#[test]
fn a_workbook_can_move_to_another_thread() {
    fn send<T: Send>(_: &T) {}
    send(&open("user_id\n1\n"));
}

#[test]
fn read_issues_reach_the_view() {
    let wb = open("user_id,name\n1,\"Kim\nLee\"\n");
    let v = wb.view();
    assert_eq!(v.read_issue_count, 1);
    let issue = ReadIssue::QuotedNewline {
        row: 1,
        col: 1,
        line: 2,
        end_line: 3,
    };
    assert_eq!(v.read_issues, vec![issue.message()]);
    assert_eq!(v.rules[0].id, "cell.newline");
}

#[test]
fn a_record_wider_than_any_spreadsheet_is_one_clear_error() {
    let mut text = String::from("user_id,name\r\n1,Kim\r\n");
    text.push_str(&"ab,".repeat(MAX_COLUMNS + 4_000));
    text.push_str("ab\r\n");
    let err = Workbook::open(text.into_bytes(), "wide.csv", OpenOptions::default()).unwrap_err();
    assert_eq!(
        err,
        WorkbookError::TooManyColumns {
            name: "wide.csv".into(),
            line: 3,
            fields: MAX_COLUMNS + 4_001
        }
    );
    let message = err.to_string();
    assert!(
        message.starts_with("wide.csv, line 3: 20385 fields, more than the 16384 columns"),
        "{message}"
    );
    assert!(message.contains("user_id, name, department"), "{message}");

    // As wide as a spreadsheet goes still opens, its columns unmapped.
    let header = vec!["x"; MAX_COLUMNS].join(",");
    let wb = Workbook::open(header.into_bytes(), "widest.csv", OpenOptions::default()).unwrap();
    assert_eq!(wb.view().columns.len(), MAX_COLUMNS);
}

#[test]
fn a_header_of_megabytes_is_shown_short_and_matched_against_nothing() {
    let mut text = "n".repeat(3_000_000);
    text.push_str(",user_id\r\n");
    let wb = Workbook::open(text.into_bytes(), "cell.csv", OpenOptions::default()).unwrap();
    let v = wb.view();
    assert_eq!(
        v.columns[0].header,
        format!("{}… (3000000 characters)", "n".repeat(60))
    );
    assert_eq!(v.columns[0].target, None);
    assert!(v.columns[0]
        .note
        .as_deref()
        .unwrap()
        .starts_with("This header is longer than any BioStar field name"));
    assert_eq!(target(&v, 1), Some("user_id"));
}

#[test]
fn the_reading_of_a_head_cut_mid_line_is_the_reading_of_its_whole_lines() {
    let text = "Exported from HR;;\r\nuser_id;name;department\r\n1;Kim;R&D\r\n2;Lee;HR\r\n3;Pa";
    let r = Workbook::reading_of_head(text.as_bytes(), false, "hr.csv").unwrap();
    assert_eq!(r.delimiter, Delimiter::Semicolon);
    assert_eq!(r.header_line, 2);
    assert_eq!(r.encoding, TextEncoding::Utf8);
    // UTF-16 with its BOM: the cut falls after a whole two-byte line end.
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(
        "user_id,name\r\n1,Kim\r\n2,L"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    let r = Workbook::reading_of_head(&utf16, false, "u16.csv").unwrap();
    assert_eq!(r.encoding, TextEncoding::Utf16Le);
    assert_eq!((r.delimiter, r.header_line), (Delimiter::Comma, 1));
}

#[test]
fn a_card_clash_left_out_for_its_errors_is_not_said_to_be_written() {
    // Park repeats Kim's card in the file (an error) and Kim keeps it on the server.
    let mut wb = open("user_id,name,csn\n1,Kim,1001\n3,Park,1001\n2,Lee,\n4,Han,1002\n");
    wb.load_existing(
        b"user_id,name,csn\n1,Kim,1001\n2,Lee,1002\n".to_vec(),
        "s.csv",
    )
    .unwrap();
    wb.set_merge_default(MergeChoice::Overwrite);
    let (out, report) = import(&wb, ImportRows::ValidOnly);
    assert_eq!(out, "user_id,name,csn\r\n2,Lee,\r\n4,Han,1002\r\n");
    assert!(
        report.note.contains("1 row with errors left out"),
        "{}",
        report.note
    );
    assert!(!report.note.contains("written gives"), "{}", report.note);
    let m = wb.view().merge.unwrap();
    assert_eq!((m.left_out_errors, m.left_out_cards), (1, 0));
    // Written anyway when all rows are asked for, and then said.
    let (out, report) = import(&wb, ImportRows::All);
    assert!(out.contains("3,Park,1001\r\n"));
    assert!(
        report.note.contains("1 row written gives a card"),
        "{}",
        report.note
    );
}

#[test]
fn an_export_without_a_user_id_column_is_refused_for_the_merge() {
    let mut wb = open(USERS);
    let err = wb
        .load_existing(b"No,Name,Card\n1,Kim,1001\n".to_vec(), "it.csv")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("it.csv: no column of its header (line 1) is user_id"),
        "{err}"
    );
    assert_eq!(wb.view().merge, None);
}

#[test]
fn a_cell_that_did_not_decode_can_be_fixed_in_its_reopened_error_file() {
    let wb = open("user_id,name\n1,N\u{FFFD}d\n");
    assert_eq!(wb.view().totals.with_errors, 1);
    let (errors, _) = errors_file(&wb);
    // The description quotes the character; its column is ignored, so only B is wrong.
    let mut again = Workbook::open(errors, "users_errors.csv", OpenOptions::default()).unwrap();
    assert_eq!(again.view().totals.with_errors, 1);
    again.edit_cell(1, 1, "Ned");
    assert_eq!(again.view().totals.with_errors, 0);
}

#[test]
fn ticked_rows_the_filter_hides_are_written_and_said() {
    let wb = open("user_id,name\n1,A\nx2,B\n3,C\nx4,D\n");
    assert_eq!(wb.rows_kept_by(&RowFilter::Errors), [2, 4]);
    let mut out = Vec::new();
    let report = wb
        .write_ticked(&mut out, &[0, 1, 2, 3], &RowFilter::Errors)
        .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "user_id,name\r\n1,A\r\nx2,B\r\n3,C\r\n"
    );
    assert_eq!((report.rows, report.skipped), (3, 1));
    assert!(
        report.note.ends_with(
            " 2 ticked rows are hidden by the table's filter; they are in the file too (show all rows to see them)."
        ),
        "{}",
        report.note
    );
    let one = wb.write_ticked(Vec::new(), &[1, 2], &RowFilter::Errors);
    assert!(one
        .unwrap()
        .note
        .contains(" 1 ticked row is hidden by the table's filter; it is in"));
    for (rows, filter) in [(&[1, 3][..], RowFilter::All), (&[2, 4], RowFilter::Errors)] {
        let note = wb.write_ticked(Vec::new(), rows, &filter).unwrap().note;
        assert!(!note.contains("hidden"), "{note}");
    }
}

#[test]
fn the_header_note_counts_the_rows_before_it_in_words_that_agree() {
    let note = |wb: &Workbook| wb.view().notes[0].clone();
    let then = " not imported. Choose another \"start import at row\" if that is wrong.";
    let mut wb = open("Users of site A\nExported 2025-01-02\nBy HR\nuser_id,name\n1,Kim\n");
    assert_eq!(
        note(&wb),
        format!("The header was found on line 4: the 3 rows before it (lines 1 to 3) are{then}")
    );
    wb.set_header_row(2).unwrap();
    assert_eq!(
        note(&wb),
        format!(
            "The header was set by you on line 3: the 2 rows before it (lines 1 and 2) are{then}"
        )
    );
    wb.set_header_row(1).unwrap();
    assert_eq!(
        note(&wb),
        format!("The header was set by you on line 2: the row before it (line 1) is{then}")
    );
    // Blank lines are no rows: the lines named are those the rows are on.
    let wb = open("\nUsers of site A\n\nBy HR\nuser_id,name\n1,Kim\n");
    assert_eq!(
        note(&wb),
        format!("The header was found on line 5: the 2 rows before it (lines 2 and 4) are{then}")
    );
}
