//! `user.dat` users to a BioStar user CSV, with what does not carry said per user.

use std::collections::HashMap;
use std::io;

use crate::formats::biostar_csv::{CsvWriter, WriteOptions};
use crate::formats::zk_templates::{TemplateKind, TemplateList};
use crate::formats::zk_user_dat::{Privilege, UserRecord};
use crate::model::Sheet;
use crate::workbench::mapping::auto_map;
use crate::workbench::validate::{validate, SiteSettings};

/// How to write the BioStar user CSV.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ToCsvOptions {
    /// Carry passwords that are valid BioStar PINs (4 to 16 digits) in a `pin` column.
    pub carry_pins: bool,
    /// Write users disabled on the clock too (BioStar gets them enabled); left out else.
    pub include_disabled: bool,
    /// What carries a user disabled on the clock (the command line's option, the page's
    /// checkbox), named in the note of each one left out; None names nothing.
    pub include_hint: Option<&'static str>,
    /// The CSV's delimiter, BOM and line ends: by default the workbench's import file's
    /// ([`WriteOptions::IMPORT`]).
    pub write: WriteOptions,
}

/// What of one user does not carry into BioStar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarryNote {
    /// Position of the user in the list converted (0-based).
    pub index: usize,
    /// The user's ID.
    pub user_id: String,
    /// The user's uid on the clock.
    pub uid: u32,
    /// Each thing left behind or to check, in words.
    pub notes: Vec<String>,
}

impl CarryNote {
    /// The note of user `index` with nothing in it yet.
    fn empty(index: usize, user: &UserRecord) -> Self {
        CarryNote {
            index,
            user_id: user.user_id.clone(),
            uid: user.uid,
            notes: Vec::new(),
        }
    }
}

/// `notes` (in user order) with `more` (a user's index and notes, in user order) added in
/// one pass: to the user's note when it has one, else as a new note.
fn merged(
    users: &[UserRecord],
    notes: Vec<CarryNote>,
    more: impl IntoIterator<Item = (usize, Vec<String>)>,
) -> Vec<CarryNote> {
    let mut carried = notes.into_iter().peekable();
    let mut out = Vec::new();
    for (index, extra) in more {
        out.extend(std::iter::from_fn(|| carried.next_if(|n| n.index < index)));
        let Some(user) = users.get(index) else {
            continue;
        };
        let mut note = (carried.next_if(|n| n.index == index))
            .unwrap_or_else(|| CarryNote::empty(index, user));
        note.notes.extend(extra);
        out.push(note);
    }
    out.extend(carried);
    out
}

/// True when a password is a PIN BioStar accepts: 4 to 16 digits (the workbench's rule).
fn valid_pin(password: &[u8]) -> bool {
    (4..=16).contains(&password.len()) && password.iter().all(u8::is_ascii_digit)
}

/// What BioStar will make of a clock user ID, when it is not a plain number.
fn user_id_note(id: &str) -> Option<String> {
    if id.is_empty() {
        Some("no user ID: BioStar needs one, so the row will be rejected until it has one".into())
    } else if !id.bytes().all(|b| b.is_ascii_digit()) {
        Some("the user ID is not a number: the BioStar site must use alphanumeric user IDs".into())
    } else if id.len() > 1 && id.starts_with('0') {
        Some("the user ID has leading zeros, which numeric BioStar user IDs drop".into())
    } else {
        None
    }
}

/// What of `user` (its user ID trimmed: `id`) does not carry, and its PIN when it carries one.
fn carry<'u>(user: &'u UserRecord, id: &str, carry_pins: bool) -> (Vec<String>, Option<&'u str>) {
    let mut notes = Vec::new();
    if user.privilege != Privilege::User {
        notes.push(match user.privilege {
            Privilege::Other(_) => format!("{} does not carry", user.privilege.label()),
            known => format!("privilege {} does not carry", known.label()),
        });
    }
    if user.disabled {
        notes.push("disabled on the clock; BioStar gets the user enabled".into());
    }
    if user.group != 1 {
        notes.push(format!("group {} does not carry", user.group));
    }
    if user.own_time_zones || user.time_zones.iter().any(|&t| t != 0) {
        notes.push("time zones do not carry".into());
    }
    for bad in &user.undecodable {
        let n = bad.sequences as u64;
        let count = crate::text::plural(n, "byte sequence", "byte sequences");
        let (verb, show) = if n == 1 {
            ("does", "shows")
        } else {
            ("do", "show")
        };
        notes.push(format!(
            "{count} of the {} {verb} not decode and {show} as \u{FFFD}",
            bad.field
        ));
    }
    if id != user.user_id {
        notes.push(format!(
            "the user ID \"{}\" is written as \"{id}\": BioStar takes no spaces around it",
            user.user_id
        ));
    }
    notes.extend(user_id_note(id));
    let password = user.password.reveal();
    let mut pin = None;
    if !password.is_empty() {
        if !valid_pin(password) {
            notes.push(
                "the password is not 4 to 16 digits, so not a valid BioStar PIN; it does not carry"
                    .into(),
            );
        } else if carry_pins {
            pin = std::str::from_utf8(password).ok(); // digits only: always UTF-8
        } else {
            notes.push("the password does not carry (PINs were not asked for)".into());
        }
    }
    (notes, pin)
}

/// The numbers 00 to 99 as two ASCII digits each.
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849\
    5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/// `n` in decimal digits, written at the end of `buf` two at a time (a card number per
/// user: the formatting machinery costs several times more).
fn decimal(n: u64, buf: &mut [u8; 20]) -> &str {
    let mut at = buf.len();
    let mut put_pair = |pair: usize| {
        at -= 2;
        buf[at..at + 2].copy_from_slice(&DIGIT_PAIRS[2 * pair..2 * pair + 2]);
    };
    // Divided as u32 once it fits, as card numbers do: WebAssembly has no 64-bit
    // multiply-high, so dividing a u64 by a constant is slow there.
    let mut wide = n;
    while wide > u64::from(u32::MAX) {
        put_pair((wide % 100) as usize);
        wide /= 100;
    }
    let mut n = wide as u32;
    while n >= 10 {
        put_pair((n % 100) as usize);
        n /= 100;
    }
    if n > 0 || at == buf.len() {
        at -= 1;
        buf[at] = b'0' + n as u8;
    }
    // SAFETY: `buf[at..]` holds only the ASCII digits just written.
    unsafe { std::str::from_utf8_unchecked(&buf[at..]) }
}

/// The CSV's header: `user_id`, `name`, `csn`, and `pin` when PINs carry.
fn header(carry_pins: bool) -> &'static [&'static str] {
    const HEADER: [&str; 4] = ["user_id", "name", "csn", "pin"];
    &HEADER[..if carry_pins { 4 } else { 3 }]
}

/// Writes `users` as a BioStar user CSV (`user_id`, `name`, `csn`, and `pin` when asked)
/// onto `out`, users disabled on the clock only when asked; returns it with one note per
/// user for what does not carry (or was left out).
pub fn users_to_csv<W: io::Write>(
    users: &[UserRecord],
    opts: &ToCsvOptions,
    out: W,
) -> io::Result<(W, Vec<CarryNote>)> {
    let written = write_rows(users, opts, out)?;
    Ok((written.out, written.notes))
}

/// What [`write_rows`] gives: the CSV's destination, the same rows as a sheet, the index
/// of the user each data row holds and the notes of what does not carry.
struct Written<W> {
    out: W,
    sheet: Sheet,
    rows: Vec<usize>,
    notes: Vec<CarryNote>,
}

/// The note of a user disabled on the clock, left out of the CSV, before what carries it.
pub(crate) const LEFT_OUT_DISABLED: &str = "left out of the CSV: disabled on the clock, and a BioStar user CSV has no field that disables a user (it would arrive enabled)";

/// The note of a user disabled on the clock, left out of the CSV, naming `include` (what
/// carries it) when given.
fn left_out_note(include: Option<&str>) -> String {
    match include {
        Some(include) => format!("{LEFT_OUT_DISABLED}; {include} carries it, enabled"),
        None => LEFT_OUT_DISABLED.into(),
    }
}

/// The CSV being written and its rows as a sheet, each on the line the workbench's reader
/// numbers it (a quoted line feed starts a line).
struct Rows<W: io::Write> {
    csv: CsvWriter<W>,
    sheet: Sheet,
    /// The line the next row starts on.
    line: u64,
    /// Whether the sheet separates cells with the CSV's delimiter.
    joinable: bool,
}

impl<W: io::Write> Rows<W> {
    /// Writes one row to both.
    fn put(&mut self, cells: &[&str]) -> io::Result<()> {
        let sheet = &mut self.sheet;
        sheet
            .push_row(self.line, cells.iter().copied())
            .map_err(io::Error::other)?;
        // The row as the sheet holds it is the CSV's row when no cell needs quotes.
        let span = sheet.row(sheet.len() - 1).span().unwrap_or_default();
        if self.joinable && self.csv.write_joined(span, cells.len())? {
            self.line += 1;
            return Ok(());
        }
        self.csv.write_row(cells.iter().copied())?;
        // A byte count the compiler vectorises: names are short, a search costs more.
        let feeds = cells.iter().flat_map(|c| c.bytes()).filter(|&b| b == b'\n');
        self.line += 1 + feeds.count() as u64;
        Ok(())
    }
}

/// Writes the CSV of [`users_to_csv`] onto `out` and puts its rows in a sheet too.
fn write_rows<W: io::Write>(
    users: &[UserRecord],
    opts: &ToCsvOptions,
    out: W,
) -> io::Result<Written<W>> {
    let header = header(opts.carry_pins);
    let sheet = Sheet::with_capacity(users.len() + 1, (users.len() + 1) * header.len(), 0);
    let mut rows = Rows {
        csv: CsvWriter::new(out, &opts.write),
        joinable: opts.write.delimiter == sheet.separator(),
        sheet,
        line: 1,
    };
    rows.put(header)?;
    let (mut notes, mut digits, mut written) = (Vec::new(), [0; 20], Vec::new());
    for (index, user) in users.iter().enumerate() {
        if user.disabled && !opts.include_disabled {
            let mut note = CarryNote::empty(index, user);
            note.notes.push(left_out_note(opts.include_hint));
            notes.push(note);
            continue;
        }
        written.push(index);
        let id = user.user_id.trim();
        let (user_notes, pin) = carry(user, id, opts.carry_pins);
        let card = match user.card {
            0 => "",
            n => decimal(n, &mut digits),
        };
        let row = [id, user.name.as_str(), card, pin.unwrap_or("")];
        rows.put(&row[..header.len()])?;
        if !user_notes.is_empty() {
            let mut note = CarryNote::empty(index, user);
            note.notes = user_notes;
            notes.push(note);
        }
    }
    Ok(Written {
        out: rows.csv.finish()?,
        sheet: rows.sheet,
        rows: written,
        notes,
    })
}

/// One user's templates: finger indexes, and how many face records.
#[derive(Default)]
struct Templates {
    fingers: std::collections::BTreeSet<u8>,
    faces: usize,
}

impl Templates {
    /// What of them does not carry into BioStar, in words.
    fn notes(&self) -> impl Iterator<Item = String> + '_ {
        let fingers: Vec<String> = self.fingers.iter().map(u8::to_string).collect();
        let finger = (!fingers.is_empty()).then(|| {
            let (finger, does, them) = match fingers.len() {
                1 => ("finger", "does", "it"),
                _ => ("fingers", "do", "them"),
            };
            format!(
                "{} ({finger} {}) {does} not carry: enrol {them} again on BioStar",
                crate::text::plural(
                    fingers.len() as u64,
                    "fingerprint template",
                    "fingerprint templates"
                ),
                fingers.join(", ")
            )
        });
        let face = (self.faces > 0).then(|| {
            format!(
                "{} not carry: enrol the face again on BioStar",
                crate::text::plural(self.faces as u64, "face template does", "face templates do")
            )
        });
        finger.into_iter().chain(face)
    }
}

/// Adds to `notes` (in user order) the valid templates of `lists` each user of `users`
/// has, which BioStar cannot take from a clock; returns how many users have any.
pub fn add_template_notes<'t>(
    users: &[UserRecord],
    lists: impl IntoIterator<Item = &'t TemplateList>,
    notes: &mut Vec<CarryNote>,
) -> usize {
    let mut per_uid: HashMap<u32, Templates> = HashMap::new();
    for list in lists {
        for record in list.records.iter().filter(|r| r.valid) {
            let held = per_uid.entry(u32::from(record.uid)).or_default();
            match list.kind {
                TemplateKind::Face => held.faces += 1,
                _ => _ = held.fingers.insert(record.index),
            }
        }
    }
    let more: Vec<(usize, Vec<String>)> = (users.iter().enumerate())
        .filter_map(|(index, user)| Some((index, per_uid.get(&user.uid)?.notes().collect())))
        .collect();
    let with = more.len();
    *notes = merged(users, std::mem::take(notes), more);
    with
}

/// Writes `users` as a BioStar user CSV in memory and checks its rows as the workbench
/// does with the site's `settings`: each user's note also carries what the import check
/// finds in its row.
pub fn users_to_biostar(
    users: &[UserRecord],
    opts: &ToCsvOptions,
    settings: SiteSettings,
) -> io::Result<(Vec<u8>, Vec<CarryNote>)> {
    let written = write_rows(users, opts, Vec::new())?;
    let (sheet, rows) = (&written.sheet, &written.rows);
    let mapping = auto_map(header(opts.carry_pins), &[]);
    let report = validate(sheet, 0, &mapping, &settings);
    // Every data row is a user's: row 1 is that of the first user written.
    let found = report.rows_with_findings().map(|row| {
        let messages = (report.findings_of(row).iter()).map(|f| {
            format!(
                "BioStar import check: {}",
                report.message(f, sheet, 0, &mapping)
            )
        });
        (rows[row - 1], messages.collect())
    });
    Ok((written.out, merged(users, written.notes, found)))
}
