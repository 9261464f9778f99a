//! A streaming walk over the tar archive inside a data file (gzip or plain), 512-byte
//! headers parsed here rather than by the `tar` crate: the walk must give each header's
//! byte offset, cap what it keeps of long names and PAX records (the crate reads them
//! whole, whatever size a header claims), and turn every damage into a finding with the
//! byte where it is instead of an error without one. Memory is flat: one 64 KiB slice
//! buffer, one header block, and long names or PAX records up to a fixed cap.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

use super::super::gzip::{Damage, GzipNote, GzipReader, MAGIC};
use super::is_plain_tar;

/// The size of a tar header and of the blocks entry data is padded to.
pub const BLOCK: usize = 512;
/// The largest GNU long name or long link target kept, in bytes.
pub const MAX_LONG_NAME: u64 = 64 * 1024;
/// The largest PAX extended header kept, in bytes.
pub const MAX_PAX: u64 = 1024 * 1024;
/// The slice size the walk reads data in.
const SLICE: usize = 64 * 1024;

/// Where in the data file a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// A byte offset in the file as stored (the gzip stream).
    File(u64),
    /// A byte offset in the uncompressed tar stream.
    Tar(u64),
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::File(n) => write!(f, "byte {n} of the file"),
            At::Tar(n) => write!(f, "byte {n} of the uncompressed archive"),
        }
    }
}

/// Findings a walk keeps at most, besides the one that stops it; the rest are counted in
/// one last [`FindingKind::FindingsLeftOut`] (a few MB of gzip can hold a million entries
/// with absolute paths, each a finding).
pub const MAX_FINDINGS: usize = 1_000;

/// What a finding is about (the message says it in words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    /// The file has no bytes.
    Empty,
    /// The file is neither gzip nor a tar archive.
    NotGzip,
    /// The file is a tar archive that is not gzip-compressed (a device expects gzip).
    NotCompressed,
    /// The gzip stream does not hold a tar archive.
    NotTar,
    /// The gzip stream is damaged (a header, the deflate data, a CRC-32 or a length).
    GzipDamaged,
    /// The file or an entry ends before its stated end.
    Truncated,
    /// A second (or later) gzip member follows the first.
    ExtraMember,
    /// Bytes that are not gzip follow the compressed data.
    TrailingBytes,
    /// A tar header's checksum does not match its bytes.
    HeaderChecksum,
    /// A tar header field (a number, a PAX record) cannot be read.
    BadHeader,
    /// A long name or PAX header is larger than the walk keeps.
    HeaderTooLarge,
    /// Data that is not zero follows the end-of-archive marker.
    TarTrailingData,
    /// The archive ends without its end-of-archive marker.
    NoEndMarker,
    /// An entry path (or link target) is absolute.
    AbsolutePath,
    /// An entry path (or link target) climbs out with `..`.
    ParentPath,
    /// An entry is a symbolic link.
    Symlink,
    /// An entry is a hard link.
    HardLink,
    /// An entry is a device file or a FIFO.
    DeviceFile,
    /// The source could not be read.
    ReadError,
    /// More findings than the walk keeps ([`MAX_FINDINGS`]): how many more, in words.
    FindingsLeftOut,
    /// The gzip data inflates far more than an export plausibly does (past `MAX_PLAUSIBLE_RATIO` to 1 overall).
    Inflated,
}

/// The most an export's gzip data plausibly inflates overall: photos and encrypted records
/// hardly compress, so real exports stay far below it.
pub const MAX_PLAUSIBLE_RATIO: u64 = 100;
/// Uncompressed bytes under which no ratio is noted (a few small entries compress well).
const RATIO_FLOOR: u64 = 16 << 20;

impl FindingKind {
    /// True for an entry a device extracting the archive could write outside its folder
    /// with (an absolute path, a path climbing out with `..`, a device file): a BioStar
    /// export holds none, so the file may not be a genuine export.
    pub fn is_unsafe(self) -> bool {
        use FindingKind::*;
        matches!(self, AbsolutePath | ParentPath | DeviceFile)
    }

    /// True for a container that is not as BioStar writes it though every entry reads (a
    /// plain tar, bytes after the gzip data, several gzip members, data after the tar's
    /// end marker): a device may refuse it, and writing it again repairs it.
    pub fn is_repackable(self) -> bool {
        use FindingKind::*;
        matches!(
            self,
            NotCompressed | TrailingBytes | ExtraMember | TarTrailingData
        )
    }

    /// True for a file that is no data file at all: empty, neither gzip nor tar, or gzip
    /// holding no tar archive.
    pub fn not_a_data_file(self) -> bool {
        use FindingKind::*;
        matches!(self, Empty | NotGzip | NotTar)
    }

    /// True for a note that is no problem with the file ([`FindingKind::Inflated`]).
    pub fn is_info(self) -> bool {
        self == FindingKind::Inflated
    }

    /// True when the walk cannot go on after this finding.
    pub fn stops(self) -> bool {
        use FindingKind::*;
        matches!(
            self,
            Empty
                | NotGzip
                | NotTar
                | GzipDamaged
                | Truncated
                | HeaderChecksum
                | BadHeader
                | HeaderTooLarge
                | ReadError
        )
    }
}

/// One thing found wrong or worth a warning, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What it is about.
    pub kind: FindingKind,
    /// Where it is.
    pub at: At,
    /// What was found and what to do, in words.
    pub message: String,
}

impl fmt::Display for Finding {
    /// The message after where it is, unless the message names that byte itself; its
    /// first letter capitalised, so a list of findings reads alike.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (At::File(n) | At::Tar(n)) = self.at;
        let names = |word: &str| {
            let said = format!("{word} {n}");
            let mut at = self
                .message
                .match_indices(&said)
                .map(|(i, _)| i + said.len());
            at.any(|end| !self.message[end..].starts_with(|c: char| c.is_ascii_digit()))
        };
        let text = match names("byte") || names("Byte") {
            true => self.message.clone(),
            false => format!("{}: {}", self.at, self.message),
        };
        let mut chars = text.chars();
        let first = chars.next().map(|c| c.to_uppercase().to_string());
        write!(f, "{}{}", first.unwrap_or_default(), chars.as_str())
    }
}

/// An entry's type as its tar header gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryType {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
    /// A hard link to an earlier entry.
    HardLink,
    /// A character or block device.
    Device,
    /// Anything else (FIFO, vendor types), with its type flag byte.
    Other(u8),
}

impl EntryType {
    /// The type of a header's type flag byte.
    pub fn from_flag(flag: u8) -> Self {
        match flag {
            b'0' | 0 | b'7' => EntryType::File,
            b'5' => EntryType::Dir,
            b'2' => EntryType::Symlink,
            b'1' => EntryType::HardLink,
            b'3' | b'4' => EntryType::Device,
            other => EntryType::Other(other),
        }
    }
}

/// Where an entry's path or link target was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NameSource {
    /// The header's own fields (ustar prefix and name, or link name).
    #[default]
    Header,
    /// A GNU long-name (`L`) or long-link (`K`) header before it.
    GnuLong,
    /// A PAX extended header (`x`) before it.
    Pax,
}

/// One entry's header, as the walk read it (its data follows; read it from the walker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryHeader {
    /// Its path (PAX `path`, GNU long name, or the ustar prefix and name).
    pub path: String,
    /// A link's target (PAX `linkpath`, GNU long link, or the header's link name).
    pub link: Option<String>,
    /// Its type.
    pub kind: EntryType,
    /// Its data size in bytes.
    pub size: u64,
    /// Its permission bits and mode.
    pub mode: u32,
    /// Its modification time, seconds since 1970.
    pub mtime: u64,
    /// Where its own header (after any long-name or PAX headers) starts in the tar stream.
    pub offset: u64,
    /// Where its path was read from.
    pub path_source: NameSource,
    /// Where its link target was read from.
    pub link_source: NameSource,
    /// The records of the PAX headers before it, as read (empty when there were none).
    pub pax: Vec<u8>,
    /// The records of a PAX global header just before it (and its PAX or long-name
    /// headers), as read; empty when there was none.
    pub global_pax: Vec<u8>,
    /// Its own 512-byte header block as read.
    pub raw: [u8; BLOCK],
}

/// The stream the tar archive is read from.
enum Source<R> {
    /// Inflated from gzip.
    Gzip(GzipReader<BufReader<R>>),
    /// A plain tar archive.
    Plain(BufReader<R>),
    /// Nothing to read (the file was empty or not an archive).
    None,
}

/// Extension headers met before an entry's own header.
#[derive(Default)]
struct Pending {
    path: Option<String>,
    link: Option<String>,
    path_source: NameSource,
    link_source: NameSource,
    pax: Vec<u8>,
    global: Vec<u8>,
    size: Option<u64>,
    mtime: Option<u64>,
}

/// Walks a data file's tar entries one by one; read each entry's data through `Read`.
pub struct TarWalker<R> {
    source: Source<R>,
    /// Uncompressed bytes taken so far.
    pos: u64,
    /// Data bytes of the current entry not read yet, and the padding after them.
    remaining: u64,
    padding: u64,
    /// The current entry's header offset, size and path, for findings.
    current: (u64, u64, String),
    findings: Vec<Finding>,
    /// Findings past [`MAX_FINDINGS`], counted, and where the first of them is.
    left_out: (u64, Option<At>),
    /// Whether an unsafe finding ([`FindingKind::is_unsafe`]) was kept.
    unsafe_kept: bool,
    notes_seen: usize,
    stopped: bool,
    ended: bool,
    /// Past the end marker with the rest of the stream still to read (see [`drain`]).
    draining: bool,
    /// Whether data that is not zero was found after the end marker.
    trailing_noted: bool,
    /// Whether the inflation ratio was noted.
    ratio_noted: bool,
    scratch: Vec<u8>,
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

impl<R: Read> TarWalker<R> {
    /// A walk that has read nothing, from no source yet.
    fn blank() -> Self {
        TarWalker {
            source: Source::None,
            pos: 0,
            remaining: 0,
            padding: 0,
            current: (0, 0, String::new()),
            findings: Vec::new(),
            left_out: (0, None),
            unsafe_kept: false,
            notes_seen: 0,
            stopped: false,
            ended: false,
            draining: false,
            trailing_noted: false,
            ratio_noted: false,
            scratch: vec![0; SLICE],
        }
    }

    /// Starts a walk at the file's first byte: gzip or plain tar, told from the bytes.
    pub fn new(reader: R) -> Self {
        let mut walker = TarWalker::blank();
        let mut buffered = BufReader::with_capacity(256 * 1024, reader);
        let head = match buffered.fill_buf() {
            Ok(head) => head,
            Err(e) => {
                walker.stop(FindingKind::ReadError, At::File(0), e.to_string());
                return walker;
            }
        };
        if head.is_empty() {
            walker.stop(
                FindingKind::Empty,
                At::File(0),
                "the file is empty (0 bytes): copy it again from where it was exported".into(),
            );
        } else if head.starts_with(&MAGIC[..head.len().min(2)]) {
            walker.source = Source::Gzip(GzipReader::new(buffered));
        } else if is_plain_tar(head) {
            walker.source = Source::Plain(buffered);
            let message = "this is a tar archive that is not gzip-compressed: a device expects a gzip-compressed tar (.tgz). Compress it (gzip -c FILE > BioStar2_YYYYMMDD_HHMMSS.tgz, or bioport rename --rewrite-paths), or copy the original .tgz again";
            walker.note(FindingKind::NotCompressed, At::File(0), message.into());
        } else {
            walker.stop(FindingKind::NotGzip, At::File(0), "this is not gzip (it does not start with the bytes 1f 8b) nor a tar archive: not a BioStar data file".into());
        }
        walker
    }

    /// What was found so far (all of it once the walk has ended).
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// True when a finding stopped the walk before the end of the archive.
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// True once the walk is past the archive's last entry, or stopped.
    pub fn ended(&self) -> bool {
        self.ended || self.stopped
    }

    /// True when the walk got past the archive's last entry (whatever it found after,
    /// a damaged gzip trailer among them): every entry was read, none is missing.
    pub fn listed_all(&self) -> bool {
        self.ended
    }

    /// Uncompressed bytes taken so far.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Bytes of the current entry's data not read yet.
    pub fn entry_remaining(&self) -> u64 {
        self.remaining
    }

    /// Gzip members read so far (0 for a plain tar archive).
    pub fn gzip_members(&self) -> u32 {
        match &self.source {
            Source::Gzip(gz) => gz.members(),
            _ => 0,
        }
    }

    /// The first finding that stopped the walk, if one did.
    pub fn stop_finding(&self) -> Option<&Finding> {
        self.findings.iter().find(|f| f.kind.stops())
    }

    /// Keeps a finding, or counts it past [`MAX_FINDINGS`] (one that stops the walk is
    /// always kept, and so is the first unsafe one: a rename must not miss it).
    fn note(&mut self, kind: FindingKind, at: At, message: String) {
        let first_unsafe = kind.is_unsafe() && !self.unsafe_kept;
        if self.findings.len() < MAX_FINDINGS || kind.stops() || first_unsafe {
            self.unsafe_kept |= kind.is_unsafe();
            self.findings.push(Finding { kind, at, message });
        } else {
            self.left_out.0 += 1;
            self.left_out.1.get_or_insert(at);
        }
    }

    fn stop(&mut self, kind: FindingKind, at: At, message: String) {
        self.note(kind, at, message);
        self.settle();
        self.stopped = true;
    }

    /// The findings made whole once the walk ends: the gzip reader's notes, then the count
    /// of those left out.
    fn settle(&mut self) {
        self.take_gzip_notes();
        self.note_ratio();
        if let (n @ 1.., Some(at)) = self.left_out {
            self.left_out = (0, None);
            let message = format!(
                "{n} more findings from here on are not listed (the first {MAX_FINDINGS} are)"
            );
            let kind = FindingKind::FindingsLeftOut;
            self.findings.push(Finding { kind, at, message });
        }
    }

    /// Notes, once, gzip data that inflated past [`MAX_PLAUSIBLE_RATIO`] to 1 overall: the
    /// walk reads it through in flat memory, but extracting it takes that much room.
    fn note_ratio(&mut self) {
        let Source::Gzip(gz) = &self.source else {
            return;
        };
        let (packed, out) = (gz.offset().max(1), self.pos);
        if self.ratio_noted || out < RATIO_FLOOR || out / packed <= MAX_PLAUSIBLE_RATIO {
            return;
        }
        self.ratio_noted = true;
        let message = format!("the gzip data inflates about {}:1 ({packed} bytes as stored to {out} bytes of archive), far more than an export of photos and encrypted records does (they hardly compress): it may be made to fill memory or a disk. bioport read it through without holding it; extracting it takes the whole size", out / packed);
        self.note(FindingKind::Inflated, At::File(packed), message);
    }

    /// Turns the gzip reader's notes (extra members, trailing bytes) into findings.
    fn take_gzip_notes(&mut self) {
        let Source::Gzip(gz) = &self.source else {
            return;
        };
        let fresh: Vec<Finding> = gz.notes()[self.notes_seen..]
            .iter()
            .map(|note| {
                let (kind, offset) = match note {
                    GzipNote::ExtraMember { offset, .. } => (FindingKind::ExtraMember, *offset),
                    GzipNote::TrailingBytes { offset, .. } => (FindingKind::TrailingBytes, *offset),
                };
                Finding {
                    kind,
                    at: At::File(offset),
                    message: note.to_string(),
                }
            })
            .collect();
        self.notes_seen += fresh.len();
        for f in fresh {
            self.note(f.kind, f.at, f.message);
        }
    }

    /// Reads up to `buf.len()` bytes from the source, all unless it ends; a read error or
    /// a ratio past the cap becomes a stopping finding (and Err(())).
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize, ()> {
        if self.stopped {
            return Err(());
        }
        let mut filled = 0;
        while filled < buf.len() {
            let read = match &mut self.source {
                Source::Gzip(gz) => gz.read(&mut buf[filled..]),
                Source::Plain(r) => r.read(&mut buf[filled..]),
                Source::None => return Err(()),
            };
            match read {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.source_error(e);
                    return Err(());
                }
            }
        }
        self.pos += filled as u64;
        Ok(filled)
    }

    /// Records a read error of the source as the finding it is.
    fn source_error(&mut self, e: io::Error) {
        if let Some(damage) = Damage::of(&e) {
            let what = damage.what.clone();
            return self.stop(FindingKind::GzipDamaged, At::File(damage.at), what);
        }
        let (at, gzip) = match &self.source {
            Source::Gzip(gz) => (At::File(gz.offset()), true),
            _ => (At::Tar(self.pos), false),
        };
        let text = e.to_string();
        let kind = match e.kind() {
            io::ErrorKind::UnexpectedEof => FindingKind::Truncated,
            io::ErrorKind::InvalidData if gzip => FindingKind::GzipDamaged,
            _ => FindingKind::ReadError,
        };
        self.stop(kind, at, text);
    }

    /// Skips `n` bytes of the stream; false (with a finding) when it ends first.
    fn skip(&mut self, mut n: u64, what: &dyn Fn() -> String) -> bool {
        let mut scratch = std::mem::take(&mut self.scratch);
        while n > 0 {
            let want = n.min(SLICE as u64) as usize;
            match self.fill(&mut scratch[..want]) {
                Ok(got) if got == want => n -= got as u64,
                Ok(_) => {
                    self.stop(FindingKind::Truncated, At::Tar(self.pos), what());
                    break;
                }
                Err(()) => break,
            }
        }
        self.scratch = scratch;
        !self.stopped
    }

    /// The next entry's header, after skipping what is left of the current one; None at
    /// the end of the archive or when a finding stopped the walk.
    pub fn next_entry(&mut self) -> Option<EntryHeader> {
        if self.stopped || self.ended {
            return None;
        }
        let (start, size, path) = self.current.clone();
        let rest = self.remaining + self.padding;
        let cut = move || cut_entry(start, size, &path);
        if !self.skip(rest, &cut) {
            return None;
        }
        self.remaining = 0;
        self.padding = 0;
        let mut pending = Pending::default();
        loop {
            let offset = self.pos;
            let block = self.read_block()?;
            let Some(block) = block else {
                self.finish(offset, false);
                return None;
            };
            if block.iter().all(|&b| b == 0) {
                self.end_marker(offset);
                return None;
            }
            self.check_header(&block, offset)?;
            let flag = block[156];
            if matches!(flag, b'L' | b'K' | b'x' | b'g') {
                self.extension(&block, offset, &mut pending)?;
                continue;
            }
            return self.entry(block, offset, pending);
        }
    }

    /// Reads one header block: Some(None) at a clean end of stream, None when stopped.
    fn read_block(&mut self) -> Option<Option<[u8; BLOCK]>> {
        let mut block = [0u8; BLOCK];
        let at = self.pos;
        let got = self.fill(&mut block).ok()?;
        match got {
            0 if at == 0 => {
                self.stop(FindingKind::NotTar, At::Tar(0), "the contents are empty: there is no tar archive inside, not a BioStar data file".into());
                None
            }
            0 => Some(None),
            BLOCK => Some(Some(block)),
            _ if at == 0 && !is_plain_tar(&block) => {
                let message = format!("the contents are {got} bytes, too few for a tar archive (a header alone is 512): not a BioStar data file");
                self.stop(FindingKind::NotTar, At::Tar(0), message);
                None
            }
            _ => {
                let message = format!(
                    "the archive ends {got} bytes into a 512-byte tar header: it is cut off; copy it again from where it was exported"
                );
                self.stop(FindingKind::Truncated, At::Tar(at), message);
                None
            }
        }
    }

    /// Checks a header block's checksum; None (with a finding) when it is wrong.
    fn check_header(&mut self, block: &[u8; BLOCK], offset: u64) -> Option<()> {
        // The checksum field counts as spaces; old tars summed signed bytes.
        let (unsigned, signed) = block
            .iter()
            .enumerate()
            .fold((0u64, 0i64), |(u, s), (i, &b)| {
                let (bu, bs) = if (148..156).contains(&i) {
                    (32, 32)
                } else {
                    (u64::from(b), i64::from(b as i8))
                };
                (u + bu, s + bs)
            });
        let stored = parse_number(&block[148..156]);
        if stored.is_some_and(|s| s == unsigned || s as i64 == signed) {
            return Some(());
        }
        let (kind, message) = if offset == 0 && !is_plain_tar(block) {
            (FindingKind::NotTar, "the contents are not a tar archive (the first 512 bytes are not a tar header): not a BioStar data file".to_string())
        } else {
            let stored = stored.map_or("unreadable".to_string(), |s| s.to_string());
            (FindingKind::HeaderChecksum, format!(
                "the tar header's checksum is {stored}, but its bytes sum to {unsigned}: the header is damaged and the archive cannot be read past it"
            ))
        };
        self.stop(kind, At::Tar(offset), message);
        None
    }

    /// Reads a GNU long name or link, or a PAX header, into `pending`.
    fn extension(&mut self, block: &[u8; BLOCK], offset: u64, pending: &mut Pending) -> Option<()> {
        let size = self.header_number(&block[124..136], offset, "size")?;
        let cap = if block[156] == b'x' || block[156] == b'g' {
            MAX_PAX
        } else {
            MAX_LONG_NAME
        };
        if size > cap {
            let message = format!(
                "an extended header (type {}) says it holds {size} bytes, more than the {cap} a name or PAX header plausibly needs; reading stopped",
                block[156] as char
            );
            self.stop(FindingKind::HeaderTooLarge, At::Tar(offset), message);
            return None;
        }
        let mut data = vec![0u8; size as usize];
        let got = self.fill(&mut data).ok()?;
        let cut = move || cut_entry(offset, size, "");
        if got < data.len() || !self.skip(padding_of(size), &cut) {
            if !self.stopped {
                self.stop(FindingKind::Truncated, At::Tar(self.pos), cut());
            }
            return None;
        }
        match block[156] {
            b'L' => {
                pending.path = Some(c_string(&data));
                pending.path_source = NameSource::GnuLong;
            }
            b'K' => {
                pending.link = Some(c_string(&data));
                pending.link_source = NameSource::GnuLong;
            }
            b'x' => self.pax(&data, offset, pending)?,
            _ => pending.global = data,
        }
        Some(())
    }

    /// Applies a PAX header's records (`path`, `linkpath`, `size`, `mtime`).
    fn pax(&mut self, data: &[u8], offset: u64, pending: &mut Pending) -> Option<()> {
        if pending.pax.len() + data.len() > MAX_PAX as usize {
            let message = format!("PAX extended headers of more than {MAX_PAX} bytes in all precede one entry; reading stopped");
            self.stop(FindingKind::HeaderTooLarge, At::Tar(offset), message);
            return None;
        }
        pending.pax.extend_from_slice(data);
        let mut rest = data;
        while !rest.is_empty() {
            let Some((key, value, after)) = split_pax_record(rest) else {
                let message = "a PAX extended header has a malformed record; the header is damaged"
                    .to_string();
                self.stop(FindingKind::BadHeader, At::Tar(offset), message);
                return None;
            };
            let text = String::from_utf8_lossy(value).into_owned();
            let number = || text.split('.').next().and_then(|n| n.parse::<u64>().ok());
            match key {
                b"path" => {
                    pending.path = Some(text.clone());
                    pending.path_source = NameSource::Pax;
                }
                b"linkpath" => {
                    pending.link = Some(text.clone());
                    pending.link_source = NameSource::Pax;
                }
                b"size" => pending.size = number(),
                b"mtime" => pending.mtime = number(),
                _ => {}
            }
            rest = after;
        }
        Some(())
    }

    /// Reads a numeric header field; None (with a finding) when it is not a number.
    fn header_number(&mut self, field: &[u8], offset: u64, name: &str) -> Option<u64> {
        let value = parse_number(field);
        if value.is_none() {
            let message =
                format!("the tar header's {name} field is not a number: the header is damaged");
            self.stop(FindingKind::BadHeader, At::Tar(offset), message);
        }
        value
    }

    /// Builds the entry of a header block, notes what is hostile about it, and sets the
    /// walk up to read its data.
    fn entry(&mut self, raw: [u8; BLOCK], offset: u64, pending: Pending) -> Option<EntryHeader> {
        let header_size = self.header_number(&raw[124..136], offset, "size")?;
        let header_mtime = self.header_number(&raw[136..148], offset, "modification time")?;
        let mode = self.header_number(&raw[100..108], offset, "mode")?;
        let kind = EntryType::from_flag(raw[156]);
        let link = pending.link.or_else(|| {
            matches!(kind, EntryType::Symlink | EntryType::HardLink)
                .then(|| c_string(&raw[157..257]))
        });
        let entry = EntryHeader {
            path: pending.path.unwrap_or_else(|| ustar_path(&raw)),
            link,
            kind,
            size: pending.size.unwrap_or(header_size),
            mode: mode as u32,
            mtime: pending.mtime.unwrap_or(header_mtime),
            offset,
            path_source: pending.path_source,
            link_source: pending.link_source,
            pax: pending.pax,
            global_pax: pending.global,
            raw,
        };
        self.hostile(&entry);
        self.remaining = entry.size;
        self.padding = padding_of(entry.size);
        self.current = (offset, entry.size, entry.path.clone());
        Some(entry)
    }

    /// Notes what is hostile about an entry: where its path points, and its type.
    fn hostile(&mut self, entry: &EntryHeader) {
        let at = At::Tar(entry.offset);
        let path = &entry.path;
        for (what, p) in
            std::iter::once(("path", path)).chain(entry.link.iter().map(|l| ("link target", l)))
        {
            if p.starts_with('/') || p.starts_with('\\') || p.get(1..2) == Some(":") {
                let message = format!("entry {path}: its {what} {p} is absolute; extracting it would write outside the target folder");
                self.note(FindingKind::AbsolutePath, at, message);
            }
            if p.split(['/', '\\']).any(|c| c == "..") {
                let message = format!("entry {path}: its {what} {p} climbs out with '..'; extracting it would write outside the target folder");
                self.note(FindingKind::ParentPath, at, message);
            }
        }
        let target = entry.link.as_deref().unwrap_or("");
        let (kind, message) = match entry.kind {
            EntryType::Symlink => (
                FindingKind::Symlink,
                format!(
                    "entry {path} is a symbolic link to {target}; BioStar data files hold none"
                ),
            ),
            EntryType::HardLink => (
                FindingKind::HardLink,
                format!("entry {path} is a hard link to {target}; BioStar data files hold none"),
            ),
            EntryType::Device | EntryType::Other(b'6') => (
                FindingKind::DeviceFile,
                format!("entry {path} is a device file or FIFO; BioStar data files hold none"),
            ),
            _ => return,
        };
        self.note(kind, at, message);
    }

    /// Handles an all-zero block: the end-of-archive marker (two of them).
    fn end_marker(&mut self, offset: u64) {
        let second = self.read_block();
        match second {
            None => {}
            Some(Some(block)) if block.iter().all(|&b| b == 0) => self.finish(self.pos, true),
            Some(Some(_)) => {
                let message = "a single zero block is followed by more data; the archive's end marker is damaged or data follows it".to_string();
                self.note(FindingKind::TarTrailingData, At::Tar(offset), message);
                self.finish(self.pos, true);
            }
            Some(None) => self.finish(offset, false),
        }
    }

    /// Ends the walk, noting a missing end marker, and reads the rest of the stream (so
    /// every gzip trailer is checked); a fed walk reads it later, as its bytes come
    /// ([`drain`](TarWalker::drain)).
    fn finish(&mut self, offset: u64, marked: bool) {
        self.ended = true;
        if !marked {
            let message = "the archive ends without its end-of-archive marker (two zero blocks); it may be cut off at an entry boundary".to_string();
            self.note(FindingKind::NoEndMarker, At::Tar(offset), message);
        }
        self.draining = true;
        self.drain(None);
    }

    /// Reads what follows the end marker, at most `limit` bytes (None: to the end of
    /// the stream), noting data that is not zero; true once the stream has ended (or
    /// when there was nothing to drain).
    pub fn drain(&mut self, mut limit: Option<u64>) -> bool {
        let mut scratch = std::mem::take(&mut self.scratch);
        while self.draining {
            let want = limit.map_or(SLICE, |l| l.min(SLICE as u64) as usize);
            if want == 0 {
                break;
            }
            let start = self.pos;
            let got = match self.fill(&mut scratch[..want]) {
                Ok(got) if got > 0 => got,
                _ => {
                    self.draining = false;
                    break;
                }
            };
            limit = limit.map(|l| l - got as u64);
            if let (false, Some(i)) = (
                self.trailing_noted,
                scratch[..got].iter().position(|&b| b != 0),
            ) {
                self.trailing_noted = true;
                let message = "data that is not zero follows the archive's end marker; a device may refuse the file".to_string();
                let at = At::Tar(start + i as u64);
                self.note(FindingKind::TarTrailingData, at, message);
            }
        }
        self.scratch = scratch;
        if !self.draining {
            self.settle();
        }
        !self.draining
    }
}

impl<R: Read> Read for TarWalker<R> {
    /// Reads the current entry's data: Ok(0) at its end, an error when the walk stopped
    /// inside it (the findings say why).
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = (buf.len() as u64).min(self.remaining) as usize;
        match self.fill(&mut buf[..want]) {
            Ok(0) => {
                let (start, size, path) = &self.current;
                let message = cut_entry(*start, *size, path);
                self.stop(FindingKind::Truncated, At::Tar(self.pos), message);
                Err(invalid(
                    self.findings
                        .last()
                        .map(|f| f.to_string())
                        .unwrap_or_default(),
                ))
            }
            Ok(n) => {
                self.remaining -= n as u64;
                Ok(n)
            }
            Err(()) => Err(invalid(
                self.stop_finding()
                    .map(|f| f.to_string())
                    .unwrap_or_default(),
            )),
        }
    }
}

/// The message of an entry whose data ends early, named by its `path` ("" for an
/// extension header, which has none).
fn cut_entry(start: u64, size: u64, path: &str) -> String {
    let what = match path {
        "" => format!("the entry whose header is at byte {start}"),
        path => format!("the entry {path}, whose header is at byte {start},"),
    };
    format!("{what} says it holds {size} bytes, but the archive ends first: it is cut off (or the size is past the end of the data)")
}

/// The zero bytes that pad `size` bytes of data to a whole block.
fn padding_of(size: u64) -> u64 {
    (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64
}

/// A header field's text up to its first zero byte.
pub fn c_string(field: &[u8]) -> String {
    let end = memchr::memchr(0, field).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

/// The path of a ustar header: the POSIX prefix (when the magic says POSIX) and the name.
pub fn ustar_path(raw: &[u8; BLOCK]) -> String {
    let name = c_string(&raw[..100]);
    let prefix = if &raw[257..263] == b"ustar\0" {
        c_string(&raw[345..500])
    } else {
        String::new()
    };
    if prefix.is_empty() {
        name
    } else {
        format!("{prefix}/{name}")
    }
}

/// A numeric header field: octal text (spaces and zeros around it) or GNU base-256.
pub fn parse_number(field: &[u8]) -> Option<u64> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        if field[0] & 0x40 != 0 {
            return None;
        }
        return field[1..]
            .iter()
            .try_fold(u64::from(field[0] & 0x3f), |acc, &b| {
                acc.checked_mul(256).map(|v| v | u64::from(b))
            });
    }
    let text = field.iter().skip_while(|&&b| b == b' ' || b == 0);
    let digits: Vec<u8> = text
        .take_while(|&&b| b != b' ' && b != 0)
        .copied()
        .collect();
    if digits.is_empty() {
        return Some(0);
    }
    digits.iter().try_fold(0u64, |acc, &b| {
        let d = (b as char).to_digit(8)?;
        acc.checked_mul(8).map(|v| v + u64::from(d))
    })
}

/// Splits the first PAX record (`"<len> <key>=<value>\n"`) off `data`: its key, its
/// value and the records after it.
pub fn split_pax_record(data: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let space = memchr::memchr(b' ', data)?;
    let len: usize = std::str::from_utf8(&data[..space]).ok()?.parse().ok()?;
    if len <= space + 1 || len > data.len() || data[len - 1] != b'\n' {
        return None;
    }
    let record = &data[space + 1..len - 1];
    let eq = memchr::memchr(b'=', record)?;
    Some((&record[..eq], &record[eq + 1..], &data[len..]))
}
