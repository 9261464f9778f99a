//! Reading `File`s in slices inside a dedicated Web Worker, in headless Chromium.
#![cfg(target_arch = "wasm32")]

use std::io::{Read, Write};

use bioport::archive::catalogue::{Catalogue, EntryRow};
use bioport::formats::data_file::{list, ListOptions, Listing};
use bioport::formats::zk_attlog::{read_attlog_bytes, repair_attlog, RepairOptions};
use bioport::inspect::inspect;
use bioport::recognize::{FileKind, HEAD_LEN};
use bioport::web::blob_reader::BlobReader;
use bioport::web::clock_worker::repaired_log;
use bioport::web::digests::Digests;
use bioport::web::download::blob_from_bytes;
use bioport::web::list_ahead::list_ahead;
use bioport::web::read_ahead::for_each_slice;
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

/// A gzip-compressed tar archive of a text entry and `mb` MB of data (so the browser's
/// inflater hands it over in many chunks).
fn data_file(mb: usize) -> Vec<u8> {
    let line: Vec<u8> = (0..=255u8).collect();
    let body = line.repeat(mb * 1_000_000 / 256);
    tgz_of(&[
        ("BioStarX/users.txt", &b"id,name\n1,Kim\n"[..]),
        ("big.bin", &body),
        ("empty", &b""[..]),
    ])
}

/// A gzip-compressed tar archive of `entries`.
fn tgz_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_cksum();
        tar.append_data(&mut header, path, *data).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar.into_inner().unwrap()).unwrap();
    gz.finish().unwrap()
}

/// Lists `bytes` as a `File` read ahead and pushed into the core's pass (SHA-256, if
/// asked, by the browser's digests beside the walk): the listing (None when it leaves
/// the file to be read in turn), the entries as the table shows them, and the last
/// progress reported.
async fn ahead(bytes: &[u8], hash: bool) -> (Option<Listing>, Vec<EntryRow>, u64) {
    let options = ListOptions { hash };
    let (mut catalogue, mut last) = (Catalogue::new(), 0);
    let f = file("BioStarX_20250102_030405.tgz", bytes);
    let listed = list_ahead(&f, options, &mut |n| last = n, &mut catalogue).await;
    (listed.map(|l| l.0), catalogue.page(0, usize::MAX), last)
}

/// The core's listing of `bytes` read whole, and its table rows.
fn core_listing(bytes: &[u8], hash: bool) -> (Listing, Vec<EntryRow>) {
    let options = ListOptions { hash };
    let mut catalogue = Catalogue::new();
    let listing = list(bytes, options, &mut |e| catalogue.add(e));
    (listing, catalogue.page(0, usize::MAX))
}

#[wasm_bindgen_test]
async fn hashed_by_the_browser_beside_the_walk_a_data_file_lists_as_the_core_reads_it() {
    // Hashing is checked on a small file (a debug build walks slowly).
    assert!(
        Digests::available().is_some(),
        "the browser's SHA-256 is here"
    );
    for (mb, hash) in [(10, false), (1, true)] {
        let tgz = data_file(mb);
        let (core, core_rows) = core_listing(&tgz, hash);
        assert!(core.is_clean());
        let (listed, rows, last) = ahead(&tgz, hash).await;
        assert_eq!(listed.expect("a whole file is listed"), core);
        assert_eq!(rows.len(), 3, "two entries and the empty one");
        assert_eq!(rows, core_rows);
        assert_eq!(rows.iter().all(|r| r.sha256.is_some()), hash);
        assert_eq!(last, tgz.len() as u64, "progress reaches the file's end");
    }
}

#[wasm_bindgen_test]
async fn damaged_data_files_hashed_beside_the_walk_say_what_the_core_says() {
    let tgz = data_file(1);
    let mut two = tgz.clone();
    two.extend_from_slice(&tgz);
    let mut junk = tgz.clone();
    junk.extend_from_slice(b"junk");
    let mut crc = tgz.clone();
    let n = crc.len();
    crc[n - 8] ^= 0xff;
    let mut cut = data_file(1);
    cut.truncate(cut.len() / 2);
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(&tgz[..])
        .read_to_end(&mut tar)
        .unwrap();
    tar[1024 + 10] ^= 1; // the second entry's header: its checksum no longer matches
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    let damaged_tar = gz.finish().unwrap();
    let plain_tar = b"not gzip at all".to_vec();
    for (what, bytes) in [
        ("two members", two),
        ("trailing bytes", junk),
        ("a wrong CRC", crc),
        ("a cut file", cut),
        ("a damaged tar header", damaged_tar),
        ("not gzip", plain_tar),
        ("empty", Vec::new()),
    ] {
        let (core, core_rows) = core_listing(&bytes, true);
        assert!(!core.is_clean(), "{what}");
        let (listed, rows, _) = ahead(&bytes, true).await;
        assert_eq!(listed.as_ref(), Some(&core), "{what}");
        assert_eq!(rows, core_rows, "{what}");
    }
}

#[wasm_bindgen_test]
async fn a_file_read_slice_by_slice_comes_whole_and_in_order() {
    let bytes: Vec<u8> = (0..(17 << 20) + 5).map(|i| (i % 253) as u8).collect();
    let (mut out, mut slices) = (Vec::new(), 0);
    let f = file("x.bin", &bytes);
    let mut last = 0;
    for_each_slice(&f, &mut |n| last = n, |s| {
        assert!(!s.is_empty() && s.len() <= 8 << 20, "{}", s.len());
        out.extend_from_slice(s);
        slices += 1;
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(slices, 3);
    assert!(out == bytes, "the bytes as they were");
    assert_eq!(last, bytes.len() as u64, "progress reaches the file's end");
    // A slice's error stops the reading and is the result.
    let stopped = for_each_slice(&f, &mut |_| {}, |_| Err("enough".to_string())).await;
    assert_eq!(stopped, Err("enough".to_string()));
}

#[wasm_bindgen_test]
async fn a_data_file_pushed_slice_by_slice_lists_as_the_core_reads_it_whole() {
    // Random bytes stay as large compressed: three slices of the file.
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let noise: Vec<u8> = (0..18 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let tgz = tgz_of(&[("faces/1.bin", &noise[..]), ("users.txt", b"id\n1\n")]);
    assert!(tgz.len() > 16 << 20, "three slices");
    // With SHA-256: the 18 MB entry hashed by the walk, the small one by the browser.
    let (core, core_rows) = core_listing(&tgz, true);
    let (listed, rows, last) = ahead(&tgz, true).await;
    let listing = listed.expect("a whole file is listed pushed");
    assert!(listing.is_clean());
    assert_eq!(listing, core);
    assert_eq!(last, tgz.len() as u64, "progress reaches the file's end");
    assert!(rows.iter().all(|r| r.sha256.is_some()));
    assert_eq!(rows, core_rows);
}

/// The bytes of `blob`, read here.
fn bytes_of(blob: &web_sys::Blob) -> Vec<u8> {
    let mut reader = BlobReader::new(blob.clone(), 1 << 20).unwrap();
    let mut out = Vec::new();
    reader.read_to_end(&mut out).unwrap();
    out
}

#[wasm_bindgen_test]
async fn a_repaired_log_is_the_same_made_of_the_files_ranges_or_written_again() {
    // 300 lines: every 7th a repeat of the one before, every 50th damaged.
    let mut bytes = Vec::new();
    for i in 0..300u32 {
        match i {
            _ if i % 50 == 49 => bytes.extend(b"ZZZZZZZZ\t2047-02-30 99:99:99\t1\t0\t1\t0\r\n"),
            _ if i % 7 == 6 => bytes.extend(
                format!(
                    "{:>9}\t2024-01-02 03:04:{:02}\t1\t0\t1\t0\r\n",
                    i - 1,
                    (i - 1) % 60
                )
                .into_bytes(),
            ),
            _ => bytes.extend(
                format!("{i:>9}\t2024-01-02 03:04:{:02}\t1\t0\t1\t0\r\n", i % 60).into_bytes(),
            ),
        }
    }
    let log = read_attlog_bytes(&bytes);
    let f = file("1_attlog.dat", &bytes);
    let opts = RepairOptions {
        remove_damaged: true,
        remove_duplicates: true,
    };
    let mut want = Vec::new();
    let want_report = repair_attlog(&bytes[..], &log, opts, &mut want).unwrap();
    assert_eq!(
        (want_report.removed_damaged, want_report.removed_duplicates),
        (6, 42)
    );
    // 48 lines left out: made of the file's ranges between them.
    let (blob, report) = repaired_log(&f, &log, opts).await.unwrap();
    assert_eq!(report, want_report);
    assert!(
        bytes_of(&blob) == want,
        "the same bytes from the file's ranges"
    );
    // Past 256 ranges the file is read again, in three 8 MiB slices: 450,000 lines, every
    // third a repeat of the one before.
    let mut bytes = Vec::new();
    for i in 0..450_000u32 {
        let n = i - u32::from(i % 3 == 2);
        let (m, s) = (n / 60 % 60, n % 60);
        let line = format!("{n:>9}\t2024-01-02 03:{m:02}:{s:02}\t1\t0\t1\t0\r\n");
        bytes.extend(line.into_bytes());
    }
    assert!(bytes.len() > 2 * (8 << 20));
    let log = read_attlog_bytes(&bytes);
    assert!(log.kept_ranges(opts, 256).is_none());
    let mut want = Vec::new();
    repair_attlog(&bytes[..], &log, opts, &mut want).unwrap();
    let big = file("2_attlog.dat", &bytes);
    let (blob, report) = repaired_log(&big, &log, opts).await.unwrap();
    assert_eq!((report.kept, report.removed_duplicates), (300_000, 150_000));
    assert!(
        bytes_of(&blob) == want,
        "the kept lines, cut from each slice"
    );
    // A file that changed since its log was read is not cut by the old lines.
    let changed = file("2_attlog.dat", &bytes[..bytes.len() - 1000]);
    let error = repaired_log(&changed, &log, opts).await.unwrap_err();
    assert!(error.contains("changed since; open it again"), "{error}");
}
