//! Tests of the repackager and the comparison, on archives built with the `tar` crate and
//! with GNU tar, read back with both.

use std::io::Read;

use super::compare::{compare, compare_renamed, compare_within, NotCompared};
use super::repackage::{plan, repackage, Rename};
use super::Direction;
use crate::formats::data_file::walk_tests::{append_pax_entry, gzip, raw_header, tar_of};
use crate::formats::data_file::{list, ListOptions, NameSource, BLOCK};

const DIR: &str = "BioStarX_20250102_030405";

/// An entry to build: path, data, mode, time.
type Spec<'a> = (&'a str, &'a [u8], u32, u64);

/// A data file like BioStar's: files (some under a `BioStarX_` folder, one with a long
/// name), a directory and a hard link to a renamed file.
fn data_file(files: &[Spec]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    let mut dir = tar::Header::new_ustar();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o755);
    dir.set_size(0);
    dir.set_mtime(1_600_000_000);
    tar.append_data(&mut dir, format!("{DIR}/"), &b""[..])
        .unwrap();
    for (path, data, mode, mtime) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(*mode);
        header.set_mtime(*mtime);
        tar.append_data(&mut header, path, *data).unwrap();
    }
    let mut link = tar::Header::new_ustar();
    link.set_entry_type(tar::EntryType::Link);
    link.set_mode(0o600);
    link.set_size(0);
    tar.append_link(&mut link, "alias.dat", format!("{DIR}/user.dat"))
        .unwrap();
    gzip(&tar.into_inner().unwrap())
}

fn long_path() -> String {
    format!("{DIR}/photos/{}.jpg", "f".repeat(120))
}

fn sample() -> Vec<u8> {
    let long = long_path();
    let user = format!("{DIR}/user.dat");
    let photo: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let specs: Vec<Spec> = vec![
        (&user, b"encrypted users", 0o600, 1_700_000_001),
        (&long, &photo, 0o644, 1_700_000_002),
        ("config/other.bin", b"\x00\x01\x02", 0o640, 1_700_000_003),
    ];
    data_file(&specs)
}

/// An entry read back: path, link, mode, mtime, data.
type ReadBack = (String, Option<String>, u32, u64, Vec<u8>);

/// Every entry read back with the `tar` crate.
fn read_back(tgz: &[u8]) -> Vec<ReadBack> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(tgz));
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let link = entry
            .link_name()
            .unwrap()
            .map(|l| l.to_string_lossy().into_owned());
        let (mode, mtime) = (
            entry.header().mode().unwrap(),
            entry.header().mtime().unwrap(),
        );
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        out.push((path, link, mode, mtime, data));
    }
    out
}

fn to_device(path: &str) -> String {
    path.replace("BioStarX_", "BioStar2_")
}

#[test]
fn the_plan_lists_exactly_the_names_that_change() {
    let plan = plan(&sample()[..], Direction::ToDevice);
    assert!(plan.readable());
    assert_eq!(plan.entries, 5);
    let names: Vec<(bool, &str, &str)> = plan
        .renames
        .iter()
        .map(|r: &Rename| (r.link, r.from.as_str(), r.to.as_str()))
        .collect();
    let (dir, user, long) = (format!("{DIR}/"), format!("{DIR}/user.dat"), long_path());
    let expected = [
        (false, dir.clone(), to_device(&dir)),
        (false, user.clone(), to_device(&user)),
        (false, long.clone(), to_device(&long)),
        (true, user.clone(), to_device(&user)),
    ];
    let expected: Vec<(bool, &str, &str)> = expected
        .iter()
        .map(|(l, f, t)| (*l, f.as_str(), t.as_str()))
        .collect();
    assert_eq!(names, expected);
    assert_eq!(plan.renames[0].offset, 0);
}

/// The sample, and the sample repackaged for a device, and what repackaging did.
fn sample_for_device() -> (Vec<u8>, Vec<u8>, super::repackage::Outcome) {
    let original = sample();
    let (out, outcome) = repackage(&original[..], Vec::new(), Direction::ToDevice).unwrap();
    (original, out, outcome)
}

#[test]
fn repackaging_changes_only_the_names() {
    let (original, out, outcome) = sample_for_device();
    assert_eq!((outcome.entries, outcome.renamed), (5, 4));
    let before = read_back(&original);
    let after = read_back(&out);
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(a.0, to_device(&b.0));
        assert_eq!(a.1, b.1.as_deref().map(to_device));
        assert_eq!((a.2, a.3), (b.2, b.3), "{}", b.0);
        assert!(a.4 == b.4, "{}: data differs", b.0);
    }
    assert_eq!(after[3].0, "config/other.bin");
    // Paths renamed with the file match across the rename.
    let plain = compare(&original[..], &out[..]);
    assert_eq!(
        (plain.same, plain.added.len(), plain.removed.len()),
        (5, 0, 0)
    );
    let to = Some(Direction::ToDevice);
    assert!(compare_renamed(&original[..], &out[..], to).identical());

    let (back, _) = repackage(&out[..], Vec::new(), Direction::ToServer).unwrap();
    assert!(compare(&original[..], &back[..]).identical());
}

/// Every entry's path and own header block, listed by the walk.
fn headers(tgz: &[u8]) -> Vec<(String, [u8; BLOCK])> {
    let mut out = Vec::new();
    let listing = list(tgz, ListOptions::default(), &mut |e| {
        out.push((e.header.path.clone(), e.header.raw))
    });
    assert!(!listing.stopped, "{:?}", listing.findings);
    out
}

/// The tar archive built so far, gzip-compressed and repackaged for a device.
fn tar_for_device(builder: tar::Builder<Vec<u8>>) -> Vec<u8> {
    let source = gzip(&builder.into_inner().unwrap());
    repackage(&source[..], Vec::new(), Direction::ToDevice)
        .unwrap()
        .0
}

/// Where each entry's path was read from.
fn sources(tgz: &[u8]) -> Vec<NameSource> {
    let mut out = Vec::new();
    list(tgz, ListOptions::default(), &mut |e| {
        out.push(e.header.path_source)
    });
    out
}

#[test]
fn untouched_headers_stay_byte_identical_and_names_keep_their_spelling() {
    let (original, out, _) = sample_for_device();
    let (before, after) = (headers(&original), headers(&out));
    assert!(
        before[3].1 == after[3].1,
        "config/other.bin's header changed"
    );

    let dotted = format!("./{DIR}/u.dat");
    let mut tar = raw_header(&dotted, b'0', 3, "").to_vec();
    tar.extend_from_slice(&[b'x'; 512]);
    let mut builder = tar::Builder::new(tar);
    let mut global = tar::Header::new_ustar();
    global.set_entry_type(tar::EntryType::XGlobalHeader);
    global.set_size(13);
    global.set_cksum();
    builder.append(&global, &b"13 comment=c\n"[..]).unwrap();
    let pax_path = format!("{DIR}/{}", "p".repeat(150));
    append_pax_entry(&mut builder, &pax_path, b"7", b"");
    let out = tar_for_device(builder);
    let paths: Vec<String> = headers(&out).into_iter().map(|h| h.0).collect();
    assert_eq!(paths, [to_device(&dotted), to_device(&pax_path)]);
    let (mut pax, mut global) = (Vec::new(), Vec::new());
    list(&out[..], ListOptions::default(), &mut |e| {
        pax.push(e.header.pax.clone());
        global.push(e.header.global_pax.clone());
    });
    assert_eq!(global, [b"".as_slice(), b"13 comment=c\n"]);
    // 3 digits, a space, "path=", the path, a line feed: the record keeps its place.
    let expected = format!(
        "{} path={}\n11 mtime=7\n",
        pax_path.len() + 10,
        to_device(&pax_path)
    );
    assert_eq!(pax[1], expected.as_bytes());
    assert_eq!(sources(&out), [NameSource::Header, NameSource::Pax]);
    let (_, out, _) = sample_for_device();
    assert_eq!(sources(&out)[2], NameSource::GnuLong);
}

#[test]
fn a_damaged_source_is_not_repackaged() {
    let original = sample();
    let cut = &original[..original.len() / 2];
    let err = repackage(cut, Vec::new(), Direction::ToDevice).unwrap_err();
    assert!(err.contains("cut off"), "{err}");
    assert!(!plan(cut, Direction::ToDevice).readable());
}

#[test]
fn a_plan_of_a_cut_off_file_counts_the_entries_a_listing_counts() {
    let original = sample();
    for len in [original.len() / 2, original.len() - 20] {
        let cut = &original[..len];
        let listed = list(cut, ListOptions::default(), &mut |_| {})
            .totals
            .entries;
        let planned = plan(cut, Direction::ToDevice);
        assert_eq!(planned.entries, listed, "cut at {len}");
        assert!(planned.renamed <= planned.entries, "cut at {len}");
        assert!(!planned.readable());
    }
}

#[test]
fn comparison_finds_added_removed_and_changed_entries() {
    let first = data_file(&[
        ("a", b"same", 0o644, 1),
        ("b", b"old", 0o644, 1),
        ("c", b"gone", 0o644, 1),
        ("d", b"moved", 0o644, 1),
    ]);
    let second = data_file(&[
        ("d", b"moved", 0o644, 1),
        ("a", b"same", 0o644, 9),
        ("b", b"newer", 0o644, 1),
        ("e", b"abc", 0o644, 1),
    ]);
    let c = compare(&first[..], &second[..]);
    assert!(!c.identical());
    assert_eq!(c.same, 4, "dir, a, d and the link");
    let paths = |s: &[super::compare::Side]| s.iter().map(|x| x.path.clone()).collect::<Vec<_>>();
    assert_eq!(paths(&c.removed), ["c"]);
    assert_eq!(paths(&c.added), ["e"]);
    assert_eq!(
        c.added[0].sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(c.changed.len(), 1);
    let (old, new) = &c.changed[0];
    assert_eq!((old.path.as_str(), old.size, new.size), ("b", 3, 5));
    assert!(compare(&first[..], &first[..]).identical());
}

#[test]
fn a_file_damaged_only_in_its_gzip_trailer_is_compared_whole() {
    let first = sample();
    let mut crc = first.clone();
    let at = crc.len() - 8;
    crc[at] ^= 1;
    let c = compare(&first[..], &crc[..]);
    assert_eq!((c.added.len(), c.removed.len(), c.same), (0, 0, 5));
    assert_eq!(c.listed_all, (true, true));
    assert_eq!(c.incomplete("a.tgz", "b.tgz"), None);
    let note = c.damaged_past_entries("a.tgz", "b.tgz").unwrap();
    assert!(note.starts_with("b.tgz is damaged past the last entry (see the findings): every entry was read and compared, none is missing"), "{note}");
    assert!(!c.identical(), "a damaged file is not the same file");
    // Cut short, the entries past the damage are missing: that note, not this one.
    let cut = &first[..first.len() * 2 / 3];
    let c = compare(&first[..], cut);
    assert!(c.incomplete("a.tgz", "b.tgz").is_some());
    assert_eq!(c.damaged_past_entries("a.tgz", "b.tgz"), None);
}

#[test]
fn files_that_differ_and_one_damaged_past_its_last_entry_are_said_both() {
    let first = gzip(&tar_of(&[("a", b"one"), ("b", b"two")]));
    let mut second = gzip(&tar_of(&[("a", b"one"), ("b", b"2")]));
    let at = second.len() - 8;
    second[at] ^= 1;
    let c = compare(&first[..], &second[..]);
    assert_eq!((c.same, c.changed.len()), (1, 1));
    assert_eq!(c.incomplete("a.tgz", "b.tgz"), None);
    let verdict = c.verdict("a.tgz", "b.tgz");
    let differ = "a.tgz (first) and b.tgz (second) differ. ";
    let damaged = "b.tgz is damaged past the last entry (see the findings): every entry was read and compared, none is missing";
    assert!(
        verdict.starts_with(&format!("{differ}{damaged}")),
        "{verdict}"
    );
    // Not differing, only the damage is said; whole and the same, only that.
    let mut crc = first.clone();
    let at = crc.len() - 8;
    crc[at] ^= 1;
    let verdict = compare(&first[..], &crc[..]).verdict("a.tgz", "b.tgz");
    assert!(verdict.starts_with(damaged), "{verdict}");
    assert_eq!(
        compare(&first[..], &first[..]).verdict("a.tgz", "b.tgz"),
        "a.tgz and b.tgz hold the same entries with the same data."
    );
}

#[test]
fn entries_out_of_step_past_the_waiting_budget_are_counted_as_not_compared() {
    // 100 tiny entries, the second file in reverse order: each waits for its pair.
    let names: Vec<String> = (0..100).map(|i| format!("e{i:02}")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), n.as_bytes())).collect();
    let first = gzip(&tar_of(&entries));
    let reversed: Vec<(&str, &[u8])> = entries.iter().rev().copied().collect();
    let second = gzip(&tar_of(&reversed));
    assert!(
        compare(&first[..], &second[..]).identical(),
        "within 32 MiB"
    );
    // About 10 entries' room: the rest met with no pair waiting are not compared.
    let c = compare_within(&first[..], &second[..], None, 2_000);
    let (a, b) = &c.not_compared;
    assert!(a.count > 50 && a.count < 100, "{a:?}");
    assert_eq!(a.count, b.count);
    assert_eq!(c.same + a.count, 100);
    // Those that waited were paired: none is taken for added, removed or changed.
    assert_eq!((c.added.len(), c.removed.len(), c.changed.len()), (0, 0, 0));
    assert!(!c.identical());
    let first_skipped = |n: &NotCompared| n.first.clone().unwrap();
    let (x, y) = (first_skipped(a), first_skipped(b));
    assert_eq!(x, names[c.same as usize / 2]);
    assert_eq!(y, names[99 - c.same as usize / 2]);
    let said = format!("The comparison is partial: the entries waiting for their pair in the other file reached 32 MiB, so {} entries of a.tgz (the first: {x}) and {} entries of b.tgz (the first: {y}) were read but not compared, and are not counted as added, removed or changed (every other entry was).", a.count, b.count);
    let why = c.incomplete("a.tgz", "b.tgz").unwrap();
    assert!(why.starts_with(&said), "{why}");
    assert_eq!(c.verdict("a.tgz", "b.tgz"), why);
}

#[test]
fn changed_entries_past_the_lists_room_are_counted_not_listed() {
    // Two exports of the same 100 users: every entry's (encrypted) data differs.
    let names: Vec<String> = (0..100).map(|i| format!("u{i:02}")).collect();
    let data: Vec<String> = names.iter().map(|n| format!("{n} again")).collect();
    let first = tar_of(
        &names
            .iter()
            .map(|n| (n.as_str(), n.as_bytes()))
            .collect::<Vec<_>>(),
    );
    let second = tar_of(
        &(names.iter().zip(&data))
            .map(|(n, d)| (n.as_str(), d.as_bytes()))
            .collect::<Vec<_>>(),
    );
    let whole = compare(&first[..], &second[..]);
    assert_eq!((whole.changed.len(), whole.changed_unlisted), (100, 0));
    assert_eq!(whole.changed_unlisted_note(), None);
    // Room for about 8 pairs: the first met are listed, every one is counted.
    let c = compare_within(&first[..], &second[..], None, 2_000);
    let listed = c.changed.len();
    assert!((2..20).contains(&listed), "{listed}");
    assert_eq!(c.changed_count(), 100);
    assert_eq!(c.changed_unlisted, 100 - listed as u64);
    assert_eq!(c.changed[0].0.path, "u00");
    assert!(!c.identical());
    assert!(c.verdict("a.tgz", "b.tgz").contains("differ"));
    let note = c.changed_unlisted_note().unwrap();
    assert!(
        note.starts_with(&format!("{} more changed entries were counted but not listed: the list holds the first {listed} met", 100 - listed)),
        "{note}"
    );
}

#[test]
fn a_repackaged_copy_matches_its_source_across_the_rename() {
    let original = sample();
    let (copy, _) = repackage(&original[..], Vec::new(), Direction::ToDevice).unwrap();
    let c = compare(&original[..], &copy[..]);
    assert!(c.identical(), "{c:?}");
    assert_eq!(
        (c.same, c.across_rename),
        (5, 3),
        "the folder and 2 files (the link keeps its own path)"
    );
    let note = c.rename_note().unwrap();
    let first = "(the first: BioStarX_20250102_030405/ in the first file, BioStar2_20250102_030405/ in the second).";
    assert!(note.starts_with("Paths were matched across the rename: 3 entries whose paths differ only by the BioStarX_ / BioStar2_ prefix"), "{note}");
    assert!(note.ends_with(first), "{note}");
    // Two paths of one file that key alike are both kept.
    let other = data_file(&[(
        "BioStar2_20250102_030406/user.dat",
        b"encrypted users",
        0o600,
        1,
    )]);
    let both = data_file(&[
        ("BioStarX_20250102_030405/x", b"1", 0o600, 1),
        ("BioStar2_20250102_030405/x", b"2", 0o600, 1),
    ]);
    let c = compare(&both[..], &other[..]);
    let paths = |s: &[super::compare::Side]| s.iter().map(|x| x.path.clone()).collect::<Vec<_>>();
    assert_eq!(paths(&c.added), ["BioStar2_20250102_030406/user.dat"]);
    assert_eq!(
        paths(&c.removed),
        ["BioStar2_20250102_030405/x", "BioStarX_20250102_030405/x"]
    );
    assert_eq!(
        c.rename_note(),
        None,
        "the folder and the link match by their own paths"
    );
}

#[test]
fn two_exports_made_at_different_times_match_their_entries_with_the_folders_set_aside() {
    let photo: Vec<u8> = (0..5000u32).map(|i| (i * 13 % 251) as u8).collect();
    let export = |folder: &str, users: &[u8], extra: Option<&str>| {
        let (p, u) = (
            format!("{folder}/photos/1.jpg"),
            format!("{folder}/user.dat"),
        );
        let mut entries: Vec<(&str, &[u8])> = vec![(&p, &photo), (&u, users)];
        let x = extra.map(|x| format!("{folder}/{x}"));
        entries.extend(x.as_deref().map(|x| (x, &b"new"[..])));
        gzip(&tar_of(&entries))
    };
    let first = export("BioStarX_20250102_030405", b"users v1", None);
    let second = export(
        "BioStarX_20250103_101010",
        b"users v2",
        Some("photos/2.jpg"),
    );
    let c = compare(&first[..], &second[..]);
    assert_eq!((c.same, c.changed_count(), c.removed.len()), (1, 1, 0));
    assert_eq!(c.changed[0].0.path, "BioStarX_20250102_030405/user.dat");
    assert_eq!(c.changed[0].1.path, "BioStarX_20250103_101010/user.dat");
    let added: Vec<&str> = c.added.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(added, ["BioStarX_20250103_101010/photos/2.jpg"]);
    assert_eq!((c.across_export_folders, c.across_rename), (2, 0));
    assert_eq!(
        c.export_folders_note().as_deref(),
        Some("Paths were matched with their export folder names set aside: the first file's entries are under BioStarX_20250102_030405, the second's under BioStarX_20250103_101010 (exports made at different times), so 2 entries whose paths differ only in that folder were taken as the same entry and compared by SHA-256.")
    );
    assert_eq!(c.rename_note(), None);
    // The same entries under another time and the device's prefix: all the same.
    let copy = export("BioStar2_20250104_000000", b"users v1", None);
    let c = compare(&first[..], &copy[..]);
    assert!(c.identical(), "{c:?}");
    assert_eq!((c.same, c.across_export_folders), (2, 2));
    let folders = ("BioStarX_20250102_030405", "BioStar2_20250104_000000");
    let folders = (folders.0.to_string(), folders.1.to_string());
    assert_eq!(c.export_folders, Some(folders));
    // Only the root is set aside: a deeper folder named like an export is a path as any.
    let deep = |root: &str| gzip(&tar_of(&[(&format!("{root}/x"), &b"1"[..])]));
    let a = deep("data/BioStarX_20250102_030405");
    let b = deep("data/BioStarX_20250103_101010");
    let c = compare(&a[..], &b[..]);
    assert_eq!((c.added.len(), c.removed.len(), c.same), (1, 1, 0));
    assert_eq!(c.export_folders_note(), None);
}

/// `len` pseudo-random bytes (xorshift), like encrypted records.
fn random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// `len` bytes of CSV-like user records.
fn text(len: usize) -> Vec<u8> {
    let rows = (0..).map(|i| format!("{i},User {i},{},card {}\n", i % 7, i * 31 % 1000));
    let mut out: Vec<u8> = rows.take(len).flat_map(String::into_bytes).collect();
    out.truncate(len);
    out
}

/// The files (path, data) as a plain tar.
fn tar_of_files(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let entries: Vec<(&str, &[u8])> = files.iter().map(|(p, d)| (p.as_str(), &d[..])).collect();
    tar_of(&entries)
}

/// The files as a plain tar, gzip-compressed, repackaged for a device.
fn repackaged(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let source = gzip(&tar_of_files(files));
    let (out, outcome) = repackage(&source[..], Vec::new(), Direction::ToDevice).unwrap();
    assert!(outcome.findings.is_empty(), "{:?}", outcome.findings);
    out
}

/// Photos, random (encrypted-like) records and text under a `BioStarX_` folder.
fn mixed_files() -> Vec<(String, Vec<u8>)> {
    let mut jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00".to_vec();
    jpeg.extend(text(30_000));
    vec![
        (format!("{DIR}/a.bin"), random(200_000, 1)),
        (format!("{DIR}/b.csv"), text(50_000)),
        (format!("{DIR}/c.bin"), random(70_000, 2)),
        (format!("{DIR}/d.jpg"), jpeg),
        (format!("{DIR}/e.bin"), random(3_000, 3)),
        (format!("{DIR}/f.bin"), random(9_000, 4)),
        (format!("{DIR}/g.csv"), text(513)),
    ]
}

#[test]
fn stored_and_deflated_entries_mixed_come_out_byte_identical() {
    let files = mixed_files();
    let out = repackaged(&files);
    let after = read_back(&out);
    assert_eq!(after.len(), files.len());
    for ((path, data), a) in files.iter().zip(&after) {
        assert_eq!(a.0, to_device(path));
        assert!(a.4 == *data, "{path}: data differs");
    }
}

#[test]
fn random_data_is_stored_and_text_deflated() {
    let randoms: Vec<(String, Vec<u8>)> = (0..8)
        .map(|i| (format!("{i}.bin"), random(100_000, i + 1)))
        .collect();
    let size = tar_of_files(&randoms).len();
    let out = repackaged(&randoms);
    // Stored blocks: 5 bytes per block and the gzip frame, nowhere near the 5% that
    // deflating random bytes with fixed codes adds.
    assert!(out.len() < size + size / 200, "{} of {size}", out.len());
    assert!(out.len() > size - size / 50, "{} of {size}", out.len());

    // Nothing renamed: the tar written is the tar read, so the sizes compare.
    let texts: Vec<(String, Vec<u8>)> = (0..8)
        .map(|i| (format!("{i}.csv"), text(100_000 + i)))
        .collect();
    let out = repackaged(&texts);
    let tar = tar_of_files(&texts);
    assert!(out.len() < tar.len() / 2, "{} of {}", out.len(), tar.len());
    // No larger than deflating it all at level 1, as the repackager did before.
    let before = gzip(&tar);
    assert!(
        out.len() <= before.len(),
        "{} > {}",
        out.len(),
        before.len()
    );
}

#[test]
fn the_packing_follows_what_the_data_looks_like() {
    use super::repackage::{entropy, packing_for, repeats};
    use crate::formats::gzip::Packing;
    let all: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    assert!((entropy(&all) - 8.0).abs() < 1e-9);
    assert_eq!(entropy(&[7; 100]), 0.0);
    assert_eq!(entropy(&[]), 0.0);
    assert!(repeats(&all), "a cycle of every byte value repeats");
    assert!(!repeats(&random(4096, 9)));

    let noise = random(64 * 1024, 5);
    assert_eq!(packing_for(noise.len() as u64, &noise), Packing::Store);
    assert_eq!(
        packing_for(4_000, &noise[..4_000]),
        Packing::Deflate,
        "too short"
    );
    assert_eq!(
        packing_for(1 << 20, &all),
        Packing::Deflate,
        "every value, but periodic"
    );
    let csv = text(64 * 1024);
    assert_eq!(packing_for(csv.len() as u64, &csv), Packing::Deflate);
    let mut photo = b"\x89PNG\r\n\x1a\n".to_vec();
    photo.extend(text(20_000));
    assert_eq!(packing_for(photo.len() as u64, &photo), Packing::Store);
}

/// The tests that run GNU tar, gzip and mkfifo: natively only (a test compiled to WASI
/// starts no processes).
#[cfg(not(target_arch = "wasm32"))]
mod gnu {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use super::*;

    /// A fresh empty folder under the system's temporary folder.
    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("bioport-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Extracts a `.tgz` with GNU tar into `dir`.
    fn gnu_extract(tgz: &[u8], dir: &Path) {
        let file = dir.with_extension("tgz");
        std::fs::write(&file, tgz).unwrap();
        let status = Command::new("tar")
            .arg("-xzf")
            .arg(&file)
            .arg("-C")
            .arg(dir)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::remove_file(file).unwrap();
    }

    #[test]
    fn gnu_tar_extracts_the_same_files_from_both() {
        let (original, out, _) = sample_for_device();
        let (a, b) = (temp_dir("before"), temp_dir("after"));
        gnu_extract(&original, &a);
        gnu_extract(&out, &b);
        let long = long_path();
        for path in [
            format!("{DIR}/user.dat"),
            long,
            "config/other.bin".into(),
            "alias.dat".into(),
        ] {
            let before = std::fs::read(a.join(&path)).unwrap();
            let after = std::fs::read(b.join(to_device(&path))).unwrap();
            assert!(before == after, "{path} differs");
        }
        std::fs::remove_dir_all(a).unwrap();
        std::fs::remove_dir_all(b).unwrap();
    }

    #[test]
    fn gnu_tar_reads_rewritten_posix_and_pax_names() {
        let split = format!("{DIR}/{}/{}", "d".repeat(100), "n".repeat(60));
        let mut h = tar::Header::new_ustar();
        h.set_path(&split).unwrap();
        h.set_size(4);
        h.set_mode(0o644);
        h.set_cksum();
        let mut builder = tar::Builder::new(Vec::new());
        builder.append(&h, &b"data"[..]).unwrap();
        let pax_path = format!("{DIR}/{}", "p".repeat(150));
        append_pax_entry(&mut builder, &pax_path, b"7", b"pax");
        let out = tar_for_device(builder);
        assert_eq!(sources(&out), [NameSource::Header, NameSource::Pax]);
        let dir = temp_dir("names");
        gnu_extract(&out, &dir);
        assert_eq!(std::fs::read(dir.join(to_device(&split))).unwrap(), b"data");
        assert_eq!(
            std::fs::read(dir.join(to_device(&pax_path))).unwrap(),
            b"pax"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// Runs `gzip -t` on `tgz` (written next to `dir`).
    fn gzip_test(tgz: &[u8], dir: &Path) {
        let file = dir.with_extension("gz");
        std::fs::write(&file, tgz).unwrap();
        let status = Command::new("gzip").arg("-t").arg(&file).status().unwrap();
        assert!(status.success(), "gzip -t failed");
        std::fs::remove_file(file).unwrap();
    }

    /// A tree made on disk and archived by GNU tar in `format` (gnu, pax): files under a
    /// `BioStarX_` folder, one with a 200-byte name, one with a non-ASCII name.
    fn gnu_tar_archive(format: &str) -> (Vec<u8>, Vec<(String, Vec<u8>)>) {
        let dir = temp_dir(&format!("gnu-{format}"));
        let long = format!("{DIR}/faces/{}.jpg", "f".repeat(200));
        let files = vec![
            (format!("{DIR}/user.dat"), random(5_000, 7)),
            (long, text(2_000)),
            (format!("{DIR}/names/Zoë Lindqvist.txt"), b"z".to_vec()),
        ];
        for (path, data) in &files {
            let file = dir.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, data).unwrap();
        }
        let options = ["--sort=name", "--owner=0", "--group=0", "--format", format];
        (gnu_tar(&dir, &options, &[DIR]), files)
    }

    /// `names` in `dir` archived by GNU tar with `options`, gzip-compressed; `dir` removed.
    fn gnu_tar(dir: &Path, options: &[&str], names: &[&str]) -> Vec<u8> {
        let out = Command::new("tar")
            .args(options)
            .args(["-czf", "-", "-C"])
            .arg(dir)
            .args(names)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{said}");
        std::fs::remove_dir_all(dir).unwrap();
        out.stdout
    }

    #[test]
    fn archives_made_by_gnu_tar_list_and_repackage_whole_in_each_format() {
        for format in ["gnu", "pax"] {
            let (tgz, files) = gnu_tar_archive(format);
            let mut listed = Vec::new();
            let listing = list(&tgz[..], ListOptions::default(), &mut |e| {
                listed.push((e.header.path.clone(), e.header.size))
            });
            assert!(listing.is_clean(), "{format}: {:?}", listing.findings);
            for (path, data) in &files {
                let found = listed.iter().find(|(p, _)| p == path);
                assert_eq!(
                    found,
                    Some(&(path.clone(), data.len() as u64)),
                    "{format}: {path}"
                );
            }
            let (out, outcome) = repackage(&tgz[..], Vec::new(), Direction::ToDevice).unwrap();
            assert!(
                outcome.findings.is_empty(),
                "{format}: {:?}",
                outcome.findings
            );
            let dir = temp_dir(&format!("gnu-{format}-out"));
            gnu_extract(&out, &dir);
            for (path, data) in &files {
                let after = std::fs::read(dir.join(to_device(path))).unwrap();
                assert!(&after == data, "{format}: {path} differs");
            }
            std::fs::remove_dir_all(dir).unwrap();
        }
    }

    #[test]
    fn links_and_a_fifo_archived_by_gnu_tar_are_reported() {
        let dir = temp_dir("gnu-links");
        std::fs::write(dir.join("users.dat"), b"u").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.join("link")).unwrap();
        std::fs::hard_link(dir.join("users.dat"), dir.join("again.dat")).unwrap();
        let fifo = Command::new("mkfifo")
            .arg(dir.join("pipe"))
            .status()
            .unwrap();
        assert!(fifo.success());
        let tgz = gnu_tar(&dir, &[], &["users.dat", "again.dat", "link", "pipe"]);
        let listing = list(&tgz[..], ListOptions::default(), &mut |_| {});
        use crate::formats::data_file::FindingKind::{AbsolutePath, DeviceFile, HardLink, Symlink};
        let kinds: Vec<_> = listing.findings.iter().map(|f| f.kind).collect();
        let expected = [HardLink, AbsolutePath, Symlink, DeviceFile];
        assert_eq!(kinds, expected, "{:?}", listing.findings);
        assert!(listing.findings[2]
            .message
            .contains("symbolic link to /etc/passwd"));
        assert_eq!(listing.totals.entries, 4);
    }

    #[test]
    fn gnu_tar_and_gzip_read_stored_and_deflated_entries_mixed() {
        let files = mixed_files();
        let out = repackaged(&files);
        let dir = temp_dir("mixed");
        gnu_extract(&out, &dir);
        for (path, data) in &files {
            let extracted = std::fs::read(dir.join(to_device(path))).unwrap();
            assert!(extracted == *data, "{path} differs after GNU tar");
        }
        gzip_test(&out, &dir);
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn the_same_entries_in_a_file_not_packed_as_biostar_writes_it_are_said_with_its_flaw() {
    let whole = gzip(&tar_of(&[("a", b"one"), ("b", b"two")]));
    let trailing = [&whole[..], b"junk"].concat();
    let joined = [&whole[..], &gzip(&[0; 1024])[..]].concat();
    let plain = tar_of(&[("a", b"one"), ("b", b"two")]);
    for (second, flaw) in [
        (
            &trailing,
            "bytes that are not gzip after its compressed data",
        ),
        (&joined, "several gzip members"),
        (&plain, "a tar archive that is not gzip-compressed"),
    ] {
        let c = compare(&whole[..], &second[..]);
        assert!(c.same_entries() && !c.identical(), "{flaw}");
        let verdict = c.verdict("a.tgz", "b.tgz");
        let said = format!("a.tgz and b.tgz hold the same entries with the same data. b.tgz is not as BioStar writes a data file ({flaw}");
        assert!(verdict.starts_with(&said), "{verdict}");
        assert!(
            verdict.ends_with("; see the findings), so a device may refuse it."),
            "{verdict}"
        );
        assert_eq!(
            c.flaws("b.tgz", "a.tgz").map(|f| f.starts_with("a.tgz")),
            Some(true)
        );
    }
    assert_eq!(compare(&whole[..], &whole[..]).flaws("a", "b"), None);
}
