//! Tests of duplicate user IDs and cards: the key index, and re-checking after edits.

use std::collections::HashMap;

use super::{check, def, row_with, rules};
use crate::workbench::validate::keys::{shared_keys, RowIndex};
use crate::workbench::validate::{validate, RowStatus, Rule, SiteSettings, UserIdType};

#[test]
fn duplicate_user_ids_point_at_each_other() {
    let rows = vec![
        row_with("1", &[]),
        row_with("2", &[]),
        row_with("1", &[]),
        row_with("01", &[]),
    ];
    let (sheet, mapping, r) = check(&rows, &def());
    assert!(!rules(&r, 2).contains(&Rule::UserIdDuplicate));
    let dup = |row: usize| {
        r.findings_of(row)
            .iter()
            .find(|f| f.rule == Rule::UserIdDuplicate)
            .and_then(|f| f.other)
    };
    assert_eq!(dup(1), Some(3));
    assert_eq!(dup(3), Some(1));
    // numeric site: 01 is user 1
    assert_eq!(dup(4), Some(1));
    let f = r.findings_of(1)[0];
    let m = f.message(&sheet, 0, &mapping);
    assert!(m.contains("line 4"), "{m}");
    assert_eq!(r.count(Rule::UserIdDuplicate), 3);

    // alphanumeric site: text compares exactly
    let s = SiteSettings {
        user_id_type: UserIdType::Alphanumeric,
        ..def()
    };
    let rows = vec![
        row_with("a1", &[]),
        row_with("A1", &[]),
        row_with("01", &[]),
        row_with("1", &[]),
    ];
    let (_, _, r) = check(&rows, &s);
    assert_eq!(r.count(Rule::UserIdDuplicate), 0);
}

#[test]
fn revalidate_clears_and_creates_duplicates() {
    let rows = vec![
        row_with("1", &[("csn", "100")]),
        row_with("2", &[("csn", "200")]),
        row_with("1", &[("csn", "300")]),
    ];
    let (mut sheet, mapping, mut r) = check(&rows, &def());
    let s = def();
    assert_eq!(r.totals().with_errors, 2);
    assert_eq!(r.count(Rule::UserIdDuplicate), 2);

    // Clearing: row 3 gets its own ID; row 1 is clean again.
    sheet.set_cell(3, 0, "3");
    r.revalidate_row(&sheet, 0, &mapping, &s, 3);
    assert_eq!(r.count(Rule::UserIdDuplicate), 0);
    assert_eq!(r.status(1), RowStatus::Valid);
    assert_eq!(r.status(3), RowStatus::Valid);
    assert_eq!(r.totals().valid, 3);

    // Creating: row 2's card becomes row 1's.
    sheet.set_cell(2, 7, "0100");
    r.revalidate_row(&sheet, 0, &mapping, &s, 2);
    assert_eq!(r.count(Rule::CardDuplicate), 2);
    assert_eq!(r.findings_of(1)[0].other, Some(2));
    assert_eq!(r.findings_of(2)[0].other, Some(1));
    assert_eq!(r.totals().with_errors, 2);

    // Three-way, then removing the first: the others now point at each other.
    sheet.set_cell(3, 7, "100");
    r.revalidate_row(&sheet, 0, &mapping, &s, 3);
    assert_eq!(r.count(Rule::CardDuplicate), 3);
    sheet.set_cell(1, 7, "");
    r.revalidate_row(&sheet, 0, &mapping, &s, 1);
    assert_eq!(r.count(Rule::CardDuplicate), 2);
    assert_eq!(r.findings_of(2)[0].other, Some(3));
    assert_eq!(r.findings_of(3)[0].other, Some(2));
    assert_eq!(r.status(1), RowStatus::Valid);

    // The counts agree with a full run.
    let full = validate(&sheet, 0, &mapping, &s);
    assert_eq!(full.summary(), r.summary());
    for row in 1..=3 {
        assert_eq!(full.findings_of(row), r.findings_of(row));
    }
}

#[test]
fn revalidate_after_many_edits_matches_a_full_run() {
    // IDs and cards from small ranges, so edits keep making and breaking duplicates.
    // The crate's xorshift: `below` draws the same numbers the inline one did.
    let mut rng = crate::bench::Rng(0x2545_f491_4f6c_dd1d);
    let mut next = move |n: u64| rng.below(n);
    let rows: Vec<Vec<String>> = (0..60)
        .map(|_| {
            let id = next(40).to_string();
            let csn = next(30).to_string();
            row_with(&id, &[("csn", &csn)])
        })
        .collect();
    let (mut sheet, mapping, mut r) = check(&rows, &def());
    let s = def();
    for step in 0..400 {
        let row = 1 + next(60) as usize;
        let (col, value) = match next(4) {
            0 => (0, format!("{:0w$}", next(40), w = next(3) as usize)),
            1 => (7, next(30).to_string()),
            2 => (7, String::new()),
            _ => (0, String::new()),
        };
        sheet.set_cell(row, col, &value);
        r.revalidate_row(&sheet, 0, &mapping, &s, row);
        if step % 50 == 49 {
            let full = validate(&sheet, 0, &mapping, &s);
            for row in 1..=60 {
                assert_eq!(full.findings_of(row), r.findings_of(row), "row {row}");
            }
            assert_eq!(full.summary(), r.summary());
        }
    }
}

#[test]
fn shared_keys_finds_every_group_even_when_table_slots_collide() {
    // Keys from a handful of values, many equal in their low bits (the table's slot).
    let mut rng = crate::bench::Rng(0x9E37_79B9_7F4A_7C15);
    for n in [0usize, 1, 2, 17, 1000, 5000] {
        let keys: Vec<u64> = (0..n)
            .map(|_| match rng.below(4) {
                0 => 0,
                _ => (rng.below(n as u64 / 3 + 2) << 40) | 0x55,
            })
            .collect();
        let mut naive: HashMap<u64, Vec<u32>> = HashMap::new();
        for (i, &k) in keys.iter().enumerate().filter(|(_, k)| **k != 0) {
            naive.entry(k).or_default().push(3 + i as u32);
        }
        naive.retain(|_, rows| rows.len() > 1);
        let found: HashMap<u64, Vec<u32>> = shared_keys(3, &keys).into_iter().collect();
        assert_eq!(found, naive, "n = {n}");
    }
}

#[test]
fn row_index_tracks_groups_through_edits() {
    // data rows 1..=5 with keys 7, 3, 7, 0, 9
    let mut ix = RowIndex::build(1, vec![7, 3, 7, 0, 9]);
    assert_eq!(ix.shared(7), &[1, 3]);
    assert!(ix.shared(3).is_empty());
    assert_eq!(ix.key_of(4), 0);
    assert_eq!(ix.key_of(0), 0);
    assert_eq!(ix.key_of(99), 0);
    // row 5 joins key 7
    assert_eq!(ix.set(5, 7), Some(9));
    assert_eq!(ix.shared(7), &[1, 3, 5]);
    assert_eq!(ix.live_rows(9), Vec::<u32>::new());
    // row 1 leaves, row 4 joins
    assert_eq!(ix.set(1, 3), Some(7));
    assert_eq!(ix.set(4, 7), Some(0));
    assert_eq!(ix.shared(7), &[3, 4, 5]);
    assert_eq!(ix.shared(3), &[1, 2]);
    // row 1 comes back to its first key: still one entry
    assert_eq!(ix.set(1, 7), Some(3));
    assert_eq!(ix.shared(7), &[1, 3, 4, 5]);
    assert!(ix.shared(3).is_empty());
    assert_eq!(ix.set(1, 7), None);
    assert_eq!(ix.set(0, 7), None);
    assert_eq!(ix.set(6, 7), None);
    for r in [3, 4, 5] {
        ix.set(r, 0);
    }
    assert!(ix.shared(7).is_empty());
    assert_eq!(ix.live_rows(7), vec![1]);
}
