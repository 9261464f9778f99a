//! Opening files: a drop zone with a keyboard-reachable file picker.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, FileList, HtmlInputElement};

use super::AppState;

/// The files of a list (none for no list).
fn list_files(list: Option<FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// The files a file input's change event picked; the input is cleared (so picking the
/// same files again is a change too) after they are copied out of its live list.
pub(super) fn input_files(ev: &leptos::ev::Event) -> Vec<File> {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
    else {
        return Vec::new();
    };
    let files = list_files(input.files());
    input.set_value("");
    files
}

/// A drop zone and a "Choose files" button; both open the files in `state`.
#[component]
pub fn FilePicker(
    state: AppState,
    /// Visible label of the button.
    label: &'static str,
    /// What the zone says it takes.
    hint: String,
    /// A unique id for the input (one page may hold two pickers).
    id: &'static str,
) -> impl IntoView {
    let dragging = RwSignal::new(false);
    let on_change = move |ev: leptos::ev::Event| state.open_files(input_files(&ev));
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        let Some(data) = ev.data_transfer() else {
            return;
        };
        // A dropped folder (a clock's USB folder) opens with every file in it.
        if super::folder_drop::walk_dropped(&data, move |files| state.open_files(files)) {
            return;
        }
        state.open_files(list_files(data.files()));
    };
    view! {
        <section
            class="dropzone"
            class:dragging=move || dragging.get()
            aria-label="Open files"
            data-testid="dropzone"
            on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <p class="drop-title">"Drop files here"</p>
            <p class="drop-hint">{hint}</p>
            <input
                id=id
                class="visually-hidden"
                type="file"
                multiple=true
                data-testid="file-input"
                on:change=on_change
            />
            <label for=id class="button primary">{label}</label>
        </section>
    }
}
