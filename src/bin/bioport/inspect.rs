//! `bioport inspect`: what each file is, its counts and the damage found, for a person or
//! (with `--json`) for a script.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use bioport::archive::export_time;
use bioport::inspect::{inspect, Summary};
use bioport::recognize::{FileKind, HEAD_LEN};
use serde::Serialize;

use crate::outcome::{print_json, print_listed, Outcome};

/// One file's entry in `inspect --json`: its summary, or why it could not be read.
#[derive(Serialize)]
#[serde(untagged)]
enum Entry {
    /// The file was read.
    Read(Box<Summary>),
    /// The file could not be read at all.
    Failed {
        /// The path as given.
        name: String,
        /// What went wrong and what to do.
        error: String,
    },
}

/// `bioport inspect`: summarises every file; the worst file's outcome is the exit code.
pub fn run(files: &[PathBuf], json: bool) -> Outcome {
    let mut worst = Outcome::Clean;
    let mut entries = Vec::new();
    for path in files {
        let entry = match read_summary(path) {
            Ok(s) => Entry::Read(Box::new(s)),
            Err(message) => {
                eprintln!("bioport: {message}");
                Entry::Failed {
                    name: path.display().to_string(),
                    error: message,
                }
            }
        };
        worst = worst.max(outcome_of(&entry));
        entries.push(entry);
    }
    if json {
        if let Err(outcome) = print_json(&entries) {
            return outcome;
        }
    } else {
        entries.iter().for_each(print_entry);
    }
    worst
}

/// Unreadable or unrecognised files are unusable; damage found is a problem.
fn outcome_of(entry: &Entry) -> Outcome {
    match entry {
        Entry::Failed { .. } => Outcome::Unusable,
        Entry::Read(s) if s.recognition.kind == FileKind::Unknown => Outcome::Unusable,
        Entry::Read(s) if s.problem_count > 0 => Outcome::Problems,
        Entry::Read(_) => Outcome::Clean,
    }
}

/// A file's summary as text (a file that could not be read was reported on stderr).
fn print_entry(entry: &Entry) {
    let Entry::Read(s) = entry else {
        return;
    };
    println!("{}", s.one_line());
    if s.recognition.kind == FileKind::Unknown {
        println!("  {}", s.recognition.reason);
    }
    if let Some(r) = &s.reading {
        println!(
            "  reading: {}, {}, header on line {}",
            r.encoding.label(),
            r.delimiter.id(),
            r.header_line
        );
    }
    for note in &s.recognition.notes {
        println!("  note: {note}");
    }
    print_listed("  problem: ", &s.problems, s.problem_count);
    if s.recognition.kind == FileKind::BiostarDataFile {
        match export_time(&s.name) {
            Ok(time) => println!("  exported {time}"),
            Err(why) => println!("  name: {why}"),
        }
    }
    if let Some(device) = &s.device_name {
        println!("  a device reads it only under the name {device}");
    }
}

/// Streams one file through the core's inspection.
fn read_summary(path: &Path) -> Result<Summary, String> {
    let shown = path.display();
    let mut file = File::open(path).map_err(|e| format!("{shown}: cannot open: {e}"))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("{shown}: cannot read its size: {e}"))?;
    if meta.is_dir() {
        return Err(format!("{shown}: is a folder; name the files inside it"));
    }
    let mut head = Vec::with_capacity(HEAD_LEN);
    (&mut file)
        .take(HEAD_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| format!("{shown}: cannot read: {e}"))?;
    file.seek(SeekFrom::Start(0))
        .map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let name = path.to_string_lossy();
    Ok(inspect(&name, meta.len(), &head, file, &mut |_| {}))
}
