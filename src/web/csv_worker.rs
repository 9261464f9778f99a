//! The worker's CSV workbook: opened from a `File`, kept between requests, re-read from the
//! same `File` when the user picks another encoding or delimiter.

use std::cell::RefCell;
use std::io::{self, Read, Write};

use web_sys::{DedicatedWorkerGlobalScope, File};

use crate::protocol::{CsvAnswer, CsvOp, JobId, Response, MERGE_PAGE, SLICE_LEN};
use crate::workbench::mapping::Field;
use crate::workbench::{OpenOptions, Workbook, WriteReport};

use super::blob_reader::BlobReader;
use super::download::blob_from_chunks;
use super::post::post;

thread_local! {
    static WORKBOOK: RefCell<Option<(Workbook, File)>> = const { RefCell::new(None) };
}

/// Collects written bytes in chunks (no single huge reallocation), for a download `Blob`.
#[derive(Default)]
struct Chunks {
    chunks: Vec<Vec<u8>>,
    len: u64,
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
fn read_file(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    file: &File,
    stage: &str,
) -> Result<Vec<u8>, String> {
    let name = file.name();
    let mut reader =
        BlobReader::new(file.clone().into(), SLICE_LEN).map_err(|e| format!("{name}: {e}"))?;
    let total = reader.size();
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
        post(
            scope,
            &Response::Progress {
                job,
                file: 0,
                done: done as u64,
                total,
                stage: format!("{stage} {name}"),
            },
            None,
        );
    }
    if done < len {
        return Err(format!(
            "{name}: the file ended at byte {done} of {total}; it changed while being read, so open it again"
        ));
    }
    Ok(bytes)
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
    post(
        scope,
        &Response::Output {
            job,
            name,
            mime: "text/csv".into(),
            size: chunks.len,
        },
        Some(&blob),
    );
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

/// Runs one CSV operation; `files` are the files sent beside the request.
pub fn handle(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    op: CsvOp,
    files: &[File],
) -> Result<(), String> {
    let file_at = |i: u32| {
        files
            .get(i as usize)
            .cloned()
            .ok_or_else(|| format!("file {i} was not sent with the request; open the file again"))
    };
    if let CsvOp::Open {
        file,
        settings,
        custom_fields,
    } = op
    {
        let file = file_at(file)?;
        let bytes = read_file(scope, job, &file, "Reading")?;
        post(
            scope,
            &Response::Progress {
                job,
                file: 0,
                done: 0,
                total: 0,
                stage: "Checking every row".into(),
            },
            None,
        );
        let options = OpenOptions {
            settings,
            custom_fields,
            ..OpenOptions::default()
        };
        let book = Workbook::open(bytes, &file.name(), options).map_err(|e| e.to_string())?;
        post(
            scope,
            &Response::Csv {
                job,
                answer: view_answer(&book),
            },
            None,
        );
        WORKBOOK.with(|w| *w.borrow_mut() = Some((book, file)));
        return Ok(());
    }
    WORKBOOK.with(|w| {
        let mut guard = w.borrow_mut();
        let Some((book, file)) = guard.as_mut() else {
            return Err("No CSV file is open; open one first.".to_string());
        };
        let answer = match op {
            CsvOp::Open { .. } => return Ok(()),
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
                let target = match field.as_deref() {
                    None | Some("") => None,
                    Some(id) => Some(
                        Field::from_id(id)
                            .ok_or_else(|| format!("\"{id}\" is not a BioStar field"))?,
                    ),
                };
                book.remap(column, target);
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
            CsvOp::Edit { row, col, value } => {
                let rows = book.edit_cell(row, col, &value);
                CsvAnswer::Edited {
                    rows,
                    view: Box::new(book.view()),
                }
            }
            CsvOp::LoadExisting { file: index } => {
                let existing = file_at(index)?;
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
                CsvAnswer::Merge {
                    merge: book.merge_view(0, MERGE_PAGE).map(Box::new),
                }
            }
            CsvOp::MergeOverride { user_id, choice } => {
                book.set_merge_override(&user_id, choice);
                CsvAnswer::Merge {
                    merge: book.merge_view(0, MERGE_PAGE).map(Box::new),
                }
            }
            CsvOp::MergePage { start, count } => CsvAnswer::Merge {
                merge: book.merge_view(start, count).map(Box::new),
            },
            CsvOp::WriteImport { rows } => {
                let name = book.import_file_name();
                return output(scope, job, name, |out| book.write_import(out, rows));
            }
            CsvOp::WriteErrors => {
                let name = book.error_file_name();
                return output(scope, job, name, |out| book.write_errors(out));
            }
            CsvOp::WriteRows { rows } => {
                let name = book.import_file_name().replace("_import", "_selected");
                return output(scope, job, name, |out| book.write_rows(out, &rows));
            }
        };
        post(scope, &Response::Csv { job, answer }, None);
        Ok(())
    })
}
