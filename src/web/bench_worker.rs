//! The worker's bench request, built only with the `bench` feature (never in the release
//! site): times a core operation on the file the bench page sends, read from its `Blob` in
//! slices as a user's file is.

use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, File};

use crate::bench::{self, BenchFigure, BenchOp};
use crate::protocol::{JobId, Response, SLICE_LEN};
use crate::recognize::HEAD_LEN;

use super::blob_reader::BlobReader;
use super::post::{now, post};

/// Bytes of wasm linear memory: it only grows, so this is the peak so far.
fn wasm_memory_bytes() -> u64 {
    core::arch::wasm32::memory_size(0) as u64 * 65_536
}

/// Runs `op` `runs` times over the first file sent and posts the best time.
pub fn run(job: JobId, op: BenchOp, runs: u32, files: &[File]) -> Result<(), String> {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let file = files
        .first()
        .ok_or("the bench sends its input file beside the request")?;
    let blob: web_sys::Blob = file.clone().into();
    let size = blob.size() as u64;
    let head = BlobReader::new(blob.clone(), SLICE_LEN)
        .and_then(|r| r.read_range(0, HEAD_LEN as u64))
        .map_err(|e| e.to_string())?;
    let mut best = f64::INFINITY;
    let mut records = 0;
    for _ in 0..runs.max(1) {
        let open = || BlobReader::new(blob.clone(), SLICE_LEN).ok();
        let start = now(&scope);
        records = bench::run(op, size, &head, open);
        best = best.min(now(&scope) - start);
    }
    let figure = BenchFigure::new(
        op,
        "wasm-worker",
        size,
        records,
        best,
        Some(wasm_memory_bytes()),
    );
    post(&scope, &Response::Benched { job, figure }, None);
    Ok(())
}
