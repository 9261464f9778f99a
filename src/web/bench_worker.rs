//! The worker's bench request, built only with the `bench` feature (never in the release
//! site): times a core operation on the file the bench page sends, read from its `Blob` in
//! slices as a user's file is. Listing a data file is timed as the screen does it
//! ([`list_streamed`]: read ahead; with SHA-256, small entries hashed by the browser),
//! and so are repackaging it and the clock's log (read ahead on another thread).

use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, File};

use crate::archive::Direction;
use crate::bench::{self, BenchFigure, BenchOp};
use crate::formats::zk_attlog::RepairOptions;
use crate::protocol::{JobId, Response, SLICE_LEN};
use crate::recognize::HEAD_LEN;

use super::archive_worker::list_streamed;
use super::blob_reader::BlobReader;
use super::clock_worker::{read_log, repaired_log};
use super::list_ahead::repackage_ahead;
use super::post::{end_job, now, post};
use super::worker::inspect_attlog;

/// Bytes of wasm linear memory: it only grows, so this is the peak so far.
fn wasm_memory_bytes() -> u64 {
    core::arch::wasm32::memory_size(0) as u64 * 65_536
}

/// Runs `op` `runs` times over the first file sent, posts the best time, then ends the job.
pub fn start(job: JobId, op: BenchOp, runs: u32, files: Vec<File>) {
    wasm_bindgen_futures::spawn_local(async move {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let outcome = run(&scope, job, op, runs, &files).await;
        end_job(&scope, job, outcome);
    });
}

/// One timed run of `op` over `file`; the records it counted.
async fn run_once(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    op: BenchOp,
    file: &File,
    head: &[u8],
) -> Result<u64, String> {
    let blob: web_sys::Blob = file.clone().into();
    let hash = match op {
        BenchOp::DataFileList => false,
        BenchOp::DataFileHash => true,
        BenchOp::ClockAttlog | BenchOp::ClockAttlogKept => {
            return clock_attlog(file, op.repair()).await
        }
        BenchOp::DataFileRepackage => return repackage(file).await,
        BenchOp::InspectAttlog => {
            let summary = inspect_attlog(file, head, |_| {}).await;
            return Ok(summary.get("punches").unwrap_or(0));
        }
        _ => {
            let open = || BlobReader::new(blob.clone(), SLICE_LEN).ok();
            return Ok(bench::run(op, blob.size() as u64, head, open));
        }
    };
    let (listing, _) = list_streamed(scope, job, file, hash, "Benchmark").await?;
    Ok(listing.totals.entries)
}

/// The clock's log read and repaired `opts`' way as its screen does, read ahead on another
/// thread. With duplicates left out, the generated log leaves out too many lines for a
/// repair made of the file's slices, so it is read again and each slice's kept ranges
/// copied into a `Blob`; with them kept, the repair is slices of the file. The native side
/// is [`bench::run`]'s: the punches read.
async fn clock_attlog(file: &File, opts: RepairOptions) -> Result<u64, String> {
    let log = read_log(file, |_| {}).await?;
    repaired_log(file, &log, opts).await?;
    Ok(log.punches.len() as u64)
}

/// The data file repackaged for a device into nothing as its screen does it, read ahead
/// on another thread (in turn where the pushed pass cannot follow); the entries written.
async fn repackage(file: &File) -> Result<u64, String> {
    let to = Direction::ToDevice;
    let written = match repackage_ahead(file, std::io::sink(), to, &mut |_| {}).await {
        Some(written) => written,
        None => {
            let reader =
                BlobReader::new(file.clone().into(), SLICE_LEN).map_err(|e| e.to_string())?;
            crate::archive::repackage::repackage(reader, std::io::sink(), to)
        }
    };
    written.map(|(_, outcome)| outcome.entries)
}

/// Runs `op` `runs` times over the first file sent and posts the best time.
async fn run(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    op: BenchOp,
    runs: u32,
    files: &[File],
) -> Result<(), String> {
    let file = files
        .first()
        .ok_or("the bench sends its input file beside the request")?;
    let size = file.size() as u64;
    let head = BlobReader::new(file.clone().into(), SLICE_LEN)
        .and_then(|r| r.read_range(0, HEAD_LEN as u64))
        .map_err(|e| e.to_string())?;
    let mut best = f64::INFINITY;
    let mut records = 0;
    for _ in 0..runs.max(1) {
        let start = now(scope);
        records = run_once(scope, job, op, file, &head).await?;
        best = best.min(now(scope) - start);
    }
    let figure = BenchFigure::new(
        op,
        "wasm-worker",
        size,
        records,
        best,
        Some(wasm_memory_bytes()),
    );
    post(scope, &Response::Benched { job, figure }, None);
    Ok(())
}
