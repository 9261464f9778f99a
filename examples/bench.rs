//! Native side of the bench: times the core's operations on generated inputs and prints figures.
//!
//!     cargo run --release --features bench --example bench -- [--size-mb 64] [--runs 3] [--json] [--op inspect_csv]
//!     cargo run --release --features bench --example bench -- --op inspect_csv --size-mb 70 --write-input users.csv
//!
//! `scripts/bench.mjs` runs this and the same operations in the browser's worker, in one run.

use std::time::Instant;

use bioport::bench::{generate, run, BenchFigure, BenchOp};

/// A memory figure of this process from /proc/self/status (`VmHWM:` peak, `VmRSS:` now).
fn status_bytes(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn peak_rss() -> Option<u64> {
    status_bytes("VmHWM:")
}

/// Starts the peak RSS over from the current RSS (Linux), so each op gets its own peak.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let size_mb: f64 = value("--size-mb")
        .and_then(|v| v.parse().ok())
        .unwrap_or(64.0);
    let runs: u32 = value("--runs").and_then(|v| v.parse().ok()).unwrap_or(3);
    let json = args.iter().any(|a| a == "--json");
    let ops: Vec<BenchOp> = match value("--op") {
        Some(id) => BenchOp::from_id(&id).into_iter().collect(),
        None => BenchOp::ALL.to_vec(),
    };
    // `--list-ops`: the ids of every operation, as JSON, for the browser bench.
    if args.iter().any(|a| a == "--list-ops") {
        let ids: Vec<&str> = BenchOp::ALL.iter().map(|op| op.id()).collect();
        println!("{}", serde_json::to_string(&ids).unwrap_or_default());
        return;
    }
    // `--write-input PATH`: write the generated input of the (single) op and stop, so the
    // browser bench can run other parsers on the very same bytes.
    if let Some(path) = value("--write-input") {
        let op = ops.first().copied().unwrap_or(BenchOp::InspectCsv);
        let input = generate(op, (size_mb * 1e6) as usize);
        if let Err(e) = std::fs::write(&path, &input) {
            eprintln!("bench: cannot write {path}: {e}");
            std::process::exit(2);
        }
        return;
    }
    let mut figures = Vec::new();
    for op in ops {
        let input = generate(op, (size_mb * 1e6) as usize);
        // The generated input stays in memory (the browser holds it as a Blob, outside
        // wasm memory): the peak above this baseline is what the operation itself needs.
        let reset = reset_peak_rss();
        let baseline = status_bytes("VmRSS:");
        let mut best = f64::INFINITY;
        let mut records = 0;
        for _ in 0..runs.max(1) {
            let start = Instant::now();
            records = run(op, input.len() as u64, &input, || Some(input.as_slice()));
            best = best.min(start.elapsed().as_secs_f64() * 1000.0);
        }
        let figure = BenchFigure::new(op, "native", input.len() as u64, records, best, peak_rss());
        if !json {
            println!(
                "{:<18} {:>8.1} MB  {:>10} records  {:>8.1} ms  {:>7.1} MB/s  {:>11.0} records/s",
                figure.op,
                figure.bytes as f64 / 1e6,
                figure.records,
                figure.millis,
                figure.mb_per_s,
                figure.records_per_s
            );
            if let (Some(peak), Some(base)) = (figure.peak_memory_bytes, baseline) {
                let own = peak.saturating_sub(base);
                println!(
                    "{:<18} peak RSS {:.0} MB{}; {:.0} MB above the input the bench holds ({:.2}x the input)",
                    "",
                    peak as f64 / 1e6,
                    if reset { "" } else { " (process peak: could not reset)" },
                    own as f64 / 1e6,
                    own as f64 / figure.bytes.max(1) as f64
                );
            }
        }
        figures.push(figure);
    }
    if json {
        match serde_json::to_string(&figures) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("bench: {e}"),
        }
    }
}
