//! A face folder on disk (the command line and the native benchmark): each file judged by
//! its first and last bytes, and hashed whole only when its size is shared.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use super::folder::{digest_of, is_system_file, FaceFolder, Sha256Digest};
use super::image::{probe_with, FaceImage};

/// How much of a folder's bytes were read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadCounts {
    /// Files judged.
    pub files: u64,
    /// Bytes read to judge them (headers and ends).
    pub header_bytes: u64,
    /// Bytes read whole to compare files of the same size.
    pub hashed_bytes: u64,
}

/// Judges one file on disk.
pub fn probe_file(path: &Path, name: &str) -> io::Result<(FaceImage, u64)> {
    let mut file = File::open(path)?;
    let size = file.metadata()?.len();
    let mut read_bytes = 0u64;
    let image = probe_with(name, size, |offset, len| {
        file.seek(SeekFrom::Start(offset))?;
        let mut buf = Vec::with_capacity(len);
        (&mut file).take(len as u64).read_to_end(&mut buf)?;
        read_bytes += buf.len() as u64;
        Ok(buf)
    })?;
    Ok((image, read_bytes))
}

/// Reads the folder `dir` (its files; system files such as `Thumbs.db` and the files of
/// its sub-folders are named, not judged), and with `compare_bytes` hashes the files that
/// share a size to find identical ones.
pub fn read_folder(dir: &Path, compare_bytes: bool) -> io::Result<(FaceFolder, ReadCounts)> {
    let mut entries: Vec<(String, std::path::PathBuf)> = Vec::new();
    let mut nested = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type()?;
        if kind.is_dir() && !is_system_file(&name) {
            subfolder_files(&entry.path(), &name, &mut nested)?;
        } else if kind.is_file() {
            entries.push((name, entry.path()));
        }
    }
    entries.sort();
    let mut counts = ReadCounts::default();
    let mut images = Vec::with_capacity(entries.len());
    for (name, path) in &entries {
        let (image, read) = probe_file(path, name)?;
        counts.files += 1;
        counts.header_bytes += read;
        images.push(image);
    }
    let mut folder = FaceFolder::new(images);
    folder.set_subfolder_files(nested);
    if compare_bytes {
        let mut digests: Vec<(u32, Sha256Digest)> = Vec::new();
        for i in folder.same_size_candidates() {
            let Some(image) = folder.image(i) else {
                continue;
            };
            counts.hashed_bytes += image.size;
            digests.push((i, digest_of(File::open(dir.join(&image.name))?)?));
        }
        folder.set_digests(&digests);
    }
    Ok((folder, counts))
}

/// Pushes the paths of the files under `dir` (sub-folders included), written below the
/// picked folder as `prefix/name`, onto `out`.
fn subfolder_files(dir: &Path, prefix: &str, out: &mut Vec<String>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{prefix}/{name}");
        let kind = entry.file_type()?;
        if kind.is_dir() && !is_system_file(&name) {
            subfolder_files(&entry.path(), &path, out)?;
        } else if kind.is_file() {
            out.push(path);
        }
    }
    Ok(())
}
