//! Browser glue on the page's main thread, in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use bioport::web::download::{blob_from_bytes, blob_from_chunks, download_blob};
use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn blob_bytes(blob: &web_sys::Blob) -> Vec<u8> {
    let buffer = JsFuture::from(blob.array_buffer()).await.unwrap();
    Uint8Array::new(&buffer).to_vec()
}

#[wasm_bindgen_test]
async fn a_download_blob_holds_exactly_the_bytes_and_type() {
    let bytes: Vec<u8> = (0..=255u8).chain("김철수,é\r\n".bytes()).collect();
    let blob = blob_from_bytes(&bytes, "text/csv").unwrap();
    assert_eq!(blob.size() as usize, bytes.len());
    assert_eq!(blob.type_(), "text/csv");
    assert_eq!(blob_bytes(&blob).await, bytes);
}

#[wasm_bindgen_test]
async fn chunks_are_joined_in_order() {
    let chunks = vec![
        b"user_id,name\r\n".to_vec(),
        Vec::new(),
        b"1,Kim\r\n".to_vec(),
    ];
    let blob = blob_from_chunks(&chunks, "text/csv").unwrap();
    assert_eq!(
        blob_bytes(&blob).await,
        b"user_id,name\r\n1,Kim\r\n".to_vec()
    );
}

#[wasm_bindgen_test]
fn download_uses_an_object_url_and_leaves_no_anchor_behind() {
    let blob = blob_from_bytes(b"abc", "application/gzip").unwrap();
    let document = web_sys::window().unwrap().document().unwrap();
    let before = document.get_elements_by_tag_name("a").length();
    let url = download_blob(&blob, "BioStar2_20250102_030405.tgz").unwrap();
    assert!(url.starts_with("blob:"), "{url}");
    assert_eq!(document.get_elements_by_tag_name("a").length(), before);
    // The URL is same-origin and points at the blob: nothing leaves the page.
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    assert!(
        url.starts_with(&format!("blob:{origin}")),
        "{url} vs {origin}"
    );
}
