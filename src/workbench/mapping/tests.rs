//! Tests of automatic mapping: exact, normalized, alias and fuzzy matches, conflicts.
use super::*;

fn target(m: &Mapping, col: usize) -> Option<Field> {
    m.columns[col].target.clone()
}

#[test]
fn exact_headers_map_exactly() {
    let headers: Vec<&str> = Field::STANDARD.iter().map(|f| f.header_name()).collect();
    let m = auto_map(&headers, &[]);
    for (i, f) in Field::STANDARD.iter().enumerate() {
        assert_eq!(target(&m, i).as_ref(), Some(f));
        assert_eq!(m.columns[i].how, MatchKind::Exact);
        assert_eq!(m.columns[i].confidence, 1.0);
    }
    assert!(m.conflicts().is_empty());
    assert_eq!(m.output_header(), headers);
}

#[test]
fn wiegand_and_custom_map_exactly() {
    let custom = vec!["Purpose".to_string(), "License Plate Number".to_string()];
    let m = auto_map(
        &[
            "user_id",
            "HID 37 bit-H10304",
            "License Plate Number",
            "Purpose",
        ],
        &custom,
    );
    assert_eq!(
        target(&m, 1),
        Some(Field::WiegandCard("HID 37 bit-H10304".into()))
    );
    assert_eq!(
        target(&m, 2),
        Some(Field::Custom("License Plate Number".into()))
    );
    assert_eq!(m.columns[2].how, MatchKind::Exact);
    assert_eq!(target(&m, 3), Some(Field::Custom("Purpose".into())));
}

#[test]
fn normalized_ignores_case_spaces_and_underscores() {
    let m = auto_map(
        &[
            "User_ID",
            "EXPIRY DATETIME",
            "Face-Image-File2",
            "mifare csn 32BIT",
            "purpose",
        ],
        &["Purpose".to_string()],
    );
    assert_eq!(target(&m, 0), Some(Field::UserId));
    assert_eq!(target(&m, 1), Some(Field::ExpiryDatetime));
    assert_eq!(target(&m, 2), Some(Field::FaceImageFile2));
    assert_eq!(
        target(&m, 3),
        Some(Field::WiegandCard("MIFARE CSN 32bit".into()))
    );
    assert_eq!(target(&m, 4), Some(Field::Custom("Purpose".into())));
    assert!(m.columns.iter().all(|c| c.how == MatchKind::Normalized));
    // a byte-order mark or spaces around the header
    let m = auto_map(&["\u{feff}user_id", " name "], &[]);
    assert_eq!(target(&m, 0), Some(Field::UserId));
    assert_eq!(target(&m, 1), Some(Field::Name));
    assert_eq!(m.columns[0].how, MatchKind::Normalized);
}

#[test]
fn english_aliases_map() {
    let m = auto_map(
        &[
            "Employee No",
            "Full Name",
            "Dept.",
            "Job Title",
            "E-mail",
            "Card No.",
            "Start Date",
            "Expiry",
            "PIN",
        ],
        &[],
    );
    let want = [
        Field::UserId,
        Field::Name,
        Field::Department,
        Field::UserTitle,
        Field::Email,
        Field::Csn,
        Field::StartDatetime,
        Field::ExpiryDatetime,
        Field::Pin,
    ];
    for (i, f) in want.iter().enumerate() {
        assert_eq!(target(&m, i).as_ref(), Some(f), "column {i}");
    }
    assert_eq!(m.columns[0].how, MatchKind::Alias);
    // "PIN" is the field name itself, differently cased.
    assert_eq!(m.columns[8].how, MatchKind::Normalized);
}

#[test]
fn korean_aliases_map() {
    let m = auto_map(
        &[
            "사번",
            "성명",
            "부서",
            "직책",
            "전화번호",
            "이메일",
            "카드번호",
            "시작일",
            "만료일",
        ],
        &[],
    );
    let want = [
        Field::UserId,
        Field::Name,
        Field::Department,
        Field::UserTitle,
        Field::Phone,
        Field::Email,
        Field::Csn,
        Field::StartDatetime,
        Field::ExpiryDatetime,
    ];
    for (i, f) in want.iter().enumerate() {
        assert_eq!(target(&m, i).as_ref(), Some(f), "column {i}");
        assert_eq!(m.columns[i].how, MatchKind::Alias);
    }
    let m = auto_map(&["사용자 ID", "이름"], &[]);
    assert_eq!(target(&m, 0), Some(Field::UserId));
    assert_eq!(target(&m, 1), Some(Field::Name));
}

#[test]
fn fuzzy_catches_typos_but_not_unrelated_headers() {
    let m = auto_map(
        &[
            "Departmnet",
            "Emial",
            "expiry_datetme",
            "Notes",
            "Gender",
            "Department Code",
        ],
        &[],
    );
    assert_eq!(target(&m, 0), Some(Field::Department));
    assert_eq!(m.columns[0].how, MatchKind::Fuzzy);
    assert!(m.columns[0].confidence < 0.85 && m.columns[0].confidence > 0.5);
    assert_eq!(target(&m, 1), Some(Field::Email));
    assert_eq!(target(&m, 2), Some(Field::ExpiryDatetime));
    for c in 3..6 {
        assert_eq!(target(&m, c), None, "column {c}");
        assert_eq!(m.columns[c].how, MatchKind::Unmapped);
        assert!(m.columns[c].suggest_custom);
    }
}

#[test]
fn fuzzy_never_changes_the_numbers_in_a_name() {
    let m = auto_map(&["HID 37 bit-H10303", "face_image_file3", "phone2"], &[]);
    // H10303 is not H10302: it looks like a Wiegand column of its own.
    assert_eq!(
        target(&m, 0),
        Some(Field::WiegandCard("HID 37 bit-H10303".into()))
    );
    assert_eq!(target(&m, 1), None);
    assert_eq!(target(&m, 2), None);
}

#[test]
fn unmapped_column_suggests_a_custom_field() {
    let m = auto_map(&["user_id", "Vehicle"], &[]);
    assert_eq!(target(&m, 1), None);
    assert_eq!(m.columns[1].how, MatchKind::Unmapped);
    assert!(m.columns[1].suggest_custom);
    assert!(m.columns[1].is_undecided());
    assert!(m.columns[1]
        .note
        .as_deref()
        .unwrap_or("")
        .contains("custom"));
    assert_eq!(m.output_header(), vec!["user_id"]);
}

#[test]
fn two_columns_on_one_field_keep_the_better() {
    let m = auto_map(&["이름", "name", "Full Name"], &[]);
    assert_eq!(target(&m, 1), Some(Field::Name));
    assert_eq!(target(&m, 0), None);
    assert_eq!(target(&m, 2), None);
    assert!(!m.columns[0].suggest_custom);
    assert!(m.columns[0]
        .note
        .as_deref()
        .unwrap_or("")
        .contains("\"name\" (B)"));
    assert!(m.conflicts().is_empty());
    // Equal matches: the earlier column wins.
    let m = auto_map(&["사번", "Employee ID"], &[]);
    assert_eq!(target(&m, 0), Some(Field::UserId));
    assert_eq!(target(&m, 1), None);
}

#[test]
fn remap_marks_manual_and_can_create_a_conflict() {
    let mut m = auto_map(&["user_id", "name", "Vehicle", "Memo"], &[]);
    assert!(m.remap(2, Some(Field::Custom("Vehicle".into()))));
    assert_eq!(m.columns[2].how, MatchKind::Manual);
    assert_eq!(m.custom_fields, vec!["Vehicle".to_string()]);
    assert!(m.remap(3, None));
    assert!(m.columns[3].is_ignored());
    assert!(!m.remap(9, None));
    assert_eq!(m.column_of(&Field::Custom("Vehicle".into())), Some(2));
    assert!(m.conflicts().is_empty());

    assert!(m.remap(2, Some(Field::Name)));
    let conflicts = m.conflicts();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].field, Field::Name);
    assert_eq!(conflicts[0].columns, vec![1, 2]);
    assert_eq!(conflicts[0].headers, vec!["name", "Vehicle"]);
    assert!(conflicts[0].message().contains("\"Vehicle\" (C)"));
    assert_eq!(m.column_of(&Field::Name), Some(1));
    assert_eq!(m.output_header(), vec!["user_id", "name", "name"]);
}

#[test]
fn known_headers_are_recognised() {
    assert!(is_known_header("user_id"));
    assert!(is_known_header("User ID"));
    assert!(is_known_header("카드번호"));
    assert!(is_known_header("DESFire 56bit"));
    assert!(!is_known_header("Departmnet"));
    assert!(!is_known_header("12345"));
    assert!(!is_known_header(""));
    assert!(!is_known_header("김철수"));
}

#[test]
fn aliases_are_unambiguous() {
    let mut seen: Vec<(String, &Field)> = Vec::new();
    for f in Field::STANDARD.iter() {
        seen.push((normalize(f.header_name()), f));
    }
    for (a, f) in ALIASES {
        let n = normalize(a);
        if let Some((_, other)) = seen.iter().find(|(s, _)| *s == n) {
            panic!("alias {a:?} of {f:?} collides with {other:?}");
        }
        seen.push((n, f));
    }
}

#[test]
fn fields_round_trip_through_serde() {
    let m = auto_map(&["user_id", "HID Corporate 1000", "Vehicle"], &[]);
    let json = serde_json::to_string(&m).unwrap();
    assert!(json.contains("\"user_id\""));
    let back: Mapping = serde_json::from_str(&json).unwrap();
    assert_eq!(back, m);
}

#[test]
fn field_ids_round_trip() {
    let mut all: Vec<Field> = Field::STANDARD.to_vec();
    all.push(Field::WiegandCard("HID 37 bit-H10302".to_string()));
    all.push(Field::Custom("License Plate Number".to_string()));
    all.push(Field::Custom("user_id".to_string()));
    for f in &all {
        assert_eq!(Field::from_id(&f.id()).as_ref(), Some(f), "{}", f.id());
    }
    assert_eq!(Field::UserId.id(), "user_id");
    assert_eq!(
        Field::WiegandCard("DESFire 56bit".into()).id(),
        "wiegand:DESFire 56bit"
    );
    assert_eq!(Field::Custom("Purpose".into()).id(), "custom:Purpose");
    assert_eq!(Field::from_id("nope"), None);
    assert_eq!(Field::from_id("custom:"), None);
    assert_eq!(Field::from_id("wiegand: "), None);
    assert_eq!(Field::UserId.label(), "User ID (user_id)");
    assert_eq!(Field::TomAoc.label(), "tom_aoc");
    assert_eq!(
        Field::Custom("Purpose".into()).label(),
        "Custom field: Purpose"
    );
}

#[test]
fn error_description_is_ignored_with_a_note() {
    let m = auto_map(&["user_id", "name", "Error_Description"], &[]);
    let c = &m.columns[2];
    assert_eq!(c.target, None);
    assert!(c.is_ignored());
    assert!(!c.suggest_custom);
    assert!(c.note.as_deref().unwrap().contains("failed-rows file"));
    assert!(is_error_description(" error description "));
    assert!(!is_error_description("Error"));
    assert_eq!(m.output_header(), vec!["user_id", "name"]);
}

#[test]
fn column_letters() {
    assert_eq!(column_letter(0), "A");
    assert_eq!(column_letter(25), "Z");
    assert_eq!(column_letter(26), "AA");
    assert_eq!(column_letter(701), "ZZ");
    assert_eq!(column_letter(702), "AAA");
}

#[test]
fn many_columns_on_one_field_resolve_in_one_pass() {
    let headers = vec!["user_id"; 5_000];
    let m = auto_map(&headers, &[]);
    assert_eq!(target(&m, 0), Some(Field::UserId));
    for c in &m.columns[1..] {
        assert_eq!(c.target, None);
        assert_eq!(
            c.note.as_deref(),
            Some("Also looks like user_id, but column \"user_id\" (A) matches it better: map this column to another field or ignore it.")
        );
    }
}

#[test]
fn headers_longer_than_any_field_name_match_nothing() {
    let long = format!("user_id{}", " ".repeat(MAX_HEADER_BYTES));
    assert!(!is_known_header(&long));
    assert!(!is_error_description(&format!(
        "Error_Description{}",
        "_".repeat(300)
    )));
    let m = auto_map(&[long.as_str()], &[]);
    assert_eq!(target(&m, 0), None);
    assert!(!m.columns[0].suggest_custom);
    assert_eq!(
        m.columns[0].header,
        format!("user_id{}… (263 characters)", " ".repeat(53))
    );
    // Fuzzy matching skips what cannot be alike: a long header costs one comparison of
    // lengths per candidate, not the product of the lengths.
    assert!(!fuzzy_reachable(200, 10));
    assert!(fuzzy_reachable(10, 9));
}
