//! Verify and list a data file in one streaming pass: every entry with its type, size,
//! mode, time, header offset, what its bytes look like, and (on request) their SHA-256;
//! totals; and the findings of the walk. Entries go to a callback, never into a list, so
//! memory stays flat however many there are.

use std::io::Read;

use sha2::{Digest, Sha256};

use super::walk::{EntryHeader, EntryType, Finding, TarWalker};

/// What an entry's first bytes look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// No data.
    Empty,
    /// A JPEG photo (`ff d8 ff`).
    Jpeg,
    /// A PNG photo (`89 P N G`).
    Png,
    /// UTF-8 text without control bytes other than tab and line ends.
    Text,
    /// Anything else (BioStar's encrypted records among them).
    Other,
}

impl Content {
    /// What `head` (an entry's first bytes, up to 512) looks like.
    pub fn of(head: &[u8]) -> Self {
        if head.is_empty() {
            Content::Empty
        } else if head.starts_with(&[0xff, 0xd8, 0xff]) {
            Content::Jpeg
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Content::Png
        } else if looks_like_text(head) {
            Content::Text
        } else {
            Content::Other
        }
    }

    /// True for a photo (JPEG or PNG): a likely face image.
    pub fn is_photo(self) -> bool {
        matches!(self, Content::Jpeg | Content::Png)
    }
}

/// True when `head` is UTF-8 (a character cut at its end allowed) with no control bytes
/// other than tab, line feed and carriage return.
fn looks_like_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(_) => head.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => return false,
    };
    head[..valid]
        .iter()
        .all(|&b| b >= 0x20 && b != 0x7f || matches!(b, b'\t' | b'\n' | b'\r'))
}

/// One entry as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedEntry {
    /// Its header (path, type, size, mode, time, offset).
    pub header: EntryHeader,
    /// What its first bytes look like.
    pub content: Content,
    /// The SHA-256 of its data in lower-case hex as `sha256sum` prints it, when hashed.
    pub sha256: Option<String>,
}

/// Totals over the entries read in full.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Entries of any type.
    pub entries: u64,
    /// Regular files.
    pub files: u64,
    /// Directories.
    pub dirs: u64,
    /// Symbolic and hard links.
    pub links: u64,
    /// Devices and other types.
    pub others: u64,
    /// Bytes of data in all entries.
    pub bytes: u64,
    /// Photos (JPEG or PNG): likely face images.
    pub photos: u64,
    /// Text entries.
    pub text: u64,
    /// The largest entry's size.
    pub largest: u64,
}

impl Totals {
    /// Adds one entry read in full.
    fn add(&mut self, entry: &ListedEntry) {
        let h = &entry.header;
        self.entries += 1;
        match h.kind {
            EntryType::File => self.files += 1,
            EntryType::Dir => self.dirs += 1,
            EntryType::Symlink | EntryType::HardLink => self.links += 1,
            _ => self.others += 1,
        }
        self.bytes += h.size;
        self.largest = self.largest.max(h.size);
        self.photos += u64::from(entry.content.is_photo());
        self.text += u64::from(entry.content == Content::Text);
    }
}

/// An entry the archive ends inside: its header was read, its data not all of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CutEntry {
    /// Its path.
    pub path: String,
    /// The size its header says.
    pub size: u64,
    /// The bytes of its data read before the archive ended.
    pub read: u64,
    /// Where its header starts in the uncompressed archive.
    pub offset: u64,
}

/// What a verify-and-list pass found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Totals over the entries read in full.
    pub totals: Totals,
    /// Everything found, in the order found.
    pub findings: Vec<Finding>,
    /// True when a finding stopped the pass before the end of the archive.
    pub stopped: bool,
    /// True when the pass got past the archive's last entry (whatever it found after,
    /// a damaged gzip trailer among them): every entry was read.
    pub listed_all: bool,
    /// Gzip members read (0 for a plain tar archive).
    pub gzip_members: u32,
    /// Uncompressed bytes read.
    pub tar_bytes: u64,
    /// The entry the archive ended inside, if it did (not counted in the totals).
    pub cut_off: Option<CutEntry>,
}

impl Listing {
    /// True when the archive was read to its end with nothing found but notes
    /// ([`FindingKind::is_info`](super::FindingKind::is_info)).
    pub fn is_clean(&self) -> bool {
        !self.stopped && self.findings.iter().all(|f| f.kind.is_info())
    }
}

/// How to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListOptions {
    /// Hash every entry's data with SHA-256 (slower; off gives "verify + list").
    pub hash: bool,
}

/// The size of the slices an entry's data is read in.
const ENTRY_SLICE: usize = 32 * 1024;

/// Bytes a [`ListPass`] wants waiting before it reads a header: a header block, long names
/// and PAX records up to their caps, and padding. A walk that needs more (a chain of
/// extension headers) finds its [`Feed`](super::Feed) starved and stops.
pub const HEADER_ROOM: u64 = 2 * 1024 * 1024;

/// Bytes of handed-over entries a pass holds until they are taken, at most (one entry may
/// go past it): past it, entries are hashed here instead. However far a slice inflates
/// (no compression ratio is refused), the data held stays bounded.
pub const MAX_HANDED: u64 = 32 * 1024 * 1024;

/// One entry being read: its first bytes and, when hashing, its SHA-256 so far (or its
/// data, when it is handed over to be hashed elsewhere).
struct EntryRead {
    header: EntryHeader,
    head: [u8; 512],
    head_len: usize,
    hasher: Option<Sha256>,
    data: Option<Vec<u8>>,
}

impl EntryRead {
    /// Starts reading the entry of `header`: hashed when `hash` is set, and then handed
    /// over whole instead when its size is at most `hand_over` (0: none is).
    fn new(header: EntryHeader, hash: bool, hand_over: u64) -> Self {
        let handed = hash && hand_over > 0 && header.size <= hand_over;
        EntryRead {
            head: [0; 512],
            head_len: 0,
            hasher: (hash && !handed).then(Sha256::new),
            data: handed.then(|| Vec::with_capacity(header.size as usize)),
            header,
        }
    }

    /// Takes the next bytes of its data.
    fn take(&mut self, data: &[u8]) {
        let n = (self.head.len() - self.head_len).min(data.len());
        self.head[self.head_len..self.head_len + n].copy_from_slice(&data[..n]);
        self.head_len += n;
        if let Some(h) = self.hasher.as_mut() {
            h.update(data);
        }
        if let Some(d) = self.data.as_mut() {
            d.extend_from_slice(data);
        }
    }

    /// The entry as listed, its data read in full, and its data when handed over.
    fn finish(self) -> (ListedEntry, Option<Vec<u8>>) {
        let listed = ListedEntry {
            content: Content::of(&self.head[..self.head_len]),
            sha256: self.hasher.map(|h| hex(&h.finalize())),
            header: self.header,
        };
        (listed, self.data)
    }
}

/// Reads one entry's data through in slices, classifying and (optionally) hashing it;
/// None when the walk stopped inside it.
pub fn read_entry<R: Read>(
    walker: &mut TarWalker<R>,
    header: EntryHeader,
    hash: bool,
) -> Option<ListedEntry> {
    let mut entry = EntryRead::new(header, hash, 0);
    let mut slice = [0u8; ENTRY_SLICE];
    loop {
        let n = walker.read(&mut slice).ok()?;
        if n == 0 {
            return Some(entry.finish().0);
        }
        entry.take(&slice[..n]);
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of `bytes` as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Verifies and lists a data file from its first byte, handing each entry read in full to
/// `on_entry`; returns the totals and findings.
pub fn list<R: Read>(
    reader: R,
    options: ListOptions,
    on_entry: &mut dyn FnMut(&ListedEntry),
) -> Listing {
    let mut pass = ListPass::new(TarWalker::new(reader), options.hash);
    pass.advance(None, on_entry);
    pass.listing()
}

/// A verify-and-list pass that goes as far as the bytes at hand allow and picks up where
/// it stopped: [`list`] runs one to the end at once; the worker feeds one the file's
/// slices as they arrive ([`super::PushedList`]).
pub struct ListPass<R> {
    walker: TarWalker<R>,
    hash: bool,
    /// Entries of at most this many bytes are handed over whole instead of hashed here.
    hand_over: u64,
    /// The data of the entries handed over (by entry number), until taken.
    handed: Vec<(usize, Vec<u8>)>,
    /// Bytes in `handed`.
    handed_bytes: u64,
    totals: Totals,
    entry: Option<EntryRead>,
    done: bool,
    slice: Vec<u8>,
}

impl<R: Read> ListPass<R> {
    /// A pass over `walker`'s archive, hashing every entry's data when `hash` is set.
    pub fn new(walker: TarWalker<R>, hash: bool) -> Self {
        ListPass {
            walker,
            hash,
            hand_over: 0,
            handed: Vec::new(),
            handed_bytes: 0,
            totals: Totals::default(),
            entry: None,
            done: false,
            slice: vec![0; ENTRY_SLICE],
        }
    }

    /// When hashing, hands entries of at most `up_to` bytes over whole (see
    /// [`take_handed`](ListPass::take_handed)) instead of hashing them here: the worker
    /// hashes them with the browser's native SHA-256 beside the walk. Their listed
    /// entries carry no hash.
    pub fn handing_over(mut self, up_to: u64) -> Self {
        self.hand_over = up_to;
        self
    }

    /// The data of the entries handed over since the last call, with their entry numbers
    /// (in the order of `on_entry`, from 0).
    pub fn take_handed(&mut self) -> Vec<(usize, Vec<u8>)> {
        self.handed_bytes = 0;
        std::mem::take(&mut self.handed)
    }

    /// The walk, to push bytes into its source.
    pub fn walker_mut(&mut self) -> &mut TarWalker<R> {
        &mut self.walker
    }

    /// Reads on, handing each entry read in full to `on_entry`, while the source holds
    /// bytes: `available` of them (None: as many as it has, waiting for them). Leaves at
    /// least [`HEADER_ROOM`] bytes unread before each header while more may come; true
    /// once the pass has ended.
    pub fn advance(
        &mut self,
        mut available: Option<u64>,
        on_entry: &mut dyn FnMut(&ListedEntry),
    ) -> bool {
        while !self.done {
            let before = self.walker.position();
            match self.entry.as_mut() {
                None if self.walker.ended() => {
                    self.done = self.walker.drain(available);
                    if !self.done {
                        break;
                    }
                }
                None if available.is_some_and(|a| a < HEADER_ROOM) => break,
                None => {
                    if let Some(header) = self.walker.next_entry() {
                        let room = self.handed_bytes < MAX_HANDED;
                        let hand_over = if room { self.hand_over } else { 0 };
                        self.entry = Some(EntryRead::new(header, self.hash, hand_over));
                    }
                }
                Some(entry) => {
                    let want =
                        available.map_or(ENTRY_SLICE, |a| a.min(ENTRY_SLICE as u64) as usize);
                    match self.walker.read(&mut self.slice[..want]) {
                        Ok(0) if self.walker.entry_remaining() == 0 => {
                            if let Some(done) = self.entry.take() {
                                self.finish_entry(done, on_entry);
                            }
                        }
                        Ok(0) => break,
                        Ok(n) => entry.take(&self.slice[..n]),
                        Err(_) => self.done = true,
                    }
                }
            }
            let taken = self.walker.position() - before;
            available = available.map(|a| a.saturating_sub(taken));
        }
        self.done
    }

    /// Counts an entry read in full, hands it to `on_entry`, and keeps its data when it
    /// is handed over.
    fn finish_entry(&mut self, entry: EntryRead, on_entry: &mut dyn FnMut(&ListedEntry)) {
        let (listed, data) = entry.finish();
        self.totals.add(&listed);
        on_entry(&listed);
        if let Some(data) = data {
            self.handed_bytes += data.len() as u64;
            self.handed.push((self.totals.entries as usize - 1, data));
        }
    }

    /// What the pass found: totals over the entries read in full, and the findings.
    pub fn listing(&self) -> Listing {
        Listing {
            totals: self.totals.clone(),
            findings: self.walker.findings().to_vec(),
            stopped: self.walker.stopped(),
            listed_all: self.walker.listed_all(),
            gzip_members: self.walker.gzip_members(),
            tar_bytes: self.walker.position(),
            cut_off: self.cut_entry(),
        }
    }

    /// The entry being read when the walk stopped inside its data, if it did.
    fn cut_entry(&self) -> Option<CutEntry> {
        let h = &self
            .entry
            .as_ref()
            .filter(|_| self.walker.stopped())?
            .header;
        Some(CutEntry {
            path: h.path.clone(),
            size: h.size,
            read: h.size - self.walker.entry_remaining(),
            offset: h.offset,
        })
    }
}
