//! Benchmark: auto_map + validate over 500,000 generated BioStar user rows.
//!
//! Run with `cargo run --release --example validate_speed`. Prints figures; asserts nothing
//! about speed.

use std::time::Instant;

use bioport::model::Sheet;
use bioport::workbench::mapping::auto_map;
use bioport::workbench::validate::{validate, Rule, SiteSettings};

/// A small deterministic generator (xorshift64*), so every run checks the same rows.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const HEADER: [&str; 15] = [
    "user_id",
    "name",
    "department",
    "user_title",
    "phone",
    "email",
    "user_group",
    "start_datetime",
    "expiry_datetime",
    "csn",
    "mobile_start_datetime",
    "mobile_expiry_datetime",
    "csn_mobile",
    "face_image_file1",
    "pin",
];

const SURNAMES: [&str; 8] = ["김", "이", "박", "최", "정", "강", "조", "윤"];
const SYLLABLES: [&str; 12] = [
    "민", "서", "준", "지", "현", "우", "수", "영", "하", "은", "도", "연",
];
const FIRST: [&str; 8] = [
    "James", "Maria", "Wei", "Aisha", "Lucas", "Sofia", "Noah", "Emma",
];
const LAST: [&str; 8] = [
    "Smith", "Garcia", "Chen", "Khan", "Muller", "Rossi", "Brown", "Silva",
];
const DEPTS: [&str; 6] = ["R&D", "영업부", "Finance", "생산관리팀", "HR", "Security"];
const TITLES: [&str; 5] = ["Engineer", "과장", "Manager", "대리", "Technician"];
const GROUPS: [&str; 4] = ["All Users", "본사", "Factory 2", "Visitors"];

fn main() {
    const ROWS: usize = 500_000;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut sheet = Sheet::with_capacity(ROWS + 1, (ROWS + 1) * HEADER.len(), ROWS * 160);
    sheet.push_row(1, HEADER).expect("header fits");
    let mut cells: Vec<String> = vec![String::new(); HEADER.len()];
    for i in 0..ROWS {
        let id = i as u64 + 1;
        // A few deliberate errors: duplicate IDs, month-first dates, bad PINs, shared cards.
        cells[0] = if i % 5000 == 4999 {
            (id - 1).to_string()
        } else {
            id.to_string()
        };
        cells[1] = if rng.below(2) == 0 {
            format!(
                "{}{}{}",
                rng.pick(&SURNAMES),
                rng.pick(&SYLLABLES),
                rng.pick(&SYLLABLES)
            )
        } else {
            format!("{} {}", rng.pick(&FIRST), rng.pick(&LAST))
        };
        cells[2] = rng.pick(&DEPTS).to_string();
        cells[3] = rng.pick(&TITLES).to_string();
        cells[4] = format!("+82 10-{:04}-{:04}", rng.below(10000), rng.below(10000));
        cells[5] = format!("user{id}@example.co.kr");
        cells[6] = rng.pick(&GROUPS).to_string();
        cells[7] = format!(
            "20{:02}-{:02}-{:02} 00:00",
            10 + rng.below(15),
            1 + rng.below(12),
            1 + rng.below(28)
        );
        cells[8] = if i % 7000 == 6999 {
            "12/31/2030".to_string()
        } else {
            "2030-12-31 23:59".to_string()
        };
        cells[9] = if i % 9000 == 8999 {
            "1000000".to_string()
        } else {
            (1_000_000 + id * 7).to_string()
        };
        let mobile = rng.below(10) == 0;
        cells[10] = if mobile {
            "2025-01-01 00:00".into()
        } else {
            String::new()
        };
        cells[11] = if mobile {
            "2026-01-01 00:00".into()
        } else {
            String::new()
        };
        cells[12] = if mobile {
            (5_000_000 + id).to_string()
        } else {
            String::new()
        };
        cells[13] = if rng.below(3) == 0 {
            format!("{id}.jpg")
        } else {
            String::new()
        };
        cells[14] = if i % 11000 == 10999 {
            "12".to_string()
        } else {
            format!("{:06}", rng.below(1_000_000))
        };
        sheet
            .push_row(i as u64 + 2, cells.iter().map(String::as_str))
            .expect("rows fit");
    }
    let bytes = sheet.text_bytes();
    println!(
        "{} rows x {} columns, {:.1} MB of cell text",
        ROWS,
        HEADER.len(),
        bytes as f64 / 1e6
    );

    let settings = SiteSettings::default();
    let mut best = f64::MAX;
    let mut report = None;
    for _ in 0..5 {
        let t = Instant::now();
        let headers: Vec<&str> = sheet.row(0).collect();
        let mapping = auto_map(&headers, &[]);
        let r = validate(&sheet, 0, &mapping, &settings);
        best = best.min(t.elapsed().as_secs_f64());
        report = Some((r, mapping));
    }
    let Some((mut report, mapping)) = report else {
        return;
    };
    println!(
        "auto_map + validate, best of 5: {:.1} ms = {:.2} M rows/s, {:.0} MB/s",
        best * 1e3,
        ROWS as f64 / best / 1e6,
        bytes as f64 / best / 1e6
    );
    let totals = report.totals();
    println!(
        "valid {}, with warnings {}, with errors {}, mobile cards {}",
        totals.valid, totals.with_warnings, totals.with_errors, totals.mobile_cards
    );
    for rc in report.summary().by_rule {
        println!("  {:<28} {}", rc.rule.id(), rc.count);
    }
    assert!(report.count(Rule::UserIdDuplicate) > 0);

    // Re-checking single edited rows, as the editor does after each cell edit.
    let edits = 10_000;
    let t = Instant::now();
    for k in 0..edits {
        let row = 1 + (k * 37) % ROWS;
        let id = if k % 2 == 0 { "1" } else { "999999999" };
        sheet.set_cell(row, 0, id);
        report.revalidate_row(&sheet, 0, &mapping, &settings, row);
    }
    let per = t.elapsed().as_secs_f64() / edits as f64;
    println!(
        "revalidate_row: {:.1} us per edit ({} edits, half of them joining one big duplicate group)",
        per * 1e6,
        edits
    );
}
