//! The punch table: pages of punches and damaged lines, in file order or filtered by
//! user, date range and status, or the damaged lines alone. Nothing is copied per punch:
//! an unfiltered page is found by binary search, a filter keeps one index per match.

use encoding_rs::Encoding;
use serde::{Deserialize, Serialize};

use crate::formats::zk_attlog::{
    pack_time, status_label, verify_label, Attlog, DamagedLine, Punch,
};
use crate::formats::zk_user_dat::decode_text;

use super::set::ClockSet;

/// Which punches the table shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PunchFilter {
    /// A user ID (exact) or part of a name (any case); empty: everyone.
    pub user: String,
    /// First day shown, `YYYY-MM-DD`; empty: from the start.
    pub from: String,
    /// Last day shown, `YYYY-MM-DD`; empty: to the end.
    pub to: String,
    /// Only punches of this status code.
    pub status: Option<u8>,
    /// Only the damaged lines (the other criteria are then ignored).
    pub damaged_only: bool,
}

impl PunchFilter {
    fn is_all(&self) -> bool {
        self.user.trim().is_empty()
            && self.from.trim().is_empty()
            && self.to.trim().is_empty()
            && self.status.is_none()
            && !self.damaged_only
    }
}

/// A page of the punch table asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PunchQuery {
    /// First row.
    pub start: usize,
    /// How many rows.
    pub count: usize,
    /// Which rows.
    pub filter: PunchFilter,
}

/// One row of the punch table: a punch, or a damaged line with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PunchRow {
    /// Position of the row in the table.
    pub row: usize,
    /// Byte offset of the line, for a damaged line (0 for a punch).
    pub offset: u64,
    /// The 1-based line number.
    pub line: u64,
    /// What is wrong with the line (empty for a punch).
    pub damage: String,
    /// The damaged line's first bytes, control bytes as `·` (empty for a punch).
    pub text: String,
    /// The user ID as written (without its padding).
    pub user_id: String,
    /// The name joined from `user.dat` (empty when none).
    pub name: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM:SS`.
    pub time: String,
    /// The status code in words.
    pub status: String,
    /// The verify code in words.
    pub verify: String,
    /// The work code.
    pub workcode: String,
    /// An exact repeat of an earlier punch.
    pub duplicate: bool,
}

/// A page of the punch table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PunchPage {
    /// Position of the first row.
    pub start: usize,
    /// Rows the filter lets through in all.
    pub total: usize,
    /// The rows.
    pub rows: Vec<PunchRow>,
    /// A filter value that was not understood, and what to type instead.
    pub filter_note: Option<String>,
}

/// The punches a filter let through, kept while the filter does not change.
#[derive(Debug, Clone)]
pub(super) struct Filtered {
    filter: PunchFilter,
    indices: Vec<u32>,
    note: Option<String>,
}

/// A `YYYY-MM-DD` day as the packed time of its first (or last) second.
fn day_bound(text: &str, end: bool) -> Result<Option<u32>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || format!("\"{text}\" is not a date: type it as YYYY-MM-DD, e.g. 2020-01-31");
    let parts: Vec<u32> = (text.split('-'))
        .map(|p| p.parse().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let [y, m, d] = parts[..] else {
        return Err(bad());
    };
    if !(2000..=2099).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    let (h, mi, s) = if end { (23, 59, 59) } else { (0, 0, 0) };
    Ok(Some(pack_time(y, m, d, h, mi, s)))
}

/// Says so when the first day shown (`from`, parsed) comes after the last (`to`).
fn days_reversed(filter: &PunchFilter, from: Option<u32>, to: Option<u32>) -> Option<String> {
    (from? > to?).then(|| {
        format!(
            "From {} is after To {}: no punch can fall between them; swap the two dates.",
            filter.from.trim(),
            filter.to.trim()
        )
    })
}

impl ClockSet {
    /// The punches `filter` lets through (computed once per filter).
    fn filtered(&mut self, filter: &PunchFilter) -> &Filtered {
        if self.filtered.as_ref().is_none_or(|f| &f.filter != filter) {
            let made = self.filter_punches(filter);
            self.filtered = Some(made);
        }
        self.filtered.as_ref().expect("set just above")
    }

    fn filter_punches(&self, filter: &PunchFilter) -> Filtered {
        let (from, to) = (day_bound(&filter.from, false), day_bound(&filter.to, true));
        let note = [&from, &to]
            .iter()
            .filter_map(|b| b.as_ref().err().cloned())
            .next();
        let (from, to) = (from.ok().flatten(), to.ok().flatten());
        let note = note.or_else(|| days_reversed(filter, from, to));
        let wanted = filter.user.trim().to_lowercase();
        let names = &self.names;
        let Some(log) = self.log() else {
            return Filtered {
                filter: filter.clone(),
                indices: Vec::new(),
                note,
            };
        };
        // Decided once per distinct user ID of the log, not once per punch.
        let encoding = self.encoding();
        let id_ok: Vec<bool> = match wanted.is_empty() {
            true => Vec::new(),
            false => (0..log.ids.len() as u32)
                .map(|n| {
                    let (id, _) = decode_text(encoding, log.ids.get(n));
                    let id = id.trim();
                    id.eq_ignore_ascii_case(&wanted)
                        || (names.get(id)).is_some_and(|n| n.to_lowercase().contains(&wanted))
                })
                .collect(),
        };
        let user_ok = |p: &Punch| id_ok.get(p.id as usize).copied().unwrap_or(false);
        let matches = |p: &Punch| {
            (wanted.is_empty() || user_ok(p))
                && from.is_none_or(|f| p.time >= f)
                && to.is_none_or(|t| p.time <= t)
                && filter.status.is_none_or(|s| p.status == s)
        };
        let indices = (log.punches.iter().enumerate())
            .filter(|(_, p)| matches(p))
            .map(|(i, _)| i as u32)
            .collect();
        Filtered {
            filter: filter.clone(),
            indices,
            note,
        }
    }

    /// A page of the punch table.
    pub fn punch_page(&mut self, query: &PunchQuery) -> PunchPage {
        let Some(log) = self.log() else {
            return PunchPage::default();
        };
        let (punches, damaged) = (log.punches.len(), log.damaged.len());
        let filter = &query.filter;
        let (total, items, note) = if filter.damaged_only {
            let end = (query.start + query.count).min(damaged);
            let items = (query.start.min(end)..end).map(Item::Damaged).collect();
            (damaged, items, None)
        } else if filter.is_all() {
            (
                punches + damaged,
                self.merged(query.start, query.count),
                None,
            )
        } else {
            let f = self.filtered(filter);
            let items = (f.indices.iter().skip(query.start).take(query.count))
                .map(|&i| Item::Punch(i as usize))
                .collect();
            (f.indices.len(), items, f.note.clone())
        };
        let rows = self.rows(query.start, items);
        PunchPage {
            start: query.start,
            total,
            rows,
            filter_note: note,
        }
    }

    /// Rows `start..start + count` of punches and listed damaged lines in file order.
    fn merged(&self, start: usize, count: usize) -> Vec<Item> {
        let Some(log) = self.log() else {
            return Vec::new();
        };
        let (punches, damaged) = (&log.punches, &log.damaged);
        // Damaged line d sits after d damaged lines and the punches on lines before it.
        let place = |d: usize| d + punches.partition_point(|p| u64::from(p.line) < damaged[d].line);
        let (mut lo, mut hi) = (0, damaged.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if place(mid) < start {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let (mut d, mut p) = (lo, start - lo);
        let mut items = Vec::with_capacity(count);
        while items.len() < count && (d < damaged.len() || p < punches.len()) {
            let damaged_next = damaged_first(damaged.get(d), punches.get(p));
            if damaged_next {
                items.push(Item::Damaged(d));
                d += 1;
            } else {
                items.push(Item::Punch(p));
                p += 1;
            }
        }
        items
    }

    fn rows(&self, start: usize, items: Vec<Item>) -> Vec<PunchRow> {
        let Some(log) = self.log() else {
            return Vec::new();
        };
        let names = &self.names;
        let row_of = |(i, item): (usize, Item)| match item {
            Item::Damaged(d) => damaged_row(start + i, &log.damaged[d]),
            Item::Punch(p) => {
                let punch = &log.punches[p];
                let mut row = punch_row(start + i, punch, (log, self.encoding()));
                row.name = names.get(&row.user_id).cloned().unwrap_or_default();
                row.duplicate = log.duplicates.binary_search(&(p as u32)).is_ok();
                row
            }
        };
        items.into_iter().enumerate().map(row_of).collect()
    }
}

/// A row of the table: which punch or listed damaged line.
#[derive(Debug, Clone, Copy)]
enum Item {
    Punch(usize),
    Damaged(usize),
}

/// True when the damaged line comes before the punch in the file.
fn damaged_first(damaged: Option<&DamagedLine>, punch: Option<&Punch>) -> bool {
    match (damaged, punch) {
        (Some(d), Some(p)) => d.line <= u64::from(p.line),
        (Some(_), None) => true,
        _ => false,
    }
}

fn punch_row(row: usize, punch: &Punch, (log, encoding): (&Attlog, &'static Encoding)) -> PunchRow {
    let time = punch.time_text();
    PunchRow {
        row,
        offset: 0,
        line: u64::from(punch.line),
        damage: String::new(),
        text: String::new(),
        user_id: super::punch_id(log, punch, encoding).0.trim().to_string(),
        name: String::new(),
        date: time[..10].to_string(),
        time: time[11..].to_string(),
        status: status_label(punch.status),
        verify: verify_label(punch.verify),
        workcode: punch.workcode.to_string(),
        duplicate: false,
    }
}

fn damaged_row(row: usize, d: &DamagedLine) -> PunchRow {
    PunchRow {
        row,
        offset: d.offset,
        line: d.line,
        damage: d.damage.message(),
        text: d.text.clone(),
        user_id: String::new(),
        name: String::new(),
        date: String::new(),
        time: String::new(),
        status: String::new(),
        verify: String::new(),
        workcode: String::new(),
        duplicate: false,
    }
}
