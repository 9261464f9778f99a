//! The device check: will this data file import on that device? The table of models and
//! the minimum firmware each needs (BioStar X "Export/Import User Information"), firmware
//! version comparison, the reminders the manual gives, and warnings about the USB stick
//! (FAT32's 4 GiB file limit), face entries and the 500,000-user limit.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::formats::data_file::Listing;
use crate::text::grouped;

/// A firmware version: the first three numbers of `1.9.0`, `v1.9.0`, `1.9.0.12`, `1.9`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// Reads a version: an optional `v`, then numbers separated by dots (missing ones 0,
    /// a fourth or later ignored, anything after a space or dash ignored).
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim();
        let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
        let core = text.split([' ', '-', '_', '(']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u32>().ok());
        let major = parts.next()??;
        let minor = parts.next().unwrap_or(Some(0))?;
        let patch = parts.next().unwrap_or(Some(0))?;
        Some(Version(major, minor, patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// A device model that imports data files, and the firmware it needs at least.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceModel {
    /// The model's name as Suprema writes it.
    pub name: &'static str,
    /// The lowest firmware that imports a data file.
    pub min_firmware: Version,
}

/// The models that import data files and their minimum firmware (BioStar X manual).
pub const DEVICE_MODELS: &[DeviceModel] = &[
    model("BioStation 2", 1, 9, 0),
    model("BioStation A2", 1, 8, 0),
    model("FaceStation 2", 1, 4, 0),
    model("FaceStation F2", 2, 2, 0),
    model("X-Station 2", 1, 0, 0),
    model("BioStation 3", 1, 3, 1),
    model("BioStation 2a", 1, 0, 0),
];

const fn model(name: &'static str, major: u32, minor: u32, patch: u32) -> DeviceModel {
    DeviceModel {
        name,
        min_firmware: Version(major, minor, patch),
    }
}

/// The model of that name: any case, spaces and dashes ignored ("biostation a2").
pub fn find_model(name: &str) -> Option<&'static DeviceModel> {
    let key = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let wanted = key(name);
    DEVICE_MODELS.iter().find(|m| key(m.name) == wanted)
}

/// The largest file FAT32 stores: 4 GiB less one byte.
pub const FAT32_MAX_FILE: u64 = (4 << 30) - 1;
/// The likely face entries from which the import is a big one.
pub const MANY_FACES: u64 = 50_000;
/// The most users a data file may carry.
pub const MAX_USERS: u64 = 500_000;

/// What the check found, from worst to mildest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The import will fail.
    Problem,
    /// The import may fail or take long; act before trying.
    Warning,
    /// Something to make sure of; the file cannot tell.
    Reminder,
    /// Checked and fine.
    Fine,
}

/// One line of the device check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceNote {
    /// How much it matters.
    pub severity: Severity,
    /// What and what to do, in words.
    pub message: String,
}

/// Entries too large for a FAT32 stick: how many, and the first one's path and size.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Oversized {
    /// Entries over [`FAT32_MAX_FILE`] bytes.
    pub count: u64,
    /// The first of them: its path and size in bytes.
    pub first: Option<(String, u64)>,
}

impl Oversized {
    /// Counts an entry of `size` bytes at `path` when FAT32 cannot hold it.
    pub fn add(&mut self, path: &str, size: u64) {
        if size > FAT32_MAX_FILE {
            self.count += 1;
            self.first.get_or_insert_with(|| (path.to_string(), size));
        }
    }
}

/// What the device check needs to know about the data file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveFacts {
    /// The data file's size in bytes.
    pub file_size: u64,
    /// The entries too large for FAT32.
    pub oversized: Oversized,
    /// Entries that are photos (likely faces).
    pub photos: u64,
    /// The users it carries, when that is known (the entries are encrypted).
    pub users: Option<u64>,
}

impl ArchiveFacts {
    /// The facts a verify-and-list pass gives, with the entries too large for FAT32 it
    /// met (users unknown).
    pub fn from_listing(file_size: u64, listing: &Listing, oversized: Oversized) -> Self {
        ArchiveFacts {
            file_size,
            oversized,
            photos: listing.totals.photos,
            users: None,
        }
    }
}

fn note(severity: Severity, message: String) -> DeviceNote {
    DeviceNote { severity, message }
}

/// Checks the device (model and firmware) a data file is for, the file's name, and its
/// size and contents against what devices and USB sticks take.
pub fn check_device(
    model_name: &str,
    firmware: &str,
    file_name: &str,
    facts: &ArchiveFacts,
) -> Vec<DeviceNote> {
    // Once matched ("biostation 3"), the model is named as its maker writes it.
    let model_name = find_model(model_name).map_or(model_name, |m| m.name);
    let mut notes = vec![firmware_note(model_name, firmware), name_note(file_name)];
    notes.push(note(Severity::Reminder, format!("The data file must have been exported for the {model_name}: a file exported for another model may not import.")));
    notes.push(note(Severity::Reminder, "Fingerprint template formats do not mix: a file exported with Suprema templates does not import into a device set to ISO templates, nor the other way round.".to_string()));
    notes.extend(size_notes(facts));
    if facts.photos >= MANY_FACES {
        notes.push(note(Severity::Warning, format!("{} entries look like face photos: with {MANY_FACES} or more, a FAT32 USB stick may malfunction, so format it exFAT; and 100,000 faces need at least 15 GB on the stick, so allow time and space.", facts.photos)));
    }
    match facts.users {
        Some(users) if users > MAX_USERS => notes.push(note(Severity::Problem, format!("The file carries {users} users, more than the {MAX_USERS} a data file may; export fewer users at a time."))),
        Some(_) => {}
        None => notes.push(note(Severity::Reminder, format!("How many users the file carries cannot be told (the entries are encrypted): a data file takes at most {MAX_USERS}; export fewer at a time if there are more."))),
    }
    notes
}

/// Whether the model is known and its firmware new enough.
fn firmware_note(model_name: &str, firmware: &str) -> DeviceNote {
    let Some(model) = find_model(model_name) else {
        let known: Vec<&str> = DEVICE_MODELS.iter().map(|m| m.name).collect();
        return note(
            Severity::Problem,
            format!(
                "{model_name} is not a device that imports BioStar data files; those that do: {}.",
                known.join(", ")
            ),
        );
    };
    let min = model.min_firmware;
    if firmware.trim().is_empty() {
        return note(Severity::Reminder, format!("Type the device's firmware version (like {min}; its About screen shows it) to check that the {} imports data files.", model.name));
    }
    match Version::parse(firmware) {
        None => note(Severity::Problem, format!("{firmware:?} is not a firmware version (like {min}); read it from the device's About screen.")),
        Some(v) if v < min => note(Severity::Problem, format!("The {} runs firmware {v}, but imports data files from {min} on: upgrade its firmware first.", model.name)),
        Some(v) => note(Severity::Fine, format!("The {} runs firmware {v}, which imports data files ({min} or later).", model.name)),
    }
}

/// Whether the device will see the file under its name (`BioStar2_YYYYMMDD_HHMMSS.tgz`).
fn name_note(file_name: &str) -> DeviceNote {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match (super::rename_for_device(file_name), super::export_time(file_name)) {
        (_, Err(finding)) => note(Severity::Problem, format!("The device will not see this file: {finding}.")),
        (Some(device_name), Ok(_)) => note(Severity::Problem, format!("A device only sees the file as {device_name}: rename {base} (bioport rename, or the Rename panel on the page).")),
        (None, Ok(time)) => note(Severity::Fine, format!("{base} is named as a device expects (exported {time}).")),
    }
}

/// What FAT32 holds, for the size warnings.
const FAT32_LIMIT: &str = "FAT32 holds files under 4 GiB, 4,294,967,296 bytes";

/// Warnings for a file or an entry too large for FAT32, naming the entry (the first of
/// several) with its exact size.
fn size_notes(facts: &ArchiveFacts) -> Vec<DeviceNote> {
    let mut notes = Vec::new();
    if facts.file_size > FAT32_MAX_FILE {
        let gib = facts.file_size as f64 / (1u64 << 30) as f64;
        notes.push(note(Severity::Warning, format!("The data file is {} bytes ({gib:.1} GiB): a USB stick formatted FAT32 cannot hold it ({FAT32_LIMIT}); format the stick exFAT.", grouped(facts.file_size))));
    }
    let o = &facts.oversized;
    if let Some((path, size)) = &o.first {
        let which = match o.count {
            1 => format!("The entry {path} is {} bytes", grouped(*size)),
            n => format!(
                "{n} entries are over 4 GiB, the first {path} at {} bytes",
                grouped(*size)
            ),
        };
        notes.push(note(Severity::Warning, format!("{which}: if the device unpacks it to a FAT32 stick it cannot be written ({FAT32_LIMIT}); format the stick exFAT.")));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_compare() {
        assert_eq!(Version::parse("1.9.0"), Some(Version(1, 9, 0)));
        assert_eq!(Version::parse(" v1.10.2.123 "), Some(Version(1, 10, 2)));
        assert_eq!(Version::parse("1.9"), Some(Version(1, 9, 0)));
        assert_eq!(Version::parse("1.3.1 (build 5)"), Some(Version(1, 3, 1)));
        assert_eq!(Version::parse("latest"), None);
        assert_eq!(Version::parse("1.x"), None);
        assert!(Version(1, 10, 0) > Version(1, 9, 9));
        assert!(Version(1, 3, 0) < Version(1, 3, 1));
        assert_eq!(Version(2, 2, 0).to_string(), "2.2.0");
    }

    #[test]
    fn the_table_holds_the_manuals_models() {
        let table: Vec<(&str, String)> = DEVICE_MODELS
            .iter()
            .map(|m| (m.name, m.min_firmware.to_string()))
            .collect();
        let expected = [
            ("BioStation 2", "1.9.0"),
            ("BioStation A2", "1.8.0"),
            ("FaceStation 2", "1.4.0"),
            ("FaceStation F2", "2.2.0"),
            ("X-Station 2", "1.0.0"),
            ("BioStation 3", "1.3.1"),
            ("BioStation 2a", "1.0.0"),
        ];
        let expected: Vec<(&str, String)> =
            expected.iter().map(|(n, v)| (*n, v.to_string())).collect();
        assert_eq!(table, expected);
        assert_eq!(find_model("xstation2").unwrap().name, "X-Station 2");
        assert_eq!(find_model("BIOSTATION 2A").unwrap().name, "BioStation 2a");
        assert!(find_model("BioLite N2").is_none());
    }

    #[test]
    fn firmware_too_old_unknown_models_and_bad_versions_are_problems() {
        let facts = ArchiveFacts::default();
        let first = |m: &str, f: &str| check_device(m, f, NAME, &facts).remove(0);
        let old = first("BioStation 3", "1.3.0");
        assert_eq!(old.severity, Severity::Problem);
        assert!(
            old.message.contains("imports data files from 1.3.1 on"),
            "{}",
            old.message
        );
        assert_eq!(first("BioStation 3", "1.3.1").severity, Severity::Fine);
        assert_eq!(first("FaceStation F2", "2.10").severity, Severity::Fine);
        assert!(first("BioLite N2", "1.0")
            .message
            .contains("BioStation 2, BioStation A2"));
        assert!(first("BioStation 2", "new")
            .message
            .contains("not a firmware version"));
        // Nothing typed yet: a prompt, not an error.
        let empty = first("BioStation 2", " ");
        assert_eq!(empty.severity, Severity::Reminder);
        assert_eq!(empty.message, "Type the device's firmware version (like 1.9.0; its About screen shows it) to check that the BioStation 2 imports data files.");
        let reminders = check_device("BioStation 2", "1.9.0", NAME, &facts);
        assert_eq!(reminders.len(), 5);
        assert_eq!(reminders[1].severity, Severity::Fine);
        assert!(reminders[3].message.contains("Suprema templates"));
        assert_eq!(reminders[4].severity, Severity::Reminder);
        assert!(
            reminders[4].message.contains("cannot be told"),
            "users unknown"
        );
    }

    const NAME: &str = "/usb/BioStar2_20250102_030405.tgz";

    #[test]
    fn the_name_must_be_the_devices() {
        let facts = ArchiveFacts::default();
        let second = |name: &str| check_device("BioStation 2", "1.9.0", name, &facts).remove(1);
        let fine = second(NAME);
        assert!(
            fine.message.contains("exported 2025-01-02 03:04:05"),
            "{}",
            fine.message
        );
        let server = second("BioStarX_20250102_030405.tgz");
        assert_eq!(server.severity, Severity::Problem);
        assert!(server
            .message
            .contains("only sees the file as BioStar2_20250102_030405.tgz"));
        let other = second("users.tgz");
        assert!(
            other.message.contains("does not follow the pattern"),
            "{}",
            other.message
        );
    }

    #[test]
    fn size_faces_and_users_warn() {
        let mut oversized = Oversized::default();
        oversized.add("BioStarX_20240402_000000/small.db", FAT32_MAX_FILE);
        oversized.add("BioStarX_20240402_000000/faces.db", (4 << 30) + 4096);
        let facts = ArchiveFacts {
            file_size: 5 << 30,
            oversized,
            photos: 50_000,
            users: Some(500_001),
        };
        let notes = check_device("BioStation 2", "1.9.0", NAME, &facts);
        let tail: Vec<Severity> = notes[4..].iter().map(|n| n.severity).collect();
        use Severity::*;
        assert_eq!(tail, [Warning, Warning, Warning, Problem]);
        assert!(notes[4]
            .message
            .starts_with("The data file is 5,368,709,120 bytes (5.0 GiB)"));
        assert_eq!(notes[5].message, "The entry BioStarX_20240402_000000/faces.db is 4,294,971,392 bytes: if the device unpacks it to a FAT32 stick it cannot be written (FAT32 holds files under 4 GiB, 4,294,967,296 bytes); format the stick exFAT.");
        assert!(notes[6]
            .message
            .contains("50000 entries look like face photos: with 50000 or more, a FAT32 USB stick may malfunction, so format it exFAT"));
        let mut several = facts.clone();
        several
            .oversized
            .add("BioStarX_20240402_000000/more.db", 5 << 30);
        let notes = check_device("BioStation 2", "1.9.0", NAME, &several);
        assert!(notes[5].message.starts_with("2 entries are over 4 GiB, the first BioStarX_20240402_000000/faces.db at 4,294,971,392 bytes: "), "{}", notes[5].message);
        let mut at_the_limit = Oversized::default();
        at_the_limit.add("BioStarX_20240402_000000/fits.db", FAT32_MAX_FILE);
        let small = ArchiveFacts {
            file_size: FAT32_MAX_FILE,
            oversized: at_the_limit,
            photos: 49_999,
            users: Some(500_000),
        };
        assert_eq!(check_device("BioStation 2", "1.9.0", NAME, &small).len(), 4);
    }
}
