//! Reading `File`s in slices inside a dedicated Web Worker, in headless Chromium.
#![cfg(target_arch = "wasm32")]

use std::io::Read;

use bioport::inspect::inspect;
use bioport::recognize::{FileKind, HEAD_LEN};
use bioport::web::blob_reader::BlobReader;
use bioport::web::download::blob_from_bytes;
use js_sys::{Array, Uint8Array};
use wasm_bindgen_test::*;
use web_sys::File;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn file(name: &str, bytes: &[u8]) -> File {
    let parts = Array::new();
    parts.push(&Uint8Array::from(bytes));
    File::new_with_u8_array_sequence(&parts, name).unwrap()
}

#[wasm_bindgen_test]
fn reads_a_file_through_slices_smaller_than_the_file() {
    let bytes: Vec<u8> = (0..100_003u32).map(|i| (i % 251) as u8).collect();
    for (len, slice) in [
        (997usize, 1u64),
        (20_011, 7),
        (100_003, 4096),
        (100_003, 1 << 20),
    ] {
        let bytes = &bytes[..len];
        let mut reader = BlobReader::new(file("x.bin", bytes).into(), slice).unwrap();
        assert_eq!(reader.size(), bytes.len() as u64);
        let mut out = Vec::new();
        reader.read_to_end(&mut out).unwrap();
        assert_eq!(out, bytes, "slice length {slice}");
    }
}

#[wasm_bindgen_test]
fn read_range_clamps_to_the_end() {
    let reader = BlobReader::new(blob_from_bytes(b"0123456789", "").unwrap(), 4).unwrap();
    assert_eq!(reader.read_range(2, 5).unwrap(), b"234");
    assert_eq!(reader.read_range(8, 100).unwrap(), b"89");
    assert!(reader.read_range(20, 30).unwrap().is_empty());
}

#[wasm_bindgen_test]
fn the_core_inspects_a_file_read_in_slices() {
    let mut user = vec![0u8; 72];
    user[0] = 13;
    user[3..6].copy_from_slice(b"444");
    user[11..14].copy_from_slice(b"Ned");
    user[39] = 2;
    user[48..51].copy_from_slice(b"555");
    let mut bytes = user.clone();
    bytes.extend(vec![0u8; 72]);
    let f = file("user.dat", &bytes);
    let mut reader = BlobReader::new(f.into(), 50).unwrap();
    let head = reader.read_range(0, HEAD_LEN as u64).unwrap();
    let mut last = 0;
    let summary = inspect(
        "user.dat",
        bytes.len() as u64,
        &head,
        &mut reader,
        &mut |d| last = d,
    );
    assert_eq!(summary.recognition.kind, FileKind::ZkUserDat72);
    assert_eq!(summary.get("users"), Some(1));
    assert_eq!(summary.get("empty slots"), Some(1));
    assert_eq!(last, 144, "progress reached the last byte");
}
