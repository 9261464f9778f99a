//! The user IDs of a log, each held once, and a set of line numbers: what lets a read log
//! stay far smaller than its file (a punch names its ID by number).

use hashbrown::HashTable;
use rustc_hash::FxHasher;
use std::hash::Hasher;

/// Every distinct user ID of a log, held once in one buffer; punches name them by number.
#[derive(Debug, Clone, Default)]
pub struct UserIds {
    bytes: Vec<u8>,
    /// End of each ID in `bytes` (the start is the previous end).
    ends: Vec<u32>,
    table: HashTable<u32>,
}

fn hash(id: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(id);
    h.finish()
}

impl UserIds {
    /// The number of `id`, adding it when new.
    pub fn intern(&mut self, id: &[u8]) -> u32 {
        if self.table.len() < self.ends.len() {
            self.rebuild_table();
        }
        let h = hash(id);
        let (bytes, ends) = (&self.bytes, &self.ends);
        let get = |n: u32| slice(bytes, ends, n);
        if let Some(&n) = self.table.find(h, |&n| get(n) == id) {
            return n;
        }
        let n = self.ends.len() as u32;
        self.bytes.extend_from_slice(id);
        self.ends.push(self.bytes.len() as u32);
        let (bytes, ends) = (&self.bytes, &self.ends);
        self.table
            .insert_unique(h, n, |&m| hash(slice(bytes, ends, m)));
        n
    }

    /// Frees the lookup table and the spare room once every ID is in (a log of millions
    /// of distinct IDs holds tens of MB less); [`UserIds::intern`] builds it again.
    pub fn settle(&mut self) {
        self.table = HashTable::new();
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    fn rebuild_table(&mut self) {
        let (bytes, ends) = (&self.bytes, &self.ends);
        let mut table = HashTable::with_capacity(ends.len());
        for n in 0..ends.len() as u32 {
            table.insert_unique(hash(slice(bytes, ends, n)), n, |&m| {
                hash(slice(bytes, ends, m))
            });
        }
        self.table = table;
    }

    /// The bytes of ID number `n` (empty when there is no such number).
    pub fn get(&self, n: u32) -> &[u8] {
        slice(&self.bytes, &self.ends, n)
    }

    /// The number of `id`, if the log has it (a scan of every ID once settled).
    pub fn find(&self, id: &[u8]) -> Option<u32> {
        if self.table.len() < self.ends.len() {
            return (0..self.len() as u32).find(|&n| self.get(n) == id);
        }
        self.table.find(hash(id), |&n| self.get(n) == id).copied()
    }

    /// How many of the IDs are not UTF-8 text (they show with U+FFFD).
    pub fn not_utf8(&self) -> usize {
        (0..self.len() as u32)
            .filter(|&n| std::str::from_utf8(self.get(n)).is_err())
            .count()
    }

    /// How many distinct IDs there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when the log has no punch.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

fn slice<'a>(bytes: &'a [u8], ends: &[u32], n: u32) -> &'a [u8] {
    let n = n as usize;
    let Some(&end) = ends.get(n) else {
        return &[];
    };
    let start = if n == 0 { 0 } else { ends[n - 1] };
    &bytes[start as usize..end as usize]
}

/// A set of line numbers, filled in order: one bit a line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineSet {
    words: Vec<u64>,
    len: u64,
}

impl LineSet {
    /// Adds the next line, in the set or not.
    pub fn push(&mut self, member: bool) {
        let (word, bit) = ((self.len / 64) as usize, self.len % 64);
        if bit == 0 {
            self.words.push(0);
        }
        self.words[word] |= u64::from(member) << bit;
        self.len += 1;
    }

    /// True when 0-based line `index` is in the set.
    pub fn contains(&self, index: u64) -> bool {
        self.words
            .get((index / 64) as usize)
            .is_some_and(|w| w >> (index % 64) & 1 == 1)
    }

    /// The `n`th word of 64 lines' bits (0 past the last).
    pub(super) fn word(&self, n: usize) -> u64 {
        self.words.get(n).copied().unwrap_or(0)
    }
}
