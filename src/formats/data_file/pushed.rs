//! A verify-and-list pass fed the file's compressed bytes as they arrive (the worker gets
//! them in slices read ahead on another thread), run by the same gzip reader and walk as
//! [`list`](super::list). The bytes go into a [`Feed`] the walk reads from, and the walk is
//! only let on while enough of them wait that no read finds the feed empty.

use std::cell::RefCell;
use std::io::{self, Read};
use std::rc::Rc;

use super::{Feed, ListOptions, ListPass, ListedEntry, Listing, TarWalker, HEADER_ROOM};

/// Compressed bytes left waiting while more may come: more than the walk's buffer (256 KiB)
/// and a gzip member's framing, so a step of the walk never drains the feed.
const MARGIN: u64 = 1 << 20;

/// The feed, shared by the walk that reads it and the caller that fills it.
#[derive(Clone, Default)]
pub struct SharedFeed(Rc<RefCell<Feed>>);

impl Read for SharedFeed {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.0.borrow_mut().read(out)
    }
}

impl SharedFeed {
    /// Compressed bytes waiting.
    pub fn len(&self) -> u64 {
        self.0.borrow().len() as u64
    }

    /// True when no byte waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes the next `len` bytes, which `fill` writes into place.
    pub fn push(&self, len: usize, fill: impl FnOnce(&mut [u8])) {
        fill(self.0.borrow_mut().push_with(len));
    }

    /// No more bytes will come.
    pub fn end(&self) {
        self.0.borrow_mut().end();
    }

    /// True when a read found the feed empty before its end: the pass over it asked too
    /// early, and must be run again over the file read in turn.
    pub fn starved(&self) -> bool {
        self.0.borrow().starved()
    }

    /// Lets `step` (a pass's advance, allowed so many uncompressed bytes; whether it
    /// ended, and whether it took any) go on while more than `MARGIN` (1 MiB) compressed bytes
    /// wait; true once it ended. Each step may take as many tar bytes as compressed bytes
    /// wait beyond the margin: no tar byte takes more than one compressed byte, a stored
    /// block's framing aside.
    pub fn run_while_room(&self, mut step: impl FnMut(u64) -> (bool, bool)) -> bool {
        loop {
            let room = self.len().saturating_sub(MARGIN);
            if room < HEADER_ROOM {
                return false;
            }
            match step(room) {
                (true, _) => return true,
                (false, false) => return false,
                (false, true) => {}
            }
        }
    }
}

/// A verify-and-list pass pushed the file's bytes from its first.
pub struct PushedList {
    feed: SharedFeed,
    options: ListOptions,
    /// Entries up to this size are handed over to be hashed elsewhere (0: none).
    hand_over: u64,
    /// Started with the first bytes (the walk tells gzip from plain tar by them).
    pass: Option<ListPass<SharedFeed>>,
    /// Bytes pushed.
    pushed: u64,
}

impl PushedList {
    /// A pass that has been pushed nothing yet.
    pub fn new(options: ListOptions) -> Self {
        PushedList {
            feed: SharedFeed::default(),
            options,
            hand_over: 0,
            pass: None,
            pushed: 0,
        }
    }

    /// Hands the data of entries up to `up_to` bytes over instead of hashing them (see
    /// [`ListPass::handing_over`]); [`take_handed`](Self::take_handed) gives them.
    pub fn handing_over(mut self, up_to: u64) -> Self {
        self.hand_over = up_to;
        self
    }

    /// The data of the entries handed over since the last call, with their numbers.
    pub fn take_handed(&mut self) -> Vec<(usize, Vec<u8>)> {
        self.pass
            .as_mut()
            .map(|p| p.take_handed())
            .unwrap_or_default()
    }

    /// The pass, started over the feed at the first bytes.
    fn pass(&mut self) -> &mut ListPass<SharedFeed> {
        let (feed, options, up_to) = (&self.feed, self.options, self.hand_over);
        self.pass.get_or_insert_with(|| {
            let walker = TarWalker::new(feed.clone());
            ListPass::new(walker, options.hash).handing_over(up_to)
        })
    }

    /// Takes the next `len` bytes of the file, which `fill` writes into place, and reads
    /// on as far as they allow, handing each entry read in full to `on_entry`; true once
    /// the walk has ended (the rest of the file need not be pushed).
    pub fn push(
        &mut self,
        len: usize,
        fill: impl FnOnce(&mut [u8]),
        on_entry: &mut dyn FnMut(&ListedEntry),
    ) -> bool {
        self.feed.push(len, fill);
        self.pushed += len as u64;
        let feed = self.feed.clone();
        let pass = self.pass();
        feed.run_while_room(|room| {
            let before = pass.walker_mut().position();
            let ended = pass.advance(Some(room), on_entry);
            (ended, pass.walker_mut().position() != before)
        })
    }

    /// Every byte was pushed: reads to the end. The listing and the compressed bytes the
    /// walk took; None when a read found the feed empty all the same (a stream that takes
    /// far more compressed bytes than it gives, which no real export does): the file
    /// should then be read again in turn.
    pub fn finish(&mut self, on_entry: &mut dyn FnMut(&ListedEntry)) -> Option<(Listing, u64)> {
        let (feed, pushed) = (self.feed.clone(), self.pushed);
        feed.end();
        let pass = self.pass();
        pass.advance(None, on_entry);
        if feed.starved() {
            return None;
        }
        Some((pass.listing(), pushed - feed.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::list;
    use super::super::walk_tests::{gzip, tar_of};
    use super::*;

    /// `bytes` listed whole, and pushed `step` bytes at a time (each push checked to leave
    /// no more than a push and the walk's room waiting).
    fn both(bytes: &[u8], options: ListOptions, step: usize) -> [(Listing, Vec<ListedEntry>); 2] {
        let mut whole = Vec::new();
        let listing = list(bytes, options, &mut |e| whole.push(e.clone()));
        let mut pushed = PushedList::new(options);
        let mut seen = Vec::new();
        for chunk in bytes.chunks(step) {
            let ended = pushed.push(chunk.len(), |room| room.copy_from_slice(chunk), &mut |e| {
                seen.push(e.clone())
            });
            let most = (step as u64).max(MARGIN + HEADER_ROOM) + step as u64;
            assert!(pushed.feed.len() <= most, "{} > {most}", pushed.feed.len());
            if ended {
                break;
            }
        }
        let (pushed_listing, taken) = pushed.finish(&mut |e| seen.push(e.clone())).unwrap();
        assert!(pushed.take_handed().is_empty());
        assert!(taken <= bytes.len() as u64);
        [(listing, whole), (pushed_listing, seen)]
    }

    /// Random bytes (compressed, they stay as large).
    fn noise(len: usize, seed: u64) -> Vec<u8> {
        let mut rng = crate::bench::Rng(seed);
        (0..len).map(|_| rng.next() as u8).collect()
    }

    #[test]
    fn pushed_in_any_steps_it_lists_as_the_whole_file_does() {
        let (a, b, zeros) = (noise(3 << 20, 1), noise(700_000, 2), vec![0u8; 12 << 20]);
        let entries: Vec<(String, Vec<u8>)> = (0..300)
            .map(|i| (format!("user/{i}.bin"), noise(i * 37 % 9000, i as u64 + 9)))
            .collect();
        let mut many: Vec<(&str, &[u8])> = entries
            .iter()
            .map(|(p, d)| (p.as_str(), d.as_slice()))
            .collect();
        many.extend([("a", &a[..]), ("zeros", &zeros[..]), ("b", &b[..])]);
        let tgz = gzip(&tar_of(&many));
        let mut two = tgz.clone();
        two.extend(gzip(b"more"));
        two.extend(b"junk");
        let hashed = ListOptions { hash: true };
        let cases: [(&str, &[u8], ListOptions); 6] = [
            ("clean", &tgz, ListOptions::default()),
            ("hashed", &tgz, hashed),
            (
                "cut off",
                &tgz[..tgz.len() - 100_000],
                ListOptions::default(),
            ),
            ("second member and junk", &two, ListOptions::default()),
            ("plain tar", &tar_of(&many[..40]), ListOptions::default()),
            ("not gzip", b"PK\x03\x04 a zip", ListOptions::default()),
        ];
        for (what, bytes, options) in cases {
            for step in [4096, 65_536, (3 << 20) + 7, 8 << 20] {
                let [(listing, whole), (pushed, seen)] = both(bytes, options, step);
                assert_eq!(pushed, listing, "{what}, step {step}");
                assert_eq!(seen, whole, "{what}, step {step}");
            }
        }
        let [(clean, entries), _] = both(&tgz, ListOptions::default(), 8 << 20);
        assert!(clean.is_clean() && entries.len() == 303, "{clean:?}");
    }

    #[test]
    fn an_empty_file_pushed_nothing_is_said_to_be_empty() {
        let (listing, taken) = PushedList::new(ListOptions::default())
            .finish(&mut |_| {})
            .unwrap();
        assert_eq!(listing, list(&b""[..], ListOptions::default(), &mut |_| {}));
        assert_eq!(taken, 0);
    }
}
