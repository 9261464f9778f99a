//! The message protocol between the app and the Web Worker (serde types, no browser types).
//!
//! A message from the app is a JS object `{ request: Request, files: File[] }`: the request
//! is serialised with serde-wasm-bindgen, the files travel beside it as the browser's own
//! `File` objects (structured clone: no copy of their bytes). The worker answers with
//! [`Response`] messages; a download travels as `{ response: Response::Output, blob: Blob }`.
//! To cancel, the app terminates the worker and starts a fresh one.

pub mod archive;
mod clock;

pub use clock::{ClockAnswer, ClockOp, USER_PAGE};

use serde::{Deserialize, Serialize};

mod faces;
pub use faces::{ByNameView, MAX_BY_NAME_MESSAGES};

#[cfg(feature = "bench")]
use crate::bench::{BenchFigure, BenchOp};
use crate::formats::biostar_csv::Delimiter;
use crate::inspect::Summary;
use crate::text::TextEncoding;
use crate::workbench::merge::MergeChoice;
use crate::workbench::validate::SiteSettings;
use crate::workbench::{
    ImportRows, MergeView, RowFilter, RowPage, RowQuery, RowView, WorkbookView, WriteReport,
};
use archive::{ArchiveAnswer, ArchiveOp};

/// Identifies one piece of work, so late answers of a cancelled job can be ignored.
pub type JobId = u32;

/// Bytes the worker reads from a file at a time: Chromium spends several milliseconds on
/// each `FileReaderSync` read whatever its size, so 70 MB in 4 MiB slices took about
/// 150 ms and in 32 MiB slices about 90 ms (one read of the whole file: about 70 ms).
pub const SLICE_LEN: u64 = 32 * 1024 * 1024;

/// User differences the worker sends per page of a merge view.
pub const MERGE_PAGE: usize = 50;

/// What the app asks the worker to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Recognise and summarise every file sent beside this request.
    Inspect {
        /// The job this request starts.
        job: JobId,
    },
    /// Send file `file` back under another name, bytes unchanged (e.g. the device's data file name).
    Rename {
        /// The job this request starts.
        job: JobId,
        /// Index of the file among those sent beside the request.
        file: u32,
        /// The name the download gets.
        name: String,
    },
    /// Work on the CSV workbook the worker holds.
    Csv {
        /// The job this request starts.
        job: JobId,
        /// What to do.
        op: CsvOp,
    },
    /// Work on a data file (the data file screen).
    Archive {
        /// The job this request starts.
        job: JobId,
        /// What to do.
        op: ArchiveOp,
    },
    /// Work on the time clock's file set the worker holds.
    Clock {
        /// The job this request starts.
        job: JobId,
        /// What to do.
        op: ClockOp,
    },
    /// Run `op` over the file sent beside this request `runs` times (read from its `Blob`
    /// in slices, as a user's file is) and report the best time. Bench builds only.
    #[cfg(feature = "bench")]
    Bench {
        /// The job this request starts.
        job: JobId,
        /// What to time.
        op: BenchOp,
        /// How many timed runs (the best one is reported).
        runs: u32,
    },
}

impl Request {
    /// The job this request starts.
    pub fn job(&self) -> JobId {
        match self {
            Request::Inspect { job } | Request::Rename { job, .. } | Request::Csv { job, .. } => {
                *job
            }
            Request::Archive { job, .. } => *job,
            Request::Clock { job, .. } => *job,
            #[cfg(feature = "bench")]
            Request::Bench { job, .. } => *job,
        }
    }
}

/// What the worker tells the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Response {
    /// The worker has loaded and takes requests.
    Ready {
        /// Its read-ahead worker runs (files on disk are read on another thread).
        read_ahead: bool,
    },
    /// Work under way: `done` of `total` bytes of file `file`.
    Progress {
        /// The job this belongs to.
        job: JobId,
        /// Index of the file being read.
        file: u32,
        /// Bytes read so far.
        done: u64,
        /// Bytes in all.
        total: u64,
        /// What is being done, for the progress bar's label.
        stage: String,
    },
    /// The summary of one file of an [`Request::Inspect`].
    Inspected {
        /// The job this belongs to.
        job: JobId,
        /// Index of the file summarised.
        file: u32,
        /// What was found.
        summary: Summary,
    },
    /// A file to download; its bytes travel beside this message as a `Blob`.
    Output {
        /// The job this belongs to.
        job: JobId,
        /// The file name the target system expects.
        name: String,
        /// The download's media type.
        mime: String,
        /// Its size in bytes.
        size: u64,
    },
    /// The answer to a [`Request::Csv`].
    Csv {
        /// The job this belongs to.
        job: JobId,
        /// What the workbook says now.
        answer: CsvAnswer,
    },
    /// The answer to a [`Request::Archive`].
    Archive {
        /// The job this belongs to.
        job: JobId,
        /// What the worker found or did.
        answer: ArchiveAnswer,
    },
    /// The answer to a [`Request::Clock`] (a `Blob` travels beside `Converted`).
    Clock {
        /// The job this belongs to.
        job: JobId,
        /// What the clock set says.
        answer: ClockAnswer,
    },
    /// The figure of a `Request::Bench` (bench builds only).
    #[cfg(feature = "bench")]
    Benched {
        /// The job this belongs to.
        job: JobId,
        /// What was measured.
        figure: BenchFigure,
    },
    /// The job ended normally.
    Finished {
        /// The job that ended.
        job: JobId,
    },
    /// The job could not be done; the message says why and what to do.
    Failed {
        /// The job that failed.
        job: JobId,
        /// What went wrong and what to do.
        message: String,
    },
}

impl Response {
    /// The job this answer belongs to (None for [`Response::Ready`]).
    pub fn job(&self) -> Option<JobId> {
        match self {
            Response::Ready { .. } => None,
            Response::Progress { job, .. }
            | Response::Inspected { job, .. }
            | Response::Output { job, .. }
            | Response::Csv { job, .. }
            | Response::Archive { job, .. }
            | Response::Clock { job, .. }
            | Response::Finished { job }
            | Response::Failed { job, .. } => Some(*job),
            #[cfg(feature = "bench")]
            Response::Benched { job, .. } => Some(*job),
        }
    }
}

/// What a [`Request::Csv`] asks of the workbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum CsvOp {
    /// Open the file sent beside the request (index `file`) as the workbook.
    Open {
        /// Index of the file among those sent.
        file: u32,
        /// Site settings to check against.
        settings: SiteSettings,
        /// Custom user fields the site has.
        custom_fields: Vec<String>,
    },
    /// Read the workbook's file again with another encoding or delimiter (None: keep).
    Reread {
        /// The encoding to decode with.
        encoding: Option<TextEncoding>,
        /// The delimiter.
        delimiter: Option<Delimiter>,
    },
    /// Use sheet row `row` (0-based) as the header.
    HeaderRow {
        /// The header's sheet row.
        row: usize,
    },
    /// Map `column` to the field with id `field` (None: ignore the column).
    Remap {
        /// The column's index.
        column: usize,
        /// A field id from the view's `field_choices`.
        field: Option<String>,
    },
    /// Declare a custom user field the site has.
    AddCustomField {
        /// Its name, as the site spells it.
        name: String,
    },
    /// Check against other site settings.
    Settings {
        /// The new settings.
        settings: SiteSettings,
    },
    /// A page of rows for the table.
    Rows {
        /// Which rows.
        query: RowQuery,
    },
    /// Change one cell and check its row again at once.
    Edit {
        /// Sheet row.
        row: usize,
        /// Column.
        col: usize,
        /// The new text.
        value: String,
    },
    /// Load the server's current export (file sent beside the request) to merge with.
    LoadExisting {
        /// Index of the file among those sent.
        file: u32,
    },
    /// Forget the loaded export.
    ClearExisting,
    /// Keep or overwrite users the server already holds, by default.
    MergeDefault {
        /// The default choice.
        choice: MergeChoice,
    },
    /// Keep or overwrite one user (None: back to the default).
    MergeOverride {
        /// The user's ID.
        user_id: String,
        /// The choice for this user.
        choice: Option<MergeChoice>,
    },
    /// A page of the merge's per-user differences.
    MergePage {
        /// First difference.
        start: usize,
        /// How many.
        count: usize,
    },
    /// Write the import file (valid rows, or all).
    WriteImport {
        /// Which rows.
        rows: ImportRows,
    },
    /// Write the error file (rows with errors and an `Error_Description` column).
    WriteErrors,
    /// Write the chosen rows (sheet row indices) with the import file's columns.
    WriteRows {
        /// The rows.
        rows: Vec<usize>,
        /// The table's filter when they were chosen: rows it hides are said.
        filter: RowFilter,
    },
    /// Write every row a filter of the table keeps, with the import file's columns.
    WriteShown {
        /// The table's filter.
        filter: RowFilter,
    },
    /// Use the files sent beside this request and the [`CsvOp::MoreFaces`] that follow as
    /// the face image folder (headers read; with `compare_bytes`, files of a shared size
    /// read whole to find identical ones).
    AddFaces {
        /// Also look for images with identical bytes.
        compare_bytes: bool,
        /// How many files the folder has: those sent beside this request and after it.
        files: u32,
        /// The files picked in its sub-folders (`sub/8.jpg`), which BioStar does not read:
        /// named, not sent.
        #[serde(default)]
        nested: Vec<String>,
    },
    /// More files of the face image folder that a running [`CsvOp::AddFaces`] reads, sent
    /// with that request's job.
    MoreFaces,
    /// Forget the face image folder.
    ClearFaces,
    /// Check the face image folder as an import by file name (images named by user ID).
    FacesByName,
    /// Write the images named after no user as a BioStar user CSV of new users, each with
    /// its face (an `Output`), and say what the site's import check finds in it.
    FacesNewUsers,
}

/// The worker's answer to a [`CsvOp`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CsvAnswer {
    /// The workbook as it is now.
    View {
        /// Everything the page shows but the rows.
        view: Box<WorkbookView>,
    },
    /// A page of rows.
    Rows {
        /// The rows asked for.
        page: RowPage,
    },
    /// An edited row (and any row whose findings changed with it), and the new view.
    Edited {
        /// The rows to redraw.
        rows: Vec<RowView>,
        /// The view after the edit.
        view: Box<WorkbookView>,
    },
    /// What a write put in its file (the file itself travels as an `Output`).
    Written {
        /// Rows written and left out, and why.
        report: WriteReport,
    },
    /// The merge with the loaded export.
    Merge {
        /// Counts and a page of differences (None: no export loaded).
        merge: Option<Box<MergeView>>,
    },
    /// The face image folder checked as an import by file name.
    ByName {
        /// Counts and findings.
        report: Box<ByNameView>,
    },
    /// The new users written from the images named after no user (the file travels as an
    /// `Output`).
    NewUsers {
        /// Users written.
        users: u32,
        /// What the site's import check finds in the file, row by row.
        notes: Vec<String>,
    },
}

/// Limits progress messages to about one per percent, so posting them costs nothing.
#[derive(Debug, Clone, Copy)]
pub struct ProgressThrottle {
    total: u64,
    last: u64,
}

impl ProgressThrottle {
    /// A throttle for work of `total` units.
    pub fn new(total: u64) -> Self {
        ProgressThrottle { total, last: 0 }
    }

    /// True when `done` has moved far enough since the last report (or reached the end).
    pub fn due(&mut self, done: u64) -> bool {
        let step = (self.total / 100).max(1);
        if done >= self.total || done >= self.last + step {
            if done == self.last && done != 0 {
                return false;
            }
            self.last = done;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_use_a_type_tag_the_js_side_can_read() {
        let json = serde_json::to_value(Request::Rename {
            job: 3,
            file: 0,
            name: "BioStar2_20250102_030405.tgz".into(),
        })
        .unwrap();
        assert_eq!(json["type"], "rename");
        assert_eq!(json["job"], 3);
        let back: Request = serde_json::from_value(json).unwrap();
        assert_eq!(back.job(), 3);
    }

    #[test]
    fn responses_round_trip_and_name_their_job() {
        let r = Response::Failed {
            job: 7,
            message: "x".into(),
        };
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains("\"type\":\"failed\""));
        let back: Response = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.job(), Some(7));
        assert_eq!(Response::Ready { read_ahead: true }.job(), None);
    }

    #[test]
    fn throttle_reports_about_once_a_percent_and_always_the_end() {
        let mut t = ProgressThrottle::new(10_000);
        let reported = (0..=10_000u64).filter(|&d| t.due(d)).count();
        assert!((100..=102).contains(&reported), "{reported}");
        let mut t = ProgressThrottle::new(10_000);
        assert!(t.due(10_000));
        assert!(!t.due(10_000), "the end is reported once");
    }
}
