//! Cards the merged import file gives that a user the server keeps already holds.
//!
//! The server refuses a card another user holds. Users the merge leaves as stored (kept,
//! unchanged, or only in the export) keep their cards; an overwritten user's stored card is
//! replaced, so it is free. Each written row's card cells are looked up among the kept ones.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{MergeResult, MergeSide, RowKind};
use crate::workbench::mapping::Field;
use crate::workbench::validate::card_key;

/// A card a written row gives while a user the server keeps holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardClash {
    /// The written user's row in the incoming sheet.
    pub incoming_row: u32,
    /// Index into [`MergeResult::fields`] of the card column.
    pub field: usize,
    /// The card as the incoming file writes it.
    pub card: String,
    /// The user ID of the server's user holding the card, as the export writes it.
    pub holder: String,
    /// The holder's row in the existing sheet.
    pub existing_row: u32,
}

/// The cards of users the merge keeps as stored: (field index, card key) to their row.
fn kept_cards<'a>(m: &MergeResult, existing: &MergeSide<'a>) -> HashMap<(usize, &'a str), usize> {
    let mut held = HashMap::new();
    let kept = m
        .rows
        .iter()
        .filter(|r| matches!(r.kind, RowKind::Kept | RowKind::Same | RowKind::Untouched))
        .filter_map(|r| r.existing.map(|e| e as usize));
    for row in kept {
        for (fi, col) in card_columns(m, &m.existing_cols) {
            let key = card_key(existing.sheet.cell_or_empty(row, col));
            if !key.is_empty() {
                held.entry((fi, key)).or_insert(row);
            }
        }
    }
    held
}

/// The output fields that are cards, with their column on one side.
fn card_columns<'m>(
    m: &'m MergeResult,
    cols: &'m [Option<usize>],
) -> impl Iterator<Item = (usize, usize)> + 'm {
    m.fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.is_card())
        .filter_map(move |(fi, _)| Some((fi, (*cols.get(fi)?)?)))
}

/// Every card a new or overwritten user's row gives that a kept server user holds, in
/// incoming order.
pub(super) fn card_clashes(
    m: &MergeResult,
    incoming: &MergeSide,
    existing: &MergeSide,
) -> Vec<CardClash> {
    let held = kept_cards(m, existing);
    if held.is_empty() {
        return Vec::new();
    }
    let holder_col = existing.mapping.column_of(&Field::UserId);
    let mut clashes = Vec::new();
    for row in m.import_rows().filter_map(|r| r.incoming) {
        for (fi, col) in card_columns(m, &m.incoming_cols) {
            let card = incoming.sheet.cell_or_empty(row as usize, col);
            let Some(&ex_row) = held.get(&(fi, card_key(card))) else {
                continue;
            };
            clashes.push(CardClash {
                incoming_row: row,
                field: fi,
                card: card.trim().to_string(),
                holder: holder_col
                    .map_or("", |c| existing.sheet.cell_or_empty(ex_row, c))
                    .to_string(),
                existing_row: ex_row as u32,
            });
        }
    }
    clashes
}

impl MergeResult {
    /// The incoming rows that give a card a kept server user holds.
    pub fn clashing_rows(&self) -> HashSet<u32> {
        self.card_clashes.iter().map(|c| c.incoming_row).collect()
    }
}
