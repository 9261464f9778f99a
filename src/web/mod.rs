//! Browser glue (wasm only): reading `File`s in slices, downloads, the worker and its client.
//!
//! No format logic lives here: everything a file means is decided by the core.

pub mod archive_worker;
#[cfg(feature = "bench")]
pub mod bench_worker;
pub mod blob_reader;
pub mod client;
pub mod clock_worker;
pub mod csv_worker;
pub mod digests;
pub mod download;
pub mod face_arrivals;
pub mod faces_worker;
pub mod list_ahead;
pub mod opfs;
pub mod post;
pub mod read_ahead;
pub mod worker;

use wasm_bindgen::JsValue;

/// Turns a serde value into a JS value the other side can read (numbers, not BigInts).
pub fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|e| JsValue::from_str(&e.to_string()))
}

/// Reads a serde value from a JS value.
pub fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| JsValue::from_str(&e.to_string()))
}

/// The text of a JS error value, for messages.
pub fn js_error_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            js_sys::Reflect::get(e, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{e:?}"))
}
