//! How every command ends: one set of exit codes for all of them, and JSON printed one way.

use std::process::ExitCode;

use bioport::recognize::{FileKind, NOT_READ};
use serde::Serialize;

/// What a command found. Several files or outputs end with the worst of theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Exit code 0: read, nothing wrong.
    Clean = 0,
    /// Exit code 1: read, problems found.
    Problems = 1,
    /// Exit code 2: unreadable, not a file bioport reads, or an output not written.
    Unusable = 2,
}

impl Outcome {
    /// The process exit code.
    pub fn code(self) -> ExitCode {
        ExitCode::from(self as u8)
    }
}

/// The exit codes as `--help` and the README state them.
pub const EXIT_CODES: &str = "Exit codes, the same for every command:
  0  read, nothing wrong
  1  read, problems found (rows with errors, a damaged file)
  2  unreadable, not a file bioport reads, or an output that could not be written";

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &impl Serialize) -> Result<(), Outcome> {
    match serde_json::to_string_pretty(value) {
        Ok(text) => {
            println!("{text}");
            Ok(())
        }
        Err(e) => {
            eprintln!("bioport: cannot write JSON: {e}");
            Err(Outcome::Unusable)
        }
    }
}

/// Reports a command that could not go on: on stderr, and as one JSON document on stdout
/// when `json` was asked for, so a script always gets JSON.
pub fn fail(message: &str, json: bool) -> Outcome {
    eprintln!("bioport: {message}");
    if json {
        let _ = print_json(&serde_json::json!({ "error": message }));
    }
    Outcome::Unusable
}

/// Refuses a file that is no file bioport reads, saying `reason` after "Not a file bioport
/// reads" (unless the reason says so itself), as every command words it: exit 2.
pub fn fail_not_read(reason: &str, json: bool) -> Outcome {
    if reason.contains(NOT_READ) {
        return fail(reason, json);
    }
    fail(&format!("{}: {reason}", FileKind::Unknown.label()), json)
}

/// Refuses a file that was read but has problems standing in the way (damage, entries
/// that leave their folder, users that do not fit): on stderr, exit 1 as for any problem
/// found (exit 2 is for what cannot be read or written).
pub fn refuse(message: &str) -> Outcome {
    eprintln!("bioport: {message}");
    Outcome::Problems
}

/// Prints `listed` one per line after `prefix`, then how many of `total` were not listed.
pub fn print_listed(prefix: &str, listed: &[String], total: u64) {
    for item in listed {
        println!("{prefix}{item}");
    }
    if total > listed.len() as u64 {
        println!("{prefix}... and {} more", total - listed.len() as u64);
    }
}
