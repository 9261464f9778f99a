//! Benchmark: verify + list, verify + list + SHA-256, and repackage over a generated data
//! file of about 200 MB.
//!
//! Run with `cargo run --release --features bench --example data_file_speed`. Prints
//! figures; asserts nothing about speed.

use std::time::Instant;

use bioport::archive::repackage::repackage;
use bioport::archive::Direction;
use bioport::bench::generate_data_file;
use bioport::formats::data_file::{list, ListOptions};

/// Runs `f` three times and prints the best time and its rate over `bytes`.
fn time(label: &str, bytes: usize, mut f: impl FnMut()) {
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{label:<28} {best:>7.3} s  {:>7.1} MB/s of file",
        bytes as f64 / 1e6 / best
    );
}

fn main() {
    let tgz = generate_data_file(200_000_000);
    let first = list(&tgz[..], ListOptions::default(), &mut |_| {});
    println!(
        "{:.1} MB compressed, {} entries, {:.1} MB in entries, findings: {}",
        tgz.len() as f64 / 1e6,
        first.totals.entries,
        first.totals.bytes as f64 / 1e6,
        first.findings.len()
    );
    let hashed = ListOptions { hash: true };
    time("verify + list", tgz.len(), || {
        list(&tgz[..], ListOptions::default(), &mut |_| {});
    });
    time("verify + list + SHA-256", tgz.len(), || {
        list(&tgz[..], hashed, &mut |_| {});
    });
    time("repackage (to a sink)", tgz.len(), || {
        let to = Direction::ToDevice;
        repackage(&tgz[..], std::io::sink(), to).unwrap();
    });
}
