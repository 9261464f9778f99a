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

/// A handle on the Web Worker that does the file work, and on a second one kept loaded
/// beside it: Cancel stops the first and carries on with the second at once, so a cancel
/// needs no connection (the next standby then loads from the page's origin, if it can).
pub struct WorkerClient {
    active: RefCell<Option<Slot>>,
    standby: RefCell<Option<Slot>>,
    /// The standby's `Ready`, once it came.
    standby_ready: RefCell<Option<Response>>,
    ready: Cell<bool>,
    queue: RefCell<Vec<JsValue>>,
    next_job: Cell<JobId>,
    next_worker: Cell<u32>,
    handler: Handler,
}

/// One worker and the closures its events call.
struct Slot {
    worker: Worker,
    /// Which worker it is, for its events.
    id: u32,
    _closures: [EventClosure; 2],
}

impl Slot {
    /// Stops the worker; its events are not called any more.
    fn stop(self) {
        self.worker.terminate();
    }
}

impl WorkerClient {
    /// A client whose answers go to `handler` (with the download `Blob`, if any).
    pub fn new(handler: impl Fn(Response, Option<Blob>) + 'static) -> Rc<Self> {
        Rc::new(WorkerClient {
            active: RefCell::new(None),
            standby: RefCell::new(None),
            standby_ready: RefCell::new(None),
            ready: Cell::new(false),
            queue: RefCell::new(Vec::new()),
            next_job: Cell::new(1),
            next_worker: Cell::new(1),
            handler: Rc::new(handler),
        })
    }

    /// A fresh job id.
    pub fn new_job(&self) -> JobId {
        let id = self.next_job.get();
        self.next_job.set(id.wrapping_add(1));
        id
    }

    /// Whether worker `id` is the one requests go to.
    fn is_active(&self, id: u32) -> bool {
        self.active.borrow().as_ref().is_some_and(|s| s.id == id)
    }

    /// Starts a worker whose events name it `id`.
    fn spawn(self: &Rc<Self>) -> Result<Slot, JsValue> {
        let worker = Worker::new(WORKER_SCRIPT)?;
        let id = self.next_worker.get();
        self.next_worker.set(id.wrapping_add(1));
        let this = Rc::downgrade(self);
        let on_message = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
            let (Some(this), Ok(event)) = (this.upgrade(), event.dyn_into::<MessageEvent>()) else {
                return;
            };
            let data = event.data();
            let response =
                Reflect::get(&data, &JsValue::from_str("response")).unwrap_or(JsValue::UNDEFINED);
            let blob = Reflect::get(&data, &JsValue::from_str("blob"))
                .ok()
                .and_then(|b| b.dyn_into::<Blob>().ok());
            match from_js::<Response>(response) {
                Ok(ready @ Response::Ready { .. }) => this.on_ready(id, ready),
                Ok(response) if this.is_active(id) => (this.handler)(response, blob),
                Ok(_) => {}
                Err(e) => web_sys::console::error_1(&e),
            }
        });
        let this = Rc::downgrade(self);
        let on_error = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
            if let Some(this) = this.upgrade() {
                this.on_error(id, &event);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // An error while the worker runs, or its code failing to load (a plain Event).
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Slot {
            worker,
            id,
            _closures: [on_message, on_error],
        })
    }

    /// Worker `id` has loaded: the active one takes the queued requests (and the standby
    /// is loaded next); the standby waits.
    fn on_ready(self: &Rc<Self>, id: u32, ready: Response) {
        if !self.is_active(id) {
            *self.standby_ready.borrow_mut() = Some(ready);
            mark_standby("ready");
            return;
        }
        self.ready.set(true);
        let queued: Vec<JsValue> = self.queue.borrow_mut().drain(..).collect();
        if let Some(slot) = self.active.borrow().as_ref() {
            for message in queued {
                let _ = slot.worker.post_message(&message);
            }
        }
        (self.handler)(ready, None);
        self.load_standby();
    }

    /// Worker `id` failed: the active one's failure is the user's to read; a standby that
    /// cannot load (offline) is let go.
    fn on_error(&self, id: u32, event: &JsValue) {
        if self.is_active(id) {
            if !self.ready.get() {
                // Its code did not load: the next request starts another (and says why).
                self.queue.borrow_mut().clear();
                if let Some(slot) = self.active.borrow_mut().take() {
                    slot.stop();
                }
            }
            let message = worker_failure(event);
            (self.handler)(Response::Failed { job: 0, message }, None);
        } else if let Some(slot) = self.standby.borrow_mut().take() {
            slot.stop();
            mark_standby("none");
        }
    }

    /// Starts the standby worker when there is none.
    fn load_standby(self: &Rc<Self>) {
        if self.standby.borrow().is_some() {
            return;
        }
        self.standby_ready.borrow_mut().take();
        match self.spawn() {
            Ok(slot) => {
                *self.standby.borrow_mut() = Some(slot);
                mark_standby("loading");
            }
            Err(e) => web_sys::console::warn_1(&e),
        }
    }

    /// Starts the worker now (if it is not running), so its code is loaded with the page
    /// and no request is needed when the first file is opened.
    pub fn start(self: &Rc<Self>) -> Result<(), JsValue> {
        if self.active.borrow().is_none() {
            let slot = self.spawn()?;
            self.ready.set(false);
            *self.active.borrow_mut() = Some(slot);
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
            if let Some(slot) = self.active.borrow().as_ref() {
                slot.worker.post_message(&message)?;
            }
        } else {
            self.queue.borrow_mut().push(message.into());
        }
        Ok(())
    }

    /// Stops whatever the worker is doing by terminating it, and carries on with the
    /// standby (no request), or with a fresh worker loaded from the page's own origin when
    /// there is no standby (no file data is sent either way).
    pub fn cancel(self: &Rc<Self>) -> Result<(), JsValue> {
        if let Some(slot) = self.active.borrow_mut().take() {
            slot.stop();
        }
        self.ready.set(false);
        self.queue.borrow_mut().clear();
        let Some(standby) = self.standby.borrow_mut().take() else {
            return self.start();
        };
        let id = standby.id;
        *self.active.borrow_mut() = Some(standby);
        mark_standby("none");
        let loaded = self.standby_ready.borrow_mut().take();
        if let Some(ready) = loaded {
            self.on_ready(id, ready);
        }
        Ok(())
    }
}

/// Marks `<html data-standby="…">`: whether a standby worker is `loading`, `ready` or
/// `none` (for tests).
fn mark_standby(state: &str) {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element());
    if let Some(root) = root {
        let _ = root.set_attribute("data-standby", state);
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
