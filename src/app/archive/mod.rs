//! The data file screen: verify and list a BioStar data file (a virtual entry table, SHA-256
//! on request, findings with their byte), preview an entry, read the export time from the
//! name, rename or rewrite the paths for a device (or back), check the target device, and
//! compare two data files. The listing lives in the worker; this keeps what is on screen.

mod actions;
mod view;

use leptos::prelude::*;
use web_sys::{Blob, File, Url};

use crate::archive::catalogue::{CatalogueView, ComparisonView, EntryRow};
use crate::archive::Direction;
use crate::protocol::archive::{
    ArchiveAnswer, ArchiveOp, PlanView, PreviewBody, Storage, ENTRY_PAGE,
};
use crate::protocol::Request;
use crate::recognize::Workflow;
use crate::web::js_error_text;

use super::csv::{first_visible, ROW_HEIGHT};
use super::{AppState, JobView, FILES};

pub use view::DataFileScreen;

/// Rows drawn above and below the visible ones.
const OVERSCAN: usize = 20;
/// Rows visible in the table at most.
const VISIBLE: usize = 20;

/// One entry's preview as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    /// The entry's position.
    pub index: u64,
    /// Its path.
    pub path: String,
    /// Its size.
    pub size: u64,
    /// What to show.
    pub body: PreviewBody,
    /// The object URL of a photo's bytes.
    pub url: Option<String>,
}

/// What the last rewrite wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Rewritten {
    /// Entries written.
    pub entries: u64,
    /// Names changed.
    pub renamed: u64,
    /// Where it was written.
    pub storage: Storage,
    /// Why OPFS was not used.
    pub note: Option<String>,
}

/// A page of entry rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    /// The first row's position.
    pub start: usize,
    /// Rows in the listing.
    pub total: usize,
    /// The rows.
    pub rows: Vec<EntryRow>,
}

/// The data file screen's signals.
#[derive(Clone, Copy)]
pub struct ArchiveState {
    /// The page's index of the data file on screen.
    pub selected: RwSignal<Option<usize>>,
    /// The page's index of the file the listing is (being) made of, and whether hashed.
    pub listed: RwSignal<Option<(usize, bool)>>,
    /// The listing's totals and findings.
    pub view: RwSignal<Option<CatalogueView>>,
    /// The rows the table has.
    pub rows: RwSignal<Option<Rows>>,
    /// The table's scroll position in pixels.
    pub scroll_top: RwSignal<f64>,
    /// The entry shown in the preview.
    pub preview: RwSignal<Option<Preview>>,
    /// Which way a rename goes.
    pub direction: RwSignal<Direction>,
    /// The names a rewrite changes, once asked.
    pub plan: RwSignal<Option<PlanView>>,
    /// What the last rewrite wrote.
    pub rewritten: RwSignal<Option<Rewritten>>,
    /// The user has read the damage warning and renames anyway.
    pub rename_damaged: RwSignal<bool>,
    /// The device model checked against.
    pub model: RwSignal<String>,
    /// Its firmware version.
    pub firmware: RwSignal<String>,
    /// The two files to compare (page indices).
    pub compare_pick: RwSignal<(Option<usize>, Option<usize>)>,
    /// The last comparison.
    pub comparison: RwSignal<Option<ComparisonView>>,
}

impl ArchiveState {
    /// Nothing listed yet.
    pub fn new() -> Self {
        ArchiveState {
            selected: RwSignal::new(None),
            listed: RwSignal::new(None),
            view: RwSignal::new(None),
            rows: RwSignal::new(None),
            scroll_top: RwSignal::new(0.0),
            preview: RwSignal::new(None),
            direction: RwSignal::new(Direction::ToDevice),
            plan: RwSignal::new(None),
            rewritten: RwSignal::new(None),
            rename_damaged: RwSignal::new(false),
            model: RwSignal::new(String::new()),
            firmware: RwSignal::new(String::new()),
            compare_pick: RwSignal::new((None, None)),
            comparison: RwSignal::new(None),
        }
    }

    /// Forgets the listing and everything made from it (not the device or direction).
    pub fn clear(self) {
        self.set_preview(None);
        self.listed.set(None);
        self.view.set(None);
        self.rows.set(None);
        self.scroll_top.set(0.0);
        self.plan.set(None);
        self.rewritten.set(None);
        self.rename_damaged.set(false);
    }

    /// Forgets the listing's view when the worker that kept it is gone (the file stays
    /// chosen, and "Read it again" lists it anew).
    pub fn forget_listing(self) {
        let listed = self.listed.get_untracked();
        self.clear();
        self.listed.set(listed);
    }

    /// Forgets everything, the selection and comparison too.
    pub fn reset(self) {
        self.clear();
        self.selected.set(None);
        self.compare_pick.set((None, None));
        self.comparison.set(None);
    }

    /// Shows `preview`, freeing the object URL of the one it replaces.
    fn set_preview(self, preview: Option<Preview>) {
        if let Some(url) = self.preview.get_untracked().and_then(|p| p.url) {
            let _ = Url::revoke_object_url(&url);
        }
        self.preview.set(preview);
    }
}

impl Default for ArchiveState {
    fn default() -> Self {
        Self::new()
    }
}

fn file_at(index: usize) -> Option<File> {
    FILES.with(|f| f.borrow().get(index).cloned())
}

impl AppState {
    /// The page indices of the opened data files, oldest first.
    pub fn data_files(self) -> Vec<(usize, String)> {
        self.entries.with(|e| {
            e.iter()
                .filter(|e| e.workflow() == Some(Workflow::DataFile))
                .map(|e| (e.index, e.name.clone()))
                .collect()
        })
    }

    /// Sends a data file operation with `files` beside it; with a `label`, it shows the
    /// progress bar (and owns the page's one job), without, it answers at once.
    fn archive_send(self, op: ArchiveOp, files: &[File], label: Option<String>) {
        let client = self.client();
        let id = client.new_job();
        let progress = label.map(|label| JobView {
            id,
            label,
            done: 0,
            total: 0,
        });
        let owns_job = progress.is_some();
        if owns_job {
            self.job.set(progress);
        }
        if let Err(e) = client.send(&Request::Archive { job: id, op }, files) {
            if owns_job {
                self.job.set(None);
            }
            let why = js_error_text(&e);
            self.say(
                "error",
                format!("The worker could not be reached: {why}. Reload the page."),
            );
        }
    }

    /// Sends an operation on data file `index` (page index), with a progress bar.
    fn archive_on(self, index: usize, op: ArchiveOp, label: String) {
        match file_at(index) {
            Some(file) => self.archive_send(op, &[file], Some(label)),
            None => self.say("error", "That file is no longer open; open it again."),
        }
    }

    /// Verifies and lists data file `index` (hashing every entry when `hash`).
    pub fn archive_list(self, index: usize, hash: bool) {
        self.archive.clear();
        self.archive.listed.set(Some((index, hash)));
        self.archive_on(
            index,
            ArchiveOp::List { hash },
            // As the worker says it (its progress then carries the same words).
            if hash {
                "Verifying, listing and hashing"
            } else {
                "Verifying and listing"
            }
            .into(),
        );
    }

    /// Asks for the rows around the table's scroll position, if they are not there.
    pub fn archive_ensure_rows(self, force: bool) {
        let first = first_visible(self.archive.scroll_top.get_untracked());
        let start = first.saturating_sub(OVERSCAN);
        let end = first + VISIBLE + OVERSCAN;
        let covered = self.archive.rows.with_untracked(|r| {
            r.as_ref().is_some_and(|r| {
                let have = r.start + r.rows.len();
                r.start <= start && (end <= have || have >= r.total)
            })
        });
        if !covered || force {
            self.archive_send(
                ArchiveOp::Entries {
                    start,
                    count: ENTRY_PAGE,
                },
                &[],
                None,
            );
        }
    }

    /// Shows entry `index` of the listed file: a thumbnail or a hex view.
    pub fn archive_preview(self, index: u64) {
        if let Some((file, _)) = self.archive.listed.get_untracked() {
            self.archive_on(
                file,
                ArchiveOp::Preview { index },
                format!("Reading entry {}", index + 1),
            );
        }
    }

    /// Lists the names a rewrite of the listed file's paths changes.
    pub fn archive_plan(self) {
        if let Some((file, _)) = self.archive.listed.get_untracked() {
            let direction = self.archive.direction.get_untracked();
            self.archive_on(
                file,
                ArchiveOp::Plan { direction },
                "Finding the names to rewrite".into(),
            );
        }
    }

    /// Writes the listed file again with its paths renamed, for download as `name`.
    pub fn archive_rewrite(self, name: String) {
        if let Some((file, _)) = self.archive.listed.get_untracked() {
            self.archive.rewritten.set(None);
            let direction = self.archive.direction.get_untracked();
            let label = format!("Writing {name}");
            self.archive_on(file, ArchiveOp::Repackage { direction, name }, label);
        }
    }

    /// Compares the two picked data files.
    pub fn archive_compare(self) {
        let (Some(a), Some(b)) = self.archive.compare_pick.get_untracked() else {
            self.say("error", "Pick two data files to compare.");
            return;
        };
        match (file_at(a), file_at(b)) {
            (Some(a), Some(b)) => {
                self.archive.comparison.set(None);
                self.archive_send(ArchiveOp::Compare, &[a, b], Some("Comparing".into()));
            }
            _ => self.say("error", "That file is no longer open; open it again."),
        }
    }

    /// Takes the worker's answer to a data file operation.
    pub(super) fn on_archive_answer(self, answer: ArchiveAnswer, blob: Option<Blob>) {
        let a = self.archive;
        match answer {
            ArchiveAnswer::Listed { view } => {
                a.view.set(Some(*view));
                self.archive_ensure_rows(true);
            }
            ArchiveAnswer::Entries { start, total, rows } => {
                a.rows.set(Some(Rows { start, total, rows }))
            }
            ArchiveAnswer::Preview {
                index,
                path,
                size,
                body,
            } => {
                let url = blob.and_then(|b| Url::create_object_url_with_blob(&b).ok());
                a.set_preview(Some(Preview {
                    index,
                    path,
                    size,
                    body,
                    url,
                }));
            }
            ArchiveAnswer::Plan { plan } => a.plan.set(Some(plan)),
            ArchiveAnswer::Repackaged {
                entries,
                renamed,
                storage,
                note,
            } => {
                a.rewritten.set(Some(Rewritten {
                    entries,
                    renamed,
                    storage,
                    note,
                }));
            }
            ArchiveAnswer::Compared { view } => a.comparison.set(Some(*view)),
        }
    }
}

/// The row height of the entry table, in pixels.
fn row_px(rows: usize) -> String {
    format!("{}px", rows as f64 * ROW_HEIGHT)
}
