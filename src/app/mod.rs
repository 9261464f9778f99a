//! The Leptos app: one page, a start screen and three workflows. It renders and routes;
//! all file work happens in the Web Worker, all file knowledge in the core.

mod archive;
mod clock;
mod csv;
mod face_drop;
mod faces;
mod files;
mod folder_drop;
mod grid_keys;
mod progress;
mod start;
mod workflows;

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use web_sys::{Blob, File};

use crate::inspect::Summary;
use crate::protocol::{CsvAnswer, CsvOp, JobId, Request, Response};
use crate::recognize::{set_aside_beside_clock_files, FileKind, Recognition, Workflow};
use crate::web::client::WorkerClient;
use crate::web::download::download_blob;
use crate::web::js_error_text;

pub use files::FilePicker;

/// One opened file as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Position among the opened files (index into the page's `File` list).
    pub index: usize,
    /// The file's name.
    pub name: String,
    /// Its path in the folder it was picked from ("usb/sub/1_attlog.dat"), else its name.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// What the worker found, once it has read the file.
    pub summary: Option<Summary>,
}

impl Entry {
    /// The workflow the file opens, once known.
    pub fn workflow(&self) -> Option<Workflow> {
        self.summary
            .as_ref()
            .and_then(|s| s.recognition.kind.workflow())
    }

    /// True when the file was read and is not one bioport reads.
    pub fn is_unknown(&self) -> bool {
        self.summary
            .as_ref()
            .is_some_and(|s| s.recognition.kind == FileKind::Unknown)
    }
}

/// Work under way, for the progress bar.
#[derive(Debug, Clone, PartialEq)]
pub struct JobView {
    /// The job's id.
    pub id: JobId,
    /// What is being done.
    pub label: String,
    /// Units done.
    pub done: u64,
    /// Units in all.
    pub total: u64,
}

/// A message shown above the workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// "error" or "info".
    pub level: &'static str,
    /// What to say.
    pub text: String,
}

/// The page's state: signals shared by every component.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The opened files.
    pub entries: RwSignal<Vec<Entry>>,
    /// The workflow on screen (None: the start screen).
    pub workflow: RwSignal<Option<Workflow>>,
    /// Work under way.
    pub job: RwSignal<Option<JobView>>,
    /// The latest message.
    pub notice: RwSignal<Option<Notice>>,
    /// The CSV workbench.
    pub csv: csv::CsvState,
    /// The data file screen.
    pub archive: archive::ArchiveState,
    /// The time clock screen.
    pub clock: clock::ClockState,
}

thread_local! {
    static FILES: RefCell<Vec<File>> = const { RefCell::new(Vec::new()) };
    static CLIENT: RefCell<Option<Rc<WorkerClient>>> = const { RefCell::new(None) };
}

impl AppState {
    fn new() -> Self {
        AppState {
            entries: RwSignal::new(Vec::new()),
            workflow: RwSignal::new(None),
            job: RwSignal::new(None),
            notice: RwSignal::new(None),
            csv: csv::CsvState::new(),
            archive: archive::ArchiveState::new(),
            clock: clock::ClockState::new(),
        }
    }

    fn client(self) -> Rc<WorkerClient> {
        CLIENT.with(|c| {
            c.borrow_mut()
                .get_or_insert_with(|| WorkerClient::new(move |r, blob| self.on_response(r, blob)))
                .clone()
        })
    }

    fn say(self, level: &'static str, text: impl Into<String>) {
        self.notice.set(Some(Notice {
            level,
            text: text.into(),
        }));
    }

    /// Opens `files`: keeps them, shows them, and asks the worker what they are. A file
    /// open already (same path, size and time) is not opened twice, and is said.
    pub fn open_files(self, files: Vec<File>) {
        if files.is_empty() {
            return;
        }
        self.notice.set(None);
        let (files, again): (Vec<File>, Vec<File>) =
            files.into_iter().partition(|f| !self.is_open(f));
        if !again.is_empty() {
            let names: Vec<String> = again.iter().map(relative_path).collect();
            self.say(
                "info",
                format!("Open already, so not added again: {}.", listed(&names)),
            );
        }
        let start = FILES.with(|f| f.borrow().len());
        let added: Vec<Entry> = files
            .iter()
            .enumerate()
            .map(|(i, f)| Entry {
                index: start + i,
                name: f.name(),
                path: relative_path(f),
                size: f.size() as u64,
                summary: None,
            })
            .collect();
        FILES.with(|f| f.borrow_mut().extend(files.iter().cloned()));
        self.entries.update(|e| e.extend(added));
        self.inspect_unread();
    }

    /// Whether `file` is open already: an open file has its path, size and time.
    fn is_open(self, file: &File) -> bool {
        let path = relative_path(file);
        FILES.with(|all| {
            let all = all.borrow();
            self.entries.with_untracked(|e| {
                e.iter().any(|x| {
                    x.path == path
                        && x.size == file.size() as u64
                        && (all.get(x.index))
                            .is_some_and(|f| f.last_modified() == file.last_modified())
                })
            })
        })
    }

    /// Asks the worker to read every opened file not read yet (cancelling a read under way).
    fn inspect_unread(self) {
        let client = self.client();
        if self.job.get_untracked().is_some() {
            self.restart_worker();
        }
        let unread: Vec<usize> = self.entries.with_untracked(|e| {
            e.iter()
                .filter(|x| x.summary.is_none())
                .map(|x| x.index)
                .collect()
        });
        let files: Vec<File> = FILES.with(|f| {
            let f = f.borrow();
            unread.iter().filter_map(|&i| f.get(i).cloned()).collect()
        });
        if files.is_empty() {
            return;
        }
        let job = client.new_job();
        let count = files.len();
        self.job.set(Some(JobView {
            id: job,
            label: format!("Reading {count} file{}", if count == 1 { "" } else { "s" }),
            done: 0,
            total: files.iter().map(|f| f.size() as u64).sum(),
        }));
        JOB_FILES.with(|j| *j.borrow_mut() = unread);
        if let Err(e) = client.send(&Request::Inspect { job }, &files) {
            self.job.set(None);
            self.say(
                "error",
                format!(
                    "The worker could not be started: {}. Reload the page.",
                    js_error_text(&e)
                ),
            );
        }
    }

    /// Sends file `index` back as a download named `name`, bytes unchanged.
    pub fn download_renamed(self, index: usize, name: String) {
        let Some(file) = FILES.with(|f| f.borrow().get(index).cloned()) else {
            self.say("error", "That file is no longer open; open it again.");
            return;
        };
        let client = self.client();
        let job = client.new_job();
        self.job.set(Some(JobView {
            id: job,
            label: format!("Preparing {name}"),
            done: 0,
            total: 1,
        }));
        if let Err(e) = client.send(&Request::Rename { job, file: 0, name }, &[file]) {
            self.job.set(None);
            self.say(
                "error",
                format!("The worker could not be started: {}", js_error_text(&e)),
            );
        }
    }

    /// Stops the work under way; what was already read stays on screen. The files it was
    /// reading (not recognised yet, or the clock set being opened) are put away, so adding
    /// another file does not read them again.
    pub fn cancel(self) {
        let opening = self.clock.opening();
        let had_set = self.clock.view.with_untracked(Option::is_some);
        self.restart_worker();
        self.job.set(None);
        let unread = |x: &Entry| x.summary.is_none() || opening.contains(&x.index);
        let names: Vec<String> = (self.entries).with_untracked(|e| {
            e.iter()
                .filter(|x| unread(x))
                .map(|x| x.path.clone())
                .collect()
        });
        self.entries.update(|e| e.retain(|x| !unread(x)));
        let text = match names.len() {
            0 => "Cancelled; nothing was changed.".to_string(),
            _ => format!(
                "Cancelled. Not read: {}; nothing was changed. Open them again to carry on.",
                listed(&names)
            ),
        };
        self.say("info", text);
        if had_set {
            self.clock_sync(); // the fresh worker opens the clock set again
        }
    }

    /// Closes every file and goes back to the start screen.
    pub fn start_over(self) {
        CSV_JOURNAL.with(|j| j.borrow_mut().clear());
        if self.job.get_untracked().is_some() {
            self.restart_worker();
        }
        FILES.with(|f| f.borrow_mut().clear());
        self.entries.set(Vec::new());
        self.job.set(None);
        self.notice.set(None);
        self.workflow.set(None);
        self.csv.clear();
        self.archive.reset();
        self.clock.clear();
        self.clock.chosen.set(Default::default());
        remove_rewritten();
    }

    /// Sends a CSV operation that answers at once (no progress bar).
    pub fn csv_quick(self, op: CsvOp, files: &[File]) {
        let job = self.client().new_job();
        self.csv_send(job, op, files);
    }

    /// Sends a CSV operation that may take a while, with a progress bar labelled `label`.
    pub fn csv_long(self, op: CsvOp, files: &[File], label: &str) {
        let job = self.client().new_job();
        self.job.set(Some(JobView {
            id: job,
            label: label.to_string(),
            done: 0,
            total: 0,
        }));
        if !self.csv_send(job, op, files) {
            self.job.set(None);
        }
    }

    /// Sends a CSV operation as job `job`, noting it in the workbook's journal when it
    /// changes the workbook; false when the worker could not be reached (said).
    fn csv_send(self, job: JobId, op: CsvOp, files: &[File]) -> bool {
        if changes_workbook(&op) {
            CSV_JOURNAL.with(|j| {
                let mut j = j.borrow_mut();
                if matches!(op, CsvOp::Open { .. }) {
                    j.clear();
                }
                j.push((job, op.clone(), files.to_vec()));
            });
        }
        let sent = self.client().send(&Request::Csv { job, op }, files);
        if let Err(e) = &sent {
            let text = js_error_text(e);
            self.say(
                "error",
                format!("The worker could not be reached: {text}. Reload the page."),
            );
        }
        sent.is_ok()
    }

    /// Makes the workbook again in a fresh worker, from the journal of what made it (the
    /// file opened, its settings, mapping, edits, merge and faces), up to the job `cancelled`
    /// stopped (left out with what followed it).
    fn csv_rebuild(self, cancelled: Option<JobId>) {
        let journal = CSV_JOURNAL.with(|j| std::mem::take(&mut *j.borrow_mut()));
        let kept = journal
            .iter()
            .take_while(|(job, ..)| Some(*job) != cancelled);
        for (_, op, files) in kept.cloned().collect::<Vec<_>>() {
            self.csv_quick(op, &files);
        }
    }

    /// Opens file `index` (of the page's files) in the CSV workbench.
    pub fn csv_open(self, index: usize) {
        let Some(file) = FILES.with(|f| f.borrow().get(index).cloned()) else {
            self.say("error", "That file is no longer open; open it again.");
            return;
        };
        let settings = self
            .csv
            .view
            .with_untracked(|v| v.as_ref().map(|v| v.settings))
            .unwrap_or_default();
        let custom_fields = self
            .csv
            .view
            .with_untracked(|v| v.as_ref().map(|v| v.custom_fields.clone()))
            .unwrap_or_default();
        self.csv.clear();
        self.csv.opened.set(Some(index));
        let name = file.name();
        self.csv_long(
            CsvOp::Open {
                file: 0,
                settings,
                custom_fields,
            },
            &[file],
            &format!("Opening {name}"),
        );
    }

    /// Uses file `index` (of the page's files) as the server's current export, for the merge.
    pub fn csv_use_as_existing(self, index: usize) {
        let Some(file) = FILES.with(|f| f.borrow().get(index).cloned()) else {
            self.say("error", "That file is no longer open; open it again.");
            return;
        };
        self.csv.merge.set(None);
        self.csv_long(
            CsvOp::LoadExisting { file: 0 },
            &[file],
            "Reading the export",
        );
    }

    /// Asks again for the merge's counts and the differences from `start`, when a merge
    /// is shown.
    fn csv_refresh_merge(self, start: usize) {
        if self.csv.merge.with_untracked(|m| m.is_some()) {
            let count = crate::protocol::MERGE_PAGE;
            self.csv_quick(CsvOp::MergePage { start, count }, &[]);
        }
    }

    fn on_csv_answer(self, answer: CsvAnswer) {
        let csv = self.csv;
        match answer {
            CsvAnswer::View { view } => {
                csv.view.set(Some(*view));
                self.csv_ensure_rows(true);
                self.csv_refresh_merge(0);
            }
            CsvAnswer::Rows { page } => csv.page.set(Some(page)),
            CsvAnswer::Edited { rows, view } => {
                self.csv_replace_rows(rows);
                csv.view.set(Some(*view));
                // Filters may now include or leave out the edited row.
                self.csv_ensure_rows(true);
                // An edit can change the merge (a card, an ID): the page shown stays.
                let start = csv
                    .merge
                    .with_untracked(|m| m.as_ref().map_or(0, |m| m.start));
                self.csv_refresh_merge(start);
            }
            CsvAnswer::Merge { merge } => csv.merge.set(merge.map(|m| *m)),
            CsvAnswer::Written { report } => csv.written.set(Some(report)),
            CsvAnswer::ByName { report } => {
                csv.faces.new_users.set(None);
                csv.faces.by_name.set(Some(*report));
            }
            CsvAnswer::NewUsers { users, notes } => csv.faces.new_users.set(Some((users, notes))),
        }
    }

    /// Stops the worker and carries on with a fresh one, the workbook made again in it (the
    /// job under way left out).
    fn restart_worker(self) {
        mark_worker_ready(false);
        self.archive.forget_listing();
        self.clock.opened.set(Vec::new()); // the new worker holds no clock set
        let cancelled = self.job.with_untracked(|j| j.as_ref().map(|j| j.id));
        let restarted = self.client().cancel();
        if restarted.is_ok() {
            self.csv_rebuild(cancelled);
        }
        if let Err(e) = restarted {
            self.say(
                "error",
                format!(
                    "The worker could not be restarted: {}. Reload the page.",
                    js_error_text(&e)
                ),
            );
        }
    }

    fn is_current(self, job: JobId) -> bool {
        self.job
            .with_untracked(|j| j.as_ref().is_some_and(|j| j.id == job))
    }

    fn on_response(self, response: Response, blob: Option<Blob>) {
        match response {
            Response::Ready { read_ahead } => {
                mark_worker_ready(true);
                mark_root("data-read-ahead", if read_ahead { "on" } else { "off" });
            }
            #[cfg(feature = "bench")]
            Response::Benched { .. } => {}
            Response::Csv { answer, .. } => self.on_csv_answer(answer),
            Response::Archive { answer, .. } => self.on_archive_answer(answer, blob),
            Response::Clock { answer, .. } => self.on_clock_answer(answer, blob),
            Response::Progress {
                job,
                done,
                total,
                stage,
                ..
            } => {
                if self.is_current(job) {
                    self.job.update(|j| {
                        if let Some(j) = j {
                            j.done = done;
                            j.total = total;
                            j.label = stage;
                        }
                    });
                }
            }
            Response::Inspected { job, file, summary } => {
                if !self.is_current(job) {
                    return;
                }
                // The job's file numbers count the files sent with it.
                let Some(index) = JOB_FILES.with(|j| j.borrow().get(file as usize).copied()) else {
                    return;
                };
                self.entries.update(|entries| {
                    if let Some(e) = entries.iter_mut().find(|e| e.index == index) {
                        e.summary = Some(summary);
                    }
                });
            }
            Response::Output {
                job, name, size, ..
            } => {
                if !self.is_current(job) {
                    return;
                }
                match blob.map(|b| download_blob(&b, &name)) {
                    Some(Ok(_)) => self.say("info", format!("Downloaded {name} ({size} bytes).")),
                    Some(Err(e)) => self.say(
                        "error",
                        format!("The download failed: {}", js_error_text(&e)),
                    ),
                    None => self.say("error", "The worker sent no file to download."),
                }
            }
            Response::Finished { job } => {
                if self.is_current(job) {
                    self.job.set(None);
                    self.settle_read_together();
                    self.route();
                }
            }
            Response::Failed { job, message } => {
                // A cancelled job's worker is gone, so every failure that arrives is news;
                // job 0 is the worker itself failing, and with it the job it ran.
                if job == 0 || self.is_current(job) {
                    self.job.set(None);
                }
                self.say("error", message);
            }
        }
    }

    /// Once the files of a read are all recognised, settles them against each other: a
    /// readme dropped in a clock's USB folder is listed as not read, not sent to the CSV
    /// workbench.
    fn settle_read_together(self) {
        let read = JOB_FILES.with(|j| std::mem::take(&mut *j.borrow_mut()));
        self.entries.update(|entries| {
            let mut together: Vec<(&str, &mut Recognition)> = (entries.iter_mut())
                .filter(|e| read.contains(&e.index))
                .filter_map(|e| Some((e.name.as_str(), &mut e.summary.as_mut()?.recognition)))
                .collect();
            set_aside_beside_clock_files(&mut together);
        });
    }

    /// Uses the JPG and PNG files picked with the CSV `opened` (and the other files
    /// that read as CSVs only loosely) as its face image folder, and takes them off the
    /// list of files.
    fn csv_attach_images(self, entries: &[Entry], opened: usize) {
        use crate::workbench::faces::by_name::is_image_name;
        let picked = (entries.iter())
            .filter(|e| e.index != opened && !e.name.to_ascii_lowercase().ends_with(".csv"))
            .filter(|e| e.is_unknown() || e.workflow() == Some(Workflow::BiostarCsv));
        let (images, names): (Vec<usize>, Vec<&str>) =
            picked.map(|e| (e.index, e.name.as_str())).unzip();
        if !names.iter().any(|n| is_image_name(n)) {
            return;
        }
        // A set: thousands of photos may be picked with the CSV.
        let taken: std::collections::HashSet<usize> = images.iter().copied().collect();
        let files: Vec<File> = FILES.with(|f| {
            let f = f.borrow();
            images.iter().filter_map(|&i| f.get(i).cloned()).collect()
        });
        self.entries
            .update(|e| e.retain(|e| !taken.contains(&e.index)));
        self.faces_add(files);
    }

    /// Opens the workflow the files call for, or says why none fits.
    fn route(self) {
        let entries = self.entries.get_untracked();
        let current = self.workflow.get_untracked();
        // A set made from the workbench's CSV is the clock screen's, though no file is.
        let clock_set =
            current == Some(Workflow::TimeClock) && self.clock.view.with_untracked(|v| v.is_some());
        if !clock_set && (current.is_none() || !entries.iter().any(|e| e.workflow() == current)) {
            if let Some(w) = entries.iter().rev().find_map(|e| e.workflow()) {
                self.workflow.set(Some(w));
            }
        }
        if self.workflow.get_untracked() == Some(Workflow::BiostarCsv)
            && self.csv.opened.get_untracked().is_none()
        {
            // The surest CSV (a notes.txt reads as a CSV too, loosely); the last of equals.
            if let Some(e) = (entries.iter())
                .filter(|e| e.workflow() == Some(Workflow::BiostarCsv))
                .max_by_key(|e| e.summary.as_ref().map(|s| s.recognition.confidence))
            {
                self.csv_open(e.index);
                self.csv_attach_images(&entries, e.index);
            }
        }
        if self.workflow.get_untracked() == Some(Workflow::TimeClock) {
            self.clock_sync();
        }
        if self.workflow.get_untracked().is_none() {
            // Still on the start screen: say why each file was not taken, and let the next
            // drop start clean.
            let reasons: Vec<String> = entries
                .iter()
                .filter_map(|e| e.summary.as_ref())
                .filter(|s| s.recognition.kind == FileKind::Unknown)
                .map(|s| s.recognition.reason.clone())
                .collect();
            if !reasons.is_empty() {
                self.say("error", reasons.join(" "));
            }
            FILES.with(|f| f.borrow_mut().clear());
            self.entries.set(Vec::new());
        }
    }
}

/// The path a picked or dropped file has under the folder it came in, else its name.
fn relative_path(file: &File) -> String {
    js_sys::Reflect::get(file, &"webkitRelativePath".into())
        .ok()
        .and_then(|p| p.as_string())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| file.name())
}

/// Whether `op` changes the workbook (so a fresh worker needs it to hold the same one);
/// reading rows and writing files do not.
fn changes_workbook(op: &CsvOp) -> bool {
    !matches!(
        op,
        CsvOp::Rows { .. }
            | CsvOp::MergePage { .. }
            | CsvOp::WriteImport { .. }
            | CsvOp::WriteErrors
            | CsvOp::WriteRows { .. }
            | CsvOp::WriteShown { .. }
            | CsvOp::FacesByName
            | CsvOp::FacesNewUsers
    )
}

/// Names in a sentence: the first five, then how many more.
fn listed(names: &[String]) -> String {
    let shown = names.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    match names.len().saturating_sub(5) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

thread_local! {
    /// What made the workbook the worker holds, in order: each job, its operation and the
    /// files sent with it (from the last `Open`), to make it again after Cancel.
    static CSV_JOURNAL: RefCell<Vec<(JobId, CsvOp, Vec<File>)>> = const { RefCell::new(Vec::new()) };
    /// For the inspect job under way: the page's index of each file sent with it.
    static JOB_FILES: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// Marks `<html data-worker="ready">` while the worker takes requests (for tests and styles);
/// a worker starting has not said yet whether it reads ahead.
fn mark_worker_ready(ready: bool) {
    mark_root("data-worker", if ready { "ready" } else { "starting" });
    if !ready {
        mark_root("data-read-ahead", "starting");
    }
}

/// Sets the attribute `name` of `<html>` to `value` (states the tests look for).
fn mark_root(name: &str, value: &str) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute(name, value);
    }
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    csv::guard_unsaved_edits(state.csv);
    // Load the worker with the page: opening a file then needs no request at all.
    if let Err(e) = state.client().start() {
        state.say(
            "error",
            format!(
                "The worker could not be started: {}. Reload the page.",
                js_error_text(&e)
            ),
        );
    }
    view! {
        <header class="top">
            <a class="brand" href="./" on:click=move |ev| { ev.prevent_default(); state.start_over(); }>
                "bioport"
            </a>
            <p class="promise" data-testid="promise">
                "Your files stay in this browser: nothing is uploaded, nothing is sent anywhere."
            </p>
        </header>
        <main id="main">
            <progress::ProgressBar state=state />
            <Notices state=state />
            {move || match state.workflow.get() {
                None => view! { <start::StartScreen state=state /> }.into_any(),
                Some(w) => view! { <workflows::WorkflowView state=state workflow=w /> }.into_any(),
            }}
        </main>
        <footer class="bottom">
            <p>"bioport works offline once loaded (but for starting a fresh worker after Cancel, which loads its code again). Files are read by this page only."</p>
        </footer>
    }
}

/// The latest message, announced to screen readers.
#[component]
fn Notices(state: AppState) -> impl IntoView {
    view! {
        <div class="notices" role="status" aria-live="polite" data-testid="notice">
            {move || state.notice.get().map(|n| view! {
                <p class=format!("notice {}", n.level)>{n.text}</p>
            })}
        </div>
    }
}

/// Removes a rewritten data file an earlier visit left in the browser's private storage.
fn remove_rewritten() {
    let Ok(navigator) = js_sys::Reflect::get(&window(), &"navigator".into()) else {
        return;
    };
    wasm_bindgen_futures::spawn_local(crate::web::opfs::remove_left_over(navigator));
}

/// Mounts the app on the page's body.
pub fn mount() {
    console_error_panic_hook::set_once();
    remove_rewritten();
    leptos::mount::mount_to_body(App);
}
