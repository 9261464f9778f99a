//! Tests of the validation rules: the helpers every topic shares and the tests of the
//! report as a whole; the tests of each topic are in the files beside this one.

mod dates;
mod duplicates;
mod report;
mod rows;

use crate::model::Sheet;
use crate::workbench::mapping::{auto_map, Mapping};
use crate::workbench::validate::{
    validate, Finding, Report, RowStatus, Rule, SiteSettings, Summary,
};

const HEADER: [&str; 15] = [
    "user_id",
    "name",
    "department",
    "user_title",
    "email",
    "start_datetime",
    "expiry_datetime",
    "csn",
    "mobile_start_datetime",
    "mobile_expiry_datetime",
    "csn_mobile",
    "qr",
    "face_image_file1",
    "pin",
    "26 bit SIA Standard-H10301",
];

/// A valid row with the cells in `changes` (column name, value) replaced.
fn row_with(id: &str, changes: &[(&str, &str)]) -> Vec<String> {
    let mut cells: Vec<String> = vec![
        id.to_string(),
        "Kim Minsu".into(),
        "R&D".into(),
        "Engineer".into(),
        "kim@example.com".into(),
        "2024-01-01 00:00".into(),
        "2030-12-31 23:59".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ];
    for (name, v) in changes {
        let i = HEADER.iter().position(|h| h == name).unwrap();
        cells[i] = v.to_string();
    }
    cells
}

fn build(rows: &[Vec<String>]) -> (Sheet, Mapping) {
    let mut sheet = Sheet::new();
    sheet.push_row(1, HEADER).unwrap();
    for (i, r) in rows.iter().enumerate() {
        sheet
            .push_row(i as u64 + 2, r.iter().map(String::as_str))
            .unwrap();
    }
    let mapping = auto_map(&HEADER, &[]);
    (sheet, mapping)
}

fn check(rows: &[Vec<String>], settings: &SiteSettings) -> (Sheet, Mapping, Report) {
    let (sheet, mapping) = build(rows);
    let report = validate(&sheet, 0, &mapping, settings);
    (sheet, mapping, report)
}

fn rules(report: &Report, row: usize) -> Vec<Rule> {
    report.findings_of(row).iter().map(|f| f.rule).collect()
}

/// Asserts a single-row file with `changes` breaks `rule` (and the base row does not).
fn fails(changes: &[(&str, &str)], rule: Rule, settings: &SiteSettings) -> String {
    let (_, _, ok) = check(&[row_with("1", &[])], settings);
    assert!(
        !rules(&ok, 1).contains(&rule),
        "base row already breaks {rule:?}: {:?}",
        rules(&ok, 1)
    );
    let (sheet, mapping, bad) = check(&[row_with("1", changes)], settings);
    assert!(
        rules(&bad, 1).contains(&rule),
        "{changes:?} should break {rule:?}, got {:?}",
        rules(&bad, 1)
    );
    let f = bad
        .findings_of(1)
        .iter()
        .find(|f| f.rule == rule)
        .copied()
        .unwrap();
    let msg = f.message(&sheet, 0, &mapping);
    assert!(msg.starts_with("Line 2"), "{msg}");
    msg
}

fn passes(changes: &[(&str, &str)], rule: Rule, settings: &SiteSettings) {
    let (_, _, r) = check(&[row_with("1", changes)], settings);
    assert!(
        !rules(&r, 1).contains(&rule),
        "{changes:?} should not break {rule:?}"
    );
}

fn def() -> SiteSettings {
    SiteSettings::default()
}

#[test]
fn a_good_row_is_valid() {
    let (_, _, r) = check(&[row_with("1", &[]), row_with("2", &[])], &def());
    assert_eq!(
        r.findings().count(),
        0,
        "{:?}",
        r.findings().collect::<Vec<_>>()
    );
    assert_eq!(r.status(1), RowStatus::Valid);
    let t = r.totals();
    assert_eq!(
        (t.rows, t.valid, t.with_errors, t.with_warnings),
        (2, 2, 0, 0)
    );
    assert!(r.file_findings().is_empty());
}

#[test]
fn finding_is_compact() {
    assert!(std::mem::size_of::<Finding>() <= 24);
}

#[test]
fn rule_ids_are_unique_and_match_serde() {
    for (i, a) in Rule::ALL.iter().enumerate() {
        for b in &Rule::ALL[i + 1..] {
            assert_ne!(a.id(), b.id());
        }
        assert_eq!(serde_json::to_string(a).unwrap(), format!("\"{}\"", a.id()));
        assert!(!a.title().is_empty());
    }
}

#[test]
fn summary_serialises() {
    let (_, _, r) = check(&[row_with("", &[])], &def());
    let json = serde_json::to_string(&r.summary()).unwrap();
    assert!(json.contains("\"user_id.missing\""), "{json}");
    let back: Summary = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r.summary());
}

#[test]
fn every_rule_has_a_message() {
    let (sheet, mapping) = build(&[row_with("1", &[])]);
    for &rule in Rule::ALL {
        for col in [None, Some(0), Some(99)] {
            let f = Finding {
                row: 1,
                col,
                rule,
                other: Some(1),
            };
            assert!(!f.message(&sheet, 0, &mapping).is_empty());
            let far = Finding { row: 1000, ..f };
            assert!(!far.message(&sheet, 0, &mapping).is_empty());
        }
    }
}
