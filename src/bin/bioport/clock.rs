//! The time clock's files on the command line: `check` of a `user.dat` or an attendance
//! log, and `convert` between them and BioStar (the same core as the page).

use std::path::Path;

use bioport::clock::{punches_to_csv, users_from_workbook, users_to_csv, ToCsvOptions};
use bioport::formats::biostar_csv::WriteOptions;
use bioport::formats::zk_attlog::{
    read_attlog_sized, repair_attlog, status_label, verify_label, Attlog, RepairOptions,
};
use bioport::formats::zk_user_dat::{
    check_users, read_users, write_users, UserFile, UserFinding, UserReadOptions, UserRecord,
};
use clap::Args;
use encoding_rs::Encoding;
use serde_json::json;

use crate::files::write_file;
use crate::outcome::{fail, print_json, print_listed, Outcome};

/// How to read and write a clock's files.
#[derive(Args)]
pub struct ClockArgs {
    /// The clock's text encoding (utf-8, gbk, euc-kr for CP949, windows-1252, ...).
    #[arg(long, value_name = "LABEL", default_value = "utf-8")]
    pub clock_encoding: String,
    /// The user.dat record size, instead of the one judged from the file.
    #[arg(long, value_name = "72|28", value_parser = ["72", "28"])]
    pub record_size: Option<String>,
    /// A user.dat beside the file: names for punches, uids to keep for new users.
    #[arg(long, value_name = "USER.DAT")]
    pub users: Option<std::path::PathBuf>,
    /// Show users' passwords (hidden unless asked).
    #[arg(long)]
    pub show_passwords: bool,
    /// Repairing an attendance log: keep the damaged lines.
    #[arg(long)]
    pub keep_damaged: bool,
    /// Repairing an attendance log: keep exact duplicate punches.
    #[arg(long)]
    pub keep_duplicates: bool,
}

impl ClockArgs {
    /// The encoding asked for.
    fn encoding(&self) -> Result<&'static Encoding, String> {
        Encoding::for_label(self.clock_encoding.as_bytes()).ok_or_else(|| {
            format!(
                "unknown encoding \"{}\"; use utf-8, gbk, euc-kr, windows-1252 or another WHATWG label",
                self.clock_encoding
            )
        })
    }

    /// How to read a user.dat.
    fn read_options(&self) -> Result<UserReadOptions, String> {
        Ok(UserReadOptions {
            record: self.record_size.as_deref().and_then(|s| s.parse().ok()),
            encoding: self.encoding()?,
        })
    }

    /// The user.dat named by `--users`, if any.
    fn beside_users(&self) -> Result<Vec<UserRecord>, String> {
        let Some(path) = &self.users else {
            return Ok(Vec::new());
        };
        let bytes = read(path)?;
        Ok(read_users(&bytes, &self.read_options()?).users)
    }
}

/// One user the clock cannot hold, in a line: "uid 13 (555): reason; reason".
fn finding_line(f: &UserFinding) -> String {
    format!("uid {} ({}): {}", f.uid, f.user_id, f.reasons.join("; "))
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))
}

/// Opens `path` for reading, or says why it cannot be.
fn open(path: &Path) -> Result<std::fs::File, String> {
    std::fs::File::open(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))
}

/// Reads an attendance log streamed from its file (a log is never held whole).
fn read_log(path: &Path) -> Result<Attlog, String> {
    let file = open(path)?;
    let size = file.metadata().map_or(0, |m| m.len());
    read_attlog_sized(file, size).map_err(|e| format!("{}: cannot read: {e}", path.display()))
}

/// One user as `check` shows it: the password only when asked.
fn user_json(u: &UserRecord, show_passwords: bool) -> serde_json::Value {
    let password = if show_passwords {
        json!(String::from_utf8_lossy(u.password.reveal()))
    } else {
        json!(null)
    };
    json!({
        "uid": u.uid, "user_id": u.user_id, "name": u.name,
        "privilege": u.privilege.label(), "disabled": u.disabled,
        "password_set": !u.password.is_empty(), "password": password,
        "card": u.card, "group": u.group, "own_time_zones": u.own_time_zones,
        "time_zones": u.time_zones,
        "undecodable": u.undecodable.iter().map(|x| json!({"field": x.field, "sequences": x.sequences})).collect::<Vec<_>>(),
    })
}

/// `bioport check user.dat`: every user, what could not be read, and what the clock
/// could not hold if the file were written back.
pub fn check_users_file(path: &Path, args: &ClockArgs, json: bool) -> Outcome {
    let file = match read(path).and_then(|b| Ok(read_users(&b, &args.read_options()?))) {
        Ok(f) => f,
        Err(message) => return fail(&message, json),
    };
    let findings = check_users(&file.users, file.record, file.encoding);
    let reasons: Vec<String> = findings.iter().map(finding_line).collect();
    if json {
        let users: Vec<_> = file
            .users
            .iter()
            .map(|u| user_json(u, args.show_passwords))
            .collect();
        let doc = json!({
            "file": path.display().to_string(), "record_size": file.record, "why": file.why,
            "encoding": file.encoding.name(), "users": users, "empty_slots": file.empty_slots,
            "problems": file.problems, "does_not_fit": reasons,
        });
        if let Err(outcome) = print_json(&doc) {
            return outcome;
        }
    } else {
        print_users(path, &file, args.show_passwords);
        print_listed("  does not fit: ", &reasons, reasons.len() as u64);
    }
    let undecodable = file.users.iter().any(|u| !u.undecodable.is_empty());
    match file.problems.is_empty() && reasons.is_empty() && !undecodable {
        true => Outcome::Clean,
        false => Outcome::Problems,
    }
}

/// The users of a user.dat as text, one a line.
fn print_users(path: &Path, file: &UserFile, show_passwords: bool) {
    println!(
        "{}: {} users, {} empty slots",
        path.display(),
        file.users.len(),
        file.empty_slots
    );
    println!("  records: {}", file.why);
    println!("  encoding: {}", file.encoding.name());
    for u in &file.users {
        let password = match (show_passwords, u.password.is_empty()) {
            (_, true) => "no password".to_string(),
            (true, false) => format!("password {}", String::from_utf8_lossy(u.password.reveal())),
            (false, false) => "password set".to_string(),
        };
        let disabled = if u.disabled { ", disabled" } else { "" };
        println!(
            "  uid {:<5} {:<12} {:<24} {}{disabled}, {password}, card {}, group {}, time zones {:?}",
            u.uid, u.user_id, u.name, u.privilege.label(), u.card, u.group, u.time_zones
        );
        for x in &u.undecodable {
            println!(
                "      {}: {} byte sequences do not decode in {}",
                x.field,
                x.sequences,
                file.encoding.name()
            );
        }
    }
    print_listed("  problem: ", &file.problems, file.problems.len() as u64);
}

/// `bioport check 1_attlog.dat`: punches, damage by line and byte, exact duplicates.
pub fn check_attlog_file(path: &Path, json: bool) -> Outcome {
    let log = match read_log(path) {
        Ok(log) => log,
        Err(message) => return fail(&message, json),
    };
    let damage: Vec<String> = log.damaged.iter().map(|d| d.message()).collect();
    if json {
        let doc = json!({
            "file": path.display().to_string(), "lines": log.lines, "punches": log.punches.len(),
            "damaged_lines": log.damaged_count, "damage": damage, "duplicates": log.duplicates.len(),
            "nul_bytes": log.nul_bytes, "missing_final_newline": log.missing_final_newline,
        });
        if let Err(outcome) = print_json(&doc) {
            return outcome;
        }
    } else {
        print_attlog(path, &log);
        print_listed("  damaged: ", &damage, log.damaged_count);
    }
    match log.damaged_count == 0 && log.duplicates.is_empty() {
        true => Outcome::Clean,
        false => Outcome::Problems,
    }
}

/// An attendance log's counts and its first punches, as text.
fn print_attlog(path: &Path, log: &Attlog) {
    println!(
        "{}: {} lines, {} punches, {} damaged lines, {} exact duplicate punches, {} NUL bytes",
        path.display(),
        log.lines,
        log.punches.len(),
        log.damaged_count,
        log.duplicates.len(),
        log.nul_bytes
    );
    for p in log.punches.iter().take(10) {
        println!(
            "  {:<12} {}  {}, {}",
            log.id_text(p),
            p.time_text(),
            status_label(p.status),
            verify_label(p.verify)
        );
    }
    if log.punches.len() > 10 {
        println!("  ... and {} more punches", log.punches.len() - 10);
    }
}

/// Prints the outcome of one written output, or why it was not written.
fn report<T>(
    output: &Path,
    written: Result<T, (Outcome, String)>,
    what: impl FnOnce(T) -> String,
) -> Outcome {
    match written {
        Ok(t) => {
            println!("wrote {}: {}", output.display(), what(t));
            Outcome::Clean
        }
        Err((outcome, message)) => fail(&message, false).max(outcome),
    }
}

/// `convert user.dat --to biostar-csv`: user ID, name and card for BioStar, and a report
/// of what does not carry.
pub fn user_dat_to_csv(input: &Path, output: &Path, args: &ClockArgs) -> Outcome {
    let file = match read(input).and_then(|b| Ok(read_users(&b, &args.read_options()?))) {
        Ok(f) => f,
        Err(message) => return fail(&message, false),
    };
    let opts = ToCsvOptions {
        carry_pins: true,
        write: WriteOptions::default(),
    };
    let written = write_file(output, |out| {
        users_to_csv(&file.users, &opts, out).map(|(_, n)| n)
    });
    let mut carried = Vec::new();
    let outcome = report(output, written, |notes| {
        carried = notes
            .iter()
            .map(|n| format!("uid {} ({}): {}", n.uid, n.user_id, n.notes.join("; ")))
            .collect();
        format!("{} users", file.users.len())
    });
    print_listed("  does not carry: ", &carried, carried.len() as u64);
    outcome.max(if carried.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Problems
    })
}

/// `convert users.csv --to user-dat`: users for the clock, keeping the uids of `--users`;
/// nothing is written while a user does not fit.
pub fn csv_to_user_dat(
    book: &bioport::workbench::Workbook,
    output: &Path,
    args: &ClockArgs,
) -> Outcome {
    let (existing, encoding) = match args.beside_users().and_then(|u| Ok((u, args.encoding()?))) {
        Ok(x) => x,
        Err(message) => return fail(&message, false),
    };
    let record = args
        .record_size
        .as_deref()
        .and_then(|s| s.parse().ok())
        .unwrap_or(72);
    let made = users_from_workbook(book, &existing, record, encoding);
    let notes: Vec<String> = made
        .notes
        .iter()
        .map(|n| format!("line {} ({}): {}", n.line, n.user_id, n.reasons.join("; ")))
        .collect();
    if !notes.is_empty() {
        print_listed("  does not fit: ", &notes, notes.len() as u64);
        return fail("nothing was written: fix the users above (or choose 72-byte records) and convert again", false);
    }
    let bytes = match write_users(&made.users, record, encoding) {
        Ok(b) => b,
        Err(findings) => {
            let reasons: Vec<String> = findings.iter().map(finding_line).collect();
            print_listed("  does not fit: ", &reasons, reasons.len() as u64);
            return fail(
                "nothing was written: the clock cannot hold the users above",
                false,
            );
        }
    };
    let written = write_file(output, |out| std::io::Write::write_all(out, &bytes));
    report(output, written, |()| {
        format!(
            "{} users ({} added, {} updated), {record}-byte records, {} bytes",
            made.users.len(),
            made.added,
            made.updated,
            bytes.len()
        )
    })
}

/// `convert 1_attlog.dat --to attlog`: the repaired log, damaged lines and duplicates
/// removed unless kept, every kept line byte for byte.
pub fn repair(input: &Path, output: &Path, args: &ClockArgs) -> Outcome {
    let (log, again) = match read_log(input).and_then(|log| Ok((log, open(input)?))) {
        Ok(x) => x,
        Err(message) => return fail(&message, false),
    };
    let opts = RepairOptions {
        remove_damaged: !args.keep_damaged,
        remove_duplicates: !args.keep_duplicates,
    };
    let written = write_file(output, |out| repair_attlog(&again, &log, opts, out));
    report(output, written, |r| {
        format!(
            "{} lines kept, {} damaged and {} duplicate lines removed",
            r.kept, r.removed_damaged, r.removed_duplicates
        )
    })
}

/// `convert 1_attlog.dat --to punches-csv`: one row a punch, names joined from `--users`.
pub fn punches(input: &Path, output: &Path, args: &ClockArgs) -> Outcome {
    let (log, users) = match read_log(input).and_then(|log| Ok((log, args.beside_users()?))) {
        Ok(x) => x,
        Err(message) => return fail(&message, false),
    };
    let written = write_file(output, |out| {
        punches_to_csv(&log, &users, &WriteOptions::default(), out).map(|_| ())
    });
    report(output, written, |()| {
        format!(
            "{} punches ({} duplicates left out, {} damaged lines not punches)",
            log.punches.len() - log.duplicates.len(),
            log.duplicates.len(),
            log.damaged_count
        )
    })
}
