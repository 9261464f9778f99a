//! The data file screen's messages: [`ArchiveOp`] asks the worker, [`ArchiveAnswer`]
//! answers. The worker keeps the last listing and sends it a page at a time.

use serde::{Deserialize, Serialize};

use crate::archive::catalogue::{CatalogueView, ComparisonView, EntryRow, FindingRow};
use crate::archive::repackage::Plan;
use crate::archive::Direction;

/// Entries the page asks for at a time.
pub const ENTRY_PAGE: usize = 120;
/// Bytes of an entry shown in the hex view.
pub const HEX_BYTES: u64 = 256;
/// The largest photo shown as a thumbnail (a larger one gets the hex view).
pub const MAX_THUMBNAIL: u64 = 16 << 20;
/// Rows of each kind (added, removed, changed) a comparison sends.
pub const COMPARE_ROWS: usize = 1000;
/// Renamed names a plan sends (the rest are counted): those it keeps.
pub const PLAN_ROWS: usize = crate::archive::repackage::PLAN_KEPT;

/// What the data file screen asks of the worker. Files travel beside the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ArchiveOp {
    /// Verify and list the file sent beside the request, keeping the listing.
    List {
        /// Hash every entry with SHA-256 too (slower).
        hash: bool,
    },
    /// Rows of the kept listing.
    Entries {
        /// First row.
        start: usize,
        /// How many.
        count: usize,
    },
    /// One entry of the file sent beside: a thumbnail (a photo's bytes as a `Blob`
    /// beside the answer) or a hex view.
    Preview {
        /// The entry's position in the archive.
        index: u64,
    },
    /// Which names a rename `direction`'s way rewrites inside the file sent beside.
    Plan {
        /// Which way.
        direction: Direction,
    },
    /// Write the file sent beside again with its entry paths renamed, for download as `name`.
    Repackage {
        /// Which way.
        direction: Direction,
        /// The download's name.
        name: String,
    },
    /// Compare the two files sent beside (first, second).
    Compare,
}

/// What a preview shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PreviewBody {
    /// A photo: its bytes travel beside the answer as a `Blob` of this media type.
    Photo {
        /// `image/jpeg` or `image/png`.
        mime: String,
    },
    /// The first bytes as `xxd` prints them.
    Hex {
        /// The lines.
        text: String,
        /// Bytes shown.
        shown: u64,
    },
}

/// One name a rewrite changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenameRow {
    /// True when it is a hard link's target, not the entry's own path.
    pub link: bool,
    /// The name as it is.
    pub from: String,
    /// The name it gets.
    pub to: String,
}

/// What a rewrite of the paths will do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    /// Which way.
    pub direction: Direction,
    /// Entries in the archive.
    pub entries: u64,
    /// Names that change in all.
    pub renamed: u64,
    /// The first [`PLAN_ROWS`] names that change, in archive order.
    pub renames: Vec<RenameRow>,
    /// What the walk found.
    pub findings: Vec<FindingRow>,
    /// True when the archive was read to its end (so it can be rewritten).
    pub readable: bool,
}

impl PlanView {
    /// The view of `plan`.
    pub fn new(plan: &Plan, direction: Direction) -> Self {
        PlanView {
            direction,
            entries: plan.entries,
            renamed: plan.renamed,
            renames: plan
                .renames
                .iter()
                .map(|r| RenameRow {
                    link: r.link,
                    from: r.from.clone(),
                    to: r.to.clone(),
                })
                .collect(),
            findings: plan.findings.iter().map(FindingRow::from).collect(),
            readable: plan.readable(),
        }
    }
}

/// Where a rewritten archive was written before its download.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Storage {
    /// The browser's origin private file system, a slice at a time (flat memory).
    Opfs,
    /// A `Blob` built from parts in memory (the browser may move it to disk).
    Memory,
}

/// The worker's answer to an [`ArchiveOp`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ArchiveAnswer {
    /// The listing's totals and findings (rows come with [`ArchiveOp::Entries`]).
    Listed {
        /// What the listing found.
        view: Box<CatalogueView>,
    },
    /// Rows of the listing.
    Entries {
        /// The first row's position.
        start: usize,
        /// Rows in the listing.
        total: usize,
        /// The rows.
        rows: Vec<EntryRow>,
    },
    /// One entry's preview.
    Preview {
        /// The entry's position.
        index: u64,
        /// Its path.
        path: String,
        /// Its size.
        size: u64,
        /// What to show.
        body: PreviewBody,
    },
    /// The names a rewrite changes.
    Plan {
        /// The plan.
        plan: PlanView,
    },
    /// A rewrite was written (its download follows as an `Output`).
    Repackaged {
        /// Entries written.
        entries: u64,
        /// Names changed.
        renamed: u64,
        /// Where it was written.
        storage: Storage,
        /// Why OPFS was not used, when it was not.
        note: Option<String>,
    },
    /// Two files compared.
    Compared {
        /// What differs.
        view: Box<ComparisonView>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Request, Response};

    #[test]
    fn archive_messages_round_trip_with_tags_the_js_side_can_read() {
        let request = Request::Archive {
            job: 4,
            op: ArchiveOp::Repackage {
                direction: Direction::ToDevice,
                name: "BioStar2_20250102_030405.tgz".into(),
            },
        };
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(json["type"], "archive");
        assert_eq!(json["op"]["op"], "repackage");
        assert_eq!(json["op"]["direction"], "to_device");
        let back: Request = serde_json::from_value(json).unwrap();
        assert_eq!(back, request);
        assert_eq!(back.job(), 4);
        let answer = Response::Archive {
            job: 4,
            answer: ArchiveAnswer::Repackaged {
                entries: 3,
                renamed: 1,
                storage: Storage::Opfs,
                note: None,
            },
        };
        let text = serde_json::to_string(&answer).unwrap();
        assert!(text.contains("\"storage\":\"opfs\""), "{text}");
        let back: Response = serde_json::from_str(&text).unwrap();
        assert_eq!(back, answer);
        assert_eq!(back.job(), Some(4));
    }

    #[test]
    fn a_plan_sends_its_first_names_and_counts_them_all() {
        use crate::archive::repackage::{Plan, Rename};
        let renames = (0..PLAN_ROWS as u64 + 5).map(|i| Rename {
            offset: i * 512,
            link: false,
            from: format!("BioStarX_1/{i}"),
            to: format!("BioStar2_1/{i}"),
        });
        let mut plan = Plan {
            entries: 9000,
            ..Plan::default()
        };
        plan.add(renames.collect());
        let view = PlanView::new(&plan, Direction::ToDevice);
        assert_eq!(view.renamed, PLAN_ROWS as u64 + 5);
        assert_eq!(view.renames.len(), PLAN_ROWS);
        assert_eq!(view.renames[1].to, "BioStar2_1/1");
        assert!(view.readable);
    }
}
