//! A repackaging fed the file's compressed bytes as they arrive (the worker gets them in
//! slices read ahead on another thread), run by the same walk and writer as
//! [`repackage`](super::repackage::repackage): the bytes go into a [`SharedFeed`], and the
//! walk is only let on while enough of them wait that no read finds the feed empty.

use std::io::Write;

use super::repackage::{Outcome, Repack};
use super::Direction;
use crate::formats::data_file::{SharedFeed, TarWalker};

/// Where a pushed repackaging is: waiting for its first bytes, or running.
enum State<W: Write> {
    Waiting(W),
    Running(Box<Repack<SharedFeed, W>>),
}

/// A repackaging pushed the file's bytes from its first.
pub struct PushedRepack<W: Write> {
    feed: SharedFeed,
    state: Option<State<W>>,
    direction: Direction,
}

impl<W: Write> PushedRepack<W> {
    /// A repackaging onto `out`, names renamed `direction`'s way, pushed nothing yet.
    pub fn new(out: W, direction: Direction) -> Self {
        PushedRepack {
            feed: SharedFeed::default(),
            state: Some(State::Waiting(out)),
            direction,
        }
    }

    /// The pass, started on the bytes pushed so far (the walk tells gzip from plain tar
    /// by the first of them).
    fn pass(&mut self) -> &mut Repack<SharedFeed, W> {
        let state = match self.state.take() {
            Some(State::Waiting(out)) => {
                let walker = TarWalker::new(self.feed.clone());
                State::Running(Box::new(Repack::new(walker, out, self.direction)))
            }
            running => running.expect("a pushed repackaging always has a state"),
        };
        match self.state.insert(state) {
            State::Running(pass) => pass,
            State::Waiting(_) => unreachable!("the pass was just started"),
        }
    }

    /// Takes the next `len` bytes of the file, which `fill` writes into place, and writes
    /// on as far as they allow; true once the pass has ended (written through, or failed:
    /// the rest of the file need not be pushed).
    pub fn push(&mut self, len: usize, fill: impl FnOnce(&mut [u8])) -> bool {
        self.feed.push(len, fill);
        let feed = self.feed.clone();
        let pass = self.pass();
        feed.run_while_room(|room| {
            let before = pass.position();
            let ended = pass.advance(Some(room));
            (ended, pass.position() != before)
        })
    }

    /// Every byte was pushed: writes to the end. The written stream and what was done, as
    /// [`repackage`](super::repackage::repackage) gives them; None when a read found the
    /// feed empty all the same (a stream that takes far more compressed bytes than it
    /// gives, which no real export does): what was written must then be discarded and
    /// the file repackaged again, read in turn.
    pub fn finish(mut self) -> Option<Result<(W, Outcome), String>> {
        self.feed.end();
        self.pass().advance(None);
        let starved = self.feed.starved();
        match self.state.take() {
            Some(State::Running(pass)) if !starved => Some(pass.finish()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::super::repackage::repackage;
    use super::*;
    use crate::formats::data_file::walk_tests::{gzip, tar_of};

    /// Random bytes (compressed, they stay as large).
    fn noise(len: usize, seed: u64) -> Vec<u8> {
        let mut rng = crate::bench::Rng(seed);
        (0..len).map(|_| rng.next() as u8).collect()
    }

    /// A repackaging's result with the archive it wrote inflated (how deflate cuts its
    /// blocks depends on the sizes of the writes; the tar bytes inside do not).
    fn inflated(written: Result<(Vec<u8>, Outcome), String>) -> Result<(Vec<u8>, Outcome), String> {
        let (gz, outcome) = written?;
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut tar)
            .map_err(|e| e.to_string())?;
        Ok((tar, outcome))
    }

    /// `bytes` repackaged whole, and pushed `step` bytes at a time.
    fn both(bytes: &[u8], step: usize) -> [Result<(Vec<u8>, Outcome), String>; 2] {
        let to = Direction::ToDevice;
        let whole = repackage(bytes, Vec::new(), to);
        let mut pushed = PushedRepack::new(Vec::new(), to);
        for chunk in bytes.chunks(step) {
            if pushed.push(chunk.len(), |room| room.copy_from_slice(chunk)) {
                break;
            }
        }
        [
            inflated(whole),
            inflated(pushed.finish().expect("never starved")),
        ]
    }

    #[test]
    fn pushed_in_any_steps_it_writes_what_the_whole_file_gives() {
        let (a, b, zeros) = (noise(1 << 20, 1), noise(700_000, 2), vec![0u8; 4 << 20]);
        let entries: Vec<(String, Vec<u8>)> = (0..300)
            .map(|i| {
                (
                    format!("BioStarX_1/u{i}.bin"),
                    noise(i * 37 % 9000, i as u64),
                )
            })
            .collect();
        let mut many: Vec<(&str, &[u8])> = entries
            .iter()
            .map(|(p, d)| (p.as_str(), d.as_slice()))
            .collect();
        many.extend([
            ("a", &a[..]),
            ("BioStarX_1/zeros", &zeros[..]),
            ("b", &b[..]),
        ]);
        let tgz = gzip(&tar_of(&many));
        let cases: [(&str, &[u8]); 4] = [
            ("clean", &tgz),
            ("cut off", &tgz[..tgz.len() - 100_000]),
            ("plain tar", &tar_of(&many[..40])),
            ("not gzip", b"PK\x03\x04 a zip"),
        ];
        for (what, bytes) in cases {
            for step in [4096, 65_536, (3 << 20) + 7, 8 << 20] {
                let [whole, pushed] = both(bytes, step);
                assert_eq!(pushed, whole, "{what}, step {step}");
            }
        }
        let [whole, _] = both(&tgz, 8 << 20);
        let (_, outcome) = whole.expect("the clean archive repackages");
        assert_eq!((outcome.entries, outcome.renamed), (303, 301));
        let [cut, _] = both(&tgz[..tgz.len() - 100_000], 8 << 20);
        assert!(cut.is_err());
    }

    #[test]
    fn an_empty_file_pushed_nothing_fails_as_the_whole_one_does() {
        let pushed = PushedRepack::new(Vec::new(), Direction::ToDevice).finish();
        let whole = repackage(&b""[..], Vec::new(), Direction::ToDevice);
        assert!(whole.is_err(), "an empty file is no archive");
        assert_eq!(pushed, Some(whole));
    }
}
