//! The time clock's messages: what the page asks of the clock set the worker holds, and
//! what the worker answers. Users and punches travel in pages, never whole files.

use serde::{Deserialize, Serialize};

use crate::clock::{ClockView, NoteList, PunchPage, PunchQuery, RepairCounts, UserPage};
use crate::recognize::FileKind;

/// Users the worker sends per page.
pub const USER_PAGE: usize = 100;

/// What a `Request::Clock` asks of the clock set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ClockOp {
    /// Open the files sent beside the request as one set (replacing the one held);
    /// `kinds[i]` is what file `i` was recognised as.
    Open {
        /// The kind of each file sent.
        kinds: Vec<FileKind>,
    },
    /// Read the `user.dat` again with a record size (None: judged) and an encoding.
    Reread {
        /// 72 or 28, or None to judge from the file.
        record: Option<u64>,
        /// A WHATWG encoding label ("utf-8", "gbk", "euc-kr", "windows-1252", ...).
        encoding: String,
    },
    /// A page of users.
    Users {
        /// First user.
        start: usize,
    },
    /// The password of one user (the page asked to show it).
    Password {
        /// The user's position among the users.
        index: usize,
    },
    /// A page of the punch table.
    Punches {
        /// Which rows.
        query: PunchQuery,
    },
    /// Write the repaired attendance log.
    Repair {
        /// Leave damaged lines out.
        remove_damaged: bool,
        /// Leave exact duplicate punches out.
        remove_duplicates: bool,
    },
    /// Write the punches as CSV, names joined.
    PunchesCsv {
        /// Leave exact duplicate punches out.
        remove_duplicates: bool,
    },
    /// Convert the users to a BioStar user CSV (the file travels beside the answer).
    ToBiostar {
        /// Carry passwords that are valid BioStar PINs.
        carry_pins: bool,
        /// Write users disabled on the clock too (they arrive enabled); left out else.
        #[serde(default)]
        include_disabled: bool,
    },
    /// Say what `record`-byte records cannot hold, per user.
    CheckFit {
        /// 72 or 28.
        record: u64,
    },
    /// Write `user.dat` in `record`-byte records (refused with the findings if any).
    WriteUsers {
        /// 72 or 28.
        record: u64,
    },
    /// Take the users of the CSV open in the workbench (uids of the `user.dat` kept); with
    /// no clock files open, they start a set of their own.
    FromWorkbench {
        /// 72 or 28: the records the users are checked against.
        record: u64,
        /// The clock's code page (a WHATWG label) when no `user.dat` is held to take it from.
        #[serde(default)]
        encoding: Option<String>,
    },
}

/// The worker's answer to a [`ClockOp`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClockAnswer {
    /// The set as it is now.
    View {
        /// Everything but the users and punches.
        view: Box<ClockView>,
    },
    /// A page of users.
    Users {
        /// The page.
        page: UserPage,
    },
    /// One user's password, asked for.
    Password {
        /// The user's position.
        index: usize,
        /// The password as text.
        password: String,
    },
    /// A page of the punch table.
    Punches {
        /// The page.
        page: PunchPage,
    },
    /// The punches CSV was written (it travels as an `Output`): the punches whose user ID
    /// does not decode in the clock's code page, the first listed, all counted.
    PunchesWritten {
        /// "Line 3 (byte 80): ..." for the first of them.
        undecodable: Vec<String>,
        /// All of them.
        undecodable_count: u64,
    },
    /// What the repair kept and left out (the file travels as an `Output`).
    Repaired {
        /// The counts.
        counts: RepairCounts,
    },
    /// The BioStar user CSV made from the users; its bytes travel beside as a `Blob`.
    Converted {
        /// The CSV's file name.
        name: String,
        /// Its size in bytes.
        size: u64,
        /// Per user, what did not carry.
        notes: NoteList,
        /// Users disabled on the clock left out of the CSV (named in the notes).
        #[serde(default)]
        left_out: usize,
    },
    /// What `record`-byte records cannot hold (empty: every user fits).
    Fit {
        /// 72 or 28.
        record: u64,
        /// One finding per user that does not fit.
        findings: NoteList,
        /// The file was written (it travels as an `Output`).
        written: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Request, Response};

    #[test]
    fn clock_requests_and_answers_round_trip_with_readable_tags() {
        let request = Request::Clock {
            job: 4,
            op: ClockOp::Open {
                kinds: vec![FileKind::ZkUserDat72, FileKind::ZkAttlog],
            },
        };
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(
            (json["type"].as_str(), json["op"]["op"].as_str()),
            (Some("clock"), Some("open"))
        );
        let back: Request = serde_json::from_value(json).unwrap();
        assert_eq!((back.job(), &back), (4, &request));
        let response = Response::Clock {
            job: 4,
            answer: ClockAnswer::Password {
                index: 0,
                password: "444".into(),
            },
        };
        let text = serde_json::to_string(&response).unwrap();
        assert!(text.contains("\"kind\":\"password\""), "{text}");
        let back: Response = serde_json::from_str(&text).unwrap();
        assert_eq!((back.job(), back), (Some(4), response));
    }
}
