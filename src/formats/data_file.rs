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
    hex, list, read_entry, sha256_hex, Content, CutEntry, ListOptions, ListPass, ListedEntry,
    Listing, Totals, HEADER_ROOM, MAX_HANDED,
};
pub use pushed::{PushedList, SharedFeed};
pub use walk::{
    c_string, parse_number, split_pax_record, ustar_path, At, EntryHeader, EntryType, Finding,
    FindingKind, NameSource, TarWalker, BLOCK, MAX_FINDINGS, MAX_LONG_NAME, MAX_PAX,
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

/// The prefix and `YYYYMMDD_HHMMSS` stamp of a BioStar data file name, if it is one
/// exactly (no copy suffix, `.tgz`).
pub fn data_file_stamp(name: &str) -> Option<(&str, &str)> {
    let read = read_data_file_name(name)?;
    read.is_exact().then_some((read.prefix, read.stamp))
}

/// A BioStar data file name as read, perhaps of a copy: `BioStarX_20240315_101500 (1).tar.gz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataFileName<'a> {
    /// `BioStarX` or `BioStar2`, as written (any case).
    pub prefix: &'a str,
    /// The export time, `YYYYMMDD_HHMMSS`.
    pub stamp: &'a str,
    /// What a browser or file manager added to a copy (` (1)`, ` - Copy`), or "".
    pub copy_suffix: &'a str,
    /// The extension as written: `.tgz` or `.tar.gz`, any case.
    pub extension: &'a str,
}

impl DataFileName<'_> {
    /// True when the name is exactly the pattern: no copy suffix, and `.tgz`.
    pub fn is_exact(&self) -> bool {
        self.copy_suffix.is_empty() && self.extension.eq_ignore_ascii_case(".tgz")
    }
}

/// Reads a BioStar data file name (folders dropped): the pattern, then perhaps a copy's
/// suffix (` (1)`, `(2)`, ` - Copy`, ` copy 2`, ` (another copy)`), then `.tgz` or `.tar.gz`.
pub fn read_data_file_name(name: &str) -> Option<DataFileName<'_>> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    let ext_len = [".tgz", ".tar.gz"]
        .into_iter()
        .find(|e| lower.ends_with(e))?
        .len();
    let (stem, extension) = base.split_at(base.len() - ext_len);
    let (prefix, rest) = stem.split_once('_')?;
    let ok_prefix = is_export_prefix(prefix);
    let stamp = rest.get(..15)?;
    let ok_stamp = is_stamp(stamp);
    let copy_suffix = &rest[15..];
    let ok_suffix = copy_suffix.is_empty() || is_copy_suffix(copy_suffix);
    (ok_prefix && ok_stamp && ok_suffix).then_some(DataFileName {
        prefix,
        stamp,
        copy_suffix,
        extension,
    })
}

/// True when `prefix` is `BioStarX` or `BioStar2`, in any case.
fn is_export_prefix(prefix: &str) -> bool {
    prefix.eq_ignore_ascii_case("biostarx") || prefix.eq_ignore_ascii_case("biostar2")
}

/// True when `stamp` is written as an export time: `YYYYMMDD_HHMMSS` (digits only, not
/// checked as a date and time).
fn is_stamp(stamp: &str) -> bool {
    let b = stamp.as_bytes();
    b.len() == 15
        && b[8] == b'_'
        && (b.iter())
            .enumerate()
            .all(|(i, c)| i == 8 || c.is_ascii_digit())
}

/// The export time of an export folder's name (the root of a data file's entry paths):
/// `BioStarX_` or `BioStar2_` (any case) then `YYYYMMDD_HHMMSS`, nothing after; None when
/// `folder` is no such name.
pub fn export_folder_stamp(folder: &str) -> Option<&str> {
    let (prefix, stamp) = folder.split_once('_')?;
    (is_export_prefix(prefix) && is_stamp(stamp)).then_some(stamp)
}

/// True when `suffix` is what browsers and file managers add to a copy's name: one or
/// more of ` (1)`, `(2)`, ` - Copy`, ` copy`, ` copy 2`, `-2`, ` (copy)`, ` (another copy)`,
/// ` (3rd copy)`, each starting with a space, a dash or a bracket.
fn is_copy_suffix(suffix: &str) -> bool {
    let lower = suffix.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while !rest.is_empty() {
        let trimmed = rest.trim_start_matches([' ', '-']);
        let separated = trimmed.len() < rest.len();
        rest = if let Some(inner) = trimmed.strip_prefix('(') {
            let Some((inside, after)) = inner.split_once(')') else {
                return false;
            };
            let words_copy = inside.ends_with("copy")
                && inside
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b' ');
            if !(is_number(inside) || words_copy) {
                return false;
            }
            after
        } else if let Some(after) = trimmed.strip_prefix("copy").filter(|_| separated) {
            after
        } else if separated {
            let digits = trimmed.len()
                - trimmed
                    .trim_start_matches(|c: char| c.is_ascii_digit())
                    .len();
            if digits == 0 {
                return false;
            }
            &trimmed[digits..]
        } else {
            return false;
        };
    }
    true
}

/// True when `text` is one or more ASCII digits.
fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|c| c.is_ascii_digit())
}

/// Why the file read from `reader` is no data file at all (empty, neither gzip nor tar,
/// gzip holding no tar archive), from its first header alone; None when it may be one.
pub fn not_a_data_file<R: Read>(reader: R) -> Option<Finding> {
    let mut walker = TarWalker::new(reader);
    walker.next_entry();
    let found = walker.findings().iter().find(|f| f.kind.not_a_data_file());
    found.cloned()
}

/// What is said of the file `name` that [`not_a_data_file`] found to be none, as
/// recognition says it of a file named like one that is not gzip.
pub fn not_a_data_file_reason(name: &str, finding: &Finding) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let said = &finding.message;
    format!(
        "{base}: {said} ({}). It is damaged or not a data file: export it again.",
        finding.at
    )
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
    let problems = listing.findings.iter().filter(|f| !f.kind.is_info());
    for finding in problems.filter(|f| !f.kind.stops()) {
        tally.problem(finding.to_string());
    }
    tally.count("entry", "entries", listing.totals.entries);
    tally.count("byte in entries", "bytes in entries", listing.totals.bytes);
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
    fn copies_of_a_data_file_are_read_with_their_suffix_and_extension() {
        let read = |name| read_data_file_name(name).map(|n| (n.stamp, n.copy_suffix, n.extension));
        for (name, suffix) in [
            ("BioStarX_20240315_101500 (1).tgz", " (1)"),
            ("BioStarX_20240315_101500(2).TGZ", "(2)"),
            ("BioStarX_20240315_101500 - Copy.tgz", " - Copy"),
            ("BioStarX_20240315_101500 - Copy (2).tgz", " - Copy (2)"),
            ("BioStarX_20240315_101500 copy 2.tgz", " copy 2"),
            ("BioStarX_20240315_101500-1.tgz", "-1"),
            (
                "BioStarX_20240315_101500 (another copy).tgz",
                " (another copy)",
            ),
            ("BioStarX_20240315_101500 (3rd copy).tgz", " (3rd copy)"),
        ] {
            assert_eq!(
                read(name),
                Some(("20240315_101500", suffix, &name[name.len() - 4..])),
                "{name}"
            );
            assert!(!is_data_file_name(name), "{name} is not exact");
        }
        let gz = read_data_file_name("C:\\usb\\biostarx_20240315_101500.tar.gz").unwrap();
        assert_eq!(
            (gz.prefix, gz.copy_suffix, gz.extension),
            ("biostarx", "", ".tar.gz")
        );
        assert!(!gz.is_exact());
        assert!(read_data_file_name("BioStar2_20240315_101500.tgz")
            .unwrap()
            .is_exact());
        for name in [
            "BioStarX_20240315_1015001.tgz",
            "BioStarX_20240315_101500 final.tgz",
            "BioStarX_20240315_101500 ().tgz",
            "BioStarX_20240315_101500 (1.tgz",
            "BioStarX_20240315_101500copy.tgz",
            "BioStarX_20240315_10150.tgz",
            "BioStarX_20240315_101500.tar",
            "BioStarX_20240315_101500 (1).zip",
        ] {
            assert_eq!(read_data_file_name(name), None, "{name}");
        }
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
