//! The entries of a listing packed for keeping, under a budget. Entries go in blocks of
//! 64: each block is one byte string of small fields (variable-length numbers,
//! sizes and times as steps from the entry before) where a path is stored as how much its
//! start and its end share with the path before, and the bytes between. A typical entry of a BioStar export takes
//! 15 to 30 bytes this way, against about 110 as separate fields and strings. SHA-256
//! sums sit beside, in chunks. Once the budget is spent, entries are counted, not kept,
//! so no archive (a hostile one with thousands of 64 KiB names among them) can make a
//! listing grow past it.

use crate::formats::data_file::{Content, EntryType};

/// Entries per block: a page decodes at most this many to reach its first row.
const BLOCK: usize = 64;
/// SHA-256 sums per chunk of them.
const HASH_CHUNK: usize = 1024;

/// One entry as kept and given back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedEntry {
    /// Its path.
    pub path: String,
    /// A link's target.
    pub link: Option<String>,
    /// Its type.
    pub kind: EntryType,
    /// What its first bytes look like.
    pub content: Content,
    /// Its mode.
    pub mode: u32,
    /// Its data size.
    pub size: u64,
    /// Its modification time, seconds since 1970.
    pub mtime: u64,
    /// Where its header starts in the uncompressed archive.
    pub offset: u64,
}

/// The fields each entry is stored as a step from (the start of a block: all zero).
#[derive(Debug, Clone, Default)]
struct Prev {
    path: Vec<u8>,
    mtime: u64,
    offset: u64,
}

/// Entries packed in blocks, with their SHA-256 sums, within a budget of bytes.
#[derive(Debug, Clone)]
pub struct Packed {
    /// Full blocks, each exactly as long as its bytes.
    blocks: Vec<Box<[u8]>>,
    /// The block being filled.
    open: Vec<u8>,
    /// The last entry in the open block, as the next is stored from.
    last: Prev,
    /// Entries kept.
    len: usize,
    /// Entries met once the budget was spent.
    unkept: u64,
    /// SHA-256 sums by entry, in chunks made when a sum in them comes.
    hashes: Vec<Option<Box<[[u8; 32]; HASH_CHUNK]>>>,
    /// Sums recorded (each entry's once).
    hashed: usize,
    /// Bytes held in blocks and hash chunks.
    held: usize,
    budget: usize,
}

impl Packed {
    /// An empty store that keeps entries while they take at most `budget` bytes.
    pub fn new(budget: usize) -> Self {
        Packed {
            blocks: Vec::new(),
            open: Vec::new(),
            last: Prev::default(),
            len: 0,
            unkept: 0,
            hashes: Vec::new(),
            hashed: 0,
            held: 0,
            budget,
        }
    }

    /// Entries kept.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no entry is kept.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Entries not kept: every one after the budget was spent.
    pub fn unkept(&self) -> u64 {
        self.unkept
    }

    /// Bytes the kept entries and sums take.
    pub fn held(&self) -> usize {
        self.held
    }

    /// True when every kept entry has its SHA-256 sum.
    pub fn all_hashed(&self) -> bool {
        self.len > 0 && self.hashed >= self.len
    }

    /// Keeps `entry` after the others, or counts it when it would pass the budget (and
    /// then every entry after it, so the kept ones are always the first).
    pub fn push(&mut self, entry: &PackedEntry) {
        if self.unkept > 0 {
            self.unkept += 1;
            return;
        }
        if self.len.is_multiple_of(BLOCK) && !self.open.is_empty() {
            self.close_block();
        }
        let before = self.open.len();
        encode(&mut self.open, entry, &self.last);
        let grown = self.open.len() - before;
        if self.held + grown + self.open_room() > self.budget {
            self.open.truncate(before);
            self.unkept += 1;
            return;
        }
        self.held += grown;
        self.last = Prev {
            path: entry.path.as_bytes().to_vec(),
            mtime: entry.mtime,
            offset: entry.offset,
        };
        self.len += 1;
    }

    /// Spare room the open block holds beyond its bytes (it grows by doubling).
    fn open_room(&self) -> usize {
        self.open.capacity() - self.open.len()
    }

    /// Moves the open block to the full ones, trimmed, and starts the next from zero.
    fn close_block(&mut self) {
        let block = std::mem::take(&mut self.open).into_boxed_slice();
        self.blocks.push(block);
        self.last = Prev::default();
    }

    /// Records the SHA-256 of entry `index` (kept, or about to be; sums may come after
    /// later entries). Ignored once entries are no longer kept, for entries past them.
    pub fn set_sha256(&mut self, index: usize, sum: [u8; 32]) {
        if self.unkept > 0 && index >= self.len {
            return;
        }
        let (chunk, at) = (index / HASH_CHUNK, index % HASH_CHUNK);
        if self.hashes.len() <= chunk {
            self.hashes.resize_with(chunk + 1, || None);
        }
        let slot = self.hashes[chunk].get_or_insert_with(|| {
            self.held += HASH_CHUNK * 32;
            Box::new([[0; 32]; HASH_CHUNK])
        });
        if slot[at] == [0; 32] {
            self.hashed += 1;
        }
        slot[at] = sum;
    }

    /// The SHA-256 of entry `index`, when recorded.
    pub fn sha256(&self, index: usize) -> Option<[u8; 32]> {
        let chunk = self.hashes.get(index / HASH_CHUNK)?.as_ref()?;
        Some(chunk[index % HASH_CHUNK]).filter(|s| *s != [0; 32])
    }

    /// Entries `start..start + count` (fewer at the end), decoded from their block's start.
    pub fn page(&self, start: usize, count: usize) -> Vec<PackedEntry> {
        let end = start.saturating_add(count).min(self.len);
        let mut out = Vec::with_capacity(end.saturating_sub(start));
        let mut index = start - start % BLOCK;
        while index < end {
            let block = self
                .blocks
                .get(index / BLOCK)
                .map_or(&self.open[..], |b| &b[..]);
            let mut reader = Reader::new(block);
            for i in index..(index + BLOCK).min(self.len) {
                let entry = reader.entry();
                if i >= start && i < end {
                    out.push(entry);
                }
            }
            index += BLOCK;
        }
        out
    }
}

/// Appends `n` as a variable-length number: 7 bits a byte, low first.
fn put_number(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// `now` as a step from `prev`, either way, as a number (zigzag: small both ways).
fn step(prev: u64, now: u64) -> u64 {
    let d = now.wrapping_sub(prev) as i64;
    ((d << 1) ^ (d >> 63)) as u64
}

/// The byte an entry's type and content are stored as (and the type flag of `Other`).
fn kind_byte(kind: EntryType, content: Content, link: bool) -> (u8, Option<u8>) {
    let (k, flag) = match kind {
        EntryType::File => (0, None),
        EntryType::Dir => (1, None),
        EntryType::Symlink => (2, None),
        EntryType::HardLink => (3, None),
        EntryType::Device => (4, None),
        EntryType::Other(f) => (5, Some(f)),
    };
    let c = match content {
        Content::Empty => 0,
        Content::Jpeg => 1,
        Content::Png => 2,
        Content::Text => 3,
        Content::Other => 4,
    };
    (k | c << 3 | u8::from(link) << 6, flag)
}

/// Appends `entry`, stored as steps from `prev`.
fn encode(out: &mut Vec<u8>, entry: &PackedEntry, prev: &Prev) {
    let (byte, flag) = kind_byte(entry.kind, entry.content, entry.link.is_some());
    out.push(byte);
    out.extend(flag);
    put_number(out, u64::from(entry.mode));
    put_number(out, entry.size);
    put_number(out, step(prev.mtime, entry.mtime));
    put_number(out, step(prev.offset, entry.offset));
    let (path, before) = (entry.path.as_bytes(), &prev.path[..]);
    let head = path.iter().zip(before).take_while(|(a, b)| a == b).count();
    let (rest, before_rest) = (&path[head..], &before[head..]);
    let tail = rest.iter().rev().zip(before_rest.iter().rev());
    let tail = tail.take_while(|(a, b)| a == b).count();
    for n in [head, tail, rest.len() - tail] {
        put_number(out, n as u64);
    }
    out.extend_from_slice(&rest[..rest.len() - tail]);
    if let Some(link) = &entry.link {
        put_number(out, link.len() as u64);
        out.extend_from_slice(link.as_bytes());
    }
}

/// Reads a block's entries in order (a block is only ever written by [`encode`]).
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    prev: Prev,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            at: 0,
            prev: Prev::default(),
        }
    }

    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn number(&mut self) -> u64 {
        let (mut n, mut shift) = (0u64, 0);
        loop {
            let b = self.byte();
            n |= u64::from(b & 0x7f) << shift.min(63);
            shift += 7;
            if b < 0x80 {
                return n;
            }
        }
    }

    fn unstep(&mut self, prev: u64) -> u64 {
        let z = self.number();
        let d = (z >> 1) as i64 ^ -((z & 1) as i64);
        prev.wrapping_add(d as u64)
    }

    fn bytes(&mut self, len: u64) -> &'a [u8] {
        let start = self.at.min(self.bytes.len());
        let end = start.saturating_add(len as usize).min(self.bytes.len());
        self.at = end;
        &self.bytes[start..end]
    }

    fn entry(&mut self) -> PackedEntry {
        let byte = self.byte();
        let kind = match byte & 7 {
            0 => EntryType::File,
            1 => EntryType::Dir,
            2 => EntryType::Symlink,
            3 => EntryType::HardLink,
            4 => EntryType::Device,
            _ => EntryType::Other(self.byte()),
        };
        let content = match byte >> 3 & 7 {
            0 => Content::Empty,
            1 => Content::Jpeg,
            2 => Content::Png,
            3 => Content::Text,
            _ => Content::Other,
        };
        let (mode, size) = (self.number() as u32, self.number());
        let mtime = self.unstep(self.prev.mtime);
        let offset = self.unstep(self.prev.offset);
        let before = std::mem::take(&mut self.prev.path);
        let head = (self.number() as usize).min(before.len());
        let tail = (self.number() as usize).min(before.len() - head);
        let middle = self.number();
        let mut path = before[..head].to_vec();
        path.extend_from_slice(self.bytes(middle));
        path.extend_from_slice(&before[before.len() - tail..]);
        let link = match byte & 0x40 {
            0 => None,
            _ => {
                let len = self.number();
                Some(String::from_utf8_lossy(self.bytes(len)).into_owned())
            }
        };
        let text = String::from_utf8_lossy(&path).into_owned();
        self.prev = Prev {
            path,
            mtime,
            offset,
        };
        PackedEntry {
            path: text,
            link,
            kind,
            content,
            mode,
            size,
            mtime,
            offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: u64, path: String) -> PackedEntry {
        let kinds = [
            EntryType::File,
            EntryType::Dir,
            EntryType::Symlink,
            EntryType::HardLink,
            EntryType::Device,
            EntryType::Other(b'p'),
        ];
        let contents = [
            Content::Empty,
            Content::Jpeg,
            Content::Png,
            Content::Text,
            Content::Other,
        ];
        let kind = kinds[(i % 6) as usize];
        PackedEntry {
            path,
            link: matches!(kind, EntryType::Symlink | EntryType::HardLink)
                .then(|| format!("../target/{}", i * 7)),
            kind,
            content: contents[(i % 5) as usize],
            mode: [0o644, 0o755, 0o4777, 0][(i % 4) as usize],
            size: [0, 1, 127, 128, u64::MAX, 1 << 40][(i % 6) as usize],
            // Times and offsets that go back as well as on.
            mtime: [1_700_000_000, 0, u64::MAX, 1_700_000_123][(i % 4) as usize],
            offset: (i * 1536) ^ (i % 3 * 512),
        }
    }

    fn paths(n: u64) -> Vec<String> {
        (0..n)
            .map(|i| match i % 4 {
                0 => format!("BioStarX_20250102_030405/users/{i:06}/face.bin"),
                1 => format!("BioStarX_20250102_030405/users/{i:06}/finger.bin"),
                2 => format!("é/ü/{}", "ß".repeat((i % 9) as usize)),
                _ => String::new(),
            })
            .collect()
    }

    #[test]
    fn entries_come_back_as_they_went_in_from_any_page() {
        let entries: Vec<PackedEntry> = paths(300)
            .into_iter()
            .enumerate()
            .map(|(i, p)| entry(i as u64, p))
            .collect();
        let mut packed = Packed::new(usize::MAX);
        for e in &entries {
            packed.push(e);
        }
        assert_eq!(packed.len(), 300);
        assert_eq!(packed.page(0, 1000), entries);
        for (start, count) in [(0, 1), (63, 2), (64, 64), (100, 37), (290, 50), (300, 5)] {
            let end = (start + count).min(300);
            assert_eq!(
                packed.page(start, count),
                entries[start..end],
                "{start}+{count}"
            );
        }
        assert!(packed.page(301, 5).is_empty());
    }

    #[test]
    fn paths_that_share_a_start_take_few_bytes() {
        let mut packed = Packed::new(usize::MAX);
        let n = 10_000u64;
        for i in 0..n {
            packed.push(&PackedEntry {
                path: format!("BioStarX_20250102_030405/users/{i:07}/face_template.bin"),
                link: None,
                kind: EntryType::File,
                content: Content::Other,
                mode: 0o644,
                size: 1000 + i % 50_000,
                mtime: 1_735_787_045 + i % 3,
                offset: i * 2048,
            });
        }
        let per_entry = packed.held() as f64 / n as f64;
        assert!(per_entry < 20.0, "{per_entry} bytes an entry");
        let row = &packed.page(9_999, 1)[0];
        assert_eq!(
            row.path,
            "BioStarX_20250102_030405/users/0009999/face_template.bin"
        );
        assert_eq!((row.size, row.offset), (1000 + 9_999, 9_999 * 2048));
    }

    #[test]
    fn past_the_budget_entries_are_counted_not_kept() {
        let mut packed = Packed::new(4096);
        // Names that share nothing with the one before.
        let long = |i: u64| -> String {
            (0..1000u64)
                .map(|k| char::from(b'a' + ((i * 7 + k * k * 13) % 26) as u8))
                .collect()
        };
        for i in 0..20u64 {
            packed.push(&entry(i, format!("{i}/{}", long(i))));
        }
        assert!(packed.held() <= 4096, "{}", packed.held());
        assert!((2..=4).contains(&packed.len()), "{}", packed.len());
        assert_eq!(packed.len() as u64 + packed.unkept(), 20);
        // A short entry after a long one is not kept either: the kept ones stay the first.
        packed.push(&entry(20, String::from("a")));
        assert_eq!(packed.len() as u64 + packed.unkept(), 21);
        let kept = packed.page(0, 100);
        assert_eq!(kept.len(), packed.len());
        assert_eq!(kept[1].path, format!("1/{}", long(1)));
    }

    #[test]
    fn sums_come_in_any_order_and_all_hashed_means_every_kept_entry() {
        let mut packed = Packed::new(usize::MAX);
        for i in 0..3000u64 {
            packed.push(&entry(i, format!("{i}")));
        }
        for i in (0..3000usize).rev() {
            assert!(!packed.all_hashed());
            packed.set_sha256(i, [(i % 251) as u8 + 1; 32]);
        }
        packed.set_sha256(5, [6; 32]);
        assert!(packed.all_hashed());
        assert_eq!(packed.sha256(2999), Some([(2999 % 251) as u8 + 1; 32]));
        assert_eq!(packed.sha256(3000), None);
        assert!(
            packed.held() > 3 * 1024 * 32,
            "three chunks of sums are held"
        );
    }
}
