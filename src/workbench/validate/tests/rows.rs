//! Tests of the per-row rules (user ID, name, email, PIN, cards, formulas, row width)
//! and of the cell predicates they use.

use super::{check, def, fails, passes, row_with, rules};
use crate::model::Sheet;
use crate::workbench::mapping::auto_map;
use crate::workbench::validate::row::{email_ok, has_data, has_line_break, name_characters};
use crate::workbench::validate::{validate, RowStatus, Rule, SiteSettings, UserIdType};

#[test]
fn user_id_numeric_rules() {
    let s = def();
    let m = fails(&[("user_id", "")], Rule::UserIdMissing, &s);
    assert!(m.contains("\"user_id\" (A)"), "{m}");
    passes(&[("user_id", "4294967294")], Rule::UserIdOutOfRange, &s);
    fails(&[("user_id", "4294967295")], Rule::UserIdOutOfRange, &s);
    fails(&[("user_id", "0")], Rule::UserIdOutOfRange, &s);
    fails(
        &[("user_id", "123456789012345678901234")],
        Rule::UserIdOutOfRange,
        &s,
    );
    passes(&[("user_id", "42")], Rule::UserIdNotNumber, &s);
    fails(&[("user_id", "A42")], Rule::UserIdNotNumber, &s);
    fails(&[("user_id", "-5")], Rule::UserIdNotNumber, &s);
    let m = fails(&[("user_id", "1.23457E+11")], Rule::UserIdNotNumber, &s);
    assert!(m.contains("scientific notation"), "{m}");
    let m = fails(&[("user_id", " 42")], Rule::UserIdNotNumber, &s);
    assert!(m.contains("spaces"), "{m}");
    passes(&[("user_id", "70")], Rule::UserIdLeadingZeros, &s);
    let m = fails(&[("user_id", "007")], Rule::UserIdLeadingZeros, &s);
    assert!(m.contains("same user as 7"), "{m}");
    // leading zeros are a warning: the row still imports
    let (_, _, r) = check(&[row_with("007", &[])], &s);
    assert_eq!(r.status(1), RowStatus::Warnings);
}

#[test]
fn user_id_alphanumeric_rules() {
    let s = SiteSettings {
        user_id_type: UserIdType::Alphanumeric,
        ..def()
    };
    passes(&[("user_id", "EMP-001_a")], Rule::UserIdBadCharacters, &s);
    fails(&[("user_id", "EMP 001")], Rule::UserIdBadCharacters, &s);
    fails(&[("user_id", "사원1")], Rule::UserIdBadCharacters, &s);
    passes(&[("user_id", &"a".repeat(32))], Rule::UserIdTooLong, &s);
    fails(&[("user_id", &"a".repeat(33))], Rule::UserIdTooLong, &s);
    passes(&[("user_id", "A42")], Rule::UserIdNotNumber, &s);
    fails(&[("user_id", "  ")], Rule::UserIdMissing, &s);
}

#[test]
fn name_rules() {
    let s = def();
    passes(&[("name", &"가".repeat(48))], Rule::NameTooLong, &s);
    fails(&[("name", &"가".repeat(49))], Rule::NameTooLong, &s);
    passes(&[("name", "김철수 Kim_2")], Rule::NameCharacters, &s);
    passes(&[("name", "김철수 Kim_2")], Rule::NameStrictCharacters, &s);
    let m = fails(&[("name", "O'Brien")], Rule::NameCharacters, &s);
    assert!(m.contains("names: ‘'’."), "{m}");
    // Control characters show visibly, not as a blank.
    let m = fails(&[("name", "Ki\0m\u{7}")], Rule::NameCharacters, &s);
    assert!(m.contains("names: ‘\\0’ ‘\\u{0007}’."), "{m}");
    assert!(m.contains("\"Ki\\0m\\u{0007}\""), "{m}");
    // Quote marks show as they are, each once: never doubled as in a CSV.
    let m = fails(&[("name", "Kim \"K\"")], Rule::NameCharacters, &s);
    let said = "“Kim \"K\"” has characters the server does not allow in names: ‘\"’.";
    assert!(m.contains(said), "{m}");
    assert!(!m.contains("\"\""), "{m}");
    let m = fails(&[("name", "Jean-Luc (JL)")], Rule::NameStrictCharacters, &s);
    assert!(m.contains("only): ‘-’ ‘(’ ‘)’. Remove them"), "{m}");
    let lax = SiteSettings {
        strict_names: false,
        ..def()
    };
    passes(
        &[("name", "Jean-Luc (JL)")],
        Rule::NameStrictCharacters,
        &lax,
    );
    fails(&[("name", "Jean.Luc")], Rule::NameCharacters, &lax);
}

#[test]
fn department_and_title_length() {
    let s = def();
    passes(
        &[("department", &"d".repeat(64))],
        Rule::DepartmentTooLong,
        &s,
    );
    fails(
        &[("department", &"d".repeat(65))],
        Rule::DepartmentTooLong,
        &s,
    );
    passes(
        &[("user_title", &"직".repeat(64))],
        Rule::UserTitleTooLong,
        &s,
    );
    fails(
        &[("user_title", &"직".repeat(65))],
        Rule::UserTitleTooLong,
        &s,
    );
}

#[test]
fn email_shape() {
    let s = def();
    passes(&[("email", "a.b@mail.example.co.kr")], Rule::EmailShape, &s);
    passes(&[("email", "")], Rule::EmailShape, &s);
    fails(&[("email", "kim at example.com")], Rule::EmailShape, &s);
    fails(&[("email", "kim@example")], Rule::EmailShape, &s);
    fails(&[("email", "kim@@example.com")], Rule::EmailShape, &s);
    for ok in [" a@b.c ", "김@예제.kr", "a.b@c.d.e"] {
        assert!(email_ok(ok), "{ok}");
    }
    for bad in [
        "@b.c",
        "a@.b.c",
        "a@b.c.",
        "a@b..c",
        "a@b.c@d.e",
        "a@bc",
        "kim@ex\u{0B}ample.com",
        "김@예\u{3000}제.kr",
    ] {
        assert!(!email_ok(bad), "{bad}");
    }
    let (_, _, r) = check(&[row_with("1", &[("email", "x")])], &s);
    assert_eq!(r.status(1), RowStatus::Warnings);
}

#[test]
fn data_is_anything_but_whitespace() {
    for blank in [
        "",
        " ",
        "\t\r\n",
        "\u{3000}",
        "\u{00A0} ",
        "\u{2003}\u{1680}",
        "\u{85}",
    ] {
        assert!(!has_data(blank), "{blank:?}");
    }
    for data in ["x", " x", "김", "é", "\u{00A0}x", "\u{3000}김", "\u{FEFF}"] {
        assert!(has_data(data), "{data:?}");
    }
    // The fast answer agrees with the definition for every character.
    for c in (0..0x11_0000u32).filter_map(char::from_u32) {
        let v = c.to_string();
        assert_eq!(has_data(&v), !c.is_whitespace(), "{c:?}");
    }
}

#[test]
fn name_characters_read_ascii_and_other_text_alike() {
    for name in [
        "Kim Chul",
        "Kim_Chul",
        "Kim-Chul",
        "Kim.Chul",
        "O'Brien",
        "a~!@#$%^&()-_=+[]{};,",
        "a/b",
    ] {
        let mut wide = name.to_string();
        wide.push('김');
        let (any, strict) = name_characters(name);
        assert_eq!(name_characters(&wide), (any, strict), "{name}");
    }
    assert_eq!(name_characters("Kim Chul"), (false, false));
    assert_eq!(name_characters("Kim-Chul"), (false, true));
    assert_eq!(name_characters("Kim.Chul"), (true, false));
}

#[test]
fn pin_rule() {
    let s = def();
    passes(&[("pin", "1234")], Rule::PinFormat, &s);
    passes(&[("pin", "1234567890123456")], Rule::PinFormat, &s);
    fails(&[("pin", "123")], Rule::PinFormat, &s);
    fails(&[("pin", "12345678901234567")], Rule::PinFormat, &s);
    let m = fails(&[("pin", "12a4")], Rule::PinFormat, &s);
    assert!(!m.contains("12a4"), "a PIN is a secret: {m}");
}

#[test]
fn card_rules() {
    let s = def();
    passes(&[("csn", "3456789012")], Rule::CardNotNumber, &s);
    let m = fails(&[("csn", "04A2B3C4")], Rule::CardNotNumber, &s);
    assert!(m.contains("77771716"), "{m}");
    let m = fails(&[("csn", "3.45679E+09")], Rule::CardNotNumber, &s);
    assert!(m.contains("scientific"), "{m}");
    let m = fails(
        &[("26 bit SIA Standard-H10301", "252-15298")],
        Rule::CardNotNumber,
        &s,
    );
    assert!(m.contains("16530370"), "{m}");
    passes(
        &[("26 bit SIA Standard-H10301", "16530370")],
        Rule::CardNotNumber,
        &s,
    );
    // 26-bit H10301 holds 24 bits: 16777215 at most; csn and unknown formats have no cap.
    let h = "26 bit SIA Standard-H10301";
    passes(&[(h, "16777215")], Rule::CardTooLarge, &s);
    let m = fails(&[(h, "16777216")], Rule::CardTooLarge, &s);
    assert!(
        m.contains("at most 16777215, 24 bits: facility code up to 255"),
        "{m}"
    );
    fails(&[(h, "99999999999999999999999")], Rule::CardTooLarge, &s);
    use crate::workbench::mapping::wiegand_data_bits;
    assert_eq!(wiegand_data_bits("MIFARE CSN 34bit (Parity)"), Some(32));
    assert_eq!(wiegand_data_bits("HID 37 bit-H10304"), Some(35));
    assert_eq!(wiegand_data_bits("Some 40 bit format"), None);
    passes(&[("csn", "99999999999999999999")], Rule::CardTooLarge, &s);

    let rows = vec![
        row_with("1", &[("csn", "123")]),
        row_with("2", &[("csn", "0123")]),
        row_with(
            "3",
            &[("csn", "124"), ("26 bit SIA Standard-H10301", "123")],
        ),
    ];
    let (_, _, r) = check(&rows, &s);
    let dup: Vec<Option<u32>> = (1..=3)
        .map(|row| {
            r.findings_of(row)
                .iter()
                .find(|f| f.rule == Rule::CardDuplicate)
                .map(|f| f.other.unwrap())
        })
        .collect();
    // the same number in another card column is another card
    assert_eq!(dup, vec![Some(2), Some(1), None]);
}

#[test]
fn blank_csn_with_overwrite() {
    let over = SiteSettings {
        overwrite: true,
        ..def()
    };
    passes(&[("csn", "")], Rule::CsnBlankOverwrite, &def());
    passes(&[("csn", "123")], Rule::CsnBlankOverwrite, &over);
    let (sheet, mapping, r) = check(&[row_with("1", &[("csn", " ")])], &over);
    assert_eq!(rules(&r, 1), vec![Rule::CsnBlankOverwrite]);
    assert_eq!(r.status(1), RowStatus::Warnings);
    let m = r.findings_of(1)[0].message(&sheet, 0, &mapping);
    assert!(m.starts_with("Line 2, column \"csn\" (H) is blank"), "{m}");
}

#[test]
fn mobile_card_rules() {
    let s = def();
    passes(&[], Rule::MobileCardIssued, &s);
    fails(&[("csn_mobile", "1")], Rule::MobileCardIssued, &s);
    let rows = vec![
        row_with("1", &[("csn_mobile", "1")]),
        row_with("2", &[("csn_mobile", "2")]),
        row_with("3", &[]),
    ];
    let (_, _, r) = check(&rows, &s);
    assert_eq!(r.totals().mobile_cards, 2);
    assert_eq!(r.status(1), RowStatus::Warnings);

    let dynamic = SiteSettings {
        dynamic_site: true,
        ..def()
    };
    passes(&[("csn_mobile", "1")], Rule::MobileDatesMissing, &s);
    passes(
        &[
            ("csn_mobile", "1"),
            ("mobile_start_datetime", "2024-01-01 00:00"),
            ("mobile_expiry_datetime", "2025-01-01 00:00"),
        ],
        Rule::MobileDatesMissing,
        &dynamic,
    );
    let m = fails(
        &[
            ("csn_mobile", "1"),
            ("mobile_start_datetime", "2024-01-01 00:00"),
        ],
        Rule::MobileDatesMissing,
        &dynamic,
    );
    assert!(m.contains("mobile_expiry_datetime\" (J)"), "{m}");
}

#[test]
fn qr_and_face_rules() {
    let s = def();
    passes(&[("qr", "")], Rule::QrNotImportable, &s);
    fails(&[("qr", "QR-123")], Rule::QrNotImportable, &s);
    passes(&[("face_image_file1", "kim.JPG")], Rule::FaceImageFile, &s);
    passes(
        &[("face_image_file1", "김철수.jpeg")],
        Rule::FaceImageFile,
        &s,
    );
    passes(&[("face_image_file1", "a.png")], Rule::FaceImageFile, &s);
    fails(&[("face_image_file1", "kim.bmp")], Rule::FaceImageFile, &s);
    fails(&[("face_image_file1", "kim")], Rule::FaceImageFile, &s);
    fails(
        &[("face_image_file1", "C:\\faces\\kim.jpg")],
        Rule::FaceImageFile,
        &s,
    );
}

#[test]
fn formula_cells() {
    let s = def();
    passes(&[("department", "+82 10-1234-5678")], Rule::FormulaCell, &s);
    passes(&[("department", "-5")], Rule::FormulaCell, &s);
    passes(&[("department", "-")], Rule::FormulaCell, &s);
    passes(&[("department", "R&D=x")], Rule::FormulaCell, &s);
    fails(
        &[("department", "=HYPERLINK(\"x\")")],
        Rule::FormulaCell,
        &s,
    );
    fails(&[("department", "@SUM(A1)")], Rule::FormulaCell, &s);
    fails(
        &[("department", "+cmd|' /C calc'!A0")],
        Rule::FormulaCell,
        &s,
    );
    fails(&[("department", "-2+3+cmd")], Rule::FormulaCell, &s);
    let off = SiteSettings {
        spreadsheet_safe: false,
        ..def()
    };
    passes(&[("department", "=1+1")], Rule::FormulaCell, &off);
}

#[test]
fn newline_in_a_cell() {
    let s = def();
    passes(&[("department", "R&D")], Rule::CellHasNewline, &s);
    let m = fails(&[("department", "R&D\nLab")], Rule::CellHasNewline, &s);
    assert!(m.contains("R&D\\nLab"), "{m}");
}

#[test]
fn a_character_the_encoding_could_not_read_in_a_cell() {
    let s = def();
    // A fullwidth form shares U+FFFD's first byte.
    passes(&[("department", "R＆D")], Rule::CellUndecodable, &s);
    let m = fails(&[("department", "R\u{FFFD}D")], Rule::CellUndecodable, &s);
    assert!(
        m.contains("stands for a character that could not be read"),
        "{m}"
    );
}

#[test]
fn line_breaks_found_anywhere() {
    assert!(!has_line_break(b""));
    assert!(!has_line_break("김철수 Kim\t0123456789abcdef".as_bytes()));
    for n in 0..20 {
        for brk in [b'\n', b'\r'] {
            let mut v = vec![b'a'; 20];
            v[n] = brk;
            assert!(has_line_break(&v), "at {n}");
        }
    }
    // bytes just below 0x0E that are not line breaks
    assert!(!has_line_break(&[0x0B, 0x0C, 0x09, 0, 1, 2, 3, 4, 5]));
}

#[test]
fn row_width_rules() {
    let mut sheet = Sheet::new();
    sheet.push_row(1, ["user_id", "name"]).unwrap();
    sheet.push_row(2, ["1", "Kim"]).unwrap();
    sheet.push_row(3, ["2"]).unwrap();
    sheet.push_row(4, ["3", "Lee", "extra"]).unwrap();
    sheet.push_row(5, ["4", "Park", "", ""]).unwrap();
    sheet.push_row(6, ["", ""]).unwrap();
    sheet.push_row(7, std::iter::empty()).unwrap();
    let mapping = auto_map(&["user_id", "name"], &[]);
    let r = validate(&sheet, 0, &mapping, &def());
    assert_eq!(rules(&r, 1), vec![]);
    assert_eq!(rules(&r, 2), vec![Rule::RowTooShort]);
    assert_eq!(rules(&r, 3), vec![Rule::RowTooLong]);
    assert_eq!(r.findings_of(3)[0].col, Some(2));
    assert_eq!(rules(&r, 4), vec![Rule::RowExtraEmptyCells]);
    assert_eq!(rules(&r, 5), vec![Rule::BlankRow]);
    assert_eq!(rules(&r, 6), vec![Rule::BlankRow]);
    let m = r.findings_of(2)[0].message(&sheet, 0, &mapping);
    assert!(
        m.starts_with("Line 3 has 1 cells but the header has 2"),
        "{m}"
    );
    let t = r.totals();
    assert_eq!(
        (t.rows, t.valid, t.with_warnings, t.with_errors),
        (6, 1, 2, 3)
    );
}

#[test]
fn excels_text_form_is_named_with_the_value_to_write() {
    let s = def();
    let m = fails(&[("user_id", "=\"007\"")], Rule::UserIdNotNumber, &s);
    assert!(m.contains("Excel's =\"…\" form"), "{m}");
    assert!(
        m.contains("Write \"007\" in a column formatted as Text"),
        "{m}"
    );
    let m = fails(&[("user_id", "=\"007\"")], Rule::FormulaCell, &s);
    assert!(m.contains("the spreadsheet shows \"007\""), "{m}");
    assert!(!m.contains("remove the leading character"), "{m}");
    let m = fails(&[("csn", " =\"0012345\" ")], Rule::CardNotNumber, &s);
    assert!(
        m.contains("write \"0012345\" in a column formatted as Text"),
        "{m}"
    );
    // Doubled quotes inside are one quote; a formula of another kind keeps its advice.
    let m = fails(&[("name", "=\"Ann \"\"Jo\"\"\"")], Rule::FormulaCell, &s);
    assert!(m.contains("shows “Ann \"Jo\"”"), "{m}");
    let m = fails(&[("name", "=SUM(A1)")], Rule::FormulaCell, &s);
    assert!(m.contains("remove the leading character"), "{m}");
}
