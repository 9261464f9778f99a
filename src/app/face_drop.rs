//! Files and folders dropped on the face images panel. A dropped folder's
//! `DataTransfer.files` holds only the folder itself: its files are read through the
//! browser's entries API (`webkitGetAsEntry`, `readEntries`), the folder's own files only,
//! as the server's import takes one folder.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, File, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry};

/// What a drop holds: its plain files, and its folders (read later with [`folder_files`]).
/// Must be called during the drop event: its items are gone afterwards.
pub fn dropped(dt: &DataTransfer) -> (Vec<File>, Vec<FileSystemDirectoryEntry>) {
    let items = dt.items();
    let (mut files, mut folders) = (Vec::new(), Vec::new());
    for item in (0..items.length()).filter_map(|i| items.get(i)) {
        match item.webkit_get_as_entry() {
            Ok(Some(entry)) if entry.is_directory() => folders.push(entry.unchecked_into()),
            _ => files.extend(item.get_as_file().ok().flatten()),
        }
    }
    (files, folders)
}

/// A promise settled by a callback API taking a success and an error callback.
fn promise(call: impl FnOnce(&Function, &Function) -> Result<(), JsValue>) -> Promise {
    let mut call = Some(call);
    Promise::new(&mut |resolve, reject| {
        if let Some(call) = call.take() {
            if let Err(e) = call(&resolve, &reject) {
                let _ = reject.call1(&JsValue::NULL, &e);
            }
        }
    })
}

/// The files directly in `folder` (not in its subfolders; hidden files skipped).
pub async fn folder_files(folder: FileSystemDirectoryEntry) -> Result<Vec<File>, JsValue> {
    let reader = folder.create_reader();
    let mut out = Vec::new();
    loop {
        // readEntries gives the entries in batches, then an empty one.
        let batch = JsFuture::from(promise(|ok, err| {
            reader.read_entries_with_callback_and_callback(ok, err)
        }))
        .await?;
        let batch = Array::from(&batch);
        if batch.length() == 0 {
            return Ok(out);
        }
        let files: Array = batch
            .iter()
            .map(|e| e.unchecked_into::<FileSystemEntry>())
            .filter(|e| e.is_file() && !e.name().starts_with('.'))
            .map(|e| {
                let entry: FileSystemFileEntry = e.unchecked_into();
                JsValue::from(promise(move |ok, err| {
                    entry.file_with_callback_and_callback(ok, err);
                    Ok(())
                }))
            })
            .collect();
        let files = JsFuture::from(Promise::all(&files)).await?;
        out.extend(
            Array::from(&files)
                .iter()
                .filter_map(|f| f.dyn_into::<File>().ok()),
        );
    }
}
