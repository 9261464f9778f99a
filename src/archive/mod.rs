//! The data file workflow: what bioport does with a BioStar data file (`.tgz`) once it is
//! recognised.
//!
//! Here: the export time in the name, the rename to the name a device recognises
//! (`BioStar2_...`) and back, entry paths that carry the name, the repackager
//! ([`repackage`]), the comparison of two data files ([`compare`]) and the device check
//! ([`device`]). The byte format itself (signatures, name pattern, the streaming walk,
//! verify and list) is [`crate::formats::data_file`].

pub mod catalogue;
pub mod compare;
pub mod device;
pub mod packed;
pub mod pushed_repack;
pub mod repackage;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::calendar::days_in_month;
use crate::formats::data_file::read_data_file_name;

/// The prefix BioStar X writes in a data file's name.
pub const SERVER_PREFIX: &str = "BioStarX_";
/// The prefix a device recognises.
pub const DEVICE_PREFIX: &str = "BioStar2_";

/// Which way a rename goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// `BioStarX_` to `BioStar2_`: for a device.
    ToDevice,
    /// `BioStar2_` to `BioStarX_`: back to the server's name.
    ToServer,
}

impl Direction {
    /// The prefix renamed from and the prefix renamed to.
    pub fn prefixes(self) -> (&'static str, &'static str) {
        match self {
            Direction::ToDevice => (SERVER_PREFIX, DEVICE_PREFIX),
            Direction::ToServer => (DEVICE_PREFIX, SERVER_PREFIX),
        }
    }
}

/// The data file's name renamed `direction`'s way (`BioStar2_`/`BioStarX_` and the stamp,
/// `.tgz`; folders, a copy's suffix such as ` (1)` and `.tar.gz` dropped, see
/// [`dropped_from_name`]); None when the name is not a BioStar data file name.
pub fn data_file_name(name: &str, direction: Direction) -> Option<String> {
    let read = read_data_file_name(name)?;
    Some(format!("{}{}.tgz", direction.prefixes().1, read.stamp))
}

/// What a rename drops from a data file's name, in words: the suffix a copy got (` (1)`,
/// ` - Copy`) and a `.tar.gz` extension; None when there is none (or no data file name).
pub fn dropped_from_name(name: &str) -> Option<String> {
    let read = read_data_file_name(name)?;
    let suffix = (!read.copy_suffix.is_empty()).then(|| {
        format!(
            "the suffix \"{}\" that a browser or file manager gives a copy",
            read.copy_suffix
        )
    });
    let extension = (!read.extension.eq_ignore_ascii_case(".tgz")).then(|| {
        format!(
            "the extension {} (a device reads only .tgz)",
            read.extension
        )
    });
    let parts: Vec<String> = suffix.into_iter().chain(extension).collect();
    (!parts.is_empty()).then(|| format!("dropped {}", parts.join(" and ")))
}

/// An entry path with every component that starts with the `from` prefix of `direction`
/// (any case) given the `to` prefix; None when no component carries it.
pub fn renamed_entry_path(path: &str, direction: Direction) -> Option<String> {
    let (from, to) = direction.prefixes();
    let mut changed = false;
    let parts: Vec<String> = path
        .split('/')
        .map(|part| match part.get(..from.len()) {
            Some(head) if head.eq_ignore_ascii_case(from) => {
                changed = true;
                format!("{to}{}", &part[from.len()..])
            }
            _ => part.to_string(),
        })
        .collect();
    changed.then(|| parts.join("/"))
}

/// True when a component of `path` starts with the `from` prefix of `direction` (any
/// case): [`renamed_entry_path`] would rename it. Allocates nothing.
pub fn carries_prefix(path: &str, direction: Direction) -> bool {
    let from = direction.prefixes().0;
    path.split('/').any(|part| {
        part.get(..from.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(from))
    })
}

/// When a data file was exported, as its name says (`YYYYMMDD_HHMMSS`, local time of the
/// server that wrote it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExportTime {
    /// The year.
    pub year: u16,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, from 1.
    pub day: u8,
    /// The hour, 0 to 23.
    pub hour: u8,
    /// The minute, 0 to 59.
    pub minute: u8,
    /// The second, 0 to 59.
    pub second: u8,
}

impl fmt::Display for ExportTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// What to do about a data file name whose export time is not a date and time (see
/// [`export_time`]): the page and the command line say it alike, the latter with its
/// `--anyway`.
pub const IMPOSSIBLE_TIME_ADVICE: &str = "is not a date and time, so a device may refuse the file: rename it by hand to its real export time (BioStarX_YYYYMMDD_HHMMSS.tgz), or rename it as it is";

/// The export time in a data file's name, or the finding that says why there is none.
pub fn export_time(name: &str) -> Result<ExportTime, String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let Some(stamp) = read_data_file_name(name).map(|n| n.stamp) else {
        return Err(format!(
            "the name {base} does not follow the pattern BioStarX_YYYYMMDD_HHMMSS.tgz, so it does not say when the file was exported; a device only reads BioStar2_YYYYMMDD_HHMMSS.tgz"
        ));
    };
    let num = |range: std::ops::Range<usize>| stamp[range].parse::<u16>().unwrap_or(0);
    let time = ExportTime {
        year: num(0..4),
        month: num(4..6) as u8,
        day: num(6..8) as u8,
        hour: num(9..11) as u8,
        minute: num(11..13) as u8,
        second: num(13..15) as u8,
    };
    let valid = (1..=12).contains(&time.month)
        && (1..=days_in_month(u32::from(time.year), u32::from(time.month)))
            .contains(&u32::from(time.day))
        && time.hour < 24
        && time.minute < 60
        && time.second < 60;
    if valid {
        Ok(time)
    } else {
        Err(format!(
            "the name {base} has the pattern of a data file, but {stamp} is not a date and time (YYYYMMDD_HHMMSS); a device may refuse it"
        ))
    }
}

/// The order in which a comparison takes two data files, `a` and `b`, from their names:
/// the older export time first (as the one before); of the same time, the server's
/// `BioStarX_` file before its `BioStar2_` copy; a name that gives no time after one that
/// does. `Equal` when the names do not tell them apart (keep the order they came in).
pub fn compare_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn key(name: &str) -> (bool, Option<&str>, bool) {
        let read = read_data_file_name(name);
        // The stamp's digits sort as the time they say (an impossible one among them).
        let stamp = read.as_ref().map(|n| n.stamp);
        let device = read.is_some_and(|n| n.prefix.eq_ignore_ascii_case("biostar2"));
        (stamp.is_none(), stamp, device)
    }
    key(a).cmp(&key(b))
}

/// The name a device recognises for a BioStar data file: `BioStar2_YYYYMMDD_HHMMSS.tgz`.
///
/// None when the name is not a BioStar data file name; the same name when it already is
/// the device's.
pub fn device_name_for_data_file(name: &str) -> Option<String> {
    data_file_name(name, Direction::ToDevice)
}

/// The device's name for a data file (see [`device_name_for_data_file`]) only when it
/// differs from the file's own name (folders aside), i.e. when a rename is needed.
pub fn rename_for_device(name: &str) -> Option<String> {
    device_name_for_data_file(name).filter(|n| {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        n != base
    })
}

/// What a rename can say of the entry paths of an archive whose damage stopped the
/// listing before its last entry, `carrying` of the `read` entries before it carrying the
/// old name: the rest are unknown, and a plain rename changes only the file's name.
pub fn unread_paths_note(read: u64, carrying: u64) -> String {
    let known = match (read, carrying) {
        (0, _) => "No entry path could be read (the archive is damaged before its first entry), so whether they carry the old name is unknown".to_string(),
        (_, 0) => format!("The entry paths past the damage could not be read, so whether they carry the old name is unknown (none of the {} read before it does)", crate::text::plural(read, "entry", "entries")),
        (_, n) => format!("{} read before the damage {} the old name, and the paths past it could not be read", crate::text::plural(n, "entry path", "entry paths"), if n == 1 { "carries" } else { "carry" }),
    };
    format!("{known}. Renaming changes only the file's name: its bytes, and so its entry paths, stay as they are")
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

    #[test]
    fn names_rename_both_ways() {
        let x = "/usb/BioStarX_20250102_030405.tgz";
        let two = data_file_name(x, Direction::ToDevice).unwrap();
        assert_eq!(two, "BioStar2_20250102_030405.tgz");
        assert_eq!(
            data_file_name(&two, Direction::ToServer).as_deref(),
            Some("BioStarX_20250102_030405.tgz")
        );
        assert_eq!(data_file_name("notes.tgz", Direction::ToServer), None);
    }

    #[test]
    fn a_copys_name_renames_to_the_pattern_saying_what_was_dropped() {
        let copy = "/dl/BioStarX_20240315_101500 (1).tgz";
        assert_eq!(
            data_file_name(copy, Direction::ToDevice).as_deref(),
            Some("BioStar2_20240315_101500.tgz")
        );
        assert_eq!(
            dropped_from_name(copy).as_deref(),
            Some("dropped the suffix \" (1)\" that a browser or file manager gives a copy")
        );
        let gz = "BioStarX_20240315_101500 - Copy.TAR.GZ";
        assert_eq!(
            data_file_name(gz, Direction::ToServer).as_deref(),
            Some("BioStarX_20240315_101500.tgz")
        );
        let said = dropped_from_name(gz).unwrap();
        assert!(
            said.contains("\" - Copy\"")
                && said.ends_with(" and the extension .TAR.GZ (a device reads only .tgz)"),
            "{said}"
        );
        assert_eq!(dropped_from_name("BioStarX_20240315_101500.tgz"), None);
        assert_eq!(dropped_from_name("users.tgz"), None);
        assert_eq!(
            export_time(copy).unwrap().to_string(),
            "2024-03-15 10:15:00"
        );
        assert_eq!(
            rename_for_device(copy).as_deref(),
            Some("BioStar2_20240315_101500.tgz")
        );
        assert_eq!(
            rename_for_device("BioStar2_20240315_101500.tar.gz").as_deref(),
            Some("BioStar2_20240315_101500.tgz")
        );
    }

    #[test]
    fn entry_paths_that_carry_the_name() {
        let to = Direction::ToDevice;
        assert_eq!(
            renamed_entry_path("BioStarX_20250102_030405/user.dat", to).as_deref(),
            Some("BioStar2_20250102_030405/user.dat")
        );
        assert_eq!(
            renamed_entry_path("a/biostarx_1/biostarx_2.bin", to).as_deref(),
            Some("a/BioStar2_1/BioStar2_2.bin")
        );
        assert_eq!(renamed_entry_path("a/xBioStarX_1", to), None);
        for path in [
            "a/biostarx_1/x",
            "BioStarX_",
            "a/xBioStarX_1",
            "BioStar2_1/u",
            "",
            "é/BioStarX_9",
        ] {
            for d in [Direction::ToDevice, Direction::ToServer] {
                let renamed = renamed_entry_path(path, d).is_some();
                assert_eq!(carries_prefix(path, d), renamed, "{path} {d:?}");
            }
        }
        assert_eq!(renamed_entry_path("BioStar2_1/u", to), None);
        assert_eq!(
            renamed_entry_path("BioStar2_1/u", Direction::ToServer).as_deref(),
            Some("BioStarX_1/u")
        );
    }

    #[test]
    fn two_data_files_compare_older_first_and_the_servers_before_its_copy() {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let (older, newer) = (
            "BioStarX_20250101_000000.tgz",
            "BioStar2_20250102_000000.tgz",
        );
        assert_eq!(compare_order(newer, older), Greater, "whichever came first");
        assert_eq!(compare_order(older, newer), Less);
        let (server, device) = (
            "BioStarX_20250102_030405.tgz",
            "/usb/BioStar2_20250102_030405.tgz",
        );
        assert_eq!(compare_order(device, server), Greater);
        assert_eq!(compare_order(server, device), Less);
        assert_eq!(
            compare_order("backup.tgz", server),
            Greater,
            "a name with no time last"
        );
        assert_eq!(compare_order("b.tgz", "a.tgz"), Equal, "as they came");
        assert_eq!(
            compare_order(server, "BioStarX_20250102_030405 (1).tgz"),
            Equal
        );
    }

    #[test]
    fn the_export_time_comes_from_the_name() {
        let t = export_time("BioStarX_20240229_235958.tgz").unwrap();
        assert_eq!(t.to_string(), "2024-02-29 23:59:58");
        assert_eq!((t.year, t.month, t.day, t.second), (2024, 2, 29, 58));
        let bad_day = export_time("BioStarX_20230229_000000.tgz").unwrap_err();
        assert!(
            bad_day.contains("20230229_000000 is not a date and time"),
            "{bad_day}"
        );
        assert!(export_time("BioStarX_20230101_246000.tgz").is_err());
        let other = export_time("C:\\usb\\users.tgz").unwrap_err();
        assert!(
            other.contains("the name users.tgz does not follow the pattern"),
            "{other}"
        );
    }
}

#[cfg(test)]
mod tests_streams;
