//! A clock's USB files held together as one set (the page's worker keeps one): the
//! `user.dat` with its bytes, the attendance log's punches (not its bytes), and the template
//! listings; and what the page is shown of them, in serde types.

use std::collections::{HashMap, HashSet};
use std::io;
use std::rc::Rc;

use encoding_rs::Encoding;
use serde::{Deserialize, Serialize};

use crate::formats::biostar_csv::{CsvWriter, WriteOptions};
use crate::formats::zk_attlog::{read_attlog_bytes, Attlog, RepairReport};
use crate::formats::zk_templates::{list_templates, TemplateKind, TemplateList};
use crate::formats::zk_user_dat::{
    check_users, clock_encoding_for, read_users, read_users_head, write_users, UserFile,
    UserFinding, UserReadOptions, UserRecord,
};
use crate::recognize::FileKind;
use crate::workbench::validate::SiteSettings;
use crate::workbench::Workbook;

use super::{
    add_template_notes, link, users_from_workbook, users_to_biostar, CarryNote, ClockUsers,
    FitNote, PunchNames, ToCsvOptions,
};

/// Template owners listed per user at most in a view (the rest are counted).
pub const MAX_TEMPLATE_USERS: usize = 500;
/// Unlinked IDs and uids listed at most in a view (the rest are counted).
pub const MAX_UNLINKED: usize = 200;
/// Problems of a `user.dat` listed at most in a view (the rest are counted): a wrong code
/// page gives one per user.
pub const MAX_USER_PROBLEMS: usize = 200;

/// The `user.dat` of the set: its name, bytes and users as last read.
#[derive(Debug, Clone)]
pub(super) struct HeldUsers {
    pub(super) name: String,
    /// The file's bytes, up to [`MAX_READ`](crate::formats::zk_user_dat::MAX_READ).
    pub(super) bytes: Vec<u8>,
    /// The file's length.
    pub(super) len: u64,
    pub(super) file: UserFile,
    /// The record size was chosen by the user rather than judged.
    pub(super) forced: Option<u64>,
    /// The users were replaced by those of a BioStar CSV.
    pub(super) from_csv: Option<String>,
    /// Which users were kept though that CSV does not list them.
    pub(super) kept: Option<String>,
    /// What that CSV's rows could not give the clock: nothing is written while any is left.
    pub(super) row_notes: Vec<UserNote>,
    /// That CSV's `csn` cells that are no card number, as given, by user index.
    pub(super) card_cells: HashMap<usize, String>,
}

/// The attendance log of the set: its name and punches (the log's bytes are not held: a
/// repair reads the file again).
#[derive(Debug, Clone)]
pub(super) struct HeldLog {
    pub(super) name: String,
    /// Shared, so a repair can stream while the set answers other requests.
    pub(super) log: Rc<Attlog>,
}

/// A clock's files opened together, linked by uid and user ID.
#[derive(Debug, Clone, Default)]
pub struct ClockSet {
    pub(super) users: Option<HeldUsers>,
    pub(super) attlog: Option<HeldLog>,
    pub(super) templates: Vec<(String, TemplateList)>,
    pub(super) notes: Vec<String>,
    pub(super) filtered: Option<super::table::Filtered>,
    /// User ID (trimmed) -> name, for joining names to punches.
    pub(super) names: PunchNames,
    /// The clock's code page chosen (None: UTF-8): a `user.dat` is read in it, and users
    /// taken from a CSV are written in it.
    pub(super) chosen_encoding: Option<&'static Encoding>,
}

/// What the page shows of the `user.dat` (the users come in pages).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserFileView {
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// The record size read (72 or 28).
    pub record: u64,
    /// Why that size, in words.
    pub why: String,
    /// The record size was chosen by the user.
    pub forced: bool,
    /// Why what was read are not a clock's users (most records do not have the user
    /// shape, or the size chosen does not fit): said before the users, and nothing is
    /// converted or written from them, as on the command line.
    pub unreadable: Option<String>,
    /// The encoding's WHATWG name (e.g. "UTF-8", "GBK").
    pub encoding: String,
    /// Users read.
    pub users: usize,
    /// Empty slots (counted, not listed).
    pub empty_slots: u64,
    /// Byte sequences of names and user IDs that did not decode.
    pub undecodable: usize,
    /// What is wrong with the file, with byte positions (the first `MAX_USER_PROBLEMS`).
    pub problems: Vec<String>,
    /// All problems found.
    pub problem_count: u64,
    /// When the users were replaced by a BioStar CSV's: what was said about it.
    pub from_csv: Option<String>,
    /// When the users were replaced by a BioStar CSV's: the users of the `user.dat` it
    /// does not list (kept), and those whose card it removed.
    pub kept: Option<String>,
}

/// What the page shows of the attendance log (the punches come in pages).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttlogView {
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Lines read.
    pub lines: u64,
    /// Punches read (duplicates included).
    pub punches: usize,
    /// Damaged lines.
    pub damaged: u64,
    /// Damaged lines listed with their line and byte offset.
    pub damaged_listed: usize,
    /// Exact repeats of an earlier punch.
    pub duplicates: usize,
    /// Blank lines.
    pub blank_lines: u64,
    /// NUL bytes in the file.
    pub nul_bytes: u64,
    /// The last line has no line end.
    pub missing_final_newline: bool,
    /// Distinct user IDs that are not UTF-8 text (shown and exported with U+FFFD).
    pub ids_not_utf8: usize,
    /// The file starts with a UTF-8 byte order mark (not part of the first user ID).
    #[serde(default)]
    pub bom: bool,
}

/// One template record, as listed per user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateEntry {
    /// Finger (0-9) or face (0-11) index.
    pub index: u8,
    /// The valid flag is set.
    pub valid: bool,
    /// The record's size field.
    pub size: u16,
}

/// The template records of one uid in one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateOwner {
    /// The uid the records belong to.
    pub uid: u16,
    /// The user ID of the user with that uid, when `user.dat` has one.
    pub user_id: Option<String>,
    /// The user's name, when `user.dat` has one.
    pub name: String,
    /// The records, in file order.
    pub entries: Vec<TemplateEntry>,
}

/// What the page shows of one template file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateFileView {
    /// The file's name.
    pub name: String,
    /// What the file holds, in words.
    pub kind: String,
    /// Records read.
    pub records: usize,
    /// Records with the valid flag set.
    pub valid: usize,
    /// Records per uid (the first `MAX_TEMPLATE_USERS`, 500, uids).
    pub owners: Vec<TemplateOwner>,
    /// Uids in all.
    pub owner_count: usize,
    /// Size fields past the end and other problems, with byte positions.
    pub problems: Vec<String>,
    /// All problems found.
    pub problem_count: u64,
}

/// What does not link up in the set (the first `MAX_UNLINKED`, 200, of each list).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LinksView {
    /// The report can be made: a `user.dat` and another file are in the set.
    pub checked: bool,
    /// Template uids with no user, with their record counts.
    pub templates_without_user: Vec<(u16, usize)>,
    /// All such uids.
    pub templates_without_user_count: usize,
    /// Users (uid, user ID) with no template (only when template files are in the set).
    pub users_without_templates: Vec<(u32, String)>,
    /// All such users.
    pub users_without_templates_count: usize,
    /// Punch user IDs with no user.
    pub punch_ids_without_user: Vec<String>,
    /// All such IDs.
    pub punch_ids_without_user_count: usize,
    /// User IDs two users share, whose punches get no name: a note each.
    #[serde(default)]
    pub shared_ids: Vec<String>,
}

/// The whole set as the page shows it, but for the users and punches (paged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockView {
    /// The `user.dat`, if one is in the set.
    pub users: Option<UserFileView>,
    /// The attendance log, if one is in the set.
    pub attlog: Option<AttlogView>,
    /// The template files.
    pub templates: Vec<TemplateFileView>,
    /// What links and what does not.
    pub links: LinksView,
    /// Notes on the opening (a file replaced by another of its kind, files not taken).
    pub notes: Vec<String>,
}

/// One `user.dat` user as a table row (the password only says whether there is one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    /// Position among the users (for the "show password" request).
    pub index: usize,
    /// The clock's internal number.
    pub uid: u32,
    /// The user ID punches carry.
    pub user_id: String,
    /// The name.
    pub name: String,
    /// The privilege in words.
    pub privilege: String,
    /// Disabled on the clock.
    pub disabled: bool,
    /// A password is set.
    pub password_set: bool,
    /// The card number (0: none).
    pub card: u64,
    /// The `csn` cell of the CSV the users were taken from, as given, when it is no card
    /// number the clock holds (the user's notes say why).
    #[serde(default)]
    pub card_cell: Option<String>,
    /// The group.
    pub group: u8,
    /// The time zones in words ("group's" or the numbers).
    pub time_zones: String,
    /// Byte sequences of this user's text that did not decode.
    pub undecodable: usize,
}

impl UserRow {
    /// The card as the table shows it: its number, nothing for none, marked when the clock
    /// cannot hold it, or the CSV's cell as given, quoted (spaces show), when it is no card
    /// number.
    pub fn card_text(&self) -> String {
        match (&self.card_cell, self.card) {
            (Some(cell), _) => format!("\"{cell}\" (not a card number: see the notes)"),
            (None, 0) => String::new(),
            (None, card) if card > u64::from(u32::MAX) => {
                format!("{card} (above 4294967295, more than the clock holds: see the notes)")
            }
            (None, card) => card.to_string(),
        }
    }
}

/// A page of users.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserPage {
    /// Position of the first row.
    pub start: usize,
    /// Users in all.
    pub total: usize,
    /// The rows.
    pub rows: Vec<UserRow>,
}

/// What of one user the clock cannot hold, or did not carry into BioStar, for the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserNote {
    /// The user's uid on the clock (0 for a CSV user not given one).
    pub uid: u32,
    /// The user's ID.
    pub user_id: String,
    /// The line of the CSV the user came from (0 for a user of the user.dat).
    #[serde(default)]
    pub line: u64,
    /// Each reason, in words.
    pub notes: Vec<String>,
}

impl UserNote {
    /// Whom the note is on, in words: "line 5 of the CSV, uid 3 (202)"; the line only for
    /// a CSV user, no uid for a user not given one, "no user ID" for a row without one.
    pub fn who(&self) -> String {
        let line = match self.line {
            0 => String::new(),
            line => format!("line {line} of the CSV, "),
        };
        let id = self.user_id.as_str();
        match (self.uid, id.is_empty()) {
            (0, true) => format!("{line}no user ID"),
            (0, false) => format!("{line}user ID {id}"),
            (uid, true) => format!("{line}uid {uid} (no user ID)"),
            (uid, false) => format!("{line}uid {uid} ({id})"),
        }
    }
}

impl From<UserFinding> for UserNote {
    fn from(f: UserFinding) -> Self {
        UserNote {
            uid: f.uid,
            line: 0,
            user_id: f.user_id,
            notes: f.reasons.into_iter().chain(f.held).collect(),
        }
    }
}

impl From<CarryNote> for UserNote {
    fn from(n: CarryNote) -> Self {
        UserNote {
            uid: n.uid,
            user_id: n.user_id,
            line: 0,
            notes: n.notes,
        }
    }
}

impl UserNote {
    /// `notes` as a CSV of a row per note (`uid`, `user_id`, `note`; the uid blank when
    /// there is none), for fixing the users in a spreadsheet.
    pub fn write_csv<W: io::Write>(notes: &[UserNote], out: W) -> io::Result<W> {
        let mut csv = CsvWriter::new(out, &WriteOptions::SPREADSHEET);
        csv.write_row(["uid", "user_id", "note"])?;
        for user in notes {
            let uid = match user.uid {
                0 => String::new(),
                uid => uid.to_string(),
            };
            for note in &user.notes {
                csv.write_row([uid.as_str(), user.user_id.as_str(), note.as_str()])?;
            }
        }
        csv.finish()
    }
}

/// Users' notes as the page gets them: the first [`NOTES_SHOWN`] users' to list, and all
/// of them as a CSV to download (one string crosses to the page faster than thousands of
/// notes, and is not turned into a list).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NoteList {
    /// The first users' notes.
    pub shown: Vec<UserNote>,
    /// Notes in all: one a user, and one a CSV row that a later row of its user ID
    /// replaced or that has no user ID.
    pub total: usize,
    /// Users the notes are on: a user counts once with the row a later one replaced.
    #[serde(default)]
    pub users: usize,
    /// Every note, a row each ([`UserNote::write_csv`]).
    pub csv: String,
}

/// How many users `notes` are on: notes of one uid and user ID (a user's CSV row and the
/// earlier one it replaced) are one user, and each row with neither is one.
fn users_noted(notes: &[UserNote]) -> usize {
    let mut seen = HashSet::new();
    (notes.iter())
        .filter(|n| (n.uid, n.user_id.as_str()) == (0, "") || seen.insert((n.uid, &n.user_id)))
        .count()
}

/// Users whose notes the page lists at most; the rest are in the CSV.
pub const NOTES_SHOWN: usize = 200;

impl NoteList {
    /// The list of `notes`.
    pub fn of(mut notes: Vec<UserNote>) -> NoteList {
        // Written into memory, from Rust strings: it cannot fail and is UTF-8.
        let csv = UserNote::write_csv(&notes, Vec::new()).unwrap_or_default();
        let (total, users) = (notes.len(), users_noted(&notes));
        notes.truncate(NOTES_SHOWN);
        NoteList {
            shown: notes,
            total,
            users,
            csv: String::from_utf8(csv).unwrap_or_default(),
        }
    }
}

/// How many lines a repair kept and left out (the file travels beside it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairCounts {
    /// Lines written as they were.
    pub kept: u64,
    /// Damaged lines left out.
    pub removed_damaged: u64,
    /// Blank lines left out (with the damaged ones).
    #[serde(default)]
    pub removed_blank: u64,
    /// Duplicate punches left out.
    pub removed_duplicates: u64,
    /// The UTF-8 byte order mark that started the file was left out.
    #[serde(default)]
    pub removed_bom: bool,
}

impl From<RepairReport> for RepairCounts {
    fn from(r: RepairReport) -> Self {
        RepairCounts {
            kept: r.kept,
            removed_damaged: r.removed_damaged,
            removed_blank: r.removed_blank,
            removed_duplicates: r.removed_duplicates,
            removed_bom: r.removed_bom,
        }
    }
}

/// The encoding named by a WHATWG label, UTF-8 when the label is unknown.
pub fn encoding_named(label: &str) -> &'static Encoding {
    clock_encoding_for(label).unwrap_or(encoding_rs::UTF_8)
}

/// What a template file of `kind` holds, in words.
fn template_label(kind: TemplateKind) -> &'static str {
    match kind {
        TemplateKind::Fingerprint => "fingerprint templates (template.dat)",
        TemplateKind::FingerprintV10 => "fingerprint templates (template.fp10.1)",
        TemplateKind::Face => "face templates (ssrface.dat)",
    }
}

impl ClockSet {
    /// An empty set.
    pub fn new() -> ClockSet {
        ClockSet::default()
    }

    /// Adds file `name` of `kind` with its bytes; a second file of a kind replaces the
    /// first (said in the notes); a file that is no clock file is only noted.
    pub fn add(&mut self, name: &str, kind: FileKind, bytes: Vec<u8>) {
        let len = bytes.len() as u64;
        self.add_head(name, kind, bytes, len);
    }

    /// [`add`](Self::add) of a file of `len` bytes given its first bytes: all of them, or
    /// for a `user.dat` at least [`MAX_READ`](crate::formats::zk_user_dat::MAX_READ). A
    /// new `user.dat` is read in the encoding chosen for the one before.
    pub fn add_head(&mut self, name: &str, kind: FileKind, bytes: Vec<u8>, len: u64) {
        let replaced = match kind {
            FileKind::ZkUserDat72 | FileKind::ZkUserDat28 => {
                let opts = UserReadOptions {
                    record: None,
                    encoding: self.encoding(),
                };
                let file = read_users_head(&bytes, len, &opts);
                let held = HeldUsers {
                    name: name.to_string(),
                    bytes,
                    len,
                    file,
                    forced: None,
                    from_csv: None,
                    kept: None,
                    row_notes: Vec::new(),
                    card_cells: HashMap::new(),
                };
                let old = self.users.replace(held);
                let from_csv = old.as_ref().and_then(|h| h.from_csv.as_deref());
                self.note_csv_users_gone(from_csv, &format!("{name} was added"));
                self.users_changed();
                old.map(|h| h.name)
            }
            FileKind::ZkAttlog => self.replace_log(name, read_attlog_bytes(&bytes)),
            FileKind::ZkTemplateDat | FileKind::ZkTemplateFp10 | FileKind::ZkFaceDat => {
                self.add_templates(name, kind, &bytes);
                None
            }
            _ => {
                let note = format!("{name} is not a clock file; it is not part of the set.");
                self.notes.push(note);
                None
            }
        };
        if let Some(old) = replaced {
            self.notes.push(replaced_note(name, &old));
        }
    }

    fn add_templates(&mut self, name: &str, kind: FileKind, bytes: &[u8]) {
        if let Some(kind) = TemplateKind::of(kind) {
            self.add_template_list(name, list_templates(kind, bytes));
        }
    }

    /// Adds the template file `name`, listed by the caller (streamed); a file of the same
    /// name and kind is replaced.
    pub fn add_template_list(&mut self, name: &str, list: TemplateList) {
        let kind = list.kind;
        self.templates
            .retain(|(n, t)| !(t.kind == kind && n == name));
        self.templates.push((name.to_string(), list));
    }

    /// Chooses the clock's code page for what is read or written next, without reading
    /// the `user.dat` held again ([`reread_users`](Self::reread_users) does both).
    pub fn choose_encoding(&mut self, encoding: &'static Encoding) {
        self.chosen_encoding = Some(encoding);
    }

    /// Reads the `user.dat` again with another record size (None: judged) and encoding.
    pub fn reread_users(&mut self, record: Option<u64>, encoding: &'static Encoding) {
        self.choose_encoding(encoding);
        let mut gone = None;
        if let Some(held) = self.users.as_mut() {
            let opts = UserReadOptions { record, encoding };
            held.file = read_users_head(&held.bytes, held.len, &opts);
            held.forced = record;
            held.row_notes.clear();
            held.card_cells.clear();
            held.kept = None;
            gone = held
                .from_csv
                .take()
                .map(|summary| (held.name.clone(), summary));
        }
        if let Some((name, summary)) = gone {
            self.note_csv_users_gone(Some(&summary), &format!("{name} was read again"));
        }
        self.users_changed();
    }

    /// Says that the users taken from a CSV (`from_csv`, its summary), when there were
    /// any, are gone because of `why`.
    fn note_csv_users_gone(&mut self, from_csv: Option<&str>, why: &str) {
        if let Some(summary) = from_csv {
            self.notes.push(format!(
                "{why}: the users taken from the CSV before are gone ({summary}). Take the \
                 users from the CSV again to get them back."
            ));
        }
    }

    /// Joins names afresh and forgets filtered punches (a name filter may match others).
    fn users_changed(&mut self) {
        self.names = PunchNames::of(self.users());
        self.filtered = None;
    }

    /// Why the `user.dat` held is no user.dat as read (most records are no users, or the
    /// record size chosen does not fit its length), when it is not.
    pub fn users_unreadable(&self) -> Option<&str> {
        let file = &self.users.as_ref()?.file;
        file.not_user_records.as_deref()
    }

    /// The users held (empty when no `user.dat` is in the set).
    pub fn users(&self) -> &[UserRecord] {
        self.users.as_ref().map_or(&[], |h| &h.file.users)
    }

    /// The attendance log held.
    pub fn log(&self) -> Option<&Attlog> {
        self.attlog.as_ref().map(|h| &*h.log)
    }

    /// The attendance log held, shared (for a repair that runs while the set is used).
    pub fn shared_log(&self) -> Option<Rc<Attlog>> {
        self.attlog.as_ref().map(|h| h.log.clone())
    }

    /// Adds the attendance log `name`, read (streamed) by the caller; a second log
    /// replaces the first (said in the notes).
    pub fn add_log(&mut self, name: &str, log: Attlog) {
        if let Some(old) = self.replace_log(name, log) {
            self.notes.push(replaced_note(name, &old));
        }
    }

    /// Holds `log` as the set's log; returns the name of the log it replaces.
    fn replace_log(&mut self, name: &str, log: Attlog) -> Option<String> {
        let held = HeldLog {
            name: name.to_string(),
            log: Rc::new(log),
        };
        self.filtered = None;
        self.attlog.replace(held).map(|h| h.name)
    }

    /// The name of the attendance log, for the repaired file.
    pub fn log_name(&self) -> Option<&str> {
        self.attlog.as_ref().map(|h| h.name.as_str())
    }

    /// The clock's code page: the one the users were read in, else the one chosen, else
    /// UTF-8.
    pub fn encoding(&self) -> &'static Encoding {
        match (&self.users, self.chosen_encoding) {
            // Users from a CSV alone (no file behind them) are written in the one chosen.
            (Some(held), Some(chosen)) if held.len == 0 => chosen,
            (Some(held), _) => held.file.encoding,
            (None, chosen) => chosen.unwrap_or(encoding_rs::UTF_8),
        }
    }

    /// Everything the page shows but the users and punches.
    pub fn view(&self) -> ClockView {
        ClockView {
            users: self.users.as_ref().map(user_file_view),
            attlog: self.attlog.as_ref().map(attlog_view),
            templates: self
                .templates
                .iter()
                .map(|(name, list)| template_view(name, list, self.users()))
                .collect(),
            links: self.links_view(),
            notes: self.notes.clone(),
        }
    }

    fn links_view(&self) -> LinksView {
        if self.users.is_none() || (self.attlog.is_none() && self.templates.is_empty()) {
            return LinksView::default();
        }
        let log = self.log().map(|log| (log, self.encoding()));
        let links = link(self.users(), self.template_lists(), log);
        let user_id = |uid: u32| {
            let user = self.users().iter().find(|u| u.uid == uid);
            user.map_or_else(String::new, |u| u.user_id.clone())
        };
        let without: Vec<(u32, String)> = match self.templates.is_empty() {
            true => Vec::new(),
            false => links.users_without_templates.clone(),
        }
        .into_iter()
        .map(|uid| (uid, user_id(uid)))
        .collect();
        LinksView {
            checked: true,
            templates_without_user_count: links.templates_without_user.len(),
            templates_without_user: (links.templates_without_user.into_iter())
                .take(MAX_UNLINKED)
                .collect(),
            users_without_templates_count: without.len(),
            users_without_templates: without.into_iter().take(MAX_UNLINKED).collect(),
            punch_ids_without_user_count: links.punch_ids_without_user_count,
            punch_ids_without_user: (links.punch_ids_without_user.into_iter())
                .take(MAX_UNLINKED)
                .collect(),
            shared_ids: match self.attlog {
                Some(_) => self.names.shared.clone(),
                None => Vec::new(),
            },
        }
    }

    /// How many users a conversion to BioStar leaves out: those disabled on the clock,
    /// unless `include_disabled`.
    pub fn left_out(&self, include_disabled: bool) -> usize {
        match include_disabled {
            true => 0,
            false => self.users().iter().filter(|u| u.disabled).count(),
        }
    }

    /// Users `start..start + count` as table rows.
    pub fn user_page(&self, start: usize, count: usize) -> UserPage {
        let users = self.users();
        let cells = self.users.as_ref().map(|h| &h.card_cells);
        let rows = (users.iter().enumerate())
            .skip(start)
            .take(count)
            .map(|(index, u)| user_row(index, u, cells.and_then(|c| c.get(&index))))
            .collect();
        UserPage {
            start,
            total: users.len(),
            rows,
        }
    }

    /// The password of user `index`, shown because the user asked to see it.
    pub fn password(&self, index: usize) -> Option<String> {
        let user = self.users().get(index)?;
        Some(String::from_utf8_lossy(user.password.reveal()).into_owned())
    }

    /// The users as a BioStar user CSV (those disabled on the clock only when
    /// `include_disabled`), and per user what does not carry (templates, what the
    /// workbench's import check finds in the row) or that it was left out, with `include`:
    /// what carries a disabled user (the page's checkbox, the command line's option).
    pub fn to_biostar(
        &self,
        carry_pins: bool,
        include_disabled: bool,
        include: &'static str,
    ) -> io::Result<(Vec<u8>, Vec<UserNote>)> {
        let opts = ToCsvOptions {
            carry_pins,
            include_disabled,
            include_hint: Some(include),
            ..ToCsvOptions::default()
        };
        let (csv, mut notes) = users_to_biostar(self.users(), &opts, SiteSettings::default())?;
        add_template_notes(self.users(), self.template_lists(), &mut notes);
        Ok((csv, notes.into_iter().map(UserNote::from).collect()))
    }

    /// Per user, what `record`-byte records (72 or 28) cannot hold, with what the CSV's
    /// rows the users were taken from hold that no record can (cards that are no number).
    pub fn check_fit(&self, record: u64) -> Vec<UserNote> {
        let fits = check_users(self.users(), record, self.encoding())
            .into_iter()
            .map(UserNote::from);
        let mut notes = self
            .users
            .as_ref()
            .map_or_else(Vec::new, |h| h.row_notes.clone());
        let at: HashMap<(u32, String), usize> = (notes.iter().enumerate())
            .map(|(i, n)| ((n.uid, n.user_id.clone()), i))
            .collect();
        for fit in fits {
            match at.get(&(fit.uid, fit.user_id.clone())) {
                Some(&i) => notes[i].notes.extend(fit.notes),
                None => notes.push(fit),
            }
        }
        notes
    }

    /// The `user.dat` bytes in `record`-byte records: the file as read (byte for byte
    /// where unchanged) when the size is the one read; refused with the findings otherwise.
    pub fn write_user_dat(&self, record: u64) -> Result<Vec<u8>, Vec<UserNote>> {
        if self.users.as_ref().is_some_and(|h| !h.row_notes.is_empty()) {
            return Err(self.check_fit(record));
        }
        let encoding = self.encoding();
        let written = match &self.users {
            Some(h) if h.file.record == record => h.file.to_bytes(),
            _ => write_users(self.users(), record, encoding),
        };
        written.map_err(|f| f.into_iter().map(UserNote::from).collect())
    }

    /// Replaces the users held by those of a BioStar CSV open in the workbench (users of
    /// the `user.dat` keep their uids); returns what does not fit, per user.
    pub fn users_from_csv(&mut self, book: &Workbook, record: u64) -> Vec<UserNote> {
        let encoding = self.encoding();
        let made = users_from_workbook(book, self.users(), &self.orphan_uids(), record, encoding);
        let csv = book.name();
        let from = match &self.users {
            Some(h) if h.from_csv.is_none() => format!("of {}", h.name),
            _ => "held now (taken from an earlier CSV)".to_string(),
        };
        let notes = [
            kept_note(&made.kept, &from, csv),
            cards_note(&made.cards_removed),
            (!made.trimmed.is_empty()).then(|| format!("{}.", made.trimmed.join("; "))),
        ];
        let kept = Some(notes.into_iter().flatten().collect::<Vec<_>>().join(" "))
            .filter(|n| !n.is_empty());
        let summary = csv_summary(csv, &made);
        let held = self.users.get_or_insert_with(|| {
            let opts = UserReadOptions {
                record: None,
                encoding,
            };
            let mut file = read_users(&[], &opts);
            file.record = record;
            file.why =
                format!("no user.dat in the set: {record}-byte records for the users of {csv}");
            HeldUsers {
                name: "user.dat".into(),
                bytes: Vec::new(),
                len: 0,
                file,
                forced: None,
                from_csv: None,
                kept: None,
                row_notes: Vec::new(),
                card_cells: HashMap::new(),
            }
        });
        if held.len == 0 {
            // No user.dat behind them: the users take the records and code page asked for.
            held.file.record = record;
            held.file.encoding = encoding;
        }
        held.file.users = made.users;
        held.card_cells = made.card_cells;
        held.from_csv = Some(summary);
        held.kept = kept;
        self.users_changed();
        let row_notes = self.user_notes(made.row_notes);
        if let Some(held) = self.users.as_mut() {
            held.row_notes = row_notes;
        }
        self.user_notes(made.notes)
    }
}

impl ClockSet {
    /// `notes` on CSV users, each with the uid its user has in the set (0 for none).
    fn user_notes(&self, notes: Vec<FitNote>) -> Vec<UserNote> {
        let uids: HashMap<&str, u32> = (self.users().iter())
            .map(|u| (u.user_id.trim(), u.uid))
            .collect();
        (notes.into_iter())
            .map(|n| UserNote {
                uid: match n.user_id.trim() {
                    "" => 0,
                    id => uids.get(id).copied().unwrap_or(0),
                },
                line: n.line,
                notes: n.reasons,
                user_id: n.user_id,
            })
            .collect()
    }

    /// The template files' listings.
    fn template_lists(&self) -> impl Iterator<Item = &TemplateList> {
        self.templates.iter().map(|(_, t)| t)
    }

    /// The uids of template records with no user in the set: a new user must not take
    /// them, or the clock would give that user someone else's fingerprints or face.
    fn orphan_uids(&self) -> Vec<u32> {
        let links = link(self.users(), self.template_lists(), None);
        links
            .templates_without_user
            .keys()
            .map(|&uid| u32::from(uid))
            .collect()
    }
}

/// What taking the users of `csv` did: "Users from hr.csv: 1 added, 0 updated, 2 kept
/// that the CSV does not list, 5 in all." (the kept only when there are any).
fn csv_summary(csv: &str, made: &ClockUsers) -> String {
    let kept = match made.kept.len() {
        0 => String::new(),
        n => format!("{n} kept that the CSV does not list, "),
    };
    format!(
        "Users from {csv}: {} added, {} updated, {kept}{} in all.",
        made.added,
        made.updated,
        made.users.len()
    )
}

/// `ids` joined, the first [`KEPT_NAMED`] of them, the rest counted.
fn named(ids: &[String]) -> String {
    let (first, more) = ids.split_at(ids.len().min(KEPT_NAMED));
    let mut joined = first.join(", ");
    if !more.is_empty() {
        joined.push_str(&format!(" and {} more", more.len()));
    }
    joined
}

/// User IDs a note on kept users names at most; the rest are counted.
const KEPT_NAMED: usize = 100;

/// The note naming the `kept` users (`from`: "of user.dat", or whose they are) that
/// `csv` does not list; None when there are none.
fn kept_note(kept: &[String], from: &str, csv: &str) -> Option<String> {
    (!kept.is_empty()).then(|| {
        let (are, ids, who) = match kept.len() {
            1 => ("is", "user ID", "If they have left, delete them"),
            _ => ("are", "user IDs", "If any of them has left, delete them"),
        };
        format!(
            "{} {from} {are} not in {csv} but {are} kept, with their access to the clock: {ids} {}. {who} on the clock after the upload.",
            crate::text::plural(kept.len() as u64, "user", "users"),
            named(kept)
        )
    })
}

/// The note naming the users of the `user.dat` whose card the CSV removed (an empty
/// `csn` cell); None when there are none.
fn cards_note(removed: &[String]) -> Option<String> {
    (!removed.is_empty()).then(|| {
        let (cards, is, ids, badges, them) = match removed.len() {
            1 => ("card", "is", "user ID", "Their badge", "it"),
            _ => ("cards", "are", "user IDs", "Their badges", "them"),
        };
        format!(
            "The {cards} of {} of the clock {is} removed, as the CSV's csn cell is empty for them: {ids} {}. {badges} will stop working on the clock; fill in the csn in the CSV to keep {them}.",
            crate::text::plural(removed.len() as u64, "user", "users"),
            named(removed)
        )
    })
}

fn user_file_view(held: &HeldUsers) -> UserFileView {
    let file = &held.file;
    let undecodable = (file.users.iter())
        .flat_map(|u| &u.undecodable)
        .map(|b| b.sequences)
        .sum();
    UserFileView {
        name: held.name.clone(),
        size: held.len,
        record: file.record,
        why: file.why.clone(),
        forced: held.forced.is_some(),
        unreadable: file.not_user_records.clone(),
        encoding: file.encoding.name().to_string(),
        users: file.users.len(),
        empty_slots: file.empty_slots,
        undecodable,
        problems: (file.problems.iter().take(MAX_USER_PROBLEMS).cloned()).collect(),
        problem_count: file.problems.len() as u64,
        from_csv: held.from_csv.clone(),
        kept: held.kept.clone(),
    }
}

fn attlog_view(held: &HeldLog) -> AttlogView {
    let log = &held.log;
    AttlogView {
        name: held.name.clone(),
        size: log.size,
        lines: log.lines,
        punches: log.punches.len(),
        damaged: log.damaged_count,
        damaged_listed: log.damaged.len(),
        duplicates: log.duplicates.len(),
        blank_lines: log.blank_lines,
        nul_bytes: log.nul_bytes,
        missing_final_newline: log.missing_final_newline,
        ids_not_utf8: log.ids.not_utf8(),
        bom: log.bom,
    }
}

fn template_view(name: &str, list: &TemplateList, users: &[UserRecord]) -> TemplateFileView {
    let mut owners: Vec<TemplateOwner> = Vec::new();
    let mut order: Vec<&crate::formats::zk_templates::TemplateRecord> =
        list.records.iter().collect();
    order.sort_by_key(|r| (r.uid, r.offset));
    for r in order {
        let entry = TemplateEntry {
            index: r.index,
            valid: r.valid,
            size: r.size,
        };
        match owners.last_mut() {
            Some(o) if o.uid == r.uid => o.entries.push(entry),
            _ => {
                let user = users.iter().find(|u| u.uid == u32::from(r.uid));
                owners.push(TemplateOwner {
                    uid: r.uid,
                    user_id: user.map(|u| u.user_id.clone()),
                    name: user.map_or_else(String::new, |u| u.name.clone()),
                    entries: vec![entry],
                });
            }
        }
    }
    let owner_count = owners.len();
    owners.truncate(MAX_TEMPLATE_USERS);
    TemplateFileView {
        name: name.to_string(),
        kind: template_label(list.kind).to_string(),
        records: list.records.len(),
        valid: list.records.iter().filter(|r| r.valid).count(),
        owners,
        owner_count,
        problems: list.problems.clone(),
        problem_count: list.problem_count,
    }
}

/// Whose time zones a user has, in words: "own: 1, 2, 0", "group's" (or "group's: 1, 0,
/// 0" when the record holds some it does not use), as the page and `check` show them.
pub fn time_zones_text(u: &UserRecord) -> String {
    if u.own_time_zones || u.time_zones.iter().any(|&t| t != 0) {
        let [a, b, c] = u.time_zones;
        let whose = if u.own_time_zones { "own" } else { "group's" };
        format!("{whose}: {a}, {b}, {c}")
    } else {
        "group's".to_string()
    }
}

/// User `index` as a table row, with the CSV's `csn` cell when it is no card number.
fn user_row(index: usize, u: &UserRecord, card_cell: Option<&String>) -> UserRow {
    UserRow {
        index,
        uid: u.uid,
        user_id: u.user_id.clone(),
        name: u.name.clone(),
        privilege: u.privilege.label(),
        disabled: u.disabled,
        password_set: !u.password.is_empty(),
        card: u.card,
        card_cell: card_cell.cloned(),
        group: u.group,
        time_zones: time_zones_text(u),
        undecodable: u.undecodable.iter().map(|b| b.sequences).sum(),
    }
}

/// The note when file `name` takes the place of `old`, of the same kind.
fn replaced_note(name: &str, old: &str) -> String {
    format!("{name} replaces {old}: a set holds one file of each kind, so {old} is not shown, linked or repaired. To work on {old}, add it again on its own.")
}

#[cfg(test)]
mod tests;
