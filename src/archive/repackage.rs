//! The repackager: writes a data file again as a gzip-compressed tar stream, every entry's
//! bytes, mode and time unchanged, only the entry names (and hard-link targets) that carry
//! the `BioStarX_` name given `BioStar2_` (or back). A plan, read first, lists exactly
//! which names change.

use std::io::{self, Read, Write};

use super::{renamed_entry_path, Direction};
use crate::formats::data_file::{EntryHeader, EntryType, Finding, TarWalker, WalkOptions};

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
/// in words) when the source cannot be read to its end or a name cannot be written. What
/// was written to `out` by then is incomplete and must be discarded.
pub fn repackage<R: Read, W: Write>(
    reader: R,
    out: W,
    direction: Direction,
    options: WalkOptions,
) -> Result<(W, Outcome), String> {
    let gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    let mut builder = tar::Builder::new(gz);
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
        write_entry(&mut builder, &entry, &path, target.as_deref(), &mut walker).map_err(|e| {
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
    let gz = builder.into_inner().map_err(io_error)?;
    let out = gz.finish().map_err(io_error)?;
    Ok((out, outcome))
}

/// Writes one entry: its own header's fields (mode, times, owner, type) with its path,
/// size and time as read, and its data streamed from the walk.
fn write_entry<W: Write, R: Read>(
    builder: &mut tar::Builder<W>,
    entry: &EntryHeader,
    path: &str,
    target: Option<&str>,
    data: &mut TarWalker<R>,
) -> io::Result<()> {
    let mut header = tar::Header::new_old();
    header.as_mut_bytes().copy_from_slice(&entry.raw);
    header.set_size(entry.size);
    header.set_mtime(entry.mtime);
    match (entry.kind, target) {
        (EntryType::Symlink | EntryType::HardLink, Some(target)) => {
            builder.append_link(&mut header, path, target)
        }
        _ => builder.append_data(&mut header, path, data),
    }
}
