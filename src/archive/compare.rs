//! Compares two data files as streams, entry by entry by path and SHA-256: what was added,
//! removed or changed. Both are walked in step; while their entries come in the same
//! order nothing is kept, so memory grows only with the entries that differ or move, and
//! each of those holds at most [`SHOWN_PATH`] bytes of its path (GNU long names run to
//! 64 KiB, and a few MB of gzip can hold thousands of them).

use std::collections::HashMap;
use std::io::Read;

use sha2::{Digest, Sha256};

use super::{renamed_entry_path, Direction};
use crate::formats::data_file::{read_entry, Finding, TarWalker, WalkOptions};

/// Most bytes of a path a comparison keeps to show; a longer one is cut there and says
/// its length (entries are matched by their whole path all the same).
pub const SHOWN_PATH: usize = 1024;

/// An entry on one side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    /// Its path (cut after [`SHOWN_PATH`] bytes, saying its whole length).
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// The SHA-256 of its data, as `sha256sum` prints it.
    pub sha256: String,
}

/// What differs between two data files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Entries only in the second file, in path order.
    pub added: Vec<Side>,
    /// Entries only in the first file, in path order.
    pub removed: Vec<Side>,
    /// Entries in both whose data differs (first, second), in path order.
    pub changed: Vec<(Side, Side)>,
    /// Entries in both with the same data.
    pub same: u64,
    /// What the walk of the first file found.
    pub findings_first: Vec<Finding>,
    /// What the walk of the second file found.
    pub findings_second: Vec<Finding>,
}

impl Comparison {
    /// Why the comparison is incomplete, in words, when a file (`first` or `second`, by
    /// name) could not be read to its end: the entries past that point are missing.
    pub fn incomplete(&self, first: &str, second: &str) -> Option<String> {
        let stopped = |f: &[Finding]| f.iter().any(|f| f.kind.stops());
        let cut: Vec<&str> = [
            (first, &self.findings_first),
            (second, &self.findings_second),
        ]
        .into_iter()
        .filter(|(_, f)| stopped(f))
        .map(|(name, _)| name)
        .collect();
        let (names, verb) = match cut[..] {
            [] => return None,
            [one] => (one.to_string(), "is"),
            _ => (cut.join(" and "), "are"),
        };
        Some(format!(
            "The comparison is incomplete: {names} {verb} damaged or not a data file (see the findings), so the entries past the damage are missing and show as removed or added. Compare again with whole files."
        ))
    }

    /// True when both files were read through and hold the same entries with the same data.
    pub fn identical(&self) -> bool {
        let stopped = |f: &[Finding]| f.iter().any(|f| f.kind.stops());
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && !stopped(&self.findings_first)
            && !stopped(&self.findings_second)
    }
}

/// What entries are matched by: the SHA-256 of the whole path.
type PathKey = [u8; 32];

/// The next entry of a walk, hashed, its path renamed `rename`'s way if given, with the
/// key of its whole path; None at the end or when the walk stopped.
fn next_side<R: Read>(
    walker: &mut TarWalker<R>,
    rename: Option<Direction>,
) -> Option<(PathKey, Side)> {
    let header = walker.next_entry()?;
    let entry = read_entry(walker, header, true)?;
    let path = entry.header.path;
    let path = rename
        .and_then(|d| renamed_entry_path(&path, d))
        .unwrap_or(path);
    let key = Sha256::digest(path.as_bytes()).into();
    let side = Side {
        path: shown(path),
        size: entry.header.size,
        sha256: entry.sha256.unwrap_or_default(),
    };
    Some((key, side))
}

/// `path` as a comparison keeps it: whole up to [`SHOWN_PATH`] bytes, else its start and
/// its length.
fn shown(mut path: String) -> String {
    if path.len() <= SHOWN_PATH {
        return path;
    }
    let len = path.len();
    let mut cut = SHOWN_PATH;
    while !path.is_char_boundary(cut) {
        cut -= 1;
    }
    path.truncate(cut);
    path.push_str(&format!("… ({len} bytes in all)"));
    path.shrink_to_fit();
    path
}

/// Entries met on one side and not yet on the other.
#[derive(Default)]
struct Unmatched {
    first: HashMap<PathKey, Side>,
    second: HashMap<PathKey, Side>,
}

impl Comparison {
    /// Records a pair with the same path.
    fn pair(&mut self, a: Side, b: Side) {
        if a.sha256 == b.sha256 && a.size == b.size {
            self.same += 1;
        } else {
            self.changed.push((a, b));
        }
    }
}

/// Compares the data files read from `first` and `second`.
pub fn compare<A: Read, B: Read>(first: A, second: B, options: WalkOptions) -> Comparison {
    compare_renamed(first, second, None, options)
}

/// Compares the data files read from `first` and `second`, the first's entry paths
/// renamed `rename`'s way if given (to check a repackaged file against its source).
pub fn compare_renamed<A: Read, B: Read>(
    first: A,
    second: B,
    rename: Option<Direction>,
    options: WalkOptions,
) -> Comparison {
    let mut a = TarWalker::new(first, options);
    let mut b = TarWalker::new(second, options);
    let mut result = Comparison::default();
    let mut open = Unmatched::default();
    loop {
        let (x, y) = (next_side(&mut a, rename), next_side(&mut b, None));
        if x.is_none() && y.is_none() {
            break;
        }
        match (x, y) {
            (Some((k, x)), Some((l, y))) if k == l => result.pair(x, y),
            (x, y) => {
                if let Some((key, x)) = x {
                    match open.second.remove(&key) {
                        Some(y) => result.pair(x, y),
                        None => drop(open.first.insert(key, x)),
                    }
                }
                if let Some((key, y)) = y {
                    match open.first.remove(&key) {
                        Some(x) => result.pair(x, y),
                        None => drop(open.second.insert(key, y)),
                    }
                }
            }
        }
    }
    result.removed = sorted(open.first.into_values().collect());
    result.added = sorted(open.second.into_values().collect());
    result.changed.sort_by(|p, q| p.0.path.cmp(&q.0.path));
    result.findings_first = a.findings().to_vec();
    result.findings_second = b.findings().to_vec();
    result
}

fn sorted(mut sides: Vec<Side>) -> Vec<Side> {
    sides.sort_by(|p, q| p.path.cmp(&q.path));
    sides
}
