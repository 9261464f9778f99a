//! BioStar user CSV rows to `user.dat` users: uids assigned (kept for users the clock
//! already has), and what does not fit said per user.

use std::collections::{HashMap, HashSet};

use encoding_rs::Encoding;

use crate::formats::zk_user_dat::{check_users, UserRecord};
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
    /// Existing users whose name or card the CSV changed.
    pub updated: usize,
    /// One note per user that does not fit; the file cannot be written until none are left.
    pub notes: Vec<FitNote>,
}

/// A card cell as a number, or why it is not one the clock can hold.
fn card_of(cell: &str) -> Result<u64, String> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(0);
    }
    if !cell.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "card \"{cell}\" is not a plain number (the clock holds card numbers up to 4294967295)"
        ));
    }
    cell.parse::<u64>()
        .map_err(|_| format!("card {cell} is above 4294967295"))
}

/// The lowest uid from `next` up that no user has.
fn free_uid(taken: &mut HashSet<u32>, next: &mut u32) -> u32 {
    while taken.contains(next) {
        *next += 1;
    }
    taken.insert(*next);
    *next
}

/// Builds `user.dat` users of `record` bytes (72 or 28) in `encoding` from the rows of a
/// BioStar user CSV opened in the workbench; users of `existing` keep their uid and the
/// fields BioStar has no column for.
pub fn users_from_workbook(
    book: &Workbook,
    existing: &[UserRecord],
    record: u64,
    encoding: &'static Encoding,
) -> ClockUsers {
    let (sheet, mapping) = (book.sheet(), book.mapping());
    let column = |field: Field| mapping.column_of(&field);
    let (id_col, name_col, csn_col) = (
        column(Field::UserId),
        column(Field::Name),
        column(Field::Csn),
    );
    let mut users = existing.to_vec();
    let by_id: HashMap<String, usize> = users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.user_id.trim().to_string(), i))
        .collect();
    let mut taken: HashSet<u32> = users.iter().map(|u| u.uid).collect();
    let mut next = 1;
    let mut lines = vec![0u64; users.len()];
    let mut parse_notes: HashMap<usize, Vec<String>> = HashMap::new();
    let (mut added, mut updated) = (0, 0);
    for row in book.header_row() + 1..sheet.len() {
        let cell = |col: Option<usize>| col.map_or("", |c| sheet.cell_or_empty(row, c));
        let id = cell(id_col).trim();
        if id.is_empty() {
            continue;
        }
        let (card, card_note) = match card_of(cell(csn_col)) {
            Ok(card) => (card, None),
            Err(note) => (0, Some(note)),
        };
        let index = match by_id.get(id) {
            Some(&i) => {
                let user = &mut users[i];
                let changed =
                    user.name != cell(name_col) || (card_note.is_none() && user.card != card);
                updated += usize::from(changed);
                i
            }
            None => {
                users.push(UserRecord::new(free_uid(&mut taken, &mut next), id, ""));
                lines.push(0);
                added += 1;
                users.len() - 1
            }
        };
        users[index].name = cell(name_col).to_string();
        if card_note.is_none() {
            users[index].card = card;
        }
        lines[index] = sheet.line(row);
        parse_notes.entry(index).or_default().extend(card_note);
    }
    for finding in check_users(&users, record, encoding) {
        parse_notes
            .entry(finding.index)
            .or_default()
            .extend(finding.reasons);
    }
    let mut notes: Vec<FitNote> = parse_notes
        .into_iter()
        .filter(|(_, reasons)| !reasons.is_empty())
        .map(|(i, reasons)| FitNote {
            line: lines[i],
            user_id: users[i].user_id.clone(),
            reasons,
        })
        .collect();
    notes.sort_by_key(|n| (n.line, n.user_id.clone()));
    ClockUsers {
        users,
        added,
        updated,
        notes,
    }
}
