//! Face images for the user CSV: the folder the administrator picks at import, checked
//! before upload so face enrolment does not fail on the server.
//!
//! BioStar enrols faces from the `face_image_file1` and `face_image_file2` columns, which
//! name JPG or PNG files in a folder chosen at import (`../shared/docs/formats.md`
//! section 1). The server accepts at most 10 MB and 4000 x 4000 px, and recommends at
//! least 250 x 250. Each file is judged by its bytes ([`probe`]: kind and dimensions from
//! the header via the `imagesize` crate, damage from the header and the last bytes),
//! never decoded. [`FaceFolder`] finds a cell's file by exact name or by a name differing
//! only in case or `.jpeg`/`.jpg` spelling, and groups files with identical bytes (only
//! files sharing a size with another are hashed). The per-cell findings are rules of the
//! workbench's validation (`validate`); [`by_name`] is BioStar 2.9+'s import by file
//! name, where each image is named by a user ID.

pub mod by_name;
#[cfg(not(target_arch = "wasm32"))]
pub mod disk;
mod folder;
mod image;

pub use by_name::is_archive_name;
pub use folder::{
    base_name, digest_of, is_system_file, loose_key, FaceFolder, Lookup, Sha256Digest,
};
pub use image::{
    probe, probe_with, Damage, FaceImage, ImageKind, ImageProblem, Probe, HEAD_BYTES,
    MAX_FILE_BYTES, MAX_FILE_BYTES_TEXT, MAX_SIDE, MIN_SIDE, TAIL_BYTES,
};

#[cfg(test)]
mod tests;
