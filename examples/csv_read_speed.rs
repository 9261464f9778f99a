//! Prints how fast a large BioStar user CSV is detected, decoded and read (a benchmark, not a test).
//!
//! Run with `cargo run --release --features bench --example csv_read_speed`.

use bioport::bench::generate_users_csv;
use bioport::formats::biostar_csv::{detect_delimiter, read_owned, ReadOptions};
use bioport::text::{decode, detect, TextEncoding};
use std::time::{Duration, Instant};

const TARGET_BYTES: usize = 50 * 1024 * 1024;
const RUNS: usize = 5;

/// The bench's generated export (BioStar's columns, Korean and Latin names, quoted
/// cells, CRLF) and its data row count.
fn generate(target: usize) -> (String, usize) {
    let bytes = generate_users_csv(target);
    let rows = memchr::memchr_iter(b'\n', &bytes).count() - 1;
    (
        String::from_utf8(bytes).expect("the generator writes UTF-8"),
        rows,
    )
}

fn mb_per_s(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64().max(1e-9)
}

fn main() {
    let (csv, rows) = generate(TARGET_BYTES);
    let size = csv.len();
    println!(
        "generated {rows} rows, {:.1} MB of UTF-8 CSV (CRLF, Korean and Latin names)",
        size as f64 / 1e6
    );

    let mut best = [Duration::MAX; 5];
    let mut cells = 0usize;
    let mut text_bytes = 0usize;
    for _ in 0..RUNS {
        let bytes = csv.clone().into_bytes();

        let t0 = Instant::now();
        let detected = detect(&bytes);
        let t1 = Instant::now();
        let decoded = decode(bytes, None);
        let t2 = Instant::now();
        let delimiter = detect_delimiter(&decoded.text);
        let t3 = Instant::now();
        let doc = read_owned(
            decoded.text,
            &ReadOptions {
                delimiter: delimiter.byte(),
            },
        );
        let t4 = Instant::now();

        let doc = match doc {
            Ok(doc) => doc,
            Err(e) => {
                eprintln!("read failed: {e}");
                std::process::exit(1);
            }
        };
        assert_eq!(detected.encoding, TextEncoding::Utf8);
        assert_eq!(doc.sheet.len(), rows + 1);
        cells = (0..doc.sheet.len()).map(|r| doc.sheet.width(r)).sum();
        text_bytes = doc.sheet.text_bytes();
        for (slot, time) in best
            .iter_mut()
            .zip([t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0])
        {
            *slot = (*slot).min(time);
        }
    }
    println!("best of {RUNS} runs, {cells} cells, {text_bytes} bytes of cell text:");
    for (stage, time) in ["detect", "decode", "detect_delimiter", "read", "total"]
        .iter()
        .zip(best)
    {
        println!(
            "  {stage:<17} {:>8.1} ms  {:>8.0} MB/s",
            time.as_secs_f64() * 1e3,
            mb_per_s(size, time)
        );
    }

    // For reference: the csv crate alone, parsing into one reused record, storing nothing.
    let mut best_bare = Duration::MAX;
    for _ in 0..RUNS {
        let t0 = Instant::now();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(1 << 16)
            .from_reader(csv.as_bytes());
        let mut record = csv::ByteRecord::new();
        let mut fields = 0usize;
        while let Ok(true) = reader.read_byte_record(&mut record) {
            fields += record.len();
        }
        best_bare = best_bare.min(t0.elapsed());
        assert_eq!(fields, cells);
    }
    println!(
        "  (csv crate alone, no storing: {:.1} ms, {:.0} MB/s)",
        best_bare.as_secs_f64() * 1e3,
        mb_per_s(size, best_bare)
    );

    // For reference: what writing fresh memory costs on this machine. The sheet's text and
    // cell offsets are new memory the size of the file, and on virtual machines the first
    // touch of each page can cost as much as parsing it.
    let fresh = size + 4 * cells;
    let mut best_touch = Duration::MAX;
    for _ in 0..RUNS {
        let t0 = Instant::now();
        let mut memory: Vec<u8> = Vec::with_capacity(fresh);
        memory.resize(fresh, 1);
        best_touch = best_touch.min(t0.elapsed());
        assert_eq!(memory.len(), fresh);
    }
    println!(
        "  (first write of {:.1} MB of fresh memory, as the sheet needs: {:.1} ms)",
        fresh as f64 / 1e6,
        best_touch.as_secs_f64() * 1e3
    );

    // The same file saved by a Korean Windows spreadsheet (letters CP949 lacks, like é,
    // become numeric character references when encoding).
    let (cp949, _, _) = encoding_rs::EUC_KR.encode(&csv);
    let cp949 = cp949.into_owned();
    let cp949_size = cp949.len();
    let mut best_legacy = Duration::MAX;
    for _ in 0..RUNS {
        let bytes = cp949.clone();
        let t0 = Instant::now();
        let detected = detect(&bytes);
        let decoded = decode(bytes, None);
        let t1 = Instant::now();
        assert_eq!(detected.encoding, TextEncoding::Cp949);
        assert_eq!(decoded.replacement_count, 0);
        best_legacy = best_legacy.min(t1 - t0);
    }
    println!(
        "  CP949 detect+decode of the same rows ({:.1} MB): {:.1} ms, {:.0} MB/s",
        cp949_size as f64 / 1e6,
        best_legacy.as_secs_f64() * 1e3,
        mb_per_s(cp949_size, best_legacy)
    );
}
