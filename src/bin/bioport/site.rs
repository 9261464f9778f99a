//! The options every CSV command shares (the target server's settings, how to read the
//! file) and opening a user CSV the way the page does.

use std::path::Path;

use bioport::formats::biostar_csv::Delimiter;
use bioport::recognize::{recognize, Workflow, HEAD_LEN};
use bioport::text::TextEncoding;
use bioport::workbench::mapping::Field;
use bioport::workbench::validate::{ExpiryLimit, SiteSettings, UserIdType};
use bioport::workbench::{OpenOptions, Workbook};
use clap::Args;

/// How the target server is set up and how to read the file.
#[derive(Args)]
pub struct SiteArgs {
    /// The server uses alphanumeric user IDs (letters, digits, - and _).
    #[arg(long)]
    alphanumeric_ids: bool,
    /// The latest expiry year the server and devices accept.
    #[arg(long, value_parser = ["2030", "2037"], default_value = "2037")]
    expiry: String,
    /// A dynamic Airfob site: mobile cards need both mobile dates.
    #[arg(long)]
    dynamic_site: bool,
    /// Allow the symbols the manual allows in names (live servers reject them).
    #[arg(long)]
    no_strict_names: bool,
    /// The header's line (1-based), instead of the guessed one.
    #[arg(long, value_name = "N")]
    header_row: Option<u64>,
    /// The text encoding: utf-8, utf-8-bom, utf-16le, utf-16be, cp949, windows-1252, gbk,
    /// big5, shift_jis.
    #[arg(long, value_name = "ID")]
    encoding: Option<String>,
    /// The delimiter: , or ; or tab (or comma, semicolon).
    #[arg(long)]
    delimiter: Option<String>,
    /// A custom user field the server has (repeat for more).
    #[arg(long = "custom-field", value_name = "NAME")]
    custom_fields: Vec<String>,
    /// Maps a column by hand, as the page's Columns panel does: the column by its header
    /// (or letter, A, B...) = a BioStar field (user_id, name, csn, custom:NAME,
    /// wiegand:FORMAT...) or "ignore". Repeat for more.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    maps: Vec<String>,
}

impl SiteArgs {
    /// The open options these arguments ask for (the header line is applied after).
    pub fn options(&self) -> Result<OpenOptions, String> {
        let encoding = match &self.encoding {
            None => None,
            Some(id) => Some(TextEncoding::from_id(id).ok_or_else(|| {
                let ids: Vec<&str> = TextEncoding::all().iter().map(|e| e.id()).collect();
                format!("unknown encoding \"{id}\"; use one of {}", ids.join(", "))
            })?),
        };
        let delimiter = self
            .delimiter
            .as_deref()
            .map(|d| {
                Delimiter::parse(d)
                    .ok_or_else(|| format!("unknown delimiter \"{d}\"; use , or ; or tab"))
            })
            .transpose()?;
        Ok(OpenOptions {
            encoding,
            delimiter,
            header_row: None,
            settings: SiteSettings {
                user_id_type: if self.alphanumeric_ids {
                    UserIdType::Alphanumeric
                } else {
                    UserIdType::Numeric
                },
                expiry_limit: if self.expiry == "2030" {
                    ExpiryLimit::Y2030
                } else {
                    ExpiryLimit::Y2037
                },
                dynamic_site: self.dynamic_site,
                strict_names: !self.no_strict_names,
                ..SiteSettings::default()
            },
            custom_fields: self.custom_fields.clone(),
        })
    }
}

/// Reads and opens a CSV the way the page does; the message says what went wrong.
pub fn open_workbook(path: &Path, site: &SiteArgs) -> Result<Workbook, String> {
    let shown = path.display();
    let options = site.options()?;
    let bytes = std::fs::read(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let name = path
        .file_name()
        .map_or_else(|| shown.to_string(), |n| n.to_string_lossy().into_owned());
    refuse_other_kinds(&shown.to_string(), &name, &bytes)?;
    let mut wb = Workbook::open(bytes, &name, options).map_err(|e| e.to_string())?;
    if let Some(line) = site.header_row {
        let row = wb
            .row_of_line(line)
            .ok_or_else(|| format!("{shown}: there is no line {line} to take as the header"))?;
        wb.set_header_row(row).map_err(|e| e.to_string())?;
    }
    for map in &site.maps {
        let (column, field) = column_map(&wb, map).map_err(|e| format!("--map {map}: {e}"))?;
        wb.remap(column, field);
    }
    Ok(wb)
}

/// The column and field a `--map COLUMN=FIELD` names (None: ignore the column).
fn column_map(wb: &Workbook, map: &str) -> Result<(usize, Option<Field>), String> {
    let (column, field) = map
        .rsplit_once('=')
        .ok_or("write it as COLUMN=FIELD, e.g. --map \"Personalnummer=user_id\"")?;
    let columns = wb.view().columns;
    let wanted = column.trim();
    let index = columns
        .iter()
        .find(|c| c.header.trim().eq_ignore_ascii_case(wanted))
        .map(|c| c.index)
        .or_else(|| column_of_letter(wanted).filter(|&i| i < columns.len()))
        .ok_or_else(|| {
            let headers: Vec<String> = columns
                .iter()
                .map(|c| format!("\"{}\"", c.header))
                .collect();
            format!(
                "no column is headed \"{wanted}\" (nor is it a column letter); the header has {}",
                headers.join(", ")
            )
        })?;
    let field = match field.trim() {
        "ignore" => None,
        id => Some(Field::from_id(id).ok_or_else(|| {
            let ids: Vec<String> = Field::STANDARD.iter().map(Field::id).collect();
            format!(
                "\"{id}\" is not a BioStar field; use one of {}, custom:NAME, wiegand:FORMAT or ignore",
                ids.join(", ")
            )
        })?),
    };
    Ok((index, field))
}

/// The 0-based column of a spreadsheet letter ("A" is 0, "AA" is 26); None if not one.
fn column_of_letter(letters: &str) -> Option<usize> {
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    let n = letters.bytes().fold(0usize, |n, b| {
        n * 26 + usize::from(b.to_ascii_uppercase() - b'A') + 1
    });
    Some(n - 1)
}

/// Refuses a file recognised as another kind than a user CSV, naming what it is and what
/// serves it (a file nothing recognises is left to the workbook, which says what it found).
pub fn refuse_other_kinds(shown: &str, name: &str, bytes: &[u8]) -> Result<(), String> {
    let head = &bytes[..bytes.len().min(HEAD_LEN)];
    let kind = recognize(name, bytes.len() as u64, head).kind;
    let serves = match kind.workflow() {
        None | Some(Workflow::BiostarCsv) => return Ok(()),
        Some(Workflow::DataFile) => {
            "`bioport inspect` verifies it; on the page, the BioStar data file screen checks and renames it"
        }
        Some(Workflow::TimeClock) => {
            "`bioport check` reads it (and `convert` user.dat and attendance logs); on the page it opens under Time clock files"
        }
    };
    Err(format!(
        "{shown} is a {}, not a user CSV: {serves}.",
        kind.label()
    ))
}
