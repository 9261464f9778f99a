//! The command line on BioStar data files, run as a program: `bioport inspect`, `check`,
//! `rename` and `diff` of gzip-compressed tar archives, checking exit codes, what is printed
//! and the bytes written.

#![cfg(not(target_arch = "wasm32"))]

#[path = "common/archives.rs"]
mod archives;
#[path = "common/cli_support.rs"]
mod cli_support;

use std::fs;

use archives::{data_file, gzip, raw_tar};
use cli_support::{bioport, stderr, stdout, TempDir};

/// A data file whose entry paths carry the server's name.
fn data_file_with_paths(prefix: &str) -> Vec<u8> {
    gzip(&raw_tar(&[
        (format!("{prefix}/users.db"), b"encrypted users"),
        (format!("{prefix}/photos/1.jpg"), &[0xff, 0xd8, 0xff, 0xe0]),
    ]))
}

#[test]
fn data_files_are_listed_checked_renamed_and_compared() {
    let dir = TempDir::new("data-files");
    let name = "BioStarX_20250102_030405.tgz";
    let tgz = data_file_with_paths("BioStarX_20250102_030405");
    dir.file(name, &tgz);
    // Every entry with its SHA-256 as sha256sum prints it.
    let o = bioport(
        &["inspect", "--entries", "--sha256", "--json", name],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v["entries"][1]["path"],
        "BioStarX_20250102_030405/photos/1.jpg"
    );
    assert_eq!(v["entries"][1]["content"], "jpeg");
    assert_eq!(v["entries"][1]["content_label"], "JPEG photo");
    assert_eq!(v["entries"][1]["type"], "file");
    assert_eq!(v["entries"][0]["type_label"], "file");
    // The text listing in the same words as the page.
    let o = bioport(&["inspect", "--entries", name], &dir.0);
    assert!(
        stdout(&o).contains("  file  JPEG photo  BioStarX_20250102_030405/photos/1.jpg"),
        "{}",
        stdout(&o)
    );
    assert_eq!(v["entries"][1]["mode"], "640");
    // As `printf 'encrypted users' | sha256sum` prints it.
    assert_eq!(
        v["entries"][0]["sha256"],
        "e0226bc1bdc0d9c1964e4006729aad56f4ce84564371ea0987082c8bf12ef832"
    );
    assert_eq!(v["totals"]["photos"], 1);
    // The device table: old firmware is a problem, and the name is not the device's.
    let o = bioport(
        &[
            "check",
            name,
            "--device",
            "BioStation 2",
            "--firmware",
            "1.8.0",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("exported 2025-01-02 03:04:05"), "{out}");
    assert!(out.contains("imports data files from 1.9.0 on"), "{out}");
    let o = bioport(
        &[
            "check",
            name,
            "--device",
            "BioStation 2",
            "--firmware",
            "1.9.0",
            "--json",
        ],
        &dir.0,
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["severity"] == "reminder"));
    // A command must be given a version: an empty one is a usage error, not a pass.
    let empty = ["check", name, "--device", "BioStation 2", "--firmware", ""];
    let o = bioport(&empty, &dir.0);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--firmware is empty"), "{}", stderr(&o));
    // Renamed with its bytes unchanged ...
    let o = bioport(&["rename", name], &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("2 entry paths carry the old name"));
    assert_eq!(
        fs::read(dir.path("BioStar2_20250102_030405.tgz")).unwrap(),
        tgz
    );
    // ... or with its paths rewritten: the same entries under the new names.
    fs::create_dir_all(dir.path("out")).unwrap();
    let o = bioport(&["rename", name, "-o", "out", "--rewrite-paths"], &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rewritten = fs::read(dir.path("out/BioStar2_20250102_030405.tgz")).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(rewritten.as_slice()));
    let entries: Vec<(String, u32, u64)> = archive
        .entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let h = e.header();
            (
                e.path().unwrap().display().to_string(),
                h.mode().unwrap(),
                h.mtime().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            (
                "BioStar2_20250102_030405/users.db".to_string(),
                0o640,
                1_700_000_000
            ),
            (
                "BioStar2_20250102_030405/photos/1.jpg".to_string(),
                0o640,
                1_700_000_000
            )
        ]
    );
    // Compared: the same file is identical; so is the rewritten one, its paths matched
    // across the rename and its entries compared by SHA-256.
    let o = bioport(&["diff", name, "BioStar2_20250102_030405.tgz"], &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let rewritten = "out/BioStar2_20250102_030405.tgz";
    let o = bioport(&["diff", name, rewritten, "--json"], &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (v["added"].as_array().unwrap().len(), v["same"].as_u64()),
        (0, Some(2))
    );
    assert_eq!(v["across_rename"], 2);
    let o = bioport(&["diff", name, rewritten], &dir.0);
    let said = "0 added, 0 removed, 0 changed, 2 the same\n  Paths were matched across the rename: 2 entries whose paths differ only by the BioStarX_ / BioStar2_ prefix of the same export time were taken as the same entry and compared by SHA-256 (the first: BioStarX_20250102_030405/users.db in the first file, BioStar2_20250102_030405/users.db in the second).";
    assert!(stdout(&o).contains(said), "{}", stdout(&o));
    // The rename never writes over its input, nor over a file already there.
    let o = bioport(&["rename", "BioStar2_20250102_030405.tgz"], &dir.0);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("would replace the input"),
        "{}",
        stderr(&o)
    );
    let o = bioport(
        &["rename", "BioStar2_20250102_030405.tgz", "--to-server"],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("BioStarX_20250102_030405.tgz already exists; nothing was written"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read(dir.path(name)).unwrap(), tgz);
    // Back to the server's name, from another folder: the same bytes.
    let o = bioport(
        &[
            "rename",
            "BioStar2_20250102_030405.tgz",
            "--to-server",
            "-o",
            "back",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        fs::read(dir.path("back/BioStarX_20250102_030405.tgz")).unwrap(),
        tgz
    );
}

#[test]
fn diff_matches_the_entries_of_exports_made_at_different_times() {
    let dir = TempDir::new("diff-export-times");
    let photo = [0xff, 0xd8, 0xff, 0xe0, 1, 2, 3];
    let export = |folder: &str, users: &[u8]| {
        gzip(&raw_tar(&[
            (format!("{folder}/photos/1.jpg"), &photo[..]),
            (format!("{folder}/users.db"), users),
        ]))
    };
    let (a, b, c) = (
        "BioStarX_20250102_030405.tgz",
        "BioStarX_20250103_101010.tgz",
        "BioStarX_20250104_000000.tgz",
    );
    dir.file(a, &export("BioStarX_20250102_030405", b"users v1"));
    dir.file(b, &export("BioStarX_20250103_101010", b"users v2"));
    dir.file(c, &export("BioStarX_20250104_000000", b"users v1"));
    let (code, said) = run(&["diff", a, b], &dir);
    assert_eq!(code, Some(1), "{said}");
    let note = "Paths were matched with their export folder names set aside: the first file's entries are under BioStarX_20250102_030405, the second's under BioStarX_20250103_101010 (exports made at different times), so 2 entries whose paths differ only in that folder were taken as the same entry and compared by SHA-256.\n";
    assert!(said.starts_with(note), "said once, at the top: {said}");
    assert_eq!(said.matches("set aside").count(), 1, "{said}");
    let changed = "  BioStarX_20250102_030405/users.db (now BioStarX_20250103_101010/users.db)\n";
    assert!(said.contains(changed), "{said}");
    assert!(
        said.contains("\n0 added, 0 removed, 1 changed, 1 the same\n"),
        "{said}"
    );
    // The same entries exported again later: identical, exit 0.
    let o = bioport(&["diff", a, c, "--json"], &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (v["same"].as_u64(), v["across_export_folders"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(v["across_rename"], 0);
    let note = v["export_folders_note"].as_str().unwrap();
    assert!(
        note.contains(
            "under BioStarX_20250102_030405, the second's under BioStarX_20250104_000000"
        ),
        "{note}"
    );
}

#[test]
fn inspect_counts_agree_with_their_nouns() {
    let dir = TempDir::new("inspect-nouns");
    let one = gzip(&raw_tar(&[("BioStarX_20250102_030405/x".into(), b"1")]));
    let body = [7u8; 1500];
    let two = gzip(&raw_tar(&[
        ("BioStarX_20250103_030405/a".into(), &body[..1000]),
        ("BioStarX_20250103_030405/b".into(), &body[..500]),
    ]));
    for (name, bytes, counts) in [
        (
            "BioStarX_20250102_030405.tgz",
            &one,
            "1 entry, 1 byte in entries",
        ),
        (
            "BioStarX_20250103_030405.tgz",
            &two,
            "2 entries, 1,500 bytes in entries",
        ),
    ] {
        dir.file(name, bytes);
        let (code, said) = run(&["inspect", name], &dir);
        assert_eq!(code, Some(0), "{said}");
        let size = bytes.len();
        let line = format!("{name}: BioStar data file (.tgz) ({size} bytes): {counts}\n");
        assert!(said.starts_with(&line), "{said}");
    }
}

#[test]
fn a_damaged_data_file_is_renamed_only_when_asked_and_says_where() {
    let dir = TempDir::new("rename-damaged");
    let (tgz, _) = data_file();
    let cut = &tgz[..tgz.len() - 20];
    dir.file("BioStarX_20250102_030405.tgz", cut);
    let o = bioport(&["rename", "BioStarX_20250102_030405.tgz"], &dir.0);
    // Read, and refused for the damage found: exit 1, as the README's table says.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let said = format!(
        "  problem: The file ends at byte {}, inside the compressed data: it is cut off",
        cut.len()
    );
    assert!(stdout(&o).contains(&said), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("rename it as it is with --anyway"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path("BioStar2_20250102_030405.tgz").exists());
    let o = bioport(
        &["rename", "BioStarX_20250102_030405.tgz", "--anyway"],
        &dir.0,
    );
    // Written, as --anyway asks, but still a damaged file: exit 1.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("it was renamed as it is, its damage kept"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        fs::read(dir.path("BioStar2_20250102_030405.tgz")).unwrap(),
        cut
    );
    let o = bioport(
        &[
            "inspect",
            "BioStarX_20250102_030405.tgz",
            "--entries",
            "--json",
        ],
        &dir.0,
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["export_time"], "2025-01-02 03:04:05");
    assert_eq!(v["complete"], false);
    assert!(v["findings"][0]
        .as_str()
        .unwrap()
        .starts_with("The file ends at byte "));
}

/// The rename that rewrites paths whatever the findings.
const REWRITE_ANYWAY: [&str; 4] = [
    "rename",
    "BioStarX_20250102_030405.tgz",
    "--rewrite-paths",
    "--anyway",
];

#[test]
fn a_data_file_whose_paths_leave_its_folder_is_renamed_only_with_anyway() {
    let dir = TempDir::new("rename-unsafe");
    let mut tar = tar::Builder::new(Vec::new());
    for (path, body) in [
        ("BioStarX_20250102_030405/ok.db", &b"ok"[..]),
        ("../BioStarX_20250102_030405/evil.db", b"evil"),
    ] {
        // The tar crate refuses `..`: the name goes into the header as bytes.
        let mut header = tar::Header::new_gnu();
        header.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
        header.set_size(body.len() as u64);
        header.set_cksum();
        tar.append(&header, body).unwrap();
    }
    let tgz = gzip(&tar.into_inner().unwrap());
    dir.file("BioStarX_20250102_030405.tgz", &tgz);
    let renamed = dir.path("BioStar2_20250102_030405.tgz");
    for rewrite in [false, true] {
        let mut args = vec!["rename", "BioStarX_20250102_030405.tgz"];
        args.extend(rewrite.then_some("--rewrite-paths"));
        let o = bioport(&args, &dir.0);
        assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
        assert!(
            stdout(&o).contains("evil.db climbs out with '..'"),
            "{}",
            stdout(&o)
        );
        let refused =
            "could be written outside the device's folder, which a BioStar export never does";
        assert!(stderr(&o).contains(refused), "{}", stderr(&o));
        assert!(!renamed.exists());
    }
    // Written as --anyway asks, but with a problem overridden: exit 1, saying which.
    let o = bioport(&REWRITE_ANYWAY, &dir.0);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("2 entries, 2 names changed"),
        "{}",
        stdout(&o)
    );
    let overrode = "bioport: written as --anyway asks, though entries of the data file (above) could be written outside the device's folder, which a BioStar export never does.\n";
    assert_eq!(stderr(&o), overrode);
    assert!(renamed.exists());
    // Two overridden at once are both said.
    dir.file("BioStarX_20251302_250000.tgz", &tgz);
    let o = bioport(
        &["rename", "BioStarX_20251302_250000.tgz", "--anyway"],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let both = "which a BioStar export never does; and the name's export time (above) is not a date and time, so a device may refuse the file.\n";
    assert!(stderr(&o).ends_with(both), "{}", stderr(&o));
    assert!(dir.path("BioStar2_20251302_250000.tgz").exists());
}

#[test]
fn a_damaged_data_file_is_not_rewritten_even_with_anyway() {
    let dir = TempDir::new("rewrite-damaged");
    let tgz = data_file_with_paths("BioStarX_20250102_030405");
    dir.file("BioStarX_20250102_030405.tgz", &tgz[..tgz.len() - 20]);
    let o = bioport(&REWRITE_ANYWAY, &dir.0);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let said = "bioport does not write a damaged archive again. Copy it again from where it was exported, or rename it as it is (without --rewrite-paths) with --anyway";
    assert!(stderr(&o).contains(said), "{}", stderr(&o));
    assert!(!dir.path("BioStar2_20250102_030405.tgz").exists());
}

#[test]
fn a_cut_off_data_file_counts_the_same_entries_in_inspect_and_rename_and_offers_no_rewrite() {
    let dir = TempDir::new("rename-cut-count");
    let noise = |seed: u32| -> Vec<u8> {
        let mut x = seed + 1;
        (0..3000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect()
    };
    let bodies: Vec<Vec<u8>> = (0..6).map(noise).collect();
    let entries: Vec<(String, &[u8])> = (bodies.iter().enumerate())
        .map(|(i, b)| (format!("BioStarX_20250102_030405/u{i}.bin"), b.as_slice()))
        .collect();
    let tgz = gzip(&raw_tar(&entries));
    dir.file("BioStarX_20250102_030405.tgz", &tgz[..tgz.len() / 2]);
    let o = bioport(&["inspect", "BioStarX_20250102_030405.tgz"], &dir.0);
    let listed = stdout(&o);
    let count = listed
        .split(" entries")
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap();
    let o = bioport(
        &["rename", "BioStarX_20250102_030405.tgz", "--anyway"],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let said = format!("  paths: {count} entry paths read before the damage carry the old name, and the paths past it could not be read. Renaming changes only the file's name: its bytes, and so its entry paths, stay as they are\n");
    assert!(stdout(&o).contains(&said), "{listed}{}", stdout(&o));
    assert!(!stdout(&o).contains("--rewrite-paths"), "{}", stdout(&o));
}

#[test]
fn a_data_file_damaged_at_its_first_header_says_its_paths_are_unknown() {
    let dir = TempDir::new("rename-first-header");
    let mut raw = raw_tar(&[("BioStarX_20250102_030405/users.db".into(), b"users")]);
    raw[148..156].copy_from_slice(b"0000000\0");
    let name = "BioStarX_20250102_030405.tgz";
    dir.file(name, &gzip(&raw));
    let unknown = "  paths: No entry path could be read (the archive is damaged before its first entry), so whether they carry the old name is unknown. Renaming changes only the file's name";
    let (code, said) = run(&["rename", name], &dir);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains(unknown), "{said}");
    assert!(!said.contains("No entry path carries"), "{said}");
    let (code, said) = run(&["rename", name, "--anyway"], &dir);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains(unknown), "{said}");
    assert!(dir.path("BioStar2_20250102_030405.tgz").exists());
}

#[test]
fn a_cut_off_entry_is_named_and_listed_as_cut_off() {
    let dir = TempDir::new("cut-entry");
    let name = "BioStarX_20250113_000000.tgz";
    let mut raw = raw_tar(&[("BioStarX_20250113_000000/big".into(), &[7u8; 4096][..])]);
    raw.truncate(512 + 300);
    dir.file(name, &gzip(&raw));
    let (code, said) = run(&["inspect", "--entries", name], &dir);
    assert_eq!(code, Some(1), "{said}");
    let row =
        "-          4096  cut off: 300 of its 4096 bytes read  BioStarX_20250113_000000/big\n";
    assert!(said.contains(row), "{said}");
    let named = "the entry BioStarX_20250113_000000/big, whose header is at byte 0, says it holds 4096 bytes, but the archive ends first";
    assert!(said.contains(named), "{said}");
    let (_, said) = run(&["inspect", "--entries", "--json", name], &dir);
    let v: serde_json::Value = serde_json::from_str(said.trim()).unwrap();
    assert_eq!(v["cut_off"]["path"], "BioStarX_20250113_000000/big");
    assert_eq!(v["cut_off"]["read"], 300);
    let (_, said) = run(&["inspect", name], &dir);
    assert!(
        said.contains(&format!(
            "problem: Byte 812 of the uncompressed archive: {named}"
        )),
        "{said}"
    );
}

#[test]
fn check_refuses_an_unknown_device_and_names_a_known_one_as_its_maker_writes_it() {
    let dir = TempDir::new("device-names");
    let name = "BioStarX_20250102_030405.tgz";
    dir.file(name, &data_file_with_paths("BioStarX_20250102_030405"));
    let (code, said) = run(
        &["check", name, "--device", "Foo", "--firmware", "1.0"],
        &dir,
    );
    assert_eq!(code, Some(2), "{said}");
    assert!(said.starts_with("bioport: --device \"Foo\" is not a model bioport knows: give one of BioStation 2, BioStation A2,"), "{said}");
    assert!(!said.contains("exported for the Foo"), "{said}");
    let (_, said) = run(
        &[
            "check",
            name,
            "--device",
            "biostation 3",
            "--firmware",
            "1.0",
        ],
        &dir,
    );
    assert!(said.contains("The BioStation 3 runs firmware"), "{said}");
    assert!(said.contains("exported for the BioStation 3:"), "{said}");
    assert!(!said.contains("biostation 3"), "{said}");
}

#[test]
fn a_copys_name_renames_to_the_devices_name_with_its_paths() {
    let dir = TempDir::new("rename-copy");
    let tgz = data_file_with_paths("BioStarX_20250102_030405");
    let renamed = dir.path("BioStar2_20250102_030405.tgz");
    for (copy, dropped) in [
        ("BioStarX_20250102_030405 (1).tgz", "the suffix \" (1)\""),
        (
            "BioStarX_20250102_030405 - Copy.tgz",
            "the suffix \" - Copy\"",
        ),
        ("BioStarX_20250102_030405.tar.gz", "the extension .tar.gz"),
    ] {
        dir.file(copy, &tgz);
        let o = bioport(&["rename", copy, "--rewrite-paths"], &dir.0);
        assert_eq!(o.status.code(), Some(0), "{copy}: {}", stderr(&o));
        let said = format!("  name: BioStar2_20250102_030405.tgz: dropped {dropped}");
        assert!(stdout(&o).contains(&said), "{}", stdout(&o));
        assert!(
            stdout(&o).contains("2 entries, 2 names changed"),
            "{}",
            stdout(&o)
        );
        let o = bioport(
            &[
                "inspect",
                "--entries",
                "--json",
                "BioStar2_20250102_030405.tgz",
            ],
            &dir.0,
        );
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["entries"][0]["path"], "BioStar2_20250102_030405/users.db");
        fs::remove_file(&renamed).unwrap();
    }
}

#[test]
fn a_comparison_with_a_cut_off_or_foreign_file_says_it_is_incomplete_and_exits_2() {
    let dir = TempDir::new("diff-cut");
    let tgz = data_file_with_paths("BioStarX_20250102_030405");
    dir.file("whole.tgz", &tgz);
    dir.file("cut.tgz", &tgz[..tgz.len() - 20]);
    dir.file("user.dat", &[0u8; 72]);
    // A file that is no data file is refused before any comparison, as inspect does.
    let (code, said) = run(&["diff", "whole.tgz", "user.dat"], &dir);
    assert_eq!(code, Some(2), "{said}");
    let refused = "bioport: Not a file bioport reads: user.dat: this is not gzip (it does not start with the bytes 1f 8b) nor a tar archive";
    assert!(said.starts_with(refused), "{said}");
    assert!(!said.contains("removed"), "{said}");
    {
        let other = "cut.tgz";
        let o = bioport(&["diff", "whole.tgz", other], &dir.0);
        assert_eq!(o.status.code(), Some(2), "{other}: {}", stdout(&o));
        let said = format!("bioport: The comparison is incomplete: {other} is damaged or not a data file (see the findings)");
        assert!(stderr(&o).starts_with(&said), "{}", stderr(&o));
        let o = bioport(&["diff", "whole.tgz", other, "--json"], &dir.0);
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert!(v["incomplete"].as_str().unwrap().contains(other), "{v}");
    }
    let o = bioport(&["diff", "whole.tgz", "whole.tgz"], &dir.0);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn a_reader_that_stops_early_ends_the_listing_quietly() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    let dir = TempDir::new("closed-pipe");
    let entries: Vec<(String, &[u8])> = (0..20_000)
        .map(|i| (format!("u/{i}.bin"), &b"x"[..]))
        .collect();
    dir.file("BioStarX_20250102_030405.tgz", &gzip(&raw_tar(&entries)));
    let mut child = Command::new(env!("CARGO_BIN_EXE_bioport"))
        .args(["inspect", "--entries", "BioStarX_20250102_030405.tgz"])
        .current_dir(&dir.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is gone (as `| head -1` goes): the next lines find the pipe closed.
    let o = child.wait_with_output().unwrap();
    assert!(first.contains("exported 2025-01-02 03:04:05"), "{first}");
    assert_eq!(
        o.status.signal(),
        Some(13),
        "ended by SIGPIPE, as cat is: {:?}",
        o.status
    );
    assert_eq!(stderr(&o), "", "no panic, no backtrace");
}

#[test]
fn inspect_and_rename_say_when_a_data_file_name_holds_no_real_time() {
    let dir = TempDir::new("bad-stamp");
    let tgz = data_file_with_paths("users");
    dir.file("BioStarX_20251302_250000.tgz", &tgz);
    dir.file("BioStarX_20250102_030405.tgz", &tgz);
    let said = "  name: the name BioStarX_20251302_250000.tgz has the pattern of a data file, but 20251302_250000 is not a date and time (YYYYMMDD_HHMMSS); a device may refuse it\n";
    let o = bioport(&["inspect", "BioStarX_20251302_250000.tgz"], &dir.0);
    assert!(stdout(&o).contains(said), "{}", stdout(&o));
    let o = bioport(&["inspect", "BioStarX_20250102_030405.tgz"], &dir.0);
    assert!(
        stdout(&o).contains("\n  exported 2025-01-02 03:04:05\n"),
        "{}",
        stdout(&o)
    );
    // Refused as a device may refuse it (exit 1, nothing written), renamed with --anyway.
    let bad = ["rename", "BioStarX_20251302_250000.tgz", "-o", "out"];
    let o = bioport(&bad, &dir.0);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).starts_with(said), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("is not a date and time, so a device may refuse the file: rename it by hand to its real export time"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path("out/BioStar2_20251302_250000.tgz").exists());
    let o = bioport(&[&bad[..], &["--anyway"]].concat(), &dir.0);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).starts_with(said), "{}", stdout(&o));
    let overrode = "bioport: written as --anyway asks, though the name's export time (above) is not a date and time, so a device may refuse the file.\n";
    assert_eq!(stderr(&o), overrode);
    assert_eq!(
        fs::read(dir.path("out/BioStar2_20251302_250000.tgz")).unwrap(),
        tgz
    );
}

#[test]
fn inspect_reports_links_in_a_data_file_as_problems() {
    let dir = TempDir::new("hostile");
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Symlink);
    header.set_size(0);
    header.set_mode(0o777);
    tar.append_link(&mut header, "users/link", "/etc/passwd")
        .unwrap();
    dir.file(
        "BioStarX_20250102_030405.tgz",
        &gzip(&tar.into_inner().unwrap()),
    );
    let o = bioport(&["inspect", "BioStarX_20250102_030405.tgz"], &dir.0);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("problem: ") && out.contains("/etc/passwd"),
        "{out}"
    );
}

/// Runs `bioport` with `args` in `dir`: its exit code and what it printed.
fn run(args: &[&str], dir: &TempDir) -> (Option<i32>, String) {
    let o = bioport(args, &dir.0);
    (o.status.code(), format!("{}{}", stdout(&o), stderr(&o)))
}

#[test]
fn a_plain_tar_named_tgz_is_a_finding_everywhere_and_renames_only_compressed() {
    let dir = TempDir::new("plain-tar");
    let name = "BioStarX_20240310_000011.tgz";
    dir.file(name, &raw_tar(&[("users.db".into(), b"encrypted users")]));
    let gzip_said = "this is a tar archive that is not gzip-compressed: a device expects a gzip-compressed tar (.tgz). Compress it (gzip -c";
    let (code, said) = run(&["inspect", "--entries", name], &dir);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains(&format!("problem: Byte 0 of the file: {gzip_said}")),
        "{said}"
    );
    let mut check = vec!["check", name, "--device", "BioStation 2"];
    check.extend(["--firmware", "1.9.0"]);
    let (code, said) = run(&check, &dir);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains(gzip_said), "{said}");
    let (code, said) = run(&["rename", name], &dir);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("add --rewrite-paths to write it gzip-compressed"),
        "{said}"
    );
    // As it is with --anyway: written, a plain tar still, exit 1 saying so.
    let (code, said) = run(&["rename", "--anyway", name], &dir);
    assert_eq!(code, Some(1), "{said}");
    let overrode = "\nbioport: written as --anyway asks, though the data file is a tar archive that is not gzip-compressed (above), written as it is, so a device cannot import it.\n";
    assert!(said.ends_with(overrode), "{said}");
    let written = dir.0.join("BioStar2_20240310_000011.tgz");
    assert_eq!(fs::read(&written).unwrap()[..2], *b"us");
    fs::remove_file(&written).unwrap();
    let (code, said) = run(&["rename", "--rewrite-paths", name], &dir);
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(fs::read(written).unwrap()[..2], [0x1f, 0x8b]);
    let (code, said) = run(
        &["inspect", "--entries", "BioStar2_20240310_000011.tgz"],
        &dir,
    );
    assert_eq!(code, Some(0), "{said}");
}

#[test]
fn data_compressing_past_200_to_1_lists_whole() {
    let dir = TempDir::new("ratio");
    let name = "BioStarX_20240310_000011.tgz";
    let pages = vec![0u8; 70 << 20];
    let tgz = gzip(&raw_tar(&[("db".into(), &pages), ("after".into(), b"abc")]));
    assert!(tgz.len() < (70 << 20) / 250, "{} bytes", tgz.len());
    dir.file(name, &tgz);
    let (code, said) = run(&["inspect", "--entries", name], &dir);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains(": 2 entries (2 files,"), "{said}");
    // Noted, not a problem: read through in flat memory all the same.
    assert!(said.contains("  note: Byte 71487 of the file: the gzip data inflates about 1026:1 (71487 bytes as stored"), "{said}");
    assert!(!said.contains("problem:"), "{said}");
    let (code, said) = run(&["inspect", name], &dir);
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("  note: Byte 71487 of the file: the gzip data inflates about 1026:1"),
        "{said}"
    );
}

#[test]
fn diff_says_entries_are_missing_only_when_the_damage_cut_the_listing_short() {
    let dir = TempDir::new("diff-crc");
    let (tgz, _) = data_file();
    let mut crc = tgz.clone();
    let at = crc.len() - 8;
    crc[at] ^= 1;
    dir.file("a.tgz", &tgz);
    dir.file("crc.tgz", &crc);
    let (code, said) = run(&["diff", "a.tgz", "crc.tgz"], &dir);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("0 added, 0 removed, 0 changed, 2 the same"),
        "{said}"
    );
    assert!(said.contains("crc.tgz is damaged past the last entry (see the findings): every entry was read and compared, none is missing"), "{said}");
    assert!(
        !said.contains("missing and show as removed or added"),
        "{said}"
    );
}

#[test]
fn a_data_file_not_packed_as_biostar_writes_it_is_renamed_only_with_anyway_or_rewritten() {
    let dir = TempDir::new("rename-repack");
    let name = "BioStarX_20250102_030405.tgz";
    let tgz = data_file_with_paths("BioStarX_20250102_030405");
    let trailing = [&tgz[..], &[0x55; 80]].concat();
    let joined = [&tgz[..], &gzip(&[0u8; 1024])].concat();
    let renamed = dir.path("BioStar2_20250102_030405.tgz");
    let found = [
        format!(
            "  problem: Byte {} of the file: 80 bytes that are not gzip follow",
            tgz.len()
        ),
        format!(
            "  problem: Byte {} of the file: gzip member 2 starts here",
            tgz.len()
        ),
    ];
    for (bytes, found) in [(&trailing, &found[0]), (&joined, &found[1])] {
        dir.file(name, bytes);
        let (code, said) = run(&["rename", name], &dir);
        assert_eq!(code, Some(1), "{said}");
        assert!(said.contains(found.as_str()), "{said}");
        assert!(said.contains("so a device may refuse it: add --rewrite-paths to write it again as one gzip member"), "{said}");
        assert!(!said.contains("would rename"), "{said}");
        assert!(!renamed.exists());
        let (code, said) = run(&["rename", name, "--anyway"], &dir);
        assert_eq!(code, Some(1), "{said}");
        let overrode = "\nbioport: written as --anyway asks, though the data file is not packed as BioStar writes it (above), written as it is, so a device may refuse it.\n";
        assert!(said.ends_with(overrode), "{said}");
        assert_eq!(&fs::read(&renamed).unwrap(), bytes);
        fs::remove_file(&renamed).unwrap();
        let (code, said) = run(&["rename", name, "--rewrite-paths"], &dir);
        assert_eq!(code, Some(0), "{said}");
        let (code, said) = run(&["inspect", "BioStar2_20250102_030405.tgz"], &dir);
        assert_eq!(
            code,
            Some(0),
            "written as one member, nothing after: {said}"
        );
        fs::remove_file(&renamed).unwrap();
    }
}

#[test]
fn a_file_that_is_no_data_file_is_not_renamed_even_with_anyway() {
    let dir = TempDir::new("rename-foreign");
    let name = "BioStarX_20240701_000000.tgz";
    dir.file(name, &[0x07; 432]);
    for args in [&["rename", name][..], &["rename", name, "--anyway"]] {
        let (code, said) = run(args, &dir);
        assert_eq!(code, Some(2), "{said}");
        let refused = format!("bioport: Not a file bioport reads: {name} is named like a BioStar data file but is not gzip-compressed");
        assert!(said.contains(&refused), "{said}");
        assert!(!said.contains("--anyway"), "{said}");
        assert!(!dir.path("BioStar2_20240701_000000.tgz").exists());
    }
}

#[test]
fn a_file_that_is_no_data_file_gets_one_answer_from_every_command() {
    let dir = TempDir::new("no-data-file");
    let gz_text = gzip(&b"name,id\nAnn,1\n".repeat(40));
    dir.file("BioStarX_20250109_000000.tgz", &[0x5a; 4000]);
    dir.file("BioStarX_20250112_000000.tgz", &gz_text);
    for (name, why) in [
        (
            "BioStarX_20250109_000000.tgz",
            " is named like a BioStar data file but is not gzip-compressed",
        ),
        (
            "BioStarX_20250112_000000.tgz",
            ": the contents are not a tar archive (the first 512 bytes are not a tar header)",
        ),
    ] {
        let device = ["--device", "BioStation 2", "--firmware", "1.9.0"];
        for args in [
            vec!["inspect", name],
            vec!["inspect", "--entries", name],
            vec!["inspect", "--entries", "--json", name],
            vec!["check", name],
            [&["check", name][..], &device].concat(),
            vec!["diff", name, name],
        ] {
            let (code, said) = run(&args, &dir);
            assert_eq!(code, Some(2), "{args:?}: {said}");
            // The reason inspect gives, whatever the command.
            assert!(said.contains(&format!("{name}{why}")), "{args:?}: {said}");
            assert!(!said.contains("problem:"), "{args:?}: {said}");
        }
    }
}

#[test]
fn random_bytes_are_not_a_file_bioport_reads_in_the_same_words_from_every_command() {
    let dir = TempDir::new("random-bytes");
    let noise: Vec<u8> = (0..3000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for name in ["x.tgz", "notes.bin", "BioStarX_20250102_030405.tgz"] {
        dir.file(name, &noise);
        let o = bioport(&["inspect", name], &dir.0);
        assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
        let out = stdout(&o);
        let head = format!("{name}: Not a file bioport reads (3,000 bytes)\n  ");
        let reason = out.strip_prefix(&head).unwrap_or_else(|| panic!("{out}"));
        let reason = reason.lines().next().unwrap();
        assert!(reason.starts_with(name), "{reason}");
        // "Not a file bioport reads: " goes before a reason that does not say so itself.
        let refused = match reason.contains(" is not a file bioport reads") {
            true => format!("bioport: {reason}\n"),
            false => format!("bioport: Not a file bioport reads: {reason}\n"),
        };
        let mut commands = vec![vec!["check", name], vec!["diff", name, name]];
        commands.extend(name.starts_with("BioStarX_").then(|| vec!["rename", name]));
        for args in commands {
            let o = bioport(&args, &dir.0);
            assert_eq!(o.status.code(), Some(2), "{args:?}");
            assert_eq!(stderr(&o), refused, "{args:?}");
        }
    }
}

#[test]
fn diff_names_a_file_not_packed_as_biostar_writes_it_and_exits_1() {
    let dir = TempDir::new("diff-flaws");
    let tgz = data_file_with_paths("BioStarX_20250102_030405");
    let raw = raw_tar(&[
        (
            "BioStarX_20250102_030405/users.db".into(),
            b"encrypted users",
        ),
        (
            "BioStarX_20250102_030405/photos/1.jpg".into(),
            &[0xff, 0xd8, 0xff, 0xe0],
        ),
    ]);
    dir.file("a.tgz", &tgz);
    dir.file("trailing.tgz", &[&tgz[..], b"junk"].concat());
    dir.file("plain.tgz", &raw);
    for (other, flaw) in [
        (
            "trailing.tgz",
            "bytes that are not gzip after its compressed data",
        ),
        ("plain.tgz", "a tar archive that is not gzip-compressed"),
    ] {
        let (code, said) = run(&["diff", "a.tgz", other], &dir);
        assert_eq!(code, Some(1), "{said}");
        assert!(
            said.contains("0 added, 0 removed, 0 changed, 2 the same"),
            "{said}"
        );
        let note = format!("  {other} is not as BioStar writes a data file ({flaw}; see the findings), so a device may refuse it.");
        assert!(said.contains(&note), "{said}");
        assert!(
            said.contains(&format!("  {other}: ")),
            "the finding, by file: {said}"
        );
    }
}
