//! BioStar user CSV rows to `user.dat` users: uids assigned (kept for users the clock
//! already has), and what does not fit said per user.

use std::collections::{HashMap, HashSet};

use encoding_rs::Encoding;

use crate::formats::zk_user_dat::{check_users, Secret, UserRecord};
use crate::workbench::mapping::Field;
use crate::workbench::Workbook;

/// What of one CSV user does not fit the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FitNote {
    /// The CSV line the user is on (0 for a user kept from the existing `user.dat`).
    pub line: u64,
    /// The user's ID.
    pub user_id: String,
    /// Each thing that does not fit, in words.
    pub reasons: Vec<String>,
}

/// Users for a `user.dat` made from a BioStar CSV, and what does not fit.
#[derive(Debug, Clone)]
pub struct ClockUsers {
    /// The existing users (updated where the CSV has them), then the new ones.
    pub users: Vec<UserRecord>,
    /// CSV users added.
    pub added: usize,
    /// Existing users whose name, card or PIN the CSV changed.
    pub updated: usize,
    /// User IDs of the existing users the CSV does not list: kept as they were, with
    /// their access to the clock.
    pub kept: Vec<String>,
    /// User IDs of existing users whose card the CSV took away (an empty `csn` cell):
    /// said, since their badge stops working on the clock.
    pub cards_removed: Vec<String>,
    /// One note per user that does not fit; the file cannot be written until none are left.
    pub notes: Vec<FitNote>,
    /// Cells whose spaces around them were trimmed, changing them: "user 9: the name
    /// \"  Ann \" is written as \"Ann\"" (a cell equal to what the user has is kept as it is).
    pub trimmed: Vec<String>,
    /// The part of `notes` that comes from the CSV's rows (cards, missing and repeated
    /// IDs, cards the clock has no field for), which no record size changes.
    pub row_notes: Vec<FitNote>,
    /// The `csn` cells that are no card number the clock holds, as given, by the index
    /// of their user in `users` (whose card is left as it was).
    pub card_cells: HashMap<usize, String>,
}

/// A card cell as a number, or why it is not one the clock can hold.
fn card_of(cell: &str) -> Result<u64, String> {
    if cell.trim().is_empty() {
        return Ok(0);
    }
    if cell.trim() != cell {
        return Err(format!(
            "card \"{cell}\" has spaces around it, which the workbench refuses too: remove them in the CSV"
        ));
    }
    if !cell.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "card \"{cell}\" is not a plain number (the clock holds card numbers up to 4294967295)"
        ));
    }
    match cell.parse::<u64>() {
        Ok(n) if cell.len() > 1 && cell.starts_with('0') => Err(format!(
            "card \"{cell}\" has leading zeros, which the clock's card number cannot keep ({n})"
        )),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("card {cell} is above 4294967295")),
    }
}

/// One CSV row's cells that the clock has fields for.
/// A cell is None where the CSV has no column for it: the user keeps what it had.
struct CsvUser<'a> {
    line: u64,
    /// The user ID, trimmed; `id_cell` is the cell as it is.
    id: &'a str,
    id_cell: &'a str,
    name: Option<&'a str>,
    csn: Option<&'a str>,
    pin: Option<&'a str>,
    /// Headers of Wiegand card columns holding a value.
    wiegand: Vec<&'a str>,
}

/// Gathers users, keeping existing uids and giving new users the lowest free ones.
struct Builder {
    users: Vec<UserRecord>,
    /// How many of `users` came from the existing `user.dat`.
    existing: usize,
    by_id: HashMap<String, usize>,
    taken: HashSet<u32>,
    next_uid: u32,
    lines: Vec<u64>,
    notes: HashMap<usize, Vec<String>>,
    /// Rows that carry no user (no user ID), noted by their line.
    unused: Vec<FitNote>,
    added: usize,
    updated: usize,
    cards_removed: Vec<String>,
    trimmed: Vec<String>,
    card_cells: HashMap<usize, String>,
    /// User IDs two or more existing users share, with their uids: a row cannot say which.
    shared: HashMap<String, Vec<u32>>,
    /// Rows a later row of the same user ID replaced: their line, the user as that row
    /// made it, and its notes; their own findings are said besides the duplicate.
    superseded: Vec<(u64, UserRecord, Vec<String>)>,
}

/// User IDs (trimmed) that more than one of `users` has, with their uids.
fn shared_ids(users: &[UserRecord]) -> HashMap<String, Vec<u32>> {
    let mut uids: HashMap<String, Vec<u32>> = HashMap::new();
    for user in users {
        uids.entry(user.user_id.trim().to_string())
            .or_default()
            .push(user.uid);
    }
    uids.retain(|_, uids| uids.len() > 1);
    uids
}

/// A cell's text for a field that holds `was`: as it is when equal, else trimmed, a trim
/// that changes it noted in `trimmed` as `who`'s.
fn cell_text(what: &str, cell: &str, was: &str, who: &str, trimmed: &mut Vec<String>) -> String {
    let text = match cell == was {
        true => cell,
        false => cell.trim(),
    };
    if text != cell {
        trimmed.push(format!(
            "user {who}: the {what} \"{cell}\" is written as \"{text}\" (spaces around it trimmed)"
        ));
    }
    text.to_string()
}

impl Builder {
    /// Starts from the `existing` users; new users get none of their uids nor those of
    /// `reserved` (uids whose templates have no user: a new user would inherit them).
    fn new(existing: &[UserRecord], reserved: &[u32]) -> Builder {
        Builder {
            users: existing.to_vec(),
            existing: existing.len(),
            by_id: (existing.iter().enumerate())
                .map(|(i, u)| (u.user_id.trim().to_string(), i))
                .collect(),
            taken: (existing.iter().map(|u| u.uid))
                .chain(reserved.iter().copied())
                .collect(),
            next_uid: 1,
            lines: vec![0; existing.len()],
            notes: HashMap::new(),
            unused: Vec::new(),
            added: 0,
            updated: 0,
            cards_removed: Vec::new(),
            trimmed: Vec::new(),
            card_cells: HashMap::new(),
            shared: shared_ids(existing),
            superseded: Vec::new(),
        }
    }

    /// The index of the user with `id`, added with a free uid when new.
    fn user_for(&mut self, id: &str) -> usize {
        if let Some(&i) = self.by_id.get(id) {
            return i;
        }
        while self.taken.contains(&self.next_uid) {
            self.next_uid += 1;
        }
        self.taken.insert(self.next_uid);
        self.users.push(UserRecord::new(self.next_uid, id, ""));
        self.lines.push(0);
        self.by_id.insert(id.to_string(), self.users.len() - 1);
        self.added += 1;
        self.users.len() - 1
    }

    fn apply(&mut self, row: CsvUser<'_>) {
        let existed = self.by_id.contains_key(row.id);
        let index = self.user_for(row.id);
        let mut notes = Vec::new();
        if let Some(uids) = self.shared.get(row.id) {
            notes.push(shared_note(row.id, uids));
        }
        if !existed {
            let id = cell_text("user ID", row.id_cell, "", row.id, &mut self.trimmed);
            self.users[index].user_id = id;
        }
        if self.lines[index] != 0 {
            // Two rows for one user: the later one is taken, and both must be looked at.
            let earlier = self.lines[index];
            notes.push(same_id_note(earlier));
            let mut own = self.notes.remove(&index).unwrap_or_default();
            own.push(same_id_note(row.line));
            (self.superseded).push((earlier, self.users[index].clone(), own));
        }
        let before = self.users[index].clone();
        let cell_before = self.card_cells.get(&index).cloned();
        let user = &mut self.users[index];
        if let Some(name) = row.name {
            user.name = cell_text("name", name, &before.name, row.id, &mut self.trimmed);
        }
        match row.csn.map(|cell| (cell, card_of(cell))) {
            Some((_, Ok(card))) => {
                user.card = card;
                self.card_cells.remove(&index);
            }
            Some((cell, Err(note))) => {
                notes.push(note);
                self.card_cells.insert(index, cell.to_string());
            }
            None => {}
        }
        if let Some(pin) = row.pin.filter(|p| !p.is_empty()) {
            user.password = Secret::new(pin.as_bytes().to_vec());
        }
        for header in row.wiegand {
            notes.push(format!(
                "the {header} card does not carry: the clock holds one card number (csn)"
            ));
        }
        // A csn cell that is no card number changes what the user's card is: updated too.
        let cell_changed = self.card_cells.get(&index) != cell_before.as_ref();
        if existed && (*user != before || cell_changed) {
            self.updated += 1;
            if before.card != 0 && user.card == 0 {
                self.cards_removed.push(row.id.to_string());
            }
        }
        self.lines[index] = row.line;
        self.notes.entry(index).or_default().extend(notes);
    }

    /// Notes CSV line `line`, which has cells but no user ID.
    fn no_user_id(&mut self, line: u64) {
        // Whom it is on ("line 7 of the CSV, no user ID") is said before it.
        let reason = "not taken, as the row has no user ID; fill it in or delete the row".into();
        self.unused.push(FitNote {
            line,
            user_id: String::new(),
            reasons: vec![reason],
        });
    }

    /// The users, with the findings of the clock's pre-write check merged per user.
    fn finish(self, record: u64, encoding: &'static Encoding) -> ClockUsers {
        let superseded = self.superseded_notes(record, encoding);
        let row_notes = self.fit_notes(&self.notes, &superseded);
        let mut all = self.notes.clone();
        for finding in check_users(&self.users, record, encoding) {
            all.entry(finding.index)
                .or_default()
                .extend(finding.reasons);
        }
        let kept = (self.users[..self.existing].iter().zip(&self.lines))
            .filter(|(_, &line)| line == 0)
            .map(|(u, _)| match u.user_id.trim() {
                "" => format!("(uid {}, no user ID)", u.uid),
                id => id.to_string(),
            })
            .collect();
        ClockUsers {
            notes: self.fit_notes(&all, &superseded),
            row_notes,
            kept,
            users: self.users,
            added: self.added,
            updated: self.updated,
            cards_removed: self.cards_removed,
            trimmed: self.trimmed,
            card_cells: self.card_cells,
        }
    }

    /// The rows a later row of their user ID replaced, each with its notes and what the
    /// clock's check finds in the user as that row made it (a name too long...).
    fn superseded_notes(&self, record: u64, encoding: &'static Encoding) -> Vec<FitNote> {
        (self.superseded.iter())
            .map(|(line, user, notes)| {
                let found = check_users(std::slice::from_ref(user), record, encoding);
                let own = found.into_iter().flat_map(|f| f.reasons);
                FitNote {
                    line: *line,
                    user_id: user.user_id.clone(),
                    reasons: notes.iter().cloned().chain(own).collect(),
                }
            })
            .collect()
    }

    /// `notes` (reasons per user), the rows not taken and the rows `superseded`, in line
    /// order.
    fn fit_notes(
        &self,
        notes: &HashMap<usize, Vec<String>>,
        superseded: &[FitNote],
    ) -> Vec<FitNote> {
        let mut fit: Vec<FitNote> = (notes.iter())
            .filter(|(_, reasons)| !reasons.is_empty())
            .map(|(&i, reasons)| FitNote {
                line: self.lines[i],
                user_id: self.users[i].user_id.clone(),
                reasons: reasons.clone(),
            })
            .chain(self.unused.iter().cloned())
            .chain(superseded.iter().cloned())
            .collect();
        fit.sort_by(|a, b| (a.line, &a.user_id).cmp(&(b.line, &b.user_id)));
        fit
    }
}

/// The note on a CSV row whose user ID the row on `line` has too.
fn same_id_note(line: u64) -> String {
    format!("line {line} has the same user ID: only one row per user can go to the clock")
}

/// The note on a CSV row whose user ID `id` the users of `uids` share in the user.dat.
fn shared_note(id: &str, uids: &[u32]) -> String {
    let uids: Vec<String> = uids.iter().map(u32::to_string).collect();
    format!(
        "user ID \"{id}\" is held by the users with uids {} in the user.dat, so the row cannot say which of them it is; remove or renumber all but one of them on the clock (User Mgt), download user.dat again and convert again",
        uids.join(" and ")
    )
}

/// Builds `user.dat` users of `record` bytes (72 or 28) in `encoding` from the rows of a
/// BioStar user CSV opened in the workbench (`user_id`, `name`, `csn`, `pin`); users of
/// `existing` keep their uid and the fields BioStar has no column for, and new users get
/// free uids, none of `reserved` (the uids of templates that have no user).
pub fn users_from_workbook(
    book: &Workbook,
    existing: &[UserRecord],
    reserved: &[u32],
    record: u64,
    encoding: &'static Encoding,
) -> ClockUsers {
    let (sheet, mapping) = (book.sheet(), book.mapping());
    let column = |field: Field| mapping.column_of(&field);
    let (id, name, csn, pin) = (
        column(Field::UserId),
        column(Field::Name),
        column(Field::Csn),
        column(Field::Pin),
    );
    let header = book.header_row();
    let width = if header < sheet.len() {
        sheet.row(header).count()
    } else {
        0
    };
    let wiegand: Vec<(usize, &str)> = (0..width)
        .filter_map(|c| match &mapping.get(c)?.target {
            Some(Field::WiegandCard(format)) => Some((c, format.as_str())),
            _ => None,
        })
        .collect();
    let mut builder = Builder::new(existing, reserved);
    if id.is_none() && header + 1 < sheet.len() {
        builder.unused.push(FitNote {
            line: sheet.line(header + 1),
            user_id: String::new(),
            reasons: vec!["the CSV has no column mapped to user_id, so no row can be taken; map one in the workbench".into()],
        });
        return builder.finish(record, encoding);
    }
    for row in header + 1..sheet.len() {
        let exact = |col: Option<usize>| col.map(|c| sheet.cell_or_empty(row, c));
        let given = |col: Option<usize>| exact(col).map(str::trim);
        let cell = |col: Option<usize>| given(col).unwrap_or("");
        if cell(id).is_empty() {
            if sheet.row(row).any(|c| !c.trim().is_empty()) {
                builder.no_user_id(sheet.line(row));
            }
            continue;
        }
        builder.apply(CsvUser {
            line: sheet.line(row),
            id: cell(id),
            id_cell: exact(id).unwrap_or(""),
            name: exact(name),
            csn: exact(csn),
            pin: given(pin),
            wiegand: (wiegand.iter())
                .filter(|(c, _)| !cell(Some(*c)).is_empty())
                .map(|(_, format)| *format)
                .collect(),
        });
    }
    builder.finish(record, encoding)
}
