//! The worker's time clock set: the files of a clock's USB folder opened together, kept
//! between requests; pages of users and punches and the written files go to the page.

use std::cell::RefCell;
use std::io::Write;

use js_sys::Array;
use wasm_bindgen::JsValue;
use web_sys::{Blob, DedicatedWorkerGlobalScope, File};

use crate::clock::{encoding_named, punches_to_csv, ClockSet, NoteList};
use crate::formats::biostar_csv::WriteOptions;
use crate::formats::zk_attlog::{Attlog, AttlogReader, RangeCut, RepairOptions, RepairReport};
use crate::formats::zk_templates::{TemplateKind, TemplateLister};
use crate::formats::zk_user_dat::MAX_READ;
use crate::protocol::{ClockAnswer, ClockOp, JobId, Response, USER_PAGE};
use crate::recognize::FileKind;

use super::csv_worker::{read_head, stream_file, with_workbook, Chunks};
use super::download::{blob_from_chunks, blob_of_parts, blob_of_ranges};
use super::js_error_text;
use super::post::{end_job, post, post_download, progress_poster};
use super::read_ahead::{for_each_array, for_each_slice};

thread_local! {
    static SET: RefCell<Option<ClockSet>> = const { RefCell::new(None) };
    /// The attendance log's file: the set holds its punches, not its bytes, so a repair
    /// reads it again.
    static LOG_FILE: RefCell<Option<File>> = const { RefCell::new(None) };
    /// The requests that came while a set was opening, run once it is open (as they were
    /// when opening blocked the worker), so none meets a set half made.
    static WAITING: RefCell<Option<Vec<Waiting>>> = const { RefCell::new(None) };
}

/// A request that came while a set was opening.
type Waiting = (JobId, ClockOp, Vec<File>);

/// Streams the attendance log `file` into the set (its bytes are never all held).
async fn open_log(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    file: &File,
    set: &mut ClockSet,
) -> Result<(), String> {
    let name = file.name();
    let progress = progress_poster(scope, job, (0, file), format!("Reading {name}"));
    let log = read_log(file, progress)
        .await
        .map_err(|e| format!("{name}: reading stopped: {e}"))?;
    set.add_log(&name, log);
    LOG_FILE.with(|f| *f.borrow_mut() = Some(file.clone()));
    Ok(())
}

/// Reads the attendance log `file`, read ahead on another thread while its lines are
/// parsed, telling `progress` the bytes read so far.
pub async fn read_log(file: &File, mut progress: impl FnMut(u64)) -> Result<Attlog, String> {
    let mut log = AttlogReader::new(file.size() as u64);
    for_each_slice(file, &mut progress, |slice| {
        log.feed(slice);
        Ok(())
    })
    .await?;
    Ok(log.finish())
}

/// The most byte ranges a repaired log of `size` bytes is made of: one per 100 kB (at
/// least 256). Each costs the browser about a quarter of a millisecond, about what reading
/// 100 kB again costs; past that the log is written reading the file again.
fn most_ranges(size: u64) -> usize {
    usize::try_from(size / 100_000)
        .unwrap_or(usize::MAX)
        .max(256)
}

/// The attendance log `file` (which `log` was read from) repaired, as a `Blob`, and what
/// was kept and left out. Made of the file's own byte ranges between the lines left out:
/// at once, as slices of the file, where few lines are left out ([`most_ranges`]); else
/// the file is read again (ahead on other threads) and each slice's kept parts copied into
/// the `Blob` straight from the browser's bytes, never through wasm memory.
pub async fn repaired_log(
    file: &File,
    log: &Attlog,
    opts: RepairOptions,
) -> Result<(Blob, RepairReport), String> {
    const MIME: &str = "application/octet-stream";
    let js = |e: JsValue| js_error_text(&e);
    if let Some((ranges, report)) = log.kept_ranges(opts, most_ranges(log.size)) {
        return Ok((blob_of_ranges(file, &ranges, MIME).map_err(js)?, report));
    }
    let unplanned = "The log's lines do not match its file; open it again.";
    let (ranges, report) = log.repair_plan(opts).ok_or(unplanned)?;
    let mut cut = RangeCut::new(ranges);
    let blobs = Array::new();
    for_each_array(file, &mut |_| {}, |slice| {
        let kept = Array::new();
        cut.cut(slice.length() as usize, |r| {
            kept.push(&slice.subarray(r.start as u32, r.end as u32));
            Ok::<_, String>(())
        })?;
        // Joined now, so the slice's bytes are let go.
        let joined: Blob = blob_of_parts(&kept, MIME).map_err(js)?;
        blobs.push(&joined);
        Ok(())
    })
    .await?;
    cut.finish()?;
    Ok((blob_of_parts(&blobs, MIME).map_err(js)?, report))
}

fn answer(scope: &DedicatedWorkerGlobalScope, job: JobId, answer: ClockAnswer) {
    post(scope, &Response::Clock { job, answer }, None);
}

fn view(set: &ClockSet) -> ClockAnswer {
    ClockAnswer::View {
        view: Box::new(set.view()),
    }
}

/// Posts `chunks` as a download named `name`.
fn output(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    name: String,
    mime: &str,
    chunks: &Chunks,
) -> Result<(), String> {
    let blob = blob_from_chunks(&chunks.chunks, mime).map_err(|e| super::js_error_text(&e))?;
    post_download(scope, job, name, mime, &blob);
    Ok(())
}

/// Runs one clock operation, then ends the job; `files` are the files sent beside the
/// request. Opening and repairing read a log on disk, so they end when their reading does;
/// what comes while a set opens waits for it.
pub fn handle(scope: &DedicatedWorkerGlobalScope, job: JobId, op: ClockOp, files: &[File]) {
    if kept_for_later(job, &op, files) {
        return;
    }
    let (scope, files) = (scope.clone(), files.to_vec());
    match op {
        ClockOp::Open { kinds } => {
            WAITING.with(|w| *w.borrow_mut() = Some(Vec::new()));
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = open(&scope, job, &kinds, &files).await;
                end_job(&scope, job, outcome);
                let waiting = WAITING.with(|w| w.borrow_mut().take()).unwrap_or_default();
                for (job, op, files) in waiting {
                    handle(&scope, job, op, &files);
                }
            })
        }
        ClockOp::Repair {
            remove_damaged,
            remove_duplicates,
        } => wasm_bindgen_futures::spawn_local(async move {
            let opts = RepairOptions {
                remove_damaged,
                remove_duplicates,
            };
            let outcome = repair(&scope, job, opts).await;
            end_job(&scope, job, outcome);
        }),
        op => {
            if matches!(op, ClockOp::FromWorkbench { .. }) {
                // Users from the workbench's CSV make a set even with no clock files.
                SET.with(|s| {
                    s.borrow_mut().get_or_insert_with(ClockSet::new);
                });
            }
            end_job(&scope, job, with_set(|set| run(&scope, job, op, set)))
        }
    }
}

/// Keeps a request for after the set being opened, if one is; true when kept.
fn kept_for_later(job: JobId, op: &ClockOp, files: &[File]) -> bool {
    WAITING.with(|w| {
        let mut waiting = w.borrow_mut();
        let Some(waiting) = waiting.as_mut() else {
            return false;
        };
        waiting.push((job, op.clone(), files.to_vec()));
        true
    })
}

/// `f` of the open set, or the message that none is open.
fn with_set<T>(f: impl FnOnce(&mut ClockSet) -> Result<T, String>) -> Result<T, String> {
    SET.with(|s| {
        let mut guard = s.borrow_mut();
        let set = guard
            .as_mut()
            .ok_or("No clock files are open; open the clock's files again.")?;
        f(set)
    })
}

/// Opens `files` (of `kinds`) as the set and posts its view.
async fn open(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    kinds: &[FileKind],
    files: &[File],
) -> Result<(), String> {
    SET.with(|s| *s.borrow_mut() = None);
    LOG_FILE.with(|f| *f.borrow_mut() = None);
    let mut set = ClockSet::new();
    for (file, kind) in files.iter().zip(kinds) {
        if *kind == FileKind::ZkAttlog {
            open_log(scope, job, file, &mut set).await?;
            continue;
        }
        if let Some(template) = TemplateKind::of(*kind) {
            // Listed as it is read: only the records' headers are kept.
            let mut lister = TemplateLister::new(template, file.size() as u64);
            stream_file(scope, job, file, "Reading", &mut |c| lister.feed(c))?;
            set.add_template_list(&file.name(), lister.finish());
            continue;
        }
        let most = match kind {
            FileKind::ZkUserDat72 | FileKind::ZkUserDat28 => MAX_READ,
            _ => u64::MAX,
        };
        let bytes = read_head(scope, job, file, "Reading", most)?;
        set.add_head(&file.name(), *kind, bytes, file.size() as u64);
    }
    answer(scope, job, view(&set));
    SET.with(|s| *s.borrow_mut() = Some(set));
    Ok(())
}

/// Refuses `op` when it would convert or write users that are not a clock's (the
/// `user.dat` held is not one as read), with why: the command line refuses them alike.
fn refuse_unreadable(op: &ClockOp, set: &ClockSet) -> Result<(), String> {
    let writes = matches!(
        op,
        ClockOp::ToBiostar { .. }
            | ClockOp::CheckFit { .. }
            | ClockOp::WriteUsers { .. }
            | ClockOp::FromWorkbench { .. }
    );
    match set.users_unreadable() {
        Some(why) if writes => Err(format!("Nothing was converted or written. {why}")),
        _ => Ok(()),
    }
}

fn run(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    op: ClockOp,
    set: &mut ClockSet,
) -> Result<(), String> {
    refuse_unreadable(&op, set)?;
    let reply = match op {
        // Both read a file on disk: [`handle`] runs them.
        ClockOp::Open { .. } | ClockOp::Repair { .. } => return Ok(()),
        ClockOp::Reread { record, encoding } => {
            set.reread_users(record, encoding_named(&encoding));
            view(set)
        }
        ClockOp::Users { start } => ClockAnswer::Users {
            page: set.user_page(start, USER_PAGE),
        },
        ClockOp::Password { index } => ClockAnswer::Password {
            index,
            password: set
                .password(index)
                .ok_or("That user is no longer in the set.")?,
        },
        ClockOp::Punches { query } => ClockAnswer::Punches {
            page: set.punch_page(&query),
        },
        ClockOp::PunchesCsv { remove_duplicates } => {
            return punches_csv(scope, job, set, remove_duplicates)
        }
        ClockOp::ToBiostar {
            carry_pins,
            include_disabled,
        } => return to_biostar(scope, job, set, (carry_pins, include_disabled)),
        ClockOp::CheckFit { record } => ClockAnswer::Fit {
            record,
            findings: NoteList::of(set.check_fit(record)),
            written: false,
        },
        ClockOp::WriteUsers { record } => write_users(scope, job, set, record)?,
        ClockOp::FromWorkbench { record, encoding } => {
            if let Some(label) = encoding {
                set.choose_encoding(encoding_named(&label));
            }
            let findings = with_workbook(|book| set.users_from_csv(book, record))
                .ok_or("No CSV is open in the workbench; open one there first.")?;
            answer(scope, job, view(set));
            ClockAnswer::Fit {
                record,
                findings: NoteList::of(findings),
                written: false,
            }
        }
    };
    answer(scope, job, reply);
    Ok(())
}

/// Writes the repaired log: the file read again, ahead on another thread, its lines
/// written as the log's marks say.
async fn repair(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    opts: RepairOptions,
) -> Result<(), String> {
    let closed = || "No attendance log is open.".to_string();
    let (name, log) = with_set(|set| Ok((set.log_name().map(String::from), set.shared_log())))?;
    let (name, log) = name.zip(log).ok_or_else(closed)?;
    let file = LOG_FILE.with(|f| f.borrow().clone()).ok_or_else(closed)?;
    let (blob, report) = repaired_log(&file, &log, opts).await?;
    post_download(scope, job, name, "application/octet-stream", &blob);
    let counts = report.into();
    answer(scope, job, ClockAnswer::Repaired { counts });
    Ok(())
}

fn punches_csv(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    set: &ClockSet,
    remove_duplicates: bool,
) -> Result<(), String> {
    let log = set.log().ok_or("No attendance log is open.")?;
    let stem = set.log_name().unwrap_or("attlog").trim_end_matches(".dat");
    let name = format!("{stem}_punches.csv");
    let opts = WriteOptions::SPREADSHEET; // for HR's spreadsheet, not for BioStar
    let users = (set.users(), set.encoding());
    let csv = punches_to_csv(log, users, (&opts, remove_duplicates), Chunks::default())
        .map_err(|e| format!("{name} could not be written: {e}"))?;
    let mut chunks = csv.out;
    chunks.flush().map_err(|e| e.to_string())?;
    output(scope, job, name, "text/csv", &chunks)?;
    let written = ClockAnswer::PunchesWritten {
        undecodable: csv.undecodable,
        undecodable_count: csv.undecodable_count,
    };
    answer(scope, job, written);
    Ok(())
}

/// What carries a user disabled on the clock, on the page.
const INCLUDE_DISABLED: &str = "ticking \"Include users disabled on the clock\"";

fn to_biostar(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    set: &ClockSet,
    (carry_pins, include_disabled): (bool, bool),
) -> Result<(), String> {
    let (csv, notes) = set
        .to_biostar(carry_pins, include_disabled, INCLUDE_DISABLED)
        .map_err(|e| format!("The BioStar CSV could not be written: {e}"))?;
    let blob =
        super::download::blob_from_bytes(&csv, "text/csv").map_err(|e| super::js_error_text(&e))?;
    let reply = ClockAnswer::Converted {
        name: "clock_users_biostar.csv".into(),
        size: csv.len() as u64,
        notes: NoteList::of(notes),
        left_out: set.left_out(include_disabled),
    };
    post(scope, &Response::Clock { job, answer: reply }, Some(&blob));
    Ok(())
}

fn write_users(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    set: &ClockSet,
    record: u64,
) -> Result<ClockAnswer, String> {
    match set.write_user_dat(record) {
        Ok(bytes) => {
            let chunks = Chunks {
                len: bytes.len() as u64,
                chunks: vec![bytes],
            };
            output(
                scope,
                job,
                "user.dat".into(),
                "application/octet-stream",
                &chunks,
            )?;
            // What the file already holds (users sharing an ID or card) is said still.
            Ok(ClockAnswer::Fit {
                record,
                findings: NoteList::of(set.check_fit(record)),
                written: true,
            })
        }
        Err(findings) => Ok(ClockAnswer::Fit {
            record,
            findings: NoteList::of(findings),
            written: false,
        }),
    }
}
