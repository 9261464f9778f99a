//! The face image commands, run as a program: `bioport check users.csv --faces DIR` and
//! `bioport faces DIR --users users.csv`, on folders of images encoded here (then cut,
//! renamed and padded past 10 MB), checking exit codes and what is printed.

#![cfg(not(target_arch = "wasm32"))]

#[path = "common/cli_support.rs"]
mod cli_support;
#[path = "common/images.rs"]
mod images;

use cli_support::{bioport, stderr, stdout, TempDir};
use images::{jpeg, png};

/// A real PNG made over 10 MB by a private chunk before its end chunk.
fn heavy_png() -> Vec<u8> {
    let p = png(300, 300, 7);
    let (body, end) = p.split_at(p.len() - 12);
    let pad = 11usize << 20;
    let mut out = body.to_vec();
    out.extend_from_slice(&(pad as u32).to_be_bytes());
    out.extend_from_slice(b"prVt");
    out.resize(out.len() + pad + 4, 0);
    out.extend_from_slice(end);
    out
}

/// `bioport faces` on the folder `import`, writing the new users to `new.csv`.
const NEW_USERS: [&str; 6] = [
    "faces",
    "import",
    "--users",
    "users.csv",
    "--new-users",
    "new.csv",
];

/// Writes `files` (path, bytes) into `dir`, making their folders.
fn write_all(dir: &TempDir, files: &[(&str, &[u8])]) {
    for (name, bytes) in files {
        if let Some(parent) = dir.path(name).parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        dir.file(name, bytes);
    }
}

/// A folder of faces with one of each problem, and the CSV naming them.
fn sample(dir: &TempDir) {
    std::fs::create_dir_all(dir.path("faces")).unwrap();
    let face = |name: &str, bytes: &[u8]| dir.file(&format!("faces/{name}"), bytes);
    face("kim.jpg", &jpeg(300, 300, 0));
    face("lee.jpg", &jpeg(300, 300, 1));
    face(
        "gif.png",
        b"GIF89a\x10\x00\x10\x00\x80\x00\x00rest of a gif",
    );
    face("small.png", &png(100, 120, 2));
    let cut = jpeg(300, 300, 3);
    face("cut.jpg", &cut[..cut.len() / 2]);
    face("heavy.png", &heavy_png());
    face("twin.png", &png(260, 260, 4));
    face("twin2.png", &png(260, 260, 4));
    face("unused.jpg", &jpeg(260, 260, 5));
    dir.file(
        "users.csv",
        b"user_id,name,face_image_file1,face_image_file2\r\n\
          1,Kim,kim.jpg,\r\n\
          2,Lee,Lee.JPG,\r\n\
          3,Park,park.jpg,gif.png\r\n\
          4,Choi,small.png,cut.jpg\r\n\
          5,Jung,heavy.png,\r\n\
          6,Kang,twin.png,\r\n\
          7,Yoon,twin2.png,kim.jpg\r\n",
    );
}

#[test]
fn check_with_faces_names_every_problem() {
    let dir = TempDir::new("faces-check");
    sample(&dir);
    let plain = bioport(&["check", "users.csv"], &dir.0);
    assert_eq!(plain.status.code(), Some(0), "{}", stdout(&plain));
    let o = bioport(&["check", "users.csv", "--faces", "faces"], &dir.0);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(
        out.contains(
            "face images: 9 images: 9 errors and 1 warning on rows; 1 image named by no row."
        ),
        "{out}"
    );
    assert!(out.contains("named by no row: unused.jpg"), "{out}");
    for expected in [
        "line 2      C   error   Line 2, column \"face_image_file1\" (C): \"kim.jpg\" is also named on line 8",
        "no file is named exactly \"Lee.JPG\", but \"lee.jpg\" differs only in case",
        "\"park.jpg\" is not in the face image folder",
        "gif.png is a GIF image by its bytes",
        "small.png is 100 x 120 px, under the 250 x 250 px",
        "cut.jpg is cut off: the image data stops before its end marker",
        "\"twin.png\" has the same bytes as \"twin2.png\", named on line 8",
        "\"twin2.png\" has the same bytes as \"twin.png\", named on line 7",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
    let heavy = format!(
        "heavy.png is {} bytes, over the server's limit of 10 MB (10,485,760 bytes)",
        bioport::text::grouped(heavy_png().len() as u64)
    );
    assert!(out.contains(&heavy), "{out}");
}

#[test]
fn check_with_faces_as_json() {
    let dir = TempDir::new("faces-json");
    sample(&dir);
    let o = bioport(
        &["check", "users.csv", "--faces", "faces", "--json"],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["faces"]["images"], 9);
    assert_eq!(v["faces"]["unnamed"], serde_json::json!(["unused.jpg"]));
    assert_eq!(v["faces"]["bytes_compared"], true);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["line"] == 5)
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["face_image.under_250px", "face_image.damaged"]);
    let missing = bioport(
        &["check", "users.csv", "--faces", "nowhere", "--json"],
        &dir.0,
    );
    assert_eq!(missing.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&missing.stdout).unwrap();
    assert!(v["error"]
        .as_str()
        .unwrap()
        .contains("nowhere: not a folder of face images"));
}

#[test]
fn faces_by_file_name() {
    let dir = TempDir::new("faces-by-name");
    std::fs::create_dir_all(dir.path("import")).unwrap();
    dir.file("import/1.jpg", &jpeg(300, 300, 0));
    dir.file("import/2.jpg", &jpeg(300, 300, 1));
    dir.file("import/2.png", &png(300, 300, 1));
    dir.file("import/77.png", &png(300, 300, 2));
    dir.file("users.csv", b"user_id,name\r\n1,Kim\r\n2,Lee\r\n3,Park\r\n");
    let o = bioport(&["faces", "import", "--users", "users.csv"], &dir.0);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(
        out.starts_with("import: 4 images; 3 users, 2 with an image, 1 without"),
        "{out}"
    );
    assert!(
        out.contains("Line 4: user 3 has no image in the folder"),
        "{out}"
    );
    assert!(
        out.contains("77.png is named after no user ID of users.csv"),
        "{out}"
    );
    assert!(
        out.contains("User 2 has 2 images (2.jpg, 2.png): keep one."),
        "{out}"
    );
    let j = bioport(
        &["faces", "import", "--users", "users.csv", "--json"],
        &dir.0,
    );
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
    assert_eq!(v["new_users"], serde_json::json!(["77"]));
    assert_eq!(v["images"][0]["width"], 300);
    assert_eq!(v["report"]["matched"], 2);
    assert_eq!(v["new_users_check"], serde_json::Value::Null);
    // The image named after no user, written as a new user with its face.
    let n = bioport(&NEW_USERS, &dir.0);
    assert!(
        stdout(&n).contains("1 new user written to new.csv"),
        "{}",
        stdout(&n)
    );
    assert_eq!(
        std::fs::read(dir.path("new.csv")).unwrap(),
        b"user_id,name,face_image_file1\r\n77,,77.png\r\n"
    );
    dir.file("import/Ann.png", &png(300, 300, 4));
    let j = bioport(&[&NEW_USERS[..], &["--json"]].concat(), &dir.0);
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
    let check = v["new_users_check"].as_array().unwrap();
    assert_eq!(check.len(), 1, "{check:?}");
    assert!(
        check[0]
            .as_str()
            .unwrap()
            .starts_with("Line 3, column \"user_id\""),
        "{check:?}"
    );
    std::fs::remove_file(dir.path("import/Ann.png")).unwrap();
    // Fixed: one image per user, every user has one.
    std::fs::remove_file(dir.path("import/2.png")).unwrap();
    std::fs::remove_file(dir.path("import/77.png")).unwrap();
    dir.file("import/3.png", &png(300, 300, 3));
    let clean = bioport(&["faces", "import", "--users", "users.csv"], &dir.0);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
}

#[test]
fn an_archive_of_faces_is_said_to_need_unpacking() {
    let dir = TempDir::new("faces-zip");
    std::fs::create_dir_all(dir.path("faces")).unwrap();
    dir.file("faces/kim.jpg", &jpeg(300, 300, 0));
    dir.file("faces/faces.zip", b"PK\x03\x04 a zip of the other photos");
    dir.file(
        "users.csv",
        b"user_id,name,face_image_file1\r\n1,Kim,kim.jpg\r\n",
    );
    let o = bioport(&["check", "users.csv", "--faces", "faces"], &dir.0);
    let out = stdout(&o);
    assert!(
        out.contains("archive: faces.zip: the images packed in it are not read"),
        "{out}"
    );
    // Given as the folder itself, the archive is refused with what to do.
    let o = bioport(
        &["check", "users.csv", "--faces", "faces/faces.zip"],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("it is an archive; unpack it"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_file_in_a_subfolder_is_named_as_there_not_read() {
    let dir = TempDir::new("faces-sub");
    let users = b"user_id,name,face_image_file1\r\n3,Kim,3.png\r\n8,Lee,8.jpg\r\n";
    write_all(
        &dir,
        &[
            ("faces3/3.png", &png(300, 300, 0)),
            ("faces3/sub/8.jpg", &jpeg(300, 300, 1)),
            ("faces3/Thumbs.db", b"thumbs"),
            ("users.csv", users),
        ],
    );
    let o = bioport(&["check", "users.csv", "--faces", "faces3"], &dir.0);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    for expected in [
        "face images: 1 image: 1 error and 0 warnings on rows; 0 images named by no row.",
        "note: 1 file in a sub-folder, where BioStar does not look, not read: sub/8.jpg.",
        "note: 1 system file skipped (written by the system, not photos): Thumbs.db.",
        "\"8.jpg\" is in the sub-folder \"sub\", where BioStar does not look: move it into \
         the folder you pick at import.",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
}

#[test]
fn convert_with_faces_writes_what_the_page_writes() {
    use bioport::workbench::faces::disk::read_folder;
    use bioport::workbench::{ImportRows, OpenOptions, Workbook};
    let dir = TempDir::new("faces-convert");
    sample(&dir);
    let o = bioport(
        &[
            "convert",
            "users.csv",
            "--to",
            "biostar-csv",
            "-o",
            "out.csv",
            "--faces",
            "faces",
        ],
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    // The workbook core with the same folder, as the page's worker holds it.
    let csv = std::fs::read(dir.path("users.csv")).unwrap();
    let mut wb = Workbook::open(csv, "users.csv", OpenOptions::default()).unwrap();
    wb.set_face_folder(Some(read_folder(&dir.path("faces"), true).unwrap().0));
    let (mut import, mut errors) = (Vec::new(), Vec::new());
    wb.write_import(&mut import, ImportRows::ValidOnly).unwrap();
    wb.write_errors(&mut errors).unwrap();
    assert_eq!(std::fs::read(dir.path("out.csv")).unwrap(), import);
    assert_eq!(std::fs::read(dir.path("out_errors.csv")).unwrap(), errors);
    // Only line 2 (kim.jpg, found and sound) has no face image error... but kim.jpg is
    // named on line 8 too: no row is written without the folder's errors.
    let written = String::from_utf8(import).unwrap();
    assert!(!written.contains("heavy.png"), "{written}");
    let without = bioport(
        &[
            "convert",
            "users.csv",
            "--to",
            "biostar-csv",
            "-o",
            "plain.csv",
        ],
        &dir.0,
    );
    assert_eq!(without.status.code(), Some(0), "{}", stdout(&without));
    assert!(
        String::from_utf8(std::fs::read(dir.path("plain.csv")).unwrap())
            .unwrap()
            .contains("heavy.png")
    );
}

#[test]
fn by_file_name_ignores_what_is_no_image_and_keeps_refused_images_out_of_new_users() {
    let dir = TempDir::new("faces-by-name-junk");
    write_all(
        &dir,
        &[
            ("import/1.jpg", &jpeg(300, 300, 0)),
            ("import/99.jpg", &jpeg(300, 300, 1)),
            ("import/12.jpg", b""),
            (
                "import/11.jpg",
                b"GIF89a\x10\x00\x10\x00\x80\x00\x00rest of a gif",
            ),
            ("import/notes.txt", b"notes"),
            ("import/Thumbs.db", b"thumbs"),
            ("import/desktop.ini", b"[x]"),
            ("import/._99.jpg", b"\0\x05\x16\x07"),
            ("users.csv", b"user_id,name\r\n1,Kim\r\n"),
        ],
    );
    let o = bioport(&NEW_USERS, &dir.0);
    let out = stdout(&o);
    assert!(
        out.starts_with(
            "import: 4 images; 1 user, 1 with an image, 0 without; 3 images named after no \
             user; 0 users with two images; 2 image findings; 1 file not an image, ignored; 3 \
             system files skipped."
        ),
        "{out}"
    );
    assert!(out.contains("notes.txt is not an image"), "{out}");
    assert!(
        out.contains(
            "12.jpg is named after no user ID of users.csv, and the server would refuse it"
        ),
        "{out}"
    );
    assert!(out.contains("1 new user written to new.csv"), "{out}");
    assert_eq!(
        std::fs::read(dir.path("new.csv")).unwrap(),
        b"user_id,name,face_image_file1\r\n99,,99.jpg\r\n"
    );
}
