//! The BioStar data file: a gzip-compressed tar archive named `BioStarX_YYYYMMDD_HHMMSS.tgz`.
//!
//! Its signatures, its name pattern, and a streaming check that reads every entry through
//! (so a cut-off archive or a wrong gzip checksum surfaces) while counting them.

use std::io::{self, Read};

use super::Tally;

/// The two bytes every gzip stream starts with.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The gzip compression method byte that follows the magic: deflate, the only one defined.
const GZIP_DEFLATE: u8 = 0x08;

/// Where a tar header carries its format magic.
const USTAR_AT: usize = 257;
/// The magic of a POSIX (and GNU) tar header.
const USTAR: &[u8] = b"ustar";

/// True when `head` starts a gzip stream (magic `1f 8b`, method `08`).
pub fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&GZIP_MAGIC) && head.get(2) == Some(&GZIP_DEFLATE)
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
/// "entries" and "bytes in entries". A gzip stream (told from `head`) is decompressed and
/// its trailer checked; an error (cut-off entry, bad checksum) stops the walk.
pub fn count_entries(head: &[u8], reader: &mut dyn Read, tally: &mut dyn Tally) -> io::Result<()> {
    let gz = head.starts_with(&GZIP_MAGIC);
    let (mut entries, mut bytes) = (0u64, 0u64);
    let mut source: Box<dyn Read + '_> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
    };
    {
        let mut archive = tar::Archive::new(&mut source);
        for entry in archive.entries()? {
            let mut entry = entry?;
            entries += 1;
            let size = entry.header().size()?;
            bytes += size;
            // Read through the entry so gzip and truncation errors surface here.
            let copied = io::copy(&mut entry, &mut io::sink())?;
            if copied != size {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("entry {entries} is cut short: {copied} of {size} bytes"),
                ));
            }
        }
    }
    // Read to the end so the gzip trailer (CRC and length) is checked.
    io::copy(&mut source, &mut io::sink())?;
    tally.count("entries", entries);
    tally.count("bytes in entries", bytes);
    Ok(())
}
