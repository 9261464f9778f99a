//! Prints how long each stage of opening and writing the bench's user CSV takes (a
//! benchmark, not a test).
//!
//! Run with `cargo run --release --features bench --example workbench_stages -- [size-mb] [runs]`.

use std::time::Instant;

use bioport::bench::generate_users_csv;
use bioport::formats::biostar_csv::{detect_delimiter, guess_header_row, read_owned, ReadOptions};
use bioport::text::{decode, detect};
use bioport::workbench::mapping::{auto_map, is_known_header};
use bioport::workbench::validate::{validate, SiteSettings};
use bioport::workbench::{ImportRows, OpenOptions, Workbook};

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// FNV-1a, to tell whether two builds wrote the same bytes.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mb: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(70);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let bytes = generate_users_csv(mb * 1024 * 1024);
    println!("{} bytes", bytes.len());
    for _ in 0..runs {
        let t = Instant::now();
        let d = detect(&bytes);
        let detect_ms = ms(t);
        let t = Instant::now();
        let decoded = decode(bytes.clone(), Some(d.encoding));
        let decode_ms = ms(t);
        let t = Instant::now();
        let delimiter = detect_delimiter(&decoded.text).byte();
        let delim_ms = ms(t);
        let t = Instant::now();
        let doc = read_owned(decoded.text, &ReadOptions { delimiter }).expect("read");
        let read_ms = ms(t);
        let sheet = doc.sheet;
        let t = Instant::now();
        let header_row = guess_header_row(&sheet, is_known_header);
        let guess_ms = ms(t);
        let headers: Vec<&str> = sheet.row(header_row).collect();
        let mapping = auto_map(&headers, &[]);
        let t = Instant::now();
        let report = validate(&sheet, header_row, &mapping, &SiteSettings::default());
        let validate_ms = ms(t);
        drop(report);
        drop(sheet);

        let t = Instant::now();
        let wb = Workbook::open(bytes.clone(), "users.csv", OpenOptions::default()).expect("open");
        let open_ms = ms(t);
        let t = Instant::now();
        let mut import = Vec::with_capacity(bytes.len());
        wb.write_import(&mut import, ImportRows::ValidOnly)
            .expect("import");
        let import_ms = ms(t);
        let t = Instant::now();
        let mut errors = Vec::new();
        wb.write_errors(&mut errors).expect("errors");
        let errors_ms = ms(t);
        println!(
            "detect {detect_ms:.0} decode {decode_ms:.0} delim {delim_ms:.0} read {read_ms:.0} \
             guess {guess_ms:.0} validate {validate_ms:.0} | open {open_ms:.0} import \
             {import_ms:.0} errors {errors_ms:.0} (import {:016x}, errors {:016x})",
            fnv(&import),
            fnv(&errors)
        );
    }
}
