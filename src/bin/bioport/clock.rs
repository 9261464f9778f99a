//! The time clock's files on the command line: `check` of a `user.dat` or an attendance
//! log, and `convert` between them and BioStar (the same core as the page).

use std::io::Read;
use std::path::Path;

use bioport::clock::{
    punches_to_csv, time_zones_text, ClockSet, LinksView, TemplateFileView, UserNote,
};
use bioport::formats::biostar_csv::WriteOptions;
use bioport::formats::zk_attlog::{
    read_attlog_sized, repair_attlog, status_label, verify_label, Attlog, RepairOptions, BOM_NOTE,
};
use bioport::formats::zk_templates::{read_templates, TemplateKind, TemplateList};
use bioport::formats::zk_user_dat::{
    check_users, clock_encoding_for, read_users_head, UserFile, UserFinding, UserReadOptions,
    UserRecord, MAX_READ,
};
use bioport::recognize::{user_dat_kind, Confidence, FileKind, Recognition};
use bioport::text::grouped;
use bioport::text::plural;
use clap::Args;
use encoding_rs::Encoding;
use serde_json::json;

use crate::files::write_file;
use crate::outcome::{fail, print_json, print_listed, refuse, Outcome};

/// How to read a clock's files: what `check` and `convert` both take.
#[derive(Args)]
pub struct ClockReadArgs {
    /// The clock's text encoding (utf-8, gbk, big5, cp949 or euc-kr, shift_jis,
    /// windows-1252, ...; utf-8 when not given): user.dat is read in it, and `convert`
    /// writes it in it.
    #[arg(long, value_name = "LABEL")]
    pub clock_encoding: Option<String>,
    /// Read user.dat (the input or --users) with this record size, instead of the one
    /// judged from the file.
    #[arg(long, value_name = "72|28", value_parser = ["72", "28"])]
    pub record_size: Option<String>,
    /// A user.dat beside the file: the users a template file's uids belong to, names
    /// for punches, uids to keep for new users.
    #[arg(long, value_name = "USER.DAT")]
    pub users: Option<std::path::PathBuf>,
    /// Template files beside the file (template.dat, template.fp10.1, ssrface.dat): new
    /// users never take the uid of a template that has no user.
    #[arg(long, value_name = "FILE")]
    pub templates: Vec<std::path::PathBuf>,
}

/// The clock options `check` takes: how to read the files, and whether to show passwords.
#[derive(Args)]
pub struct ClockCheckArgs {
    /// How to read the files.
    #[command(flatten)]
    pub read: ClockReadArgs,
    /// Show users' passwords (hidden unless asked).
    #[arg(long)]
    pub show_passwords: bool,
}

/// How to read and write a clock's files: what `convert` takes.
#[derive(Args)]
pub struct ClockConvertArgs {
    /// How to read the files.
    #[command(flatten)]
    pub read: ClockReadArgs,
    /// Write user.dat with this record size (default: that of the user.dat read, else 72).
    #[arg(long, value_name = "72|28", value_parser = ["72", "28"])]
    pub write_records: Option<String>,
    /// Converting users to BioStar: carry passwords that are valid BioStar PINs.
    #[arg(long)]
    pub carry_pins: bool,
    /// Converting users to BioStar: write users disabled on the clock too (a BioStar user
    /// CSV cannot disable a user: they arrive enabled); left out unless asked.
    #[arg(long)]
    pub include_disabled: bool,
    /// Repairing an attendance log: keep the damaged lines (and blank ones).
    #[arg(long)]
    pub keep_damaged: bool,
    /// Repairing an attendance log or exporting its punches: leave exact duplicates out.
    #[arg(long)]
    pub remove_duplicates: bool,
}

impl ClockReadArgs {
    /// The encoding asked for, UTF-8 when none is.
    fn encoding(&self) -> Result<&'static Encoding, String> {
        let label = self.clock_encoding.as_deref().unwrap_or("utf-8");
        clock_encoding_for(label).ok_or_else(|| {
            format!(
                "unknown encoding \"{label}\"; use utf-8, gbk, big5, cp949 (euc-kr), shift_jis, windows-1252 or another WHATWG label"
            )
        })
    }

    /// The record size asked for reading, if any.
    fn read_record(&self) -> Option<u64> {
        self.record_size.as_deref().and_then(|s| s.parse().ok())
    }

    /// How to read a user.dat.
    fn read_options(&self) -> Result<UserReadOptions, String> {
        Ok(UserReadOptions {
            record: self.read_record(),
            encoding: self.encoding()?,
        })
    }

    /// A set holding the user.dat at `path` (if any) read as asked, and the template
    /// files of `--templates`: what the page holds when those files are opened.
    fn set_with(&self, path: Option<&Path>) -> Result<ClockSet, String> {
        let encoding = self.encoding()?;
        let mut set = ClockSet::new();
        set.choose_encoding(encoding);
        if let Some(path) = path {
            let (head, len) = read_head(path, MAX_READ)?;
            set.add_head(&file_name(path), FileKind::ZkUserDat72, head, len);
            set.reread_users(self.read_record(), encoding);
            if let Some(why) = set.users_unreadable() {
                return Err(format!("{}: {why}", path.display()));
            }
        }
        for path in &self.templates {
            set.add_template_list(&file_name(path), read_template_file(path)?);
        }
        Ok(set)
    }
}

impl ClockConvertArgs {
    /// The record size to write: asked for, else that of the set's user.dat, else the
    /// one `--record-size` gives, else 72.
    fn write_record(&self, set: &ClockSet) -> u64 {
        let read = set.view().users.map(|u| u.record);
        let asked = self.write_records.as_deref().and_then(|s| s.parse().ok());
        asked.or(read).or(self.read.read_record()).unwrap_or(72)
    }
}

/// What a file is read as: a file recognised as nothing bioport reads is read as a
/// user.dat when `--record-size` is given (the user said what it is).
pub fn forced(recognition: Recognition, args: &ClockReadArgs) -> Recognition {
    match args.read_record() {
        Some(record) if recognition.kind == FileKind::Unknown => Recognition {
            kind: user_dat_kind(record),
            confidence: Confidence::Low,
            reason: format!("read as a user.dat of {record}-byte records, as --record-size asks"),
            notes: Vec::new(),
        },
        _ => recognition,
    }
}

/// The template file at `path` (judged from its name and head as the page judges it),
/// listed as it is read.
fn read_template_file(path: &Path) -> Result<TemplateList, String> {
    let (head, len) = read_head(path, bioport::recognize::HEAD_LEN as u64)?;
    let kind = bioport::recognize::recognize(&file_name(path), len, &head).kind;
    let Some(template) = TemplateKind::of(kind) else {
        return Err(format!(
            "{}: --templates takes template.dat, template.fp10.1 or ssrface.dat; this is a {}",
            path.display(),
            kind.label()
        ));
    };
    let cannot = |e: std::io::Error| format!("{}: cannot read: {e}", path.display());
    read_templates(template, len, open(path)?).map_err(cannot)
}

/// The last part of `path`, as the page names a file.
fn file_name(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    name.unwrap_or_else(|| path.display().to_string())
}

/// Notes in one line: "; " between two, only a space after one that ends a sentence.
fn one_line(notes: &[String]) -> String {
    let mut line = String::new();
    for note in notes {
        if !line.is_empty() {
            line.push_str(if line.ends_with('.') { " " } else { "; " });
        }
        line.push_str(note);
    }
    line
}

/// One user the clock cannot hold, in a line: "uid 13 (555): reason; reason".
fn finding_line(f: &UserFinding) -> String {
    let notes: Vec<String> = f.reasons.iter().chain(&f.held).cloned().collect();
    format!("uid {} ({}): {}", f.uid, f.user_id, one_line(&notes))
}

/// One note on a user, in a line: "line 5 of the CSV, uid 13 (555): reason; reason".
fn note_line(n: &UserNote) -> String {
    format!("{}: {}", n.who(), one_line(&n.notes))
}

/// The first `most` bytes of the file at `path`, and its length.
fn read_head(path: &Path, most: u64) -> Result<(Vec<u8>, u64), String> {
    let cannot = |e: std::io::Error| format!("{}: cannot read: {e}", path.display());
    let file = open(path)?;
    let len = file.metadata().map_err(cannot)?.len();
    let mut head = Vec::with_capacity(len.min(most) as usize);
    file.take(most).read_to_end(&mut head).map_err(cannot)?;
    Ok((head, len))
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
pub fn check_users_file(path: &Path, args: &ClockCheckArgs, json: bool) -> Outcome {
    let read =
        |(head, len): (Vec<u8>, u64)| Ok(read_users_head(&head, len, &args.read.read_options()?));
    let file = match read_head(path, MAX_READ).and_then(read) {
        Ok(UserFile {
            not_user_records: Some(why),
            ..
        }) => return fail(&format!("{}: {why}", path.display()), json),
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
        "{}: {}, {}",
        path.display(),
        plural(file.users.len() as u64, "user", "users"),
        plural(file.empty_slots, "empty slot", "empty slots")
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
        let card = match u.card {
            0 => "no card".to_string(),
            card => format!("card {card}"),
        };
        println!(
            "  uid {:<5} {:<12} {:<24} {}{disabled}, {password}, {card}, group {}, time zones {}",
            u.uid,
            u.user_id,
            u.name,
            u.privilege.label(),
            u.group,
            time_zones_text(u)
        );
        for x in &u.undecodable {
            println!(
                "      {}: {} did not decode in {}",
                x.field,
                plural(x.sequences as u64, "byte sequence", "byte sequences"),
                file.encoding.name()
            );
        }
    }
    print_listed("  problem: ", &file.problems, file.problems.len() as u64);
}

/// The attendance log at `path` in a set with the user.dat of `--users` (if any): the
/// set the page holds when both are opened.
fn log_set(path: &Path, args: &ClockReadArgs) -> Result<ClockSet, String> {
    let log = read_log(path)?;
    let mut set = args.set_with(args.users.as_deref())?;
    set.add_log(&file_name(path), log);
    Ok(set)
}

/// `bioport check 1_attlog.dat`: punches, damage by line and byte, exact duplicates;
/// with `--users`, the punch user IDs no user has and those users share, as the page says.
pub fn check_attlog_file(path: &Path, args: &ClockReadArgs, json: bool) -> Outcome {
    let set = match log_set(path, args) {
        Ok(set) => set,
        Err(message) => return fail(&message, json),
    };
    let Some(log) = set.log() else {
        return fail(&format!("{}: not read as a log", path.display()), json);
    };
    let links = set.view().links;
    let damage: Vec<String> = log.damaged.iter().map(|d| d.message()).collect();
    if json {
        let doc = json!({
            "file": path.display().to_string(), "lines": log.lines, "punches": log.punches.len(),
            "damaged_lines": log.damaged_count, "damage": damage, "duplicates": log.duplicates.len(),
            "nul_bytes": log.nul_bytes, "missing_final_newline": log.missing_final_newline,
            "ids_not_utf8": log.ids.not_utf8(), "blank_lines": log.blank_lines, "bom": log.bom,
            "links": links.checked.then_some(&links),
        });
        if let Err(outcome) = print_json(&doc) {
            return outcome;
        }
    } else {
        print_attlog(path, log);
        print_listed("  damaged: ", &damage, log.damaged_count);
        print_repair_hint(path, log);
        print_punch_links(&links);
    }
    let unlinked = links.punch_ids_without_user_count + links.shared_ids.len();
    match log.damaged_count == 0 && log.duplicates.is_empty() && unlinked == 0 {
        true => Outcome::Clean,
        false => Outcome::Problems,
    }
}

/// How to repair a log with damaged lines or exact duplicates, as the page's Repair does:
/// the output keeps the `_attlog.dat` ending the workforce system looks for.
fn print_repair_hint(path: &Path, log: &Attlog) {
    let (damaged, duplicates) = (log.damaged_count > 0, !log.duplicates.is_empty());
    if !damaged && !duplicates {
        return;
    }
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let flag = if duplicates {
        " --remove-duplicates"
    } else {
        ""
    };
    let what = match (damaged, duplicates) {
        (true, true) => "the damaged lines and the exact duplicates",
        (true, false) => "the damaged lines",
        _ => "the exact duplicates",
    };
    println!(
        "  to repair: bioport convert {} --to attlog{flag} -o repaired_{name} writes the log without {what}.",
        path.display()
    );
}

/// What does not link between the log's punches and the user.dat, in the page's words:
/// "punch user IDs with no user in user.dat: 1: 999", and the IDs users share.
fn print_punch_links(links: &LinksView) {
    if !links.checked {
        return;
    }
    print_listed(
        "  no name: ",
        &links.shared_ids,
        links.shared_ids.len() as u64,
    );
    let count = links.punch_ids_without_user_count;
    let listed = links.punch_ids_without_user.join(", ");
    let more = match count - links.punch_ids_without_user.len() {
        0 => String::new(),
        n => format!(" and {} more", grouped(n as u64)),
    };
    match count {
        0 => println!("  punch user IDs with no user in user.dat: 0"),
        n => println!(
            "  punch user IDs with no user in user.dat: {}: {listed}{more} (their punches get no name)",
            grouped(n as u64)
        ),
    }
}

/// `bioport check template.dat` (or `template.fp10.1`, `ssrface.dat`): records per uid
/// with their index, valid flag and size, what is wrong with their sizes, and with
/// `--users` the links the page shows: template uids without a user, users without one.
pub fn check_templates_file(path: &Path, args: &ClockReadArgs, json: bool) -> Outcome {
    let loaded = args.set_with(args.users.as_deref()).and_then(|mut set| {
        set.add_template_list(&file_name(path), read_template_file(path)?);
        Ok(set)
    });
    let view = match loaded {
        Ok(set) => set.view(),
        Err(message) => return fail(&message, json),
    };
    let Some(list) = view.templates.iter().find(|t| t.name == file_name(path)) else {
        return fail(
            &format!("{}: not read as a template file", path.display()),
            json,
        );
    };
    let links = &view.links;
    if json {
        let doc = json!({ "file": path.display().to_string(), "templates": list, "links": links });
        if let Err(outcome) = print_json(&doc) {
            return outcome;
        }
    } else {
        print_templates(path, list, view.users.is_some());
        print_links(links);
    }
    let unlinked = links.templates_without_user_count + links.users_without_templates_count;
    match list.problem_count == 0 && unlinked == 0 {
        true => Outcome::Clean,
        false => Outcome::Problems,
    }
}

/// A template file's records per uid, as text; the user of each uid when `with_users`
/// (a user.dat was given), else once that the uids were not checked.
fn print_templates(path: &Path, list: &TemplateFileView, with_users: bool) {
    println!(
        "{}: {}, {} ({} valid) of {}",
        path.display(),
        list.kind,
        plural(list.records as u64, "record", "records"),
        grouped(list.valid as u64),
        plural(list.owner_count as u64, "uid", "uids")
    );
    if !with_users {
        println!("  {NO_USER_DAT}");
    }
    for owner in &list.owners {
        let uid = owner.uid;
        let head = match (&owner.user_id, with_users) {
            (Some(id), _) => format!("uid {uid:<5} user {id} {}", owner.name),
            (None, true) => format!("uid {uid:<5} no user in user.dat"),
            (None, false) => format!("uid {uid}"),
        };
        let entries: Vec<String> = (owner.entries.iter())
            .map(|e| {
                let valid = if e.valid { "" } else { ", not valid" };
                format!("{} ({} bytes{valid})", e.index, e.size)
            })
            .collect();
        println!("  {head}: {}", entries.join(", "));
    }
    if list.owner_count > list.owners.len() {
        let more = (list.owner_count - list.owners.len()) as u64;
        println!("  ... and {} more", plural(more, "uid", "uids"));
    }
    print_listed("  problem: ", &list.problems, list.problem_count);
}

/// Said once when templates are listed without a user.dat to check their uids against.
const NO_USER_DAT: &str = "no user.dat given, so the uids are not checked against users; add --users user.dat to check them";

/// What does not link between the user.dat and the templates, as text.
fn print_links(links: &LinksView) {
    if !links.checked {
        return;
    }
    let orphans: Vec<String> = (links.templates_without_user.iter())
        .map(|(uid, records)| {
            format!(
                "uid {uid}: {}",
                plural(*records as u64, "record", "records")
            )
        })
        .collect();
    let without: Vec<String> = (links.users_without_templates.iter())
        .map(|(uid, id)| format!("uid {uid} ({id})"))
        .collect();
    let (orphan_count, without_count) = (
        links.templates_without_user_count as u64,
        links.users_without_templates_count as u64,
    );
    print_listed("  template without a user: ", &orphans, orphan_count);
    print_listed("  user without a template: ", &without, without_count);
}

/// An attendance log's counts and its first punches, as text.
fn print_attlog(path: &Path, log: &Attlog) {
    println!(
        "{}: {}, {}, {}, {}, {}",
        path.display(),
        plural(log.lines, "line", "lines"),
        plural(log.punches.len() as u64, "punch", "punches"),
        plural(log.damaged_count, "damaged line", "damaged lines"),
        plural(
            log.duplicates.len() as u64,
            "exact duplicate punch",
            "exact duplicate punches"
        ),
        plural(log.nul_bytes, "NUL byte", "NUL bytes")
    );
    if log.bom {
        println!("  {BOM_NOTE}");
    }
    if log.blank_lines > 0 {
        println!(
            "  {} (not punches; a repair leaves them out with the damaged lines, or keeps them in place with --keep-damaged)",
            plural(log.blank_lines, "blank line", "blank lines")
        );
    }
    let not_utf8 = log.ids.not_utf8() as u64;
    if not_utf8 > 0 {
        let ids = plural(not_utf8, "user ID is", "user IDs are");
        println!("  {ids} not UTF-8 text: their other bytes show as \u{FFFD}");
    }
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
        let more = (log.punches.len() - 10) as u64;
        println!("  ... and {} more", plural(more, "punch", "punches"));
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

/// Says that nothing was written because of `notes` (one line per user), and fails.
/// The input was read and its problems found: exit 1, as for any problem found.
fn refused(notes: &[UserNote], why: &str) -> Outcome {
    let lines: Vec<String> = notes.iter().map(note_line).collect();
    print_listed("  does not fit: ", &lines, lines.len() as u64);
    refuse(&format!("nothing was written: {why}"))
}

/// `convert user.dat --to biostar-csv`: user ID, name and card (and PINs with
/// `--carry-pins`) for BioStar, users disabled on the clock only with `--include-disabled`, and per user what does not carry or what BioStar's import
/// check finds: the page's conversion.
pub fn user_dat_to_csv(input: &Path, output: &Path, args: &ClockConvertArgs) -> Outcome {
    let set = match args.read.set_with(Some(input)) {
        Ok(set) => set,
        Err(message) => return fail(&message, false),
    };
    let (csv, notes) =
        match set.to_biostar(args.carry_pins, args.include_disabled, "--include-disabled") {
            Ok(made) => made,
            Err(e) => return fail(&format!("the BioStar CSV could not be made: {e}"), false),
        };
    let written = write_file(output, |out| std::io::Write::write_all(out, &csv));
    let left_out = set.left_out(args.include_disabled);
    let outcome = report(output, written, |()| {
        let users = set.users().len() - left_out;
        match left_out {
            0 => plural(users as u64, "user", "users"),
            n => format!(
                "{}; {} (named below): --include-disabled carries {}, enabled",
                plural(users as u64, "user", "users"),
                plural(
                    n as u64,
                    "user disabled on the clock left out",
                    "users disabled on the clock left out"
                ),
                if n == 1 { "it" } else { "them" }
            ),
        }
    });
    let carried: Vec<String> = notes.iter().map(note_line).collect();
    print_listed("  does not carry: ", &carried, carried.len() as u64);
    let carried = match carried.is_empty() {
        true => Outcome::Clean,
        false => Outcome::Problems,
    };
    outcome.max(carried).max(user_file_problems(&set))
}

/// Prints what is wrong with the set's user.dat (records cut off, bytes not read), which
/// none of its users carry: Problems when anything is.
fn user_file_problems(set: &ClockSet) -> Outcome {
    let (problems, count) = set
        .view()
        .users
        .map_or((Vec::new(), 0), |u| (u.problems, u.problem_count));
    print_listed("  problem: ", &problems, count);
    match problems.is_empty() {
        true => Outcome::Clean,
        false => Outcome::Problems,
    }
}

/// `convert user.dat --to user-dat`: the users again, in `--write-records` records (byte
/// for byte when the size is the one read); nothing is written while a user does not fit.
pub fn user_dat_to_user_dat(input: &Path, output: &Path, args: &ClockConvertArgs) -> Outcome {
    match args.read.set_with(Some(input)) {
        Ok(set) => write_user_dat(&set, output, args, |users| {
            plural(users as u64, "user", "users")
        })
        .max(user_file_problems(&set)),
        Err(message) => fail(&message, false),
    }
}

/// Writes the set's users to `output` as a `user.dat` in the records asked for, saying
/// `what` of them; refused, with the users that do not fit, when any does not.
fn write_user_dat(
    set: &ClockSet,
    output: &Path,
    args: &ClockConvertArgs,
    what: impl FnOnce(usize) -> String,
) -> Outcome {
    let record = args.write_record(set);
    let bytes = match set.write_user_dat(record) {
        Ok(bytes) => bytes,
        Err(notes) => return refused(&notes, &cannot_hold_why(set, &notes)),
    };
    let written = write_file(output, |out| std::io::Write::write_all(out, &bytes));
    let outcome = report(output, written, |()| {
        let users = what(set.users().len());
        let size = plural(bytes.len() as u64, "byte", "bytes");
        format!("{users}, {record}-byte records, {size}")
    });
    // Users the user.dat as read already has sharing an ID or card: written, and said.
    let held: Vec<String> = set.check_fit(record).iter().map(note_line).collect();
    print_listed("  held by the clock: ", &held, held.len() as u64);
    match held.is_empty() {
        true => outcome,
        false => outcome.max(Outcome::Problems),
    }
}

/// `convert users.csv --to user-dat`: users for the clock, keeping the uids of `--users`
/// (and never taking a uid of `--templates` that has no user); nothing is written while a
/// user does not fit: the page's "Take the users from the workbench".
pub fn csv_to_user_dat(
    book: &bioport::workbench::Workbook,
    output: &Path,
    args: &ClockConvertArgs,
) -> Outcome {
    let mut set = match args.read.set_with(args.read.users.as_deref()) {
        Ok(set) => set,
        Err(message) => return fail(&message, false),
    };
    let record = args.write_record(&set);
    let notes = set.users_from_csv(book, record);
    if !notes.is_empty() {
        return refused(&notes, &refused_why(record));
    }
    let view = set.view().users;
    let summary = view.as_ref().and_then(|u| u.from_csv.clone());
    let outcome = write_user_dat(&set, output, args, |_| {
        summary
            .unwrap_or_default()
            .trim_end_matches('.')
            .to_string()
    });
    if let Some(kept) = view.and_then(|u| u.kept) {
        println!("  note: {kept}");
    }
    // Names of --users that did not decode would sit beside new ones in another code page.
    outcome.max(user_file_problems(&set))
}

/// Why a set's users cannot be written, and what to do: a user.dat read in a code page
/// its names do not decode in is read again in the clock's.
fn cannot_hold_why(set: &ClockSet, notes: &[UserNote]) -> String {
    // Only when a refusal is for a character that did not decode: another reason (a name
    // too long, a time zone 28 bytes cannot hold) no code page mends.
    let undecodable = (notes.iter().flat_map(|n| &n.notes)).any(|n| n.contains('\u{FFFD}'));
    let others = (notes.iter().flat_map(|n| &n.notes)).any(|n| !n.contains('\u{FFFD}'));
    let code_page = format!(
        "the user.dat was read as {}, and some of its names or user IDs do not decode in it: choose the clock's code page with --clock-encoding (cp949, gbk, big5, shift_jis, windows-1252...) and convert again",
        set.encoding().name()
    );
    match (undecodable, others) {
        (true, false) => code_page,
        (true, true) => format!("the clock cannot hold the users above; {code_page}"),
        (false, _) => "the clock cannot hold the users above".into(),
    }
}

/// What to do when CSV users do not fit `record`-byte records: fix them, or (only when
/// 28-byte records were chosen) write 72-byte ones.
fn refused_why(record: u64) -> String {
    let wider = match record {
        28 => " (or choose 72-byte records with --write-records 72)",
        _ => "",
    };
    format!("fix the users above in the CSV{wider}, or on the clock where a note says so, and convert again")
}

/// `convert 1_attlog.dat --to attlog`: the repaired log, damaged lines and duplicates
/// removed unless kept, every kept line byte for byte.
pub fn repair(input: &Path, output: &Path, args: &ClockConvertArgs) -> Outcome {
    let (log, again) = match read_log(input).and_then(|log| Ok((log, open(input)?))) {
        Ok(x) => x,
        Err(message) => return fail(&message, false),
    };
    let opts = RepairOptions {
        remove_damaged: !args.keep_damaged,
        remove_duplicates: args.remove_duplicates,
    };
    let written = write_file(output, |out| repair_attlog(&again, &log, opts, out));
    report(output, written, |r| {
        let bom = match r.removed_bom {
            true => "; the UTF-8 byte order mark at byte 0 removed",
            false => "",
        };
        format!(
            "{} kept, {} damaged, {} blank and {} removed{bom}",
            plural(r.kept, "line", "lines"),
            grouped(r.removed_damaged),
            grouped(r.removed_blank),
            plural(r.removed_duplicates, "duplicate line", "duplicate lines")
        )
    })
}

/// `convert 1_attlog.dat --to punches-csv`: one row a punch, names joined from `--users`;
/// the punch user IDs that got no name (no user has them, or users share them) are said.
pub fn punches(input: &Path, output: &Path, args: &ClockConvertArgs) -> Outcome {
    let set = match log_set(input, &args.read) {
        Ok(set) => set,
        Err(message) => return fail(&message, false),
    };
    let Some(log) = set.log() else {
        return fail(&format!("{}: not read as a log", input.display()), false);
    };
    let written = write_file(output, |out| {
        let opts = (&WriteOptions::SPREADSHEET, args.remove_duplicates);
        punches_to_csv(log, (set.users(), set.encoding()), opts, out)
            .map(|csv| (csv.undecodable, csv.undecodable_count))
    });
    let (written, ids) = match written {
        Ok(ids) => (Ok(()), ids),
        Err(e) => (Err(e), (Vec::new(), 0)),
    };
    let dups = log.duplicates.len();
    let (rows, what) = match args.remove_duplicates {
        true => (log.punches.len() - dups, "left out"),
        false => (
            log.punches.len(),
            "kept (--remove-duplicates leaves them out)",
        ),
    };
    let outcome = report(output, written, |()| {
        let rows = plural(rows as u64, "punch", "punches");
        let dups = plural(dups as u64, "exact duplicate", "exact duplicates");
        let damaged = plural(log.damaged_count, "damaged line", "damaged lines");
        format!("{rows} ({dups} {what}, {damaged} not punches)")
    });
    // User IDs and names that did not decode reach the CSV as U+FFFD: said, never silently.
    print_listed("  user ID does not decode: ", &ids.0, ids.1);
    let links = set.view().links;
    print_punch_links(&links);
    let unlinked = links.punch_ids_without_user_count + links.shared_ids.len();
    let ids_outcome = if ids.1 > 0 || unlinked > 0 {
        Outcome::Problems
    } else {
        Outcome::Clean
    };
    outcome.max(ids_outcome).max(user_file_problems(&set))
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn notes_in_one_line_take_a_semicolon_unless_one_ends_a_sentence() {
        let notes = ["a.", "b", "c", "d."].map(String::from);
        assert_eq!(one_line(&notes), "a. b; c; d.");
        assert_eq!(one_line(&[]), "");
    }
}
