//! BioStar data files on the command line: `inspect --entries` lists an archive, `check
//! --device` checks it against the target device, `rename` gives it the device's name
//! (rewriting entry paths on request), `diff` compares two. The entries are containers
//! for encrypted, undocumented data: bioport never claims to decode them.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use bioport::archive::compare::compare;
use bioport::archive::device::{check_device, ArchiveFacts, Severity};
use bioport::archive::repackage::{plan, repackage};
use bioport::archive::{data_file_name, export_time, Direction};
use bioport::formats::data_file::{list, Finding, ListOptions, ListedEntry, WalkOptions};
use serde_json::json;

use crate::files::{refuse_overwriting, write_file};
use crate::outcome::{fail, print_json, print_listed, Outcome};

/// Opens a file for streaming in slices.
fn open(path: &Path) -> Result<(BufReader<File>, u64), String> {
    let file = File::open(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok((BufReader::with_capacity(1 << 20, file), size))
}

/// The file's own name.
fn name_of(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn messages(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| f.message.clone()).collect()
}

/// One entry as JSON, its hash as `sha256sum` prints it.
fn entry_json(e: &ListedEntry) -> serde_json::Value {
    let h = &e.header;
    json!({
        "path": h.path, "type": format!("{:?}", h.kind), "size": h.size,
        "mode": format!("{:o}", h.mode), "mtime": h.mtime, "link": h.link,
        "content": format!("{:?}", e.content), "sha256": e.sha256,
    })
}

/// `inspect FILE.tgz --entries [--sha256]`: every entry, its totals and what was found.
pub fn list_entries(path: &Path, hash: bool, json: bool) -> Outcome {
    let (reader, _) = match open(path) {
        Ok(r) => r,
        Err(message) => return fail(&message, json),
    };
    let mut entries = Vec::new();
    let options = ListOptions {
        hash,
        walk: WalkOptions::default(),
    };
    let listing = list(reader, options, &mut |e| {
        if json {
            entries.push(entry_json(e));
        } else {
            let sum = e.sha256.as_deref().unwrap_or("-");
            let h = &e.header;
            println!(
                "{sum}  {:>12}  {:o}  {:?}  {:?}  {}",
                h.size, h.mode, h.kind, e.content, h.path
            );
        }
    });
    let t = &listing.totals;
    if json {
        let doc = json!({
            "file": path.display().to_string(), "entries": entries,
            "totals": {"entries": t.entries, "files": t.files, "dirs": t.dirs, "links": t.links,
                       "others": t.others, "bytes": t.bytes, "photos": t.photos, "text": t.text},
            "findings": messages(&listing.findings), "complete": !listing.stopped,
        });
        if let Err(outcome) = print_json(&doc) {
            return outcome;
        }
    } else {
        println!(
            "{}: {} entries ({} files, {} folders, {} links, {} other), {} bytes in entries, {} photos",
            path.display(), t.entries, t.files, t.dirs, t.links, t.others, t.bytes, t.photos
        );
        let found = messages(&listing.findings);
        print_listed("  problem: ", &found, found.len() as u64);
    }
    match listing.is_clean() {
        true => Outcome::Clean,
        false => Outcome::Problems,
    }
}

/// `check FILE.tgz --device MODEL --firmware X.Y.Z`: the device table, the name, sizes a
/// USB stick takes, and the archive verified on the way.
pub fn check_data_file(path: &Path, device: &str, firmware: &str, json: bool) -> Outcome {
    let (reader, size) = match open(path) {
        Ok(r) => r,
        Err(message) => return fail(&message, json),
    };
    let listing = list(reader, ListOptions::default(), &mut |_| {});
    let facts = ArchiveFacts::from_listing(size, &listing);
    let name = name_of(path);
    let notes = check_device(device, firmware, &name, &facts);
    let exported = export_time(&name).map_or_else(|e| e, |t| format!("exported {t}"));
    let worst = notes.iter().map(|n| n.severity).min();
    if json {
        let notes: Vec<_> = notes
            .iter()
            .map(|n| json!({"severity": format!("{:?}", n.severity).to_lowercase(), "message": n.message}))
            .collect();
        let doc = json!({
            "file": path.display().to_string(), "export_time": exported, "device": device,
            "firmware": firmware, "notes": notes, "findings": messages(&listing.findings),
        });
        if let Err(outcome) = print_json(&doc) {
            return outcome;
        }
    } else {
        println!(
            "{}: {exported}; {} entries",
            path.display(),
            listing.totals.entries
        );
        for n in &notes {
            println!(
                "  {:<8} {}",
                format!("{:?}", n.severity).to_lowercase(),
                n.message
            );
        }
        print_listed(
            "  problem: ",
            &messages(&listing.findings),
            listing.findings.len() as u64,
        );
    }
    match (worst, listing.is_clean()) {
        (Some(Severity::Problem), _) | (_, false) => Outcome::Problems,
        _ => Outcome::Clean,
    }
}

/// `rename FILE.tgz [-o DIR] [--rewrite-paths] [--to-server]`: the file under the name
/// devices read (or back); its bytes unchanged, unless entry paths carry the old name and
/// rewriting them is asked for (then every entry's bytes, mode and time are kept).
pub fn rename(path: &Path, dir: Option<&Path>, rewrite: bool, to_server: bool) -> Outcome {
    let direction = if to_server {
        Direction::ToServer
    } else {
        Direction::ToDevice
    };
    let name = name_of(path);
    let Some(new_name) = data_file_name(&name, direction) else {
        return fail(&format!("{name} is not named BioStarX_YYYYMMDD_HHMMSS.tgz or BioStar2_...: bioport renames only a BioStar data file"), false);
    };
    let folder = dir.map_or_else(
        || path.parent().unwrap_or(Path::new(".")).to_path_buf(),
        Path::to_path_buf,
    );
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
    let planned = match open(path) {
        Ok((reader, _)) => plan(reader, direction, WalkOptions::default()),
        Err(message) => return fail(&message, false),
    };
    let changes: Vec<String> = planned
        .renames
        .iter()
        .map(|r| format!("{} -> {}", r.from, r.to))
        .collect();
    if changes.is_empty() || !rewrite {
        if !changes.is_empty() {
            println!(
                "{} entry paths carry the old name; --rewrite-paths writes them with the new one:",
                changes.len()
            );
            print_listed("  would rename: ", &changes, changes.len() as u64);
        }
        let copied = write_file(&output, |out| std::io::copy(&mut File::open(path)?, out));
        return written(&output, copied.map(|n| format!("{n} bytes, unchanged")));
    }
    print_listed("  renames: ", &changes, changes.len() as u64);
    let repacked = match open(path) {
        Ok((reader, _)) => write_file(&output, |out| {
            repackage(reader, out, direction, WalkOptions::default())
                .map(|(_, o)| o)
                .map_err(std::io::Error::other)
        }),
        Err(message) => return fail(&message, false),
    };
    written(
        &output,
        repacked.map(|o| {
            format!(
                "{} entries, {} names changed, every entry's bytes, mode and time kept",
                o.entries, o.renamed
            )
        }),
    )
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
    let (a, b) = match open(first).and_then(|a| Ok((a.0, open(second)?.0))) {
        Ok(x) => x,
        Err(message) => return fail(&message, json),
    };
    let c = compare(a, b, WalkOptions::default());
    let side = |s: &bioport::archive::compare::Side| json!({"path": s.path, "size": s.size});
    if json {
        let doc = json!({
            "added": c.added.iter().map(side).collect::<Vec<_>>(),
            "removed": c.removed.iter().map(side).collect::<Vec<_>>(),
            "changed": c.changed.iter().map(|(x, y)| json!({"path": x.path, "size_before": x.size, "size_after": y.size})).collect::<Vec<_>>(),
            "same": c.same,
            "findings_first": messages(&c.findings_first), "findings_second": messages(&c.findings_second),
        });
        if let Err(outcome) = print_json(&doc) {
            return outcome;
        }
    } else {
        for s in &c.added {
            println!("added    {:>12}  {}", s.size, s.path);
        }
        for s in &c.removed {
            println!("removed  {:>12}  {}", s.size, s.path);
        }
        for (x, y) in &c.changed {
            println!("changed  {:>12} -> {}  {}", x.size, y.size, x.path);
        }
        println!(
            "{} added, {} removed, {} changed, {} the same",
            c.added.len(),
            c.removed.len(),
            c.changed.len(),
            c.same
        );
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
    match c.identical() {
        true => Outcome::Clean,
        false => Outcome::Problems,
    }
}
