//! The page's side of the worker: starts it lazily, queues requests until it is ready,
//! and cancels work by terminating it and starting a fresh one.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, ErrorEvent, File, MessageEvent, Worker};

use crate::protocol::{JobId, Request, Response};

use super::{from_js, to_js};

/// The script Trunk's loader shim writes for the worker binary, relative to the page.
pub const WORKER_SCRIPT: &str = "./worker_loader.js";

type Handler = Rc<dyn Fn(Response, Option<Blob>)>;
type EventClosure = Closure<dyn Fn(JsValue)>;

/// A handle on the Web Worker that does the file work.
pub struct WorkerClient {
    worker: RefCell<Option<Worker>>,
    ready: Cell<bool>,
    queue: RefCell<Vec<JsValue>>,
    next_job: Cell<JobId>,
    handler: Handler,
    closures: RefCell<Vec<EventClosure>>,
}

impl WorkerClient {
    /// A client whose answers go to `handler` (with the download `Blob`, if any).
    pub fn new(handler: impl Fn(Response, Option<Blob>) + 'static) -> Rc<Self> {
        Rc::new(WorkerClient {
            worker: RefCell::new(None),
            ready: Cell::new(false),
            queue: RefCell::new(Vec::new()),
            next_job: Cell::new(1),
            handler: Rc::new(handler),
            closures: RefCell::new(Vec::new()),
        })
    }

    /// A fresh job id.
    pub fn new_job(&self) -> JobId {
        let id = self.next_job.get();
        self.next_job.set(id.wrapping_add(1));
        id
    }

    fn spawn(self: &Rc<Self>) -> Result<(), JsValue> {
        let worker = Worker::new(WORKER_SCRIPT)?;
        let this = Rc::downgrade(self);
        let on_message = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
            let Some(this) = this.upgrade() else { return };
            let Ok(event) = event.dyn_into::<MessageEvent>() else {
                return;
            };
            let data = event.data();
            let response =
                Reflect::get(&data, &JsValue::from_str("response")).unwrap_or(JsValue::UNDEFINED);
            let blob = Reflect::get(&data, &JsValue::from_str("blob"))
                .ok()
                .and_then(|b| b.dyn_into::<Blob>().ok());
            match from_js::<Response>(response) {
                Ok(ready @ Response::Ready { .. }) => {
                    this.ready.set(true);
                    let queued: Vec<JsValue> = this.queue.borrow_mut().drain(..).collect();
                    if let Some(worker) = this.worker.borrow().as_ref() {
                        for message in queued {
                            let _ = worker.post_message(&message);
                        }
                    }
                    (this.handler)(ready, None);
                }
                Ok(response) => (this.handler)(response, blob),
                Err(e) => web_sys::console::error_1(&e),
            }
        });
        let this = Rc::downgrade(self);
        let on_error = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
            let Some(this) = this.upgrade() else { return };
            (this.handler)(
                Response::Failed {
                    job: 0,
                    message: worker_failure(&event),
                },
                None,
            );
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // An error while the worker runs, or its code failing to load (a plain Event).
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let mut closures = self.closures.borrow_mut();
        closures.clear();
        closures.push(on_message);
        closures.push(on_error);
        self.ready.set(false);
        *self.worker.borrow_mut() = Some(worker);
        Ok(())
    }

    /// Starts the worker now (if it is not running), so its code is loaded with the page
    /// and no request is needed when the first file is opened.
    pub fn start(self: &Rc<Self>) -> Result<(), JsValue> {
        if self.worker.borrow().is_none() {
            self.spawn()?;
        }
        Ok(())
    }

    /// Sends `request` with `files` beside it, starting the worker if needed.
    pub fn send(self: &Rc<Self>, request: &Request, files: &[File]) -> Result<(), JsValue> {
        self.start()?;
        let message = Object::new();
        Reflect::set(&message, &JsValue::from_str("request"), &to_js(request)?)?;
        let list = Array::new();
        for f in files {
            list.push(f);
        }
        Reflect::set(&message, &JsValue::from_str("files"), &list)?;
        if self.ready.get() {
            if let Some(worker) = self.worker.borrow().as_ref() {
                worker.post_message(&message)?;
            }
        } else {
            self.queue.borrow_mut().push(message.into());
        }
        Ok(())
    }

    /// Stops whatever the worker is doing by terminating it, and starts a fresh one at once
    /// (it loads the worker's code again from the page's own origin; no file data is sent).
    pub fn cancel(self: &Rc<Self>) -> Result<(), JsValue> {
        if let Some(worker) = self.worker.borrow_mut().take() {
            worker.terminate();
        }
        self.ready.set(false);
        self.queue.borrow_mut().clear();
        self.spawn()
    }
}

/// What a worker's error event means for the user: an error it met, or its code not
/// loading (a fresh worker, after Cancel, loads it again: offline, it cannot).
fn worker_failure(event: &JsValue) -> String {
    if let Some(e) = event.dyn_ref::<ErrorEvent>() {
        return format!(
            "The worker stopped: {}. Reload the page and try again.",
            e.message()
        );
    }
    let global = js_sys::global();
    let online = js_sys::Reflect::get(&global, &"navigator".into())
        .and_then(|n| js_sys::Reflect::get(&n, &"onLine".into()))
        .map_or(true, |v| v.as_bool() != Some(false));
    match online {
        true => "The worker's code could not be loaded. Reload the page and try again.".into(),
        false => "This browser is offline, and a fresh worker (started after Cancel) has to \
                  load bioport's code again: reconnect, then reload the page. Your files were \
                  not sent anywhere."
            .into(),
    }
}
