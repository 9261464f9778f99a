//! How the worker answers the page: one [`Response`] per message, a `Blob` beside it for
//! downloads. Every part of the worker posts through here.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{Blob, DedicatedWorkerGlobalScope, File};

use crate::protocol::{ProgressThrottle, Response};

use super::to_js;

/// Posts `response` (and a `blob` beside it, for downloads) to the page.
pub fn post(scope: &DedicatedWorkerGlobalScope, response: &Response, blob: Option<&Blob>) {
    let message = Object::new();
    let set = |key: &str, value: &JsValue| Reflect::set(&message, &JsValue::from_str(key), value);
    let encoded = match to_js(response) {
        Ok(v) => v,
        Err(e) => {
            web_sys::console::error_1(&e);
            return;
        }
    };
    if set("response", &encoded).is_err() {
        return;
    }
    if let Some(blob) = blob {
        let _ = set("blob", blob);
    }
    if let Err(e) = scope.post_message(&message) {
        web_sys::console::error_1(&e);
    }
}

/// Posts `blob` as a download named `name` of media type `mime`.
pub fn post_download(
    scope: &DedicatedWorkerGlobalScope,
    job: u32,
    name: String,
    mime: &str,
    blob: &Blob,
) {
    let mime = mime.to_string();
    let size = blob.size() as u64;
    let output = Response::Output {
        job,
        name,
        mime,
        size,
    };
    post(scope, &output, Some(blob));
}

/// Ends job `job`: `Finished`, or `Failed` with the message.
pub fn end_job(scope: &DedicatedWorkerGlobalScope, job: u32, outcome: Result<(), String>) {
    let end = match outcome {
        Ok(()) => Response::Finished { job },
        Err(message) => Response::Failed { job, message },
    };
    post(scope, &end, None);
}

/// Posts how far the reading of `file` has come, about once a percent, labelled `stage`.
pub fn progress_poster<'a>(
    scope: &'a DedicatedWorkerGlobalScope,
    job: u32,
    (index, file): (u32, &File),
    stage: String,
) -> impl FnMut(u64) + 'a {
    let total = file.size() as u64;
    let mut throttle = ProgressThrottle::new(total);
    move |done: u64| {
        if throttle.due(done) {
            let stage = stage.clone();
            let progress = Response::Progress {
                job,
                file: index,
                done,
                total,
                stage,
            };
            post(scope, &progress, None);
        }
    }
}

/// Milliseconds from the worker's clock.
pub fn now(scope: &DedicatedWorkerGlobalScope) -> f64 {
    let global: &web_sys::WorkerGlobalScope = scope.as_ref();
    global
        .performance()
        .map_or_else(js_sys::Date::now, |p| p.now())
}
