//! The listing a screen keeps: every entry of a verify-and-list pass packed (about 20
//! bytes an entry, under a budget, so 500,000 entries stay small), handed out a
//! page of [`EntryRow`]s at a time, with the totals, the findings and how many entry paths
//! carry either data file prefix. Also: reading one entry's bytes ([`entry_bytes`]) for a
//! thumbnail or a hex view, and the view of a comparison ([`ComparisonView`]).

use std::io::Read;

use serde::{Deserialize, Serialize};

use super::compare::{Comparison, Side};
use super::device::Oversized;
use super::packed::{Packed, PackedEntry};
use super::repackage::{renames_of, Plan};
use super::{carries_prefix, Direction};
use crate::formats::data_file::{
    hex, At, Content, CutEntry, EntryType, Finding, ListedEntry, Listing, TarWalker,
};

/// One entry as a table row shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryRow {
    /// Its position in the archive, from 0.
    pub index: u64,
    /// Its path.
    pub path: String,
    /// Its type in words ("file", "folder", "symlink", ...).
    pub kind: String,
    /// A link's target.
    pub link: Option<String>,
    /// Its data size in bytes.
    pub size: u64,
    /// Its mode in octal, as `ls` and `tar -tv` count it ("644").
    pub mode: String,
    /// Its modification time, UTC, `YYYY-MM-DD HH:MM:SS`.
    pub mtime: String,
    /// Where its header starts in the uncompressed archive.
    pub offset: u64,
    /// What its bytes look like ("JPEG photo", "text", "other", ...).
    pub content: String,
    /// True for a JPEG or PNG photo (a thumbnail can be shown).
    pub photo: bool,
    /// The SHA-256 of its data as `sha256sum` prints it, when hashed.
    pub sha256: Option<String>,
}

/// One finding as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRow {
    /// The byte it is at.
    pub byte: u64,
    /// True when the byte counts in the file as stored, false in the uncompressed archive.
    pub in_file: bool,
    /// True when the walk could not go on after it (the archive is damaged).
    pub stops: bool,
    /// Where and what, in words ("byte 123 of the file: ...").
    pub text: String,
    /// True for a note that is no problem with the file.
    #[serde(default)]
    pub info: bool,
}

impl From<&Finding> for FindingRow {
    fn from(f: &Finding) -> Self {
        let (byte, in_file) = match f.at {
            At::File(n) => (n, true),
            At::Tar(n) => (n, false),
        };
        FindingRow {
            byte,
            in_file,
            stops: f.kind.stops(),
            text: f.to_string(),
            info: f.kind.is_info(),
        }
    }
}

/// Totals, findings and facts of a listed data file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueView {
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub file_size: u64,
    /// True when every entry was hashed.
    pub hashed: bool,
    /// Entries read in full.
    pub entries: u64,
    /// Photos (JPEG or PNG): likely faces.
    pub photos: u64,
    /// The largest entry's size.
    pub largest: u64,
    /// The totals in words, for display: ("files", 12), ("bytes in entries", 3400), ...
    pub totals: Vec<(String, u64)>,
    /// Gzip members read.
    pub gzip_members: u32,
    /// Uncompressed bytes read.
    pub tar_bytes: u64,
    /// True when a finding stopped the pass before the end (the archive is damaged).
    pub damaged: bool,
    /// True when the damage is past the last entry (a gzip trailer): every entry was read.
    #[serde(default)]
    pub damaged_past_entries: bool,
    /// Everything found, in the order found.
    pub findings: Vec<FindingRow>,
    /// Entries whose path (or link target) carries `BioStarX_`.
    pub carry_server: u64,
    /// Entries whose path (or link target) carries `BioStar2_`.
    pub carry_device: u64,
    /// Entries verified and counted but left out of the list (past the memory budget).
    #[serde(default)]
    pub unlisted: u64,
    /// True when an entry could be written outside the device's folder
    /// ([`crate::formats::data_file::FindingKind::is_unsafe`]).
    #[serde(default)]
    pub unsafe_entries: bool,
    /// The entries too large for FAT32 (counted past the catalogue's budget too).
    #[serde(default)]
    pub oversized: Oversized,
    /// True when the file is a tar archive that is not gzip-compressed.
    #[serde(default)]
    pub not_compressed: bool,
    /// True when the container is not as BioStar writes it though every entry reads
    /// ([`crate::formats::data_file::FindingKind::is_repackable`]; a plain tar among them).
    #[serde(default)]
    pub repackable: bool,
    /// The entry the archive ended inside, if it did (not in the list or the totals).
    #[serde(default)]
    pub cut_off: Option<CutEntry>,
}

impl CatalogueView {
    /// Entries whose names a rename `direction`'s way would rewrite.
    pub fn carrying(&self, direction: Direction) -> u64 {
        match direction {
            Direction::ToDevice => self.carry_server,
            Direction::ToServer => self.carry_device,
        }
    }
}

/// The bytes a catalogue keeps entries in at most: past them, entries are verified and
/// counted but not listed. With the rest of a listing's memory (about 30 MB at most),
/// the worker stays under 64 MB; it holds about 1.5 million entries of a BioStar export,
/// or 600,000 with their SHA-256.
pub const CATALOGUE_BUDGET: usize = 32 * 1024 * 1024;

/// Entries decoded at a time for a plan.
const PLAN_PAGE: usize = 4096;

/// Every entry of one listing, packed for paging ([`Packed`]: about 20 bytes an entry,
/// 32 more when hashed), up to [`CATALOGUE_BUDGET`].
#[derive(Debug, Clone)]
pub struct Catalogue {
    entries: Packed,
    carry_server: u64,
    carry_device: u64,
    oversized: Oversized,
}

impl Default for Catalogue {
    fn default() -> Self {
        Catalogue::with_budget(CATALOGUE_BUDGET)
    }
}

impl Catalogue {
    /// An empty catalogue.
    pub fn new() -> Self {
        Catalogue::default()
    }

    /// An empty catalogue that keeps entries in at most `budget` bytes.
    pub fn with_budget(budget: usize) -> Self {
        Catalogue {
            entries: Packed::new(budget),
            carry_server: 0,
            carry_device: 0,
            oversized: Oversized::default(),
        }
    }

    /// Keeps one listed entry (or counts it, past the budget).
    pub fn add(&mut self, e: &ListedEntry) {
        let h = &e.header;
        let carries = |d: Direction| {
            carries_prefix(&h.path, d) || h.link.as_deref().is_some_and(|l| carries_prefix(l, d))
        };
        self.carry_server += u64::from(carries(Direction::ToDevice));
        self.carry_device += u64::from(carries(Direction::ToServer));
        self.oversized.add(&h.path, h.size);
        let index = self.entries.len();
        self.entries.push(&PackedEntry {
            path: h.path.clone(),
            link: h.link.clone(),
            kind: h.kind,
            content: e.content,
            mode: h.mode,
            size: h.size,
            mtime: h.mtime,
            offset: h.offset,
        });
        let kept = self.entries.len() > index;
        if let Some(sum) = e.sha256.as_deref().and_then(unhex32).filter(|_| kept) {
            self.set_sha256(index, sum);
        }
    }

    /// Records the SHA-256 of entry `index` (kept, or about to be), which may come after
    /// later entries' (a hash computed beside the walk).
    pub fn set_sha256(&mut self, index: usize, sum: [u8; 32]) {
        self.entries.set_sha256(index, sum);
    }

    /// Entries kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Entries verified and counted but not kept: all after the budget was spent.
    pub fn unlisted(&self) -> u64 {
        self.entries.unkept()
    }

    /// True when no entry is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The view of the listing this catalogue was filled from.
    pub fn view(
        &self,
        name: &str,
        file_size: u64,
        hashed: bool,
        listing: &Listing,
    ) -> CatalogueView {
        let t = &listing.totals;
        CatalogueView {
            name: name.to_string(),
            file_size,
            hashed,
            entries: t.entries,
            photos: t.photos,
            largest: t.largest,
            totals: [
                ("entries", t.entries),
                ("files", t.files),
                ("folders", t.dirs),
                ("links", t.links),
                ("other types", t.others),
                ("bytes in entries", t.bytes),
                ("photos", t.photos),
                ("text entries", t.text),
                ("largest entry (bytes)", t.largest),
            ]
            .into_iter()
            .map(|(label, n)| (label.to_string(), n))
            .collect(),
            gzip_members: listing.gzip_members,
            tar_bytes: listing.tar_bytes,
            damaged: listing.stopped,
            damaged_past_entries: listing.stopped && listing.listed_all,
            findings: listing.findings.iter().map(FindingRow::from).collect(),
            carry_server: self.carry_server,
            carry_device: self.carry_device,
            unlisted: self.unlisted(),
            unsafe_entries: listing.findings.iter().any(|f| f.kind.is_unsafe()),
            oversized: self.oversized.clone(),
            not_compressed: (listing.findings.iter())
                .any(|f| f.kind == crate::formats::data_file::FindingKind::NotCompressed),
            repackable: listing.findings.iter().any(|f| f.kind.is_repackable()),
            cut_off: listing.cut_off.clone(),
        }
    }

    /// The plan of a rewrite `direction`'s way made from the kept entries (no need to read
    /// the file again), with the `listing`'s findings; None when some entries were not
    /// kept (past the budget: the file must then be read for it).
    pub fn plan(&self, direction: Direction, listing: &Listing) -> Option<Plan> {
        if self.unlisted() > 0 {
            return None;
        }
        let mut plan = Plan {
            entries: self.entries.len() as u64,
            findings: listing.findings.clone(),
            cut_short: listing.stopped && !listing.listed_all,
            ..Plan::default()
        };
        for start in (0..self.entries.len()).step_by(PLAN_PAGE) {
            for e in self.entries.page(start, PLAN_PAGE) {
                let fields = (e.path.as_str(), e.link.as_deref(), e.kind, e.offset);
                plan.add(renames_of(fields, direction));
            }
        }
        Some(plan)
    }

    /// Rows `start..start + count` (fewer at the end).
    pub fn page(&self, start: usize, count: usize) -> Vec<EntryRow> {
        let hashed = self.entries.all_hashed();
        let rows = self.entries.page(start, count).into_iter();
        (start..)
            .zip(rows)
            .map(|(i, k)| self.row(i, k, hashed))
            .collect()
    }

    fn row(&self, index: usize, k: PackedEntry, hashed: bool) -> EntryRow {
        EntryRow {
            index: index as u64,
            path: k.path,
            kind: kind_label(k.kind),
            link: k.link,
            size: k.size,
            mode: format!("{:o}", k.mode & 0o7777),
            mtime: utc_time(k.mtime),
            offset: k.offset,
            content: content_label(k.content).to_string(),
            photo: k.content.is_photo(),
            sha256: hashed
                .then(|| self.entries.sha256(index))
                .flatten()
                .map(|s| hex(&s)),
        }
    }
}

/// An entry type in words, the same on the page and in the CLI.
pub fn kind_label(kind: EntryType) -> String {
    match kind {
        EntryType::File => "file".into(),
        EntryType::Dir => "folder".into(),
        EntryType::Symlink => "symbolic link".into(),
        EntryType::HardLink => "hard link".into(),
        EntryType::Device => "device file".into(),
        EntryType::Other(b'6') => "FIFO (named pipe)".into(),
        EntryType::Other(flag) => format!("tar type '{}'", flag.escape_ascii()),
    }
}

/// An entry type as a fixed id for scripts (the CLI's JSON): file, dir, symlink,
/// hard_link, device, fifo, other.
pub fn kind_id(kind: EntryType) -> &'static str {
    match kind {
        EntryType::File => "file",
        EntryType::Dir => "dir",
        EntryType::Symlink => "symlink",
        EntryType::HardLink => "hard_link",
        EntryType::Device => "device",
        EntryType::Other(b'6') => "fifo",
        EntryType::Other(_) => "other",
    }
}

/// What an entry's bytes look like as a fixed id for scripts: empty, jpeg, png, text,
/// other.
pub fn content_id(content: Content) -> &'static str {
    match content {
        Content::Empty => "empty",
        Content::Jpeg => "jpeg",
        Content::Png => "png",
        Content::Text => "text",
        Content::Other => "other",
    }
}

/// What an entry's bytes look like, in words.
pub fn content_label(content: Content) -> &'static str {
    match content {
        Content::Empty => "empty",
        Content::Jpeg => "JPEG photo",
        Content::Png => "PNG photo",
        Content::Text => "text",
        Content::Other => "other (not decoded)",
    }
}

/// 64 hex digits as 32 bytes.
fn unhex32(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        let digits = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(digits, 16).ok()?;
    }
    Some(out)
}

/// Seconds since 1970 as a UTC date and time, `YYYY-MM-DD HH:MM:SS`.
pub fn utc_time(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    let (year, month, day) = crate::calendar::civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// One entry's first bytes, read by walking the archive to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryBytes {
    /// The entry's path.
    pub path: String,
    /// Its whole size.
    pub size: u64,
    /// Its first `limit` bytes (all of them when it is smaller).
    pub bytes: Vec<u8>,
}

/// Walks the archive read from `reader` to entry `index` (from 0) and reads its first
/// `limit` bytes; Err in words when the archive ends or stops before it.
pub fn entry_bytes<R: Read>(reader: R, index: u64, limit: u64) -> Result<EntryBytes, String> {
    let mut walker = TarWalker::new(reader);
    let mut at = 0;
    while let Some(header) = walker.next_entry() {
        if at == index {
            let mut bytes = Vec::new();
            let read = (&mut walker).take(limit).read_to_end(&mut bytes);
            return match read {
                Ok(_) => Ok(EntryBytes {
                    path: header.path,
                    size: header.size,
                    bytes,
                }),
                Err(e) => Err(format!("entry {index} could not be read: {e}")),
            };
        }
        at += 1;
    }
    Err(match walker.stop_finding() {
        Some(f) => format!("the archive stops before entry {index}: {f}"),
        None => format!("the archive holds {at} entries, not entry {index}"),
    })
}

/// `bytes` in lines of 16, each as `offset  hex  ascii` (as `xxd` prints them).
pub fn hex_view(bytes: &[u8]) -> String {
    bytes
        .chunks(16)
        .enumerate()
        .map(|(i, line)| {
            let hex: Vec<String> = line.iter().map(|b| format!("{b:02x}")).collect();
            let text: String = line
                .iter()
                .map(|&b| {
                    if (0x20..0x7f).contains(&b) {
                        b as char
                    } else {
                        '.'
                    }
                })
                .collect();
            format!("{:08x}  {:<47}  {text}", i * 16, hex.join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One side of a compared entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideRow {
    /// Its path.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256 as `sha256sum` prints it.
    pub sha256: String,
}

impl From<&Side> for SideRow {
    fn from(s: &Side) -> Self {
        SideRow {
            path: s.path.clone(),
            size: s.size,
            sha256: s.sha256.clone(),
        }
    }
}

/// A comparison as the screen shows it: counts, and up to a cap of rows per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparisonView {
    /// The first file's name.
    pub first: String,
    /// The second file's name.
    pub second: String,
    /// Entries only in the second file.
    pub added: u64,
    /// Entries only in the first.
    pub removed: u64,
    /// Entries in both with different data.
    pub changed: u64,
    /// Entries in both with the same data.
    pub same: u64,
    /// The first added entries, in path order.
    pub added_rows: Vec<SideRow>,
    /// The first removed entries, in path order.
    pub removed_rows: Vec<SideRow>,
    /// The first changed entries (first file, second file), in path order.
    pub changed_rows: Vec<(SideRow, SideRow)>,
    /// What reading the first file found.
    pub findings_first: Vec<FindingRow>,
    /// What reading the second file found.
    pub findings_second: Vec<FindingRow>,
    /// True when both were read through and hold the same entries with the same data.
    pub identical: bool,
    /// The verdict in words: the same, incomplete or partial, different, damaged past the
    /// last entry (each said that is so).
    #[serde(default)]
    pub verdict: String,
    /// Why the comparison is incomplete, when a file could not be read to its end.
    #[serde(default)]
    pub incomplete: Option<String>,
    /// That a file is damaged only past its last entry (every entry compared), when one is.
    #[serde(default)]
    pub damaged_past_entries: Option<String>,
    /// What is wrong with a file whose every entry reads but which is not packed as
    /// BioStar writes it, when one is.
    #[serde(default)]
    pub flaws: Option<String>,
    /// That paths were matched across a `BioStarX_`/`BioStar2_` rename, when they were.
    #[serde(default)]
    pub across_rename: Option<String>,
    /// That paths were matched with their export folder names set aside (exports made at
    /// different times), naming both folders, when they were.
    #[serde(default)]
    pub export_folders: Option<String>,
}

impl ComparisonView {
    /// The view of `c` between files named `first` and `second`, `cap` rows per kind.
    pub fn new(c: &Comparison, first: &str, second: &str, cap: usize) -> Self {
        let rows = |sides: &[Side]| sides.iter().take(cap).map(SideRow::from).collect();
        ComparisonView {
            first: first.to_string(),
            second: second.to_string(),
            added: c.added.len() as u64,
            removed: c.removed.len() as u64,
            changed: c.changed_count(),
            same: c.same,
            added_rows: rows(&c.added),
            removed_rows: rows(&c.removed),
            changed_rows: c
                .changed
                .iter()
                .take(cap)
                .map(|(a, b)| (a.into(), b.into()))
                .collect(),
            findings_first: c.findings_first.iter().map(FindingRow::from).collect(),
            findings_second: c.findings_second.iter().map(FindingRow::from).collect(),
            identical: c.identical(),
            verdict: c.verdict(first, second),
            incomplete: c.incomplete(first, second),
            damaged_past_entries: c.damaged_past_entries(first, second),
            flaws: c.flaws(first, second),
            across_rename: c.rename_note(),
            export_folders: c.export_folders_note(),
        }
    }
}

#[cfg(test)]
#[path = "catalogue_tests.rs"]
mod tests;
