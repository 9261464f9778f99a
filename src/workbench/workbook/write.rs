//! Writing the import file, the failed-rows file and chosen rows, with a report of each.

use std::collections::HashSet;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::formats::biostar_csv::{CsvWriter, WriteOptions};
use crate::workbench::mapping::{column_letter, is_error_description, Field, ERROR_DESCRIPTION};
use crate::workbench::merge::{MergeResult, RowKind, Side};
use crate::workbench::validate::{RowStatus, Rule, Severity};

use super::merge_notes::LeftOut;
use super::{plural, Existing, RowFilter, Workbook};

/// Which rows the import file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportRows {
    /// Only rows without errors (what the server would accept).
    ValidOnly,
    /// Every data row with data, errors included (to fix elsewhere).
    All,
}

/// What a writer wrote, and why rows were left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteReport {
    /// Data rows written (the header not counted).
    pub rows: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Data rows left out.
    pub skipped: u64,
    /// What was written, what was left out and why, in sentences.
    pub note: String,
}

/// Counts the bytes passed to a writer.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W> Counting<W> {
    /// Counts what is written to `inner`, from 0.
    fn new(inner: W) -> Self {
        Counting { inner, bytes: 0 }
    }
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The data rows the plain import file holds, and what it leaves out.
struct PlainRows {
    /// Sheet rows written, in order.
    rows: Vec<usize>,
    /// Rows left out for their errors.
    errors: u64,
    /// Blank rows left out.
    blank: u64,
    /// Values past the header's last column on the rows written (not written).
    past_header: u64,
}

impl PlainRows {
    /// Adds the sentences about the rows and values left out to `notes`.
    fn add_notes(&self, notes: &mut Vec<String>) {
        if self.errors > 0 {
            notes.insert(
                0,
                format!(
                    "{} with errors left out: fix them (the error file lists them) and import \
                     them next.",
                    plural(self.errors, "row", "rows")
                ),
            );
        }
        if self.blank > 0 {
            notes.push(format!(
                "{} without any value left out.",
                plural(self.blank, "blank row", "blank rows")
            ));
        }
        if self.past_header > 0 {
            notes.push(format!(
                "{} past the header's last column not written (no header says what they are).",
                plural(self.past_header, "value", "values")
            ));
        }
    }
}

/// The users the merged import file holds, and the rows it leaves out for errors.
#[derive(Default)]
struct MergedRows {
    /// Sheet rows written, in order.
    rows: Vec<usize>,
    /// New users written.
    new: u64,
    /// Users in both files written to overwrite the stored ones.
    overwritten: u64,
    /// Rows left out for their errors.
    errors: u64,
    /// Rows without errors left out for a card that a user the server keeps holds.
    cards: u64,
    /// Rows written (all rows asked for) that give such a card.
    cards_written: u64,
}

/// A writer of the import file's format on `out`, the `header` row written.
fn import_writer<W: Write>(out: W, header: &[String]) -> io::Result<CsvWriter<W>> {
    let mut writer = CsvWriter::new(out, &WriteOptions::IMPORT);
    writer.write_row(header.iter().map(String::as_str))?;
    Ok(writer)
}

impl Workbook {
    /// An error when the mapping cannot be written: two columns on one field.
    fn check_conflicts(&self) -> io::Result<()> {
        match self.mapping.conflicts().first() {
            Some(c) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("Nothing was written. {}", c.message()),
            )),
            None => Ok(()),
        }
    }

    /// The mapped columns (in column order) and a sentence about the columns left out,
    /// counting the values they hold on `rows`.
    fn left_out_columns(&self, rows: &[usize]) -> (Vec<usize>, Vec<String>) {
        let cols: Vec<usize> = self
            .mapping
            .columns
            .iter()
            .filter(|c| c.target.is_some())
            .map(|c| c.column)
            .collect();
        let mut notes = Vec::new();
        for cm in &self.mapping.columns {
            if cm.target.is_some() {
                continue;
            }
            let values = rows
                .iter()
                .filter(|&&r| !self.sheet.cell_or_empty(r, cm.column).trim().is_empty())
                .count() as u64;
            let name = if cm.header.trim().is_empty() {
                format!("column {}", column_letter(cm.column))
            } else {
                format!("\"{}\" ({})", cm.header.trim(), column_letter(cm.column))
            };
            let why = if cm.is_ignored() {
                "ignored"
            } else {
                "not mapped"
            };
            let held = if values == 0 {
                "no written row had a value in it".to_string()
            } else {
                format!("{} not written", plural(values, "value", "values"))
            };
            notes.push(format!("{name} is {why}, so it was left out ({held})."));
        }
        (cols, notes)
    }

    /// Writes the import file for the server's "Import CSV": BioStar header names, UTF-8
    /// without BOM, CRLF, comma; the rows without errors (or all rows with data). With an
    /// existing export loaded, the rows are the merge's new and overwritten users.
    pub fn write_import<W: Write>(&self, out: W, rows: ImportRows) -> io::Result<WriteReport> {
        self.check_conflicts()?;
        if self.mapping.column_of(&Field::UserId).is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "Nothing was written: no column is mapped to user_id, and the server needs \
                 an ID for every user. Map the column holding the IDs to user_id.",
            ));
        }
        if self.existing.is_none() {
            return self.write_plain(out, rows);
        }
        match self.with_merge(|m, existing| self.write_merged(out, m, existing, rows)) {
            Some(written) => written,
            None => Err(io::Error::other("the existing export was not kept")),
        }
    }

    /// Writes the file's own data rows (no merge).
    fn write_plain<W: Write>(&self, out: W, which: ImportRows) -> io::Result<WriteReport> {
        let picked = self.plain_rows(which);
        let rows = &picked.rows;
        let (cols, mut notes) = self.left_out_columns(rows);
        picked.add_notes(&mut notes);
        let header = self.mapping.output_header();
        let mut counting = Counting::new(out);
        let mut writer = import_writer(&mut counting, &header)?;
        self.write_sheet_rows(&mut writer, rows, &cols)?;
        writer.finish()?;
        let written = rows.len() as u64;
        let total = self.report.data_rows().len() as u64;
        let head = format!(
            "Wrote {} of {} with {} for \"Import CSV\" (UTF-8, comma, CRLF).",
            plural(written, "row", "rows"),
            plural(total, "data row", "data rows"),
            plural(header.len() as u64, "column", "columns"),
        );
        Ok(WriteReport {
            rows: written,
            bytes: counting.bytes,
            skipped: total - written,
            note: std::iter::once(head)
                .chain(notes)
                .collect::<Vec<_>>()
                .join(" "),
        })
    }

    /// The data rows the plain import file holds (`which`), and what it leaves out.
    fn plain_rows(&self, which: ImportRows) -> PlainRows {
        let mut rows = Vec::new();
        let (mut errors, mut blank) = (0u64, 0u64);
        let header_width = self.header_width();
        let mut past_header = 0u64;
        for r in self.report.data_rows() {
            let findings = self.report.findings_of(r);
            if findings.iter().any(|f| f.rule == Rule::BlankRow) {
                blank += 1;
                continue;
            }
            if which == ImportRows::ValidOnly && self.report.status(r) == RowStatus::Errors {
                errors += 1;
                continue;
            }
            past_header += self
                .sheet
                .row(r)
                .skip(header_width)
                .filter(|v| !v.trim().is_empty())
                .count() as u64;
            rows.push(r);
        }
        PlainRows {
            rows,
            errors,
            blank,
            past_header,
        }
    }

    /// Writes sheet rows `rows` with the columns `cols`, each row as it lies in the
    /// sheet when it can be.
    fn write_sheet_rows<W: Write>(
        &self,
        writer: &mut CsvWriter<W>,
        rows: &[usize],
        cols: &[usize],
    ) -> io::Result<()> {
        // Rows as read lie in the sheet with its separator between cells: when every
        // column is written in the file's order and the separator is the import file's
        // delimiter, such a row is written as it lies (unless a cell needs quotes).
        let same_columns = cols.iter().enumerate().all(|(k, &c)| k == c)
            && self.sheet.separator() == WriteOptions::IMPORT.delimiter;
        let mut cells: Vec<&str> = Vec::new();
        for &r in rows {
            let row = self.sheet.row(r);
            let width = row.len();
            let span = row.span();
            if let Some(span) = span {
                if same_columns && width == cols.len() && writer.write_joined(span, width)? {
                    continue;
                }
            }
            cells.clear();
            cells.extend(row);
            let values = cols.iter().map(|&c| cells.get(c).copied().unwrap_or(""));
            match span {
                Some(span) => writer.write_row_from(span, width, values)?,
                None => writer.write_row(values)?,
            }
        }
        Ok(())
    }

    /// Writes the merged import file: the merge's new and overwritten users.
    fn write_merged<W: Write>(
        &self,
        out: W,
        m: &MergeResult,
        existing: &Existing,
        which: ImportRows,
    ) -> io::Result<WriteReport> {
        let mut picked = MergedRows::default();
        let header = m.output_header();
        let mut counting = Counting::new(out);
        let mut writer = import_writer(&mut counting, &header)?;
        for merged in self.merged_rows(m) {
            let out_row = merged.row;
            let Some(r) = out_row.incoming else {
                continue;
            };
            if let Some(why) = merged.left_out.filter(|_| which == ImportRows::ValidOnly) {
                match why {
                    LeftOut::Errors => picked.errors += 1,
                    LeftOut::Card => picked.cards += 1,
                }
                continue;
            }
            match out_row.kind {
                RowKind::New => picked.new += 1,
                _ => picked.overwritten += 1,
            }
            picked.cards_written += u64::from(merged.clashes);
            let r = r as usize;
            picked.rows.push(r);
            writer.write_row(
                (0..m.fields.len()).map(|f| m.value(out_row, f, &self.sheet, &existing.sheet)),
            )?;
        }
        writer.finish()?;
        let notes = self.merged_notes(m, &existing.name, &picked);
        let written = picked.new + picked.overwritten;
        let total = self.report.data_rows().len() as u64;
        Ok(WriteReport {
            rows: written,
            bytes: counting.bytes,
            skipped: total.saturating_sub(written),
            note: notes.join(" "),
        })
    }

    /// What the merged import file (`picked`, merged with the export `existing_name`)
    /// holds and leaves out, in sentences.
    fn merged_notes(
        &self,
        m: &MergeResult,
        existing_name: &str,
        picked: &MergedRows,
    ) -> Vec<String> {
        let skipped_merge = m
            .skipped
            .iter()
            .filter(|s| s.side == Side::Incoming)
            .count() as u64;
        let (_, column_notes) = self.left_out_columns(&picked.rows);
        let mut notes = vec![format!(
            "Merged with {}: {} and {} written; import this file with \"overwrite\".",
            existing_name,
            plural(picked.new, "new user", "new users"),
            plural(picked.overwritten, "overwritten user", "overwritten users"),
        )];
        let c = m.counts;
        if c.kept > 0 || c.identical > 0 {
            notes.push(format!(
                "Left out, so the server keeps them as stored: {} you chose to keep and {} \
                 already the same.",
                plural(c.kept as u64, "user", "users"),
                plural(c.identical as u64, "user", "users"),
            ));
        }
        if picked.errors > 0 {
            notes.push(format!(
                "{} with errors left out: fix them (the error file lists them).",
                plural(picked.errors, "row", "rows")
            ));
        }
        if skipped_merge > 0 {
            notes.push(format!(
                "{} of your file left out of the merge (no user ID, or a user ID listed \
                 twice): the merge's notes say which.",
                plural(skipped_merge, "row", "rows")
            ));
        }
        if picked.cards > 0 {
            notes.push(format!(
                "{} left out: each gives a card that a user the server keeps holds, which the \
                 server refuses (the error file lists them, with who holds the card).",
                plural(picked.cards, "row", "rows")
            ));
        }
        if picked.cards_written > 0 {
            notes.push(format!(
                "{} a card that a user the server keeps holds, which the server refuses: the \
                 merge's notes say which and who holds it.",
                plural(
                    picked.cards_written,
                    "row written gives",
                    "rows written give"
                )
            ));
        }
        if c.cards_removed > 0 {
            notes.push(format!(
                "Overwriting removes the stored card of {}: their card cell is blank in your \
                 file.",
                plural(c.cards_removed as u64, "user", "users")
            ));
        }
        notes.extend(column_notes);
        notes
    }

    /// Writes the failed-rows file, as the server's own: the rows with errors, all their
    /// columns (current text) under the original headers, then `Error_Description`
    /// naming every problem of the row; UTF-8 with BOM, CRLF.
    pub fn write_errors<W: Write>(&self, out: W) -> io::Result<WriteReport> {
        let clashes = self.clash_notes_by_row();
        let rows: Vec<usize> = self
            .report
            .data_rows()
            .filter(|&r| self.report.status(r) == RowStatus::Errors || clashes.contains_key(&r))
            .collect();
        // The header's cells as they lie in the sheet: no copy, however long they are.
        let has_header = self.header_row < self.sheet.len();
        let header_width = if has_header {
            self.sheet.width(self.header_row)
        } else {
            0
        };
        let header_cell = |c: usize| match has_header {
            true => self.sheet.cell_or_empty(self.header_row, c),
            false => "",
        };
        let (cols, dropped) = self.error_columns(&rows, header_width);
        let mut counting = Counting::new(out);
        let mut writer = CsvWriter::new(&mut counting, &WriteOptions::SPREADSHEET);
        writer.write_row(
            cols.iter()
                .map(|&c| header_cell(c))
                .chain(std::iter::once(ERROR_DESCRIPTION)),
        )?;
        for &r in &rows {
            let description = self.error_description(r, clashes.get(&r).map_or(&[], |c| c));
            writer.write_row(
                cols.iter()
                    .map(|&c| self.sheet.cell_or_empty(r, c))
                    .chain(std::iter::once(description.as_str())),
            )?;
        }
        writer.finish()?;
        let written = rows.len() as u64;
        let mut note = format!(
            "Wrote {} with errors, every column as read (edits included) and {} naming each \
             problem (UTF-8 with BOM, CRLF, like the server's own failed-rows file).",
            plural(written, "row", "rows"),
            ERROR_DESCRIPTION
        );
        let cards = rows.iter().filter(|r| clashes.contains_key(r)).count() as u64;
        if cards > 0 {
            note.push_str(&format!(
                " {} a card that a user the server keeps holds.",
                plural(cards, "row gives", "rows give")
            ));
        }
        if dropped {
            note.push_str(" The old Error_Description column was replaced by the new one.");
        }
        Ok(WriteReport {
            rows: written,
            bytes: counting.bytes,
            skipped: 0,
            note,
        })
    }

    /// The failed-rows file's columns for `rows`: every column up to the last value (the
    /// header's `header_len` at least) but an old Error_Description column, and whether
    /// one was left out.
    fn error_columns(&self, rows: &[usize], header_len: usize) -> (Vec<usize>, bool) {
        // An old Error_Description column (a failed-rows file opened again) is replaced.
        let dropped: Vec<usize> = self
            .mapping
            .columns
            .iter()
            .filter(|c| c.is_ignored() && is_error_description(&c.header))
            .map(|c| c.column)
            .collect();
        let filled = |r: usize| {
            (0..self.sheet.width(r))
                .rev()
                .find(|&c| !self.sheet.cell_or_empty(r, c).is_empty())
                .map_or(0, |c| c + 1)
        };
        let width = rows
            .iter()
            .map(|&r| filled(r))
            .max()
            .unwrap_or(0)
            .max(header_len);
        let cols: Vec<usize> = (0..width).filter(|c| !dropped.contains(c)).collect();
        (cols, !dropped.is_empty())
    }

    /// Every problem of sheet row `r`, errors first (then the merge's `more` errors), then
    /// warnings, for its Error_Description cell.
    fn error_description(&self, r: usize, more: &[String]) -> String {
        let findings = self.report.findings_of(r);
        let mut problems: Vec<String> = findings
            .iter()
            .filter(|f| f.severity() == Severity::Error)
            .map(|f| {
                self.report
                    .message(f, &self.sheet, self.header_row, &self.mapping)
            })
            .collect();
        problems.extend_from_slice(more);
        problems.extend(
            findings
                .iter()
                .filter(|f| f.severity() == Severity::Warning)
                .map(|f| {
                    format!(
                        "Warning: {}",
                        self.report
                            .message(f, &self.sheet, self.header_row, &self.mapping)
                    )
                }),
        );
        problems.join(" | ")
    }

    /// Writes the chosen rows (sheet indices, in the order given) with the import file's
    /// columns and format, errors or not; rows that are not data rows are left out and
    /// counted.
    pub fn write_rows<W: Write>(&self, out: W, rows: &[usize]) -> io::Result<WriteReport> {
        self.check_conflicts()?;
        let data = self.report.data_rows();
        let chosen: Vec<usize> = rows.iter().copied().filter(|r| data.contains(r)).collect();
        let skipped = (rows.len() - chosen.len()) as u64;
        let (cols, mut notes) = self.left_out_columns(&chosen);
        let header = self.mapping.output_header();
        let mut counting = Counting::new(out);
        let mut writer = import_writer(&mut counting, &header)?;
        for &r in &chosen {
            writer.write_row(cols.iter().map(|&c| self.sheet.cell_or_empty(r, c)))?;
        }
        writer.finish()?;
        if skipped > 0 {
            notes.insert(
                0,
                format!(
                    "{} not data rows (the header or rows before it) left out.",
                    plural(skipped, "row", "rows")
                ),
            );
        }
        let head = format!(
            "With the import file's {}.",
            plural(header.len() as u64, "column", "columns")
        );
        Ok(WriteReport {
            rows: chosen.len() as u64,
            bytes: counting.bytes,
            skipped,
            note: std::iter::once(head)
                .chain(notes)
                .collect::<Vec<_>>()
                .join(" "),
        })
    }

    /// [`Workbook::write_rows`] of the rows ticked in the table while `filter` shows it:
    /// ticked rows the filter hides are written too, and the note says how many.
    pub fn write_ticked<W: Write>(
        &self,
        out: W,
        rows: &[usize],
        filter: &RowFilter,
    ) -> io::Result<WriteReport> {
        let mut report = self.write_rows(out, rows)?;
        let hidden = match filter {
            RowFilter::All => 0,
            _ => {
                let shown: HashSet<usize> = self.rows_kept_by(filter).into_iter().collect();
                let data = self.report.data_rows();
                let hidden = rows
                    .iter()
                    .filter(|r| data.contains(r) && !shown.contains(r));
                hidden.count() as u64
            }
        };
        if hidden > 0 {
            let (row, it, is) = match hidden {
                1 => ("ticked row", "it", "is"),
                _ => ("ticked rows", "they", "are"),
            };
            let see = if hidden == 1 { "it" } else { "them" };
            report.note.push_str(&format!(
                " {hidden} {row} {is} hidden by the table's filter; {it} {is} in the file too (show all rows to see {see})."
            ));
        }
        Ok(report)
    }

    /// The opened name without folders and extension ("users" for "C:\\x\\users.csv").
    fn stem(&self) -> &str {
        let base = self.name.rsplit(['/', '\\']).next().unwrap_or(&self.name);
        let stem = match base.rsplit_once('.') {
            Some((s, _)) if !s.is_empty() => s,
            _ => base,
        };
        if stem.is_empty() {
            "users"
        } else {
            stem
        }
    }

    /// The import file's name: "users_import.csv" for "users.csv".
    pub fn import_file_name(&self) -> String {
        format!("{}_import.csv", self.stem())
    }

    /// The name of the import file holding `rows`: [`import_file_name`](Self::import_file_name)
    /// for the valid rows, "users_import_all_rows.csv" for every row with data, so the
    /// two are never taken for each other.
    pub fn import_file_name_of(&self, rows: ImportRows) -> String {
        match rows {
            ImportRows::ValidOnly => self.import_file_name(),
            ImportRows::All => format!("{}_import_all_rows.csv", self.stem()),
        }
    }

    /// The failed-rows file's name: "users_errors.csv" for "users.csv".
    pub fn error_file_name(&self) -> String {
        format!("{}_errors.csv", self.stem())
    }
}
