//! The face image folder check, natively: a generated folder of images (30 to 300 KB,
//! realistic JPEG and PNG headers, planted defects) against a user CSV of as many rows.
//!
//!     cargo run --release --features bench --example faces_speed -- [--images 50000] [--dir /tmp/bioport-faces] [--keep]
//!
//! `--keep` leaves the folder, and its CSV as `DIR.csv`, for `scripts/faces-bench.mjs`.
//!
//! Prints, best of three: the checks from headers only, the checks with the
//! identical-bytes check, and reading every file once whole (the baseline the duplicate
//! check is compared with); peak memory of each.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use bioport::bench::faces::write_face_folder;
use bioport::workbench::faces::disk::read_folder;
use bioport::workbench::{OpenOptions, Workbook};

/// Peak RSS of this process since the last reset, from /proc (Linux).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Runs `f` three times; the best time in seconds, its result, and the peak RSS.
fn best<T>(mut f: impl FnMut() -> T) -> (f64, T, Option<u64>) {
    reset_peak_rss();
    let mut out = None;
    let mut secs = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let r = f();
        secs = secs.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (secs, out.expect("three runs"), peak_rss())
}

/// The checks: the folder read, the CSV opened, the face cells checked; face findings.
fn check(dir: &Path, csv: &[u8], compare_bytes: bool) -> (usize, Vec<String>) {
    let (folder, _) = read_folder(dir, compare_bytes).expect("read the folder");
    let mut wb = Workbook::open(csv.to_vec(), "users.csv", OpenOptions::default()).expect("open");
    wb.set_face_folder(Some(folder));
    let view = wb.face_view().expect("a folder");
    let rules = wb
        .view()
        .rules
        .iter()
        .filter(|r| r.id.starts_with("face_image."))
        .map(|r| format!("{} {}", r.id, r.count))
        .collect();
    (view.unnamed.len(), rules)
}

/// Reads every file of `dir` whole, once; the bytes read.
fn read_everything(dir: &Path) -> u64 {
    let mut buf = Vec::with_capacity(1 << 20);
    let mut total = 0;
    for entry in std::fs::read_dir(dir).expect("list") {
        let path = entry.expect("entry").path();
        buf.clear();
        let mut f = std::fs::File::open(path).expect("open");
        total += f.read_to_end(&mut buf).expect("read") as u64;
    }
    total
}

fn mb(bytes: Option<u64>) -> String {
    bytes.map_or_else(|| "?".into(), |b| format!("{:.1} MB", b as f64 / 1e6))
}

/// What the command line asks for.
struct Args {
    images: usize,
    dir: PathBuf,
    keep: bool,
}

/// `--images N`, `--dir DIR` and `--keep`, in any order.
fn parse_args() -> Args {
    let mut out = Args {
        images: 50_000,
        dir: PathBuf::from("/tmp/bioport-faces-bench"),
        keep: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--images" => out.images = it.next().and_then(|v| v.parse().ok()).unwrap_or(out.images),
            "--dir" => out.dir = it.next().map_or(out.dir, PathBuf::from),
            "--keep" => out.keep = true,
            other => eprintln!("faces_speed: {other} ignored"),
        }
    }
    out
}

fn main() {
    let Args {
        images: n,
        dir,
        keep,
    } = parse_args();
    let _ = std::fs::remove_dir_all(&dir);
    let t = Instant::now();
    let (csv, planted) = write_face_folder(&dir, n).expect("write the folder");
    println!(
        "generated {} files, {:.1} MB (sparse), {} CSV rows in {:.1} s; planted {planted:?}",
        planted.files,
        planted.bytes as f64 / 1e6,
        n,
        t.elapsed().as_secs_f64()
    );
    let (s_head, (unnamed, rules), m_head) = best(|| check(&dir, &csv, false));
    println!(
        "headers only:        {s_head:.3} s  peak {}  unnamed {unnamed}  {rules:?}",
        mb(m_head)
    );
    let (s_dup, (_, rules), m_dup) = best(|| check(&dir, &csv, true));
    println!(
        "with identical bytes: {s_dup:.3} s  peak {}  {rules:?}",
        mb(m_dup)
    );
    let (s_read, bytes, m_read) = best(|| read_everything(&dir));
    println!(
        "read every file once: {s_read:.3} s  peak {}  {:.1} MB",
        mb(m_read),
        bytes as f64 / 1e6
    );
    println!(
        "duplicate check / read once: {:.2}",
        s_dup / s_read.max(1e-9)
    );
    if keep {
        // Beside the folder, for the browser bench (scripts/faces-bench.mjs).
        std::fs::write(dir.with_extension("csv"), &csv).expect("write the CSV");
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
