//! The Web Worker's side: takes [`Request`]s, runs the core over the files sent with them,
//! and posts [`Response`]s (progress, results, downloads) back to the page.

use std::io::Read;

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, File, MessageEvent};

use crate::inspect::{inspect, AttlogInspection, Summary};
use crate::protocol::{CsvOp, Request, Response, SLICE_LEN};
use crate::recognize::{recognize, FileKind, HEAD_LEN};

use super::blob_reader::BlobReader;
use super::from_js;
use super::post::{end_job, post, post_download, progress_poster};
use super::read_ahead::for_each_slice;

fn files_of(data: &JsValue) -> Vec<File> {
    Reflect::get(data, &JsValue::from_str("files"))
        .ok()
        .filter(Array::is_array)
        .map(|v| {
            Array::from(&v)
                .iter()
                .filter_map(|f| f.dyn_into::<File>().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Recognises and summarises each file in turn, posting each summary as it is done; a
/// data file's listing is kept for its screen.
async fn inspect_files(
    scope: &DedicatedWorkerGlobalScope,
    job: u32,
    files: &[File],
) -> Result<(), String> {
    for (index, file) in files.iter().enumerate() {
        let index = index as u32;
        let name = file.name();
        let mut reader =
            BlobReader::new(file.clone().into(), SLICE_LEN).map_err(|e| format!("{name}: {e}"))?;
        let size = reader.size();
        let head = reader
            .read_range(0, HEAD_LEN as u64)
            .map_err(|e| format!("{name}: {e}"))?;
        let stage = format!("Reading {name}");
        let summary = match recognize(&name, size, &head).kind {
            FileKind::BiostarDataFile => {
                super::archive_worker::inspect_opened(scope, job, index, file, &head).await?
            }
            FileKind::ZkAttlog => {
                let progress = progress_poster(scope, job, (index, file), stage);
                inspect_attlog(file, &head, progress).await
            }
            _ => {
                let mut progress = progress_poster(scope, job, (index, file), stage);
                let source: &mut dyn Read = &mut reader;
                inspect(&name, size, &head, source, &mut progress)
            }
        };
        post(
            scope,
            &Response::Inspected {
                job,
                file: index,
                summary,
            },
            None,
        );
    }
    Ok(())
}

/// Summarises the attendance log `file` (starting with `head`), read ahead on another
/// thread while its lines are counted, telling `progress` the bytes read.
pub async fn inspect_attlog(file: &File, head: &[u8], mut progress: impl FnMut(u64)) -> Summary {
    let mut inspection = AttlogInspection::new(&file.name(), file.size() as u64, head);
    let read = for_each_slice(file, &mut progress, |slice| {
        inspection.feed(slice);
        Ok(())
    });
    let error = read.await.err();
    inspection.finish(error)
}

fn handle(scope: &DedicatedWorkerGlobalScope, data: JsValue) {
    let request_value =
        Reflect::get(&data, &JsValue::from_str("request")).unwrap_or(JsValue::UNDEFINED);
    let request: Request = match from_js(request_value) {
        Ok(r) => r,
        Err(e) => {
            web_sys::console::error_2(&JsValue::from_str("bioport worker: unreadable request"), &e);
            return;
        }
    };
    let files = files_of(&data);
    let job = request.job();
    let outcome = match request {
        // It posts its own end: a data file is read ahead, asynchronously.
        Request::Inspect { .. } => {
            let scope = scope.clone();
            return wasm_bindgen_futures::spawn_local(async move {
                let outcome = inspect_files(&scope, job, &files).await;
                end_job(&scope, job, outcome);
            });
        }
        Request::Rename { file, name, .. } => match files.get(file as usize) {
            Some(f) => {
                let blob: &Blob = f.as_ref();
                let mime = match blob.type_() {
                    t if t.is_empty() => "application/octet-stream".to_string(),
                    t => t,
                };
                post_download(scope, job, name, &mime, blob);
                Ok(())
            }
            None => Err(format!(
                "file {file} was not sent with the request; open the file again"
            )),
        },
        // It posts its own end: a data file is listed asynchronously.
        #[cfg(feature = "bench")]
        Request::Bench { op, runs, .. } => return super::bench_worker::start(job, op, runs, files),
        Request::Csv {
            op:
                CsvOp::AddFaces {
                    compare_bytes,
                    files: total,
                    nested,
                },
            ..
        } => {
            // Read in the background, many files at once; it ends the job itself.
            let folder = super::faces_worker::Picked {
                first: files,
                total,
                nested,
            };
            return super::faces_worker::start(scope, job, folder, compare_bytes);
        }
        // More files of that job: it goes on.
        Request::Csv {
            op: CsvOp::MoreFaces,
            ..
        } => return super::faces_worker::more(job, files),
        Request::Csv { op, .. } => super::csv_worker::handle(scope, job, op, &files),
        // It posts its own end: a rewrite ends after its asynchronous writing.
        Request::Archive { op, .. } => {
            return super::archive_worker::handle(scope, job, op, &files)
        }
        // It posts its own end: opening and repairing end after their reading.
        Request::Clock { op, .. } => return super::clock_worker::handle(scope, job, op, &files),
    };
    end_job(scope, job, outcome);
}

/// Starts the worker: installs the message handler and tells the page it is ready.
pub fn start() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let handler_scope = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        handle(&handler_scope, event.data());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    super::read_ahead::start(move || {
        let read_ahead = super::read_ahead::running();
        post(&scope, &Response::Ready { read_ahead }, None)
    });
}
