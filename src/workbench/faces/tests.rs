//! Tests of the face folder check, on images encoded here by real encoders and then cut,
//! renamed and patched.

// The encoders the command-line tests use too.
#[path = "../../../tests/common/images.rs"]
mod images;

pub(crate) use images::{jpeg, png};

use super::by_name::{check_by_name, UserRef};
use super::*;
use crate::workbench::validate::{Severity, UserIdType};
use crate::workbench::{OpenOptions, RowFilter, RowQuery, Workbook};

/// `png` with its IHDR claiming `w` x `h` (the pixels stay small).
pub(crate) fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut b = png(8, 8, 1);
    b[16..20].copy_from_slice(&w.to_be_bytes());
    b[20..24].copy_from_slice(&h.to_be_bytes());
    b
}

/// `jpeg` with its SOF0 claiming `w` x `h`.
pub(crate) fn jpeg_claiming(w: u16, h: u16) -> Vec<u8> {
    let mut b = jpeg(16, 16, 2);
    let p = b.windows(2).position(|m| m == [0xFF, 0xC0]).unwrap();
    b[p + 5..p + 7].copy_from_slice(&h.to_be_bytes());
    b[p + 7..p + 9].copy_from_slice(&w.to_be_bytes());
    b
}

/// Judges `bytes` as a whole file named `name`.
fn judge(name: &str, bytes: &[u8]) -> FaceImage {
    probe_with(name, bytes.len() as u64, |off, len| {
        Ok(bytes[off as usize..off as usize + len].to_vec())
    })
    .unwrap()
}

#[test]
fn real_images_are_read_by_their_headers() {
    let p = judge("kim.png", &png(300, 280, 0));
    assert_eq!(
        (p.kind, p.width, p.height, p.damage),
        (ImageKind::Png, 300, 280, None)
    );
    assert!(p.problems().is_empty());
    let j = judge("lee.jpg", &jpeg(320, 260, 0));
    assert_eq!(
        (j.kind, j.width, j.height, j.damage),
        (ImageKind::Jpeg, 320, 260, None)
    );
    assert!(j.problems().is_empty());
}

#[test]
fn kind_is_judged_by_bytes_not_name() {
    // A PNG named .jpg is still a PNG the server takes.
    assert_eq!(judge("kim.jpg", &png(260, 260, 0)).kind, ImageKind::Png);
    let gif = judge("gif.jpg", b"GIF89a\x10\x00\x10\x00\x80\x00\x00rest-of-gif");
    assert_eq!(gif.kind, ImageKind::Gif);
    assert_eq!(gif.problems(), vec![ImageProblem::NotJpgPng]);
    assert!(gif
        .explain(ImageProblem::NotJpgPng)
        .contains("a GIF image by its bytes"));
    let text = judge("notes.png", b"these are not image bytes at all");
    assert_eq!(text.kind, ImageKind::Unknown);
    assert_eq!(text.problems(), vec![ImageProblem::NotJpgPng]);
    let empty = judge("empty.jpg", b"");
    assert!(empty
        .explain(ImageProblem::NotJpgPng)
        .contains("empty (0 bytes)"));
}

#[test]
fn limits_from_headers_only() {
    let big = judge("big.png", &png_claiming(5000, 5000));
    assert_eq!((big.width, big.height), (5000, 5000));
    assert_eq!(big.problems(), vec![ImageProblem::TooLarge]);
    assert!(big
        .explain(ImageProblem::TooLarge)
        .contains("5000 x 5000 px"));
    let wide = judge("wide.jpg", &jpeg_claiming(4001, 300));
    assert_eq!(wide.problems(), vec![ImageProblem::TooLarge]);
    let small = judge("small.jpg", &jpeg(200, 300, 0));
    assert_eq!(small.problems(), vec![ImageProblem::TooSmall]);
    let edge = judge("edge.png", &png_claiming(4000, 250));
    assert!(edge.problems().is_empty());
    // Over 10 MB: a real PNG header and end with 11 MiB said by the file system.
    let bytes = png(300, 300, 0);
    let heavy = match probe("heavy.png", 11 << 20, &bytes, &bytes[bytes.len() - 64..]) {
        Probe::Done(image) => image,
        other => panic!("{other:?}"),
    };
    assert_eq!(heavy.problems(), vec![ImageProblem::TooManyBytes]);
    assert!(heavy
        .explain(ImageProblem::TooManyBytes)
        .contains("11,534,336 bytes, over the server's limit of 10 MB (10,485,760 bytes)"));
    // The limit the check uses is the one the message states.
    assert_eq!(MAX_FILE_BYTES, 10_485_760);
    assert!(MAX_FILE_BYTES_TEXT.contains(&crate::text::grouped(MAX_FILE_BYTES)));
}

#[test]
fn cut_and_corrupt_files_are_damaged() {
    let j = jpeg(300, 300, 0);
    let cut_header = judge("a.jpg", &j[..20]);
    assert_eq!(cut_header.damage, Some(Damage::HeaderCut));
    let cut_data = judge("b.jpg", &j[..j.len() / 2]);
    assert_eq!(cut_data.damage, Some(Damage::EndMissing));
    assert_eq!((cut_data.width, cut_data.height), (300, 300));
    let p = png(300, 300, 0);
    assert_eq!(
        judge("c.png", &p[..p.len() - 20]).damage,
        Some(Damage::EndMissing)
    );
    assert_eq!(judge("d.png", &p[..20]).damage, Some(Damage::HeaderCut));
    // A marker byte overwritten after the first segment.
    let mut bad = j.clone();
    let seg = usize::from(u16::from_be_bytes([bad[4], bad[5]]));
    bad[4 + seg] = 0x00;
    let corrupt = judge("e.jpg", &bad);
    assert_eq!(corrupt.damage, Some(Damage::HeaderCorrupt));
    assert_eq!(corrupt.problems(), vec![ImageProblem::Damaged]);
    assert!(corrupt
        .explain(ImageProblem::Damaged)
        .contains("corrupt header"));
}

#[test]
fn bytes_after_the_end_marker_do_not_make_a_jpeg_cut_off() {
    let j = jpeg(300, 300, 0);
    let mut video = j.clone();
    video.extend_from_slice(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom");
    video.extend(std::iter::repeat_n(0x11u8, 200_000));
    let mut padded = j.clone();
    padded.extend(std::iter::repeat_n(0u8, 512));
    let mut garbage = j.clone();
    garbage.extend_from_slice(&b"GARBAGE".repeat(10));
    for (name, bytes) in [
        ("motion.jpg", &video),
        ("padded.jpg", &padded),
        ("trail.jpg", &garbage),
    ] {
        let image = judge(name, bytes);
        assert_eq!((image.width, image.damage), (300, None), "{name}");
        assert!(image.problems().is_empty(), "{name}");
    }
    // A cut JPEG followed by bytes is still cut: no end marker after its scan.
    let mut cut = j[..j.len() / 2].to_vec();
    cut.extend(std::iter::repeat_n(0u8, 512));
    assert_eq!(judge("cut.jpg", &cut).damage, Some(Damage::EndMissing));
}

#[test]
fn a_header_past_the_first_bytes_is_read_on_demand() {
    // An APP1 segment (EXIF) of 60 KB twice, so SOF0 lies past the first 64 KiB.
    let j = jpeg(300, 300, 0);
    let mut big = j[..2].to_vec();
    for _ in 0..2 {
        big.extend_from_slice(&[0xFF, 0xE1, 0xEA, 0x60]);
        big.extend(std::iter::repeat_n(0u8, 0xEA60 - 2));
    }
    big.extend_from_slice(&j[2..]);
    assert!(matches!(
        probe("x.jpg", big.len() as u64, &big[..HEAD_BYTES], &[0xFF, 0xD9]),
        Probe::NeedMore(n) if n > HEAD_BYTES
    ));
    let mut asked = Vec::new();
    let image = probe_with("x.jpg", big.len() as u64, |off, len| {
        asked.push(len);
        Ok(big[off as usize..off as usize + len].to_vec())
    })
    .unwrap();
    assert_eq!((image.width, image.height, image.damage), (300, 300, None));
    assert_eq!(asked.len(), 3, "tail, first 64 KiB, then more: {asked:?}");
}

fn folder(files: &[(&str, Vec<u8>)]) -> FaceFolder {
    FaceFolder::new(files.iter().map(|(n, b)| judge(n, b)).collect())
}

#[test]
fn names_are_found_exactly_or_loosely() {
    let f = folder(&[
        ("kim.jpg", jpeg(260, 260, 0)),
        ("Lee.JPEG", jpeg(260, 260, 1)),
    ]);
    assert_eq!(f.find("kim.jpg"), Lookup::Exact(0));
    assert_eq!(f.find(" kim.jpg "), Lookup::Exact(0));
    assert_eq!(f.find("Kim.JPG"), Lookup::Differs(vec![0]));
    assert_eq!(f.find("kim.jpeg"), Lookup::Differs(vec![0]));
    assert_eq!(f.find("lee.jpg"), Lookup::Differs(vec![1]));
    assert_eq!(f.find("park.jpg"), Lookup::Missing);
}

#[test]
fn identical_bytes_are_found_by_size_then_hash() {
    let a = png(260, 260, 0);
    let c = png(260, 260, 9);
    let mut f = folder(&[
        ("a.png", a.clone()),
        ("b.png", a.clone()),
        ("c.png", c.clone()),
        ("d.jpg", jpeg(260, 260, 0)),
    ]);
    // c has the same size as a and b only if the encoder made it so; d never.
    let candidates = f.same_size_candidates();
    assert!(candidates.contains(&0) && candidates.contains(&1) && !candidates.contains(&3));
    let digests: Vec<(u32, Sha256Digest)> = candidates
        .iter()
        .map(|&i| {
            let bytes = [&a, &a, &c][i as usize];
            (i, digest_of(&bytes[..]).unwrap())
        })
        .collect();
    f.set_digests(&digests);
    assert!(f.bytes_compared());
    assert_eq!(f.identical_groups(), &[vec![0, 1]]);
    assert_eq!(f.same_bytes(1), &[0, 1]);
    assert!(f.same_bytes(3).is_empty());
}

const CSV: &str = "user_id,name,face_image_file1,face_image_file2\r\n\
1,Kim,kim.jpg,\r\n\
2,Lee,Lee.JPG,\r\n\
3,Park,park.jpeg,\r\n\
4,Choi,missing.png,\r\n\
5,Jung,gif.jpg,\r\n\
6,Kang,big.png,small.jpg\r\n\
7,Yoon,cut.jpg,heavy.png\r\n\
8,Lim,kim.jpg,\r\n\
9,Han,twin.png,\r\n";

fn sample_folder() -> FaceFolder {
    let bytes = png(300, 300, 0);
    let mut heavy = judge("heavy.png", &png(300, 300, 3));
    heavy.size = 11 << 20;
    let mut images = vec![
        judge("kim.jpg", &jpeg(300, 300, 0)),
        judge("lee.jpg", &jpeg(300, 300, 1)),
        judge("park.jpg", &jpeg(300, 300, 2)),
        judge("gif.jpg", b"GIF89a\x10\x00\x10\x00\x80\x00\x00rest"),
        judge("big.png", &png_claiming(5000, 5000)),
        judge("small.jpg", &jpeg(120, 120, 0)),
        judge("cut.jpg", &jpeg(300, 300, 4)[..20]),
        heavy,
        judge("twin.png", &bytes),
        judge("twin-copy.png", &bytes),
        judge("extra.png", &png(300, 300, 5)),
    ];
    images.push(judge("other.png", &png(300, 300, 6)));
    let mut f = FaceFolder::new(images);
    let d = digest_of(&bytes[..]).unwrap();
    f.set_digests(&[(8, d), (9, d)]);
    f
}

fn findings_of(wb: &Workbook, line: u64) -> Vec<(String, String)> {
    wb.findings()
        .filter(|(_, l, _)| *l == line)
        .map(|(_, _, f)| (f.rule, f.message))
        .collect()
}

fn rules_of(wb: &Workbook, line: u64) -> Vec<String> {
    findings_of(wb, line).into_iter().map(|(r, _)| r).collect()
}

#[test]
fn every_cell_finding_with_a_folder() {
    let mut wb = Workbook::open(CSV.as_bytes().to_vec(), "u.csv", OpenOptions::default()).unwrap();
    assert_eq!(
        wb.report()
            .count(crate::workbench::validate::Rule::FaceImageMissing),
        0
    );
    wb.set_face_folder(Some(sample_folder()));
    assert_eq!(rules_of(&wb, 2), vec!["face_image.shared"]);
    let lee = findings_of(&wb, 3);
    assert_eq!(lee[0].0, "face_image.name_differs");
    assert!(lee[0].1.contains("\"lee.jpg\""), "{}", lee[0].1);
    assert_eq!(rules_of(&wb, 4), vec!["face_image.name_differs"]);
    let missing = findings_of(&wb, 5);
    assert_eq!(missing[0].0, "face_image.missing");
    assert!(missing[0]
        .1
        .starts_with("Line 5, column \"face_image_file1\" (C): \"missing.png\""));
    assert_eq!(rules_of(&wb, 6), vec!["face_image.not_jpg_png"]);
    assert_eq!(
        rules_of(&wb, 7),
        vec!["face_image.over_4000px", "face_image.under_250px"]
    );
    let yoon = findings_of(&wb, 8);
    assert_eq!(yoon[0].0, "face_image.damaged");
    assert!(
        yoon[0].1.contains("cut.jpg ends inside its header"),
        "{}",
        yoon[0].1
    );
    assert_eq!(yoon[1].0, "face_image.over_10mb");
    let shared = findings_of(&wb, 9);
    assert_eq!(shared[0].0, "face_image.shared");
    assert!(
        shared[0].1.contains("also named on line 2"),
        "{}",
        shared[0].1
    );
    assert!(
        rules_of(&wb, 10).is_empty(),
        "twin.png alone has no twin named"
    );
    let unnamed: Vec<&str> = wb
        .report()
        .unnamed_images(wb.sheet(), wb.mapping())
        .into_iter()
        .map(|i| wb.face_folder().unwrap().image(i).unwrap().name.as_str())
        .collect();
    assert_eq!(unnamed, vec!["twin-copy.png", "extra.png", "other.png"]);
}

#[test]
fn findings_rerun_when_a_cell_changes() {
    let mut wb = Workbook::open(CSV.as_bytes().to_vec(), "u.csv", OpenOptions::default()).unwrap();
    wb.set_face_folder(Some(sample_folder()));
    // Row 8 (line 9) names twin-copy.png: now lines 9 and 10 have identical bytes.
    let changed = wb.edit_cell(8, 2, "twin-copy.png");
    assert_eq!(
        changed.iter().map(|r| r.line).collect::<Vec<_>>(),
        vec![9, 2, 10]
    );
    assert_eq!(rules_of(&wb, 2), Vec::<String>::new());
    assert_eq!(rules_of(&wb, 9), vec!["face_image.same_bytes"]);
    let twin = findings_of(&wb, 10);
    assert_eq!(twin[0].0, "face_image.same_bytes");
    assert!(
        twin[0]
            .1
            .contains("same bytes as \"twin-copy.png\", named on line 9"),
        "{}",
        twin[0].1
    );
    // Fixing a name clears its finding.
    let fixed = wb.edit_cell(2, 2, "lee.jpg");
    assert_eq!(fixed[0].line, 3);
    assert!(fixed[0].findings.is_empty());
    assert_eq!(
        fixed[0].status,
        crate::workbench::validate::RowStatus::Valid
    );
    let face_rows = wb.rows(&RowQuery {
        start: 0,
        count: 50,
        filter: RowFilter::FaceImages,
    });
    let lines: Vec<u64> = face_rows.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![4, 5, 6, 7, 8, 9, 10]);
}

#[test]
fn small_image_is_a_warning_and_face_rules_wait_for_a_folder() {
    let mut wb = Workbook::open(CSV.as_bytes().to_vec(), "u.csv", OpenOptions::default()).unwrap();
    assert!(wb
        .findings()
        .all(|(_, _, f)| !f.rule.starts_with("face_image.")));
    wb.set_face_folder(Some(sample_folder()));
    let small = wb
        .findings()
        .find(|(_, _, f)| f.rule == "face_image.under_250px")
        .unwrap();
    assert_eq!(small.2.severity, Severity::Warning);
    assert!(small.2.message.contains("small.jpg is 120 x 120 px"));
    wb.set_face_folder(None);
    assert!(wb
        .findings()
        .all(|(_, _, f)| !f.rule.starts_with("face_image.")));
}

#[test]
fn import_by_file_name() {
    let f = folder(&[
        ("1.jpg", jpeg(300, 300, 0)),
        ("2.jpg", jpeg(300, 300, 1)),
        ("2.png", png(300, 300, 1)),
        ("0003.png", png(100, 100, 2)),
        ("99.jpg", jpeg(300, 300, 3)),
    ]);
    let users: Vec<UserRef> = [("1", 2), ("2", 3), ("3", 4), ("4", 5)]
        .into_iter()
        .map(|(id, line)| UserRef {
            user_id: id.to_string(),
            line,
            in_export: false,
        })
        .collect();
    let r = check_by_name(&users, &f, UserIdType::Numeric);
    assert_eq!((r.users, r.images, r.matched), (4, 5, 3));
    assert_eq!(r.without_image, vec![users[3].clone()]);
    assert_eq!(r.not_a_user, vec![4]);
    assert_eq!(r.new_user_ids(&f), vec!["99"]);
    assert_eq!(r.two_images.len(), 1);
    assert_eq!(
        (
            r.two_images[0].user_id.as_str(),
            &r.two_images[0].images[..]
        ),
        ("2", &[1, 2][..])
    );
    assert_eq!(r.image_problems.len(), 1);
    assert_eq!(r.image_problems[0].problem, ImageProblem::TooSmall);
    let messages = r.messages(&f);
    assert_eq!(messages.len(), r.finding_count());
    assert!(messages[0].starts_with("Line 5: user 4 has no image"));
    assert!(messages[1].contains("99.jpg is named after no user ID of the file"));
    assert!(messages[2].contains("User 2 has 2 images (2.jpg, 2.png)"));
    // On an alphanumeric site "0003" is not user 3.
    let alnum = check_by_name(&users, &f, UserIdType::Alphanumeric);
    assert_eq!(alnum.not_a_user, vec![3, 4]);
}

#[test]
fn import_by_file_name_names_an_archive_and_leaves_it_out() {
    let f = folder(&[
        ("1.jpg", jpeg(300, 300, 0)),
        ("faces.zip", b"PK\x03\x04".to_vec()),
    ]);
    let users = [UserRef {
        user_id: "1".into(),
        line: 2,
        in_export: false,
    }];
    let r = check_by_name(&users, &f, UserIdType::Numeric);
    assert_eq!((r.images, r.matched, r.archives.clone()), (1, 1, vec![1]));
    assert!(r.not_a_user.is_empty() && r.image_problems.is_empty());
    assert!(r
        .new_users_csv(&f, &Default::default())
        .unwrap()
        .ends_with(b"face_image_file1\r\n"));
    assert_eq!(
        r.messages(&f),
        [
            "faces.zip is an archive, not an image: the server reads only the images of the \
          folder, so unpack it into the folder and pick the folder again."
        ]
    );
}

#[test]
fn import_by_file_name_counts_the_users_of_a_merged_export() {
    let mut wb = Workbook::open(
        b"user_id,name\r\n1,Kim\r\n2,Lee\r\n".to_vec(),
        "new.csv",
        OpenOptions::default(),
    )
    .unwrap();
    let f = folder(&[("1.jpg", jpeg(300, 300, 0)), ("7.png", png(300, 300, 1))]);
    let alone = wb.check_by_name(&f);
    assert_eq!((alone.users, alone.matched), (2, 1));
    assert_eq!(alone.new_user_ids(&f), vec!["7"]);
    wb.load_existing(
        b"user_id,name\r\n2,Lee\r\n007,Park\r\n".to_vec(),
        "export.csv",
    )
    .unwrap();
    let merged = wb.check_by_name(&f);
    let ids: Vec<String> = wb.users().into_iter().map(|u| u.user_id).collect();
    assert_eq!(
        ids,
        vec!["1", "2", "007"],
        "user 2 once, the export's 7 as written"
    );
    assert_eq!((merged.users, merged.matched), (3, 2));
    assert!(
        merged.not_a_user.is_empty(),
        "7.png is user 007 of the export"
    );
    assert_eq!(merged.without_image.len(), 1);
    assert_eq!(merged.without_image[0].user_id, "2");
    assert!(
        !merged.without_image[0].in_export,
        "user 2 is in the file too"
    );
    wb.load_existing(b"user_id,name\r\n9,Han\r\n".to_vec(), "export.csv")
        .unwrap();
    let messages = wb.check_by_name(&f).messages(&f);
    assert!(
        messages.contains(&"Line 2 of the export: user 9 has no image in the folder (expected 9.jpg or 9.png): the user gets no face.".to_string()),
        "{messages:?}"
    );
}

#[test]
fn images_named_after_no_user_download_as_new_users_with_their_faces() {
    let wb = Workbook::open(
        b"user_id,name\r\n1,Kim\r\n".to_vec(),
        "new.csv",
        OpenOptions::default(),
    )
    .unwrap();
    let f = folder(&[
        ("1.jpg", jpeg(300, 300, 0)),
        ("42.png", png(300, 300, 1)),
        ("Park Ji.jpg", jpeg(300, 300, 2)),
        ("7.jpeg", jpeg(300, 300, 3)),
    ]);
    let (csv, notes) = wb.new_users_from_faces(&wb.check_by_name(&f), &f).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "user_id,name,face_image_file1\r\n42,,42.png\r\nPark Ji,,Park Ji.jpg\r\n7,,7.jpeg\r\n"
    );
    // The site's import check on the new rows: a name that is no numeric user ID.
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].starts_with("Line 3, column \"user_id\""),
        "{notes:?}"
    );
    assert!(!notes[0].contains("Line 3: Line 3"), "{notes:?}");
    assert!(notes[0].contains("Park Ji"), "{notes:?}");
    // No image left over: a CSV of the header alone, nothing to check.
    let none = folder(&[("1.jpg", jpeg(300, 300, 0))]);
    let (csv, notes) = wb
        .new_users_from_faces(&wb.check_by_name(&none), &none)
        .unwrap();
    assert_eq!(csv, b"user_id,name,face_image_file1\r\n");
    assert!(notes.is_empty());
}

#[test]
fn a_file_name_with_spaces_around_it_is_found_and_warned_about() {
    let csv = "user_id,name,face_image_file1\r\n1,Kim, kim.jpg\r\n2,Lee,lee.jpg\r\n";
    let mut wb = Workbook::open(csv.as_bytes().to_vec(), "u.csv", OpenOptions::default()).unwrap();
    wb.set_face_folder(Some(sample_folder()));
    let kim = findings_of(&wb, 2);
    assert_eq!(kim.len(), 1, "{kim:?}");
    assert_eq!(kim[0].0, "face_image.name_spaces");
    assert!(
        kim[0]
            .1
            .contains("\" kim.jpg\" has spaces around the file name. bioport found \"kim.jpg\""),
        "{}",
        kim[0].1
    );
    assert!(rules_of(&wb, 3).is_empty());
}

#[test]
fn a_name_in_another_unicode_form_is_found_loosely_and_said_so() {
    // "Zoë" and "김" as macOS stores file names: the letter, then the accent or jamo.
    let images = vec![
        judge("Zoe\u{308}.jpg", &jpeg(300, 300, 0)),
        judge("\u{1100}\u{1175}\u{11B7}.jpg", &jpeg(300, 300, 1)),
    ];
    let csv = "user_id,name,face_image_file1\r\n1,Zoë,Zo\u{EB}.jpg\r\n2,Kim,\u{AE40}.jpg\r\n";
    let mut wb = Workbook::open(csv.as_bytes().to_vec(), "u.csv", OpenOptions::default()).unwrap();
    wb.set_face_folder(Some(FaceFolder::new(images)));
    for line in [2, 3] {
        let found = findings_of(&wb, line);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "face_image.unicode_form");
        assert!(
            found[0].1.contains(
                "is the same text in another Unicode form: the file's name is written decomposed"
            ),
            "{}",
            found[0].1
        );
        assert!(
            found[0].1.contains("rename the file on Windows"),
            "{}",
            found[0].1
        );
    }
    assert!(findings_of(&wb, 2)[0].1.contains("(ë as e + U+0308)"));
    // The other way round: the cell decomposed, the file's name composed.
    let csv = "user_id,name,face_image_file1\r\n1,Zoë,Zoe\u{308}.jpg\r\n";
    let mut wb = Workbook::open(csv.as_bytes().to_vec(), "u.csv", OpenOptions::default()).unwrap();
    wb.set_face_folder(Some(folder(&[("Zo\u{EB}.jpg", jpeg(300, 300, 0))])));
    let found = findings_of(&wb, 2);
    assert_eq!(found[0].0, "face_image.unicode_form");
    assert!(
        found[0]
            .1
            .contains("the cell is written decomposed (ë as e + U+0308)")
            && found[0].1.contains("type the cell again"),
        "{}",
        found[0].1
    );
    // A case difference as well: the name differs, not only its form.
    let csv = "user_id,name,face_image_file1\r\n1,Zoë,zo\u{EB}.jpg\r\n";
    let mut wb = Workbook::open(csv.as_bytes().to_vec(), "u.csv", OpenOptions::default()).unwrap();
    wb.set_face_folder(Some(folder(&[("Zoe\u{308}.jpg", jpeg(300, 300, 0))])));
    assert_eq!(rules_of(&wb, 2), vec!["face_image.name_differs"]);
}

#[test]
fn a_file_in_a_subfolder_satisfies_no_cell_and_says_where_it_is() {
    let csv = "user_id,name,face_image_file1\r\n1,Kim,3.png\r\n2,Lee,8.jpg\r\n3,Park,9.jpg\r\n";
    let mut wb = Workbook::open(csv.as_bytes().to_vec(), "u.csv", OpenOptions::default()).unwrap();
    let mut f = folder(&[("3.png", png(300, 300, 0))]);
    f.set_subfolder_files(vec!["sub/8.jpg".into(), "sub/.DS_Store".into()]);
    f.set_digests(&[]);
    wb.set_face_folder(Some(f));
    assert!(rules_of(&wb, 2).is_empty());
    let found = findings_of(&wb, 3);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "face_image.in_subfolder");
    assert!(
        found[0].1.ends_with(
            "\"8.jpg\" is in the sub-folder \"sub\", where BioStar does not look: move it \
             into the folder you pick at import."
        ),
        "{}",
        found[0].1
    );
    assert_eq!(rules_of(&wb, 4), vec!["face_image.missing"]);
    let v = wb.face_view().unwrap();
    assert_eq!(v.images, 1);
    assert_eq!(v.in_subfolders, vec!["sub/8.jpg"]);
    assert_eq!(
        v.summary(),
        "1 image: 2 errors and 0 warnings on rows; 0 images named by no row."
    );
    assert!(v.notes()[0]
        .starts_with("1 file in a sub-folder, where BioStar does not look, not read: sub/8.jpg."));
}

#[test]
fn system_files_are_skipped_and_counted() {
    let f = folder(&[
        ("1.jpg", jpeg(300, 300, 0)),
        ("Thumbs.db", b"\xd0\xcf\x11\xe0 thumbs".to_vec()),
        ("desktop.ini", b"[.ShellClassInfo]".to_vec()),
        (".DS_Store", b"\0\0\0\x01Bud1".to_vec()),
        ("._1.jpg", b"\0\x05\x16\x07 resource fork".to_vec()),
    ]);
    assert_eq!(f.images().len(), 1);
    assert_eq!(
        f.skipped_system,
        ["Thumbs.db", "desktop.ini", ".DS_Store", "._1.jpg"]
    );
    let csv = "user_id,name,face_image_file1\r\n1,Kim,1.jpg\r\n";
    let mut wb = Workbook::open(csv.as_bytes().to_vec(), "u.csv", OpenOptions::default()).unwrap();
    let mut f = f;
    f.set_digests(&[]);
    wb.set_face_folder(Some(f));
    let v = wb.face_view().unwrap();
    assert_eq!(
        v.summary(),
        "1 image: 0 errors and 0 warnings on rows; 0 images named by no row."
    );
    assert_eq!(
        v.notes(),
        ["4 system files skipped (written by the system, not photos): .DS_Store, ._1.jpg, Thumbs.db, desktop.ini."]
    );
}

#[test]
fn import_by_file_name_takes_only_sound_jpg_and_png_files_as_new_users() {
    let cut = jpeg(300, 300, 3);
    let mut images: Vec<FaceImage> = [
        ("1.jpg", jpeg(300, 300, 0)),
        ("notes.txt", b"notes".to_vec()),
        ("faces.zip", b"PK\x03\x04".to_vec()),
        ("Thumbs.db", b"thumbs".to_vec()),
        ("desktop.ini", b"[x]".to_vec()),
        (".DS_Store", b"ds".to_vec()),
        ("12.jpg", Vec::new()),
        ("11.jpg", b"GIF89a\x10\x00\x10\x00\x80\x00\x00rest".to_vec()),
        ("13.jpg", cut[..cut.len() / 2].to_vec()),
        ("99.jpg", jpeg(300, 300, 1)),
        ("6.jpg", jpeg(100, 100, 2)),
    ]
    .iter()
    .map(|(n, b)| judge(n, b))
    .collect();
    let mut big = judge("big.jpg", &jpeg(300, 300, 4));
    big.size = 11 << 20;
    images.push(big);
    let f = FaceFolder::new(images);
    let wb = Workbook::open(
        b"user_id,name\r\n1,Kim\r\n".to_vec(),
        "plain.csv",
        OpenOptions::default(),
    )
    .unwrap();
    let r = wb.check_by_name(&f);
    assert_eq!(
        r.summary(),
        "7 images; 1 user, 1 with an image, 0 without; 6 images named after no user; 0 users \
         with two images; 5 image findings; 1 file not an image, ignored; 1 archive; 3 system \
         files skipped."
    );
    let name = |i: &u32| f.image(*i).unwrap().name.as_str();
    assert_eq!(
        r.not_images.iter().map(name).collect::<Vec<_>>(),
        ["notes.txt"]
    );
    assert_eq!(
        r.refused_new.iter().map(name).collect::<Vec<_>>(),
        ["12.jpg", "11.jpg", "13.jpg", "big.jpg"]
    );
    // A small image is only a warning: it is still a new user.
    assert_eq!(r.new_user_ids(&f), ["99", "6"]);
    let (csv, _) = wb.new_users_from_faces(&r, &f).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "user_id,name,face_image_file1\r\n99,,99.jpg\r\n6,,6.jpg\r\n"
    );
    let messages = r.messages(&f);
    assert_eq!(messages.len(), r.finding_count());
    for expected in [
        "notes.txt is not an image (not .jpg, .jpeg or .png), ignored",
        "12.jpg is named after no user ID of plain.csv, and the server would refuse it (see its finding): it is left out of the new users.",
        "99.jpg is named after no user ID of plain.csv: the server would add user 99",
        "12.jpg is empty (0 bytes)",
    ] {
        assert!(messages.iter().any(|m| m.contains(expected)), "{expected:?} in {messages:#?}");
    }
}

#[test]
fn a_csv_without_face_columns_says_so_beside_its_folder() {
    let mut wb = Workbook::open(
        b"user_id,name\r\n1,Kim\r\n".to_vec(),
        "plain.csv",
        OpenOptions::default(),
    )
    .unwrap();
    assert!(!wb.view().faces_unchecked);
    wb.set_face_folder(Some(folder(&[("1.jpg", jpeg(300, 300, 0))])));
    let v = wb.face_view().unwrap();
    assert!(!v.face_columns);
    assert!(v.notes()[0].starts_with("No column of this CSV names face images"));
    assert!(v.notes()[0].contains("Did you mean an import by file name"));
}

#[test]
fn face_cells_are_said_unchecked_until_a_folder_is_added() {
    let mut wb = Workbook::open(CSV.as_bytes().to_vec(), "u.csv", OpenOptions::default()).unwrap();
    assert!(wb.view().faces_unchecked);
    wb.set_face_folder(Some(sample_folder()));
    assert!(!wb.view().faces_unchecked);
    assert!(wb.face_view().unwrap().face_columns);
    let blank = "user_id,name,face_image_file1\r\n1,Kim,\r\n";
    let wb = Workbook::open(blank.as_bytes().to_vec(), "u.csv", OpenOptions::default()).unwrap();
    assert!(!wb.view().faces_unchecked, "no cell names a file");
}
