//! The face image folder's part of the protocol: what the by-file-name check sends back.

use serde::{Deserialize, Serialize};

use crate::workbench::faces::by_name::ByNameReport;
use crate::workbench::faces::FaceFolder;

/// Findings of an import by file name the page lists at most (the counts cover them all).
pub const MAX_BY_NAME_MESSAGES: usize = 1000;

/// The check of a folder of images named by user ID, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByNameView {
    /// Users checked (the file's, and the loaded export's the file does not have).
    pub users: u32,
    /// Images in the folder.
    pub images: u32,
    /// Users with an image.
    pub matched: u32,
    /// Users without an image.
    pub without_image: u32,
    /// Images named after no user.
    pub not_a_user: u32,
    /// Users with two or more images.
    pub two_images: u32,
    /// Image type, size and resolution findings.
    pub image_problems: u32,
    /// Groups of images with identical bytes.
    pub same_bytes: u32,
    /// Every finding as a sentence (at most [`MAX_BY_NAME_MESSAGES`]).
    pub messages: Vec<String>,
    /// The user IDs the images named after no user would add.
    pub new_users: Vec<String>,
    /// The counts in one sentence ([`ByNameReport::summary`]).
    pub summary: String,
}

impl ByNameView {
    /// The view of `report` over `folder`.
    pub fn new(report: &ByNameReport, folder: &FaceFolder) -> ByNameView {
        let mut messages = report.messages(folder);
        messages.truncate(MAX_BY_NAME_MESSAGES);
        ByNameView {
            users: report.users,
            images: report.images,
            matched: report.matched,
            without_image: report.without_image.len() as u32,
            not_a_user: report.not_a_user.len() as u32,
            two_images: report.two_images.len() as u32,
            image_problems: report.image_problems.len() as u32,
            same_bytes: report.same_bytes.len() as u32,
            messages,
            new_users: report.new_user_ids(folder),
            summary: report.summary(),
        }
    }
}
