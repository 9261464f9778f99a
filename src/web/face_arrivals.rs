//! The face folder's files as they arrive in the worker. The page sends a picked folder in
//! messages of a few hundred files: each `File` it posts costs the page's thread a round
//! trip to the browser for the file's size (about 0.3 ms; 15 s for 50,000 files in one
//! message, the page frozen meanwhile). Sent in parts, the page stays responsive and the
//! worker reads the first files while the rest are on their way.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use web_sys::File;

use crate::protocol::JobId;

/// The files of the running face job that arrived and were not taken yet.
struct Queue {
    job: JobId,
    files: Vec<File>,
    /// Files still to come.
    awaited: usize,
    waker: Option<Waker>,
}

thread_local! {
    static QUEUE: RefCell<Option<Queue>> = const { RefCell::new(None) };
}

/// What a face job is told of its files.
enum Taken {
    /// Files that arrived.
    Files(Vec<File>),
    /// Every file has arrived and been taken.
    End,
    /// Another face job started: this one stops.
    Replaced,
}

/// The files a face job is sent: those of its first message and of the ones that follow.
pub struct Incoming {
    job: JobId,
    total: usize,
}

impl Incoming {
    /// Job `job` will be sent `total` files, `first` of them already here. A face job
    /// still running stops at its next wait.
    pub fn expect(job: JobId, total: usize, first: Vec<File>) -> Self {
        let awaited = total.saturating_sub(first.len());
        QUEUE.with(|q| {
            let old = q.borrow_mut().replace(Queue {
                job,
                files: first,
                awaited,
                waker: None,
            });
            if let Some(waker) = old.and_then(|o| o.waker) {
                waker.wake();
            }
        });
        Incoming { job, total }
    }

    /// Files for job `job` arrived (ignored when that job is no longer the running one).
    pub fn arrive(job: JobId, files: Vec<File>) {
        QUEUE.with(|q| {
            if let Some(queue) = q.borrow_mut().as_mut().filter(|q| q.job == job) {
                queue.awaited = queue.awaited.saturating_sub(files.len());
                queue.files.extend(files);
                if let Some(waker) = queue.waker.take() {
                    waker.wake();
                }
            }
        });
    }

    /// Whether another face job started after job `job`.
    pub fn replaced(job: JobId) -> bool {
        QUEUE.with(|q| q.borrow().as_ref().is_some_and(|q| q.job != job))
    }

    /// How many files the job is sent in all.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The files that arrived since the last call, without waiting: `Ok(None)` once every
    /// file was taken.
    pub fn ready(&self) -> Result<Option<Vec<File>>, String> {
        self.take(None).into_result()
    }

    /// The files that arrived since the last call, waiting for some when none are here:
    /// `Ok(None)` once every file was taken.
    pub async fn next(&self) -> Result<Option<Vec<File>>, String> {
        Next { incoming: self }.await.into_result()
    }

    /// Every file, waiting for all to arrive.
    pub async fn all(&self) -> Result<Vec<File>, String> {
        let mut out = Vec::with_capacity(self.total);
        while let Some(files) = self.next().await? {
            out.extend(files);
        }
        Ok(out)
    }

    /// Takes what arrived; with `waker`, it is woken when more arrives.
    fn take(&self, waker: Option<&Waker>) -> Taken {
        QUEUE.with(|q| {
            let mut guard = q.borrow_mut();
            let Some(queue) = guard.as_mut().filter(|q| q.job == self.job) else {
                return Taken::Replaced;
            };
            // System files (`.DS_Store`) too: the folder names and counts them.
            let files: Vec<File> = std::mem::take(&mut queue.files);
            if !files.is_empty() {
                return Taken::Files(files);
            }
            if queue.awaited == 0 {
                return Taken::End;
            }
            queue.waker = waker.cloned();
            Taken::Files(Vec::new())
        })
    }
}

impl Taken {
    /// As the callers take it: files, the end, or why the job stops.
    fn into_result(self) -> Result<Option<Vec<File>>, String> {
        match self {
            Taken::Files(files) => Ok(Some(files)),
            Taken::End => Ok(None),
            Taken::Replaced => Err("Another face image folder was picked meanwhile.".into()),
        }
    }
}

/// Waits until files arrive, every file was taken, or the job was replaced.
struct Next<'i> {
    incoming: &'i Incoming,
}

impl Future for Next<'_> {
    type Output = Taken;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Taken> {
        match self.incoming.take(Some(cx.waker())) {
            Taken::Files(files) if files.is_empty() => Poll::Pending,
            taken => Poll::Ready(taken),
        }
    }
}
