//! Recognition: what a file is, told from its name, its size and its first bytes.
//!
//! The decisions live here; the facts they rest on (signatures, record sizes, line shapes,
//! file names) live with their format in [`crate::formats`].

use serde::{Deserialize, Serialize};

use crate::formats::data_file;
use crate::formats::zk_attlog::{has_attlog_name, looks_like_attlog_line};
use crate::formats::zk_templates::{
    self, FP10_NAME, SSRFACE_NAME, SSRFACE_RECORD, TEMPLATE_DAT_NAME, TEMPLATE_DAT_RECORD,
};
use crate::formats::zk_user_dat::{self, Verdict, USER_DAT_28, USER_DAT_72};

/// How many leading bytes recognition looks at.
pub const HEAD_LEN: usize = 64 * 1024;

/// What a file was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// A BioStar 2 / BioStar X user CSV (or any delimited sheet of users).
    BiostarCsv,
    /// A BioStar data file: a gzip-compressed tar archive (`BioStarX_YYYYMMDD_HHMMSS.tgz`).
    BiostarDataFile,
    /// A ZKTeco `user.dat` with 72-byte records.
    ZkUserDat72,
    /// A ZKTeco `user.dat` with 28-byte records.
    ZkUserDat28,
    /// A ZKTeco attendance log (`<n>_attlog.dat`), text, one punch a line.
    ZkAttlog,
    /// A ZKTeco `template.dat`: fingerprint templates, 608-byte records.
    ZkTemplateDat,
    /// A ZKTeco `template.fp10.1`: fingerprint templates, variable-size records.
    ZkTemplateFp10,
    /// A ZKTeco `ssrface.dat`: face templates, 2,576-byte records.
    ZkFaceDat,
    /// Nothing bioport reads.
    Unknown,
}

/// The workflow a recognised file opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Workflow {
    /// Read, map, validate, merge and write a BioStar user CSV.
    BiostarCsv,
    /// Verify, list, rename and repackage a BioStar data file.
    DataFile,
    /// Read and convert time clock USB files.
    TimeClock,
}

impl Workflow {
    /// Every workflow, in the order the start screen shows them.
    pub const ALL: [Workflow; 3] = [
        Workflow::BiostarCsv,
        Workflow::DataFile,
        Workflow::TimeClock,
    ];

    /// Title shown to the user.
    pub fn title(self) -> &'static str {
        match self {
            Workflow::BiostarCsv => "BioStar user CSV",
            Workflow::DataFile => "BioStar data file",
            Workflow::TimeClock => "Time clock files",
        }
    }

    /// Stable id used in URLs, test hooks and the CLI's JSON.
    pub fn id(self) -> &'static str {
        match self {
            Workflow::BiostarCsv => "biostar-csv",
            Workflow::DataFile => "data-file",
            Workflow::TimeClock => "time-clock",
        }
    }

    /// One line saying which files the workflow takes.
    pub fn accepts(self) -> &'static str {
        match self {
            Workflow::BiostarCsv => "a user CSV exported from BioStar 2 or BioStar X, or a sheet from HR (.csv, .txt)",
            Workflow::DataFile => "a data file exported from BioStar (BioStarX_YYYYMMDD_HHMMSS.tgz)",
            Workflow::TimeClock => "a clock's USB files: user.dat, *_attlog.dat, template.dat, template.fp10.1, ssrface.dat",
        }
    }
}

impl FileKind {
    /// Human name of the kind.
    pub fn label(self) -> &'static str {
        match self {
            FileKind::BiostarCsv => "BioStar user CSV",
            FileKind::BiostarDataFile => "BioStar data file (.tgz)",
            FileKind::ZkUserDat72 => "Time clock user.dat (72-byte records)",
            FileKind::ZkUserDat28 => "Time clock user.dat (28-byte records)",
            FileKind::ZkAttlog => "Time clock attendance log (attlog.dat)",
            FileKind::ZkTemplateDat => "Fingerprint templates (template.dat)",
            FileKind::ZkTemplateFp10 => "Fingerprint templates (template.fp10.1)",
            FileKind::ZkFaceDat => "Face templates (ssrface.dat)",
            FileKind::Unknown => "Not a file bioport reads",
        }
    }

    /// The workflow this kind opens, if any.
    pub fn workflow(self) -> Option<Workflow> {
        match self {
            FileKind::BiostarCsv => Some(Workflow::BiostarCsv),
            FileKind::BiostarDataFile => Some(Workflow::DataFile),
            FileKind::ZkUserDat72
            | FileKind::ZkUserDat28
            | FileKind::ZkAttlog
            | FileKind::ZkTemplateDat
            | FileKind::ZkTemplateFp10
            | FileKind::ZkFaceDat => Some(Workflow::TimeClock),
            FileKind::Unknown => None,
        }
    }
}

/// How sure recognition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Only the name fits, or the content fits only loosely.
    Low,
    /// Name or content fits, not both.
    Medium,
    /// Name and content agree.
    High,
}

/// The answer of [`recognize`]: the kind, how sure, and notes for the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recognition {
    /// What the file is.
    pub kind: FileKind,
    /// How sure recognition is.
    pub confidence: Confidence,
    /// Why it was recognised so, in a sentence.
    pub reason: String,
    /// Things the user should know (wrong extension, truncated length, ...).
    pub notes: Vec<String>,
}

/// What the user should be told about a file nothing recognised.
pub fn expected_files_message() -> String {
    let mut s = String::from("bioport reads: ");
    let parts: Vec<&str> = Workflow::ALL.iter().map(|w| w.accepts()).collect();
    s.push_str(&parts.join("; "));
    s.push('.');
    s
}

/// Lower-cased last path component of a file name.
fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase()
}

/// Share of bytes in `head` that are printable text (ASCII printable, tab, CR, LF, or UTF-8 high bytes).
fn text_share(head: &[u8]) -> f64 {
    if head.is_empty() {
        return 0.0;
    }
    (head.len() - control_bytes(head)) as f64 / head.len() as f64
}

/// How many of `head`'s bytes are control bytes text does not hold (tab, LF and CR aside).
fn control_bytes(head: &[u8]) -> usize {
    let texty =
        |b: u8| b == b'\t' || b == b'\n' || b == b'\r' || (0x20..0x7f).contains(&b) || b >= 0x80;
    head.iter().filter(|&&b| !texty(b)).count()
}

/// The head as text good enough for sniffing: UTF-16 (with a BOM or without) turned to
/// UTF-8, else lossy UTF-8.
fn sniff_text(head: &[u8]) -> String {
    if crate::text::is_utf16(head) {
        return crate::text::decode(head.to_vec(), None).text;
    }
    String::from_utf8_lossy(head).into_owned()
}

/// Complete lines of the head (the last, possibly cut, line dropped when the head was cut).
fn head_lines(text: &str, cut: bool) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().collect();
    if cut && lines.len() > 1 {
        lines.pop();
    }
    lines
}

/// Header words that mark a BioStar user CSV (or a sheet of users).
const CSV_HEADER_HINTS: [&str; 14] = [
    "user_id",
    "name",
    "department",
    "user_title",
    "csn",
    "start_datetime",
    "expiry_datetime",
    "user id",
    "employee",
    "사용자",
    "이름",
    "부서",
    "카드",
    "email",
];

/// Score how much the head looks like a delimited sheet: (fields per line agree, has header hints).
fn csv_shape(lines: &[&str]) -> (bool, bool) {
    let hints = lines.iter().take(20).any(|l| {
        let lower = l.to_lowercase();
        CSV_HEADER_HINTS.iter().any(|h| lower.contains(h))
    });
    let delimited = [b',', b';', b'\t'].iter().any(|&d| {
        let counts: Vec<usize> = lines
            .iter()
            .take(50)
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.bytes().filter(|&b| b == d).count())
            .collect();
        if counts.is_empty() {
            return false;
        }
        let with = counts.iter().filter(|&&c| c > 0).count();
        with * 10 >= counts.len() * 8
    });
    (delimited, hints)
}

/// The extension of a lower-cased name, without its dot ("" when none).
fn extension(base: &str) -> &str {
    base.rsplit_once('.').map_or("", |(_, e)| e)
}

/// A recognition answer.
fn answer(
    kind: FileKind,
    confidence: Confidence,
    reason: String,
    notes: Vec<String>,
) -> Recognition {
    Recognition {
        kind,
        confidence,
        reason,
        notes,
    }
}

/// What recognition knows of a file before it decides.
struct Candidate<'a> {
    /// The file's own name, not the folders it sits in (messages quote it).
    name: &'a str,
    /// The lower-cased name, for matching.
    base: String,
    /// The lower-cased extension ("" when none).
    ext: String,
    /// The whole file's size in bytes.
    size: u64,
    /// The first bytes (up to [`HEAD_LEN`]).
    head: &'a [u8],
    /// UTF-16 (with a BOM or without), or no NUL bytes and almost all printable.
    text_like: bool,
}

/// Recognises a file from its first bytes (`head`, up to [`HEAD_LEN`]), its total `size` and its `name`.
pub fn recognize(name: &str, size: u64, head: &[u8]) -> Recognition {
    let base = base_name(name);
    let file = Candidate {
        name: name.rsplit(['/', '\\']).next().unwrap_or(name),
        ext: extension(&base).to_string(),
        base,
        size,
        head,
        text_like: crate::text::is_utf16(head) || (!head.contains(&0) && text_share(head) > 0.95),
    };
    if size == 0 || head.is_empty() {
        return answer(
            FileKind::Unknown,
            Confidence::High,
            format!("{} is empty (0 bytes): there is nothing to read. Export the file again from its system.", file.name),
            Vec::new(),
        );
    }
    if let Some(r) = archive(&file).or_else(|| clock_file_by_name(&file)) {
        return r;
    }
    if let Some(document) = LookAlike::of(head) {
        let reason = format!("{} is {}", file.name, document.advice());
        return answer(FileKind::Unknown, Confidence::High, reason, Vec::new());
    }
    // Attendance logs: text, but real ones carry runs of NUL bytes, so look at lines, not bytes.
    let text = sniff_text(head);
    let head_is_full = head.len() as u64 >= size;
    let lines = head_lines(&text, !head_is_full);
    if let Some(r) = attlog(&file, &lines).or_else(|| text_file(&file, &lines)) {
        return r;
    }
    // Binary without a telling name: try user.dat by content. (A user.dat that is text
    // ends here too: its extension is "dat".)
    if file.ext == "dat" || !file.text_like {
        let r = user_dat(size, head, false, file.name);
        if r.kind != FileKind::Unknown {
            return r;
        }
    }
    if has_attlog_name(&file.base) {
        return binary_attlog(&file);
    }
    if let Some(kind) = photo_kind(head) {
        return answer(
            FileKind::Unknown,
            Confidence::High,
            format!("{} is a {kind} photo. Face photos are checked with the BioStar user CSV that names them: open the CSV, then add the photos' folder under \"Face images\" in the workbench.", file.name),
            Vec::new(),
        );
    }
    match binary(&file) {
        Some(r) => r,
        None => not_read(file.name),
    }
}

/// A file that is plainly binary (a tenth of its first bytes or more are control bytes)
/// and nothing bioport reads: said so, with what bioport reads instead, never sent on to
/// the CSV reader, which would ask for a CSV.
fn binary(f: &Candidate) -> Option<Recognition> {
    // A text file padded with NULs (as some devices and USB copies leave it) is not binary:
    // the reader says where its padding is.
    let end = f.head.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let control = control_bytes(&f.head[..end]);
    if f.text_like || end == 0 || control * 10 < end {
        return None;
    }
    let reason = format!(
        "{} {NOT_READ}: it is binary ({control} of its first {} bytes are control bytes), not text, and not a clock file bioport knows by its name or records: a copy of a clock's user.dat is read when its name holds \"user\" and ends in .dat or .bak, and its length is a whole number of 72- or 28-byte records. {}",
        f.name,
        f.head.len(),
        expected_files_message()
    );
    Some(answer(
        FileKind::Unknown,
        Confidence::High,
        reason,
        Vec::new(),
    ))
}

/// "JPEG" or "PNG" when the bytes start as such an image does.
fn photo_kind(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("JPEG")
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("PNG")
    } else {
        None
    }
}

/// A file named like an attendance log that is not text: a log that starts with a run
/// of NUL bytes (flash left unwritten; the reader resyncs past it), or not a log.
fn binary_attlog(f: &Candidate) -> Recognition {
    let control = control_bytes(f.head);
    let nuls = f.head.iter().filter(|&&b| b == 0).count();
    if nuls * 10 >= control * 9 {
        let note = format!("Named like an attendance log; {nuls} of its first {} bytes are NUL (flash a clock left unwritten). It is read as a log: the damaged lines are reported.", f.head.len());
        return answer(
            FileKind::ZkAttlog,
            Confidence::Low,
            "named *_attlog.dat".into(),
            vec![note],
        );
    }
    let reason = format!(
        "{} is named like a clock's attendance log (*_attlog.dat), but it is not text: {control} of its first {} bytes are control bytes, and fewer than half of its lines are punches. It is damaged or not an attendance log; download it from the clock again.",
        f.name,
        f.head.len()
    );
    answer(FileKind::Unknown, Confidence::High, reason, Vec::new())
}

/// A document a user CSV is often mixed up with, told by its first bytes: bioport does not
/// read it, but says what it is and how to get a CSV out of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookAlike {
    /// A ZIP archive, as an Excel workbook (.xlsx) is.
    Xlsx,
    /// An old Excel workbook (.xls, an OLE2 compound file).
    Xls,
    /// A PDF document.
    Pdf,
}

impl LookAlike {
    /// The look-alike `head` starts like, if any.
    pub fn of(head: &[u8]) -> Option<LookAlike> {
        if head.starts_with(b"PK\x03\x04") {
            Some(LookAlike::Xlsx)
        } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            Some(LookAlike::Xls)
        } else if head.starts_with(b"%PDF") {
            Some(LookAlike::Pdf)
        } else {
            None
        }
    }

    /// What it is and what to do, to follow "NAME is ".
    pub fn advice(self) -> &'static str {
        match self {
            LookAlike::Xlsx => "a ZIP archive, as an Excel workbook (.xlsx) is, not a CSV text file: open it in its program and save it as \"CSV UTF-8 (comma delimited)\", then choose the CSV file.",
            LookAlike::Xls => "an old Excel workbook (.xls), not a CSV text file: open it in its program and save it as \"CSV UTF-8 (comma delimited)\", then choose the CSV file.",
            LookAlike::Pdf => "a PDF document, not a CSV text file: export the users as CSV instead.",
        }
    }
}

/// What the reason for a file bioport does not read says after its name, where it says
/// so itself (a binary file, a file of no kind bioport knows).
pub const NOT_READ: &str = "is not a file bioport reads";

/// The answer for a file bioport does not read: what it does read.
fn not_read(name: &str) -> Recognition {
    answer(
        FileKind::Unknown,
        Confidence::Medium,
        format!("{name} {NOT_READ}. {}", expected_files_message()),
        Vec::new(),
    )
}

/// Archives: a gzip stream or a plain tar is a data file; a `.tgz` name on anything else is damage.
fn archive(f: &Candidate) -> Option<Recognition> {
    let name = f.name;
    let mut notes = Vec::new();
    if data_file::is_gzip(f.head) {
        if !data_file::has_archive_extension(&f.base) {
            notes.push(format!(
                "The file is gzip-compressed but named \"{name}\"; a BioStar data file is named BioStarX_YYYYMMDD_HHMMSS.tgz."
            ));
        } else if data_file::read_data_file_name(&f.base).is_some_and(|n| !n.is_exact()) {
            notes.push(
                "The name is a copy's (a suffix such as \" (1)\" after the export time, or .tar.gz): a device does not read it; renaming gives it the BioStar2_YYYYMMDD_HHMMSS.tgz name."
                    .into(),
            );
        } else if !data_file::is_data_file_name(&f.base) {
            notes.push(
                "The name does not have the form BioStarX_YYYYMMDD_HHMMSS.tgz that BioStar writes."
                    .into(),
            );
        }
        let confidence = if data_file::is_data_file_name(&f.base) {
            Confidence::High
        } else {
            Confidence::Medium
        };
        return Some(answer(
            FileKind::BiostarDataFile,
            confidence,
            "gzip-compressed archive".into(),
            notes,
        ));
    }
    if data_file::is_plain_tar(f.head) {
        notes.push("This is a tar archive that is not gzip-compressed; BioStar writes .tgz (gzip-compressed) data files.".into());
        return Some(answer(
            FileKind::BiostarDataFile,
            Confidence::Low,
            "uncompressed tar archive".into(),
            notes,
        ));
    }
    data_file::has_archive_extension(&f.base).then(|| answer(
        FileKind::Unknown,
        Confidence::High,
        format!("{name} is named like a BioStar data file but is not gzip-compressed (it does not start with the bytes 1f 8b 08): it is damaged or not a data file. Export it again."),
        notes,
    ))
}

/// Binary time clock files, told first by name (a `user.dat` that is text is left to the text checks).
fn clock_file_by_name(f: &Candidate) -> Option<Recognition> {
    match f.base.as_str() {
        TEMPLATE_DAT_NAME => Some(record_file(
            FileKind::ZkTemplateDat,
            TEMPLATE_DAT_RECORD,
            f.size,
            f.head,
        )),
        SSRFACE_NAME => Some(record_file(
            FileKind::ZkFaceDat,
            SSRFACE_RECORD,
            f.size,
            f.head,
        )),
        FP10_NAME => Some(fp10(f.head)),
        zk_user_dat::FILE_NAME if !f.text_like => Some(user_dat(f.size, f.head, true, f.name)),
        // A copy's name (`user (1).dat`, `t2_user.dat`, `user.dat.bak`), whole records and
        // at least half of them user-shaped: read as a user.dat, its odd records reported
        // rather than the file refused (a ZIP or photo so named stays what it is).
        copy if !f.text_like
            && zk_user_dat::has_user_dat_copy_name(copy)
            && zk_user_dat::whole_records(f.size)
            && matches!(
                zk_user_dat::judge(f.size, f.head, true),
                zk_user_dat::Verdict::Fits { .. }
            ) =>
        {
            Some(user_dat(f.size, f.head, true, f.name))
        }
        _ => None,
    }
}

/// A file named `template.fp10.1`: sure when its first record header makes sense.
fn fp10(head: &[u8]) -> Recognition {
    let ok = zk_templates::fp10_head_plausible(head);
    let mut notes = Vec::new();
    if !ok {
        notes.push("The first record does not have the shape of a template.fp10.1 record (size, user number, finger 0-9): the file may be damaged.".into());
    }
    let confidence = if ok {
        Confidence::High
    } else {
        Confidence::Low
    };
    answer(
        FileKind::ZkTemplateFp10,
        confidence,
        "named template.fp10.1".into(),
        notes,
    )
}

/// A template file named so: notes a cut-off last record and an implausible first one.
fn record_file(kind: FileKind, record: u64, size: u64, head: &[u8]) -> Recognition {
    let mut notes = Vec::new();
    let rem = size % record;
    if rem != 0 {
        notes.push(format!(
            "The length ({size} bytes) is not a whole number of {record}-byte records: the last {rem} bytes are a cut-off record. The file is truncated; copy it from the clock again."
        ));
    }
    let first_ok = zk_templates::first_record_plausible(head);
    if !first_ok {
        notes.push(
            "The first record's finger or face index is out of range: the file may be damaged."
                .into(),
        );
    }
    let confidence = if rem == 0 && first_ok {
        Confidence::High
    } else {
        Confidence::Medium
    };
    answer(
        kind,
        confidence,
        format!("{record}-byte template records"),
        notes,
    )
}

/// Attendance logs: at least half the head's non-blank lines have the punch shape.
fn attlog(f: &Candidate, lines: &[&str]) -> Option<Recognition> {
    let attlog_lines = lines.iter().filter(|l| looks_like_attlog_line(l)).count();
    let nonblank = lines.iter().filter(|l| !l.trim().is_empty()).count().max(1);
    if attlog_lines == 0 || attlog_lines * 2 < nonblank {
        return None;
    }
    let named_attlog = has_attlog_name(&f.base);
    let mut notes = Vec::new();
    if !named_attlog {
        notes.push(format!(
            "Named \"{}\", but it holds attendance punches; the clock names this file <device number>_attlog.dat.",
            f.name
        ));
    }
    let confidence = if named_attlog {
        Confidence::High
    } else {
        Confidence::Medium
    };
    Some(answer(
        FileKind::ZkAttlog,
        confidence,
        format!("{attlog_lines} of the first {nonblank} lines are punches"),
        notes,
    ))
}

/// Other text files: a damaged attendance log by name, else a delimited sheet or a `.csv` by name.
fn text_file(f: &Candidate, lines: &[&str]) -> Option<Recognition> {
    if !f.text_like {
        return None;
    }
    if has_attlog_name(&f.base) {
        return Some(answer(
            FileKind::ZkAttlog,
            Confidence::Low,
            "named *_attlog.dat".into(),
            vec!["Named like an attendance log, but few lines have the punch shape (ID, tab, date and time): it may be damaged.".into()],
        ));
    }
    let (delimited, hints) = csv_shape(lines);
    let csv_ext = matches!(f.ext.as_str(), "csv" | "txt" | "tsv");
    if delimited || (csv_ext && hints) {
        return Some(sheet(f.name, hints, csv_ext));
    }
    csv_ext.then(|| answer(
        FileKind::BiostarCsv,
        Confidence::Low,
        "named .csv".into(),
        vec!["The file is text, but its lines are not separated into columns by commas, semicolons or tabs.".into()],
    ))
}

/// Delimited text: sure when it has a users header and a sheet's extension.
fn sheet(name: &str, hints: bool, csv_ext: bool) -> Recognition {
    let mut notes = Vec::new();
    if !csv_ext {
        notes.push(format!(
            "Named \"{name}\", but it holds delimited text; BioStar reads and writes .csv."
        ));
    }
    let confidence = match (hints, csv_ext) {
        (true, true) => Confidence::High,
        (true, false) | (false, true) => Confidence::Medium,
        (false, false) => Confidence::Low,
    };
    let reason = if hints {
        "delimited text with a users header".to_string()
    } else {
        "delimited text (no BioStar header seen yet)".to_string()
    };
    answer(FileKind::BiostarCsv, confidence, reason, notes)
}

/// Settles the recognitions of files opened together (a dropped USB folder): beside a
/// clock's files, a text file taken for a CSV only loosely ([`Confidence::Low`]: a
/// readme, notes) is no user CSV export to open the workbench with. It is not read, and
/// its reason says why.
pub fn set_aside_beside_clock_files(together: &mut [(&str, &mut Recognition)]) {
    let clock = (together.iter()).any(|(_, r)| r.kind.workflow() == Some(Workflow::TimeClock));
    let loose = |r: &Recognition| r.kind == FileKind::BiostarCsv && r.confidence == Confidence::Low;
    for (name, r) in together.iter_mut().filter(|(_, r)| clock && loose(r)) {
        let why = r.notes.first().unwrap_or(&r.reason).trim_end_matches('.');
        let (first, rest) = why.split_at(why.chars().next().map_or(0, char::len_utf8));
        let reason = format!(
            "{name} came with a time clock's files but is none of them, nor a user CSV export ({}{rest}): it is not read. To work on it as a user CSV, open it on its own.",
            first.to_lowercase()
        );
        **r = answer(FileKind::Unknown, Confidence::High, reason, Vec::new());
    }
}

/// The kind of a `user.dat` with records of this size (72, else 28).
pub fn user_dat_kind(record: u64) -> FileKind {
    if record == USER_DAT_72 {
        FileKind::ZkUserDat72
    } else {
        FileKind::ZkUserDat28
    }
}

/// A `user.dat` told by name (`by_name`) or by content, with what its length and records say.
/// The note on a user.dat read under another name than the one the clock reads.
fn other_name_note(name: &str) -> Option<String> {
    (!name.eq_ignore_ascii_case(zk_user_dat::FILE_NAME)).then(|| {
        format!("Named \"{name}\"; the clock reads users only from a file named user.dat.")
    })
}

fn user_dat(size: u64, head: &[u8], by_name: bool, name: &str) -> Recognition {
    let mut notes = Vec::new();
    match zk_user_dat::judge(size, head, by_name) {
        Verdict::Fits {
            record,
            share,
            both_sizes_fit,
        } => {
            if both_sizes_fit {
                notes.push(format!(
                    "{size} bytes divides by both {USER_DAT_72} and {USER_DAT_28}; the records' contents say {record} bytes."
                ));
            }
            let renamed = other_name_note(name);
            let confidence = match renamed {
                None => Confidence::High,
                Some(_) => Confidence::Medium,
            };
            notes.extend(renamed);
            let reason = format!("{:.0}% of records have the user.dat shape", share * 100.0);
            answer(user_dat_kind(record), confidence, reason, notes)
        }
        // Only a file named user.dat (a copy's name needs the records to fit).
        Verdict::Misshapen { record, share } => {
            notes.push(format!(
                "Only {:.0}% of the records have the shape of user records: the file may be damaged or written by firmware bioport does not know.",
                share * 100.0
            ));
            let reason = "named user.dat".into();
            answer(user_dat_kind(record), Confidence::Low, reason, notes)
        }
        Verdict::Truncated { record, cut, share } => {
            notes.push(match zk_user_dat::misshapen(size, record, share) {
                true => format!(
                    "The length ({size} bytes) divides by neither {USER_DAT_72} nor {USER_DAT_28}, and only {:.0}% of its whole {record}-byte records have the shape of user records: this is not a user.dat from a clock, or it is damaged. Check that it is the user.dat the clock wrote (USB Manager > Download > user data), or copy it from the clock again.",
                    share * 100.0
                ),
                false => format!(
                    "The length ({size} bytes) divides by neither {USER_DAT_72} nor {USER_DAT_28}, so the clock would reject it: the last {cut} bytes are a cut-off record. The file is truncated; copy it from the clock again."
                ),
            });
            let reason = if by_name {
                format!("named user.dat; read as {record}-byte records")
            } else {
                notes.extend(other_name_note(name));
                format!("its records have the user.dat shape; read as {record}-byte records")
            };
            answer(user_dat_kind(record), Confidence::Low, reason, notes)
        }
        Verdict::No => not_read(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(name: &str, bytes: &[u8]) -> Recognition {
        recognize(
            name,
            bytes.len() as u64,
            &bytes[..bytes.len().min(HEAD_LEN)],
        )
    }

    fn user72(uid: u16, name: &str, user_id: &str) -> Vec<u8> {
        let mut r = vec![0u8; 72];
        r[0..2].copy_from_slice(&uid.to_le_bytes());
        r[11..11 + name.len()].copy_from_slice(name.as_bytes());
        r[39] = 1;
        r[48..48 + user_id.len()].copy_from_slice(user_id.as_bytes());
        r
    }

    #[test]
    fn a_cut_off_user_dat_under_another_name_is_told_by_its_records() {
        let mut bytes: Vec<u8> = (1..=20).flat_map(|i| user72(i, "Ann", "1001")).collect();
        bytes.truncate(bytes.len() - 30);
        let r = rec("backup.bin", &bytes);
        assert_eq!(r.kind, FileKind::ZkUserDat72);
        assert_eq!(r.confidence, Confidence::Low);
        assert_eq!(
            r.reason,
            "its records have the user.dat shape; read as 72-byte records"
        );
        assert!(
            r.notes[0].contains("the last 42 bytes are a cut-off record"),
            "{:?}",
            r.notes
        );
        assert!(r.notes[1].contains("Named \"backup.bin\""), "{:?}", r.notes);
        // Empty slots alone are no evidence: zeros of an odd length are not a user.dat.
        assert_eq!(rec("zeros.bin", &[0u8; 1000]).kind, FileKind::Unknown);
    }

    #[test]
    fn documents_mixed_up_with_a_csv_say_what_they_are() {
        let r = rec("users.xlsx", b"PK\x03\x04\x14\x00\x06\x00rest");
        assert_eq!(
            (r.kind, r.confidence),
            (FileKind::Unknown, Confidence::High)
        );
        assert!(
            r.reason
                .starts_with("users.xlsx is a ZIP archive, as an Excel workbook (.xlsx) is"),
            "{}",
            r.reason
        );
        let r = rec("users.pdf", b"%PDF-1.7\n");
        assert!(
            r.reason.ends_with("export the users as CSV instead."),
            "{}",
            r.reason
        );
    }

    #[test]
    fn csv_with_header_is_biostar_csv() {
        let r = rec(
            "users.csv",
            b"user_id,name,department\n1,Kim,HR\n2,Lee,IT\n",
        );
        assert_eq!(r.kind, FileKind::BiostarCsv);
        assert_eq!(r.confidence, Confidence::High);
        assert!(r.notes.is_empty());
    }

    #[test]
    fn semicolon_sheet_with_wrong_extension_is_csv_with_a_note() {
        let r = rec(
            "export.dat",
            "사용자 ID;이름;부서\n1;김철수;인사\n".as_bytes(),
        );
        assert_eq!(r.kind, FileKind::BiostarCsv);
        assert!(r.notes[0].contains("delimited text"), "{:?}", r.notes);
    }

    #[test]
    fn utf16_csv_is_recognised() {
        let mut bytes = vec![0xff, 0xfe];
        for u in "user_id,name\r\n1,Kim\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(rec("u.csv", &bytes).kind, FileKind::BiostarCsv);
        // Without its byte order mark (as some tools save "Unicode text"), too.
        assert_eq!(rec("u.csv", &bytes[2..]).kind, FileKind::BiostarCsv);
        assert_eq!(rec("users.txt", &bytes[2..]).kind, FileKind::BiostarCsv);
    }

    #[test]
    fn empty_file_says_it_is_empty() {
        let r = rec("users.csv", b"");
        assert_eq!(r.kind, FileKind::Unknown);
        assert!(r.reason.contains("empty"));
    }

    #[test]
    fn gzip_data_file() {
        let r = rec("BioStarX_20250102_030405.tgz", &[0x1f, 0x8b, 0x08, 0, 0, 0]);
        assert_eq!(r.kind, FileKind::BiostarDataFile);
        assert_eq!(r.confidence, Confidence::High);
        let r = rec("backup.bin", &[0x1f, 0x8b, 0x08, 0, 0, 0]);
        assert_eq!(r.kind, FileKind::BiostarDataFile);
        assert!(r.notes[0].contains("gzip-compressed"));
    }

    #[test]
    fn tgz_name_without_gzip_bytes_is_rejected_clearly() {
        let r = rec("BioStarX_20250102_030405.tgz", b"hello world");
        assert_eq!(r.kind, FileKind::Unknown);
        assert!(r.reason.contains("not gzip-compressed"));
    }

    #[test]
    fn user_dat_72_by_name_and_by_content() {
        let mut bytes = user72(1, "Ann", "1001");
        bytes.extend(user72(2, "Bob", "1002"));
        let r = rec("user.dat", &bytes);
        assert_eq!(r.kind, FileKind::ZkUserDat72);
        assert_eq!(r.confidence, Confidence::High);
        let r = rec("copy-of-users.bin", &bytes);
        assert_eq!(r.kind, FileKind::ZkUserDat72);
        assert!(r.notes.iter().any(|n| n.contains("named user.dat")));
    }

    #[test]
    fn a_copy_of_a_user_dat_with_an_odd_record_is_read_as_one() {
        // One odd record of three (a user ID filling all 24 bytes, privilege 200): named as
        // a copy, whole records, it is a user.dat whose odd record is reported.
        let mut bytes = user72(1, "Ann", "1001");
        let mut odd = user72(3, &"X".repeat(23), &"A".repeat(24));
        odd[2] = 200;
        bytes.extend(&user72(2, "Bob", "1002"));
        bytes.extend(&odd);
        for name in [
            "user (1).dat",
            "t2_user.dat",
            "user_old.dat",
            "Users.DAT",
            "user.dat.bak",
        ] {
            let r = rec(name, &bytes);
            assert_eq!(r.kind, FileKind::ZkUserDat72, "{name}: {r:?}");
            assert!(
                r.notes
                    .iter()
                    .any(|n| n.contains(&format!("Named \"{name}\""))),
                "{r:?}"
            );
        }
        assert_eq!(rec("user.dat", &bytes).confidence, Confidence::High);
        // A ZIP so named, of a whole number of records, stays a ZIP.
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend((0..28 * 100 - 4).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 11) as u8));
        assert_ne!(rec("users.bak", &zip).kind, FileKind::ZkUserDat28);
        assert_ne!(rec("users.bak", &zip).kind, FileKind::ZkUserDat72);
        // A name of 24 UTF-8 bytes (8 Hangul) is no reason to refuse a file.
        let r = rec("staff.bin", &user72(1, "가나다라마바사아", "1"));
        assert_eq!(r.kind, FileKind::ZkUserDat72, "{r:?}");
        // Not user-shaped records: a copy's name alone does not make a user.dat.
        assert_eq!(rec("user (1).dat", &zip[..216]).kind, FileKind::Unknown);
    }

    #[test]
    fn a_csv_padded_with_nuls_is_not_called_binary() {
        let mut bytes = b"user_id,name\r\n1,Kim\r\n".to_vec();
        bytes.resize(4096, 0);
        let r = rec("users.csv", &bytes);
        assert!(!r.reason.contains("it is binary"), "{r:?}");
    }

    #[test]
    fn a_binary_file_is_said_to_be_binary_never_sent_to_the_csv_reader() {
        let bytes: Vec<u8> = (0..1000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let r = rec("dump.bin", &bytes);
        assert_eq!(
            (r.kind, r.confidence),
            (FileKind::Unknown, Confidence::High)
        );
        assert!(
            r.reason
                .starts_with("dump.bin is not a file bioport reads: it is binary ("),
            "{}",
            r.reason
        );
        assert!(
            r.reason
                .contains("a copy of a clock's user.dat is read when"),
            "{}",
            r.reason
        );
    }

    #[test]
    fn user_dat_divisible_by_both_sizes_looks_at_content() {
        // 504 bytes = 7 x 72 = 18 x 28.
        let mut bytes = Vec::new();
        for i in 0..7 {
            bytes.extend(user72(i + 1, "Name", &format!("{}", 100 + i)));
        }
        assert_eq!(bytes.len(), 504);
        let r = rec("user.dat", &bytes);
        assert_eq!(r.kind, FileKind::ZkUserDat72, "{r:?}");
        assert!(r.notes.iter().any(|n| n.contains("both 72 and 28")));

        let mut bytes28 = Vec::new();
        for i in 0..18u16 {
            let mut r = vec![0u8; 28];
            r[0..2].copy_from_slice(&(i + 1).to_le_bytes());
            r[8..11].copy_from_slice(b"ANA");
            r[21] = 1;
            r[24..28].copy_from_slice(&(u32::from(i) + 5).to_le_bytes());
            bytes28.extend(r);
        }
        assert_eq!(bytes28.len(), 504);
        assert_eq!(rec("user.dat", &bytes28).kind, FileKind::ZkUserDat28);
    }

    #[test]
    fn truncated_user_dat_is_read_with_a_note() {
        let mut bytes = user72(1, "Ann", "1001");
        bytes.extend(&user72(2, "Bob", "1002")[..30]);
        let r = rec("user.dat", &bytes);
        assert_eq!(r.kind, FileKind::ZkUserDat72);
        assert_eq!(r.confidence, Confidence::Low);
        assert!(r.notes[0].contains("truncated"), "{:?}", r.notes);
    }

    #[test]
    fn random_bytes_named_user_dat_of_no_record_length_are_said_not_to_have_the_user_shape() {
        let bytes: Vec<u8> = (0..1000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let r = rec("user.dat", &bytes);
        assert_eq!(r.confidence, Confidence::Low);
        assert!(
            r.notes[0].contains("have the shape of user records: this is not a user.dat from a clock, or it is damaged"),
            "{:?}",
            r.notes
        );
        assert!(!r.notes[0].contains("truncated"), "{:?}", r.notes);
        let users = crate::formats::zk_user_dat::read_users(&bytes, &Default::default());
        assert!(
            users
                .why
                .contains("the file is not a user.dat, or it is damaged"),
            "{}",
            users.why
        );
    }

    #[test]
    fn random_binary_is_unknown_with_what_was_expected() {
        let bytes: Vec<u8> = (0..1000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let r = rec("photo.jpg", &bytes);
        assert_eq!(r.kind, FileKind::Unknown);
        assert!(r.reason.contains("user.dat"), "{}", r.reason);
        assert!(r.reason.contains(".csv"));
    }

    #[test]
    fn a_photo_says_where_face_photos_are_checked() {
        let jpeg = [&[0xff, 0xd8, 0xff, 0xe0][..], &[7u8; 200]].concat();
        let r = rec("ok.jpg", &jpeg);
        assert_eq!(r.kind, FileKind::Unknown);
        assert!(
            r.reason.starts_with("ok.jpg is a JPEG photo."),
            "{}",
            r.reason
        );
        assert!(
            r.reason.contains("\"Face images\" in the workbench"),
            "{}",
            r.reason
        );
        let png = [&b"\x89PNG\r\n\x1a\n"[..], &[0u8; 100]].concat();
        assert!(rec("face.png", &png)
            .reason
            .starts_with("face.png is a PNG photo."));
    }

    #[test]
    fn random_binary_named_like_an_attlog_says_it_is_not_text() {
        let mut bytes: Vec<u8> = (0..1000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        bytes[..4].copy_from_slice(&[1, 2, 3, 4]);
        let r = rec("1_attlog.dat", &bytes);
        assert_eq!(r.kind, FileKind::Unknown);
        let control = bytes
            .iter()
            .filter(|&&b| b < 0x20 && !b"\t\n\r".contains(&b) || b == 0x7f)
            .count();
        let said = format!("1_attlog.dat is named like a clock's attendance log (*_attlog.dat), but it is not text: {control} of its first 1000 bytes are control bytes");
        assert!(r.reason.starts_with(&said), "{}", r.reason);
        assert!(!r.reason.contains("bioport reads:"), "{}", r.reason);
    }

    #[test]
    fn a_log_named_so_that_starts_with_a_run_of_nuls_is_read_as_a_log() {
        // The head (all that recognition sees) holds NULs only; the punches come later.
        let r = rec("1_attlog.dat", &[0u8; 5000]);
        assert_eq!(
            (r.kind, r.confidence),
            (FileKind::ZkAttlog, Confidence::Low)
        );
        let said = "5000 of its first 5000 bytes are NUL";
        assert!(r.notes[0].contains(said), "{:?}", r.notes);
    }

    #[test]
    fn attlog_text_by_content_and_name() {
        let text = "      123\t2024-01-02 08:00:01\t1\t0\t1\t0\r\n      124\t2024-01-02 08:03:01\t1\t0\t15\t0\r\n";
        let r = rec("1_attlog.dat", text.as_bytes());
        assert_eq!(r.kind, FileKind::ZkAttlog);
        assert_eq!(r.confidence, Confidence::High);
        let r = rec("punches.txt", text.as_bytes());
        assert_eq!(r.kind, FileKind::ZkAttlog);
        assert!(!r.notes.is_empty());
    }

    #[test]
    fn template_files_by_name_and_truncation() {
        let mut t = vec![0u8; 608 * 2];
        t[0..2].copy_from_slice(&602u16.to_le_bytes());
        t[4] = 3;
        let r = rec("template.dat", &t);
        assert_eq!(r.kind, FileKind::ZkTemplateDat);
        assert!(r.notes.is_empty());
        let r = rec("template.dat", &t[..1000]);
        assert!(r.notes[0].contains("truncated"));

        let mut f = vec![0u8; 40];
        f[0..2].copy_from_slice(&40u16.to_le_bytes());
        f[4] = 1;
        assert_eq!(rec("template.fp10.1", &f).kind, FileKind::ZkTemplateFp10);
        assert_eq!(
            rec("ssrface.dat", &vec![0u8; 2576]).kind,
            FileKind::ZkFaceDat
        );
    }

    #[test]
    fn a_text_file_beside_a_clocks_files_is_not_read_but_a_csv_export_is() {
        let readme = b"Copied from the clock on Monday.\nDo not edit.\n";
        let users = b"user_id,name\n1,Ann\n";
        let (mut clock, mut text, mut csv) = (
            rec("user.dat", &user72(1, "Ann", "1001")),
            rec("readme.txt", readme),
            rec("users.csv", users),
        );
        assert_eq!(
            text.kind,
            FileKind::BiostarCsv,
            "alone, it is taken for a CSV"
        );
        let mut together = [
            ("user.dat", &mut clock),
            ("readme.txt", &mut text),
            ("users.csv", &mut csv),
        ];
        set_aside_beside_clock_files(&mut together);
        assert_eq!(clock.kind, FileKind::ZkUserDat72);
        assert_eq!(csv.kind, FileKind::BiostarCsv, "a CSV export opens as one");
        assert_eq!(text.kind, FileKind::Unknown);
        assert_eq!(
            text.reason,
            "readme.txt came with a time clock's files but is none of them, nor a user CSV export (the file is text, but its lines are not separated into columns by commas, semicolons or tabs): it is not read. To work on it as a user CSV, open it on its own."
        );
        // Without a clock's file beside it, it stays what it was.
        let mut alone = rec("readme.txt", readme);
        set_aside_beside_clock_files(&mut [("readme.txt", &mut alone)]);
        assert_eq!(alone.kind, FileKind::BiostarCsv);
    }

    #[test]
    fn every_kind_maps_to_its_workflow() {
        assert_eq!(FileKind::BiostarCsv.workflow(), Some(Workflow::BiostarCsv));
        assert_eq!(
            FileKind::BiostarDataFile.workflow(),
            Some(Workflow::DataFile)
        );
        assert_eq!(FileKind::ZkAttlog.workflow(), Some(Workflow::TimeClock));
        assert_eq!(FileKind::Unknown.workflow(), None);
    }
}
