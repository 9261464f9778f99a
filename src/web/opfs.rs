//! A file in the browser's origin private file system (OPFS), written from the worker
//! through a `FileSystemSyncAccessHandle` a few MiB at a time, then handed out as a `File`
//! for download: a rewritten data file never has to fit in memory.

use std::io::{self, BufWriter, Write};

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, DedicatedWorkerGlobalScope, FileSystemDirectoryHandle, FileSystemFileHandle,
    FileSystemGetFileOptions, FileSystemReadWriteOptions, FileSystemSyncAccessHandle,
    StorageManager, WorkerGlobalScope,
};

use super::js_error_text;

/// The one OPFS file bioport writes (each rewrite replaces the last).
pub const FILE_NAME: &str = "bioport-rewritten.tgz";

/// The OPFS file being written.
pub struct Target {
    handle: FileSystemFileHandle,
    /// Its sync access handle (open until [`Target::file`] or [`Target::discard`]).
    pub access: FileSystemSyncAccessHandle,
}

fn text(e: JsValue) -> String {
    js_error_text(&e)
}

/// True when `navigator.storage.getDirectory` exists in this worker.
fn has_opfs(scope: &DedicatedWorkerGlobalScope) -> bool {
    let global: &WorkerGlobalScope = scope.as_ref();
    storage_of(&global.navigator().into()).is_some()
}

/// The `navigator.storage` of a window's or worker's `navigator`, when it offers OPFS.
fn storage_of(navigator: &JsValue) -> Option<StorageManager> {
    let storage = Reflect::get(navigator, &"storage".into())
        .ok()
        .filter(|s| s.is_object())?;
    Reflect::get(&storage, &"getDirectory".into())
        .ok()
        .filter(|f| f.is_instance_of::<Function>())?;
    storage.dyn_into().ok()
}

/// Removes the file an earlier rewrite left in OPFS (its download was taken long ago), so
/// no staff data stays in the browser's storage: at load and when starting over. A rewrite
/// being written holds its file, which is then left alone.
pub async fn remove_left_over(navigator: JsValue) {
    let Some(storage) = storage_of(&navigator) else {
        return;
    };
    let Ok(root) = JsFuture::from(storage.get_directory()).await else {
        return;
    };
    if let Ok(root) = root.dyn_into::<FileSystemDirectoryHandle>() {
        let _ = JsFuture::from(root.remove_entry(FILE_NAME)).await;
    }
}

/// Opens (creating or emptying) the OPFS file; Err says why OPFS cannot be used.
pub async fn open(scope: &DedicatedWorkerGlobalScope) -> Result<Target, String> {
    if !has_opfs(scope) {
        return Err("this browser offers no origin private file system".into());
    }
    let global: &WorkerGlobalScope = scope.as_ref();
    let root = JsFuture::from(global.navigator().storage().get_directory())
        .await
        .map_err(text)?;
    let root: FileSystemDirectoryHandle = root.dyn_into().map_err(text)?;
    let options = FileSystemGetFileOptions::new();
    options.set_create(true);
    let handle = JsFuture::from(root.get_file_handle_with_options(FILE_NAME, &options))
        .await
        .map_err(text)?;
    let handle: FileSystemFileHandle = handle.dyn_into().map_err(text)?;
    let access = JsFuture::from(handle.create_sync_access_handle())
        .await
        .map_err(text)?;
    let access: FileSystemSyncAccessHandle = access.dyn_into().map_err(text)?;
    access.truncate_with_f64(0.0).map_err(text)?;
    Ok(Target { handle, access })
}

impl Target {
    /// Closes the access handle and gives the written file (a `File`, read from disk).
    pub async fn file(self) -> Result<Blob, String> {
        self.access.close();
        let file = JsFuture::from(self.handle.get_file()).await.map_err(text)?;
        file.dyn_into::<Blob>().map_err(text)
    }

    /// Empties and closes the file after a failed write.
    pub fn discard(self) {
        let _ = self.access.truncate_with_f64(0.0);
        self.access.close();
    }
}

/// Writes through a sync access handle at the end of what it wrote (wrap it in a
/// `BufWriter` so each call carries a few MiB).
pub struct Writer {
    access: FileSystemSyncAccessHandle,
    at: f64,
}

impl Writer {
    /// Bytes to gather before each write to the file.
    pub const BUF: usize = 4 << 20;

    /// A buffered writer from the start of the file.
    pub fn new(access: FileSystemSyncAccessHandle) -> BufWriter<Writer> {
        BufWriter::with_capacity(Self::BUF, Writer { access, at: 0.0 })
    }
}

/// Writes what is buffered and flushes the file.
pub fn close(writer: BufWriter<Writer>) -> Result<(), String> {
    let failed = |e: io::Error| format!("writing the new data file failed: {e}");
    let mut inner = writer.into_inner().map_err(|e| failed(e.into_error()))?;
    inner.flush().map_err(failed)
}

impl Write for Writer {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let options = FileSystemReadWriteOptions::new();
        options.set_at(self.at);
        let written = self
            .access
            .write_with_u8_array_and_options(data, &options)
            .map_err(|e| io::Error::other(text(e)))?;
        if written == 0.0 && !data.is_empty() {
            return Err(io::Error::other(
                "the browser's storage took no more bytes: it is probably full; free some disk space",
            ));
        }
        self.at += written;
        Ok(written as usize)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.access.flush().map_err(|e| io::Error::other(text(e)))
    }
}
