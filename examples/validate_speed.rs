//! Benchmark: auto_map + validate over 500,000 generated BioStar user rows.
//!
//! Run with `cargo run --release --features bench --example validate_speed`. Prints figures; asserts nothing
//! about speed.

use std::time::Instant;

use bioport::bench::generate_users_csv;
use bioport::formats::biostar_csv::{read_owned, ReadOptions};
use bioport::workbench::mapping::auto_map;
use bioport::workbench::validate::{validate, Rule, SiteSettings};

fn main() {
    // The bench's generated export: 500,000 users in about 70 MB, about 2.5% with errors.
    let csv = generate_users_csv(70_000_000);
    let text = String::from_utf8(csv).expect("the generator writes UTF-8");
    let mut sheet = read_owned(text, &ReadOptions { delimiter: b',' })
        .expect("the generated file reads")
        .sheet;
    let rows = sheet.len() - 1;
    let columns = sheet.width(0);
    let bytes = sheet.text_bytes();
    println!(
        "{} rows x {} columns, {:.1} MB of cell text",
        rows,
        columns,
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
        rows as f64 / best / 1e6,
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
        let row = 1 + (k * 37) % rows;
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
