//! Tests of the catalogue the data file screen pages through, the entry reader behind its
//! thumbnails and hex view, and the comparison's view.

use super::*;
use crate::archive::compare::compare;
use crate::archive::repackage::plan;
use crate::formats::data_file::walk_tests::{gzip, tar_of};
use crate::formats::data_file::{list, sha256_hex, ListOptions};

const JPEG: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00 a photo";

fn sample() -> Vec<u8> {
    gzip(&tar_of(&[
        (
            "BioStarX_20250102_030405/user.dat",
            b"\x01\x02\x03 encrypted",
        ),
        ("photos/1.jpg", JPEG),
        ("readme.txt", b"hello\n"),
    ]))
}

fn catalogue_of(bytes: &[u8], hash: bool) -> (Catalogue, CatalogueView) {
    let mut catalogue = Catalogue::new();
    let options = ListOptions { hash };
    let listing = list(bytes, options, &mut |e| catalogue.add(e));
    let view = catalogue.view("a.tgz", bytes.len() as u64, hash, &listing);
    (catalogue, view)
}

#[test]
fn a_listing_is_kept_and_paged_with_hashes_as_sha256sum_prints_them() {
    let tgz = sample();
    let (catalogue, view) = catalogue_of(&tgz, true);
    assert_eq!(catalogue.len(), 3);
    assert_eq!((view.entries, view.photos), (3, 1));
    assert_eq!(view.largest, JPEG.len() as u64);
    let total = |label: &str| view.totals.iter().find(|t| t.0 == label).map(|t| t.1);
    assert_eq!(total("files"), Some(3));
    assert_eq!(total("text entries"), Some(1));
    assert_eq!(total("bytes in entries"), Some(13 + JPEG.len() as u64 + 6));
    assert_eq!((view.carry_server, view.carry_device), (1, 0));
    assert_eq!(view.carrying(Direction::ToDevice), 1);
    assert!(!view.damaged && view.findings.is_empty() && view.hashed);
    let rows = catalogue.page(1, 10);
    assert_eq!(rows.len(), 2, "the page stops at the end");
    let photo = &rows[0];
    assert_eq!(photo.index, 1);
    assert_eq!(photo.path, "photos/1.jpg");
    assert_eq!((photo.kind.as_str(), photo.mode.as_str()), ("file", "640"));
    assert_eq!(photo.mtime, "2023-11-14 22:13:20");
    assert_eq!(photo.content, "JPEG photo");
    assert!(photo.photo && !rows[1].photo);
    assert_eq!(photo.sha256.as_deref(), Some(sha256_hex(JPEG).as_str()));
    assert_eq!(rows[1].content, "text");
    assert!(catalogue.page(5, 10).is_empty());
    let (unhashed, _) = catalogue_of(&tgz, false);
    assert_eq!(unhashed.page(0, 1)[0].sha256, None);
}

#[test]
fn a_cut_off_archive_is_marked_damaged_with_the_byte_of_its_finding() {
    let tgz = sample();
    let cut = &tgz[..tgz.len() - 12];
    let (_, view) = catalogue_of(cut, false);
    assert!(view.damaged);
    let stop = view
        .findings
        .iter()
        .find(|f| f.stops)
        .expect("a stopping finding");
    assert!(stop.in_file, "{stop:?}");
    assert_eq!(stop.byte, cut.len() as u64, "{stop:?}");
    assert!(
        stop.text.contains(&format!("byte {}", stop.byte)),
        "{stop:?}"
    );
}

#[test]
fn times_are_utc_dates() {
    assert_eq!(utc_time(0), "1970-01-01 00:00:00");
    assert_eq!(utc_time(951_782_400), "2000-02-29 00:00:00");
    assert_eq!(utc_time(1_735_787_045), "2025-01-02 03:04:05");
    assert_eq!(utc_time(4_102_444_799), "2099-12-31 23:59:59");
}

#[test]
fn one_entry_is_read_by_walking_to_it() {
    let tgz = sample();
    let photo = entry_bytes(&tgz[..], 1, 1 << 20).unwrap();
    assert_eq!(
        (photo.path.as_str(), photo.size),
        ("photos/1.jpg", JPEG.len() as u64)
    );
    assert_eq!(photo.bytes, JPEG);
    let head = entry_bytes(&tgz[..], 0, 4).unwrap();
    assert_eq!(head.bytes, b"\x01\x02\x03 ");
    let missing = entry_bytes(&tgz[..], 9, 10).unwrap_err();
    assert_eq!(missing, "the archive holds 3 entries, not entry 9");
    let cut = &tgz[..tgz.len() / 2];
    let stopped = entry_bytes(cut, 2, 10).unwrap_err();
    assert!(stopped.contains("cut off"), "{stopped}");
}

#[test]
fn the_hex_view_prints_as_xxd_does() {
    let text = hex_view(b"ABCDEFGHIJKLMNOP\x00\x01q");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "00000000  41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50  ABCDEFGHIJKLMNOP"
    );
    assert_eq!(
        lines[1],
        "00000010  00 01 71                                         ..q"
    );
}

#[test]
fn a_comparison_view_counts_and_caps_its_rows() {
    let a = gzip(&tar_of(&[
        ("same", b"1"),
        ("gone1", b"x"),
        ("gone2", b"y"),
        ("edit", b"old"),
    ]));
    let b = gzip(&tar_of(&[
        ("same", b"1"),
        ("edit", b"newer"),
        ("new", b"z"),
    ]));
    let c = compare(&a[..], &b[..]);
    let view = ComparisonView::new(&c, "a.tgz", "b.tgz", 1);
    assert_eq!(
        (view.added, view.removed, view.changed, view.same),
        (1, 2, 1, 1)
    );
    assert_eq!(view.removed_rows.len(), 1, "capped");
    assert_eq!(view.removed_rows[0].path, "gone1");
    assert_eq!(view.added_rows[0].sha256, sha256_hex(b"z"));
    let (old, new) = &view.changed_rows[0];
    assert_eq!((old.size, new.size), (3, 5));
    assert!(!view.identical);
}

#[test]
fn links_come_back_and_count_where_their_target_carries_the_name() {
    let mut tar = tar::Builder::new(Vec::new());
    let mut link = tar::Header::new_ustar();
    link.set_entry_type(tar::EntryType::Link);
    link.set_size(0);
    tar.append_link(&mut link, "alias", "BioStar2_1/user.dat")
        .unwrap();
    let tgz = gzip(&tar.into_inner().unwrap());
    let (catalogue, view) = catalogue_of(&tgz, false);
    let row = &catalogue.page(0, 1)[0];
    assert_eq!(
        (row.path.as_str(), row.kind.as_str()),
        ("alias", "hard link")
    );
    assert_eq!(row.link.as_deref(), Some("BioStar2_1/user.dat"));
    assert_eq!(
        view.carrying(Direction::ToServer),
        1,
        "a link target carries the name"
    );
    assert_eq!(view.carrying(Direction::ToDevice), 0);
    assert_eq!(view.unlisted, 0);
}

#[test]
fn past_its_budget_a_catalogue_lists_the_first_entries_and_counts_the_rest() {
    // Names that share little with the one before, as a hostile archive's would.
    let noise = |i: usize| -> String {
        (0..300)
            .map(|k| char::from(b'a' + ((i * 7 + k * k * 13) % 26) as u8))
            .collect()
    };
    let names: Vec<String> = (0..200)
        .map(|i| format!("BioStarX_20250102_030405/users/{i:04}/{}", noise(i)))
        .collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let tgz = gzip(&tar_of(&entries));
    let mut catalogue = Catalogue::with_budget(8 * 1024);
    let listing = list(&tgz[..], ListOptions::default(), &mut |e| catalogue.add(e));
    let view = catalogue.view("big.tgz", tgz.len() as u64, false, &listing);
    assert_eq!(view.entries, 200, "every entry is still counted");
    assert!(!view.damaged && view.findings.is_empty());
    let kept = catalogue.len();
    assert!((10..200).contains(&kept), "{kept} kept");
    assert_eq!(view.unlisted, 200 - kept as u64);
    assert_eq!(view.carry_server, 200, "the rename counts every entry");
    let rows = catalogue.page(0, 1000);
    assert_eq!(rows.len(), kept);
    assert_eq!(rows[kept - 1].path, names[kept - 1]);
    assert!(catalogue.page(kept, 10).is_empty());
    // With SHA-256, each kept entry keeps its sum, and fewer entries fit.
    let mut hashed = Catalogue::with_budget(64 * 1024);
    let options = ListOptions { hash: true };
    let listing = list(&tgz[..], options, &mut |e| hashed.add(e));
    let view = hashed.view("big.tgz", tgz.len() as u64, true, &listing);
    assert!(hashed.len() < 200 && view.unlisted == 200 - hashed.len() as u64);
    let rows = hashed.page(0, 1000);
    assert!(rows
        .iter()
        .all(|r| r.sha256.as_deref() == Some(sha256_hex(b"x").as_str())));
}

#[test]
fn a_plan_made_from_the_catalogue_is_the_plan_read_from_the_file() {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, data) in [
        ("BioStarX_20250102_030405/user.dat", &b"users"[..]),
        ("photos/1.jpg", JPEG),
        ("BioStar2_20250102_030405/old.dat", b"old"),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        tar.append_data(&mut h, path, data).unwrap();
    }
    let mut link = tar::Header::new_ustar();
    link.set_entry_type(tar::EntryType::Link);
    link.set_size(0);
    tar.append_link(&mut link, "alias", "BioStarX_20250102_030405/user.dat")
        .unwrap();
    let mut tgz = gzip(&tar.into_inner().unwrap());
    tgz.extend_from_slice(b"junk after the archive");
    for direction in [Direction::ToDevice, Direction::ToServer] {
        let mut catalogue = Catalogue::new();
        let listing = list(&tgz[..], ListOptions::default(), &mut |e| catalogue.add(e));
        let from_catalogue = catalogue.plan(direction, &listing).expect("all kept");
        let read = plan(&tgz[..], direction);
        assert_eq!(from_catalogue.entries, read.entries);
        assert_eq!(from_catalogue.renames, read.renames, "{direction:?}");
        assert_eq!(from_catalogue.readable(), read.readable());
        assert!(
            !listing.findings.is_empty(),
            "the bytes after the archive are found"
        );
        assert_eq!(from_catalogue.findings, listing.findings);
    }
    let mut small = Catalogue::with_budget(16);
    let listing = list(&tgz[..], ListOptions::default(), &mut |e| small.add(e));
    assert!(
        small.plan(Direction::ToDevice, &listing).is_none(),
        "past its budget"
    );
}

#[test]
fn entries_too_large_for_fat32_are_counted_and_the_first_named_past_the_budget_too() {
    let mut listed = Vec::new();
    list(&sample()[..], ListOptions::default(), &mut |e| {
        listed.push(e.clone())
    });
    let mut catalogue = Catalogue::with_budget(0);
    for (path, size) in [
        ("a/fits.db", (4 << 30) - 1),
        ("a/big.db", 4 << 30),
        ("a/more.db", 5 << 30),
    ] {
        let mut e = listed[0].clone();
        (e.header.path, e.header.size) = (path.to_string(), size);
        catalogue.add(&e);
    }
    let listing = list(&sample()[..], ListOptions::default(), &mut |_| {});
    let view = catalogue.view("big.tgz", 1, false, &listing);
    assert_eq!(view.unlisted, 3, "none kept");
    assert_eq!(view.oversized.count, 2);
    assert_eq!(
        view.oversized.first,
        Some(("a/big.db".to_string(), 4 << 30))
    );
}

#[test]
fn entry_types_are_in_words_for_people() {
    use crate::formats::data_file::EntryType;
    let words: Vec<String> = [b'0', b'5', b'2', b'1', b'3', b'6', b'V']
        .map(|flag| kind_label(EntryType::from_flag(flag)))
        .into();
    assert_eq!(
        words,
        [
            "file",
            "folder",
            "symbolic link",
            "hard link",
            "device file",
            "FIFO (named pipe)",
            "tar type 'V'"
        ]
    );
}
