//! The BioStar data file: a gzip-compressed tar archive named `BioStarX_YYYYMMDD_HHMMSS.tgz`.
//!
//! Its signatures, its name pattern, and a streaming check that reads every entry through
//! (so a cut-off archive or a wrong gzip checksum surfaces) while counting them; the
//! streaming walk ([`TarWalker`]) and the verify-and-list pass ([`list`]) it is built on.

use std::io::{self, Read};

mod feed;
mod list;
mod pushed;
mod walk;

pub use feed::Feed;
pub use list::{
    hex, list, read_entry, sha256_hex, Content, ListOptions, ListPass, ListedEntry, Listing,
    Totals, HEADER_ROOM,
};
pub use pushed::{PushedList, SharedFeed};
pub use walk::{
    c_string, parse_number, split_pax_record, ustar_path, At, EntryHeader, EntryType, Finding,
    FindingKind, NameSource, TarWalker, WalkOptions, BLOCK, MAX_FINDINGS, MAX_LONG_NAME, MAX_PAX,
};

use super::gzip;
use super::Tally;

/// Where a tar header carries its format magic.
const USTAR_AT: usize = 257;
/// The magic of a POSIX (and GNU) tar header.
const USTAR: &[u8] = b"ustar";

/// True when `head` starts a gzip stream (magic `1f 8b`, method `08`).
pub fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&gzip::MAGIC) && head.get(2) == Some(&gzip::DEFLATE)
}

/// True when `head` is the first header of a plain (not compressed) tar archive.
pub fn is_plain_tar(head: &[u8]) -> bool {
    head.get(USTAR_AT..USTAR_AT + USTAR.len()) == Some(USTAR)
}

/// True when a lower-cased file name ends like an archive: `.tgz` or `.tar.gz`.
pub fn has_archive_extension(lower_name: &str) -> bool {
    lower_name.ends_with(".tgz") || lower_name.ends_with(".tar.gz")
}

/// True when the name is `BioStarX_YYYYMMDD_HHMMSS.tgz` or `BioStar2_...` (any case of `.tgz`).
pub fn is_data_file_name(name: &str) -> bool {
    data_file_stamp(name).is_some()
}

/// The prefix and `YYYYMMDD_HHMMSS` stamp of a BioStar data file name, if it is one.
pub fn data_file_stamp(name: &str) -> Option<(&str, &str)> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    let stem_len = lower.strip_suffix(".tgz")?.len();
    let stem = &base[..stem_len];
    let (prefix, stamp) = stem.split_once('_')?;
    let ok_prefix =
        prefix.eq_ignore_ascii_case("biostarx") || prefix.eq_ignore_ascii_case("biostar2");
    let b = stamp.as_bytes();
    let ok_stamp = b.len() == 15
        && b[8] == b'_'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 8 || c.is_ascii_digit());
    (ok_prefix && ok_stamp).then_some((prefix, stamp))
}

/// Streams the archive from its first byte, reading every entry through, and tallies
/// what [`tally_listing`] says of it. A gzip stream is inflated member by member, each
/// trailer checked. Built on [`list`], without hashing.
pub fn count_entries(reader: &mut dyn Read, tally: &mut dyn Tally) -> io::Result<()> {
    let listing = list(reader, ListOptions::default(), &mut |_| {});
    tally_listing(&listing, tally)
}

/// Tallies a listing: "entries" and "bytes in entries" (those read in full when an error
/// stopped the walk), every finding that did not stop the walk (links, unsafe paths, extra
/// members, trailing bytes) as a problem, and what stopped it (cut-off entry, damaged
/// data, a wrong CRC-32 or length) as the error; each says where it is.
pub fn tally_listing(listing: &Listing, tally: &mut dyn Tally) -> io::Result<()> {
    for finding in listing.findings.iter().filter(|f| !f.kind.stops()) {
        tally.problem(finding.to_string());
    }
    tally.count("entries", listing.totals.entries);
    tally.count("bytes in entries", listing.totals.bytes);
    match listing.findings.iter().find(|f| f.kind.stops()) {
        Some(stop) if stop.kind == FindingKind::Truncated => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            stop.to_string(),
        )),
        Some(stop) => Err(io::Error::new(io::ErrorKind::InvalidData, stop.to_string())),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::Seen;
    use std::io::Write;

    /// A gzip-compressed tar of `n` entries of 10,000 bytes that compress poorly.
    fn archive(n: usize) -> Vec<u8> {
        let mut rng = crate::bench::Rng(99);
        let mut tar = tar::Builder::new(Vec::new());
        for i in 0..n {
            let body: Vec<u8> = (0..10_000).map(|_| rng.next() as u8).collect();
            let mut header = tar::Header::new_gnu();
            header.set_size(body.len() as u64);
            header.set_cksum();
            tar.append_data(&mut header, format!("users/{i}.bin"), body.as_slice())
                .unwrap();
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar.into_inner().unwrap()).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn a_cut_off_archive_still_counts_the_entries_read_in_full() {
        let tgz = archive(50);
        let cut = &tgz[..tgz.len() * 7 / 10];
        let mut seen = Seen::default();
        let err = count_entries(&mut &cut[..], &mut seen).unwrap_err();
        assert!(
            err.to_string()
                .contains("inside the compressed data: it is cut off"),
            "{err}"
        );
        let entries = seen.counts[0].1;
        assert!((30..=35).contains(&entries), "{entries} entries");
        assert_eq!(
            seen.counts[1],
            ("bytes in entries".to_string(), entries * 10_000)
        );

        let mut seen = Seen::default();
        count_entries(&mut &tgz[..], &mut seen).unwrap();
        assert_eq!(seen.counts[0], ("entries".to_string(), 50));
        assert!(seen.problems.is_empty());
    }
}

#[cfg(test)]
#[path = "data_file/tests.rs"]
pub(crate) mod walk_tests;
