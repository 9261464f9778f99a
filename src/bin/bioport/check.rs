//! `bioport check`: how a user CSV was read, its mapping, totals and every finding; a
//! clock's user.dat or attendance log goes to [`crate::clock`].

use std::path::Path;

use bioport::archive::device::DEVICE_MODELS;
use bioport::recognize::{Confidence, FileKind};
use bioport::workbench::mapping::column_letter;
use bioport::workbench::validate::Severity;
use bioport::workbench::WorkbookView;

use crate::clock::{self, ClockCheckArgs};
use crate::faces::{print_face_view, read_faces};
use crate::files::recognize_file;
use crate::outcome::{fail, fail_not_read, print_json, print_listed, Outcome};
use crate::site::{open_workbook, SiteArgs};

/// The device a BioStar data file is for.
#[derive(clap::Args)]
pub struct DeviceArgs {
    /// A BioStar data file (.tgz) only: the device model it is for (BioStation 2,
    /// FaceStation F2, ...).
    #[arg(long, value_name = "MODEL")]
    pub device: Option<String>,
    /// The device's firmware version (X.Y.Z).
    #[arg(long, value_name = "X.Y.Z", requires = "device")]
    pub firmware: Option<String>,
}

impl DeviceArgs {
    /// Checks a data file against the device named, or says how to name one.
    fn check(&self, file: &Path, json: bool) -> Outcome {
        if let Some(refused) = crate::archive::refuse_no_data_file(file, json) {
            return refused;
        }
        match (&self.device, &self.firmware) {
            (Some(device), Some(firmware)) => {
                crate::archive::check_data_file(file, device, firmware, json)
            }
            _ => {
                let models: Vec<&str> = DEVICE_MODELS.iter().map(|m| m.name).collect();
                let message = format!(
                    "{} is a BioStar data file: name the device it is for with --device MODEL --firmware X.Y.Z (models: {}); `bioport inspect --entries` lists it",
                    file.display(),
                    models.join(", ")
                );
                fail(&message, json)
            }
        }
    }
}

/// Why `--device` is refused for a file that is no BioStar data file: it would be ignored.
fn device_for_another_kind(file: &Path, kind: FileKind) -> String {
    let what = kind_words(kind, "not a BioStar data file");
    format!(
        "{} is {what}: --device and --firmware check a BioStar data file (.tgz) against a device, as in `bioport check BioStar2_YYYYMMDD_HHMMSS.tgz --device MODEL --firmware X.Y.Z`; leave them out to check this file",
        file.display()
    )
}

/// What a file of `kind` is, in words ("a time clock user.dat"); `unknown` for none.
pub fn kind_words(kind: FileKind, unknown: &str) -> String {
    match kind {
        FileKind::Unknown => unknown.to_string(),
        kind => format!("a {}", kind.label()),
    }
}

/// Why an option given to `check` is refused for a file of `kind` that it does nothing
/// for (it would be ignored): what the option is for; None when every option applies.
fn option_for_another_kind(
    file: &Path,
    kind: FileKind,
    clock: &ClockCheckArgs,
    faces: bool,
) -> Option<String> {
    use FileKind::*;
    let csv = matches!(kind, BiostarCsv | Unknown);
    let templates = matches!(kind, ZkTemplateDat | ZkTemplateFp10 | ZkFaceDat);
    let user_dat = matches!(kind, ZkUserDat72 | ZkUserDat28);
    let read = &clock.read;
    let unused = [
        (faces && !csv, "--faces checks the face image cells of a BioStar user CSV against a folder of images"),
        (read.users.is_some() && kind != ZkAttlog && !templates, "--users names the user.dat beside an attendance log (the names of its punches) or a template file (the users its uids belong to)"),
        (!read.templates.is_empty() && !templates, "--templates names the other template files beside a template file"),
        (clock.show_passwords && !user_dat, "--show-passwords shows the passwords of a user.dat's users"),
        (read.record_size.is_some() && !user_dat && read.users.is_none(), "--record-size reads a user.dat (the file checked, or that of --users) in 72- or 28-byte records"),
        (read.clock_encoding.is_some() && !user_dat && read.users.is_none(), "--clock-encoding reads the names and user IDs of a user.dat (the file checked, or that of --users) in the clock's code page"),
    ];
    let (_, option) = unused.into_iter().find(|(given, _)| *given)?;
    Some(format!(
        "{} is {}: {option}; leave it out to check this file",
        file.display(),
        kind_words(kind, "not a file bioport knows")
    ))
}

/// The summary `check` prints: reading, mapping, totals, counts per rule.
fn print_summary(v: &WorkbookView) {
    println!("{}: {} bytes", v.name, v.size);
    println!("  encoding: {} ({})", v.encoding.label(), v.encoding_reason);
    if let Some(m) = &v.replacement_message {
        println!("  warning: {m}");
    }
    println!("  delimiter: {} ({})", v.delimiter.id(), v.delimiter_reason);
    println!("  header: line {}", v.header_line);
    print_mapping(v);
    for c in &v.conflicts {
        println!("  error: {c}");
    }
    let t = &v.totals;
    println!(
        "  rows: {} ({} valid, {} with warnings only, {} with errors); mobile cards to issue: {}",
        t.rows, t.valid, t.with_warnings, t.with_errors, t.mobile_cards
    );
    if !v.rules.is_empty() {
        println!("  findings by rule:");
        for r in &v.rules {
            println!(
                "    {:<7} {:>8}  {:<26} {}",
                severity_word(r.severity),
                r.count,
                r.id,
                r.title
            );
        }
    }
    print_listed("  read: ", &v.read_issues, v.read_issue_count);
    for note in &v.notes {
        println!("  note: {note}");
    }
    for f in &v.file_findings {
        println!("  file error: {f}");
    }
    if v.faces_unchecked {
        println!("  note: the face image cells are not checked: give the folder of images with --faces DIR");
    }
}

/// Columns `check` lists one by one; the rest are counted (`--json` has them all).
const MAX_PRINTED_COLUMNS: usize = 200;
/// Column notes `check` prints; the rest are counted.
const MAX_PRINTED_NOTES: usize = 50;

/// The mapping: each column, the field it fills and its note, capped so that a file of
/// thousands of columns prints a readable summary, not megabytes.
fn print_mapping(v: &WorkbookView) {
    println!("  mapping:");
    let mut notes = 0usize;
    for c in v.columns.iter().take(MAX_PRINTED_COLUMNS) {
        let how = match c.target {
            Some(_) => format!(" [{:?}]", c.how).to_lowercase(),
            None => String::new(),
        };
        println!(
            "    {} \"{}\" -> {}{how}",
            column_letter(c.index),
            c.header,
            c.target_label
        );
        if let Some(note) = c.note.as_ref().filter(|_| notes < MAX_PRINTED_NOTES) {
            notes += 1;
            println!("        {note}");
        }
    }
    let all_notes = v.columns.iter().filter(|c| c.note.is_some()).count();
    let more_columns = v.columns.len().saturating_sub(MAX_PRINTED_COLUMNS);
    if more_columns > 0 || all_notes > notes {
        println!(
            "    ... and {more_columns} more columns, {} more column notes (--json lists them all)",
            all_notes - notes
        );
    }
}

/// "1 row", "2 rows".
pub fn rows_word(n: u64) -> String {
    if n == 1 {
        "1 row".to_string()
    } else {
        format!("{n} rows")
    }
}

/// How a severity is printed.
fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// True when the file cannot be imported as it is: rows or the mapping have errors.
pub fn has_errors(v: &WorkbookView) -> bool {
    v.totals.with_errors > 0 || v.totals.file_errors > 0 || !v.conflicts.is_empty()
}

/// `bioport check`: reads, maps and validates a user CSV and prints what it found.
pub fn run(
    file: &Path,
    site: &SiteArgs,
    clock: &ClockCheckArgs,
    device: &DeviceArgs,
    faces: Option<&Path>,
    json: bool,
) -> Outcome {
    let recognized = recognize_file(file).map(|r| clock::forced(r, &clock.read));
    if let Ok(r) = &recognized {
        // Sure it is no file bioport reads (empty, a workbook, a binary "attlog"): say why.
        if r.kind == FileKind::Unknown && r.confidence == Confidence::High {
            return fail_not_read(&r.reason, json);
        }
        if r.kind != FileKind::BiostarDataFile && device.device.is_some() {
            return fail(&device_for_another_kind(file, r.kind), json);
        }
        if let Some(why) = option_for_another_kind(file, r.kind, clock, faces.is_some()) {
            return fail(&why, json);
        }
    }
    match recognized.map(|r| r.kind) {
        Ok(FileKind::BiostarDataFile) => return device.check(file, json),
        Ok(FileKind::ZkUserDat72 | FileKind::ZkUserDat28) => {
            return clock::check_users_file(file, clock, json)
        }
        Ok(FileKind::ZkAttlog) => return clock::check_attlog_file(file, &clock.read, json),
        Ok(FileKind::ZkTemplateDat | FileKind::ZkTemplateFp10 | FileKind::ZkFaceDat) => {
            return clock::check_templates_file(file, &clock.read, json)
        }
        Ok(_) => {}
        Err(message) => return fail(&message, json),
    }
    let mut wb = match open_workbook(file, site) {
        Ok(wb) => wb,
        Err(message) => return fail(&message, json),
    };
    if let Some(dir) = faces {
        match read_faces(dir) {
            Ok(folder) => wb.set_face_folder(Some(folder)),
            Err(message) => return fail(&message, json),
        }
    }
    let view = wb.view();
    let face_view = wb.face_view();
    if json {
        let findings: Vec<serde_json::Value> = wb
            .findings()
            .map(|(row, line, f)| {
                serde_json::json!({
                    "row": row,
                    "line": line,
                    "col": f.col,
                    "column": f.col.map(column_letter),
                    "rule": f.rule,
                    "severity": f.severity,
                    "message": f.message,
                })
            })
            .collect();
        let mut out = serde_json::json!({ "view": view, "findings": findings });
        if let Some(v) = &face_view {
            out["faces"] = serde_json::json!(v);
        }
        if let Err(outcome) = print_json(&out) {
            return outcome;
        }
    } else {
        print_summary(&view);
        if let Some(v) = &face_view {
            print_face_view(v);
        }
        let mut any = false;
        for (_, line, f) in wb.findings() {
            if !any {
                println!("findings:");
                any = true;
            }
            let col = f.col.map_or_else(|| "-".to_string(), column_letter);
            println!(
                "  line {line:<6} {col:<3} {:<7} {}",
                severity_word(f.severity),
                f.message
            );
        }
    }
    if has_errors(&view) {
        Outcome::Problems
    } else {
        Outcome::Clean
    }
}
