//! Downloads: a `Blob` leaves the page as a file with the name the target system expects.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// A `Blob` of `parts` (byte arrays or `Blob`s) joined, of media type `mime`.
pub fn blob_of_parts(parts: &Array, mime: &str) -> Result<Blob, JsValue> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_blob_sequence_and_options(parts, &options)
}

/// A `Blob` holding `bytes`, of media type `mime`.
pub fn blob_from_bytes(bytes: &[u8], mime: &str) -> Result<Blob, JsValue> {
    blob_from_chunks(&[bytes], mime)
}

/// A `Blob` made of several chunks written one after another, of media type `mime`.
pub fn blob_from_chunks<C: AsRef<[u8]>>(chunks: &[C], mime: &str) -> Result<Blob, JsValue> {
    let parts = Array::new();
    for chunk in chunks {
        parts.push(&Uint8Array::from(chunk.as_ref()));
    }
    blob_of_parts(&parts, mime)
}

/// A `Blob` of `file`'s byte `ranges` joined, of media type `mime`: slices of the file,
/// which the browser reads only when the download is saved.
pub fn blob_of_ranges(
    file: &Blob,
    ranges: &[std::ops::Range<u64>],
    mime: &str,
) -> Result<Blob, JsValue> {
    let parts = Array::new();
    for r in ranges {
        let slice = file.slice_with_f64_and_f64(r.start as f64, r.end as f64)?;
        parts.push(&slice);
    }
    blob_of_parts(&parts, mime)
}

/// Offers `blob` as a download named `name` (main thread only).
///
/// Returns the object URL used; it is revoked a minute later, once the browser has the file.
pub fn download_blob(blob: &Blob, name: &str) -> Result<String, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let document = window
        .document()
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let url = Url::create_object_url_with_blob(blob)?;
    let anchor: HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.set_hidden(true);
    let body = document
        .body()
        .ok_or_else(|| JsValue::from_str("no body"))?;
    body.append_child(&anchor)?;
    anchor.click();
    body.remove_child(&anchor)?;
    let revoke_url = url.clone();
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&revoke_url);
    });
    window.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000)?;
    Ok(url)
}
