//! The plan: which column holds which field, resolved once from the mapping, and the
//! cell lookups the checks share.

use crate::model::Sheet;
use crate::workbench::mapping::{wiegand_data_bits, Field, Mapping};

/// What validation does with a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ColUse {
    /// Mapped to a field: written and checked.
    Mapped,
    /// Ignored by the user: neither written nor checked.
    Ignored,
    /// Neither mapped nor ignored: data in it is an error.
    Undecided,
}

/// The columns of every field, resolved once from the mapping.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    /// How many cells the header row has.
    pub(super) width: usize,
    /// What is done with each column of the header.
    pub(super) uses: Vec<ColUse>,
    pub(super) user_id: Option<usize>,
    pub(super) name: Option<usize>,
    pub(super) department: Option<usize>,
    pub(super) user_title: Option<usize>,
    pub(super) email: Option<usize>,
    pub(super) csn: Option<usize>,
    pub(super) csn_mobile: Option<usize>,
    pub(super) qr: Option<usize>,
    pub(super) pin: Option<usize>,
    /// start, expiry, mobile start, mobile expiry.
    pub(super) dates: [Option<usize>; 4],
    /// face_image_file1, face_image_file2.
    pub(super) faces: [Option<usize>; 2],
    /// csn first (if mapped), then the Wiegand columns: the card duplicate index's columns.
    pub(super) cards: Vec<usize>,
    /// The largest number each of `cards` holds, where its Wiegand format says.
    pub(super) card_max: Vec<Option<u64>>,
}

impl Plan {
    /// The plan for `mapping` over the header row `header_row` of `sheet`.
    pub(super) fn new(sheet: &Sheet, header_row: usize, mapping: &Mapping) -> Plan {
        let width = width_of(sheet, header_row);
        let uses = (0..width)
            .map(|c| match mapping.get(c) {
                Some(cm) if cm.target.is_some() => ColUse::Mapped,
                Some(cm) if cm.is_ignored() => ColUse::Ignored,
                _ => ColUse::Undecided,
            })
            .collect();
        let col = |f: Field| mapping.column_of(&f).filter(|c| *c < width);
        let csn = col(Field::Csn);
        let mut cards: Vec<usize> = csn.into_iter().collect();
        let mut card_max: Vec<Option<u64>> = cards.iter().map(|_| None).collect();
        let mut seen: Vec<&Field> = Vec::new();
        for cm in &mapping.columns {
            if let Some(f @ Field::WiegandCard(format)) = &cm.target {
                if cm.column < width && !seen.contains(&f) {
                    seen.push(f);
                    cards.push(cm.column);
                    card_max.push(wiegand_data_bits(format).map(|bits| (1u64 << bits) - 1));
                }
            }
        }
        Plan {
            width,
            uses,
            user_id: col(Field::UserId),
            name: col(Field::Name),
            department: col(Field::Department),
            user_title: col(Field::UserTitle),
            email: col(Field::Email),
            csn,
            csn_mobile: col(Field::CsnMobile),
            qr: col(Field::Qr),
            pin: col(Field::Pin),
            dates: [
                col(Field::StartDatetime),
                col(Field::ExpiryDatetime),
                col(Field::MobileStartDatetime),
                col(Field::MobileExpiryDatetime),
            ],
            faces: [col(Field::FaceImageFile1), col(Field::FaceImageFile2)],
            cards,
            card_max,
        }
    }
}

/// The text of a cell, or "" for a cell or row the sheet does not have.
pub(super) fn cell_text(sheet: &Sheet, row: usize, col: usize) -> &str {
    if row < sheet.len() {
        sheet.cell_or_empty(row, col)
    } else {
        ""
    }
}

/// How many cells a row has, or 0 for a row the sheet does not have.
pub(super) fn width_of(sheet: &Sheet, row: usize) -> usize {
    if row < sheet.len() {
        sheet.width(row)
    } else {
        0
    }
}

/// The text of the cell in column `col` ("" when there is no such column or cell).
pub(super) fn cell_at(sheet: &Sheet, row: usize, col: Option<usize>) -> &str {
    match col {
        Some(c) => cell_text(sheet, row, c),
        None => "",
    }
}
