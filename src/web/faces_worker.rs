//! The worker's face image folder: each `File` judged by its first and last bytes; only
//! files sharing a size with another are read whole (SHA-256) to find identical ones.
//!
//! Reads are asynchronous and many at once (`Blob.arrayBuffer()` under `Promise.all`):
//! Chromium spends about a millisecond on each read of a file whatever its size, so 50,000
//! files read one after another (`FileReaderSync`) take minutes, and in batches seconds.
//! Memory stays flat: one batch of headers, or of whole same-size files, at a time.

use std::collections::HashMap;

use js_sys::{Array, Promise, Uint8Array};
use sha2::{Digest, Sha256};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, DedicatedWorkerGlobalScope, File};

use crate::protocol::{JobId, ProgressThrottle, Response};
use crate::workbench::faces::{
    probe, FaceFolder, FaceImage, Probe, Sha256Digest, HEAD_BYTES, TAIL_BYTES,
};

use super::js_error_text;
use super::post::post;

/// Files read at once.
const HEAD_BATCH: usize = 64;
/// Files up to this size are read whole: Chromium reads a whole file faster than two
/// slices of it (5,000 files of 30 to 300 KB: 3.6 s whole, 9.6 s as first and last bytes).
const WHOLE_READ: f64 = 1024.0 * 1024.0;
/// Bytes of whole files hashed at once (a batch holds at least one file).
const HASH_BATCH_BYTES: f64 = 32.0 * 1024.0 * 1024.0;

/// One stage of the work, posting how far it has come about once a percent.
struct Stage<'s> {
    scope: &'s DedicatedWorkerGlobalScope,
    job: JobId,
    throttle: ProgressThrottle,
    total: u64,
    label: &'static str,
}

impl<'s> Stage<'s> {
    /// A stage of `total` units, labelled `label` on the progress bar.
    fn new(
        scope: &'s DedicatedWorkerGlobalScope,
        job: JobId,
        total: u64,
        label: &'static str,
    ) -> Self {
        Stage {
            scope,
            job,
            throttle: ProgressThrottle::new(total),
            total,
            label,
        }
    }

    /// `done` of the stage's units are done.
    fn tick(&mut self, done: usize) {
        let done = done as u64;
        if self.throttle.due(done) {
            let response = Response::Progress {
                job: self.job,
                file: 0,
                done,
                total: self.total,
                stage: self.label.to_string(),
            };
            post(self.scope, &response, None);
        }
    }
}

/// Reads the face folder made of `files` in the background, gives it to the workbook and
/// ends the job (the worker posts nothing for it meanwhile).
pub fn start(scope: &DedicatedWorkerGlobalScope, job: JobId, files: Vec<File>, compare: bool) {
    let scope = scope.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = match read_folder(&scope, job, &files, compare).await {
            Ok(folder) => super::csv_worker::set_face_folder(&scope, job, folder),
            Err(message) => Err(message),
        };
        let end = match outcome {
            Ok(()) => Response::Finished { job },
            Err(message) => Response::Failed { job, message },
        };
        post(&scope, &end, None);
    });
}

/// Awaits a promise of an `ArrayBuffer` (or an array of them).
async fn settle(promise: Promise) -> Result<JsValue, String> {
    JsFuture::from(promise)
        .await
        .map_err(|e| format!("the browser could not read a file: {}", js_error_text(&e)))
}

/// Bytes `start..end` of `blob`.
fn slice(blob: &Blob, start: f64, end: f64) -> Result<Blob, String> {
    blob.slice_with_f64_and_f64(start, end)
        .map_err(|e| js_error_text(&e))
}

/// A blob of the file's first [`HEAD_BYTES`] then its last [`TAIL_BYTES`], or the whole
/// file up to [`WHOLE_READ`] (then true).
fn ends_of(file: &File) -> Result<(Blob, bool), String> {
    let size = file.size();
    let (head, tail) = (HEAD_BYTES as f64, TAIL_BYTES as f64);
    if size <= WHOLE_READ.max(head + tail) {
        return Ok((file.clone().into(), true));
    }
    let (first, last) = (slice(file, 0.0, head)?, slice(file, size - tail, size)?);
    let parts = Array::of2(&first.into(), &last.into());
    let blob = Blob::new_with_blob_sequence(&parts).map_err(|e| js_error_text(&e))?;
    Ok((blob, false))
}

/// Judges one file from its ends (see [`ends_of`]), reading more of its start while its
/// header goes on.
async fn judge(file: &File, ends: Vec<u8>, whole: bool) -> Result<FaceImage, String> {
    let (name, size) = (file.name(), file.size() as u64);
    let split = if whole {
        ends.len().saturating_sub(TAIL_BYTES)
    } else {
        HEAD_BYTES
    };
    let tail = ends.get(split..).unwrap_or_default().to_vec();
    let mut head = if whole {
        ends
    } else {
        ends.get(..split).unwrap_or_default().to_vec()
    };
    loop {
        match probe(&name, size, &head, &tail) {
            Probe::Done(image) => return Ok(image),
            Probe::NeedMore(n) if n > head.len() => {
                let more = settle(slice(file, 0.0, n as f64)?.array_buffer()).await?;
                head = Uint8Array::new(&more).to_vec();
            }
            Probe::NeedMore(_) => return Err(format!("{name}: the file changed while being read")),
        }
    }
}

/// Reads the face folder made of `files` (hidden files such as `.DS_Store` skipped). With
/// `compare`, a file read whole whose size another file shares is hashed at once.
async fn read_folder(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    files: &[File],
    compare: bool,
) -> Result<FaceFolder, String> {
    let files: Vec<&File> = files
        .iter()
        .filter(|f| !f.name().starts_with('.'))
        .collect();
    let mut sizes: HashMap<u64, u32> = HashMap::new();
    for f in &files {
        *sizes.entry(f.size() as u64).or_default() += 1;
    }
    let shared = |f: &File| compare && sizes.get(&(f.size() as u64)).is_some_and(|&n| n > 1);
    let mut stage = Stage::new(scope, job, files.len() as u64, "Reading face image headers");
    let mut images = Vec::with_capacity(files.len());
    let mut known: HashMap<String, Sha256Digest> = HashMap::new();
    for (b, batch) in files.chunks(HEAD_BATCH).enumerate() {
        let promises = Array::new();
        let mut whole = Vec::with_capacity(batch.len());
        for file in batch {
            let (blob, is_whole) = ends_of(file)?;
            promises.push(&blob.array_buffer());
            whole.push(is_whole);
        }
        let buffers = Array::from(&settle(Promise::all(&promises)).await?);
        for ((file, is_whole), buffer) in batch.iter().zip(whole).zip(buffers.iter()) {
            let ends = Uint8Array::new(&buffer).to_vec();
            if is_whole && shared(file) {
                known
                    .entry(file.name())
                    .or_insert_with(|| Sha256::digest(&ends).into());
            }
            images.push(judge(file, ends, is_whole).await?);
        }
        stage.tick(b * HEAD_BATCH + batch.len());
    }
    let mut folder = FaceFolder::new(images);
    if compare {
        let digests = hash_candidates(scope, job, &folder, &files, &known).await?;
        folder.set_digests(&digests);
    }
    Ok(folder)
}

/// The SHA-256 of every image sharing its size with another: `known` ones by name, the
/// others read whole, a batch of up to [`HASH_BATCH_BYTES`] at a time.
async fn hash_candidates(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    folder: &FaceFolder,
    files: &[&File],
    known: &HashMap<String, Sha256Digest>,
) -> Result<Vec<(u32, Sha256Digest)>, String> {
    let by_name: HashMap<String, &File> = files.iter().rev().map(|f| (f.name(), *f)).collect();
    let mut out = Vec::new();
    let mut wanted: Vec<(u32, &File)> = Vec::new();
    for i in folder.same_size_candidates() {
        let Some(name) = folder.image(i).map(|image| &image.name) else {
            continue;
        };
        match (known.get(name), by_name.get(name)) {
            (Some(&d), _) => out.push((i, d)),
            (None, Some(&f)) => wanted.push((i, f)),
            (None, None) => {}
        }
    }
    let mut stage = Stage::new(
        scope,
        job,
        wanted.len() as u64,
        "Comparing images of the same size",
    );
    let mut rest = wanted.as_slice();
    while !rest.is_empty() {
        let mut bytes = 0.0;
        let n = rest
            .iter()
            .take_while(|(_, f)| {
                bytes += f.size();
                bytes <= HASH_BATCH_BYTES
            })
            .count()
            .max(1);
        let (batch, after) = rest.split_at(n.min(rest.len()));
        let promises: Array = batch
            .iter()
            .map(|(_, f)| JsValue::from(f.array_buffer()))
            .collect();
        let buffers = Array::from(&settle(Promise::all(&promises)).await?);
        for ((i, _), buffer) in batch.iter().zip(buffers.iter()) {
            let digest: Sha256Digest = Sha256::digest(Uint8Array::new(&buffer).to_vec()).into();
            out.push((*i, digest));
        }
        rest = after;
        stage.tick(wanted.len() - rest.len());
    }
    Ok(out)
}
