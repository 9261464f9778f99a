//! The time clock workflow: what bioport does with a ZKTeco-family clock's USB files once
//! they are recognised, as one set (users, punches and templates linked by uid and user
//! ID): find what does not link, move users between the clock and BioStar, and export
//! punches with their users' names.
//!
//! The byte layouts live in [`crate::formats`] (`zk_user_dat`, `zk_attlog`,
//! `zk_templates`); this module holds what works across them. Plain Rust: no browser types.

mod from_biostar;
mod punches;
mod set;
mod table;
mod to_biostar;

pub use from_biostar::{users_from_workbook, ClockUsers, FitNote};
pub use punches::{punch_id, punches_to_csv, PunchCsv, PUNCH_HEADER};
pub use set::{
    encoding_named, time_zones_text, AttlogView, ClockSet, ClockView, LinksView, NoteList,
    RepairCounts, TemplateEntry, TemplateFileView, TemplateOwner, UserFileView, UserNote, UserPage,
    UserRow, MAX_UNLINKED, NOTES_SHOWN,
};
pub use table::{PunchFilter, PunchPage, PunchQuery, PunchRow};
pub use to_biostar::{add_template_notes, users_to_biostar, users_to_csv, CarryNote, ToCsvOptions};

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::formats::zk_attlog::Attlog;
use crate::formats::zk_templates::TemplateList;
use crate::formats::zk_user_dat::{decode_text, UserRecord};
use encoding_rs::Encoding;

/// Names joined to punches by user ID (trimmed): an ID two or more users share gets none
/// (which of them punched cannot be told), and is noted with their uids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PunchNames {
    /// User ID -> name.
    pub names: HashMap<String, String>,
    /// One note per user ID that users share: "user ID 1001 is that of uids 1 and 11 ...".
    pub shared: Vec<String>,
}

impl PunchNames {
    /// The names of `users` by user ID.
    pub fn of(users: &[UserRecord]) -> PunchNames {
        let mut uids: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        let mut names = HashMap::new();
        for user in users {
            let id = user.user_id.trim();
            uids.entry(id).or_default().push(user.uid);
            names.insert(id.to_string(), user.name.clone());
        }
        let shared = (uids.into_iter())
            .filter(|(_, uids)| uids.len() > 1)
            .map(|(id, uids)| {
                names.insert(id.to_string(), String::new());
                let uids: Vec<String> = uids.iter().map(u32::to_string).collect();
                format!(
                    "user ID \"{id}\" is that of the users with uids {} in user.dat: its punches get no name, as which of them punched cannot be told; remove or renumber all but one of them on the clock (User Mgt)",
                    uids.join(" and ")
                )
            })
            .collect();
        PunchNames { names, shared }
    }

    /// The name joined to user ID `id` ("" for none).
    pub fn get(&self, id: &str) -> Option<&String> {
        self.names.get(id)
    }
}

/// What in a clock's file set does not link up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    /// Valid template records per uid of a user in `user.dat` (users with none left out).
    pub templates_per_user: BTreeMap<u32, usize>,
    /// Template uids with no user in `user.dat`, with how many records each.
    pub templates_without_user: BTreeMap<u16, usize>,
    /// Uids of users with no template in any of the template files given.
    pub users_without_templates: Vec<u32>,
    /// User IDs in the attendance log that no user in `user.dat` has: the first
    /// [`MAX_UNLINKED`] in sort order (a log can hold millions).
    pub punch_ids_without_user: BTreeSet<String>,
    /// How many user IDs of the log no user has, all counted.
    pub punch_ids_without_user_count: usize,
}

/// Links users to templates by uid and punches by user ID (the log's IDs read in the
/// clock's code page).
pub fn link<'t>(
    users: &[UserRecord],
    templates: impl IntoIterator<Item = &'t TemplateList>,
    log: Option<(&Attlog, &'static Encoding)>,
) -> Links {
    let uids: HashSet<u32> = users.iter().map(|u| u.uid).collect();
    let mut links = Links::default();
    let mut with_templates = HashSet::new();
    for record in templates.into_iter().flat_map(|t| &t.records) {
        let uid = u32::from(record.uid);
        if uids.contains(&uid) {
            with_templates.insert(uid);
            if record.valid {
                *links.templates_per_user.entry(uid).or_default() += 1;
            }
        } else {
            *links.templates_without_user.entry(record.uid).or_default() += 1;
        }
    }
    links.users_without_templates = users
        .iter()
        .map(|u| u.uid)
        .filter(|uid| !with_templates.contains(uid))
        .collect();
    if let Some((log, encoding)) = log {
        unknown_punch_ids(users, (log, encoding), &mut links);
    }
    links
}

/// Counts the log's user IDs no user has, keeping the first [`MAX_UNLINKED`].
fn unknown_punch_ids(
    users: &[UserRecord],
    (log, encoding): (&Attlog, &'static Encoding),
    links: &mut Links,
) {
    let ids: HashSet<&str> = users.iter().map(|u| u.user_id.trim()).collect();
    let kept = &mut links.punch_ids_without_user;
    for n in 0..log.ids.len() as u32 {
        let (id, _) = decode_text(encoding, log.ids.get(n));
        if ids.contains(id.as_str()) {
            continue;
        }
        links.punch_ids_without_user_count += 1;
        if kept.len() < MAX_UNLINKED || kept.last().is_some_and(|l| *l > id) {
            kept.insert(id);
            if kept.len() > MAX_UNLINKED {
                kept.pop_last();
            }
        }
    }
}

#[cfg(test)]
mod tests;
