//! The repackager: writes a data file again as a gzip-compressed tar stream, every entry's
//! bytes, mode and time unchanged, only the entry names (and hard-link targets) that carry
//! the `BioStarX_` name given `BioStar2_` (or back). A plan, read first, lists exactly
//! which names change.

use std::io::{self, Read, Write};

use super::{renamed_entry_path, Direction};
use crate::formats::data_file::{
    c_string, ustar_path, EntryHeader, EntryType, Finding, TarWalker, WalkOptions, BLOCK,
};

/// One name the repackager changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// Where the entry's header is in the uncompressed archive.
    pub offset: u64,
    /// True when it is a link target that changes, not the entry's own path.
    pub link: bool,
    /// The name as it is.
    pub from: String,
    /// The name it gets.
    pub to: String,
}

/// What repackaging will do, read before writing anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Entries in the archive.
    pub entries: u64,
    /// Exactly the names that change, in archive order.
    pub renames: Vec<Rename>,
    /// What the walk found (a stopping finding means the file cannot be repackaged).
    pub findings: Vec<Finding>,
}

impl Plan {
    /// True when the archive was read to its end (so it can be repackaged).
    pub fn readable(&self) -> bool {
        !self.findings.iter().any(|f| f.kind.stops())
    }
}

/// The renames of one entry (its path, and a hard link's target) `direction`'s way.
fn entry_renames(entry: &EntryHeader, direction: Direction) -> Vec<Rename> {
    let rename = |name: &str, link: bool| {
        renamed_entry_path(name, direction).map(|to| Rename {
            offset: entry.offset,
            link,
            from: name.to_string(),
            to,
        })
    };
    let target = entry
        .link
        .as_deref()
        .filter(|_| entry.kind == EntryType::HardLink)
        .and_then(|l| rename(l, true));
    rename(&entry.path, false)
        .into_iter()
        .chain(target)
        .collect()
}

/// Reads a data file through and lists exactly which names repackaging `direction`'s way
/// changes.
pub fn plan<R: Read>(reader: R, direction: Direction, options: WalkOptions) -> Plan {
    let mut walker = TarWalker::new(reader, options);
    let mut plan = Plan::default();
    while let Some(entry) = walker.next_entry() {
        plan.entries += 1;
        plan.renames.extend(entry_renames(&entry, direction));
    }
    plan.findings = walker.findings().to_vec();
    plan
}

/// What repackaging wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Entries written.
    pub entries: u64,
    /// Names changed.
    pub renamed: u64,
    /// What the walk found on the way (none of it stopped the writing).
    pub findings: Vec<Finding>,
}

fn io_error(e: io::Error) -> String {
    format!("writing the new data file failed: {e}")
}

/// Writes the data file read from `reader` to `out` as a new gzip-compressed tar stream,
/// with the names renamed `direction`'s way; Err (with the first finding or write error
/// in words) when the source cannot be read to its end. What was written to `out` by then
/// is incomplete and must be discarded.
pub fn repackage<R: Read, W: Write>(
    reader: R,
    out: W,
    direction: Direction,
    options: WalkOptions,
) -> Result<(W, Outcome), String> {
    let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
    let mut walker = TarWalker::new(reader, options);
    let mut outcome = Outcome::default();
    while let Some(entry) = walker.next_entry() {
        let renames = entry_renames(&entry, direction);
        outcome.renamed += renames.len() as u64;
        let new_name = |link: bool, old: &str| {
            let found = renames.iter().find(|r| r.link == link);
            found.map_or(old.to_string(), |r| r.to.clone())
        };
        let path = new_name(false, &entry.path);
        let target = entry.link.as_deref().map(|l| new_name(true, l));
        write_entry(&mut gz, &entry, &path, target.as_deref(), &mut walker).map_err(|e| {
            match walker.stop_finding() {
                Some(f) => f.to_string(),
                None => io_error(e),
            }
        })?;
        outcome.entries += 1;
    }
    if let Some(stop) = walker.stop_finding() {
        return Err(stop.to_string());
    }
    outcome.findings = walker.findings().to_vec();
    gz.write_all(&[0u8; 2 * BLOCK]).map_err(io_error)?;
    let out = gz.finish().map_err(io_error)?;
    Ok((out, outcome))
}

/// The zero bytes after `size` bytes of data up to a whole block.
const ZEROS: [u8; BLOCK] = [0; BLOCK];

/// Writes one entry: its own header block as read, with only a changed name (or a name
/// that came from a long-name or PAX header) written again, then its data streamed from
/// the walk and padded.
fn write_entry<W: Write, R: Read>(
    out: &mut W,
    entry: &EntryHeader,
    path: &str,
    target: Option<&str>,
    data: &mut TarWalker<R>,
) -> io::Result<()> {
    let mut header = tar::Header::new_old();
    header.as_mut_bytes().copy_from_slice(&entry.raw);
    if header.entry_size()? != entry.size {
        header.set_size(entry.size);
    }
    if header.mtime()? != entry.mtime {
        header.set_mtime(entry.mtime);
    }
    if path != ustar_path(&entry.raw) {
        if &entry.raw[257..263] == b"ustar\0" {
            header.as_mut_bytes()[345..500].fill(0);
        }
        put_name(out, &mut header.as_mut_bytes()[..100], b'L', path)?;
    }
    if let Some(target) = target.filter(|t| *t != c_string(&entry.raw[157..257])) {
        put_name(out, &mut header.as_mut_bytes()[157..257], b'K', target)?;
    }
    header.set_cksum();
    out.write_all(header.as_bytes())?;
    let copied = io::copy(&mut data.take(entry.size), out)?;
    if copied != entry.size {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "entry cut off",
        ));
    }
    let pad = (BLOCK - (entry.size % BLOCK as u64) as usize) % BLOCK;
    out.write_all(&ZEROS[..pad])
}

/// Writes `name` into a header's name or link field, preceded (when it does not fit) by a
/// GNU long-name block of type `flag` (`L` for a path, `K` for a link target).
fn put_name<W: Write>(out: &mut W, field: &mut [u8], flag: u8, name: &str) -> io::Result<()> {
    let bytes = name.as_bytes();
    field.fill(0);
    let fits = bytes.len() <= field.len();
    let shown = bytes.len().min(field.len());
    field[..shown].copy_from_slice(&bytes[..shown]);
    if fits {
        return Ok(());
    }
    let mut long = tar::Header::new_gnu();
    long.as_mut_bytes()[..13].copy_from_slice(b"././@LongLink");
    long.set_mode(0o644);
    long.set_mtime(0);
    long.set_size(bytes.len() as u64 + 1);
    long.set_entry_type(tar::EntryType::new(flag));
    long.set_cksum();
    out.write_all(long.as_bytes())?;
    out.write_all(bytes)?;
    let pad = (BLOCK - (bytes.len() + 1) % BLOCK) % BLOCK;
    out.write_all(&ZEROS[..pad + 1])
}
