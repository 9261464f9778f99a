//! The worker's face image folder: each `File` judged by its first and last bytes; for the
//! identical-bytes check, only files alike in size (and, when read whole, in a quick hash of
//! their bytes) are hashed with SHA-256.
//!
//! Chromium's cost is per file read (a round trip to the browser process, whose one IO
//! thread handles every read), hardly per byte. So many files are read at once in one read
//! of a `Blob` made of them, several such reads in flight: files up to 1 MiB whole (their
//! ends, and their quick hash when their size is shared, taken from the bytes in hand),
//! larger ones as their first and last bytes. Memory stays flat: a few reads' bytes at a
//! time.

use std::collections::{HashMap, VecDeque};
use std::hash::Hasher;

use js_sys::{Array, Promise, Uint8Array};
use rustc_hash::FxHasher;
use sha2::{Digest, Sha256};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, DedicatedWorkerGlobalScope, File};

use crate::protocol::{JobId, ProgressThrottle, Response};
use crate::workbench::faces::{
    probe, FaceFolder, FaceImage, Probe, Sha256Digest, HEAD_BYTES, TAIL_BYTES,
};

use super::face_arrivals::Incoming;
use super::js_error_text;
use super::post::{end_job, post};

/// Files up to this size are read whole: Chromium's cost is per file read, hardly per byte,
/// and each slice is a blob the browser must register (5,000 generated images of 30 to 300
/// KB in reads of 64 files: 2.5 to 3.7 s whole, 4.9 to 6.7 s as first and last bytes).
const WHOLE_READ: f64 = 1024.0 * 1024.0;
/// Files in one read: a `Blob` made of them, so the browser answers one read for many files
/// (5,000 files read whole: 2.0 to 3.7 s in reads of 64, four at once; 3.2 to 4.2 s one
/// file a read, 64 at once; reads of 32 or 128 files, or 2 or 8 at once, no faster).
const BATCH_FILES: usize = 64;
/// Bytes in one read, at most (a read holds at least one file).
const BATCH_BYTES: f64 = 16.0 * 1024.0 * 1024.0;
/// Reads in flight at once.
const IN_FLIGHT: usize = 4;
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

/// A face folder as the page picked it: its first files, how many in all, and the paths
/// of the files in its sub-folders.
pub struct Picked {
    /// The files sent with the request.
    pub first: Vec<File>,
    /// How many files come in all (these and those of [`more`] messages).
    pub total: u32,
    /// The files of the sub-folders, by path (`sub/8.jpg`): named, not read.
    pub nested: Vec<String>,
}

/// Reads the face folder `picked`, its first files and then those of [`more`] messages,
/// in the background; gives it to the workbook and ends the job (the worker posts nothing
/// for it meanwhile).
pub fn start(scope: &DedicatedWorkerGlobalScope, job: JobId, picked: Picked, compare: bool) {
    let scope = scope.clone();
    let incoming = Incoming::expect(job, picked.total as usize, picked.first);
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = match read_folder(&scope, job, incoming, compare).await {
            Ok(mut folder) => {
                folder.set_subfolder_files(picked.nested);
                super::csv_worker::set_face_folder(&scope, job, folder)
            }
            // Another folder was picked meanwhile: nothing went wrong, its job reports.
            Err(_) if Incoming::replaced(job) => Ok(()),
            Err(message) => Err(message),
        };
        end_job(&scope, job, outcome);
    });
}

/// More files of the face folder that job `job` reads.
pub fn more(job: JobId, files: Vec<File>) {
    Incoming::arrive(job, files);
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

/// Whether `file` is read whole (else as its first [`HEAD_BYTES`] then its last
/// [`TAIL_BYTES`]).
fn read_whole(file: &File) -> bool {
    file.size() <= WHOLE_READ.max((HEAD_BYTES + TAIL_BYTES) as f64)
}

/// The bytes of `file` a read gives: all of them, or its first and last.
fn read_len(file: &File) -> f64 {
    if read_whole(file) {
        file.size()
    } else {
        (HEAD_BYTES + TAIL_BYTES) as f64
    }
}

/// The pieces of `file` a read takes, pushed onto `parts`.
fn push_pieces(parts: &Array, file: &File) -> Result<(), String> {
    if read_whole(file) {
        parts.push(file);
    } else {
        let size = file.size();
        parts.push(&slice(file, 0.0, HEAD_BYTES as f64)?.into());
        parts.push(&slice(file, size - TAIL_BYTES as f64, size)?.into());
    }
    Ok(())
}

/// One read of several files: a `Blob` made of their pieces, its bytes on the way.
struct Batch {
    files: Vec<File>,
    read: JsFuture,
}

impl Batch {
    /// Starts reading `files` (one `Blob` of their pieces).
    fn start(files: Vec<File>) -> Result<Self, String> {
        let parts = Array::new();
        for file in &files {
            push_pieces(&parts, file)?;
        }
        let blob = Blob::new_with_blob_sequence(&parts).map_err(|e| js_error_text(&e))?;
        Ok(Batch {
            files,
            read: JsFuture::from(blob.array_buffer()),
        })
    }

    /// The bytes read, or why not: the read failed or gave other than the files' sizes (a
    /// file changed or went away since it was picked).
    async fn bytes(&mut self) -> Result<Uint8Array, String> {
        let buffer = (&mut self.read).await.map_err(|e| js_error_text(&e))?;
        let bytes = Uint8Array::new(&buffer);
        let expected: f64 = self.files.iter().map(read_len).sum();
        if f64::from(bytes.length()) == expected {
            Ok(bytes)
        } else {
            Err(format!("it gave {} bytes, not {expected}", bytes.length()))
        }
    }

    /// Each file's bytes, read again a file at a time when reading them together failed,
    /// so that the message names the file that could not be read.
    async fn reads(mut self) -> Result<Vec<Read>, String> {
        if let Ok(bytes) = self.bytes().await {
            return Ok(split(self.files, &bytes));
        }
        let mut out = Vec::with_capacity(self.files.len());
        for file in self.files {
            let name = file.name();
            let mut one = Batch::start(vec![file])?;
            let bytes = one.bytes().await.map_err(|why| {
                format!(
                    "{name}: the browser could not read this file ({why}); was it moved, \
                     changed or deleted since it was picked? Pick the folder again."
                )
            })?;
            out.extend(split(one.files, &bytes));
        }
        Ok(out)
    }
}

/// The next batch from the front of `queue`: at most [`BATCH_FILES`] files and
/// [`BATCH_BYTES`] bytes read, at least one file; `None` when the queue is empty.
fn next_batch(queue: &mut VecDeque<File>) -> Option<Vec<File>> {
    let mut bytes = 0.0;
    let n = queue
        .iter()
        .take(BATCH_FILES)
        .take_while(|f| {
            bytes += read_len(f);
            bytes <= BATCH_BYTES
        })
        .count()
        .max(1)
        .min(queue.len());
    (n > 0).then(|| queue.drain(..n).collect())
}

/// What a read gave for one file: its bytes from the read (whole, or its first
/// [`HEAD_BYTES`] then its last [`TAIL_BYTES`]).
struct Read {
    file: File,
    bytes: Uint8Array,
    whole: bool,
}

impl Read {
    /// The file's last bytes.
    fn tail(&self) -> Vec<u8> {
        let len = self.bytes.length();
        let from = if self.whole {
            len.saturating_sub(TAIL_BYTES as u32)
        } else {
            HEAD_BYTES as u32
        };
        self.bytes.subarray(from, len).to_vec()
    }

    /// The file's first `n` bytes (read again from the file when the read holds fewer).
    async fn head(&self, n: usize) -> Result<Vec<u8>, String> {
        let held = if self.whole {
            self.bytes.length()
        } else {
            HEAD_BYTES as u32
        };
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        if n <= held || self.whole {
            return Ok(self.bytes.subarray(0, n.min(held)).to_vec());
        }
        let more = settle(slice(&self.file, 0.0, f64::from(n))?.array_buffer()).await?;
        Ok(Uint8Array::new(&more).to_vec())
    }

    /// Judges the file, reading more of its start while its header goes on.
    async fn judge(&self) -> Result<FaceImage, String> {
        let (name, size) = (self.file.name(), self.file.size() as u64);
        let tail = self.tail();
        let mut want = HEAD_BYTES;
        loop {
            let head = self.head(want).await?;
            match probe(&name, size, &head, &tail) {
                Probe::Done(image) => return Ok(image),
                Probe::NeedMore(n) if n > head.len() => want = n,
                Probe::NeedMore(_) => {
                    return Err(format!("{name}: the file changed while being read"))
                }
            }
        }
    }

    /// A quick 64-bit hash of the whole file, when it was read whole. Files whose quick
    /// hashes differ differ; SHA-256 is computed only where size and quick hash match.
    fn quick_hash(&self) -> Option<u64> {
        self.whole.then(|| {
            let mut hasher = FxHasher::default();
            hasher.write(&self.bytes.to_vec());
            hasher.finish()
        })
    }
}

/// Each file of `batch` with its bytes from `bytes` (the batch's read).
fn split(batch: Vec<File>, bytes: &Uint8Array) -> Vec<Read> {
    let mut at = 0u32;
    batch
        .into_iter()
        .map(|file| {
            let len = read_len(&file) as u32;
            let whole = read_whole(&file);
            let read = Read {
                file,
                bytes: bytes.subarray(at, at + len),
                whole,
            };
            at += len;
            read
        })
        .collect()
}

/// The files sent for a face job, queued as they arrive; with `compare`, all of them are
/// waited for first (the identical-bytes check needs every file's size).
struct Arriving {
    incoming: Incoming,
    queue: VecDeque<File>,
    all: Option<Vec<File>>,
    more: bool,
}

impl Arriving {
    /// The files of `incoming`; with `compare`, all of them, waited for.
    async fn new(incoming: Incoming, compare: bool) -> Result<Self, String> {
        let (queue, all) = if compare {
            let all = incoming.all().await?;
            (all.iter().cloned().collect(), Some(all))
        } else {
            (VecDeque::new(), None)
        };
        Ok(Arriving {
            incoming,
            queue,
            all,
            more: !compare,
        })
    }

    /// Queues the files that arrived; with `wait`, waits for some when the queue is empty.
    async fn gather(&mut self, wait: bool) -> Result<(), String> {
        if !self.more {
            return Ok(());
        }
        let got = if wait && self.queue.is_empty() {
            self.incoming.next().await?
        } else {
            self.incoming.ready()?
        };
        match got {
            Some(files) => self.queue.extend(files),
            None => self.more = false,
        }
        Ok(())
    }
}

/// Reads the face folder sent to `incoming` (system files such as `.DS_Store` are set apart
/// by the folder), many files a read and [`IN_FLIGHT`] reads at once, starting while
/// files are still arriving. With `compare`, a file read whole whose size another file
/// shares is hashed at once.
async fn read_folder(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    incoming: Incoming,
    compare: bool,
) -> Result<FaceFolder, String> {
    let total = incoming.total();
    let mut arriving = Arriving::new(incoming, compare).await?;
    let mut sizes: HashMap<u64, u32> = HashMap::new();
    for f in arriving.all.iter().flatten() {
        *sizes.entry(f.size() as u64).or_default() += 1;
    }
    let shared = |f: &File| compare && sizes.get(&(f.size() as u64)).is_some_and(|&n| n > 1);
    let mut stage = Stage::new(scope, job, total as u64, "Reading face image headers");
    let mut images = Vec::with_capacity(total);
    let mut quick: HashMap<String, u64> = HashMap::new();
    let mut pending = VecDeque::with_capacity(IN_FLIGHT);
    loop {
        arriving.gather(pending.is_empty()).await?;
        while pending.len() < IN_FLIGHT {
            let Some(files) = next_batch(&mut arriving.queue) else {
                break;
            };
            pending.push_back(Batch::start(files)?);
        }
        let Some(batch) = pending.pop_front() else {
            if arriving.more {
                continue;
            }
            break;
        };
        for read in batch.reads().await? {
            if shared(&read.file) {
                if let Some(hash) = read.quick_hash() {
                    quick.entry(read.file.name()).or_insert(hash);
                }
            }
            images.push(read.judge().await?);
        }
        stage.tick(images.len());
    }
    let mut folder = FaceFolder::new(images);
    if let Some(all) = arriving.all.as_deref().filter(|_| compare) {
        let digests = hash_candidates(scope, job, &folder, all, &quick).await?;
        folder.set_digests(&digests);
    }
    Ok(folder)
}

/// The SHA-256 of every image that may have another's bytes: sharing its size with another
/// and, when its `quick` hash is known (by name), that hash too. Read whole, a batch of up
/// to [`HASH_BATCH_BYTES`] at a time.
async fn hash_candidates(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    folder: &FaceFolder,
    files: &[File],
    quick: &HashMap<String, u64>,
) -> Result<Vec<(u32, Sha256Digest)>, String> {
    let by_name: HashMap<String, &File> = files.iter().rev().map(|f| (f.name(), f)).collect();
    let candidates: Vec<(u32, &FaceImage)> = folder
        .same_size_candidates()
        .into_iter()
        .filter_map(|i| folder.image(i).map(|image| (i, image)))
        .collect();
    let mut alike: HashMap<(u64, u64), u32> = HashMap::new();
    for (_, image) in &candidates {
        if let Some(&hash) = quick.get(&image.name) {
            *alike.entry((image.size, hash)).or_default() += 1;
        }
    }
    let may_match = |image: &FaceImage| match quick.get(&image.name) {
        Some(&hash) => alike.get(&(image.size, hash)).is_some_and(|&n| n > 1),
        None => true,
    };
    let wanted: Vec<(u32, &File)> = candidates
        .iter()
        .filter(|(_, image)| may_match(image))
        .filter_map(|(i, image)| by_name.get(&image.name).map(|&f| (*i, f)))
        .collect();
    let mut out = Vec::new();
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
