//! Files and folders dropped on the face images panel. A dropped folder's
//! `DataTransfer.files` holds only the folder itself: its files are read through the
//! browser's entries API (`webkitGetAsEntry`, `readEntries`): the folder's own files, and
//! the names of its sub-folders' files, which the server's import does not read.

use std::future::Future;
use std::pin::Pin;

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

/// Every entry of `folder` (not those of its sub-folders).
async fn entries_of(folder: &FileSystemDirectoryEntry) -> Result<Vec<FileSystemEntry>, JsValue> {
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
        out.extend(batch.iter().map(|e| e.unchecked_into::<FileSystemEntry>()));
    }
}

/// The paths below the dropped folder (`sub/8.jpg`) of the files under `folder`, whose
/// own path is `prefix`; hidden sub-folders are left out.
fn paths_under(
    folder: FileSystemDirectoryEntry,
    prefix: String,
) -> Pin<Box<dyn Future<Output = Result<Vec<String>, JsValue>>>> {
    Box::pin(async move {
        let mut out = Vec::new();
        for e in entries_of(&folder).await? {
            let path = format!("{prefix}/{}", e.name());
            if e.is_file() {
                out.push(path);
            } else if e.is_directory() && !e.name().starts_with('.') {
                out.extend(paths_under(e.unchecked_into(), path).await?);
            }
        }
        Ok(out)
    })
}

/// The files directly in `folder`, and the paths of those in its sub-folders (named, not
/// read: the server's import takes one folder).
pub async fn folder_files(
    folder: FileSystemDirectoryEntry,
) -> Result<(Vec<File>, Vec<String>), JsValue> {
    let (files, mut nested) = (Array::new(), Vec::new());
    for e in entries_of(&folder).await? {
        if e.is_directory() && !e.name().starts_with('.') {
            let name = e.name();
            nested.extend(paths_under(e.unchecked_into(), name).await?);
        } else if e.is_file() {
            let entry: FileSystemFileEntry = e.unchecked_into();
            files.push(&JsValue::from(promise(move |ok, err| {
                entry.file_with_callback_and_callback(ok, err);
                Ok(())
            })));
        }
    }
    let files = Array::from(&JsFuture::from(Promise::all(&files)).await?);
    let files: Vec<File> = files
        .iter()
        .filter_map(|f| f.dyn_into::<File>().ok())
        .collect();
    Ok((files, nested))
}
