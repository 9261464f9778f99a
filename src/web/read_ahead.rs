//! A file read ahead on another thread. The browser reads a file on disk at about 500 to
//! 650 MB/s into a worker, and a synchronous read (`FileReaderSync`) leaves the worker
//! idle meanwhile: an attendance log's two passes spent about a third of their time
//! waiting. So the worker starts a small read-ahead worker (`read_ahead_worker.js`, plain
//! JavaScript) once, sends it the `File` to read, and works on each slice while the next
//! ones are read. The slices come back transferred, not copied, at most [`DEPTH`] ahead.
//! One such worker reads a picked file at 350 to 700 MB/s, two together at 760 to 940
//! (measured here): so [`READERS`] of them read alternate slices, and a pass that works
//! faster than one could read (a log's repair written again) is not kept waiting.
//!
//! Where no such worker starts, or they are busy with another read, the file is read here
//! in slices as before: same chunks, same results, only slower; where one of them stops,
//! the read it was in fails and the others read on their own.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, MessageEvent, Worker};

use super::blob_reader::BlobReader;
use super::js_error_text;

/// The read-ahead worker's script, beside the worker's own.
pub const SCRIPT: &str = "./read_ahead_worker.js";
/// Bytes a slice carries.
const CHUNK: u32 = 8 << 20;
/// Slices read ahead of the one being worked on, by all readers together.
const DEPTH: u32 = 4;
/// Read-ahead workers started: each reads every `READERS`th slice.
const READERS: usize = 2;

/// What the read-ahead worker sent for the running read.
#[derive(Default)]
struct Inbox {
    /// The running read (messages of older ones are dropped).
    id: u32,
    slices: VecDeque<Uint8Array>,
    /// Set when the read ended: Ok after the last slice, or the browser's error.
    end: Option<Result<(), String>>,
    waker: Option<Waker>,
}

/// A read-ahead worker and what it sent.
struct ReadAhead {
    worker: Worker,
    inbox: Rc<RefCell<Inbox>>,
}

thread_local! {
    /// The read-ahead workers running (none: files are read here).
    static READ_AHEAD: RefCell<Vec<Rc<ReadAhead>>> = const { RefCell::new(Vec::new()) };
    /// A read is running (a second read at the same time is done here instead).
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

/// Starts the read-ahead workers; `ready` runs once each has loaded or failed to (or after
/// three seconds), so their script is fetched while the page loads, never later.
pub fn start(ready: impl FnOnce() + 'static) {
    let ready = Rc::new(Cell::new(Some(Box::new(ready) as Box<dyn FnOnce()>)));
    let waiting = Rc::new(Cell::new(READERS));
    let once = move || {
        if let Some(f) = ready.take() {
            f();
        }
    };
    let one_more = {
        let once = once.clone();
        move || {
            waiting.set(waiting.get().saturating_sub(1));
            if waiting.get() == 0 {
                once();
            }
        }
    };
    for _ in 0..READERS {
        let Ok(worker) = Worker::new(SCRIPT) else {
            one_more();
            continue;
        };
        let inbox = Rc::new(RefCell::new(Inbox::default()));
        let ahead = Rc::new(ReadAhead { worker, inbox });
        listen(&ahead, one_more.clone());
        READ_AHEAD.with(|r| r.borrow_mut().push(ahead));
    }
    let late = Closure::once_into_js(once);
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(late.unchecked_ref(), 3000);
}

/// True while a read-ahead worker runs (it loaded and has not failed).
pub fn running() -> bool {
    READ_AHEAD.with(|r| !r.borrow().is_empty())
}

/// Files the worker's messages in its inbox, calling `ready` at its hello or its failure
/// to load. Once it fails or stops, the others read (or files are read here), and a read
/// it was doing fails.
fn listen(ahead: &Rc<ReadAhead>, ready: impl Fn() + Clone + 'static) {
    let (to, hello) = (ahead.inbox.clone(), ready.clone());
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
        if receive(&to, &e.data()) {
            hello();
        }
    });
    ahead
        .worker
        .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let stopped = Rc::downgrade(ahead);
    let on_error = Closure::<dyn Fn()>::new(move || {
        if let Some(gone) = stopped.upgrade() {
            READ_AHEAD.with(|r| r.borrow_mut().retain(|a| !Rc::ptr_eq(a, &gone)));
            let failed = Err("the read-ahead worker stopped".into());
            gone.inbox.borrow_mut().end_with(failed);
        }
        ready();
    });
    ahead
        .worker
        .set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
}

impl Inbox {
    /// The running read has ended so (Ok after its last slice).
    fn end_with(&mut self, end: Result<(), String>) {
        self.end = Some(end);
        self.wake();
    }

    /// Wakes the reader waiting for the next slice.
    fn wake(&mut self) {
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }
}

/// Files a message of the read-ahead worker in `inbox`; true for its hello.
fn receive(inbox: &RefCell<Inbox>, data: &JsValue) -> bool {
    let field = |name: &str| Reflect::get(data, &JsValue::from_str(name)).unwrap_or_default();
    if field("hello").is_truthy() {
        return true;
    }
    let mut inbox = inbox.borrow_mut();
    if field("id").as_f64() != Some(f64::from(inbox.id)) {
        return false;
    }
    if let Some(bytes) = field("bytes").dyn_ref::<js_sys::ArrayBuffer>() {
        inbox.slices.push_back(Uint8Array::new(bytes));
        inbox.wake();
    } else if field("done").is_truthy() {
        inbox.end_with(Ok(()));
    } else {
        let error = field("error");
        let text = error.as_string().unwrap_or_else(|| js_error_text(&error));
        inbox.end_with(Err(text));
    }
    false
}

/// Hands every byte of `file` to `each`, in order, in slices of up to 8 MiB, stopping at
/// its first error, and tells `progress` the bytes handed over after each slice. Read
/// ahead on another thread where it can be.
pub async fn for_each_slice(
    file: &File,
    progress: &mut dyn FnMut(u64),
    mut each: impl FnMut(&[u8]) -> Result<(), String>,
) -> Result<(), String> {
    let mut buf = Vec::new();
    for_each_array(file, progress, |slice| {
        buf.resize(slice.length() as usize, 0);
        slice.copy_to(&mut buf);
        each(&buf)
    })
    .await
}

/// [`for_each_slice`] with each slice as the browser gives it, for a caller that copies it
/// straight where it goes.
pub async fn for_each_array(
    file: &File,
    progress: &mut dyn FnMut(u64),
    mut each: impl FnMut(&Uint8Array) -> Result<(), String>,
) -> Result<(), String> {
    let mut slices = Slices::of(file)?;
    let mut done = 0;
    while let Some(slice) = slices.next().await? {
        each(&slice)?;
        done += u64::from(slice.length());
        progress(done);
    }
    Ok(())
}

/// A file's slices in order: read ahead by the read-ahead workers (slice `i` by worker
/// `i % n`), or here, in turn, where they cannot (not started, or busy with another file).
pub struct Slices {
    source: Source,
    /// The read's id, for the read-ahead workers' messages.
    id: u32,
    /// Slices handed out so far.
    taken: usize,
    ended: bool,
}

/// Where the slices come from.
enum Source {
    Ahead(Vec<Rc<ReadAhead>>),
    Here { reader: BlobReader, at: u64 },
}

impl Slices {
    /// Starts reading `file` from its first byte.
    pub fn of(file: &File) -> Result<Self, String> {
        let readers = READ_AHEAD.with(|r| r.borrow().clone());
        if readers.is_empty() || BUSY.with(|b| b.replace(true)) {
            let reader = BlobReader::new(file.clone().into(), u64::from(CHUNK))
                .map_err(|e| e.to_string())?;
            let source = Source::Here { reader, at: 0 };
            return Ok(Slices {
                source,
                id: 0,
                taken: 0,
                ended: false,
            });
        }
        let id = readers[0].inbox.borrow().id.wrapping_add(1);
        for ahead in &readers {
            *ahead.inbox.borrow_mut() = Inbox {
                id,
                ..Inbox::default()
            };
        }
        let step = readers.len() as u32;
        let depth = (DEPTH / step).max(1);
        let slices = Slices {
            source: Source::Ahead(readers),
            id,
            taken: 0,
            ended: false,
        };
        for k in 0..step {
            slices.send(
                k as usize,
                &[
                    ("file", file.into()),
                    ("chunk", CHUNK.into()),
                    ("depth", depth.into()),
                    ("start", k.into()),
                    ("step", step.into()),
                ],
            )?;
        }
        Ok(slices)
    }

    /// The next slice, or None after the last.
    pub async fn next(&mut self) -> Result<Option<Uint8Array>, String> {
        let ahead = match &mut self.source {
            Source::Ahead(readers) => readers[self.taken % readers.len()].clone(),
            Source::Here { reader, at } => {
                let end = (*at + u64::from(CHUNK)).min(reader.size());
                let slice = reader.range_array(*at, end).map_err(|e| e.to_string())?;
                *at = end;
                return Ok(slice);
            }
        };
        match (Next {
            inbox: &ahead.inbox,
        })
        .await
        {
            Some(slice) => {
                self.send(self.taken % self.readers(), &[("more", true.into())])?;
                self.taken += 1;
                Ok(Some(slice))
            }
            None => {
                // Slice `taken` would be this worker's: with none left, there is none.
                self.ended = true;
                let end = ahead.inbox.borrow_mut().end.take();
                let end = end.unwrap_or(Ok(()));
                end.map(|()| None)
                    .map_err(|e| format!("the browser could not read the file: {e}"))
            }
        }
    }

    /// Read-ahead workers reading (1 when reading here).
    fn readers(&self) -> usize {
        match &self.source {
            Source::Ahead(readers) => readers.len(),
            Source::Here { .. } => 1,
        }
    }

    /// Posts read-ahead worker `k` a message about this read, of `fields`.
    fn send(&self, k: usize, fields: &[(&str, JsValue)]) -> Result<(), String> {
        let Source::Ahead(readers) = &self.source else {
            return Ok(());
        };
        let message = Object::new();
        let id = [("id", JsValue::from(self.id))];
        for (name, value) in id.iter().chain(fields) {
            Reflect::set(&message, &JsValue::from_str(name), value)
                .map_err(|e| js_error_text(&e))?;
        }
        readers[k]
            .worker
            .post_message(&message)
            .map_err(|e| js_error_text(&e))
    }
}

impl Drop for Slices {
    /// A read left before its end is stopped; the read-ahead workers are free again.
    fn drop(&mut self) {
        if let Source::Ahead(readers) = &self.source {
            if !self.ended {
                for k in 0..readers.len() {
                    let _ = self.send(k, &[("stop", true.into())]);
                }
            }
            BUSY.with(|b| b.set(false));
        }
    }
}

/// The next slice of the running read, or None once it ended.
struct Next<'a> {
    inbox: &'a RefCell<Inbox>,
}

impl Future for Next<'_> {
    type Output = Option<Uint8Array>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut inbox = self.inbox.borrow_mut();
        if let Some(slice) = inbox.slices.pop_front() {
            return Poll::Ready(Some(slice));
        }
        if inbox.end.is_some() {
            return Poll::Ready(None);
        }
        inbox.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}
