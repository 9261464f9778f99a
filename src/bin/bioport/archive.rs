//! BioStar data files on the command line: `inspect --entries` lists an archive, `check
//! --device` checks it against the target device, `rename` gives it the device's name
//! (rewriting entry paths on request), `diff` compares two. The entries are containers
//! for encrypted, undocumented data: bioport never claims to decode them.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use bioport::archive::catalogue::{content_id, content_label, kind_id, kind_label, utc_time};
use bioport::archive::compare::{compare, Side};
use bioport::archive::device::{
    check_device, find_model, ArchiveFacts, Oversized, Severity, DEVICE_MODELS,
};
use bioport::archive::repackage::{plan, repackage, Plan};
use bioport::archive::{
    data_file_name, dropped_from_name, export_time, unread_paths_note, Direction,
    IMPOSSIBLE_TIME_ADVICE,
};
use bioport::formats::data_file::{
    list, not_a_data_file, not_a_data_file_reason, Finding, ListOptions, ListedEntry,
};
use bioport::recognize::FileKind;
use bioport::text::plural;
use serde_json::json;

use crate::files::{recognize_file, refuse_overwriting, write_file};
use crate::outcome::{fail, fail_not_read, print_json, print_listed, refuse, Outcome};

/// Opens a file for streaming in slices.
fn open(path: &Path) -> Result<(BufReader<File>, u64), String> {
    let file = File::open(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok((BufReader::with_capacity(1 << 20, file), size))
}

/// Refuses a file that is no data file at all as `inspect` does, at once: "Not a file
/// bioport reads", exit 2. None when it may be one, or cannot be opened (the command
/// says so then).
pub fn refuse_no_data_file(path: &Path, json: bool) -> Option<Outcome> {
    let finding = not_a_data_file(open(path).ok()?.0)?;
    let reason = match recognize_file(path) {
        Ok(r) if r.kind == FileKind::Unknown => r.reason,
        _ => not_a_data_file_reason(&name_of(path), &finding),
    };
    Some(fail_not_read(&reason, json))
}

/// The file's own name.
fn name_of(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Each finding in words, with where it is ("byte 512 of the uncompressed archive: ...").
fn messages(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(Finding::to_string).collect()
}

/// Prints a listing's findings: its notes ([`FindingKind::is_info`]), then its problems.
///
/// [`FindingKind::is_info`]: bioport::formats::data_file::FindingKind::is_info
fn print_findings(findings: &[Finding]) {
    let (notes, found): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().partition(|f| f.kind.is_info());
    notes.iter().for_each(|f| println!("  note: {f}"));
    let found: Vec<String> = found.iter().map(|f| f.to_string()).collect();
    print_listed("  problem: ", &found, found.len() as u64);
}

/// One entry as JSON, its hash as `sha256sum` prints it.
fn entry_json(e: &ListedEntry) -> serde_json::Value {
    let h = &e.header;
    json!({
        "path": h.path, "type": kind_id(h.kind), "type_label": kind_label(h.kind),
        "size": h.size, "mode": format!("{:o}", h.mode), "mtime": h.mtime, "link": h.link,
        "content": content_id(e.content), "content_label": content_label(e.content),
        "sha256": e.sha256,
    })
}

/// `inspect FILE.tgz --entries [--sha256]`: every entry, its totals and what was found.
/// With `--json` the entries are printed as they are read, one JSON document in all, so
/// memory stays flat however many entries there are.
pub fn list_entries(path: &Path, hash: bool, json: bool) -> Outcome {
    if let Some(refused) = refuse_no_data_file(path, json) {
        return refused;
    }
    let (reader, _) = match open(path) {
        Ok(r) => r,
        Err(message) => return fail(&message, json),
    };
    let options = ListOptions { hash };
    let file = json!(path.display().to_string());
    let time = export_time(&name_of(path));
    if json {
        let exported = json!(time.as_ref().map_or_else(|e| e.clone(), |t| t.to_string()));
        print!("{{\"file\": {file}, \"export_time\": {exported}, \"entries\": [");
    } else {
        let exported = time.map_or_else(|e| e, |t| format!("exported {t}"));
        println!("{}: {exported}", path.display());
    }
    let mut first = true;
    let listing = list(reader, options, &mut |e| {
        if json {
            let comma = if std::mem::take(&mut first) { "" } else { "," };
            print!("{comma}\n  {}", entry_json(e));
        } else {
            print_entry(e);
        }
    });
    let t = &listing.totals;
    if json {
        let totals = json!({"entries": t.entries, "files": t.files, "dirs": t.dirs, "links": t.links,
                           "others": t.others, "bytes": t.bytes, "photos": t.photos, "text": t.text});
        let findings = json!(messages(&listing.findings));
        let cut = json!(listing
            .cut_off
            .as_ref()
            .map(|c| json!({"path": c.path, "size": c.size, "read": c.read, "offset": c.offset})));
        println!(
            "\n], \"cut_off\": {cut}, \"totals\": {totals}, \"findings\": {findings}, \"complete\": {}}}",
            !listing.stopped
        );
    } else {
        if let Some(c) = &listing.cut_off {
            println!(
                "-  {:>12}  cut off: {} of its {} bytes read  {}",
                c.size, c.read, c.size, c.path
            );
        }
        let counts = [
            (t.files, "file", "files"),
            (t.dirs, "folder", "folders"),
            (t.links, "link", "links"),
        ]
        .map(|(n, one, many)| plural(n, one, many))
        .join(", ");
        println!(
            "{}: {} ({counts}, {} other), {} in entries, {}",
            path.display(),
            plural(t.entries, "entry", "entries"),
            t.others,
            plural(t.bytes, "byte", "bytes"),
            plural(t.photos, "photo", "photos")
        );
        print_findings(&listing.findings);
    }
    match listing.is_clean() {
        true => Outcome::Clean,
        false => Outcome::Problems,
    }
}

/// One entry as a line of text: its hash as `sha256sum` prints it (or `-`), size, mode,
/// modification time (UTC), type, what it holds, and path.
fn print_entry(e: &ListedEntry) {
    let sum = e.sha256.as_deref().unwrap_or("-");
    let h = &e.header;
    println!(
        "{sum}  {:>12}  {:o}  {}  {}  {}  {}",
        h.size,
        h.mode,
        utc_time(h.mtime),
        kind_label(h.kind),
        content_label(e.content),
        h.path
    );
}

/// `check FILE.tgz --device MODEL --firmware X.Y.Z`: the device table, the name, sizes a
/// USB stick takes, and the archive verified on the way.
pub fn check_data_file(path: &Path, device: &str, firmware: &str, json: bool) -> Outcome {
    let Some(model) = find_model(device) else {
        let known: Vec<&str> = DEVICE_MODELS.iter().map(|m| m.name).collect();
        let why = format!("--device {device:?} is not a model bioport knows: give one of {} (any case; spaces and dashes may be left out)", known.join(", "));
        return fail(&why, json);
    };
    let device = model.name;
    if firmware.trim().is_empty() {
        // The page waits for one to be typed; a command has to be given one.
        let why = "--firmware is empty: give the device's firmware version, like 1.9.0 (its About screen shows it)";
        return fail(why, json);
    }
    let (reader, size) = match open(path) {
        Ok(r) => r,
        Err(message) => return fail(&message, json),
    };
    let mut oversized = Oversized::default();
    let listing = list(reader, ListOptions::default(), &mut |e| {
        oversized.add(&e.header.path, e.header.size)
    });
    let facts = ArchiveFacts::from_listing(size, &listing, oversized);
    let name = name_of(path);
    let notes = check_device(device, firmware, &name, &facts);
    let time = export_time(&name);
    let worst = notes.iter().map(|n| n.severity).min();
    if json {
        let notes: Vec<_> = notes
            .iter()
            .map(|n| json!({"severity": format!("{:?}", n.severity).to_lowercase(), "message": n.message}))
            .collect();
        let doc = json!({
            "file": path.display().to_string(), "export_time": time.as_ref().map_or_else(|e| e.clone(), |t| t.to_string()), "device": device,
            "firmware": firmware, "notes": notes, "findings": messages(&listing.findings),
        });
        if let Err(outcome) = print_json(&doc) {
            return outcome;
        }
    } else {
        let exported = time.map_or_else(|e| e, |t| format!("exported {t}"));
        let entries = plural(listing.totals.entries, "entry", "entries");
        println!("{}: {exported}; {entries}", path.display());
        for n in &notes {
            println!(
                "  {:<8} {}",
                format!("{:?}", n.severity).to_lowercase(),
                n.message
            );
        }
        print_findings(&listing.findings);
    }
    match (worst, listing.is_clean()) {
        (Some(Severity::Problem), _) | (_, false) => Outcome::Problems,
        _ => Outcome::Clean,
    }
}

/// `rename FILE.tgz [-o DIR] [--rewrite-paths] [--to-server]`: the file under the name
/// devices read (or back); its bytes unchanged, unless entry paths carry the old name and
/// rewriting them is asked for (then every entry's bytes, mode and time are kept).
/// `how`: rewrite entry paths, rename to the server's name, rename a damaged file anyway.
pub fn rename(path: &Path, dir: Option<&Path>, how: (bool, bool, bool)) -> Outcome {
    let (rewrite, to_server, anyway) = how;
    let direction = if to_server {
        Direction::ToServer
    } else {
        Direction::ToDevice
    };
    let name = name_of(path);
    let Some(new_name) = data_file_name(&name, direction) else {
        return fail(&format!("{name} is not named BioStarX_YYYYMMDD_HHMMSS.tgz or BioStar2_... (a copy's suffix such as \" (1)\" and .tar.gz are allowed): bioport renames only a BioStar data file; rename it by hand if it is one"), false);
    };
    let folder = dir.map_or_else(
        || path.parent().unwrap_or(Path::new(".")).to_path_buf(),
        Path::to_path_buf,
    );
    if let Err(e) = std::fs::create_dir_all(&folder) {
        return fail(
            &format!("{}: cannot make the folder: {e}", folder.display()),
            false,
        );
    }
    let output: PathBuf = folder.join(&new_name);
    if let Err(message) = refuse_overwriting(&[path], &[("renamed file", output.as_path())]) {
        return fail(&message, false);
    }
    if output.exists() {
        let message = format!(
            "{} already exists; nothing was written. Move it away, or write into another folder with -o.",
            output.display()
        );
        return fail(&message, false);
    }
    if let Some(refused) = refuse_no_data_file(path, false) {
        return refused;
    }
    let planned = match open(path) {
        Ok((reader, _)) => plan(reader, direction),
        Err(message) => return fail(&message, false),
    };
    if planned.cut_short {
        println!(
            "  paths: {}",
            unread_paths_note(planned.entries, planned.renamed)
        );
    }
    let overridden = match refusal(&planned, &name, rewrite, anyway) {
        Ok(overridden) => overridden,
        Err(refused) => return refused,
    };
    if let Some(dropped) = dropped_from_name(&name) {
        println!("  name: {new_name}: {dropped}");
    }
    let changes: Vec<String> = planned
        .renames
        .iter()
        .map(|r| format!("{} -> {}", r.from, r.to))
        .collect();
    if (changes.is_empty() && !planned.repackable()) || !rewrite {
        if !changes.is_empty() && !planned.cut_short {
            say_carried(&planned, &changes);
        }
        // A second name for the same bytes where the file system allows (instant at any
        // size), else a copy.
        let linked = std::fs::hard_link(path, &output).and_then(|()| Ok(output.metadata()?.len()));
        let copied = match linked {
            Ok(n) => Ok(n),
            Err(_) => write_file(&output, |out| std::io::copy(&mut File::open(path)?, out)),
        };
        let outcome = written(&output, copied.map(|n| format!("{n} bytes, unchanged")));
        return overrode(outcome, &overridden);
    }
    print_listed("  renames: ", &changes, planned.renamed);
    let repacked = match open(path) {
        Ok((reader, _)) => write_file(&output, |out| {
            repackage(reader, out, direction)
                .map(|(_, o)| o)
                .map_err(std::io::Error::other)
        }),
        Err(message) => return fail(&message, false),
    };
    let outcome = written(
        &output,
        repacked.map(|o| {
            format!(
                "{} entries, {} names changed, every entry's bytes, mode and time kept",
                o.entries, o.renamed
            )
        }),
    );
    overrode(outcome, &overridden)
}

/// How a rename written over what stood in the way ends: exit 1, saying what `--anyway`
/// overrode; `outcome` as it is when nothing was overridden or nothing written.
fn overrode(outcome: Outcome, overridden: &[&str]) -> Outcome {
    if overridden.is_empty() || outcome != Outcome::Clean {
        return outcome;
    }
    refuse(&format!(
        "written as --anyway asks, though {}.",
        overridden.join("; and ")
    ))
}

/// Says which entry paths carry the old name: what `--rewrite-paths` would write, or, for
/// a damaged file, that they stay as they are.
fn say_carried(planned: &Plan, changes: &[String]) {
    let n = planned.renamed;
    if planned.readable() {
        println!(
            "{n} entry paths carry the old name; --rewrite-paths writes them with the new one (Suprema's instructions rename the file only: rewrite the paths only if a device does not import the renamed file):"
        );
        print_listed("  would rename: ", changes, n);
    } else {
        println!("{n} entry paths read before the damage carry the old name; a damaged archive cannot be rewritten, only renamed as it is, so they keep it:");
        let kept: Vec<String> = planned.renames.iter().map(|r| r.from.clone()).collect();
        print_listed("  keeps: ", &kept, n);
    }
}

/// Whether a rename of the file `name` with these findings goes on: with what `anyway`
/// overrides (findings or a name that stand in the way, each in words), or refused, exit 1,
/// when they stand in the way without it (a file that is no data file was refused
/// before); prints what stands in the way.
fn refusal(
    planned: &Plan,
    name: &str,
    rewrite: bool,
    anyway: bool,
) -> Result<Vec<&'static str>, Outcome> {
    let mut overridden = may_rename(planned, rewrite, anyway).map_err(refuse)?;
    if let Err(why) = export_time(name) {
        println!("  name: {why}");
        if !anyway {
            let advice =
                format!("the name's export time (above) {IMPOSSIBLE_TIME_ADVICE} with --anyway");
            return Err(refuse(&advice));
        }
        overridden.push("the name's export time (above) is not a date and time, so a device may refuse the file");
    }
    Ok(overridden)
}

/// Whether a file with these findings may be renamed (its paths rewritten when
/// `rewrite`), `anyway` given or not: what `anyway` overrides, in words, or why not.
/// Prints the findings that stand in the way.
fn may_rename(
    planned: &Plan,
    rewrite: bool,
    anyway: bool,
) -> Result<Vec<&'static str>, &'static str> {
    let damaged = !planned.readable();
    let risky = planned.has_unsafe_entries();
    let repack = planned.repackable() && !rewrite;
    let plain = planned.not_compressed() && repack;
    if damaged || risky || repack {
        let found = messages(&planned.findings);
        print_listed("  problem: ", &found, found.len() as u64);
    }
    if damaged && rewrite {
        return Err("the data file is damaged (above): bioport does not write a damaged archive again. Copy it again from where it was exported, or rename it as it is (without --rewrite-paths) with --anyway");
    }
    // Each: whether it stands in the way, the refusal without --anyway, what is written with it.
    let in_the_way = [
        (damaged, "the data file is damaged (above), so a device cannot import it; copy it again from where it was exported, or rename it as it is with --anyway", "the data file is damaged (above): it was renamed as it is, its damage kept, so a device will likely refuse it"),
        (risky, "entries of the data file (above) could be written outside the device's folder, which a BioStar export never does: it may not be a genuine export. Export it again, or rename it with --anyway if you trust where it came from", "entries of the data file (above) could be written outside the device's folder, which a BioStar export never does"),
        (plain, "the data file is a tar archive that is not gzip-compressed (above), so a device cannot import it: add --rewrite-paths to write it gzip-compressed under the new name (every entry's bytes, mode and time kept), or rename it as it is with --anyway", "the data file is a tar archive that is not gzip-compressed (above), written as it is, so a device cannot import it"),
        (repack && !plain, "the data file is not packed as BioStar writes it (above: bytes after its compressed data, several gzip members, or data after its end marker), so a device may refuse it: add --rewrite-paths to write it again as one gzip member under the new name (every entry's bytes, mode and time kept), export it again, or rename it as it is with --anyway", "the data file is not packed as BioStar writes it (above), written as it is, so a device may refuse it"),
    ];
    let mut found = in_the_way.into_iter().filter(|(stands, _, _)| *stands);
    match anyway {
        false => found
            .next()
            .map_or(Ok(Vec::new()), |(_, refused, _)| Err(refused)),
        true => Ok(found.map(|(_, _, overridden)| overridden).collect()),
    }
}

/// Prints what was written, or why not.
fn written(output: &Path, result: Result<String, (Outcome, String)>) -> Outcome {
    match result {
        Ok(what) => {
            println!("wrote {}: {what}", output.display());
            Outcome::Clean
        }
        Err((outcome, message)) => fail(&message, false).max(outcome),
    }
}

/// `diff A.tgz B.tgz`: entries added, removed and changed (by SHA-256), with sizes.
pub fn diff(first: &Path, second: &Path, json: bool) -> Outcome {
    for side in [first, second] {
        if let Some(refused) = refuse_no_data_file(side, json) {
            return refused;
        }
    }
    let (a, b) = match open(first).and_then(|a| Ok((a.0, open(second)?.0))) {
        Ok(x) => x,
        Err(message) => return fail(&message, json),
    };
    let c = compare(a, b);
    let side = |s: &Side| json!({"path": s.path, "size": s.size, "sha256": s.sha256});
    if json {
        let doc = json!({
            "added": c.added.iter().map(side).collect::<Vec<_>>(),
            "removed": c.removed.iter().map(side).collect::<Vec<_>>(),
            "changed": c.changed.iter().map(|(x, y)| json!({"path": x.path, "size_before": x.size, "size_after": y.size, "sha256_before": x.sha256, "sha256_after": y.sha256})).collect::<Vec<_>>(),
            "changed_unlisted": c.changed_unlisted,
            "same": c.same, "across_rename": c.across_rename, "rename_note": c.rename_note(),
            "across_export_folders": c.across_export_folders, "export_folders_note": c.export_folders_note(),
            "findings_first": messages(&c.findings_first), "findings_second": messages(&c.findings_second),
            "incomplete": c.incomplete(&first.display().to_string(), &second.display().to_string()),
            "damaged_past_entries": c.damaged_past_entries(&first.display().to_string(), &second.display().to_string()),
            "flaws": c.flaws(&first.display().to_string(), &second.display().to_string()),
        });
        if let Err(outcome) = print_json(&doc) {
            return outcome;
        }
    } else {
        if let Some(note) = c.export_folders_note() {
            println!("{note}");
        }
        for s in &c.added {
            println!("added    {}  {:>12}  {}", s.sha256, s.size, s.path);
        }
        for s in &c.removed {
            println!("removed  {}  {:>12}  {}", s.sha256, s.size, s.path);
        }
        for (x, y) in &c.changed {
            let path = match x.path == y.path {
                true => x.path.clone(),
                false => format!("{} (now {})", x.path, y.path),
            };
            println!(
                "changed  {} -> {}  {:>12} -> {}  {path}",
                x.sha256, y.sha256, x.size, y.size
            );
        }
        if let Some(note) = c.changed_unlisted_note() {
            println!("changed  … {note}");
        }
        println!(
            "{} added, {} removed, {} changed, {} the same",
            c.added.len(),
            c.removed.len(),
            c.changed_count(),
            c.same
        );
        if let Some(note) = c.rename_note() {
            println!("  {note}");
        }
        let names = (first.display().to_string(), second.display().to_string());
        let notes = [
            c.damaged_past_entries(&names.0, &names.1),
            c.flaws(&names.0, &names.1),
        ];
        for note in notes.into_iter().flatten() {
            println!("  {note}");
        }
        print_listed(
            &format!("  {}: ", first.display()),
            &messages(&c.findings_first),
            c.findings_first.len() as u64,
        );
        print_listed(
            &format!("  {}: ", second.display()),
            &messages(&c.findings_second),
            c.findings_second.len() as u64,
        );
    }
    if let Some(why) = c.incomplete(&first.display().to_string(), &second.display().to_string()) {
        eprintln!("bioport: {why}");
        return Outcome::Unusable;
    }
    match c.identical() {
        true => Outcome::Clean,
        false => Outcome::Problems,
    }
}
