//! The data file workflow: what bioport does with a BioStar data file (`.tgz`) once it is
//! recognised.
//!
//! Lives here now: the rename to the name a device recognises (`BioStar2_...`).
//! Will live here: verify, list, rename, repackage, compare two data files, and the device
//! check. The byte format itself (signatures, name pattern, streaming entry walk) is
//! [`crate::formats::data_file`].

use crate::formats::data_file::data_file_stamp;

/// The name a device recognises for a BioStar data file: `BioStar2_YYYYMMDD_HHMMSS.tgz`.
///
/// None when the name is not a BioStar data file name; the same name when it already is
/// the device's.
pub fn device_name_for_data_file(name: &str) -> Option<String> {
    let (_, stamp) = data_file_stamp(name)?;
    Some(format!("BioStar2_{stamp}.tgz"))
}

/// The device's name for a data file (see [`device_name_for_data_file`]) only when it
/// differs from the file's own name (folders aside), i.e. when a rename is needed.
pub fn rename_for_device(name: &str) -> Option<String> {
    device_name_for_data_file(name).filter(|n| {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        n != base
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_file_names() {
        assert_eq!(
            device_name_for_data_file("BioStarX_20250102_030405.tgz").as_deref(),
            Some("BioStar2_20250102_030405.tgz")
        );
        assert_eq!(
            device_name_for_data_file("/tmp/BioStar2_20250102_030405.TGZ").as_deref(),
            Some("BioStar2_20250102_030405.tgz")
        );
        assert_eq!(
            device_name_for_data_file("BioStarX_2025010_030405.tgz"),
            None
        );
        assert_eq!(
            device_name_for_data_file("BioStarX_20250102_030405.tar"),
            None
        );
        assert_eq!(device_name_for_data_file("Other_20250102_030405.tgz"), None);
    }
}
