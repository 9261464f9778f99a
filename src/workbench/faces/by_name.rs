//! "Visual Face Import by file name" (BioStar 2.9+): one image per user, named by the user
//! ID (`123.jpg`). Checks a folder against the users of a CSV before the import.

use std::collections::HashMap;
use std::io;

use serde::{Deserialize, Serialize};

use super::folder::FaceFolder;
use super::image::ImageProblem;
use crate::formats::biostar_csv::{CsvWriter, WriteOptions};
use crate::workbench::validate::{user_id_key, UserIdType};

/// A user of the CSV: the ID as written and the line it is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRef {
    /// The user ID as the cell holds it.
    pub user_id: String,
    /// The 1-based line of the file the user is on.
    pub line: u64,
    /// The user is in the server's export (merged), not in the file.
    pub in_export: bool,
}

/// One user with more than one image (`123.jpg` and `123.png`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoImages {
    /// The user ID.
    pub user_id: String,
    /// The images named after it (folder indexes).
    pub images: Vec<u32>,
}

/// One problem of one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFinding {
    /// The image (folder index).
    pub image: u32,
    /// What is wrong with it.
    pub problem: ImageProblem,
}

/// What the by-file-name check found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByNameReport {
    /// Users checked.
    pub users: u32,
    /// Images in the folder.
    pub images: u32,
    /// Users with an image.
    pub matched: u32,
    /// Users without an image.
    pub without_image: Vec<UserRef>,
    /// Images whose name is no user ID of the file (the server offers to add them as new
    /// users).
    pub not_a_user: Vec<u32>,
    /// Users with two or more images.
    pub two_images: Vec<TwoImages>,
    /// Type, size and resolution problems, image by image.
    pub image_problems: Vec<ImageFinding>,
    /// Groups of images with identical bytes (empty when the bytes were not compared).
    pub same_bytes: Vec<Vec<u32>>,
    /// Archives picked among the images (`faces.zip`), left out of the check.
    #[serde(default)]
    pub archives: Vec<u32>,
}

/// True for a file name of an archive (ZIP, 7z, RAR, tar): images packed in one are not
/// images a row can name, nor the server read, until it is unpacked.
pub fn is_archive_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".zip", ".7z", ".rar", ".tar", ".tgz", ".tar.gz"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// The user ID an image's name stands for: the name before its last dot.
pub fn stem_of(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    }
}

/// Checks the images of `folder`, named by user ID, against `users`.
pub fn check_by_name(users: &[UserRef], folder: &FaceFolder, id_type: UserIdType) -> ByNameReport {
    let mut report = ByNameReport {
        users: users.len() as u32,
        ..ByNameReport::default()
    };
    let mut by_id: HashMap<&str, Vec<u32>> = HashMap::new();
    for (i, image) in folder.images().iter().enumerate() {
        if is_archive_name(&image.name) {
            report.archives.push(i as u32);
            continue;
        }
        let key = user_id_key(stem_of(&image.name), id_type);
        by_id.entry(key).or_default().push(i as u32);
    }
    report.images = folder.images().len() as u32 - report.archives.len() as u32;
    let mut seen: HashMap<&str, ()> = HashMap::new();
    for user in users {
        let key = user_id_key(&user.user_id, id_type);
        seen.insert(key, ());
        match by_id.get(key) {
            None => report.without_image.push(user.clone()),
            Some(images) => {
                report.matched += 1;
                if images.len() > 1 {
                    report.two_images.push(TwoImages {
                        user_id: user.user_id.trim().to_string(),
                        images: images.clone(),
                    });
                }
            }
        }
    }
    for (key, images) in &by_id {
        if !seen.contains_key(key) {
            report.not_a_user.extend(images);
        }
    }
    report.not_a_user.sort_unstable();
    for (i, image) in folder.images().iter().enumerate() {
        if report.archives.contains(&(i as u32)) {
            continue;
        }
        for problem in image.problems() {
            report.image_problems.push(ImageFinding {
                image: i as u32,
                problem,
            });
        }
    }
    report.same_bytes = folder.identical_groups().to_vec();
    report
}

impl ByNameReport {
    /// How many findings there are (warnings about small images included).
    pub fn finding_count(&self) -> usize {
        self.without_image.len()
            + self.not_a_user.len()
            + self.two_images.len()
            + self.image_problems.len()
            + self.same_bytes.len()
            + self.archives.len()
    }

    /// The IDs the images that name no user would create, as the server offers.
    pub fn new_user_ids(&self, folder: &FaceFolder) -> Vec<String> {
        self.not_a_user
            .iter()
            .filter_map(|&i| folder.image(i))
            .map(|image| stem_of(&image.name).to_string())
            .collect()
    }

    /// The images named after no user as a BioStar user CSV that adds each as a new user
    /// with its face: `user_id` (the image's name without its extension), `name` (empty,
    /// to fill in) and `face_image_file1` (the image), in the folder's order.
    pub fn new_users_csv(&self, folder: &FaceFolder, opts: &WriteOptions) -> io::Result<Vec<u8>> {
        let mut csv = CsvWriter::new(Vec::new(), opts);
        csv.write_row(["user_id", "name", "face_image_file1"])?;
        for image in self.not_a_user.iter().filter_map(|&i| folder.image(i)) {
            csv.write_row([stem_of(&image.name), "", image.name.as_str()])?;
        }
        csv.finish()
    }

    /// Every finding as a sentence saying what to do, in the report's order.
    pub fn messages(&self, folder: &FaceFolder) -> Vec<String> {
        let name = |i: u32| folder.image(i).map_or("?", |image| image.name.as_str());
        let mut out = Vec::new();
        for &i in &self.archives {
            out.push(format!(
                "{} is an archive, not an image: the server reads only the images of the \
                 folder, so unpack it into the folder and pick the folder again.",
                name(i)
            ));
        }
        for u in &self.without_image {
            out.push(format!(
                "Line {}{}: user {} has no image in the folder (expected {}.jpg or {}.png): \
                 the user gets no face.",
                u.line,
                if u.in_export { " of the export" } else { "" },
                u.user_id.trim(),
                u.user_id.trim(),
                u.user_id.trim()
            ));
        }
        for &i in &self.not_a_user {
            out.push(format!(
                "{} is named after no user ID of the file: the server would add user {} as \
                 a new user. Rename it, or leave it to add the user.",
                name(i),
                stem_of(name(i))
            ));
        }
        for t in &self.two_images {
            let names: Vec<&str> = t.images.iter().map(|&i| name(i)).collect();
            out.push(format!(
                "User {} has {} images ({}): keep one.",
                t.user_id,
                names.len(),
                names.join(", ")
            ));
        }
        for f in &self.image_problems {
            if let Some(image) = folder.image(f.image) {
                out.push(image.explain(f.problem));
            }
        }
        for g in &self.same_bytes {
            let names: Vec<&str> = g.iter().map(|&i| name(i)).collect();
            out.push(format!(
                "{} have identical bytes: the same photo for {} users; check which is right.",
                names.join(", "),
                names.len()
            ));
        }
        out
    }
}
