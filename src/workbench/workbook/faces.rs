//! The workbook's face image folder: adding it, what the app and the command line show
//! of it, and the check of an import by file name against the workbook's users.

use std::collections::HashSet;
use std::io;
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::formats::biostar_csv::WriteOptions;
use crate::model::Sheet;
use crate::text::plural;
use crate::workbench::faces::by_name::{check_by_name, ByNameReport, UserRef};
use crate::workbench::faces::{is_archive_name, FaceFolder};
use crate::workbench::mapping::Field;
use crate::workbench::validate::{user_id_key, Severity};

use super::{OpenOptions, Workbook};

/// The face image folder in numbers, with the images no row names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceFolderView {
    /// Files in the folder.
    pub images: u32,
    /// Face image findings on rows: errors.
    pub errors: u32,
    /// Face image findings on rows: warnings.
    pub warnings: u32,
    /// Whether files of the same size were compared byte for byte.
    pub bytes_compared: bool,
    /// Files no row names (not even with a case or extension difference), by name.
    pub unnamed: Vec<String>,
    /// Files skipped because another file had the same name (picked from two folders).
    pub skipped_same_name: Vec<String>,
    /// Archives picked among the images (`faces.zip`): the images inside are not read.
    pub archives: Vec<String>,
    /// System files skipped (`Thumbs.db`, `.DS_Store`...).
    #[serde(default)]
    pub system_files: Vec<String>,
    /// Files in sub-folders (`sub/8.jpg`), where BioStar does not look: not read.
    #[serde(default)]
    pub in_subfolders: Vec<String>,
    /// Whether a column of the CSV is mapped to a face image field.
    #[serde(default)]
    pub face_columns: bool,
}

impl FaceFolderView {
    /// The counts in one sentence, as the page and the command line give them.
    pub fn summary(&self) -> String {
        format!(
            "{}: {} and {} on rows{}; {} by no row.",
            plural(self.images.into(), "image", "images"),
            plural(self.errors.into(), "error", "errors"),
            plural(self.warnings.into(), "warning", "warnings"),
            if self.bytes_compared {
                ""
            } else {
                " (identical images not looked for)"
            },
            plural(self.unnamed.len() as u64, "image named", "images named")
        )
    }

    /// What else to know about the folder, a sentence each: files not read, and a CSV
    /// without face image columns.
    pub fn notes(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.face_columns {
            out.push(
                "No column of this CSV names face images (face_image_file1, \
                 face_image_file2), so no image is checked against a row, and a broken image \
                 shows no finding here. Did you mean an import by file name (images named by \
                 user ID)? Check the folder as one."
                    .to_string(),
            );
        }
        if !self.in_subfolders.is_empty() {
            out.push(format!(
                "{} in a sub-folder, where BioStar does not look, not read: {}. Move what a \
                 row names into the folder you pick at import.",
                plural(self.in_subfolders.len() as u64, "file", "files"),
                first_names(&self.in_subfolders)
            ));
        }
        if !self.system_files.is_empty() {
            out.push(format!(
                "{} skipped (written by the system, not photos): {}.",
                plural(
                    self.system_files.len() as u64,
                    "system file",
                    "system files"
                ),
                first_names(&self.system_files)
            ));
        }
        out
    }
}

/// Most names a note lists; the rest are counted.
const NOTE_NAMES: usize = 20;

/// The first [`NOTE_NAMES`] of `names`, joined, and how many more there are.
fn first_names(names: &[String]) -> String {
    let shown = names[..names.len().min(NOTE_NAMES)].join(", ");
    match names.len().saturating_sub(NOTE_NAMES) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// The names, sorted as the command line reads a folder.
fn sorted(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = names.collect();
    v.sort();
    v
}

impl Workbook {
    /// Sets (or with None, removes) the face image folder and validates again.
    pub fn set_face_folder(&mut self, folder: Option<FaceFolder>) {
        self.faces = folder.map(Arc::new);
        self.revalidate_all();
    }

    /// The face image folder, once added.
    pub fn face_folder(&self) -> Option<&FaceFolder> {
        self.faces.as_deref()
    }

    /// The face image folder as the app and the command line show it, once added.
    pub fn face_view(&self) -> Option<FaceFolderView> {
        let folder = self.faces.as_deref()?;
        let (mut errors, mut warnings) = (0, 0);
        for f in self.report.findings() {
            if f.rule.id().starts_with("face_image.") {
                match f.severity() {
                    Severity::Error => errors += 1,
                    Severity::Warning => warnings += 1,
                }
            }
        }
        let unnamed = self.report.unnamed_images(&self.sheet, &self.mapping);
        Some(FaceFolderView {
            images: folder.images().len() as u32,
            errors,
            warnings,
            bytes_compared: folder.bytes_compared(),
            unnamed: sorted(
                unnamed
                    .iter()
                    .filter_map(|&i| folder.image(i))
                    .map(|image| image.name.clone()),
            ),
            skipped_same_name: folder.skipped_same_name.clone(),
            archives: (folder.images().iter())
                .filter(|image| is_archive_name(&image.name))
                .map(|image| image.name.clone())
                .collect(),
            system_files: sorted(folder.skipped_system.iter().cloned()),
            in_subfolders: folder.subfolder_files().to_vec(),
            face_columns: [Field::FaceImageFile1, Field::FaceImageFile2]
                .iter()
                .any(|f| self.mapping.column_of(f).is_some()),
        })
    }

    /// Whether a face image cell names a file while no folder was added to check it.
    pub fn faces_unchecked(&self) -> bool {
        let cols: Vec<usize> = [Field::FaceImageFile1, Field::FaceImageFile2]
            .iter()
            .filter_map(|f| self.mapping.column_of(f))
            .collect();
        self.faces.is_none()
            && (self.report.data_rows()).any(|row| {
                cols.iter()
                    .any(|&c| !self.sheet.cell_or_empty(row, c).trim().is_empty())
            })
    }

    /// The users of the file (data rows with a user ID), then those of the loaded export
    /// the file does not have: the users after a merge.
    pub fn users(&self) -> Vec<UserRef> {
        let id_type = self.options.settings.user_id_type;
        let mut seen: HashSet<String> = HashSet::new();
        let mut out = Vec::new();
        let mut add = |sheet: &Sheet, rows: Range<usize>, col: Option<usize>, in_export: bool| {
            let Some(col) = col else { return };
            for row in rows {
                let id = sheet.cell_or_empty(row, col);
                let key = user_id_key(id, id_type);
                if !key.is_empty() && seen.insert(key.to_string()) {
                    out.push(UserRef {
                        user_id: id.trim().to_string(),
                        line: sheet.line(row),
                        in_export,
                    });
                }
            }
        };
        let col = self.mapping.column_of(&Field::UserId);
        add(&self.sheet, self.report.data_rows(), col, false);
        if let Some(e) = self.existing.as_deref() {
            let rows = (e.header_row + 1).min(e.sheet.len())..e.sheet.len();
            add(&e.sheet, rows, e.mapping.column_of(&Field::UserId), true);
        }
        out
    }

    /// Checks a folder of images named by user ID ("import by file name") against
    /// [`Workbook::users`].
    pub fn check_by_name(&self, folder: &FaceFolder) -> ByNameReport {
        let mut report = check_by_name(&self.users(), folder, self.options.settings.user_id_type);
        report.source = match self.existing.as_deref() {
            Some(e) => format!("{} or {}", self.name, e.name),
            None => self.name.clone(),
        };
        report
    }

    /// The images of `folder` that `report` (its [`Workbook::check_by_name`]) found named
    /// after no user, as a BioStar user CSV adding each as a new user with its face
    /// ([`ByNameReport::new_users_csv`]), and what this site's import check finds in it,
    /// row by row ("Line 3: ...").
    pub fn new_users_from_faces(
        &self,
        report: &ByNameReport,
        folder: &FaceFolder,
    ) -> io::Result<(Vec<u8>, Vec<String>)> {
        let csv = report.new_users_csv(folder, &WriteOptions::IMPORT)?;
        let open = OpenOptions {
            settings: self.options.settings,
            ..OpenOptions::default()
        };
        let Ok(book) = Workbook::open(csv.clone(), "new_users.csv", open) else {
            return Ok((csv, Vec::new())); // no new users: nothing to check
        };
        let findings = book.findings();
        // Each message starts with its line ("Line 3, column ...").
        let notes = findings.map(|(_, _, f)| f.message);
        Ok((csv, notes.collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_of_files_not_read_names_the_first_and_counts_the_rest() {
        let view = FaceFolderView {
            face_columns: true,
            in_subfolders: (1..=25).map(|i| format!("sub/{i:02}.jpg")).collect(),
            system_files: vec!["Thumbs.db".into()],
            ..FaceFolderView::default()
        };
        let notes = view.notes();
        assert_eq!(notes.len(), 2);
        assert!(
            notes[0].starts_with("25 files in a sub-folder, where BioStar does not look, not read: sub/01.jpg, sub/02.jpg,"),
            "{}",
            notes[0]
        );
        assert!(
            notes[0].contains("sub/20.jpg and 5 more. Move"),
            "{}",
            notes[0]
        );
        assert!(!notes[0].contains("sub/21.jpg"));
        assert_eq!(
            notes[1],
            "1 system file skipped (written by the system, not photos): Thumbs.db."
        );
    }
}
