//! The face image folder on the command line: `bioport check users.csv --faces DIR` (the
//! face image cells against the folder) and `bioport faces DIR --users users.csv` (an
//! import by file name, images named by user ID).

use std::path::Path;

use bioport::text::plural;
use bioport::workbench::faces::by_name::ByNameReport;
use bioport::workbench::faces::disk::read_folder;
use bioport::workbench::faces::{FaceFolder, ImageProblem};
use bioport::workbench::{FaceFolderView, Workbook};

use crate::outcome::{fail, print_json, print_listed, Outcome};
use crate::site::{open_workbook, SiteArgs};

/// Images no row names that `check` lists; the rest are counted (`--json` has them all).
const MAX_PRINTED_UNNAMED: usize = 50;

/// Reads the face folder `dir` (headers, ends, and whole files of a shared size).
pub fn read_faces(dir: &Path) -> Result<FaceFolder, String> {
    if !dir.is_dir() {
        let unpack = match dir.extension().and_then(|e| e.to_str()) {
            Some(e)
                if ["zip", "7z", "rar", "tgz", "tar", "gz"]
                    .contains(&e.to_ascii_lowercase().as_str()) =>
            {
                ": it is an archive; unpack it and give the folder it makes"
            }
            _ => "",
        };
        return Err(format!(
            "{}: not a folder of face images{unpack}",
            dir.display()
        ));
    }
    read_folder(dir, true)
        .map(|(folder, _)| folder)
        .map_err(|e| format!("{}: cannot read the face folder: {e}", dir.display()))
}

/// The face folder lines of `check`'s summary.
pub fn print_face_view(v: &FaceFolderView) {
    println!("  face images: {}", v.summary());
    let shown: Vec<String> = v
        .unnamed
        .iter()
        .take(MAX_PRINTED_UNNAMED)
        .cloned()
        .collect();
    print_listed("    named by no row: ", &shown, v.unnamed.len() as u64);
    for name in &v.skipped_same_name {
        println!("    skipped: {name} (another file has the same name)");
    }
    for name in &v.archives {
        println!(
            "    archive: {name}: the images packed in it are not read; unpack it into the folder"
        );
    }
    for note in v.notes() {
        println!("    note: {note}");
    }
    if !v.face_columns {
        println!("    (an import by file name: bioport faces DIR --users FILE)");
    }
}

/// Whether a by-name report has more than warnings about small images.
fn has_problems(r: &ByNameReport) -> bool {
    let small = r
        .image_problems
        .iter()
        .filter(|f| f.problem == ImageProblem::TooSmall)
        .count();
    r.finding_count() > small
}

/// What `bioport faces` is given: the folder, the user CSV, the server's export, and where
/// to write the new users.
pub struct ByNameInputs<'a> {
    /// The folder of images named by user ID.
    pub dir: &'a Path,
    /// The user CSV.
    pub users: &'a Path,
    /// The server's current export.
    pub existing: Option<&'a Path>,
    /// Where to write the images named after no user as new users.
    pub new_users: Option<&'a Path>,
}

/// The workbook of `users`, with the server's export `existing` loaded beside.
fn open_with_export(
    users: &Path,
    existing: Option<&Path>,
    site: &SiteArgs,
) -> Result<Workbook, String> {
    let mut wb = open_workbook(users, site)?;
    if let Some(export) = existing {
        let bytes =
            std::fs::read(export).map_err(|e| format!("{}: cannot read: {e}", export.display()))?;
        let name = export
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        wb.load_existing(bytes, &name).map_err(|e| e.to_string())?;
    }
    Ok(wb)
}

/// Writes the images of `folder` that `report` found named after no user of `wb` as new
/// users to `out`; what the import check finds in that file.
fn write_new_users(
    wb: &Workbook,
    report: &ByNameReport,
    folder: &FaceFolder,
    out: &Path,
) -> Result<Vec<String>, String> {
    let (csv, notes) = wb
        .new_users_from_faces(report, folder)
        .map_err(|e| format!("the new users could not be written: {e}"))?;
    std::fs::write(out, csv).map_err(|e| format!("{}: cannot write: {e}", out.display()))?;
    Ok(notes)
}

/// `bioport faces DIR --users users.csv`: checks an import by file name.
pub fn run(inputs: &ByNameInputs<'_>, site: &SiteArgs, json: bool) -> Outcome {
    let dir = inputs.dir;
    let wb = match open_with_export(inputs.users, inputs.existing, site) {
        Ok(wb) => wb,
        Err(message) => return fail(&message, json),
    };
    let folder = match read_faces(dir) {
        Ok(f) => f,
        Err(message) => return fail(&message, json),
    };
    let report = wb.check_by_name(&folder);
    let messages = report.messages(&folder);
    let written = match inputs
        .new_users
        .map(|out| write_new_users(&wb, &report, &folder, out))
    {
        Some(Err(message)) => return fail(&message, json),
        Some(Ok(notes)) => Some(notes),
        None => None,
    };
    if json {
        let out = serde_json::json!({
            "report": report,
            "images": folder.images(),
            "new_users": report.new_user_ids(&folder),
            "messages": messages,
            "new_users_check": written,
        });
        if let Err(outcome) = print_json(&out) {
            return outcome;
        }
    } else {
        println!("{}: {}", dir.display(), report.summary());
        if !messages.is_empty() {
            println!("findings:");
        }
        for m in &messages {
            println!("  {m}");
        }
        if let (Some(out), Some(notes)) = (inputs.new_users, &written) {
            print_new_users(out, report.new_user_ids(&folder).len(), notes);
        }
    }
    if has_problems(&report) {
        Outcome::Problems
    } else {
        Outcome::Clean
    }
}

/// Says where the new users went and what the import check finds in them.
fn print_new_users(out: &Path, users: usize, notes: &[String]) {
    println!(
        "{} written to {}",
        plural(users as u64, "new user", "new users"),
        out.display()
    );
    if !notes.is_empty() {
        println!("the import check finds in it:");
    }
    for n in notes {
        println!("  {n}");
    }
}
