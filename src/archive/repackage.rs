//! The repackager: writes a data file again as a gzip-compressed tar stream, every entry's
//! bytes, mode and time unchanged, only the entry names (and hard-link targets) that carry
//! the `BioStarX_` name given `BioStar2_` (or back). A plan, read first, lists exactly
//! which names change.
//!
//! Headers and compressible data are deflated at level 1; data that would not shrink
//! (photos, encrypted or already compressed bytes, told by their start) is stored as it
//! is, which is many times faster to write and no larger.

use std::io::{self, Read, Write};

use super::{renamed_entry_path, Direction};
use crate::formats::data_file::{
    c_string, split_pax_record, ustar_path, Content, EntryHeader, EntryType, Finding, FindingKind,
    NameSource, TarWalker, BLOCK, HEADER_ROOM,
};
use crate::formats::gzip::{GzipWriter, Packing};

/// One name the repackager changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// Where the entry's header is in the uncompressed archive.
    pub offset: u64,
    /// True when it is a link target that changes, not the entry's own path.
    pub link: bool,
    /// The name as it is.
    pub from: String,
    /// The name it gets.
    pub to: String,
}

/// Most names a plan keeps to show (the rest are counted).
pub const PLAN_KEPT: usize = 2_000;
/// Most bytes of names a plan keeps: a few MB of hostile archive can carry thousands of
/// 64 KiB names, which must not become gigabytes of plan.
pub const PLAN_BYTES: usize = 4 << 20;

/// What repackaging will do, read before writing anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Entries in the archive.
    pub entries: u64,
    /// The first names that change, in archive order: up to [`PLAN_KEPT`] of them and
    /// [`PLAN_BYTES`] bytes of names.
    pub renames: Vec<Rename>,
    /// Every name that changes, counted.
    pub renamed: u64,
    /// Bytes of the names kept.
    pub(crate) kept_bytes: usize,
    /// What the walk found (a stopping finding means the file cannot be repackaged).
    pub findings: Vec<Finding>,
    /// True when damage stopped the walk before the archive's last entry: the paths of
    /// the entries past it are unknown.
    pub cut_short: bool,
}

impl Plan {
    /// Counts `renames`, keeping each while the plan is under its limits (once one is
    /// not kept, none after it is: the kept names are the first ones).
    pub fn add(&mut self, renames: Vec<Rename>) {
        for rename in renames {
            let none_left_out = self.renames.len() as u64 == self.renamed;
            self.renamed += 1;
            let bytes = rename.from.len() + rename.to.len();
            let room = self.renames.len() < PLAN_KEPT && self.kept_bytes + bytes <= PLAN_BYTES;
            if none_left_out && room {
                self.kept_bytes += bytes;
                self.renames.push(rename);
            }
        }
    }

    /// True when the archive was read to its end (so it can be repackaged).
    pub fn readable(&self) -> bool {
        !self.findings.iter().any(|f| f.kind.stops())
    }

    /// True when an entry could be written outside the device's folder
    /// ([`crate::formats::data_file::FindingKind::is_unsafe`]): renaming it needs the
    /// user's say-so.
    pub fn has_unsafe_entries(&self) -> bool {
        self.findings.iter().any(|f| f.kind.is_unsafe())
    }

    /// True when the archive is a plain tar: a device expects it gzip-compressed, which
    /// repackaging writes.
    pub fn not_compressed(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.kind == FindingKind::NotCompressed)
    }

    /// True when the container is not as BioStar writes it but every entry reads
    /// ([`FindingKind::is_repackable`]): a device may refuse it as it is, and repackaging
    /// writes it as BioStar does.
    pub fn repackable(&self) -> bool {
        self.findings.iter().any(|f| f.kind.is_repackable())
    }

    /// True when the file is not a data file at all
    /// ([`FindingKind::not_a_data_file`]: empty, neither gzip nor tar, gzip holding no tar).
    pub fn not_a_data_file(&self) -> bool {
        self.findings.iter().any(|f| f.kind.not_a_data_file())
    }
}

/// The renames of one entry (its path, and a hard link's target) `direction`'s way.
fn entry_renames(entry: &EntryHeader, direction: Direction) -> Vec<Rename> {
    let link = entry.link.as_deref();
    renames_of((&entry.path, link, entry.kind, entry.offset), direction)
}

/// The renames of the entry at `offset` with this path, link target and type (only a
/// hard link's target is renamed) `direction`'s way.
pub fn renames_of(
    (path, link, kind, offset): (&str, Option<&str>, EntryType, u64),
    direction: Direction,
) -> Vec<Rename> {
    let rename = |name: &str, link: bool| {
        renamed_entry_path(name, direction).map(|to| Rename {
            offset,
            link,
            from: name.to_string(),
            to,
        })
    };
    let target = link
        .filter(|_| kind == EntryType::HardLink)
        .and_then(|l| rename(l, true));
    rename(path, false).into_iter().chain(target).collect()
}

/// Reads a data file through and lists exactly which names repackaging `direction`'s way
/// changes. Only entries read in full count (as in a listing): an entry cut off by damage
/// is neither counted nor planned.
pub fn plan<R: Read>(reader: R, direction: Direction) -> Plan {
    let mut walker = TarWalker::new(reader);
    let mut plan = Plan::default();
    while let Some(entry) = walker.next_entry() {
        let renames = entry_renames(&entry, direction);
        if io::copy(&mut walker, &mut io::sink()).is_err() {
            break;
        }
        plan.entries += 1;
        plan.add(renames);
    }
    plan.findings = walker.findings().to_vec();
    plan.cut_short = walker.stopped() && !walker.listed_all();
    plan
}

/// What repackaging wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Entries written.
    pub entries: u64,
    /// Names changed.
    pub renamed: u64,
    /// What the walk found on the way (none of it stopped the writing).
    pub findings: Vec<Finding>,
}

fn io_error(e: io::Error) -> String {
    format!("writing the new data file failed: {e}")
}

/// Writes the data file read from `reader` to `out` as a new gzip-compressed tar stream,
/// with the names renamed `direction`'s way; Err (with the first finding or write error
/// in words) when the source cannot be read to its end. What was written to `out` by then
/// is incomplete and must be discarded.
pub fn repackage<R: Read, W: Write>(
    reader: R,
    out: W,
    direction: Direction,
) -> Result<(W, Outcome), String> {
    let mut pass = Repack::new(TarWalker::new(reader), out, direction);
    pass.advance(None);
    pass.finish()
}

/// A repackaging that can stop and go on ([`repackage`] runs one to the end at once; the
/// worker feeds one the file's slices as they arrive).
pub struct Repack<R, W: Write> {
    walker: TarWalker<R>,
    gz: GzipWriter<W>,
    direction: Direction,
    outcome: Outcome,
    /// The entry being copied: its data bytes not copied yet, and its size.
    entry: Option<(u64, u64)>,
    /// The first write error or stopping finding, in words.
    failed: Option<String>,
    done: bool,
    slice: Vec<u8>,
}

/// Bytes of an entry's data copied in one step.
const COPY_SLICE: usize = 64 * 1024;

impl<R: Read, W: Write> Repack<R, W> {
    /// A repackaging of `walker`'s archive onto `out`, names renamed `direction`'s way.
    pub fn new(walker: TarWalker<R>, out: W, direction: Direction) -> Self {
        Repack {
            walker,
            gz: GzipWriter::new(out),
            direction,
            outcome: Outcome::default(),
            entry: None,
            failed: None,
            done: false,
            slice: vec![0; COPY_SLICE],
        }
    }

    /// Uncompressed bytes taken so far.
    pub fn position(&self) -> u64 {
        self.walker.position()
    }

    /// Writes on while the source holds bytes: `available` of them (None: as many as it
    /// has). Leaves at least [`HEADER_ROOM`] bytes unread before each header while more
    /// may come; true once the pass has ended (written through, or failed).
    pub fn advance(&mut self, mut available: Option<u64>) -> bool {
        while !self.done {
            let before = self.walker.position();
            let step = match self.entry {
                None if available.is_some_and(|a| a < HEADER_ROOM) => break,
                None => self.next_entry(),
                Some((0, size)) => self.end_entry(size),
                Some((rest, size)) => {
                    let want = available.map_or(COPY_SLICE as u64, |a| a.min(COPY_SLICE as u64));
                    if want == 0 {
                        break;
                    }
                    self.copy(rest.min(want) as usize, rest, size)
                }
            };
            if let Err(e) = step {
                self.fail(e);
            }
            let taken = self.walker.position() - before;
            available = available.map(|a| a.saturating_sub(taken));
        }
        self.done
    }

    /// Stops with the walk's stopping finding, or else `e`, as what failed.
    fn fail(&mut self, e: io::Error) {
        let message = match self.walker.stop_finding() {
            Some(f) => f.to_string(),
            None => io_error(e),
        };
        self.failed = Some(message);
        self.done = true;
    }

    /// Starts the next entry (its header written, its data's start read), or ends the
    /// archive after the last.
    fn next_entry(&mut self) -> io::Result<()> {
        let Some(entry) = self.walker.next_entry() else {
            self.done = true;
            if let Some(stop) = self.walker.stop_finding() {
                self.failed = Some(stop.to_string());
            }
            return Ok(());
        };
        let renames = entry_renames(&entry, self.direction);
        self.outcome.renamed += renames.len() as u64;
        let new_name = |link: bool, old: &str| {
            let found = renames.iter().find(|r| r.link == link);
            found.map_or(old.to_string(), |r| r.to.clone())
        };
        let path = new_name(false, &entry.path);
        let target = entry.link.as_deref().map(|l| new_name(true, l));
        let head = write_entry_start(
            &mut self.gz,
            &entry,
            &path,
            target.as_deref(),
            &mut self.walker,
        )?;
        self.entry = Some((entry.size - head, entry.size));
        Ok(())
    }

    /// Copies the next `want` of the entry's `rest` data bytes.
    fn copy(&mut self, want: usize, rest: u64, size: u64) -> io::Result<()> {
        let n = self.walker.read(&mut self.slice[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "entry cut off",
            ));
        }
        self.gz.write_all(&self.slice[..n])?;
        self.entry = Some((rest - n as u64, size));
        Ok(())
    }

    /// Ends the entry whose data was all copied: packing back to deflate, then padding.
    fn end_entry(&mut self, size: u64) -> io::Result<()> {
        self.gz.set_packing(Packing::Deflate)?;
        self.gz.write_all(&ZEROS[..padding(size as usize)])?;
        self.entry = None;
        self.outcome.entries += 1;
        Ok(())
    }

    /// The written stream and what was done; Err in words when the source could not be
    /// read to its end, or writing failed.
    pub fn finish(mut self) -> Result<(W, Outcome), String> {
        if let Some(failed) = self.failed.take() {
            return Err(failed);
        }
        if !self.done || self.entry.is_some() {
            return Err(io_error(io::ErrorKind::UnexpectedEof.into()));
        }
        self.outcome.findings = self.walker.findings().to_vec();
        self.gz.write_all(&[0u8; 2 * BLOCK]).map_err(io_error)?;
        let out = self.gz.finish().map_err(io_error)?;
        Ok((out, self.outcome))
    }
}

/// Zero bytes to pad with.
const ZEROS: [u8; BLOCK] = [0; BLOCK];

/// Entries shorter than this are deflated whatever they hold: switching to stored blocks
/// (a full flush of the deflater) costs more than it saves.
const MIN_STORED: u64 = 8 * 1024;
/// How many of an entry's first bytes tell how it is packed.
const SAMPLE: usize = 4096;
/// Order-0 entropy in bits per byte from which data counts as incompressible: random,
/// encrypted and compressed bytes come out near 8, text and records well below.
const STORE_ENTROPY: f64 = 7.5;

/// How an entry of `size` bytes whose data starts with `head` is packed: stored when it
/// is a photo (JPEG, PNG) or its start is near-random (every byte value about as common,
/// and no strings repeated), else deflated.
pub(super) fn packing_for(size: u64, head: &[u8]) -> Packing {
    let sample = &head[..head.len().min(SAMPLE)];
    let photo = || Content::of(&head[..head.len().min(BLOCK)]).is_photo();
    let random = || entropy(sample) >= STORE_ENTROPY && !repeats(sample);
    if size >= MIN_STORED && (photo() || random()) {
        Packing::Store
    } else {
        Packing::Deflate
    }
}

/// The order-0 (byte frequency) entropy of `bytes` in bits per byte; 0 for none.
pub(super) fn entropy(bytes: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// True when strings of 4 bytes recur in `bytes` (at least one start in 32 repeats an
/// earlier one), so deflate shrinks them even if every byte value is as common.
pub(super) fn repeats(bytes: &[u8]) -> bool {
    // The last start (plus one) of each 4-byte string, by a 12-bit hash; 0 for none.
    let mut last = [0u16; 1 << 12];
    let mut hits = 0usize;
    for (i, w) in bytes.windows(4).take(usize::from(u16::MAX) - 1).enumerate() {
        let word = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        let slot = (word.wrapping_mul(0x9e37_79b1) >> 20) as usize;
        let seen = usize::from(last[slot]);
        hits += usize::from(seen > 0 && bytes[seen - 1..seen + 3] == *w);
        last[slot] = (i + 1) as u16;
    }
    hits * 32 >= bytes.len().max(1)
}

/// Writes the start of one entry: its own header block as read, with only a changed name
/// (or a name that came from a long-name or PAX header) written again, then the first
/// bytes of its data, which choose how the rest is packed; the bytes of data written.
fn write_entry_start<W: Write, R: Read>(
    out: &mut GzipWriter<W>,
    entry: &EntryHeader,
    path: &str,
    target: Option<&str>,
    data: &mut TarWalker<R>,
) -> io::Result<u64> {
    let mut header = tar::Header::new_old();
    header.as_mut_bytes().copy_from_slice(&entry.raw);
    if header.entry_size()? != entry.size {
        header.set_size(entry.size);
    }
    if header.mtime()? != entry.mtime {
        header.set_mtime(entry.mtime);
    }
    if !entry.global_pax.is_empty() {
        let header = tar::Header::new_ustar();
        write_extension(out, header, "././@GlobalHead", b'g', &entry.global_pax)?;
    }
    let mut ext = Extensions {
        gnu: Vec::new(),
        pax: entry.pax.clone(),
    };
    if path != ustar_path(&entry.raw) && !fit_path(header.as_mut_bytes(), path, entry.path_source) {
        let source = extension_for(&entry.raw, entry.path_source);
        ext.add(
            &mut header.as_mut_bytes()[..100],
            source,
            b'L',
            "path",
            path,
        );
    }
    if let Some(target) = target.filter(|t| *t != c_string(&entry.raw[157..257])) {
        let field = &mut header.as_mut_bytes()[157..257];
        if entry.link_source != NameSource::Header || target.len() > field.len() {
            let source = extension_for(&entry.raw, entry.link_source);
            ext.add(field, source, b'K', "linkpath", target);
        } else {
            put_field(field, target);
        }
    }
    ext.write(out)?;
    header.set_cksum();
    out.write_all(header.as_bytes())?;
    let mut head = [0u8; SAMPLE];
    let head = &mut head[..entry.size.min(SAMPLE as u64) as usize];
    data.read_exact(head)?;
    out.set_packing(packing_for(entry.size, head))?;
    out.write_all(head)?;
    Ok(head.len() as u64)
}

/// The zero bytes that pad `len` bytes to a whole block.
fn padding(len: usize) -> usize {
    (BLOCK - len % BLOCK) % BLOCK
}

/// True when the header is a POSIX ustar one (its prefix field holds a path's folders).
fn is_posix(raw: &[u8]) -> bool {
    &raw[257..263] == b"ustar\0"
}

/// Writes `text` into a header field, zero-filled, cut to the field's size.
fn put_field(field: &mut [u8], text: &str) {
    field.fill(0);
    let n = text.len().min(field.len());
    field[..n].copy_from_slice(&text.as_bytes()[..n]);
}

/// Writes a path read from the header's own fields back into them (split between the
/// POSIX prefix and name as ustar does); false when it must go into an extension.
fn fit_path(raw: &mut [u8; BLOCK], path: &str, source: NameSource) -> bool {
    if source != NameSource::Header {
        return false;
    }
    let posix = is_posix(raw);
    if path.len() <= 100 {
        if posix {
            raw[345..500].fill(0);
        }
        put_field(&mut raw[..100], path);
        return true;
    }
    let split = path
        .char_indices()
        .rev()
        .find(|&(i, c)| c == '/' && i <= 155 && path.len() - i - 1 <= 100 && i + 1 < path.len());
    match split.filter(|_| posix) {
        Some((i, _)) => {
            put_field(&mut raw[345..500], &path[..i]);
            put_field(&mut raw[..100], &path[i + 1..]);
            true
        }
        None => false,
    }
}

/// The extension a name that does not fit goes into: the one it came from, else PAX for
/// a POSIX header and a GNU long name for others.
fn extension_for(raw: &[u8], source: NameSource) -> NameSource {
    match source {
        NameSource::Header if is_posix(raw) => NameSource::Pax,
        NameSource::Header => NameSource::GnuLong,
        other => other,
    }
}

/// The PAX records with the first `key` record's value replaced in place (later ones
/// dropped), or one added at the end.
fn replace_pax(records: &[u8], key: &str, value: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(records.len() + value.len());
    let mut rest = records;
    let mut done = false;
    while let Some((k, _, after)) = split_pax_record(rest) {
        let record = &rest[..rest.len() - after.len()];
        if k != key.as_bytes() {
            out.extend_from_slice(record);
        } else if !done {
            out.extend(pax_record(key, value));
            done = true;
        }
        rest = after;
    }
    if !done {
        out.extend(pax_record(key, value));
    }
    out
}

/// The extension headers written before an entry's own header.
struct Extensions {
    /// GNU long names and links: type flag and name.
    gnu: Vec<(u8, String)>,
    /// PAX records, written as one `x` header.
    pax: Vec<u8>,
}

impl Extensions {
    /// Puts `name` into an extension of `source`'s kind, and its start into `field`.
    fn add(&mut self, field: &mut [u8], source: NameSource, flag: u8, key: &str, name: &str) {
        put_field(field, name);
        match source {
            NameSource::Pax => self.pax = replace_pax(&self.pax, key, name),
            _ => self.gnu.push((flag, name.to_string())),
        }
    }

    /// Writes the GNU long-name blocks, then the PAX header.
    fn write<W: Write>(&self, out: &mut W) -> io::Result<()> {
        for (flag, name) in &self.gnu {
            let mut data = name.as_bytes().to_vec();
            data.push(0);
            write_extension(out, tar::Header::new_gnu(), "././@LongLink", *flag, &data)?;
        }
        if !self.pax.is_empty() {
            write_extension(
                out,
                tar::Header::new_ustar(),
                "././@PaxHeader",
                b'x',
                &self.pax,
            )?;
        }
        Ok(())
    }
}

/// Writes one extension header and its padded data.
fn write_extension<W: Write>(
    out: &mut W,
    mut header: tar::Header,
    name: &str,
    flag: u8,
    data: &[u8],
) -> io::Result<()> {
    put_field(&mut header.as_mut_bytes()[..100], name);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_size(data.len() as u64);
    header.set_entry_type(tar::EntryType::new(flag));
    header.set_cksum();
    out.write_all(header.as_bytes())?;
    out.write_all(data)?;
    out.write_all(&ZEROS[..padding(data.len())])
}

/// One PAX record: `"<length> <key>=<value>\n"`, the length counting its own digits.
fn pax_record(key: &str, value: &str) -> Vec<u8> {
    let body = key.len() + value.len() + 3;
    let mut len = body;
    loop {
        let total = body + len.to_string().len();
        if total == len {
            break;
        }
        len = total;
    }
    format!("{len} {key}={value}\n").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_records_count_their_own_length() {
        for n in 80..1100 {
            let record = pax_record("path", &"a".repeat(n));
            let text = String::from_utf8(record.clone()).unwrap();
            let (len, _) = text.split_once(' ').unwrap();
            assert_eq!(len.parse::<usize>().unwrap(), record.len(), "{n}");
        }
    }

    #[test]
    fn pax_records_are_replaced_in_place() {
        let records = [
            pax_record("mtime", "1.5"),
            pax_record("path", "old"),
            pax_record("uname", "u"),
            pax_record("path", "older"),
        ]
        .concat();
        let new = replace_pax(&records, "path", "new");
        let expected = [
            pax_record("mtime", "1.5"),
            pax_record("path", "new"),
            pax_record("uname", "u"),
        ]
        .concat();
        assert_eq!(new, expected);
        let added = replace_pax(&expected, "linkpath", "t");
        assert!(added.ends_with(b"14 linkpath=t\n"));
    }

    #[test]
    fn long_paths_split_between_prefix_and_name_in_posix_headers() {
        let mut raw = *tar::Header::new_ustar().as_bytes();
        let path = format!("{}/{}", "d".repeat(120), "n".repeat(90));
        assert!(fit_path(&mut raw, &path, NameSource::Header));
        assert_eq!(ustar_path(&raw), path);
        let mut gnu = *tar::Header::new_gnu().as_bytes();
        assert!(!fit_path(&mut gnu, &path, NameSource::Header));
        assert!(!fit_path(&mut raw, "short", NameSource::Pax));
    }

    #[test]
    fn a_plan_keeps_the_first_names_only_and_counts_them_all() {
        let rename = |i: u64, len: usize| Rename {
            offset: i * 512,
            link: false,
            from: format!("BioStarX_{}", "n".repeat(len)),
            to: format!("BioStar2_{}", "n".repeat(len)),
        };
        let mut plan = Plan::default();
        plan.add(vec![
            rename(0, 10),
            rename(1, PLAN_BYTES / 2),
            rename(2, 10),
        ]);
        // The second is over the bytes kept: it and every later name are only counted.
        assert_eq!((plan.renamed, plan.renames.len()), (3, 1));
        assert_eq!(plan.renames[0].offset, 0);
    }
}
