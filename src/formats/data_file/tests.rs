//! Tests of the streaming walk and the verify-and-list pass, hostile archives included.

use std::io::Write;

use super::*;

/// The SHA-256 of "abc" (FIPS 180-2, appendix B.1).
const SHA256_ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

/// Gzip-compresses `bytes` in one member.
pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// A plain tar archive of regular files, built with the `tar` crate.
pub(crate) fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o640);
        header.set_mtime(1_700_000_000);
        tar.append_data(&mut header, path, *data).unwrap();
    }
    tar.into_inner().unwrap()
}

/// Appends an entry of `data` named `short` in its header and `path` in a PAX header that
/// also gives its `mtime`.
pub(crate) fn append_pax_entry(
    builder: &mut tar::Builder<Vec<u8>>,
    path: &str,
    mtime: &[u8],
    data: &[u8],
) {
    builder
        .append_pax_extensions([("path", path.as_bytes()), ("mtime", mtime)])
        .unwrap();
    let mut header = tar::Header::new_ustar();
    header.set_path("short").unwrap();
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder.append(&header, data).unwrap();
}

/// A header block written byte by byte (so paths the `tar` crate refuses can be made).
pub(crate) fn raw_header(path: &str, flag: u8, size: u64, link: &str) -> [u8; BLOCK] {
    let mut h = tar::Header::new_ustar();
    h.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
    h.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
    h.set_entry_type(tar::EntryType::new(flag));
    h.set_size(size);
    h.set_mode(0o644);
    h.set_cksum();
    *h.as_bytes()
}

fn run(bytes: &[u8], options: ListOptions) -> (Listing, Vec<ListedEntry>) {
    let mut seen = Vec::new();
    let listing = list(bytes, options, &mut |e| seen.push(e.clone()));
    (listing, seen)
}

fn hashed() -> ListOptions {
    ListOptions { hash: true }
}

fn kinds(listing: &Listing) -> Vec<FindingKind> {
    listing.findings.iter().map(|f| f.kind).collect()
}

#[test]
fn sha256_matches_known_values() {
    assert_eq!(sha256_hex(b"abc"), SHA256_ABC);
    assert_eq!(
        sha256_hex(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn a_clean_archive_lists_every_entry_with_offsets_hashes_and_content() {
    let jpeg = [0xff, 0xd8, 0xff, 0xe0, 1, 2, 3];
    let png = b"\x89PNG\r\n\x1a\n....";
    let other = [0u8, 1, 2, 3, 200];
    let tar = tar_of(&[
        ("a.txt", b"abc"),
        ("face.jpg", &jpeg),
        ("face.png", png),
        ("user.dat", &other),
        ("empty", b""),
    ]);
    let (listing, seen) = run(&gzip(&tar), hashed());
    assert!(listing.is_clean(), "{:?}", listing.findings);
    assert_eq!(listing.gzip_members, 1);
    let offsets: Vec<u64> = seen.iter().map(|e| e.header.offset).collect();
    assert_eq!(offsets, [0, 1024, 2048, 3072, 4096]);
    let a = &seen[0];
    assert_eq!(a.header.path, "a.txt");
    assert_eq!(a.header.kind, EntryType::File);
    assert_eq!(
        (a.header.size, a.header.mode, a.header.mtime),
        (3, 0o640, 1_700_000_000)
    );
    assert_eq!(a.sha256.as_deref(), Some(SHA256_ABC));
    let contents: Vec<Content> = seen.iter().map(|e| e.content).collect();
    use Content::*;
    assert_eq!(contents, [Text, Jpeg, Png, Other, Empty]);
    let t = &listing.totals;
    assert_eq!(
        (t.entries, t.files, t.photos, t.text, t.bytes),
        (5, 5, 2, 1, 27)
    );
    assert_eq!(t.largest, 12);

    let (plain, seen) = run(&tar, ListOptions::default());
    assert_eq!(seen.len(), 5);
    assert_eq!(plain.gzip_members, 0);
    assert!(seen.iter().all(|e| e.sha256.is_none()));
}

#[test]
fn a_plain_tar_is_listed_with_a_finding_that_a_device_expects_gzip() {
    let (plain, seen) = run(&tar_of(&[("a.txt", b"abc")]), ListOptions::default());
    assert_eq!(seen.len(), 1);
    assert!(!plain.stopped);
    assert_eq!(kinds(&plain), [FindingKind::NotCompressed]);
    let said = plain.findings[0].to_string();
    assert!(said.starts_with("Byte 0 of the file: this is a tar archive that is not gzip-compressed: a device expects a gzip-compressed tar (.tgz). Compress it (gzip -c"), "{said}");
}

#[test]
fn padding_of_any_length_after_the_end_marker_is_whole() {
    // Writers pad to records of their own size (tar -b 4 pads to 2048 bytes): no finding.
    for extra in [0, 512, 2048, 8192] {
        let mut tar = tar_of(&[("a", b"abc")]);
        tar.resize(tar.len() + extra, 0);
        let (listing, seen) = run(&gzip(&tar), ListOptions::default());
        assert!(listing.is_clean(), "{extra}: {:?}", listing.findings);
        assert_eq!(seen.len(), 1);
    }
}

#[test]
fn long_names_gnu_and_pax_are_read_whole() {
    let long = format!("users/{}/photo.jpg", "d".repeat(150));
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(3);
    builder
        .append_data(&mut header, &long, &b"abc"[..])
        .unwrap();
    let pax_path = format!("pax/{}", "p".repeat(200));
    append_pax_entry(&mut builder, &pax_path, b"1234.5", b"");
    let (listing, seen) = run(&gzip(&builder.into_inner().unwrap()), hashed());
    assert!(listing.is_clean(), "{:?}", listing.findings);
    assert_eq!(seen[0].header.path, long);
    assert_eq!(seen[0].header.offset, 1024);
    assert_eq!(seen[1].header.path, pax_path);
    assert_eq!(seen[1].header.mtime, 1234);
}

#[test]
fn hostile_paths_and_types_are_each_found() {
    let mut tar = Vec::new();
    for (path, flag, link) in [
        ("/etc/passwd", b'0', ""),
        ("../../escape", b'0', ""),
        ("link", b'2', "/etc/shadow"),
        ("hard", b'1', "a.txt"),
        ("dev", b'3', ""),
    ] {
        tar.extend_from_slice(&raw_header(path, flag, 0, link));
    }
    tar.extend_from_slice(&[0u8; 1024]);
    let (listing, seen) = run(&gzip(&tar), ListOptions::default());
    use FindingKind as F;
    assert_eq!(
        kinds(&listing),
        [
            F::AbsolutePath,
            F::ParentPath,
            F::AbsolutePath,
            F::Symlink,
            F::HardLink,
            F::DeviceFile
        ]
    );
    assert_eq!(listing.findings[1].at, At::Tar(512));
    assert!(listing.findings[2]
        .message
        .contains("link target /etc/shadow"));
    assert!(!listing.stopped);
    let types: Vec<EntryType> = seen.iter().map(|e| e.header.kind).collect();
    use EntryType as T;
    assert_eq!(
        types,
        [T::File, T::File, T::Symlink, T::HardLink, T::Device]
    );
    assert_eq!(listing.totals.links, 2);
}

#[test]
fn a_size_past_the_end_is_a_cut_off_entry() {
    let mut tar = tar_of(&[("a", b"abc")]);
    tar.truncate(1024);
    tar.extend_from_slice(&raw_header("big", b'0', 1 << 40, ""));
    tar.extend_from_slice(&[7u8; 100]);
    let (listing, seen) = run(&gzip(&tar), ListOptions::default());
    assert_eq!(seen.len(), 1);
    assert!(listing.stopped);
    assert_eq!(kinds(&listing), [FindingKind::Truncated]);
    assert_eq!(listing.findings[0].at, At::Tar(1024 + 512 + 100));
    assert!(listing.findings[0].message.contains(
        "the entry big, whose header is at byte 1024, says it holds 1099511627776 bytes"
    ));
    // The cut entry is named, with how much of it was read, beside the entries read whole.
    let cut = listing.cut_off.expect("the cut entry");
    assert_eq!(
        (cut.path.as_str(), cut.size, cut.read, cut.offset),
        ("big", 1 << 40, 100, 1024)
    );
}

#[test]
fn a_damaged_header_checksum_says_where() {
    let mut tar = tar_of(&[("a", b"abc"), ("b", b"def")]);
    tar[1024 + 10] ^= 0x20;
    let (listing, seen) = run(&gzip(&tar), ListOptions::default());
    assert_eq!(seen.len(), 1);
    assert_eq!(kinds(&listing), [FindingKind::HeaderChecksum]);
    assert_eq!(listing.findings[0].at, At::Tar(1024));
}

#[test]
fn gzip_damage_truncation_and_extras_are_found() {
    let tgz = gzip(&tar_of(&[("a", &[5u8; 20_000])]));
    let (cut, _) = run(&tgz[..tgz.len() / 2], ListOptions::default());
    assert_eq!(kinds(&cut), [FindingKind::Truncated]);
    assert!(matches!(cut.findings[0].at, At::File(_)));

    let mut crc = tgz.clone();
    let n = crc.len();
    crc[n - 8] ^= 1;
    let (bad, _) = run(&crc, ListOptions::default());
    assert_eq!(kinds(&bad), [FindingKind::GzipDamaged]);
    assert!(bad.findings[0].message.contains("CRC-32"));
    // One position, the trailer's: not the walk's place with the reader's in the words.
    assert_eq!(bad.findings[0].at, At::File(n as u64 - 8));
    assert!(bad.findings[0]
        .message
        .starts_with("the gzip trailer's CRC-32 is"));

    let mut two = tgz.clone();
    two.extend_from_slice(&gzip(b"more"));
    two.extend_from_slice(b"junk");
    let (extra, _) = run(&two, ListOptions::default());
    use FindingKind::*;
    assert_eq!(kinds(&extra), [TarTrailingData, ExtraMember, TrailingBytes]);
    assert_eq!(extra.findings[1].at, At::File(tgz.len() as u64));
    assert!(!extra.stopped);
}

#[test]
fn not_an_archive_empty_and_not_tar_stop_at_once() {
    let (empty, _) = run(b"", ListOptions::default());
    assert_eq!(kinds(&empty), [FindingKind::Empty]);
    let (zip, _) = run(b"PK\x03\x04 a zip file", ListOptions::default());
    assert_eq!(kinds(&zip), [FindingKind::NotGzip]);
    let (text, _) = run(&gzip(&[b'x'; 5000]), ListOptions::default());
    assert_eq!(kinds(&text), [FindingKind::NotTar]);
    assert_eq!(text.findings[0].at, At::Tar(0));
    let (short, _) = run(&gzip(b"tiny"), ListOptions::default());
    assert_eq!(kinds(&short), [FindingKind::NotTar]);
    let (nothing, _) = run(&gzip(b""), ListOptions::default());
    assert_eq!(kinds(&nothing), [FindingKind::NotTar]);
    assert!(nothing.findings[0].message.contains("contents are empty"));
    let mut cut = tar_of(&[("a", b"abc")]);
    cut.truncate(300);
    let (cut, _) = run(&gzip(&cut), ListOptions::default());
    assert_eq!(kinds(&cut), [FindingKind::Truncated]);
}

#[test]
fn an_archive_without_its_end_marker_is_noted() {
    let mut tar = tar_of(&[("a", b"abc")]);
    tar.truncate(1024);
    let (listing, seen) = run(&gzip(&tar), ListOptions::default());
    assert_eq!(seen.len(), 1);
    assert_eq!(kinds(&listing), [FindingKind::NoEndMarker]);
    assert!(!listing.stopped);
}

#[test]
fn a_huge_extended_header_stops_without_allocating_it() {
    let mut tar = raw_header("././@LongLink", b'L', 10 << 30, "").to_vec();
    tar.extend_from_slice(&[b'n'; 512]);
    let (listing, _) = run(&gzip(&tar), ListOptions::default());
    assert_eq!(kinds(&listing), [FindingKind::HeaderTooLarge]);
}

#[test]
fn data_compressing_far_beyond_200_to_1_is_read_to_its_end_as_whole() {
    // A database's long runs of empty pages: 80 MB that gzip makes about 1000 times smaller,
    // compressed a MiB at a time (the whole tar in memory twice made Node's WASI crash).
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&raw_header("users.db", b'0', 80 << 20, ""))
        .unwrap();
    let mib = vec![0u8; 1 << 20];
    for _ in 0..80 {
        gz.write_all(&mib).unwrap();
    }
    gz.write_all(&tar_of(&[("after", b"abc")])).unwrap();
    let tgz = gz.finish().unwrap();
    assert!(tgz.len() < (80 << 20) / 300, "{} bytes", tgz.len());
    let (listing, seen) = run(&tgz, ListOptions::default());
    assert!(listing.is_clean(), "{:?}", listing.findings);
    assert_eq!(seen.len(), 2);
}

#[test]
fn a_bomb_claiming_more_than_it_holds_is_read_through_and_called_cut_off() {
    let mut tar = raw_header("bomb", b'0', 8 << 30, "").to_vec();
    tar.resize(tar.len() + (16 << 20), 0);
    let (listing, seen) = run(&gzip(&tar), ListOptions::default());
    assert!(seen.is_empty());
    assert!(listing.stopped);
    // Cut off, and noted for how far its gzip data inflated.
    assert_eq!(
        kinds(&listing),
        [FindingKind::Truncated, FindingKind::Inflated]
    );
    assert!(
        listing.findings[0]
            .message
            .contains("says it holds 8589934592 bytes"),
        "{}",
        listing.findings[0]
    );
}

// Natively only: the same code in wasm, and its 80 MB would strain Node's WASI.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_data_handed_over_is_bounded_however_far_the_archive_inflates() {
    // 48 entries of 1 MiB of zeros: about 50 kB of gzip, 48 MiB if all were handed over.
    let zeros = vec![0u8; 1 << 20];
    let names: Vec<String> = (0..48).map(|i| format!("e{i}")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &zeros[..])).collect();
    let tar = tar_of(&entries);
    let walker = TarWalker::new(&tar[..]);
    let mut pass = ListPass::new(walker, true).handing_over(8 << 20);
    let mut seen = Vec::new();
    assert!(pass.advance(None, &mut |e| seen.push(e.clone())));
    let handed = pass.take_handed();
    let held: usize = handed.iter().map(|(_, d)| d.len()).sum();
    assert!(held as u64 <= MAX_HANDED + (1 << 20), "{held} bytes held");
    // Every entry gets its hash: handed over, or computed here past the bound.
    assert_eq!(
        handed.len() + seen.iter().filter(|e| e.sha256.is_some()).count(),
        48
    );
    assert_eq!(
        seen[47].sha256.as_deref(),
        Some(sha256_hex(&zeros).as_str())
    );
}

#[test]
fn a_pass_hands_small_entries_over_whole_and_hashes_the_rest() {
    let big = vec![5u8; 5000];
    let tar = tar_of(&[("a.txt", b"abc"), ("big", &big), ("empty", b"")]);
    let walker = TarWalker::new(&tar[..]);
    let mut pass = ListPass::new(walker, true).handing_over(1000);
    let mut seen = Vec::new();
    assert!(pass.advance(None, &mut |e| seen.push(e.clone())));
    let hashes: Vec<Option<&str>> = seen.iter().map(|e| e.sha256.as_deref()).collect();
    let big_sum = sha256_hex(&big);
    assert_eq!(hashes, [None, Some(big_sum.as_str()), None]);
    let handed = pass.take_handed();
    assert_eq!(handed, [(0, b"abc".to_vec()), (2, Vec::new())]);
    assert!(pass.take_handed().is_empty());
    let (whole, _) = run(&tar, hashed());
    assert_eq!(pass.listing(), whole);
}

#[test]
fn a_finding_says_its_place_once() {
    let finding = |at: At, message: &str| {
        let kind = FindingKind::Truncated;
        let message = message.to_string();
        Finding { kind, at, message }.to_string()
    };
    // Capitalised, as a message that starts with its byte is.
    let said = "the file ends at byte 262, inside the compressed data";
    assert_eq!(
        finding(At::File(262), said),
        "The file ends at byte 262, inside the compressed data"
    );
    let said = "Byte 1171 of the file: gzip member 2 starts here";
    assert_eq!(finding(At::File(1171), said), said);
    // "byte 512" does not name byte 5.
    assert_eq!(
        finding(At::Tar(5), "an entry of byte 512"),
        "Byte 5 of the uncompressed archive: an entry of byte 512"
    );
    assert_eq!(
        finding(At::Tar(512), "a bad header"),
        "Byte 512 of the uncompressed archive: a bad header"
    );
}

#[test]
fn the_first_unsafe_entry_past_the_most_kept_findings_is_kept() {
    let mut tar = Vec::new();
    let names = (0..MAX_FINDINGS + 1).map(|i| (format!("link{i}"), tar::EntryType::Symlink));
    let unsafe_names = ["../evil", "/abs"].map(|n| (n.to_string(), tar::EntryType::Regular));
    for (name, kind) in names.chain(unsafe_names) {
        let mut h = tar::Header::new_gnu();
        // Raw bytes: the tar crate refuses `..`.
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_entry_type(kind);
        h.set_link_name("target").unwrap();
        h.set_size(0);
        h.set_cksum();
        tar.extend_from_slice(h.as_bytes());
    }
    tar.extend_from_slice(&[0; 1024]);
    let (listing, _) = run(&gzip(&tar), ListOptions::default());
    let kinds: Vec<_> = listing.findings[MAX_FINDINGS..]
        .iter()
        .map(|f| f.kind)
        .collect();
    // The parent path is kept; the absolute one after it is counted with the 1,001st link.
    use FindingKind::*;
    assert_eq!(kinds, [ParentPath, FindingsLeftOut]);
    assert!(listing
        .findings
        .last()
        .unwrap()
        .message
        .starts_with("2 more findings"));
}

#[test]
fn findings_past_the_most_kept_are_counted_in_one_and_extra_members_noted_once() {
    let mut tar = Vec::new();
    for i in 0..MAX_FINDINGS + 30 {
        let mut h = tar::Header::new_gnu();
        h.set_path(format!("link{i}")).unwrap();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_link_name("target").unwrap();
        h.set_size(0);
        h.set_cksum();
        tar.extend_from_slice(h.as_bytes());
    }
    tar.extend_from_slice(&[0; 1024]);
    let mut tgz = gzip(&tar);
    for _ in 0..5 {
        tgz.extend_from_slice(&gzip(b""));
    }
    let (listing, seen) = run(&tgz, ListOptions::default());
    assert_eq!(seen.len(), MAX_FINDINGS + 30);
    assert_eq!(listing.gzip_members, 6);
    assert_eq!(listing.findings.len(), MAX_FINDINGS + 1);
    assert!(listing.findings[..MAX_FINDINGS]
        .iter()
        .all(|f| f.kind == FindingKind::Symlink));
    let last = listing.findings.last().unwrap();
    assert_eq!(last.kind, FindingKind::FindingsLeftOut);
    assert_eq!(last.at, At::Tar(512 * MAX_FINDINGS as u64));
    // 30 more links and the first extra gzip member (the later four are not noted).
    assert_eq!(
        last.to_string(),
        "Byte 512000 of the uncompressed archive: 31 more findings from here on are not listed (the first 1000 are)"
    );
    // A walk that stops past the cap keeps its stopping finding, then the count.
    let (cut, _) = run(&tgz[..tgz.len() - 200], ListOptions::default());
    let kinds: Vec<_> = cut.findings[MAX_FINDINGS..]
        .iter()
        .map(|f| f.kind)
        .collect();
    assert_eq!(
        kinds,
        [FindingKind::Truncated, FindingKind::FindingsLeftOut]
    );
}

#[test]
fn gzip_data_inflating_past_a_plausible_ratio_is_noted_and_read_through() {
    let zeros = vec![0u8; 32 << 20];
    let (listing, seen) = run(
        &gzip(&tar_of(&[("zeros.db", &zeros)])),
        ListOptions::default(),
    );
    assert_eq!(seen.len(), 1);
    assert!(!listing.stopped);
    assert_eq!(kinds(&listing), [FindingKind::Inflated]);
    let said = listing.findings[0].to_string();
    assert!(said.contains("the gzip data inflates about "), "{said}");
    assert!(said.contains(":1 ("), "{said}");
    // Photos and encrypted records hardly compress: no note.
    let mut x = 7u32;
    let noise: Vec<u8> = (0..(20 << 20))
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    let (listing, _) = run(
        &gzip(&tar_of(&[("users.db", &noise)])),
        ListOptions::default(),
    );
    assert!(listing.findings.is_empty(), "{:?}", listing.findings);
}
