//! Tests of file-level findings, the header row, and re-checking rows outside duplicates.

use super::{check, def, row_with, rules};
use crate::model::Sheet;
use crate::workbench::mapping::{auto_map, Field};
use crate::workbench::validate::{validate, Rule};

#[test]
fn unmapped_columns_must_be_decided() {
    let mut sheet = Sheet::new();
    sheet.push_row(1, ["user_id", "Vehicle", "Memo"]).unwrap();
    sheet.push_row(2, ["1", "12가3456", "hi"]).unwrap();
    sheet.push_row(3, ["2", "", ""]).unwrap();
    let mut mapping = auto_map(&["user_id", "Vehicle", "Memo"], &[]);
    let r = validate(&sheet, 0, &mapping, &def());
    assert_eq!(rules(&r, 1), vec![Rule::UnmappedColumn]);
    assert_eq!(r.findings_of(1)[0].other, Some(2));
    assert_eq!(rules(&r, 2), vec![]);
    assert_eq!(r.file_findings().len(), 2);
    let m = r.file_findings()[0].message(&sheet, 0, &mapping);
    assert!(
        m.starts_with("Column \"Vehicle\" (B)") && m.contains("line 2"),
        "{m}"
    );
    assert!(
        m.contains("custom user field") && m.contains("ignore"),
        "{m}"
    );
    let m = r.findings_of(1)[0].message(&sheet, 0, &mapping);
    assert!(
        m.contains("holds \"12가3456\" (and 1 more unmapped column) but is not mapped"),
        "{m}"
    );
    assert_eq!(r.totals().file_errors, 2);

    mapping.remap(1, Some(Field::Custom("Vehicle".into())));
    mapping.remap(2, None);
    let r = validate(&sheet, 0, &mapping, &def());
    assert_eq!(rules(&r, 1), vec![]);
    assert!(r.file_findings().is_empty());
}

#[test]
fn a_file_with_nothing_under_its_header_or_nothing_at_all_says_so() {
    let mut sheet = Sheet::new();
    sheet.push_row(1, ["user_id", "name"]).unwrap();
    sheet.push_row(2, ["  ", ""]).unwrap();
    let mapping = auto_map(&["user_id", "name"], &[]);
    let r = validate(&sheet, 0, &mapping, &def());
    let file: Vec<Rule> = r.file_findings().iter().map(|f| f.rule).collect();
    assert_eq!(file, vec![Rule::NoDataRows]);
    let m = r.file_findings()[0].message(&sheet, 0, &mapping);
    assert!(
        m.starts_with("There are no data rows under the header (line 1)"),
        "{m}"
    );
    assert_eq!(r.totals().file_errors, 1);
    // Spaces only: no header to map either, so that is all that is said.
    let mut blank = Sheet::new();
    blank.push_row(3, ["   "]).unwrap();
    let mapping = auto_map(&["   "], &[]);
    let r = validate(&blank, 0, &mapping, &def());
    let file: Vec<Rule> = r.file_findings().iter().map(|f| f.rule).collect();
    assert_eq!(file, vec![Rule::NoDataRows]);
    let m = r.file_findings()[0].message(&blank, 0, &mapping);
    assert!(
        m.starts_with("The file holds nothing but blank lines"),
        "{m}"
    );
    // A header chosen too low, on a blank line under real rows: not "nothing but blanks".
    let mut low = Sheet::new();
    low.push_row(1, ["user_id", "name"]).unwrap();
    low.push_row(2, ["1", "Kim"]).unwrap();
    low.push_row(3, [" ", ""]).unwrap();
    let mapping = auto_map(&[" ", ""], &[]);
    let r = validate(&low, 2, &mapping, &def());
    let no_data = r
        .file_findings()
        .iter()
        .find(|f| f.rule == Rule::NoDataRows);
    let m = no_data.unwrap().message(&low, 2, &mapping);
    assert!(
        m.starts_with("There are no data rows under the header (line 3)"),
        "{m}"
    );
    assert!(m.contains("chosen too low"), "{m}");
}

#[test]
fn file_level_findings() {
    let mut sheet = Sheet::new();
    sheet.push_row(1, ["name", "이름"]).unwrap();
    sheet.push_row(2, ["Kim", "김"]).unwrap();
    let mut mapping = auto_map(&["name", "이름"], &[]);
    mapping.remap(1, Some(Field::Name));
    let r = validate(&sheet, 0, &mapping, &def());
    let file: Vec<Rule> = r.file_findings().iter().map(|f| f.rule).collect();
    assert_eq!(file, vec![Rule::MappingConflict, Rule::UserIdColumnMissing]);
    let m = r.file_findings()[0].message(&sheet, 0, &mapping);
    assert!(
        m.starts_with("Column \"name\" (A) and column \"이름\" (B)"),
        "{m}"
    );
    assert_eq!(rules(&r, 1), vec![Rule::UserIdMissing]);
    let m = r.findings_of(1)[0].message(&sheet, 0, &mapping);
    assert!(m.contains("no column is mapped"), "{m}");
}

#[test]
fn header_row_not_first_and_out_of_range() {
    let mut sheet = Sheet::new();
    sheet.push_row(1, ["Exported 2024-05-01"]).unwrap();
    sheet.push_row(2, ["user_id", "name"]).unwrap();
    sheet.push_row(3, ["5", "Kim"]).unwrap();
    let mapping = auto_map(&["user_id", "name"], &[]);
    let r = validate(&sheet, 1, &mapping, &def());
    assert_eq!(r.data_rows(), 2..3);
    assert_eq!(r.totals().valid, 1);
    let r = validate(&sheet, 7, &mapping, &def());
    assert_eq!(r.totals().rows, 0);
    assert!(r.findings_of(7).is_empty());
    let empty = validate(&Sheet::new(), 0, &mapping, &def());
    assert_eq!(empty.totals().rows, 0);
}

#[test]
fn more_unmapped_columns_of_a_row_are_counted_in_the_plural() {
    let headers = ["user_id", "Vehicle", "Memo", "Desk"];
    let mut sheet = Sheet::new();
    sheet.push_row(1, headers).unwrap();
    sheet.push_row(2, ["1", "12가3456", "hi", "4F"]).unwrap();
    let mapping = auto_map(&headers, &[]);
    let r = validate(&sheet, 0, &mapping, &def());
    let m = r.findings_of(1)[0].message(&sheet, 0, &mapping);
    assert!(m.contains("(and 2 more unmapped columns) but"), "{m}");
}

#[test]
fn revalidate_keeps_unmapped_column_findings_current() {
    let mut sheet = Sheet::new();
    sheet.push_row(1, ["user_id", "Vehicle", "Memo"]).unwrap();
    for (i, v) in ["", "", "x", "", "y"].iter().enumerate() {
        let id = (i + 1).to_string();
        sheet.push_row(i as u64 + 2, [id.as_str(), v, ""]).unwrap();
    }
    let mapping = auto_map(&["user_id", "Vehicle", "Memo"], &[]);
    let s = def();
    let mut r = validate(&sheet, 0, &mapping, &s);
    let edits: [(usize, usize, &str); 8] = [
        (1, 1, "a"), // earlier data: the first row moves up
        (1, 1, ""),  // and back
        (3, 1, ""),  // the first row loses its data: the next one is found
        (5, 1, ""),  // no data left: the finding goes
        (2, 2, "m"), // data in another unmapped column
        (4, 1, "z"),
        (2, 2, ""),
        (4, 1, ""),
    ];
    for (row, col, v) in edits {
        sheet.set_cell(row, col, v);
        r.revalidate_row(&sheet, 0, &mapping, &s, row);
        let full = validate(&sheet, 0, &mapping, &s);
        assert_eq!(
            r.file_findings(),
            full.file_findings(),
            "after {row},{col}={v:?}"
        );
        assert_eq!(r.summary(), full.summary());
    }
    assert!(r.file_findings().is_empty());
}

#[test]
fn revalidate_ignores_rows_outside_the_data() {
    let (sheet, mapping, mut r) = check(&[row_with("1", &[])], &def());
    let before = r.summary();
    r.revalidate_row(&sheet, 0, &mapping, &def(), 0);
    r.revalidate_row(&sheet, 0, &mapping, &def(), 99);
    r.revalidate_row(&sheet, 5, &mapping, &def(), 1);
    assert_eq!(r.summary(), before);
}
