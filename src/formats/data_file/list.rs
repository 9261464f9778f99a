//! Verify and list a data file in one streaming pass: every entry with its type, size,
//! mode, time, header offset, what its bytes look like, and (on request) their SHA-256;
//! totals; and the findings of the walk. Entries go to a callback, never into a list, so
//! memory stays flat however many there are.

use std::io::Read;

use sha2::{Digest, Sha256};

use super::walk::{EntryHeader, EntryType, Finding, TarWalker, WalkOptions};

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

/// What a verify-and-list pass found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Totals over the entries read in full.
    pub totals: Totals,
    /// Everything found, in the order found.
    pub findings: Vec<Finding>,
    /// True when a finding stopped the pass before the end of the archive.
    pub stopped: bool,
    /// Gzip members read (0 for a plain tar archive).
    pub gzip_members: u32,
    /// Uncompressed bytes read.
    pub tar_bytes: u64,
}

impl Listing {
    /// True when the archive was read to its end with nothing found at all.
    pub fn is_clean(&self) -> bool {
        !self.stopped && self.findings.is_empty()
    }
}

/// How to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListOptions {
    /// Hash every entry's data with SHA-256 (slower; off gives "verify + list").
    pub hash: bool,
    /// The walk's limits.
    pub walk: WalkOptions,
}

/// Reads one entry's data through in slices, classifying and (optionally) hashing it;
/// None when the walk stopped inside it.
pub fn read_entry<R: Read>(
    walker: &mut TarWalker<R>,
    header: EntryHeader,
    hash: bool,
) -> Option<ListedEntry> {
    let mut slice = [0u8; 32 * 1024];
    let mut head = [0u8; 512];
    let mut head_len = 0;
    let mut hasher = hash.then(Sha256::new);
    loop {
        let n = walker.read(&mut slice).ok()?;
        if n == 0 {
            break;
        }
        let take = (head.len() - head_len).min(n);
        head[head_len..head_len + take].copy_from_slice(&slice[..take]);
        head_len += take;
        if let Some(h) = hasher.as_mut() {
            h.update(&slice[..n]);
        }
    }
    Some(ListedEntry {
        header,
        content: Content::of(&head[..head_len]),
        sha256: hasher.map(|h| hex(&h.finalize())),
    })
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
    let mut walker = TarWalker::new(reader, options.walk);
    let mut totals = Totals::default();
    while let Some(header) = walker.next_entry() {
        let Some(entry) = read_entry(&mut walker, header, options.hash) else {
            break;
        };
        totals.add(&entry);
        on_entry(&entry);
    }
    Listing {
        totals,
        findings: walker.findings().to_vec(),
        stopped: walker.stopped(),
        gzip_members: walker.gzip_members(),
        tar_bytes: walker.position(),
    }
}
