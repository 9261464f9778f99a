//! Compares two data files as streams, entry by entry by path and SHA-256: what was added,
//! removed or changed. Both are walked in step; while their entries come in the same
//! order nothing is kept, so memory grows only with the entries that differ or move, and
//! each of those holds at most [`SHOWN_PATH`] bytes of its path (GNU long names run to
//! 64 KiB, and a few MB of gzip can hold thousands of them). Paths that differ only by
//! the `BioStarX_` or `BioStar2_` prefix of a component (a file renamed with its paths
//! rewritten) are the same entry, and the comparison counts them.

use std::collections::HashMap;
use std::io::Read;

use sha2::{Digest, Sha256};

use super::{renamed_entry_path, Direction, DEVICE_PREFIX, SERVER_PREFIX};
use crate::formats::data_file::{read_entry, Finding, TarWalker};

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
    /// Entries matched across a rename: their paths differ only by `BioStarX_`/`BioStar2_`.
    pub across_rename: u64,
    /// The first of them: its path in the first file and in the second.
    pub first_across_rename: Option<(String, String)>,
    /// Whether every entry of each file (first, second) was read: the walk got past its
    /// last entry, whatever it found after (a damaged gzip trailer).
    pub listed_all: (bool, bool),
}

impl Comparison {
    /// Why the comparison is incomplete, in words, when a file (`first` or `second`, by
    /// name) could not be read to its end: the entries past that point are missing.
    pub fn incomplete(&self, first: &str, second: &str) -> Option<String> {
        let (names, verb) = self.damaged_names(first, second, false)?;
        Some(format!(
            "The comparison is incomplete: {names} {verb} damaged or not a data file (see the findings), so the entries past the damage are missing and show as removed or added. Compare again with whole files."
        ))
    }

    /// That a file is damaged only past its last entry, in words, when one is (and none
    /// is cut short): every entry was compared, but a device will likely refuse it.
    pub fn damaged_past_entries(&self, first: &str, second: &str) -> Option<String> {
        if self.damaged_names(first, second, false).is_some() {
            return None;
        }
        let (names, verb) = self.damaged_names(first, second, true)?;
        Some(format!(
            "{names} {verb} damaged past the last entry (see the findings): every entry was read and compared, none is missing, but a device will likely refuse a damaged file. Copy it again from where it was exported."
        ))
    }

    /// The names of the files a finding stopped, joined, and "is" or "are": those cut
    /// short before their last entry, or (`listed_all`) those stopped after it.
    fn damaged_names(&self, first: &str, second: &str, listed_all: bool) -> Option<(String, &str)> {
        let stopped = |f: &[Finding]| f.iter().any(|f| f.kind.stops());
        let cut: Vec<&str> = [
            (first, &self.findings_first, self.listed_all.0),
            (second, &self.findings_second, self.listed_all.1),
        ]
        .into_iter()
        .filter(|(_, f, all)| stopped(f) && *all == listed_all)
        .map(|(name, _, _)| name)
        .collect();
        match cut[..] {
            [] => None,
            [one] => Some((one.to_string(), "is")),
            _ => Some((cut.join(" and "), "are")),
        }
    }

    /// That entries were matched across the rename, in words, when some were.
    pub fn rename_note(&self) -> Option<String> {
        let (a, b) = self.first_across_rename.as_ref()?;
        let n = self.across_rename;
        let (count, verb) = if n == 1 {
            ("1 entry".to_string(), "was")
        } else {
            (format!("{n} entries"), "were")
        };
        Some(format!(
            "Paths were matched across the rename: {count} whose paths differ only by the BioStarX_ / BioStar2_ prefix of the same export time {verb} taken as the same entry and compared by SHA-256 (the first: {a} in the first file, {b} in the second)."
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

/// What entries are matched by: the SHA-256 of the whole path, with each component's
/// `BioStarX_` or `BioStar2_` prefix (any case) taken as one ([`path_key`]).
type PathKey = [u8; 32];

/// The key of `path`: its SHA-256 with every component's `BioStarX_` or `BioStar2_`
/// prefix hashed as `biostar?_`, so a renamed folder keys the same; allocates nothing.
fn path_key(path: &str) -> PathKey {
    let mut hash = Sha256::new();
    for (i, part) in path.split('/').enumerate() {
        if i > 0 {
            hash.update(b"/");
        }
        match part.get(..SERVER_PREFIX.len()) {
            Some(head)
                if head.eq_ignore_ascii_case(SERVER_PREFIX)
                    || head.eq_ignore_ascii_case(DEVICE_PREFIX) =>
            {
                hash.update(b"biostar?_");
                hash.update(&part.as_bytes()[head.len()..]);
            }
            _ => hash.update(part.as_bytes()),
        }
    }
    hash.finalize().into()
}

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
    let key = path_key(&path);
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

/// Entries met on one side and not yet on the other, by key: several when paths of one
/// file key the same (`BioStarX_a/x` and `BioStar2_a/x`), none dropped.
#[derive(Default)]
struct Unmatched {
    first: Waiting,
    second: Waiting,
}

/// The entries of one side waiting for their match, first met first.
#[derive(Default)]
struct Waiting(HashMap<PathKey, Vec<Side>>);

impl Waiting {
    /// Keeps `side` until its match comes.
    fn put(&mut self, key: PathKey, side: Side) {
        self.0.entry(key).or_default().push(side);
    }

    /// The first entry waiting under `key`, taken out.
    fn take(&mut self, key: &PathKey) -> Option<Side> {
        let waiting = self.0.get_mut(key)?;
        let side = waiting.remove(0);
        if waiting.is_empty() {
            self.0.remove(key);
        }
        Some(side)
    }

    /// Every entry still waiting, in path order.
    fn into_sorted(self) -> Vec<Side> {
        sorted(self.0.into_values().flatten().collect())
    }
}

impl Comparison {
    /// Records a pair with the same path, or with paths that differ only by the
    /// `BioStarX_`/`BioStar2_` prefix (counted as matched across the rename).
    fn pair(&mut self, a: Side, b: Side) {
        if a.path != b.path {
            self.across_rename += 1;
            let paths = || (a.path.clone(), b.path.clone());
            self.first_across_rename.get_or_insert_with(paths);
        }
        if a.sha256 == b.sha256 && a.size == b.size {
            self.same += 1;
        } else {
            self.changed.push((a, b));
        }
    }
}

/// Compares the data files read from `first` and `second`.
pub fn compare<A: Read, B: Read>(first: A, second: B) -> Comparison {
    compare_renamed(first, second, None)
}

/// Compares the data files read from `first` and `second`, the first's entry paths
/// renamed `rename`'s way if given (to check a repackaged file against its source).
pub fn compare_renamed<A: Read, B: Read>(
    first: A,
    second: B,
    rename: Option<Direction>,
) -> Comparison {
    let mut a = TarWalker::new(first);
    let mut b = TarWalker::new(second);
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
                    match open.second.take(&key) {
                        Some(y) => result.pair(x, y),
                        None => open.first.put(key, x),
                    }
                }
                if let Some((key, y)) = y {
                    match open.first.take(&key) {
                        Some(x) => result.pair(x, y),
                        None => open.second.put(key, y),
                    }
                }
            }
        }
    }
    result.removed = open.first.into_sorted();
    result.added = open.second.into_sorted();
    result.changed.sort_by(|p, q| p.0.path.cmp(&q.0.path));
    result.findings_first = a.findings().to_vec();
    result.findings_second = b.findings().to_vec();
    result.listed_all = (a.listed_all(), b.listed_all());
    result
}

fn sorted(mut sides: Vec<Side>) -> Vec<Side> {
    sides.sort_by(|p, q| p.path.cmp(&q.path));
    sides
}
