//! The time clock screen: a clock's USB files opened as one set in the worker, with the
//! links between them, the users of `user.dat`, a virtual table of punches, the template
//! listings, and the files bioport writes from them. The page never parses a file.

mod punches;
mod templates;
mod users;

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use web_sys::{Blob, File};

use crate::clock::{
    ClockView, NoteList, PunchFilter, PunchPage, PunchQuery, RepairCounts, UserPage,
};
use crate::protocol::{ClockAnswer, ClockOp, Request};
use crate::recognize::{FileKind, Workflow};
use crate::text::plural;
use crate::web::download::{blob_from_bytes, download_blob};
use crate::web::js_error_text;

use super::csv::{rows_to_ask, ROW_HEIGHT};
use super::{AppState, JobView, FILES};

/// Punch rows asked of the worker at a time.
const PAGE_ROWS: usize = 90;

/// The BioStar CSV made from the users: its name, size and what did not carry.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// The CSV's file name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Per user, what did not carry.
    pub notes: NoteList,
    /// Users disabled on the clock left out of the CSV.
    pub left_out: usize,
}

/// What the last user check or write said.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The record size checked (72 or 28).
    pub record: u64,
    /// One finding per user that does not fit.
    pub findings: NoteList,
    /// The file was written.
    pub written: bool,
}

/// The clock screen's signals.
#[derive(Clone, Copy)]
pub struct ClockState {
    /// The set as the worker last described it.
    pub view: RwSignal<Option<ClockView>>,
    /// Page indices of the files in the worker's set.
    pub opened: RwSignal<Vec<usize>>,
    /// The users shown.
    pub users: RwSignal<Option<UserPage>>,
    /// Passwords the user asked to see, by user position.
    pub passwords: RwSignal<HashMap<usize, String>>,
    /// The punch rows the table has.
    pub punches: RwSignal<Option<PunchPage>>,
    /// Which punches the table shows.
    pub filter: RwSignal<PunchFilter>,
    /// The punch table's scroll position in pixels.
    pub scroll_top: RwSignal<f64>,
    /// The first punch row in view (rows and pixels part past a few hundred thousand rows).
    pub first_row: RwSignal<usize>,
    /// What the last repair kept and left out.
    pub repaired: RwSignal<Option<RepairCounts>>,
    /// The last punches CSV's user IDs that do not decode (the first listed, all counted).
    pub punches_written: RwSignal<Option<(Vec<String>, u64)>>,
    /// The BioStar CSV made from the users.
    pub converted: RwSignal<Option<Converted>>,
    /// What the last user check or write said.
    pub fit: RwSignal<Option<Fit>>,
    /// The file picked, by page index, for each kind several files are of (a set holds
    /// one of each; unpicked, the last added).
    pub chosen: RwSignal<HashMap<FileKind, usize>>,
}

thread_local! {
    /// The BioStar CSV made from the users, for its download or the workbench.
    static CONVERTED: RefCell<Option<Blob>> = const { RefCell::new(None) };
}

impl ClockState {
    /// Empty clock state.
    pub fn new() -> Self {
        ClockState {
            view: RwSignal::new(None),
            opened: RwSignal::new(Vec::new()),
            users: RwSignal::new(None),
            passwords: RwSignal::new(HashMap::new()),
            punches: RwSignal::new(None),
            filter: RwSignal::new(PunchFilter::default()),
            scroll_top: RwSignal::new(0.0),
            first_row: RwSignal::new(0),
            repaired: RwSignal::new(None),
            punches_written: RwSignal::new(None),
            converted: RwSignal::new(None),
            fit: RwSignal::new(None),
            chosen: RwSignal::new(HashMap::new()),
        }
    }

    /// Forgets the set (the worker's copy goes with the next open).
    pub fn clear(self) {
        self.view.set(None);
        self.opened.set(Vec::new());
        self.users.set(None);
        self.passwords.set(HashMap::new());
        self.punches.set(None);
        self.filter.set(PunchFilter::default());
        self.scroll_top.set(0.0);
        self.first_row.set(0);
        self.repaired.set(None);
        self.punches_written.set(None);
        self.converted.set(None);
        self.fit.set(None);
        CONVERTED.with(|c| *c.borrow_mut() = None);
    }
}

impl ClockState {
    /// The files of the set being opened (none once it is open).
    pub fn opening(self) -> Vec<usize> {
        match self.view.with_untracked(Option::is_none) {
            true => self.opened.get_untracked(),
            false => Vec::new(),
        }
    }
}

impl Default for ClockState {
    fn default() -> Self {
        Self::new()
    }
}

impl AppState {
    /// Opens the clock files read so far as one set in the worker, unless it holds them.
    pub fn clock_sync(self) {
        let chosen = self.clock.chosen.get_untracked();
        let all = self.entries.with_untracked(|e| clock_files(e));
        // One file of each kind: the one picked, else the last added.
        let clock: Vec<(usize, FileKind)> = (all.iter())
            .filter(|&&(index, kind, _)| {
                let last = all.iter().rev().find(|f| f.1 == kind).map(|f| f.0);
                let pick = chosen
                    .get(&kind)
                    .copied()
                    .filter(|i| all.iter().any(|f| f.0 == *i));
                pick.or(last) == Some(index)
            })
            .map(|&(index, kind, _)| (index, kind))
            .collect();
        let indices: Vec<usize> = clock.iter().map(|c| c.0).collect();
        if clock.is_empty() || self.clock.opened.get_untracked() == indices {
            return;
        }
        let files: Vec<File> = FILES.with(|f| {
            let f = f.borrow();
            indices.iter().filter_map(|&i| f.get(i).cloned()).collect()
        });
        let kinds = clock.iter().map(|c| c.1).collect();
        self.clock.clear();
        self.clock.opened.set(indices);
        let count = files.len();
        let label = format!(
            "Opening {} as one set",
            crate::text::plural(count as u64, "clock file", "clock files")
        );
        self.clock_send(ClockOp::Open { kinds }, &files, Some(&label));
    }

    /// Sends a clock operation; with a `label`, under a progress bar.
    pub fn clock_send(self, op: ClockOp, files: &[File], label: Option<&str>) {
        let client = self.client();
        let job = client.new_job();
        if let Some(label) = label {
            self.job.set(Some(JobView {
                id: job,
                label: label.to_string(),
                done: 0,
                total: 0,
            }));
        }
        if let Err(e) = client.send(&Request::Clock { job, op }, files) {
            self.job.set(None);
            let text = js_error_text(&e);
            self.say(
                "error",
                format!("The worker could not be reached: {text}. Reload the page."),
            );
        }
    }

    /// Takes in the worker's answer about the clock set.
    pub fn on_clock_answer(self, answer: ClockAnswer, blob: Option<Blob>) {
        let clock = self.clock;
        match answer {
            ClockAnswer::View { view } => {
                let (has_users, has_log) = (view.users.is_some(), view.attlog.is_some());
                clock.view.set(Some(*view));
                clock.passwords.set(HashMap::new());
                if has_users {
                    let start = clock
                        .users
                        .with_untracked(|p| p.as_ref().map_or(0, |p| p.start));
                    self.clock_send(ClockOp::Users { start }, &[], None);
                }
                if has_log {
                    self.clock_ensure_punches(true);
                }
            }
            ClockAnswer::Users { page } => clock.users.set(Some(page)),
            ClockAnswer::Password { index, password } => {
                clock.passwords.update(|p| {
                    p.insert(index, password);
                });
            }
            ClockAnswer::Punches { page } => clock.punches.set(Some(page)),
            ClockAnswer::Repaired { counts } => clock.repaired.set(Some(counts)),
            ClockAnswer::PunchesWritten {
                undecodable,
                undecodable_count,
            } => clock
                .punches_written
                .set(Some((undecodable, undecodable_count))),
            ClockAnswer::Converted {
                name,
                size,
                notes,
                left_out,
            } => {
                CONVERTED.with(|c| *c.borrow_mut() = blob);
                clock.converted.set(Some(Converted {
                    name,
                    size,
                    notes,
                    left_out,
                }));
            }
            ClockAnswer::Fit {
                record,
                findings,
                written,
            } => clock.fit.set(Some(Fit {
                record,
                findings,
                written,
            })),
        }
    }

    /// Asks the worker for the punch rows around the table's scroll position.
    pub fn clock_ensure_punches(self, force: bool) {
        let clock = self.clock;
        let scroll_top = clock.first_row.get_untracked() as f64 * ROW_HEIGHT;
        let held = (clock.punches)
            .with_untracked(|p| p.as_ref().map(|p| (p.start, p.rows.len(), p.total)));
        let Some(want_start) = rows_to_ask(scroll_top, held.filter(|_| !force)) else {
            return;
        };
        let query = PunchQuery {
            start: want_start,
            count: PAGE_ROWS,
            filter: clock.filter.get_untracked(),
        };
        self.clock_send(ClockOp::Punches { query }, &[], None);
    }

    /// The BioStar CSV made from the users, and its name.
    fn clock_converted(self) -> Option<(String, Blob)> {
        let name = (self.clock.converted).with_untracked(|c| c.as_ref().map(|c| c.name.clone()));
        Some((name?, CONVERTED.with(|c| c.borrow().clone())?))
    }

    /// Offers the BioStar CSV made from the users as a download.
    fn clock_download_converted(self) {
        let Some((name, blob)) = self.clock_converted() else {
            return;
        };
        match download_blob(&blob, &name) {
            Ok(_) => self.say("info", format!("Downloaded {name}.")),
            Err(e) => self.say(
                "error",
                format!("The download failed: {}", js_error_text(&e)),
            ),
        }
    }

    /// Offers the notes' CSV as a download named `name`.
    fn download_notes(self, csv: &str, name: &str) {
        let blob = blob_from_bytes(csv.as_bytes(), "text/csv");
        match blob.and_then(|b| download_blob(&b, name)) {
            Ok(_) => self.say("info", format!("Downloaded {name}.")),
            Err(e) => self.say(
                "error",
                format!("The download failed: {}", js_error_text(&e)),
            ),
        }
    }

    /// Opens the BioStar CSV made from the users in the CSV workbench, as a new file.
    fn clock_open_converted_in_workbench(self) {
        let Some((name, blob)) = self.clock_converted() else {
            return;
        };
        let parts = js_sys::Array::of1(&blob);
        match File::new_with_blob_sequence(&parts, &name) {
            Ok(file) => {
                // Once read, the workbench opens the newest CSV (see `route`).
                self.csv.clear();
                self.workflow.set(Some(Workflow::BiostarCsv));
                self.open_files(vec![file]);
            }
            Err(e) => self.say(
                "error",
                format!("The CSV could not be opened: {}", js_error_text(&e)),
            ),
        }
    }
}

/// The clock screen (under the file cards of the Time clock workflow).
/// The clock files read so far: page index, kind, and path with size (two files of one
/// name in a USB folder's sub-folders told apart), in the order added.
fn clock_files(entries: &[super::Entry]) -> Vec<(usize, FileKind, String)> {
    (entries.iter())
        .filter(|x| x.workflow() == Some(Workflow::TimeClock))
        .filter_map(|x| {
            let shown = format!("{} ({} bytes)", x.path, x.size);
            x.summary
                .as_ref()
                .map(|s| (x.index, s.recognition.kind, shown))
        })
        .collect()
}

/// For each kind several clock files are of, which one the set opens.
#[component]
fn SetChoices(state: AppState) -> impl IntoView {
    let clock = state.clock;
    move || {
        let all = state.entries.with(|e| clock_files(e));
        let opened = clock.opened.get();
        let mut kinds: Vec<FileKind> = Vec::new();
        for &(_, kind, _) in &all {
            let several = all.iter().filter(|f| f.1 == kind).count() > 1;
            if several && !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        (!kinds.is_empty()).then(|| view! {
            <div class="notes" data-testid="set-choices">
                <p class="warning">"Several files are of one kind; a set holds one of each. Pick the one to open:"</p>
                {kinds.into_iter().map(|kind| {
                    let files: Vec<(usize, String)> = (all.iter()).filter(|f| f.1 == kind).map(|f| (f.0, f.2.clone())).collect();
                    let pick = move |ev| {
                        let Ok(index) = event_target_value(&ev).parse::<usize>() else { return };
                        clock.chosen.update(|c| { c.insert(kind, index); });
                        clock.opened.set(Vec::new());
                        state.clock_sync();
                    };
                    view! {
                        <label>{format!("{}: ", kind.label())}
                            <select data-testid="set-choice" on:change=pick>
                                {files.into_iter().map(|(index, name)| view! {
                                    <option value=index.to_string() selected=opened.contains(&index)>{name}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    }
                }).collect_view()}
            </div>
        })
    }
}

#[component]
pub fn ClockScreen(state: AppState) -> impl IntoView {
    let clock = state.clock;
    if state.job.get_untracked().is_none() {
        state.clock_sync();
    }
    view! {
        <section class="clock" data-testid="clock" aria-label="Time clock files">
            <FolderPicker state=state />
            <SetChoices state=state />
            {move || {
                let idle = state.job.with(|j| j.is_none());
                let has_clock_files = state.entries.with(|e| e.iter().any(|x| x.workflow() == Some(Workflow::TimeClock)));
                (idle && has_clock_files && clock.view.with(|v| v.is_none())).then(|| view! {
                    <p class="action">
                        <button type="button" class="button primary" data-testid="open-set"
                            on:click=move |_| { clock.opened.set(Vec::new()); state.clock_sync(); }>
                            "Open these clock files as one set"
                        </button>
                    </p>
                })
            }}
            {move || {
                let idle = state.job.with(|j| j.is_none());
                let has_clock_files = state.entries.with(|e| e.iter().any(|x| x.workflow() == Some(Workflow::TimeClock)));
                (idle && !has_clock_files && clock.view.with(|v| v.is_none()))
                    .then(|| view! { <users::StartPanel state=state /> })
            }}
            {move || clock.view.get().map(|v| view! {
                <SetPanel view=v.clone() />
                {v.users.clone().map(|u| view! { <users::UsersPanel state=state file=u /> })}
            })}
            <Show when=move || clock.view.with(|v| v.as_ref().is_some_and(|v| v.attlog.is_some()))>
                <punches::PunchesPanel state=state />
            </Show>
            {move || clock.view.get().map(|v| view! {
                <templates::TemplatesPanel view=v.clone() />
                <users::ConvertPanel state=state has_users=v.users.is_some()
                    unreadable=v.users.as_ref().is_some_and(|u| u.unreadable.is_some()) />
                <users::WritePanel state=state view=v />
            })}
        </section>
    }
}

/// A picker for a clock's whole USB folder (every file in it opens as one set).
#[component]
fn FolderPicker(state: AppState) -> impl IntoView {
    let on_change = move |ev: leptos::ev::Event| state.open_files(super::files::input_files(&ev));
    view! {
        <p class="folder-pick">
            <input id="clock-folder" class="visually-hidden" type="file" multiple=true
                prop:webkitdirectory=true data-testid="folder-input" on:change=on_change />
            <label for="clock-folder" class="button">"Open the clock's USB folder"</label>
            <span class="muted">" Every file in it opens as one set: users, punches and templates linked by uid and user ID."</span>
        </p>
    }
}

/// What links and what does not, and the notes of the opening.
#[component]
fn SetPanel(view: ClockView) -> impl IntoView {
    let links = view.links.clone();
    let has_templates = !view.templates.is_empty();
    let more =
        |shown: usize, all: usize| (all > shown).then(|| format!(" ... and {} more", all - shown));
    let list = |items: Vec<String>| items.join(", ");
    view! {
        <div class="panel" data-testid="clock-links">
            <h2>"The set"</h2>
            {(!view.notes.is_empty()).then(|| view! {
                <ul class="notes">{view.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}</ul>
            })}
            {if !links.checked {
                view! { <p class="muted">"Open a user.dat with the attendance log or template files to see how they link."</p> }.into_any()
            } else {
                let t = links.templates_without_user.iter().map(|(uid, n)| format!("uid {uid} ({})", plural(*n as u64, "record", "records"))).collect();
                let u = links.users_without_templates.iter().map(|(uid, id)| format!("uid {uid} ({id})")).collect();
                view! {
                    <ul class="links">
                        {links.shared_ids.iter().map(|n| view! { <li class="warning" data-testid="shared-ids">{n.clone()}</li> }).collect_view()}
                        <li data-testid="punch-ids-without-user">{format!("Punch user IDs with no user in user.dat: {}", links.punch_ids_without_user_count)}
                            {(links.punch_ids_without_user_count > 0).then(|| format!(": {}", list(links.punch_ids_without_user.clone())))}
                            {more(links.punch_ids_without_user.len(), links.punch_ids_without_user_count)}</li>
                        <li data-testid="templates-without-user">{format!("Template uids with no user: {}", links.templates_without_user_count)}
                            {(links.templates_without_user_count > 0).then(|| format!(": {}", list(t)))}
                            {more(links.templates_without_user.len(), links.templates_without_user_count)}</li>
                        <li data-testid="users-without-templates">{if has_templates {
                                format!("Users without templates: {}", links.users_without_templates_count)
                            } else {
                                "Users without templates: no template file in the set".to_string()
                            }}
                            {(links.users_without_templates_count > 0).then(|| format!(": {}", list(u)))}
                            {more(links.users_without_templates.len(), links.users_without_templates_count)}</li>
                    </ul>
                }.into_any()
            }}
        </div>
    }
}
