//! "Visual Face Import by file name" (BioStar 2.9+): one image per user, named by the user
//! ID (`123.jpg`). Checks a folder against the users of a CSV before the import.

use std::collections::HashMap;
use std::io;

use serde::{Deserialize, Serialize};

use super::folder::FaceFolder;
use super::image::{FaceImage, ImageProblem};
use crate::formats::biostar_csv::{CsvWriter, WriteOptions};
use crate::text::plural;
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
    /// Files that are no image by their name (not `.jpg`, `.jpeg` or `.png`), ignored as
    /// the import ignores them.
    #[serde(default)]
    pub not_images: Vec<u32>,
    /// Images named after no user that the server would refuse (not JPG/PNG by their bytes,
    /// damaged, too large): left out of the new users.
    #[serde(default)]
    pub refused_new: Vec<u32>,
    /// System files skipped (`Thumbs.db`, `.DS_Store`...).
    #[serde(default)]
    pub system_files: Vec<String>,
    /// Where the users come from, for messages ("users.csv").
    #[serde(default)]
    pub source: String,
}

/// True for a file name of an archive (ZIP, 7z, RAR, tar): images packed in one are not
/// images a row can name, nor the server read, until it is unpacked.
pub fn is_archive_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".zip", ".7z", ".rar", ".tar", ".tgz", ".tar.gz"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// True for a file name the import by file name reads: `.jpg`, `.jpeg` or `.png`.
pub fn is_image_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".jpg", ".jpeg", ".png"]
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
        } else if !is_image_name(&image.name) {
            report.not_images.push(i as u32);
        } else {
            let key = user_id_key(stem_of(&image.name), id_type);
            by_id.entry(key).or_default().push(i as u32);
        }
    }
    report.images =
        (folder.images().len() - report.archives.len() - report.not_images.len()) as u32;
    report.system_files = folder.skipped_system.clone();
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
    report.refused_new = (report.not_a_user.iter().copied())
        .filter(|&i| folder.image(i).is_some_and(refused))
        .collect();
    // One look-up a file, not a search of both lists (folders hold 100,000 files).
    let mut left_out = vec![false; folder.images().len()];
    for &i in report.archives.iter().chain(&report.not_images) {
        left_out[i as usize] = true;
    }
    for (i, image) in folder.images().iter().enumerate() {
        if left_out[i] {
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

/// Whether the server would refuse `image` (any problem but a small size).
fn refused(image: &FaceImage) -> bool {
    image
        .problems()
        .iter()
        .any(|&p| p != ImageProblem::TooSmall)
}

impl ByNameReport {
    /// The counts in one sentence, as the page and the command line give them.
    pub fn summary(&self) -> String {
        let n = |v: usize| v as u64;
        let mut out = format!(
            "{}; {}, {} with an image, {} without; {} named after no user; {} with two \
             images; {}",
            plural(self.images.into(), "image", "images"),
            plural(self.users.into(), "user", "users"),
            self.matched,
            self.without_image.len(),
            plural(n(self.not_a_user.len()), "image", "images"),
            plural(n(self.two_images.len()), "user", "users"),
            plural(
                n(self.image_problems.len()),
                "image finding",
                "image findings"
            ),
        );
        if !self.not_images.is_empty() {
            out += &format!(
                "; {} not an image, ignored",
                plural(n(self.not_images.len()), "file", "files")
            );
        }
        if !self.archives.is_empty() {
            out += &format!(
                "; {}",
                plural(n(self.archives.len()), "archive", "archives")
            );
        }
        if !self.system_files.is_empty() {
            let files = plural(n(self.system_files.len()), "system file", "system files");
            out += &format!("; {files} skipped");
        }
        out + "."
    }

    /// The images named after no user that become new users: those the server would not
    /// refuse.
    fn new_user_images<'f>(&self, folder: &'f FaceFolder) -> Vec<&'f FaceImage> {
        // Both lists are sorted: a binary search each.
        (self.not_a_user.iter())
            .filter(|i| self.refused_new.binary_search(i).is_err())
            .filter_map(|&i| folder.image(i))
            .collect()
    }

    /// How many findings there are (warnings about small images included).
    pub fn finding_count(&self) -> usize {
        self.without_image.len()
            + self.not_a_user.len()
            + self.not_images.len()
            + self.two_images.len()
            + self.image_problems.len()
            + self.same_bytes.len()
            + self.archives.len()
    }

    /// The IDs the images that name no user would create, as the server offers.
    pub fn new_user_ids(&self, folder: &FaceFolder) -> Vec<String> {
        (self.new_user_images(folder).into_iter())
            .map(|image| stem_of(&image.name).to_string())
            .collect()
    }

    /// The images named after no user (but those the server would refuse) as a BioStar
    /// user CSV that adds each as a new user with its face: `user_id` (the image's name without its extension), `name` (empty,
    /// to fill in) and `face_image_file1` (the image), in the folder's order.
    pub fn new_users_csv(&self, folder: &FaceFolder, opts: &WriteOptions) -> io::Result<Vec<u8>> {
        let mut csv = CsvWriter::new(Vec::new(), opts);
        csv.write_row(["user_id", "name", "face_image_file1"])?;
        for image in self.new_user_images(folder) {
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
        for &i in &self.not_images {
            out.push(format!(
                "{} is not an image (not .jpg, .jpeg or .png), ignored: the import by file \
                 name reads only JPG and PNG files.",
                name(i)
            ));
        }
        let source = match self.source.as_str() {
            "" => "the file",
            s => s,
        };
        for &i in &self.not_a_user {
            out.push(if self.refused_new.contains(&i) {
                format!(
                    "{} is named after no user ID of {source}, and the server would refuse \
                     it (see its finding): it is left out of the new users.",
                    name(i)
                )
            } else {
                format!(
                    "{} is named after no user ID of {source}: the server would add user {} \
                     as a new user. Rename it, or leave it to add the user.",
                    name(i),
                    stem_of(name(i))
                )
            });
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
