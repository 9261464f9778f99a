//! The face image folder in the workbench: add it (a folder picker, many files, or a drop
//! of files), its counts, the images no row names (each one click from being seen), the
//! check as an import by file name, and thumbnails of a row's images in its detail.
//!
//! The images stay on the page as the browser's `File`s: the worker reads their headers
//! (and hashes those sharing a size), thumbnails are object URLs of the same `File`s, and
//! no byte leaves the page.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use web_sys::{File, Url};

use crate::protocol::{ByNameView, CsvOp, Request};
use crate::text::plural;
use crate::workbench::faces::{base_name, loose_key};
use crate::workbench::{RowView, WorkbookView};

use super::face_drop::{dropped, folder_files};
use super::files::input_files;
use super::AppState;

/// Files in one message to the worker. Posting a picked `File` costs the page's thread a
/// round trip to the browser for the file's size (about 0.3 ms; 50,000 files in one message
/// froze the page for 15 s), so a folder goes in parts of about 40 ms each, the page free
/// between them, and the worker reads the first parts while the rest are on their way.
const FILES_PER_MESSAGE: usize = 128;

/// Lets the page's other tasks run before going on (a zero timeout).
async fn pause() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

thread_local! {
    /// The face folder's files by name (the first of a name), for thumbnails.
    static FACE_FILES: RefCell<HashMap<String, File>> = RefCell::new(HashMap::new());
    /// Object URLs made for thumbnails, by file name (revoked with the folder).
    static URLS: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
    /// The files picked in the folder's sub-folders, by path below it (`sub/8.jpg`).
    static NESTED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// The face folder's signals.
#[derive(Clone, Copy)]
pub struct FacesState {
    /// The last check as an import by file name.
    pub by_name: RwSignal<Option<ByNameView>>,
    /// The new users last written from the images named after no user: how many, and
    /// what the import check finds in that file.
    pub new_users: RwSignal<Option<(u32, Vec<String>)>>,
    /// The image shown large (its file name).
    pub preview: RwSignal<Option<String>>,
    /// Whether files of the same size are compared byte for byte.
    pub compare_bytes: RwSignal<bool>,
}

impl FacesState {
    /// No folder yet.
    pub fn new() -> Self {
        FacesState {
            by_name: RwSignal::new(None),
            new_users: RwSignal::new(None),
            preview: RwSignal::new(None),
            compare_bytes: RwSignal::new(true),
        }
    }

    /// Forgets the folder's files and their object URLs.
    pub fn clear(self) {
        forget_files();
        self.by_name.set(None);
        self.new_users.set(None);
        self.preview.set(None);
    }
}

impl Default for FacesState {
    fn default() -> Self {
        Self::new()
    }
}

/// Drops the kept files and revokes their object URLs.
fn forget_files() {
    URLS.with(|u| {
        for url in u.borrow_mut().drain().map(|(_, url)| url) {
            let _ = Url::revoke_object_url(&url);
        }
    });
    FACE_FILES.with(|f| f.borrow_mut().clear());
    NESTED.with(|n| n.borrow_mut().clear());
}

/// The path of a picked file below the picked folder when it is in a sub-folder
/// (`sub/8.jpg` of `faces3/sub/8.jpg`); None for the folder's own files and dropped ones.
fn nested_path(file: &File) -> Option<String> {
    // `webkitRelativePath` is not in web-sys: read it as a property.
    let path = js_sys::Reflect::get(file, &"webkitRelativePath".into())
        .ok()?
        .as_string()?;
    let (_, below) = path.split_once('/')?;
    below.contains('/').then(|| below.to_string())
}

/// The folder's file a cell names loosely (case, extension, Unicode form), when no file
/// has the exact name.
fn loose_file(name: &str) -> Option<String> {
    let key = loose_key(name);
    FACE_FILES.with(|f| {
        let f = f.borrow();
        let mut names: Vec<&String> = f.keys().filter(|k| loose_key(k) == key).collect();
        names.sort();
        names.first().map(|n| n.to_string())
    })
}

/// The sub-folder path of a file a cell names, when only a sub-folder has it.
fn nested_file(name: &str) -> Option<String> {
    let name = name.trim();
    NESTED.with(|n| n.borrow().iter().find(|p| base_name(p) == name).cloned())
}

/// An object URL for the folder's file `name` (made once), if the folder has it.
fn object_url(name: &str) -> Option<String> {
    let name = name.trim();
    if let Some(url) = URLS.with(|u| u.borrow().get(name).cloned()) {
        return Some(url);
    }
    let file = FACE_FILES.with(|f| f.borrow().get(name).cloned())?;
    let url = Url::create_object_url_with_blob(&file).ok()?;
    URLS.with(|u| u.borrow_mut().insert(name.to_string(), url.clone()));
    Some(url)
}

impl AppState {
    /// Uses `files` as the face image folder: keeps them for thumbnails and has the worker
    /// read them.
    pub fn faces_add(self, files: Vec<File>) {
        self.faces_add_nested(files, Vec::new());
    }

    /// [`AppState::faces_add`], with the paths of files in sub-folders a drop found
    /// (`sub/8.jpg`): the picked ones are told by their relative paths.
    fn faces_add_nested(self, files: Vec<File>, mut nested: Vec<String>) {
        if files.is_empty() && nested.is_empty() {
            return;
        }
        let faces = self.csv.faces;
        faces.clear();
        let (deep, files): (Vec<File>, Vec<File>) =
            files.into_iter().partition(|f| nested_path(f).is_some());
        nested.extend(deep.iter().filter_map(nested_path));
        NESTED.with(|n| n.borrow_mut().clone_from(&nested));
        FACE_FILES.with(|f| {
            let mut f = f.borrow_mut();
            for file in &files {
                f.entry(file.name()).or_insert_with(|| file.clone());
            }
        });
        let count = files.len();
        let mut parts = files.chunks(FILES_PER_MESSAGE).map(<[File]>::to_vec);
        self.csv_long(
            CsvOp::AddFaces {
                compare_bytes: faces.compare_bytes.get_untracked(),
                files: u32::try_from(count).unwrap_or(u32::MAX),
                nested,
            },
            &parts.next().unwrap_or_default(),
            &format!("Reading {count} face images"),
        );
        let Some(job) = self.job.get_untracked().map(|j| j.id) else {
            return;
        };
        let rest: Vec<Vec<File>> = parts.collect();
        wasm_bindgen_futures::spawn_local(async move {
            for part in rest {
                pause().await;
                // Cancelled meanwhile (the worker was replaced): the rest is not needed.
                if !self.is_current(job) {
                    return;
                }
                let request = Request::Csv {
                    job,
                    op: CsvOp::MoreFaces,
                };
                if self.client().send(&request, &part).is_err() {
                    return;
                }
            }
        });
    }

    /// Uses what was dropped as the face image folder: the files, and the files of each
    /// dropped folder.
    fn faces_drop(self, dt: &web_sys::DataTransfer) {
        let (mut files, folders) = dropped(dt);
        if folders.is_empty() {
            return self.faces_add(files);
        }
        wasm_bindgen_futures::spawn_local(async move {
            let mut nested = Vec::new();
            for folder in folders {
                let name = folder.name();
                match folder_files(folder).await {
                    Ok((more, deep)) => {
                        files.extend(more);
                        nested.extend(deep);
                    }
                    Err(e) => {
                        let why = crate::web::js_error_text(&e);
                        return self.say(
                            "error",
                            format!("The folder {name} could not be read: {why}"),
                        );
                    }
                }
            }
            self.faces_add_nested(files, nested);
        });
    }

    /// Forgets the face image folder.
    pub fn faces_remove(self) {
        self.csv.faces.clear();
        self.csv_quick(CsvOp::ClearFaces, &[]);
    }
}

/// The "Face images" panel of the workbench.
#[component]
pub fn FacesPanel(state: AppState, view: WorkbookView) -> impl IntoView {
    let faces = state.csv.faces;
    let folder = view.faces.clone();
    let loaded = folder.is_some();
    let on_pick = move |ev: leptos::ev::Event| state.faces_add(input_files(&ev));
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        ev.stop_propagation();
        if let Some(dt) = ev.data_transfer() {
            state.faces_drop(&dt);
        }
    };
    view! {
        <details class="panel faces" open=loaded data-testid="faces-panel"
            on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); ev.stop_propagation(); }
            on:drop=on_drop>
            <summary><h2>"Face images"</h2>
                <span class="muted">" Add the folder the face_image_file columns name: each image is checked before upload, and stays on this page."</span>
            </summary>
            <div class="row-of-fields">
                <input id="faces-folder" class="visually-hidden" type="file" multiple=true
                    prop:webkitdirectory=true data-testid="faces-folder-input" on:change=on_pick/>
                <label for="faces-folder" class="button primary">
                    {if loaded { "Choose a different folder (it replaces this one)" } else { "Add the face image folder" }}
                </label>
                <input id="faces-files" class="visually-hidden" type="file" multiple=true
                    accept=".jpg,.jpeg,.png,image/*" data-testid="faces-files-input" on:change=on_pick/>
                <label for="faces-files" class="button">"Or pick image files"</label>
                <label><input type="checkbox" prop:checked=move || faces.compare_bytes.get()
                    on:change=move |ev| faces.compare_bytes.set(event_target_checked(&ev))/>
                    " Find identical images (reads images of the same size whole)"</label>
                {loaded.then(|| view! {
                    <button type="button" class="button" on:click=move |_| state.faces_remove()>"Remove the folder"</button>
                })}
            </div>
            <p class="muted">"Or drop the folder, or its images, here."</p>
            {folder.map(|f| view! { <FolderSummary state=state folder=f /> })}
            <ByName state=state loaded=loaded />
            <Preview state=state />
        </details>
    }
}

/// The folder's counts and the images no row names.
#[component]
fn FolderSummary(state: AppState, folder: crate::workbench::FaceFolderView) -> impl IntoView {
    let faces = state.csv.faces;
    let unnamed = folder.unnamed.clone();
    view! {
        <p data-testid="faces-summary">{folder.summary()}</p>
        {folder.notes().into_iter().map(|n| view! { <p class="warning" data-testid="faces-note">{n}</p> }).collect_view()}
        <button type="button" class="button small" data-testid="faces-filter"
            on:click=move |_| state.csv_set_filter(crate::workbench::RowFilter::FaceImages)>
            "Show the rows with face image findings"
        </button>
        {(!folder.archives.is_empty()).then(|| view! {
            <p class="warning" data-testid="faces-archives">{format!(
                "{} is an archive: the images packed in it are not read. Unpack it, then add the folder it gives.",
                folder.archives.join(", ")
            )}</p>
        })}
        {(!folder.skipped_same_name.is_empty()).then(|| view! {
            <p class="warning">{format!(
                "Skipped (another file has the same name): {}",
                folder.skipped_same_name.join(", ")
            )}</p>
        })}
        {(!unnamed.is_empty()).then(|| view! {
            <details data-testid="faces-unnamed">
                <summary>{format!("{} no row names", plural(unnamed.len() as u64, "image", "images"))}</summary>
                <ul class="unnamed">
                    {unnamed.into_iter().map(|name| {
                        let shown = name.clone();
                        view! {
                            <li><button type="button" class="link"
                                on:click=move |_| faces.preview.set(Some(name.clone()))>{shown}</button></li>
                        }
                    }).collect_view()}
                </ul>
            </details>
        })}
    }
}

/// One image shown large, with a button to close it.
#[component]
fn Preview(state: AppState) -> impl IntoView {
    let faces = state.csv.faces;
    move || {
        let name = faces.preview.get()?;
        let url = object_url(&name)?;
        // A file the browser cannot show (not an image, empty, cut off) says so.
        let broken = RwSignal::new(false);
        let alt = format!("Face image {name}");
        Some(view! {
            <figure class="face-preview" data-testid="face-preview">
                <Show when=move || !broken.get()
                    fallback=|| view! { <p class="muted" data-testid="face-preview-none">"not an image: no preview"</p> }>
                    <img src=url.clone() alt=alt.clone() on:error=move |_| broken.set(true) />
                </Show>
                <figcaption>{name.clone()}" "
                    <button type="button" class="button small" on:click=move |_| faces.preview.set(None)>"Close"</button>
                </figcaption>
            </figure>
        })
    }
}

/// The folder checked as an import by file name (images named by user ID).
#[component]
fn ByName(state: AppState, loaded: bool) -> impl IntoView {
    let faces = state.csv.faces;
    view! {
        {loaded.then(|| view! {
            <button type="button" class="button" data-testid="faces-by-name"
                on:click=move |_| state.csv_quick(CsvOp::FacesByName, &[])>
                "Check as an import by file name (images named by user ID, BioStar 2.9+)"
            </button>
        })}
        {move || faces.by_name.get().map(|r| view! {
            <div class="by-name" data-testid="faces-by-name-report">
                <p>{r.summary.clone()}</p>
                <ul>{r.messages.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                {(!r.new_users.is_empty()).then(|| view! {
                    <details>
                        <summary>{format!("{} the server would add", plural(r.new_users.len() as u64, "new user", "new users"))}</summary>
                        <p class="new-users">{r.new_users.join(", ")}</p>
                        <button type="button" class="button" data-testid="faces-new-users"
                            on:click=move |_| state.csv_long(CsvOp::FacesNewUsers, &[], "Writing the new users")>
                            "Download them as new users (a BioStar user CSV with their faces)"
                        </button>
                        <NewUsersWritten faces=faces/>
                    </details>
                })}
            </div>
        })}
    }
}

/// What the last download of new users held, and what the import check finds in it.
#[component]
fn NewUsersWritten(faces: FacesState) -> impl IntoView {
    move || {
        faces.new_users.get().map(|(users, notes)| view! {
            <p data-testid="faces-new-users-written">{format!(
                "{} written, with face_image_file1 naming each image: fill in their names, then import the file with this folder. {}",
                plural(users.into(), "new user", "new users"),
                match notes.len() {
                    0 => "The import check finds nothing in it.".to_string(),
                    n => format!("The import check finds {}; fix them first:", plural(n as u64, "problem", "problems")),
                }
            )}</p>
            <ul>{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
        })
    }
}

/// Thumbnails of the images a row's face image cells name (those in the folder).
#[component]
pub fn FaceThumbs(state: AppState, row: RowView) -> impl IntoView {
    let cols: Vec<usize> = state.csv.view.with_untracked(|v| {
        v.as_ref()
            .filter(|v| v.faces.is_some())
            .map_or_else(Vec::new, |v| {
                v.columns
                    .iter()
                    .filter(|c| {
                        matches!(
                            c.target.as_deref(),
                            Some("face_image_file1" | "face_image_file2")
                        )
                    })
                    .map(|c| c.index)
                    .collect()
            })
    });
    let thumbs: Vec<(String, Option<String>)> = cols
        .into_iter()
        .filter_map(|c| row.cells.get(c))
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .map(|name| thumb_of(&name))
        .collect();
    (!thumbs.is_empty()).then(|| view! {
        <div class="face-thumbs">
            {thumbs.into_iter().map(|(caption, url)| match url {
                Some(url) => view! {
                    <figure><img class="thumb" data-testid="face-thumb" src=url alt=format!("Face image {caption}") />
                    <figcaption>{caption}</figcaption></figure>
                }.into_any(),
                None => view! { <figure class="missing"><figcaption>{caption}</figcaption></figure> }.into_any(),
            }).collect_view()}
        </div>
    })
}

/// The caption and object URL of the thumbnail of the file a cell names `name`: the file
/// of that exact name, else the one matching but for case, extension or Unicode form
/// (named, as the row's finding names it), else where the file is.
fn thumb_of(name: &str) -> (String, Option<String>) {
    if let Some(url) = object_url(name) {
        return (name.to_string(), Some(url));
    }
    if let Some(file) = loose_file(name) {
        let caption = format!("{name}: the folder's file is \"{file}\"");
        return (caption, object_url(&file));
    }
    let caption = match nested_file(name) {
        Some(path) => format!("{name}: only in the sub-folder, as {path}"),
        None => format!("{name}: not in the folder"),
    };
    (caption, None)
}
