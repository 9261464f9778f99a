//! Compares two data files as streams, entry by entry by path and SHA-256: what was added,
//! removed or changed. Both are walked in step; while their entries come in the same
//! order nothing is kept, so memory grows only with the entries that differ or move, and
//! each of those holds at most [`SHOWN_PATH`] bytes of its path (GNU long names run to
//! 64 KiB, and a few MB of gzip can hold thousands of them). Paths that differ only by
//! the `BioStarX_` or `BioStar2_` prefix of a component (a file renamed with its paths
//! rewritten) are the same entry, and the comparison counts them; so are paths that differ
//! only in their root, an export folder named for another export time
//! (`BioStarX_20250102_030405/...` and `BioStarX_20250103_101010/...`: two exports of one
//! server). The entries waiting for
//! their pair hold at most [`MAX_WAITING`] bytes: past it, an entry with no pair waiting
//! is counted as not compared, and the comparison says it is partial.

use std::collections::HashMap;
use std::io::Read;

use sha2::{Digest, Sha256};

use super::{renamed_entry_path, Direction, DEVICE_PREFIX, SERVER_PREFIX};
use crate::formats::data_file::{export_folder_stamp, read_entry, Finding, FindingKind, TarWalker};
use crate::text::plural;

/// Most bytes of a path a comparison keeps to show; a longer one is cut there and says
/// its length (entries are matched by their whole path all the same).
pub const SHOWN_PATH: usize = 1024;

/// Bytes the entries waiting for their pair (both files together) may hold, at most, as
/// a listing holds at most [`MAX_HANDED`](crate::formats::data_file::MAX_HANDED): however
/// many tiny entries an archive packs out of step, the comparison's memory stays bounded.
pub const MAX_WAITING: u64 = 32 * 1024 * 1024;

/// The entries of one file read but not compared, because the entries waiting for their
/// pair had spent [`MAX_WAITING`] when they came and none was their pair.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotCompared {
    /// How many.
    pub count: u64,
    /// The path of the first of them.
    pub first: Option<String>,
}

impl NotCompared {
    /// Counts `side` as not compared.
    fn add(&mut self, side: Side) {
        self.count += 1;
        self.first.get_or_insert(side.path);
    }

    /// "12 entries of a.tgz (the first: x/y)", or None when there are none.
    fn said(&self, name: &str) -> Option<String> {
        let first = self.first.as_deref()?;
        Some(format!(
            "{} of {name} (the first: {first})",
            plural(self.count, "entry", "entries")
        ))
    }
}

/// The parts said, joined by `between`; None when none is.
fn joined(parts: impl IntoIterator<Item = Option<String>>, between: &str) -> Option<String> {
    let said: Vec<String> = parts.into_iter().flatten().collect();
    (!said.is_empty()).then(|| said.join(between))
}

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
    /// Entries in both whose data differs (first, second), in path order: the first met,
    /// while they hold at most [`MAX_WAITING`] bytes (the rest are counted in
    /// [`Comparison::changed_unlisted`]).
    pub changed: Vec<(Side, Side)>,
    /// Entries in both whose data differs, past those listed in [`Comparison::changed`].
    pub changed_unlisted: u64,
    /// Bytes the listed changed entries hold.
    changed_bytes: u64,
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
    /// Entries matched with their export folders set aside: their paths differ only in
    /// their root, an export folder named for another export time.
    pub across_export_folders: u64,
    /// The first pair of export folders set aside: the first file's and the second's.
    pub export_folders: Option<(String, String)>,
    /// Whether every entry of each file (first, second) was read: the walk got past its
    /// last entry, whatever it found after (a damaged gzip trailer).
    pub listed_all: (bool, bool),
    /// The entries of each file (first, second) not compared: the comparison is partial.
    pub not_compared: (NotCompared, NotCompared),
}

impl Comparison {
    /// Why the comparison is incomplete, in words, when a file (`first` or `second`, by
    /// name) could not be read to its end (the entries past that point are missing), or
    /// when entries were read but not compared ([`Comparison::partial`]); both when both.
    pub fn incomplete(&self, first: &str, second: &str) -> Option<String> {
        let cut = self.damaged_names(first, second, false).map(|(names, verb)| format!(
            "The comparison is incomplete: {names} {verb} damaged or not a data file (see the findings), so the entries past the damage are missing and show as removed or added. Compare again with whole files."
        ));
        joined([cut, self.partial(first, second)], " ")
    }

    /// That the comparison is partial, in words, when entries were read but not compared
    /// (the entries waiting for their pair had spent [`MAX_WAITING`]): how many of each
    /// file, the first of them, and what to do.
    pub fn partial(&self, first: &str, second: &str) -> Option<String> {
        let (a, b) = &self.not_compared;
        let said = joined([a.said(first), b.said(second)], " and ")?;
        Some(format!(
            "The comparison is partial: the entries waiting for their pair in the other file reached {} MiB, so {} were read but not compared, and are not counted as added, removed or changed (every other entry was). A data file BioStar exports holds nothing like that many entries out of step: check where these came from, or list each with its SHA-256 (bioport inspect --entries --sha256) and compare the lists.",
            MAX_WAITING >> 20,
            said
        ))
    }

    /// The comparison's verdict in words, between files named `first` and `second`: that
    /// they are the same; or why it is incomplete; or that they differ, and that a file is
    /// damaged past its last entry, each said when so.
    pub fn verdict(&self, first: &str, second: &str) -> String {
        if self.same_entries() {
            let same = format!("{first} and {second} hold the same entries with the same data.");
            return joined([Some(same), self.flaws(first, second)], " ").unwrap_or_default();
        }
        let cut = self.damaged_names(first, second, false).is_some();
        let differ =
            !(self.added.is_empty() && self.removed.is_empty() && self.changed_count() == 0);
        let differ =
            (differ && !cut).then(|| format!("{first} (first) and {second} (second) differ."));
        let said = [
            differ,
            self.incomplete(first, second),
            self.damaged_past_entries(first, second),
            self.flaws(first, second),
        ];
        joined(said, " ").unwrap_or_default()
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

    /// What is wrong with each file whose every entry reads but which is not packed as
    /// BioStar writes a data file ([`FindingKind::is_repackable`]), in words, when one is.
    pub fn flaws(&self, first: &str, second: &str) -> Option<String> {
        let files = [
            (first, &self.findings_first),
            (second, &self.findings_second),
        ];
        let said = (files.into_iter())
            .filter(|(_, f)| !f.iter().any(|f| f.kind.stops()))
            .map(|(name, found)| {
                let mut what: Vec<&str> = Vec::new();
                for word in found.iter().filter_map(|f| flaw_words(f.kind)) {
                    if !what.contains(&word) {
                        what.push(word);
                    }
                }
                (!what.is_empty()).then(|| format!("{name} is not as BioStar writes a data file ({}; see the findings), so a device may refuse it.", what.join(", ")))
            });
        joined(said, " ")
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

    /// That paths were matched with their export folder names set aside, in words, naming
    /// both folders, when some were.
    pub fn export_folders_note(&self) -> Option<String> {
        let (a, b) = self.export_folders.as_ref()?;
        let n = self.across_export_folders;
        let verb = if n == 1 { "was" } else { "were" };
        Some(format!(
            "Paths were matched with their export folder names set aside: the first file's entries are under {a}, the second's under {b} (exports made at different times), so {} whose paths differ only in that folder {verb} taken as the same entry and compared by SHA-256.",
            plural(n, "entry", "entries")
        ))
    }

    /// Entries in both whose data differs, listed or not.
    pub fn changed_count(&self) -> u64 {
        self.changed.len() as u64 + self.changed_unlisted
    }

    /// That changed entries were counted past the list's room, in words, when they were.
    pub fn changed_unlisted_note(&self) -> Option<String> {
        (self.changed_unlisted > 0).then(|| {
            format!(
                "{} more changed entries were counted but not listed: the list holds the first {} met (at most {} MiB).",
                self.changed_unlisted,
                self.changed.len(),
                MAX_WAITING >> 20
            )
        })
    }

    /// True when both files were read through, are packed as BioStar writes a data file,
    /// and hold the same entries with the same data, every entry compared.
    pub fn identical(&self) -> bool {
        let flawed = |f: &[Finding]| f.iter().any(|f| f.kind.is_repackable());
        self.same_entries() && !flawed(&self.findings_first) && !flawed(&self.findings_second)
    }

    /// True when both files were read through and hold the same entries with the same
    /// data, every entry compared, whatever else was found.
    pub fn same_entries(&self) -> bool {
        let stopped = |f: &[Finding]| f.iter().any(|f| f.kind.stops());
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed_count() == 0
            && !stopped(&self.findings_first)
            && !stopped(&self.findings_second)
            && self.not_compared == Default::default()
    }
}

/// A finding of a file not packed as BioStar writes it, as a few words for a verdict.
fn flaw_words(kind: FindingKind) -> Option<&'static str> {
    use FindingKind::*;
    match kind {
        NotCompressed => Some("a tar archive that is not gzip-compressed"),
        TrailingBytes => Some("bytes that are not gzip after its compressed data"),
        ExtraMember => Some("several gzip members"),
        TarTrailingData => Some("data after the archive's end marker"),
        _ => None,
    }
}

/// What entries are matched by: the SHA-256 of the whole path, with each component's
/// `BioStarX_` or `BioStar2_` prefix (any case) taken as one, and an export folder at its
/// root taken as any other ([`path_key`]).
type PathKey = [u8; 32];

/// The key of `path`: its SHA-256 with every component's `BioStarX_` or `BioStar2_`
/// prefix hashed as `biostar?_`, so a renamed folder keys the same, and an export folder
/// at its root (`BioStarX_YYYYMMDD_HHMMSS`) hashed as one name, so another export's keys
/// the same; allocates nothing.
fn path_key(path: &str) -> PathKey {
    let mut hash = Sha256::new();
    for (i, part) in path.split('/').enumerate() {
        if i > 0 {
            hash.update(b"/");
        }
        match part.get(..SERVER_PREFIX.len()) {
            _ if i == 0 && export_folder_stamp(part).is_some() => {
                hash.update(b"biostar?_yyyymmdd_hhmmss");
            }
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
/// file key the same (`BioStarX_a/x` and `BioStar2_a/x`), none dropped while `budget`
/// bytes hold them. Once they would hold more, the budget is spent for good: an entry
/// then met with no pair waiting is not compared (its pair may come later, and would be
/// taken for added or removed if the room it freed let that one wait).
struct Unmatched {
    first: Waiting,
    second: Waiting,
    budget: u64,
    spent: bool,
}

impl Unmatched {
    /// No entry waiting yet, at most `budget` bytes of them to hold.
    fn new(budget: u64) -> Self {
        Unmatched {
            first: Waiting::default(),
            second: Waiting::default(),
            budget,
            spent: false,
        }
    }

    /// Pairs `side`, met in the first file when `in_first` (else the second), with the
    /// entry of the other file waiting under `key`; else keeps it waiting while the
    /// budget has room, or counts it as not compared.
    fn meet(&mut self, in_first: bool, key: PathKey, side: Side, result: &mut Comparison) {
        let held = self.first.bytes + self.second.bytes;
        let (mine, other, skipped) = match in_first {
            true => (
                &mut self.first,
                &mut self.second,
                &mut result.not_compared.0,
            ),
            false => (
                &mut self.second,
                &mut self.first,
                &mut result.not_compared.1,
            ),
        };
        match other.take(&key) {
            Some(pair) if in_first => result.pair(side, pair, self.budget),
            Some(pair) => result.pair(pair, side, self.budget),
            None => {
                self.spent |= held + waiting_bytes(&side) > self.budget;
                match self.spent {
                    true => skipped.add(side),
                    false => mine.put(key, side),
                }
            }
        }
    }
}

/// The bytes an entry waiting for its pair holds: its strings, itself, its key and its
/// share of the map.
fn waiting_bytes(side: &Side) -> u64 {
    let fixed = std::mem::size_of::<PathKey>() + std::mem::size_of::<Vec<Side>>() + 16;
    side_bytes(side) + fixed as u64
}

/// Bytes `side` holds.
fn side_bytes(side: &Side) -> u64 {
    (side.path.capacity() + side.sha256.capacity() + std::mem::size_of::<Side>()) as u64
}

/// The entries of one side waiting for their match, first met first, and the bytes they
/// hold.
#[derive(Default)]
struct Waiting {
    sides: HashMap<PathKey, Vec<Side>>,
    bytes: u64,
}

impl Waiting {
    /// Keeps `side` until its match comes.
    fn put(&mut self, key: PathKey, side: Side) {
        self.bytes += waiting_bytes(&side);
        self.sides.entry(key).or_default().push(side);
    }

    /// The first entry waiting under `key`, taken out.
    fn take(&mut self, key: &PathKey) -> Option<Side> {
        let waiting = self.sides.get_mut(key)?;
        let side = waiting.remove(0);
        if waiting.is_empty() {
            self.sides.remove(key);
        }
        self.bytes -= waiting_bytes(&side);
        Some(side)
    }

    /// Every entry still waiting, in path order.
    fn into_sorted(self) -> Vec<Side> {
        sorted(self.sides.into_values().flatten().collect())
    }
}

impl Comparison {
    /// Records a pair with the same path, or with paths that differ only in their root
    /// export folder's time (counted as matched with the folders set aside) or by the
    /// `BioStarX_`/`BioStar2_` prefix (counted as matched across the rename); a changed
    /// pair is listed while the list holds less than `budget` bytes, else counted.
    fn pair(&mut self, a: Side, b: Side, budget: u64) {
        if a.path != b.path {
            match other_export_folders(&a.path, &b.path) {
                Some(folders) => {
                    self.across_export_folders += 1;
                    self.export_folders.get_or_insert(folders);
                }
                None => {
                    self.across_rename += 1;
                    let paths = || (a.path.clone(), b.path.clone());
                    self.first_across_rename.get_or_insert_with(paths);
                }
            }
        }
        if a.sha256 == b.sha256 && a.size == b.size {
            self.same += 1;
        } else if self.changed_bytes < budget {
            self.changed_bytes += side_bytes(&a) + side_bytes(&b);
            self.changed.push((a, b));
        } else {
            self.changed_unlisted += 1;
        }
    }
}

/// The root folders of paths `a` and `b` when both are export folders named for
/// different export times (`BioStarX_20250102_030405`, `BioStarX_20250103_101010`).
fn other_export_folders(a: &str, b: &str) -> Option<(String, String)> {
    fn root(path: &str) -> Option<(&str, &str)> {
        let folder = path.split('/').next().unwrap_or(path);
        Some((folder, export_folder_stamp(folder)?))
    }
    let ((a, at), (b, bt)) = (root(a)?, root(b)?);
    (at != bt).then(|| (a.to_string(), b.to_string()))
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
    compare_within(first, second, rename, MAX_WAITING)
}

/// [`compare_renamed`], the entries waiting for their pair, and the changed entries
/// listed, each holding at most `budget` bytes.
pub(super) fn compare_within<A: Read, B: Read>(
    first: A,
    second: B,
    rename: Option<Direction>,
    budget: u64,
) -> Comparison {
    let mut a = TarWalker::new(first);
    let mut b = TarWalker::new(second);
    let mut result = Comparison::default();
    let mut open = Unmatched::new(budget);
    loop {
        let (x, y) = (next_side(&mut a, rename), next_side(&mut b, None));
        if x.is_none() && y.is_none() {
            break;
        }
        match (x, y) {
            (Some((k, x)), Some((l, y))) if k == l => result.pair(x, y, budget),
            (x, y) => {
                if let Some((key, x)) = x {
                    open.meet(true, key, x, &mut result);
                }
                if let Some((key, y)) = y {
                    open.meet(false, key, y, &mut result);
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
