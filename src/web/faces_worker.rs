//! The worker's face image folder: each `File` judged by its first and last bytes; only
//! files sharing a size with another are read whole (SHA-256) to find identical ones.

use std::collections::HashMap;

use web_sys::{DedicatedWorkerGlobalScope, File};

use crate::protocol::{JobId, ProgressThrottle, Response, SLICE_LEN};
use crate::workbench::faces::{digest_of, probe_with, FaceFolder, Sha256Digest};

use super::blob_reader::BlobReader;
use super::post::post;

/// Bytes read at a time when a file is hashed whole (face images are small).
const HASH_SLICE: u64 = 1 << 20;

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

/// A reader of `file`, `slice` bytes from the browser at a time.
fn reader_of(file: &File, slice: u64) -> Result<BlobReader, String> {
    BlobReader::new(file.clone().into(), slice).map_err(|e| format!("{}: {e}", file.name()))
}

/// Reads the face folder made of `files` (hidden files such as `.DS_Store` skipped).
pub fn read_folder(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    files: &[File],
    compare_bytes: bool,
) -> Result<FaceFolder, String> {
    let mut stage = Stage::new(scope, job, files.len() as u64, "Reading face image headers");
    let mut images = Vec::with_capacity(files.len());
    let mut by_name: HashMap<String, &File> = HashMap::with_capacity(files.len());
    for (done, file) in files.iter().enumerate() {
        let name = file.name();
        if name.starts_with('.') {
            continue;
        }
        let reader = reader_of(file, SLICE_LEN)?;
        let image = probe_with(&name, reader.size(), |offset, len| {
            reader.read_range(offset, offset + len as u64)
        })
        .map_err(|e| format!("{name}: {e}"))?;
        by_name.entry(name).or_insert(file);
        images.push(image);
        stage.tick(done + 1);
    }
    let mut folder = FaceFolder::new(images);
    if compare_bytes {
        let digests = hash_candidates(scope, job, &folder, &by_name)?;
        folder.set_digests(&digests);
    }
    Ok(folder)
}

/// The SHA-256 of every image sharing its size with another, read whole.
fn hash_candidates(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    folder: &FaceFolder,
    by_name: &HashMap<String, &File>,
) -> Result<Vec<(u32, Sha256Digest)>, String> {
    let candidates = folder.same_size_candidates();
    let total = candidates.len() as u64;
    let mut stage = Stage::new(scope, job, total, "Comparing images of the same size");
    let mut out = Vec::with_capacity(candidates.len());
    for (done, i) in candidates.into_iter().enumerate() {
        let Some(file) = folder.image(i).and_then(|image| by_name.get(&image.name)) else {
            continue;
        };
        let reader = reader_of(file, HASH_SLICE)?;
        let digest = digest_of(reader).map_err(|e| format!("{}: {e}", file.name()))?;
        out.push((i, digest));
        stage.tick(done + 1);
    }
    Ok(out)
}
