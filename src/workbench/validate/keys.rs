//! Keys for duplicate detection: user IDs and card numbers as the server compares them,
//! hashed, and the per-column index of the rows holding each key.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::model::Sheet;

use super::plan::{cell_at, cell_text, Plan};
use super::{SiteSettings, UserIdType};

/// The user ID as the server compares it (see the module notes).
pub(crate) fn user_id_key(s: &str, t: UserIdType) -> &str {
    let s = trim_fast(s);
    match t {
        UserIdType::Numeric => strip_zeros(s),
        UserIdType::Alphanumeric => s,
    }
}

/// A card number as compared for duplicates: trimmed, leading zeros ignored.
pub(crate) fn card_key(s: &str) -> &str {
    strip_zeros(trim_fast(s))
}

/// `s.trim()`, skipping the work when both ends are visible ASCII (the usual case).
fn trim_fast(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Drops leading zeros of an all-digit string, keeping one digit.
pub(super) fn strip_zeros(s: &str) -> &str {
    if s.as_bytes().first() != Some(&b'0') || !s.bytes().all(|b| b.is_ascii_digit()) {
        return s;
    }
    let z = s.trim_start_matches('0');
    if z.is_empty() {
        &s[s.len() - 1..]
    } else {
        z
    }
}

const MIX: u64 = 0x9e37_79b9_7f4a_7c15;

/// A 64-bit hash of `bytes` under `seed`, never 0 (0 means "no key").
fn hash_key(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = (seed ^ bytes.len() as u64).wrapping_mul(MIX);
    let mut chunks = bytes.chunks_exact(8);
    for ch in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(ch);
        h = (h.rotate_left(23) ^ u64::from_le_bytes(w)).wrapping_mul(MIX);
    }
    let mut w = [0u8; 8];
    let tail = chunks.remainder();
    w[..tail.len()].copy_from_slice(tail);
    h = (h.rotate_left(23) ^ u64::from_le_bytes(w)).wrapping_mul(MIX);
    // murmur3 finaliser
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    if h == 0 {
        1
    } else {
        h
    }
}

/// The hashed user ID key of sheet row `row` (0 when the ID is blank).
pub(super) fn id_key_of(sheet: &Sheet, plan: &Plan, s: &SiteSettings, row: usize) -> u64 {
    let k = user_id_key(cell_at(sheet, row, plan.user_id), s.user_id_type);
    if k.is_empty() {
        0
    } else {
        hash_key(0, k.as_bytes())
    }
}

/// The hashed card key of sheet row `row` in column `col` (0 when the card is blank).
pub(super) fn card_key_of(sheet: &Sheet, row: usize, col: usize) -> u64 {
    let k = card_key(cell_text(sheet, row, col));
    if k.is_empty() {
        0
    } else {
        hash_key(col as u64 + 1, k.as_bytes())
    }
}

/// Passes on already-mixed u64 keys.
#[derive(Default, Clone, Copy)]
pub(super) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(MIX);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(MIX);
    }
}

type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// The keys held by two or more of `keys` (0: no key), with the sheet rows holding them in
/// order (`keys[i]` is row `first_data + i`'s).
///
/// One pass with an open-addressing table of first holders: no sort, and one table slot
/// per key in the common case of all keys distinct.
pub(super) fn shared_keys(first_data: usize, keys: &[u64]) -> KeyMap<Vec<u32>> {
    let mut groups = KeyMap::default();
    let size = (keys.len() + keys.len() / 2).next_power_of_two().max(16);
    let mask = size - 1;
    // Index into `keys` plus one of the first row holding a key (0: empty slot).
    let mut first = vec![0u32; size];
    for (i, &key) in keys.iter().enumerate() {
        if key == 0 {
            continue;
        }
        let mut slot = (key as usize) & mask;
        loop {
            match first[slot] {
                0 => {
                    first[slot] = i as u32 + 1;
                    break;
                }
                f if keys[f as usize - 1] == key => {
                    let row = (first_data + i) as u32;
                    let holder = (first_data + f as usize - 1) as u32;
                    groups.entry(key).or_insert_with(|| vec![holder]).push(row);
                    break;
                }
                _ => slot = (slot + 1) & mask,
            }
        }
    }
    groups
}

/// The rows holding each key of one column (user IDs, or one card column).
///
/// Built with [`shared_keys`] (a map entry only per shared key, not per row); kept up to
/// date by [`RowIndex::set`] after edits. Only keys held by two or more rows get a list in
/// `groups`, the one map a row check reads.
#[derive(Debug, Clone, Default)]
pub(super) struct RowIndex {
    first_data: usize,
    /// The current key of every data row (0: none).
    keys: Vec<u64>,
    /// (key, row) of every keyed row at the full run, sorted; see [`RowIndex::base`].
    base: OnceCell<Vec<(u64, u32)>>,
    /// Rows that took a key by an edit after the full run and are not in `base` with it.
    added: KeyMap<Vec<u32>>,
    /// Keys held by two or more rows, with those rows in order.
    groups: KeyMap<Vec<u32>>,
}

impl RowIndex {
    /// An index over `keys`, the key of each data row from `first_data` on.
    pub(super) fn build(first_data: usize, keys: Vec<u64>) -> RowIndex {
        RowIndex {
            first_data,
            groups: shared_keys(first_data, &keys),
            keys,
            base: OnceCell::new(),
            added: KeyMap::default(),
        }
    }

    /// (key, row) of every keyed row as the full run found them, sorted: sorted on first
    /// use (the first edit), which must come before any key changes.
    fn base(&self) -> &[(u64, u32)] {
        self.base.get_or_init(|| {
            let mut base: Vec<(u64, u32)> = self
                .keys
                .iter()
                .enumerate()
                .filter(|(_, k)| **k != 0)
                .map(|(i, k)| (*k, (self.first_data + i) as u32))
                .collect();
            base.sort_unstable();
            base
        })
    }

    /// The current key of sheet row `row` (0 when none or outside the data).
    pub(super) fn key_of(&self, row: usize) -> u64 {
        row.checked_sub(self.first_data)
            .and_then(|i| self.keys.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// The rows holding `key` now, in order.
    pub(super) fn live_rows(&self, key: u64) -> Vec<u32> {
        if key == 0 {
            return Vec::new();
        }
        let base = self.base();
        let lo = base.partition_point(|e| e.0 < key);
        let mut out: Vec<u32> = base
            .get(lo..)
            .unwrap_or_default()
            .iter()
            .take_while(|e| e.0 == key)
            .map(|e| e.1)
            .filter(|&r| self.key_of(r as usize) == key)
            .collect();
        if let Some(more) = self.added.get(&key) {
            out.extend(
                more.iter()
                    .copied()
                    .filter(|&r| self.key_of(r as usize) == key),
            );
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    /// The rows holding `key` when two or more do, else nothing.
    pub(super) fn shared(&self, key: u64) -> &[u32] {
        self.groups.get(&key).map_or(&[], Vec::as_slice)
    }

    /// Gives sheet row `row` the key `new`; returns the key it had when that changed.
    pub(super) fn set(&mut self, row: usize, new: u64) -> Option<u64> {
        let i = row.checked_sub(self.first_data)?;
        // The full run's keys are sorted before the first one changes.
        self.base();
        let slot = self.keys.get_mut(i)?;
        let old = *slot;
        if old == new {
            return None;
        }
        *slot = new;
        let r = row as u32;
        if old != 0 {
            if let Some(more) = self.added.get_mut(&old) {
                more.retain(|&x| x != r);
                if more.is_empty() {
                    self.added.remove(&old);
                }
            }
            self.regroup(old);
        }
        if new != 0 {
            if self.base().binary_search(&(new, r)).is_err() {
                self.added.entry(new).or_default().push(r);
            }
            self.regroup(new);
        }
        Some(old)
    }

    /// Brings the group of `key` up to date with the rows holding it now.
    fn regroup(&mut self, key: u64) {
        let rows = self.live_rows(key);
        if rows.len() > 1 {
            self.groups.insert(key, rows);
        } else {
            self.groups.remove(&key);
        }
    }
}
