//! The worker's data file work: verify and list a `File` in slices (keeping a compact
//! catalogue of its entries and sending pages of it), preview one entry, plan and write a
//! rewrite of its entry paths (to the origin private file system through a sync access
//! handle, or to a `Blob` built from parts when that is missing), and compare two files.

use std::cell::RefCell;
use std::io::{self, BufWriter, Read};

use js_sys::Array;
use web_sys::{Blob, BlobPropertyBag, DedicatedWorkerGlobalScope, File};

use crate::archive::catalogue::{entry_bytes, hex_view, Catalogue, ComparisonView};
use crate::archive::compare::compare;
use crate::archive::repackage::{plan, repackage, Outcome};
use crate::archive::Direction;
use crate::formats::data_file::{list, Content, ListOptions, Listing};
use crate::inspect::{inspect_listed, Summary};
use crate::protocol::archive::{
    ArchiveAnswer, ArchiveOp, PlanView, PreviewBody, Storage, COMPARE_ROWS, HEX_BYTES,
    MAX_THUMBNAIL,
};
use crate::protocol::{JobId, Response, SLICE_LEN};
use crate::recognize::FileKind;

use super::blob_reader::BlobReader;
use super::list_ahead::{list_ahead, repackage_ahead};
use super::opfs;
use super::post::{end_job, post, post_download, progress_poster};

thread_local! {
    /// The last listing, for the entry table's pages and the rewrite's plan.
    static CATALOGUE: RefCell<Option<Shown>> = const { RefCell::new(None) };
    /// The listing made when the file was opened, kept for the screen's first
    /// "verify and list" of the same file so it is not read twice.
    static OPENED: RefCell<Option<Opened>> = const { RefCell::new(None) };
}

/// A data file listed whole when it was opened.
struct Opened {
    /// The file's name, size and modification time.
    key: (String, u64, f64),
    listing: Listing,
    catalogue: Catalogue,
}

/// The listing the screen shows, and which file it is of.
struct Shown {
    key: (String, u64, f64),
    listing: Listing,
    catalogue: Catalogue,
}

/// What tells one picked file from another: name, size and modification time.
fn key_of(file: &File) -> (String, u64, f64) {
    (file.name(), file.size() as u64, file.last_modified())
}

/// Summarises data file `index` of an Inspect request as it verifies and lists it
/// (posting progress), keeping the listing for the screen's first "verify and list"
/// unless the file turned out to be no data file at all (a gzip holding no tar).
pub async fn inspect_opened(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    index: u32,
    file: &File,
    head: &[u8],
) -> Result<Summary, String> {
    let (name, size) = (file.name(), file.size() as u64);
    let (listing, catalogue, read) =
        list_in_turn_or_ahead(scope, job, (index, file), ListOptions::default(), "Reading").await?;
    let summary = inspect_listed(&name, size, head, &listing, read);
    if summary.recognition.kind != FileKind::BiostarDataFile {
        return Ok(summary);
    }
    let key = key_of(file);
    let opened = Opened {
        key,
        listing,
        catalogue,
    };
    OPENED.with(|o| *o.borrow_mut() = Some(opened));
    Ok(summary)
}

/// Verifies and lists `file` with the core's reader, read ahead on another thread (in
/// turn where that cannot be), posting progress labelled `what`: the listing, its
/// catalogue, and the compressed bytes read.
async fn list_in_turn_or_ahead(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    (index, file): (u32, &File),
    options: ListOptions,
    what: &str,
) -> Result<(Listing, Catalogue, u64), String> {
    let stage = format!("{what} {}", file.name());
    let mut catalogue = Catalogue::new();
    let mut report = progress_poster(scope, job, (index, file), stage.clone());
    if let Some((listing, read)) = list_ahead(file, options, &mut report, &mut catalogue).await {
        return Ok((listing, catalogue, read));
    }
    let mut catalogue = Catalogue::new();
    let mut source = reading(scope, job, (index, file), stage)?;
    let listing = list(&mut source, options, &mut |e| catalogue.add(e));
    Ok((listing, catalogue, source.done))
}

/// The listing made when `file` was opened, if it is this file's (taken: a second
/// "verify and list" reads the file again).
fn take_opened(file: &File) -> Option<(Listing, Catalogue)> {
    let opened = OPENED.with(|o| o.borrow_mut().take())?;
    (opened.key == key_of(file)).then_some((opened.listing, opened.catalogue))
}

/// Media type of a data file download.
const TGZ: &str = "application/gzip";

/// Runs `op` and posts its answers, then `Finished` or `Failed` (a rewrite does so once
/// its asynchronous writing is done).
pub fn handle(scope: &DedicatedWorkerGlobalScope, job: JobId, op: ArchiveOp, files: &[File]) {
    let outcome = match op {
        ArchiveOp::Repackage { direction, name } => match files.first() {
            Some(file) => {
                let (scope, file) = (scope.clone(), file.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let outcome = rewrite(&scope, job, &file, direction, name).await;
                    end_job(&scope, job, outcome);
                });
                return;
            }
            None => Err(missing(0)),
        },
        ArchiveOp::List { hash } => match files.first() {
            Some(file) => {
                let (scope, file) = (scope.clone(), file.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let outcome = list_file(&scope, job, &file, hash).await;
                    end_job(&scope, job, outcome);
                });
                return;
            }
            None => Err(missing(0)),
        },
        ArchiveOp::Entries { start, count } => entries(scope, job, start, count),
        ArchiveOp::Preview { index } => first(files).and_then(|f| preview(scope, job, f, index)),
        ArchiveOp::Plan { direction } => {
            first(files).and_then(|f| plan_file(scope, job, f, direction))
        }
        ArchiveOp::Compare => compare_files(scope, job, files),
    };
    end_job(scope, job, outcome);
}

fn answer(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    answer: ArchiveAnswer,
    blob: Option<&Blob>,
) {
    post(scope, &Response::Archive { job, answer }, blob);
}

fn missing(index: usize) -> String {
    format!("file {index} was not sent with the request; open the file again")
}

fn first(files: &[File]) -> Result<&File, String> {
    files.first().ok_or_else(|| missing(0))
}

/// A reader that reports how far it has read (the report throttles itself).
struct Progress<'a, R> {
    inner: R,
    done: u64,
    report: Box<dyn FnMut(u64) + 'a>,
}

impl<R: Read> Read for Progress<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        (self.report)(self.done);
        Ok(n)
    }
}

/// Reads file `index` (of the request) in slices, posting progress labelled `stage`.
fn reading<'a>(
    scope: &'a DedicatedWorkerGlobalScope,
    job: JobId,
    (index, file): (u32, &File),
    stage: String,
) -> Result<Progress<'a, BlobReader>, String> {
    let name = file.name();
    let inner =
        BlobReader::new(file.clone().into(), SLICE_LEN).map_err(|e| format!("{name}: {e}"))?;
    Ok(Progress {
        inner,
        done: 0,
        report: Box::new(progress_poster(scope, job, (index, file), stage)),
    })
}

/// Verifies and lists `file` (with SHA-256 when `hash` is set), keeping its catalogue for
/// the entry table, and answers with the listing's view.
async fn list_file(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    file: &File,
    hash: bool,
) -> Result<(), String> {
    CATALOGUE.with(|c| *c.borrow_mut() = None);
    let name = file.name();
    let size = file.size() as u64;
    let what = if hash {
        "Verifying, listing and hashing"
    } else {
        "Verifying and listing"
    };
    let opened = (!hash).then(|| take_opened(file)).flatten();
    let (listing, catalogue) = match opened {
        Some(listed) => listed,
        None => list_streamed(scope, job, file, hash, what).await?,
    };
    let view = catalogue.view(&name, size, hash, &listing);
    let shown = Shown {
        key: key_of(file),
        listing,
        catalogue,
    };
    CATALOGUE.with(|c| *c.borrow_mut() = Some(shown));
    answer(
        scope,
        job,
        ArchiveAnswer::Listed {
            view: Box::new(view),
        },
        None,
    );
    Ok(())
}

/// Verifies and lists `file` into a catalogue, posting progress labelled `what`, with the
/// core's own gzip reader, read ahead; with SHA-256 on, small entries are hashed by the
/// browser beside the walk (see [`list_ahead`]).
pub async fn list_streamed(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    file: &File,
    hash: bool,
    what: &str,
) -> Result<(Listing, Catalogue), String> {
    let options = ListOptions { hash };
    let (listing, catalogue, _) =
        list_in_turn_or_ahead(scope, job, (0, file), options, what).await?;
    Ok((listing, catalogue))
}

fn entries(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    start: usize,
    count: usize,
) -> Result<(), String> {
    let (total, rows) = CATALOGUE
        .with(|c| {
            let shown = c.borrow();
            shown
                .as_ref()
                .map(|s| (s.catalogue.len(), s.catalogue.page(start, count)))
        })
        .ok_or("the listing is gone (the worker was restarted): press Read it again")?;
    answer(
        scope,
        job,
        ArchiveAnswer::Entries { start, total, rows },
        None,
    );
    Ok(())
}

fn preview(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    file: &File,
    index: u64,
) -> Result<(), String> {
    let photo = CATALOGUE.with(|c| {
        c.borrow().as_ref().is_some_and(|s| {
            let row = s.catalogue.page(index as usize, 1);
            row.first().is_some_and(|r| r.photo)
        })
    });
    let limit = if photo { MAX_THUMBNAIL } else { HEX_BYTES };
    let source = reading(
        scope,
        job,
        (0, file),
        format!("Reading entry {}", index + 1),
    )?;
    let entry = entry_bytes(source, index, limit)?;
    let content = Content::of(&entry.bytes[..entry.bytes.len().min(512)]);
    let whole = entry.bytes.len() as u64 == entry.size;
    let (body, blob) = match content {
        Content::Jpeg | Content::Png if whole => {
            let mime = if content == Content::Jpeg {
                "image/jpeg"
            } else {
                "image/png"
            };
            let blob = super::download::blob_from_bytes(&entry.bytes, mime)
                .map_err(|e| super::js_error_text(&e))?;
            (PreviewBody::Photo { mime: mime.into() }, Some(blob))
        }
        _ => {
            let shown = &entry.bytes[..entry.bytes.len().min(HEX_BYTES as usize)];
            (
                PreviewBody::Hex {
                    text: hex_view(shown),
                    shown: shown.len() as u64,
                },
                None,
            )
        }
    };
    let (path, size) = (entry.path, entry.size);
    answer(
        scope,
        job,
        ArchiveAnswer::Preview {
            index,
            path,
            size,
            body,
        },
        blob.as_ref(),
    );
    Ok(())
}

/// Answers which names a rewrite of `file` `direction`'s way changes: from the listing
/// on the screen when it is this file's and holds every entry (at once, at any size),
/// else by reading the file through.
fn plan_file(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    file: &File,
    direction: Direction,
) -> Result<(), String> {
    let shown = CATALOGUE.with(|c| {
        let shown = c.borrow();
        let shown = shown.as_ref().filter(|s| s.key == key_of(file))?;
        shown.catalogue.plan(direction, &shown.listing)
    });
    let plan = match shown {
        Some(plan) => plan,
        None => {
            let stage = format!("Finding the names to rewrite in {}", file.name());
            let source = reading(scope, job, (0, file), stage)?;
            plan(source, direction)
        }
    };
    answer(
        scope,
        job,
        ArchiveAnswer::Plan {
            plan: PlanView::new(&plan, direction),
        },
        None,
    );
    Ok(())
}

fn compare_files(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    files: &[File],
) -> Result<(), String> {
    let (a, b) = match files {
        [a, b, ..] => (a, b),
        _ => return Err(missing(1)),
    };
    let stage = format!("Comparing {} with {}", a.name(), b.name());
    let first = reading(scope, job, (0, a), stage)?;
    let second =
        BlobReader::new(b.clone().into(), SLICE_LEN).map_err(|e| format!("{}: {e}", b.name()))?;
    let comparison = compare(first, second);
    let view = ComparisonView::new(&comparison, &a.name(), &b.name(), COMPARE_ROWS);
    answer(
        scope,
        job,
        ArchiveAnswer::Compared {
            view: Box::new(view),
        },
        None,
    );
    Ok(())
}

/// Writes `file` again with its entry paths renamed, to OPFS (or a `Blob` from parts),
/// and posts it for download as `name`.
async fn rewrite(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    file: &File,
    direction: Direction,
    name: String,
) -> Result<(), String> {
    let stage = format!("Writing {name}");
    let (blob, outcome, storage, note) = match opfs::open(scope).await {
        Ok(target) => {
            let writer = || {
                let _ = target.access.truncate_with_f64(0.0);
                opfs::Writer::new(target.access.clone())
            };
            let written = repackage_file(scope, job, (file, direction), stage, writer).await;
            let outcome = match written.and_then(|(w, o)| opfs::close(w).map(|()| o)) {
                Ok(outcome) => outcome,
                Err(message) => {
                    target.discard();
                    return Err(message);
                }
            };
            (target.file().await?, outcome, Storage::Opfs, None)
        }
        Err(reason) => {
            let parts = || BufWriter::with_capacity(opfs::Writer::BUF, Parts::default());
            let (parts, outcome) =
                repackage_file(scope, job, (file, direction), stage, parts).await?;
            let parts = parts.into_inner().map_err(|e| e.into_error().to_string())?;
            (parts.blob()?, outcome, Storage::Memory, Some(reason))
        }
    };
    let (entries, renamed) = (outcome.entries, outcome.renamed);
    answer(
        scope,
        job,
        ArchiveAnswer::Repackaged {
            entries,
            renamed,
            storage,
            note,
        },
        None,
    );
    post_download(scope, job, name, TGZ, &blob);
    Ok(())
}

/// Repackages `file` `direction`'s way onto a writer `make` gives, read ahead on another
/// thread, or read in turn onto a fresh writer when that could not be done (the first
/// writer is dropped before the second is made).
async fn repackage_file<W: io::Write>(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    (file, direction): (&File, Direction),
    stage: String,
    mut make: impl FnMut() -> W,
) -> Result<(W, Outcome), String> {
    let mut report = progress_poster(scope, job, (0, file), stage.clone());
    if let Some(written) = repackage_ahead(file, make(), direction, &mut report).await {
        return written;
    }
    let source = reading(scope, job, (0, file), stage)?;
    repackage(source, make(), direction)
}

/// Written bytes gathered as JS `Uint8Array` parts (each write one part: wrap it in a
/// `BufWriter`), folded into a `Blob` every 64 MiB so the browser may keep them on disk.
#[derive(Default)]
struct Parts {
    parts: Vec<js_sys::Uint8Array>,
    folded: Option<Blob>,
    pending: usize,
}

impl Parts {
    const FOLD: usize = 64 << 20;

    fn fold(&mut self, mime: &str) -> Result<Blob, String> {
        let array = Array::new();
        if let Some(b) = self.folded.take() {
            array.push(&b);
        }
        for p in self.parts.drain(..) {
            array.push(&p);
        }
        self.pending = 0;
        let options = BlobPropertyBag::new();
        options.set_type(mime);
        Blob::new_with_blob_sequence_and_options(&array, &options)
            .map_err(|e| super::js_error_text(&e))
    }

    /// The whole written stream as one `Blob`.
    fn blob(mut self) -> Result<Blob, String> {
        self.fold(TGZ)
    }
}

impl io::Write for Parts {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.parts.push(js_sys::Uint8Array::from(data));
        self.pending += data.len();
        if self.pending >= Self::FOLD {
            self.folded = Some(self.fold("").map_err(io::Error::other)?);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
