//! The worker's CSV workbook: opened from a `File`, kept between requests, re-read from the
//! same `File` when the user picks another encoding or delimiter.

use std::cell::RefCell;
use std::io::{self, Read, Write};

use web_sys::{DedicatedWorkerGlobalScope, File};

use crate::protocol::{ByNameView, CsvAnswer, CsvOp, JobId, Response, MERGE_PAGE, SLICE_LEN};
use crate::workbench::faces::FaceFolder;
use crate::workbench::mapping::Field;
use crate::workbench::{OpenOptions, Workbook, WriteReport};

use super::blob_reader::BlobReader;
use super::download::blob_from_chunks;
use super::post::{post, post_download};

thread_local! {
    static WORKBOOK: RefCell<Option<(Workbook, File)>> = const { RefCell::new(None) };
}

/// Collects written bytes in chunks (no single huge reallocation), for a download `Blob`.
#[derive(Default)]
pub(crate) struct Chunks {
    /// The chunks, in order.
    pub(crate) chunks: Vec<Vec<u8>>,
    /// Bytes in all.
    pub(crate) len: u64,
}

impl Write for Chunks {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        const CHUNK: usize = 4 << 20;
        if self
            .chunks
            .last()
            .is_none_or(|c| c.len() + buf.len() > CHUNK)
        {
            self.chunks.push(Vec::with_capacity(CHUNK.max(buf.len())));
        }
        if let Some(last) = self.chunks.last_mut() {
            last.extend_from_slice(buf);
        }
        self.len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Reads a whole file through slices straight into one buffer of its size, posting
/// progress.
pub(crate) fn read_file(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    file: &File,
    stage: &str,
) -> Result<Vec<u8>, String> {
    read_head(scope, job, file, stage, u64::MAX)
}

/// [`read_file`] of at most the first `most` bytes of `file`.
pub(crate) fn read_head(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    file: &File,
    stage: &str,
    most: u64,
) -> Result<Vec<u8>, String> {
    let name = file.name();
    let mut reader =
        BlobReader::new(file.clone().into(), SLICE_LEN).map_err(|e| format!("{name}: {e}"))?;
    let total = reader.size().min(most);
    let len = usize::try_from(total)
        .map_err(|_| format!("{name}: {total} bytes do not fit in this browser's memory"))?;
    // Zeroed memory fresh from the allocator costs no writes; the browser's bytes are
    // copied straight into it, a slice at a time.
    let mut bytes = vec![0u8; len];
    let mut done = 0;
    while done < len {
        let n = reader
            .read(&mut bytes[done..])
            .map_err(|e| format!("{name}: reading stopped at byte {done}: {e}"))?;
        if n == 0 {
            break;
        }
        done += n;
        read_progress(scope, job, (done as u64, total), &format!("{stage} {name}"));
    }
    if done < len {
        return Err(format!(
            "{name}: the file ended at byte {done} of {total}; it changed while being read, so open it again"
        ));
    }
    Ok(bytes)
}

/// Tells the page that `done` of `total` bytes were read, at `stage`.
fn read_progress(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    (done, total): (u64, u64),
    stage: &str,
) {
    let stage = stage.to_string();
    let progress = Response::Progress {
        job,
        file: 0,
        done,
        total,
        stage,
    };
    post(scope, &progress, None);
}

/// Reads `file` through in slices, handing each to `feed` and posting progress; the
/// bytes read.
pub(crate) fn stream_file(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    file: &File,
    stage: &str,
    feed: &mut dyn FnMut(&[u8]),
) -> Result<u64, String> {
    let name = file.name();
    let mut reader =
        BlobReader::new(file.clone().into(), SLICE_LEN).map_err(|e| format!("{name}: {e}"))?;
    let total = reader.size();
    let mut buf = vec![0u8; SLICE_LEN as usize];
    let mut done = 0;
    loop {
        let n = reader
            .read(&mut buf)
            .map_err(|e| format!("{name}: reading stopped at byte {done}: {e}"))?;
        if n == 0 {
            return Ok(done);
        }
        feed(&buf[..n]);
        done += n as u64;
        read_progress(scope, job, (done, total), &format!("{stage} {name}"));
    }
}

/// Runs `f` on the workbook held, if a CSV is open (the clock takes users from it).
pub(crate) fn with_workbook<R>(f: impl FnOnce(&Workbook) -> R) -> Option<R> {
    WORKBOOK.with(|w| w.borrow().as_ref().map(|(book, _)| f(book)))
}

fn view_answer(book: &Workbook) -> CsvAnswer {
    CsvAnswer::View {
        view: Box::new(book.view()),
    }
}

fn output(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    name: String,
    write: impl FnOnce(&mut Chunks) -> io::Result<WriteReport>,
) -> Result<(), String> {
    let mut chunks = Chunks::default();
    let report = write(&mut chunks).map_err(|e| format!("{name} could not be written: {e}"))?;
    let blob =
        blob_from_chunks(&chunks.chunks, "text/csv").map_err(|e| super::js_error_text(&e))?;
    post_download(scope, job, name, "text/csv", &blob);
    post(
        scope,
        &Response::Csv {
            job,
            answer: CsvAnswer::Written { report },
        },
        None,
    );
    Ok(())
}

/// The file sent beside the request at `i`.
fn file_at(files: &[File], i: u32) -> Result<File, String> {
    files
        .get(i as usize)
        .cloned()
        .ok_or_else(|| format!("file {i} was not sent with the request; open the file again"))
}

/// Runs one CSV operation; `files` are the files sent beside the request.
pub fn handle(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    op: CsvOp,
    files: &[File],
) -> Result<(), String> {
    if let CsvOp::Open {
        file,
        settings,
        custom_fields,
    } = op
    {
        let options = OpenOptions {
            settings,
            custom_fields,
            ..OpenOptions::default()
        };
        return open(scope, job, file_at(files, file)?, options);
    }
    WORKBOOK.with(|w| {
        let mut guard = w.borrow_mut();
        let Some((book, file)) = guard.as_mut() else {
            return Err("No CSV file is open; open one first.".to_string());
        };
        if let Some(answer) = on_book(scope, job, op, book, file, files)? {
            post(scope, &Response::Csv { job, answer }, None);
        }
        Ok(())
    })
}

/// Runs `op` on the open workbook (read from `file`): its answer, or None when the
/// operation posted its own.
fn on_book(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    op: CsvOp,
    book: &mut Workbook,
    file: &File,
    files: &[File],
) -> Result<Option<CsvAnswer>, String> {
    let merge_page = |book: &Workbook, start| CsvAnswer::Merge {
        merge: book.merge_view(start, MERGE_PAGE).map(Box::new),
    };
    let answer = match op {
        CsvOp::Open { .. } => return Ok(None),
        CsvOp::Reread {
            encoding,
            delimiter,
        } => {
            let mut options = book.options();
            options.encoding = encoding.or(options.encoding);
            options.delimiter = delimiter.or(options.delimiter);
            let bytes = read_file(scope, job, file, "Reading again")?;
            *book = book.reopen(bytes, options).map_err(|e| e.to_string())?;
            view_answer(book)
        }
        CsvOp::HeaderRow { row } => {
            book.set_header_row(row).map_err(|e| e.to_string())?;
            view_answer(book)
        }
        CsvOp::Remap { column, field } => {
            book.remap(column, field_of(field.as_deref())?);
            view_answer(book)
        }
        CsvOp::AddCustomField { name } => {
            book.add_custom_field(&name);
            view_answer(book)
        }
        CsvOp::Settings { settings } => {
            book.set_settings(settings);
            view_answer(book)
        }
        CsvOp::Rows { query } => CsvAnswer::Rows {
            page: book.rows(&query),
        },
        CsvOp::Edit { row, col, value } => CsvAnswer::Edited {
            rows: book.edit_cell(row, col, &value),
            view: Box::new(book.view()),
        },
        CsvOp::LoadExisting { file: index } => {
            let existing = file_at(files, index)?;
            let bytes = read_file(scope, job, &existing, "Reading")?;
            book.load_existing(bytes, &existing.name())
                .map_err(|e| e.to_string())?;
            view_answer(book)
        }
        CsvOp::ClearExisting => {
            book.clear_existing();
            view_answer(book)
        }
        CsvOp::MergeDefault { choice } => {
            book.set_merge_default(choice);
            merge_page(book, 0)
        }
        CsvOp::MergeOverride { user_id, choice } => {
            book.set_merge_override(&user_id, choice);
            merge_page(book, 0)
        }
        CsvOp::MergePage { start, count } => CsvAnswer::Merge {
            merge: book.merge_view(start, count).map(Box::new),
        },
        CsvOp::AddFaces { .. } | CsvOp::MoreFaces => {
            return Err("The face images are read by the worker's faces_worker.".into())
        }
        CsvOp::ClearFaces => {
            book.set_face_folder(None);
            view_answer(book)
        }
        CsvOp::FacesByName => {
            let folder = book
                .face_folder()
                .ok_or("Add the face image folder first.")?;
            let report = book.check_by_name(folder);
            CsvAnswer::ByName {
                report: Box::new(ByNameView::new(&report, folder)),
            }
        }
        CsvOp::FacesNewUsers => return new_users(scope, job, book).map(|()| None),
        write @ (CsvOp::WriteImport { .. }
        | CsvOp::WriteErrors
        | CsvOp::WriteRows { .. }
        | CsvOp::WriteShown { .. }) => return write_file(scope, job, book, write).map(|()| None),
    };
    Ok(Some(answer))
}

/// Gives the face image folder to the open workbook and posts its view.
pub fn set_face_folder(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    folder: FaceFolder,
) -> Result<(), String> {
    WORKBOOK.with(|w| {
        let mut guard = w.borrow_mut();
        let (book, _) = guard
            .as_mut()
            .ok_or("No CSV file is open; open one first.")?;
        book.set_face_folder(Some(folder));
        let answer = view_answer(book);
        post(scope, &Response::Csv { job, answer }, None);
        Ok(())
    })
}

/// Opens `file` as the worker's workbook and posts its view.
fn open(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    file: File,
    options: OpenOptions,
) -> Result<(), String> {
    let bytes = read_file(scope, job, &file, "Reading")?;
    let stage = "Checking every row".to_string();
    let progress = Response::Progress {
        job,
        file: 0,
        done: 0,
        total: 0,
        stage,
    };
    post(scope, &progress, None);
    let book = Workbook::open(bytes, &file.name(), options).map_err(|e| e.to_string())?;
    let answer = view_answer(&book);
    post(scope, &Response::Csv { job, answer }, None);
    WORKBOOK.with(|w| *w.borrow_mut() = Some((book, file)));
    Ok(())
}

/// The field a remap names by id ("" or none: ignore the column).
fn field_of(id: Option<&str>) -> Result<Option<Field>, String> {
    match id {
        None | Some("") => Ok(None),
        Some(id) => Field::from_id(id)
            .map(Some)
            .ok_or_else(|| format!("\"{id}\" is not a BioStar field")),
    }
}

/// Writes the file a write op asks for and posts it as a download.
/// Writes the images of the face folder named after no user as new users, posts the file
/// and what the import check finds in it.
fn new_users(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    book: &Workbook,
) -> Result<(), String> {
    let folder = book
        .face_folder()
        .ok_or("Add the face image folder first.")?;
    let report = book.check_by_name(folder);
    let (csv, notes) = book
        .new_users_from_faces(&report, folder)
        .map_err(|e| format!("The new users could not be written: {e}"))?;
    let users = report.new_user_ids(folder).len() as u32;
    let answer = CsvAnswer::NewUsers { users, notes };
    post(scope, &Response::Csv { job, answer }, None);
    let blob =
        super::download::blob_from_bytes(&csv, "text/csv").map_err(|e| super::js_error_text(&e))?;
    let name = "new_users_from_faces.csv".to_string();
    post_download(scope, job, name, "text/csv", &blob);
    Ok(())
}

fn write_file(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    book: &Workbook,
    op: CsvOp,
) -> Result<(), String> {
    match op {
        CsvOp::WriteImport { rows } => {
            let name = book.import_file_name_of(rows);
            output(scope, job, name, |out| book.write_import(out, rows))
        }
        CsvOp::WriteErrors => {
            let name = book.error_file_name();
            output(scope, job, name, |out| book.write_errors(out))
        }
        CsvOp::WriteRows { rows, filter } => {
            let name = book.import_file_name().replace("_import", "_selected");
            output(scope, job, name, |out| {
                book.write_ticked(out, &rows, &filter)
            })
        }
        CsvOp::WriteShown { filter } => {
            let tag = format!("_{}", filter.file_tag());
            let name = book.import_file_name().replace("_import", &tag);
            let rows = book.rows_kept_by(&filter);
            output(scope, job, name, |out| book.write_rows(out, &rows))
        }
        other => Err(format!("{other:?} writes no file")),
    }
}
