//! ZKTeco template files: `template.dat` (fingerprints) and `ssrface.dat` (faces) hold
//! fixed-size records; `template.fp10.1` (fingerprints) holds records that start with a
//! 6-byte header giving their size, user number and finger.
//!
//! Every record's header has the user number in bytes 2-3 and the finger (0-9) or face
//! (0-11: the clock writes 12 records per face) index in byte 4.

use std::collections::HashSet;
use std::io::{self, Read};

use super::Tally;

/// The name of the fingerprint file with fixed-size records.
pub const TEMPLATE_DAT_NAME: &str = "template.dat";
/// The name of the fingerprint file with variable-size records.
pub const FP10_NAME: &str = "template.fp10.1";
/// The name of the face template file.
pub const SSRFACE_NAME: &str = "ssrface.dat";
/// Size of one record in `template.dat` (fingerprint algorithm 9).
pub const TEMPLATE_DAT_RECORD: u64 = 608;
/// Size of one record in `ssrface.dat` (face templates).
pub const SSRFACE_RECORD: u64 = 2576;
/// Largest record `template.fp10.1` holds: 16 KiB of template plus its 6-byte header.
pub const FP10_MAX_RECORD: u64 = 16 * 1024 + 6;

/// Length of a record header.
const HEADER_LEN: usize = 6;
/// Highest finger index a record may carry (ten fingers).
const MAX_FINGER: u8 = 9;
/// Highest face index a record may carry: `ssrface.dat` holds 12 records per user.
const MAX_FACE: u8 = 11;

/// True when the first record's finger or face index is in range (0-9: a finger, which
/// every template file's first record may be).
pub fn first_record_plausible(head: &[u8]) -> bool {
    head.len() >= HEADER_LEN && head[4] <= MAX_FINGER
}

/// True when `head` starts with a plausible `template.fp10.1` record header.
pub fn fp10_head_plausible(head: &[u8]) -> bool {
    head.len() >= HEADER_LEN && fp10_header_valid(head)
}

/// True when a `template.fp10.1` header (at least 6 bytes) gives a valid size and finger.
fn fp10_header_valid(header: &[u8]) -> bool {
    (7..=FP10_MAX_RECORD).contains(&fp10_record_size(header)) && header[4] <= MAX_FINGER
}

/// The record size a `template.fp10.1` header gives, header included.
fn fp10_record_size(header: &[u8]) -> u64 {
    u64::from(u16::from_le_bytes([header[0], header[1]]))
}

/// Streams a template file of `kind` (`size` bytes) and tallies its records ("templates",
/// or "face records" for `ssrface.dat`), for fixed records those "valid", and the "users"
/// (uids) they belong to, valid or not, as the listing shows them; each problem of
/// [`read_templates`] is a problem.
pub fn count_templates(
    kind: TemplateKind,
    size: u64,
    reader: &mut dyn Read,
    tally: &mut dyn Tally,
) -> io::Result<()> {
    let mut lister = TemplateLister::new(kind, size);
    lister.keep = false;
    let lister = feed_from(lister, reader)?;
    let Counted {
        records,
        valid,
        users,
    } = lister.counted.clone();
    let (one, many) = match kind {
        TemplateKind::Face => ("face record", "face records"),
        _ => ("template", "templates"),
    };
    tally.count(one, many, records);
    if kind.fixed_size().is_some() {
        tally.count("valid", "valid", valid);
    }
    tally.count("user", "users", users.len() as u64);
    let list = lister.finish();
    for problem in list.problems {
        tally.problem(problem);
    }
    if list.problem_count > MAX_PROBLEMS as u64 {
        let more = list.problem_count - MAX_PROBLEMS as u64;
        tally.problem(format!("... and {more} more problems"));
    }
    Ok(())
}

/// Which template file a listing is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKind {
    /// `template.dat`: 608-byte fingerprint records.
    Fingerprint,
    /// `template.fp10.1`: fingerprint records that give their own size.
    FingerprintV10,
    /// `ssrface.dat`: 2,576-byte face records.
    Face,
}

impl TemplateKind {
    /// What a record's index numbers ("finger" or "face") and the highest it may be.
    pub fn index_range(self) -> (&'static str, u8) {
        match self {
            TemplateKind::Face => ("face", MAX_FACE),
            _ => ("finger", MAX_FINGER),
        }
    }

    /// The size of every record, for the files of fixed-size records.
    pub fn fixed_size(self) -> Option<u64> {
        match self {
            TemplateKind::Fingerprint => Some(TEMPLATE_DAT_RECORD),
            TemplateKind::Face => Some(SSRFACE_RECORD),
            TemplateKind::FingerprintV10 => None,
        }
    }

    /// The kind of template file a recognised file is, if it is one.
    pub fn of(kind: crate::recognize::FileKind) -> Option<TemplateKind> {
        use crate::recognize::FileKind;
        match kind {
            FileKind::ZkTemplateDat => Some(TemplateKind::Fingerprint),
            FileKind::ZkTemplateFp10 => Some(TemplateKind::FingerprintV10),
            FileKind::ZkFaceDat => Some(TemplateKind::Face),
            _ => None,
        }
    }
}

/// Most problems a listing keeps word for word; the rest are counted.
const MAX_PROBLEMS: usize = 100;

/// One template record: whose, which finger or face, and where (bytes never decoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateRecord {
    /// The uid of the user in `user.dat`.
    pub uid: u16,
    /// Finger (0-9) or face (0-11) index.
    pub index: u8,
    /// The record's valid flag is set.
    pub valid: bool,
    /// The record's size field (the whole record for `template.fp10.1`).
    pub size: u16,
    /// Byte offset of the record in the file.
    pub offset: u64,
}

/// The records of a template file and what could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateList {
    /// Which file this is.
    pub kind: TemplateKind,
    /// The records in file order.
    pub records: Vec<TemplateRecord>,
    /// Problems with their byte positions (the first hundred).
    pub problems: Vec<String>,
    /// All problems found.
    pub problem_count: u64,
}

impl TemplateList {
    fn problem(&mut self, message: String) {
        self.problem_count += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(message);
        }
    }
}

/// The header fields of a record starting at `offset`.
fn record_at(header: &[u8], offset: u64) -> TemplateRecord {
    TemplateRecord {
        uid: u16::from_le_bytes([header[2], header[3]]),
        index: header[4],
        valid: header[5] != 0,
        size: u16::from_le_bytes([header[0], header[1]]),
        offset,
    }
}

/// Lists the records of a template file of `kind` held in `bytes`; sizes that run past
/// the record or the file, bad headers and cut-off records are problems, never panics.
pub fn list_templates(kind: TemplateKind, bytes: &[u8]) -> TemplateList {
    let mut lister = TemplateLister::new(kind, bytes.len() as u64);
    lister.feed(bytes);
    lister.finish()
}

/// [`list_templates`] of a file read from `reader` (`len` bytes), in pieces: only the
/// records' headers are kept, so a file of any size lists in little memory.
pub fn read_templates(kind: TemplateKind, len: u64, reader: impl Read) -> io::Result<TemplateList> {
    Ok(feed_from(TemplateLister::new(kind, len), reader)?.finish())
}

/// Feeds `lister` every byte `reader` gives.
fn feed_from(mut lister: TemplateLister, mut reader: impl Read) -> io::Result<TemplateLister> {
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(lister),
            Ok(n) => lister.feed(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// What a lister counts of the whole records: all, those valid, and the uids of all (the
/// uids the listing shows, a record not valid included).
#[derive(Debug, Clone, Default)]
struct Counted {
    records: u64,
    valid: u64,
    users: HashSet<u16>,
}

/// A template file listed as its bytes arrive: each record's 6-byte header is taken
/// where the record starts, the rest of the record passed over.
#[derive(Debug)]
pub struct TemplateLister {
    list: TemplateList,
    /// The file's length, for what a problem says is left.
    len: u64,
    /// Bytes fed so far.
    pos: u64,
    /// Where the next record starts.
    next: u64,
    /// The header of the record at `next`, as far as it has come.
    header: [u8; HEADER_LEN],
    have: usize,
    /// A record whose header was read, listed once its last byte has come.
    pending: Option<(TemplateRecord, u64)>,
    /// A header made no sense: the rest of the file is not read.
    stopped: bool,
    /// Keep the records in the list (else they are only counted).
    keep: bool,
    counted: Counted,
}

impl TemplateLister {
    /// A lister for a file of `kind`, `len` bytes long.
    pub fn new(kind: TemplateKind, len: u64) -> Self {
        TemplateLister {
            list: TemplateList {
                kind,
                records: Vec::new(),
                problems: Vec::new(),
                problem_count: 0,
            },
            len,
            pos: 0,
            next: 0,
            header: [0; HEADER_LEN],
            have: 0,
            pending: None,
            stopped: false,
            keep: true,
            counted: Counted::default(),
        }
    }

    /// Takes the next `chunk` of the file.
    pub fn feed(&mut self, chunk: &[u8]) {
        let end = self.pos + chunk.len() as u64;
        while !self.stopped {
            self.settle(end);
            if self.pending.is_some() || self.next >= end {
                break;
            }
            let at = (self.next + self.have as u64 - self.pos) as usize;
            let take = (HEADER_LEN - self.have).min(chunk.len() - at);
            self.header[self.have..self.have + take].copy_from_slice(&chunk[at..at + take]);
            self.have += take;
            if self.have < HEADER_LEN {
                break;
            }
            self.have = 0;
            self.start_record();
        }
        self.pos = end;
    }

    /// Lists the pending record once the bytes up to `end` hold all of it.
    fn settle(&mut self, end: u64) {
        let Some((record, size)) = self.pending else {
            return;
        };
        if record.offset + size > end {
            return;
        }
        self.pending = None;
        self.next = record.offset + size;
        if self.list.kind.fixed_size().is_some() {
            self.check_fixed(&record, size);
        }
        let counted = &mut self.counted;
        counted.records += 1;
        counted.valid += u64::from(record.valid);
        counted.users.insert(record.uid);
        if self.keep {
            self.list.records.push(record);
        }
    }

    /// The header at `next` is whole: checks it and waits for the record's end.
    fn start_record(&mut self) {
        let record = record_at(&self.header, self.next);
        let fixed = self.list.kind.fixed_size();
        if fixed.is_none() && !fp10_header_valid(&self.header) {
            self.list.problem(format!(
                "Byte {}: a record header says size {}, finger {}; that is not a valid record, so the rest of the file ({} bytes) cannot be read.",
                record.offset, record.size, record.index, self.len.saturating_sub(record.offset)
            ));
            self.stopped = true;
            return;
        }
        let size = fixed.unwrap_or(u64::from(record.size));
        self.pending = Some((record, size));
    }

    /// The problems of a fixed-size record's header.
    fn check_fixed(&mut self, record: &TemplateRecord, size: u64) {
        if u64::from(record.size) > size {
            self.list.problem(format!(
                "Byte {}: the record's size field says {} bytes, more than the {size}-byte record holds.",
                record.offset, record.size
            ));
        }
        let (kind, max) = self.list.kind.index_range();
        if record.index > max {
            self.list.problem(format!(
                "Byte {} (uid {}): {kind} index {} is not 0 to {max}; the record may be damaged, copy the file from the clock again.",
                record.offset, record.uid, record.index
            ));
        }
    }

    /// Every byte was fed: the listing, with what the file's end cut off.
    pub fn finish(mut self) -> TemplateList {
        self.settle(self.pos);
        let (pos, list) = (self.pos, &mut self.list);
        // Where the last, unfinished record starts and how much of it came.
        let (at, came) = match self.pending {
            Some((record, _)) => (record.offset, pos - record.offset),
            None => (self.next, self.have as u64),
        };
        match (list.kind.fixed_size(), self.pending) {
            _ if self.stopped || came == 0 => {}
            (Some(size), _) => list.problem(format!(
                "Byte {at}: the last record is cut off ({came} of {size} bytes); it is not read."
            )),
            (None, Some((_, size))) => list.problem(format!(
                "Byte {at}: the record's size field says {size} bytes, past the end of the file ({came} bytes left)."
            )),
            (None, None) => list.problem(format!(
                "Byte {at}: {came} bytes left, too few for a record header; the file is truncated."
            )),
        }
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::Rng;

    /// A record header: size, uid, index, valid.
    fn header(size: u16, uid: u16, index: u8, valid: u8) -> Vec<u8> {
        let mut h = size.to_le_bytes().to_vec();
        h.extend_from_slice(&uid.to_le_bytes());
        h.extend_from_slice(&[index, valid]);
        h
    }

    fn fp10_record(uid: u16, finger: u8, body: usize) -> Vec<u8> {
        let mut r = header((body + HEADER_LEN) as u16, uid, finger, 1);
        r.resize(body + HEADER_LEN, 0xab);
        r
    }

    #[test]
    fn fixed_records_are_listed_with_offsets_and_a_cut_end_reported() {
        let mut bytes = header(602, 13, 3, 1);
        bytes.resize(608, 7);
        let mut second = header(602, 14, 0, 0);
        second.resize(608, 7);
        bytes.extend(second);
        bytes.extend_from_slice(&[1, 2, 3]);
        let list = list_templates(TemplateKind::Fingerprint, &bytes);
        let r = list.records[1];
        assert_eq!((r.uid, r.index, r.valid, r.offset), (14, 0, false, 608));
        assert_eq!(list.records[0].uid, 13);
        assert_eq!(
            list.problems,
            ["Byte 1216: the last record is cut off (3 of 608 bytes); it is not read."]
        );
    }

    #[test]
    fn a_size_field_past_the_record_or_the_file_is_reported() {
        let mut face = header(3000, 2, 0, 1);
        face.resize(2576, 0);
        let list = list_templates(TemplateKind::Face, &face);
        assert!(
            list.problems[0].contains("size field says 3000"),
            "{:?}",
            list.problems
        );
        let mut fp = fp10_record(1, 2, 100);
        fp.extend(fp10_record(2, 3, 50));
        fp.extend(&header(500, 3, 1, 1));
        fp.extend([0; 10]);
        let list = list_templates(TemplateKind::FingerprintV10, &fp);
        assert_eq!(list.records.len(), 2);
        assert_eq!(list.records[1].offset, 106);
        assert_eq!(list.records[1].size, 56);
        assert!(list.problems[0].starts_with("Byte 162: the record's size field says 500 bytes, past the end of the file (16 bytes left)"));
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = Rng(0x7e4_91a7e);
        for _ in 0..300 {
            let bytes = rng.bytes(6000);
            for kind in [
                TemplateKind::Fingerprint,
                TemplateKind::FingerprintV10,
                TemplateKind::Face,
            ] {
                let list = list_templates(kind, &bytes);
                assert!(list.problems.len() <= MAX_PROBLEMS);
            }
        }
    }

    /// `bytes` listed by a lister fed `step` bytes at a time.
    fn fed(kind: TemplateKind, bytes: &[u8], step: usize) -> TemplateList {
        let mut lister = TemplateLister::new(kind, bytes.len() as u64);
        bytes.chunks(step).for_each(|c| lister.feed(c));
        lister.finish()
    }

    #[test]
    fn fed_in_any_steps_or_read_a_listing_is_the_whole_files() {
        let mut fixed = header(602, 13, 3, 1);
        fixed.resize(608 * 3, 7);
        fixed.extend([1, 2, 3]);
        let mut fp = fp10_record(1, 2, 100);
        fp.extend(fp10_record(2, 3, 50));
        let cut_header = [&fp[..], &[7, 0, 1]].concat();
        let past_end = [&fp[..], &header(500, 3, 1, 1), &[0; 10]].concat();
        let bad = [&fp[..], &header(3, 3, 1, 1), &[0; 40]].concat();
        let cases = [
            (TemplateKind::Fingerprint, fixed),
            (TemplateKind::FingerprintV10, cut_header),
            (TemplateKind::FingerprintV10, past_end),
            (TemplateKind::FingerprintV10, bad),
            (TemplateKind::Face, Rng(4).bytes(2576 * 2 + 5)),
        ];
        for (kind, bytes) in cases {
            let whole = list_templates(kind, &bytes);
            assert!(whole.problem_count > 0, "{kind:?}: every case ends badly");
            for step in [1, 2, 5, 6, 7, 100, 607, 608, 609, 4096] {
                assert_eq!(fed(kind, &bytes, step), whole, "{kind:?}, step {step}");
            }
            let read = read_templates(kind, bytes.len() as u64, &bytes[..]).unwrap();
            assert_eq!(read, whole, "{kind:?}");
        }
    }

    #[test]
    fn counting_keeps_no_records_and_a_cut_record_is_not_judged() {
        let mut fixed = header(602, 13, 3, 1);
        fixed.resize(608, 7);
        fixed.extend(header(602, 14, 0, 0));
        fixed.resize(608 * 2, 7);
        fixed.extend(header(9000, 15, 12, 1)); // cut off: its size and index are not read
        let list = list_templates(TemplateKind::Fingerprint, &fixed);
        assert_eq!(list.records.len(), 2);
        assert_eq!(
            list.problems,
            ["Byte 1216: the last record is cut off (6 of 608 bytes); it is not read."]
        );
        let mut seen = crate::formats::Seen::default();
        count_templates(
            TemplateKind::Fingerprint,
            fixed.len() as u64,
            &mut &fixed[..],
            &mut seen,
        )
        .unwrap();
        let counts: Vec<(&str, u64)> = seen.counts.iter().map(|(l, n)| (l.as_str(), *n)).collect();
        assert_eq!(counts, [("templates", 2), ("valid", 1), ("users", 2)]);
        assert_eq!(seen.problems, list.problems);
    }

    /// `count` fixed records of `kind` for `uid`, indices 0 up, valid.
    fn fixed_records(kind: TemplateKind, uid: u16, count: u8) -> Vec<u8> {
        let size = kind.fixed_size().unwrap() as usize;
        let mut bytes = Vec::new();
        for index in 0..count {
            let mut r = header(size as u16 - 6, uid, index, 1);
            r.resize(size, 0x11);
            bytes.extend(r);
        }
        bytes
    }

    #[test]
    fn faces_take_indices_0_to_11_and_fingers_0_to_9() {
        let faces = fixed_records(TemplateKind::Face, 7, 12);
        let list = list_templates(TemplateKind::Face, &faces);
        assert_eq!(list.records.len(), 12);
        assert_eq!(list.records[11].index, 11);
        assert!(list.problems.is_empty(), "{:?}", list.problems);
        let faces = fixed_records(TemplateKind::Face, 7, 13);
        let list = list_templates(TemplateKind::Face, &faces);
        assert_eq!(
            list.problems,
            ["Byte 30912 (uid 7): face index 12 is not 0 to 11; the record may be damaged, copy the file from the clock again."]
        );
        let fingers = fixed_records(TemplateKind::Fingerprint, 3, 11);
        let list = list_templates(TemplateKind::Fingerprint, &fingers);
        assert_eq!(
            list.problems,
            ["Byte 6080 (uid 3): finger index 10 is not 0 to 9; the record may be damaged, copy the file from the clock again."]
        );
    }

    #[test]
    fn users_counted_are_the_uids_listed_a_record_not_valid_included() {
        let mut bytes = fixed_records(TemplateKind::Fingerprint, 1, 2);
        let mut invalid = header(602, 2, 0, 0);
        invalid.resize(608, 0);
        bytes.extend(invalid);
        bytes.extend(fixed_records(TemplateKind::Fingerprint, 99, 1));
        let mut seen = crate::formats::Seen::default();
        let mut reader = &bytes[..];
        count_templates(
            TemplateKind::Fingerprint,
            bytes.len() as u64,
            &mut reader,
            &mut seen,
        )
        .unwrap();
        let listed: HashSet<u16> = list_templates(TemplateKind::Fingerprint, &bytes)
            .records
            .iter()
            .map(|r| r.uid)
            .collect();
        assert_eq!(listed.len(), 3);
        let counts: Vec<(&str, u64)> = seen.counts.iter().map(|(l, n)| (l.as_str(), *n)).collect();
        assert_eq!(counts, [("templates", 4), ("valid", 3), ("users", 3)]);
    }
}
