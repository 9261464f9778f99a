//! The face folder: its images, found by exact name or by a name differing only in case
//! or extension spelling, and the groups of images with identical bytes.

use std::collections::HashMap;
use std::io::{self, Read};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::image::FaceImage;

/// A SHA-256 digest of a whole file.
pub type Sha256Digest = [u8; 32];

/// How a name given in a cell is found in the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// A file with exactly this name (its index).
    Exact(u32),
    /// No exact file, but these differ only in case or `.jpeg`/`.jpg` spelling.
    Differs(Vec<u32>),
    /// Nothing like it.
    Missing,
}

/// The images of a face folder and what finding them needs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FaceFolder {
    images: Vec<FaceImage>,
    /// Files whose name another file already had (picked from two subfolders), skipped.
    pub skipped_same_name: Vec<String>,
    /// Files the system writes beside images (`Thumbs.db`, `.DS_Store`...), skipped.
    #[serde(default)]
    pub skipped_system: Vec<String>,
    /// Files in sub-folders, by path below the folder (`sub/8.jpg`): BioStar does not
    /// read them, so no cell is satisfied by them.
    #[serde(default)]
    in_subfolders: Vec<String>,
    #[serde(skip)]
    exact: HashMap<String, u32>,
    #[serde(skip)]
    loose: HashMap<String, Vec<u32>>,
    /// The first file in a sub-folder by each base name, and by its loose key (indexes
    /// into `in_subfolders`).
    #[serde(skip)]
    nested: HashMap<String, u32>,
    #[serde(skip)]
    nested_loose: HashMap<String, u32>,
    /// Per image: the group of images with identical bytes (0: none).
    group: Vec<u32>,
    /// Members of each group (group `g` is `groups[g - 1]`).
    groups: Vec<Vec<u32>>,
    /// Whether the identical-bytes check has been run.
    bytes_compared: bool,
}

/// True for a file the system writes beside images, never a face photo: `Thumbs.db`,
/// `desktop.ini`, `.DS_Store`, macOS's `._` files and any other hidden (dot) file.
pub fn is_system_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with('.') || lower == "thumbs.db" || lower == "desktop.ini"
}

/// The name as compared loosely: one Unicode form (NFC: a letter and its accent as one
/// character, as macOS file names do not have them), lower case, `.jpeg` read as `.jpg`.
pub fn loose_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let lower = name.trim().nfc().collect::<String>().to_lowercase();
    match lower.strip_suffix(".jpeg") {
        Some(stem) => format!("{stem}.jpg"),
        None => lower,
    }
}

impl FaceFolder {
    /// A folder of these images; a name seen twice keeps the first file.
    pub fn new(images: Vec<FaceImage>) -> FaceFolder {
        let mut folder = FaceFolder::default();
        for image in images {
            if is_system_file(&image.name) {
                folder.skipped_system.push(image.name);
                continue;
            }
            if folder.exact.contains_key(&image.name) {
                folder.skipped_same_name.push(image.name);
                continue;
            }
            let i = folder.images.len() as u32;
            folder.exact.insert(image.name.clone(), i);
            folder
                .loose
                .entry(loose_key(&image.name))
                .or_default()
                .push(i);
            folder.images.push(image);
        }
        folder.group = vec![0; folder.images.len()];
        folder
    }

    /// Every image, in the order given.
    pub fn images(&self) -> &[FaceImage] {
        &self.images
    }

    /// Image `i`.
    pub fn image(&self, i: u32) -> Option<&FaceImage> {
        self.images.get(i as usize)
    }

    /// Finds the file a cell names (surrounding spaces ignored).
    pub fn find(&self, name: &str) -> Lookup {
        let name = name.trim();
        if let Some(&i) = self.exact.get(name) {
            return Lookup::Exact(i);
        }
        match self.loose.get(&loose_key(name)) {
            Some(v) if !v.is_empty() => Lookup::Differs(v.clone()),
            _ => Lookup::Missing,
        }
    }

    /// The image a name `name` finds only loosely (see [`FaceFolder::find`]) whose name is
    /// the very same text in another Unicode form (composed in one, decomposed in the
    /// other), if any.
    pub fn same_text_as(&self, name: &str) -> Option<&FaceImage> {
        use unicode_normalization::UnicodeNormalization;
        let nfc = |s: &str| s.trim().nfc().collect::<String>();
        let want = nfc(name);
        match self.find(name) {
            Lookup::Differs(v) => {
                (v.iter().filter_map(|&i| self.image(i))).find(|image| nfc(&image.name) == want)
            }
            _ => None,
        }
    }

    /// Records the files found in sub-folders (paths below the folder, `/` between
    /// parts), which BioStar does not read; system files among them are left out.
    pub fn set_subfolder_files(&mut self, mut paths: Vec<String>) {
        paths.retain(|p| !is_system_file(base_name(p)));
        paths.sort();
        self.in_subfolders = paths;
        self.index_nested();
    }

    /// Rebuilds the look-ups of the files in sub-folders by name.
    fn index_nested(&mut self) {
        self.nested.clear();
        self.nested_loose.clear();
        for (i, path) in self.in_subfolders.iter().enumerate() {
            let name = base_name(path);
            self.nested.entry(name.to_string()).or_insert(i as u32);
            self.nested_loose.entry(loose_key(name)).or_insert(i as u32);
        }
    }

    /// The files in sub-folders (paths below the folder), sorted.
    pub fn subfolder_files(&self) -> &[String] {
        &self.in_subfolders
    }

    /// The path of a file in a sub-folder that `name` names (exactly, else loosely).
    pub fn in_subfolder(&self, name: &str) -> Option<&str> {
        let name = name.trim();
        let found = (self.nested.get(name)).or_else(|| self.nested_loose.get(&loose_key(name)));
        found.map(|&i| self.in_subfolders[i as usize].as_str())
    }

    /// The images sharing their size with another image: only these can have identical
    /// bytes, so only these need hashing.
    pub fn same_size_candidates(&self) -> Vec<u32> {
        let mut by_size: HashMap<u64, Vec<u32>> = HashMap::new();
        for (i, image) in self.images.iter().enumerate() {
            if image.size > 0 {
                by_size.entry(image.size).or_default().push(i as u32);
            }
        }
        let mut out: Vec<u32> = by_size
            .into_values()
            .filter(|v| v.len() > 1)
            .flatten()
            .collect();
        out.sort_unstable();
        out
    }

    /// Records the digests of the candidates (image index, SHA-256 of the whole file) and
    /// groups the images with identical bytes.
    pub fn set_digests(&mut self, digests: &[(u32, Sha256Digest)]) {
        let mut by_digest: HashMap<(u64, Sha256Digest), Vec<u32>> = HashMap::new();
        for &(i, d) in digests {
            if let Some(image) = self.images.get(i as usize) {
                by_digest.entry((image.size, d)).or_default().push(i);
            }
        }
        let mut groups: Vec<Vec<u32>> = by_digest.into_values().filter(|v| v.len() > 1).collect();
        groups.iter_mut().for_each(|g| g.sort_unstable());
        groups.sort_unstable();
        self.group = vec![0; self.images.len()];
        for (g, members) in groups.iter().enumerate() {
            for &i in members {
                if let Some(slot) = self.group.get_mut(i as usize) {
                    *slot = g as u32 + 1;
                }
            }
        }
        self.groups = groups;
        self.bytes_compared = true;
    }

    /// Whether the identical-bytes check has been run.
    pub fn bytes_compared(&self) -> bool {
        self.bytes_compared
    }

    /// The images with the same bytes as image `i`, itself included (empty when none).
    pub fn same_bytes(&self, i: u32) -> &[u32] {
        match self.group.get(i as usize) {
            Some(&g) if g > 0 => self.groups.get(g as usize - 1).map_or(&[], Vec::as_slice),
            _ => &[],
        }
    }

    /// The groups of images with identical bytes (each sorted, two or more images).
    pub fn identical_groups(&self) -> &[Vec<u32>] {
        &self.groups
    }

    /// Rebuilds the name indexes (after the folder was sent as JSON or a message).
    pub fn reindex(&mut self) {
        self.exact.clear();
        self.loose.clear();
        for (i, image) in self.images.iter().enumerate() {
            self.exact.insert(image.name.clone(), i as u32);
            self.loose
                .entry(loose_key(&image.name))
                .or_default()
                .push(i as u32);
        }
        if self.group.len() != self.images.len() {
            self.group = vec![0; self.images.len()];
        }
        self.index_nested();
    }
}

/// The file name of a `/`-separated path.
pub fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The SHA-256 of everything `reader` gives, read in 1 MiB pieces.
pub fn digest_of(mut reader: impl Read) -> io::Result<Sha256Digest> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    Ok(hasher.finalize().into())
}
