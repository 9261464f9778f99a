//! The gzip trailer's CRC-32, fast in WebAssembly.
//!
//! Natively `crc32fast` uses the processor's carry-less multiply (about 20 GB/s here), but
//! WebAssembly has none: its table-driven CRC ran at 1.3 to 1.7 GB/s in V8, a fifth of a
//! data file's listing. [`Folded`] computes the same CRC at 4 to 5.5 GB/s there with shifts
//! and XORs only, after the Chorba idea (Russell, arXiv:2412.16398): the CRC is the message
//! modulo the CRC polynomial P, and so also modulo any multiple of P. The trinomial
//! `Q = x^91639 + x^41678 + 1` is one (found by search; a test checks it), so each 64-bit
//! word of the message can be moved ahead by 91,639 and by 49,961 bits (XORed into the
//! words there) without changing the CRC. Words are moved out as long as 91,639 bits
//! follow them; only the last ones are then run through the table-driven CRC.
//!
//! [`Crc32`] is the one to use: [`Folded`] in WebAssembly, `flate2::Crc` (`crc32fast`)
//! elsewhere.

/// The CRC-32 of the gzip trailer, computed the fastest way for the target.
#[cfg(target_arch = "wasm32")]
pub type Crc32 = Folded;
/// The CRC-32 of the gzip trailer, computed the fastest way for the target.
#[cfg(not(target_arch = "wasm32"))]
pub type Crc32 = flate2::Crc;

/// Degree of the multiple of P the words are folded with, `x^A + x^B + 1`.
const A: usize = 91_639;
/// Its middle term.
const B: usize = 41_678;
/// How far (in bits) a word's bits move ahead: by the `1` and by the `x^B` term.
const MOVES: [usize; 2] = [A, A - B];
/// Words kept unfolded at the end: every bit of a folded word has `A` bits after it.
const KEEP: usize = A.div_ceil(64) + 1;
/// Words folded between two slides of the buffer back to its start.
const BLOCK: usize = 1 << 14;
/// Most words folded in one go: fewer than the shortest move, so no word is both moved
/// and moved into in the same go.
const GO: usize = (A - B) / 64;

/// CRC-32 (IEEE, as gzip and zip use) by folding with a multiple of its polynomial.
#[derive(Clone)]
pub struct Folded {
    /// The message's words (the first four bytes inverted), from the first unfolded one.
    words: Vec<u64>,
    /// Words filled.
    len: usize,
    /// Words folded (zero now) at the start of `words`.
    folded: usize,
    /// Bytes after the last whole word.
    part: [u8; 8],
    part_len: usize,
    /// Bytes taken.
    amount: u64,
}

impl Default for Folded {
    fn default() -> Self {
        Self::new()
    }
}

impl Folded {
    /// The CRC of no bytes.
    pub fn new() -> Self {
        Folded {
            words: vec![0; KEEP + BLOCK + 2],
            len: 0,
            folded: 0,
            part: [0; 8],
            part_len: 0,
            amount: 0,
        }
    }

    /// Adds `data` to the message.
    pub fn update(&mut self, data: &[u8]) {
        // The CRC starts from all ones; from zero, as folding needs, it is the same CRC
        // of the message with its first four bytes inverted.
        let start = self.amount;
        self.amount += data.len() as u64;
        let mut data = data;
        let mut head = [0u8; 4];
        if start < 4 {
            let n = (4 - start as usize).min(data.len());
            for (h, b) in head.iter_mut().zip(&data[..n]) {
                *h = !b;
            }
            self.take(&head[..n]);
            data = &data[n..];
        }
        self.take(data);
    }

    /// Adds `data` (the head already inverted).
    fn take(&mut self, mut data: &[u8]) {
        if self.part_len > 0 {
            let n = (8 - self.part_len).min(data.len());
            self.part[self.part_len..self.part_len + n].copy_from_slice(&data[..n]);
            self.part_len += n;
            data = &data[n..];
            if self.part_len < 8 {
                return;
            }
            self.part_len = 0;
            let word = self.part;
            self.take_words(&word);
        }
        let whole = data.len() / 8 * 8;
        self.take_words(&data[..whole]);
        self.part[..data.len() - whole].copy_from_slice(&data[whole..]);
        self.part_len = data.len() - whole;
    }

    /// XORs whole words into place (moved bits may wait there) and folds what it can.
    fn take_words(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.len == self.words.len() {
                self.slide();
            }
            let n = (data.len() / 8).min(self.words.len() - self.len);
            let room = &mut self.words[self.len..self.len + n];
            for (w, b) in room.iter_mut().zip(data.chunks_exact(8)) {
                *w ^= u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
            }
            self.len += n;
            data = &data[8 * n..];
            self.fold();
        }
    }

    /// Folds every word that has [`KEEP`] words after it.
    fn fold(&mut self) {
        let end = self.len.saturating_sub(KEEP);
        while self.folded < end {
            let stop = end.min(self.folded + GO);
            for bits in MOVES {
                move_ahead(&mut self.words, self.folded..stop, bits);
            }
            self.folded = stop;
        }
    }

    /// Moves the unfolded words back to the start of the buffer.
    fn slide(&mut self) {
        let kept = self.len - self.folded;
        self.words.copy_within(self.folded..self.len, 0);
        self.words[kept..].fill(0);
        (self.len, self.folded) = (kept, 0);
    }

    /// The CRC-32 of the bytes taken so far.
    pub fn sum(&self) -> u32 {
        if self.amount < 4 {
            let bytes: Vec<u8> = self.part[..self.part_len].iter().map(|b| !b).collect();
            return crc32fast::hash(&bytes);
        }
        // From zero, the folded words (all zero) change nothing: the rest gives the CRC.
        let mut crc = crc32fast::Hasher::new_with_initial(!0);
        for w in &self.words[self.folded..self.len] {
            crc.update(&w.to_le_bytes());
        }
        crc.update(&self.part[..self.part_len]);
        crc.finalize()
    }

    /// Bytes taken, modulo 2^32 (the gzip trailer's ISIZE).
    pub fn amount(&self) -> u32 {
        self.amount as u32
    }
}

/// XORs the bits of `words[from]` moved `bits` ahead into the words there (past the range:
/// `bits` is at least 64 words longer than it).
fn move_ahead(words: &mut [u64], from: std::ops::Range<usize>, bits: usize) {
    let (skip, shift) = (bits / 64, (bits % 64) as u32);
    debug_assert!(shift != 0 && from.len() <= skip);
    let (low, high) = words.split_at_mut(from.end);
    let src = &low[from.clone()];
    let dst = &mut high[from.start + skip - from.end..][..src.len() + 1];
    // Word k lands across dst[k] (its low bits, shifted up) and dst[k + 1] (the rest).
    dst[0] ^= src[0] << shift;
    for ((d, hi), lo) in dst[1..].iter_mut().zip(&src[1..]).zip(src) {
        *d ^= (hi << shift) | (lo >> (64 - shift));
    }
    dst[src.len()] ^= src[src.len() - 1] >> (64 - shift);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// x^k modulo the CRC-32 polynomial (x^32 + 0x04C11DB7, highest term first).
    fn x_to(k: usize) -> u32 {
        (0..k).fold(1u32, |v, _| {
            (v << 1) ^ if v >> 31 == 1 { 0x04C1_1DB7 } else { 0 }
        })
    }

    #[test]
    fn the_trinomial_is_a_multiple_of_the_crc_polynomial() {
        assert_eq!(x_to(A) ^ x_to(B) ^ 1, 0);
        assert!(MOVES.iter().all(|m| m % 64 != 0 && m / 64 >= GO));
    }

    fn noise(len: usize) -> Vec<u8> {
        let mut rng = crate::bench::Rng(7);
        (0..len).map(|_| rng.next() as u8).collect()
    }

    /// The folded CRC of `data` given in `step`-byte pieces.
    fn folded(data: &[u8], step: usize) -> (u32, u32) {
        let mut crc = Folded::new();
        data.chunks(step).for_each(|c| crc.update(c));
        (crc.sum(), crc.amount())
    }

    #[test]
    fn it_gives_the_crc_of_any_length_in_any_pieces() {
        let data = noise(3_000_003);
        let lengths = [0, 1, 3, 4, 5, 7, 8, 9, 100, 11_460, 11_475, 11_476, 11_477];
        let longer = [50_000, 131_072 + 11_480, 299_999, 1_000_000, 3_000_003];
        for len in lengths.into_iter().chain(longer) {
            let want = (crc32fast::hash(&data[..len]), len as u32);
            for step in [1, 3, 8, 4099, 65_536, 1 << 20] {
                if step < 8 && len > 200_000 {
                    continue;
                }
                assert_eq!(folded(&data[..len], step), want, "{len} bytes in {step}");
            }
        }
    }

    #[test]
    fn the_sum_can_be_asked_midway_and_zeros_fold_too() {
        let data = [noise(400_000), vec![0; 300_000], noise(5)].concat();
        let mut crc = Folded::new();
        for (i, piece) in data.chunks(77_777).enumerate() {
            crc.update(piece);
            let seen = (i + 1) * 77_777;
            assert_eq!(crc.sum(), crc32fast::hash(&data[..seen.min(data.len())]));
        }
        let mut native = flate2::Crc::new();
        native.update(&data);
        assert_eq!((native.sum(), native.amount()), (crc.sum(), crc.amount()));
    }
}
