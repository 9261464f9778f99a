//! `bioport convert`: writes the import file (and the failed rows beside it), merged with
//! the server's export when one is given. Outputs never replace an input, and each goes
//! through a temporary file renamed into place.

use std::path::{Path, PathBuf};

use bioport::recognize::{Confidence, FileKind};
use bioport::workbench::merge::MergeChoice;
use bioport::workbench::{ImportRows, Workbook, WorkbookView, WriteReport};
use clap::ValueEnum;

use crate::check::{has_errors, kind_words, rows_word};
use crate::clock::{self, ClockConvertArgs};
use crate::faces::read_faces;
use crate::files::{recognize_file, refuse_overwriting, write_file};
use crate::outcome::{fail, fail_not_read, Outcome};
use crate::site::{open_workbook, refuse_other_kinds, SiteArgs};

/// The formats `convert` writes.
#[derive(Clone, Copy, ValueEnum)]
pub enum Target {
    /// The BioStar 2 / BioStar X user CSV for "Import CSV" (from a CSV or a user.dat).
    BiostarCsv,
    /// A clock's user.dat (from a BioStar user CSV), for "USB Manager -> Upload".
    UserDat,
    /// A repaired attendance log (from an attendance log).
    Attlog,
    /// The punches of an attendance log as CSV, names joined from --users.
    PunchesCsv,
}

impl Target {
    /// The target's name on the command line.
    fn id(self) -> &'static str {
        match self {
            Target::BiostarCsv => "biostar-csv",
            Target::UserDat => "user-dat",
            Target::Attlog => "attlog",
            Target::PunchesCsv => "punches-csv",
        }
    }

    /// What the file written is called in messages.
    fn output_label(self) -> &'static str {
        match self {
            Target::BiostarCsv => "import file",
            Target::UserDat => "user.dat written",
            Target::Attlog => "repaired log",
            Target::PunchesCsv => "punches CSV",
        }
    }
}

/// Keep or overwrite users the server already has.
#[derive(Clone, Copy, ValueEnum)]
pub enum MergeArg {
    /// Keep the stored user; the file's row is left out.
    Keep,
    /// Replace the stored user with the file's row.
    Overwrite,
}

/// What one `convert` is asked to do.
pub struct Job<'a> {
    /// The CSV to convert.
    pub file: &'a Path,
    /// The format to write.
    pub to: Target,
    /// Where the import file goes.
    pub output: &'a Path,
    /// Write rows with errors too.
    pub all_rows: bool,
    /// The server's export to merge against.
    pub existing: Option<&'a Path>,
    /// What to do with users the export already has.
    pub merge: MergeArg,
    /// The folder of face images the face image cells name.
    pub faces: Option<&'a Path>,
}

/// `bioport convert`: recognises the input, then writes what `--to` asks of it.
pub fn run(job: &Job, site: &SiteArgs, clock: &ClockConvertArgs) -> Outcome {
    let beside: Vec<&Path> = (clock.read.users.iter().chain(&clock.read.templates))
        .map(|p| p.as_path())
        .collect();
    if let Err(message) = refuse_overwriting_inputs(job, &beside) {
        return fail(&message, false);
    }
    let kind = match recognize_file(job.file).map(|r| clock::forced(r, &clock.read)) {
        // Sure it is no file bioport reads (empty, binary, a workbook): say why.
        Ok(r) if r.kind == FileKind::Unknown && r.confidence == Confidence::High => {
            return fail_not_read(&r.reason, false)
        }
        Ok(r) => r.kind,
        Err(message) => return fail(&message, false),
    };
    if let Some(why) = clock_encoding_unused(job, kind, clock) {
        return fail(&why, false);
    }
    let (file, output) = (job.file, job.output);
    match (kind, job.to) {
        (FileKind::ZkUserDat72 | FileKind::ZkUserDat28, Target::BiostarCsv) => {
            clock::user_dat_to_csv(file, output, clock)
        }
        (FileKind::ZkUserDat72 | FileKind::ZkUserDat28, Target::UserDat) => {
            clock::user_dat_to_user_dat(file, output, clock)
        }
        (FileKind::ZkAttlog, Target::Attlog) => clock::repair(file, output, clock),
        (FileKind::ZkAttlog, Target::PunchesCsv) => clock::punches(file, output, clock),
        (FileKind::BiostarCsv | FileKind::Unknown, Target::BiostarCsv) => csv_to_biostar(job, site),
        (FileKind::BiostarCsv | FileKind::Unknown, Target::UserDat) => {
            match open_workbook(file, site) {
                Ok(book) => clock::csv_to_user_dat(&book, output, clock),
                Err(message) => fail(&message, false),
            }
        }
        (kind, to) => {
            let message = format!(
                "{} is a {}: convert does not turn it into {}. It takes {}.",
                file.display(),
                kind.label(),
                to.id(),
                targets_of(kind)
            );
            fail(&message, false)
        }
    }
}

/// Why `--clock-encoding` is refused for a conversion it does nothing for (a repair
/// keeps every line byte for byte, a user CSV has its own `--encoding`): it would be
/// ignored. None when it applies or is not given.
fn clock_encoding_unused(job: &Job, kind: FileKind, clock: &ClockConvertArgs) -> Option<String> {
    use FileKind::*;
    clock.read.clock_encoding.as_ref()?;
    let to = job.to;
    let unused = matches!(
        (kind, to),
        (ZkAttlog, Target::Attlog) | (BiostarCsv | Unknown, Target::BiostarCsv)
    );
    unused.then(|| {
        format!(
            "{} is {}: --clock-encoding is the clock's code page, which a user.dat is read in (or written in, from a user CSV) and an attendance log's user IDs are read in for a punches CSV; --to {} does not use it, so leave it out to convert this file",
            job.file.display(),
            kind_words(kind, "read as a user CSV"),
            to.id()
        )
    })
}

/// What `convert` can make of a kind of file, in words.
fn targets_of(kind: FileKind) -> &'static str {
    match kind {
        FileKind::BiostarCsv | FileKind::Unknown => "--to biostar-csv or --to user-dat",
        FileKind::ZkUserDat72 | FileKind::ZkUserDat28 => {
            "--to biostar-csv or --to user-dat (written again, in --write-records records)"
        }
        FileKind::ZkAttlog => "--to attlog (repair) or --to punches-csv",
        FileKind::ZkTemplateDat | FileKind::ZkTemplateFp10 | FileKind::ZkFaceDat => {
            "nothing: its templates are carried as they are; `bioport check` lists them"
        }
        FileKind::BiostarDataFile => {
            "nothing: it goes to a device as it is, under the name the device reads. `bioport rename` gives it that name (BioStar2_YYYYMMDD_HHMMSS.tgz), `bioport inspect --entries` verifies and lists it, and `bioport check --device MODEL --firmware X.Y.Z` says whether a device takes it"
        }
    }
}

/// A user CSV to the import file (and the failed rows beside it), merged with the
/// server's export when one is given.
fn csv_to_biostar(job: &Job, site: &SiteArgs) -> Outcome {
    let mut wb = match open_workbook(job.file, site) {
        Ok(wb) => wb,
        Err(message) => return fail(&message, false),
    };
    if let Some(path) = job.existing {
        if let Err(message) = load_existing(&mut wb, path, job.merge) {
            return fail(&message, false);
        }
    }
    if let Some(dir) = job.faces {
        match read_faces(dir) {
            Ok(folder) => wb.set_face_folder(Some(folder)),
            Err(message) => return fail(&message, false),
        }
    }
    let view = wb.view();
    print_reading(&view);
    let rows = if job.all_rows {
        ImportRows::All
    } else {
        ImportRows::ValidOnly
    };
    let mut outcome = report_write(
        job.output,
        write_file(job.output, |out| wb.write_import(out, rows)),
    );
    if view.error_file_rows() > 0 {
        let path = error_path(job.output);
        let written = write_file(&path, |out| wb.write_errors(out));
        outcome = outcome.max(report_write(&path, written));
        if let Some(note) = view.formula_note() {
            println!("  note: {note}");
        }
    }
    let clashes = view
        .merge
        .as_ref()
        .is_some_and(|m| m.counts.card_clashes > 0);
    if has_errors(&view) || clashes {
        outcome = outcome.max(Outcome::Problems);
    }
    outcome
}

/// Refuses an import or error file path that names one of the inputs.
fn refuse_overwriting_inputs(job: &Job, beside: &[&Path]) -> Result<(), String> {
    let errors = error_path(job.output);
    let inputs: Vec<&Path> = std::iter::once(job.file)
        .chain(job.existing)
        .chain(beside.iter().copied())
        .collect();
    let output = (job.to.output_label(), job.output);
    match job.to {
        Target::BiostarCsv => refuse_overwriting(&inputs, &[output, ("error file", &errors)]),
        _ => refuse_overwriting(&inputs, &[output]),
    }
}

/// Loads the server's export beside the workbook and sets the merge default.
fn load_existing(wb: &mut Workbook, path: &Path, merge: MergeArg) -> Result<(), String> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let name = path
        .file_name()
        .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
    refuse_other_kinds(&shown, &name, &bytes)?;
    wb.load_existing(bytes, &name).map_err(|e| e.to_string())?;
    wb.set_merge_default(match merge {
        MergeArg::Keep => MergeChoice::Keep,
        MergeArg::Overwrite => MergeChoice::Overwrite,
    });
    Ok(())
}

/// One line on how the file was read, its notes, and the merge's counts.
fn print_reading(view: &WorkbookView) {
    let t = &view.totals;
    println!(
        "read {}: {} data rows ({} valid, {} with warnings only, {} with errors), {}, {}, header on line {}",
        view.name,
        t.rows,
        t.valid,
        t.with_warnings,
        t.with_errors,
        view.encoding.label(),
        view.delimiter.id(),
        view.header_line
    );
    for note in view.notes.iter().chain(&view.file_findings) {
        println!("  {note}");
    }
    if let Some(m) = &view.merge {
        let c = &m.counts;
        println!(
            "merge with {}: {} new and {} overwritten users written, {} left out for errors, {} for a card held on the server; {} kept as stored, {} already the same; {} only in the export; rows left out of the merge (no user ID, or listed twice): {}",
            m.existing_name, m.new_written, m.overwritten_written, m.left_out_errors, m.left_out_cards, c.kept, c.identical, c.untouched, m.left_out_of_merge
        );
        for note in m.problems.iter().chain(&m.notes) {
            println!("  {note}");
        }
    }
}

/// Prints what a write did; its outcome.
fn report_write(path: &Path, written: Result<WriteReport, (Outcome, String)>) -> Outcome {
    match written {
        Ok(report) => {
            println!(
                "wrote {}: {}, {} bytes. {}",
                path.display(),
                rows_word(report.rows),
                report.bytes,
                report.note
            );
            Outcome::Clean
        }
        Err((outcome, message)) => {
            eprintln!("bioport: {message}");
            outcome
        }
    }
}

/// `<stem>_errors.csv` beside `output`.
fn error_path(output: &Path) -> PathBuf {
    // The stem as the system gives it: a name that is not UTF-8 keeps its bytes.
    let mut name = output
        .file_stem()
        .map_or_else(|| "users".into(), std::ffi::OsStr::to_os_string);
    name.push("_errors.csv");
    output.with_file_name(name)
}
