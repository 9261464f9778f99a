//! Tests of date parsing, date keys and the date rules.

use super::{def, fails, passes};
use crate::workbench::validate::dates::{
    date_key, days_in_month, fixed_datetime, parse_datetime_by_cursor,
};
use crate::workbench::validate::{parse_datetime, DateParse, ExpiryLimit, Rule, SiteSettings};

#[test]
fn date_parsing() {
    let ok = |s: &str| {
        matches!(
            parse_datetime(s),
            DateParse::Ok {
                ambiguous: false,
                ..
            }
        )
    };
    assert!(ok("2024-02-29 23:59"));
    assert!(ok("2024-02-29 23:59:59"));
    assert!(ok("2024-02-29 23:59:59.123"));
    assert!(ok("31/12/2024"));
    assert!(ok("31/12/2024 9:05"));
    assert!(ok("31/12/2024 09:05:07"));
    assert!(ok(" 2024-01-01 00:00 "));
    assert!(ok("05/05/2024"));
    assert_eq!(parse_datetime("2024-01-01"), DateParse::Format);
    assert_eq!(parse_datetime("2024/01/01 00:00"), DateParse::Format);
    assert_eq!(parse_datetime("2024-01-01T00:00"), DateParse::Format);
    assert_eq!(parse_datetime("2024-1-1 00:00"), DateParse::Format);
    assert_eq!(
        parse_datetime("2024-01-01 00:00:00.1234"),
        DateParse::Format
    );
    assert_eq!(parse_datetime("31.12.2024"), DateParse::Format);
    assert_eq!(parse_datetime("12/31/2024"), DateParse::MonthFirst);
    assert_eq!(parse_datetime("2023-02-29 00:00"), DateParse::Impossible);
    assert_eq!(parse_datetime("30/02/2024"), DateParse::Impossible);
    assert_eq!(parse_datetime("2024-01-01 24:00"), DateParse::Impossible);
    assert_eq!(parse_datetime("13/13/2024"), DateParse::Impossible);
    assert!(matches!(
        parse_datetime("03/04/2024"),
        DateParse::Ok {
            ambiguous: true,
            ..
        }
    ));
    let key = |s| match parse_datetime(s) {
        DateParse::Ok { key, .. } => key,
        _ => 0,
    };
    assert_eq!(key("2024-03-04 10:00"), key("04/03/2024 10:00"));
    assert!(key("2024-03-04 10:00") < key("2024-03-04 10:01"));
    assert!(key("2024-12-31 23:59:59") < key("2025-01-01 00:00"));
}

#[test]
fn fixed_place_dates_read_as_the_cursor_reads_them() {
    const PIECES: &[u8] = b"0123456789-: /x";
    let mut rng = crate::bench::Rng(0x5851_F42D_4C95_7F2D);
    let mut fixed = 0;
    for case in 0..200_000 {
        // Mostly well-formed dates with one byte changed, so every check is reached.
        let base = if case % 2 == 0 {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}",
                rng.below(3000),
                rng.below(14),
                rng.below(33),
                rng.below(26),
                rng.below(62)
            )
        } else {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                rng.below(3000),
                rng.below(14),
                rng.below(33),
                rng.below(26),
                rng.below(62),
                rng.below(62)
            )
        };
        let mut b = base.into_bytes();
        if case % 3 == 0 {
            let k = rng.below_usize(b.len());
            b[k] = PIECES[rng.below_usize(PIECES.len())];
        }
        if fixed_datetime(&b).is_some() {
            fixed += 1;
        }
        let text = String::from_utf8(b).unwrap();
        assert_eq!(
            parse_datetime(&text),
            parse_datetime_by_cursor(text.as_bytes()),
            "{text}"
        );
    }
    assert!(fixed > 100_000, "{fixed}");
}

#[test]
fn date_keys_order_moments() {
    let mut rng = crate::bench::Rng(0x2545_F491_4F6C_DD1D);
    let mut moment = || {
        let y = 1900 + rng.below(200) as u32;
        let mo = 1 + rng.below(12) as u32;
        let d = 1 + rng.below(u64::from(days_in_month(y, mo))) as u32;
        let (h, mi, s) = (
            rng.below(24) as u32,
            rng.below(60) as u32,
            rng.below(60) as u32,
        );
        (y, mo, d, h, mi, s)
    };
    for _ in 0..100_000 {
        let (a, b) = (moment(), moment());
        let key = |(y, mo, d, h, mi, s)| date_key(y, mo, d, h, mi, s);
        assert_eq!(key(a).cmp(&key(b)), a.cmp(&b), "{a:?} {b:?}");
    }
}

#[test]
fn date_rules() {
    let s = def();
    passes(
        &[("start_datetime", "2024-01-01 00:00:00")],
        Rule::DateFormat,
        &s,
    );
    let m = fails(&[("start_datetime", "2024-01-05")], Rule::DateFormat, &s);
    assert!(m.contains("2024-01-05 00:00"), "{m}");
    let m = fails(&[("start_datetime", "45292")], Rule::DateFormat, &s);
    assert!(m.contains("serial"), "{m}");
    passes(
        &[("expiry_datetime", "31/12/2029")],
        Rule::DateMonthFirst,
        &s,
    );
    let m = fails(
        &[("expiry_datetime", "12/31/2029")],
        Rule::DateMonthFirst,
        &s,
    );
    assert!(
        m.contains("31/12/2029") && m.contains("2029-12-31 00:00"),
        "{m}"
    );
    passes(
        &[("expiry_datetime", "13/12/2029")],
        Rule::DateAmbiguous,
        &s,
    );
    let m = fails(
        &[("expiry_datetime", "03/04/2029")],
        Rule::DateAmbiguous,
        &s,
    );
    assert!(m.contains("3 April") && m.contains("04/03/2029"), "{m}");
    passes(
        &[("start_datetime", "2024-02-29 00:00")],
        Rule::DateImpossible,
        &s,
    );
    fails(
        &[("start_datetime", "2023-02-29 00:00")],
        Rule::DateImpossible,
        &s,
    );
    fails(
        &[("start_datetime", "30/02/2024")],
        Rule::DateImpossible,
        &s,
    );
    passes(
        &[("start_datetime", "2001-01-01 00:00")],
        Rule::DateBefore2001,
        &s,
    );
    fails(
        &[("start_datetime", "2000-12-31 23:59")],
        Rule::DateBefore2001,
        &s,
    );
    passes(
        &[("expiry_datetime", "2037-12-31 23:59:59")],
        Rule::DateAfter2037,
        &s,
    );
    fails(
        &[("expiry_datetime", "2038-01-01 00:00")],
        Rule::DateAfter2037,
        &s,
    );
    let s30 = SiteSettings {
        expiry_limit: ExpiryLimit::Y2030,
        ..def()
    };
    passes(
        &[("expiry_datetime", "2030-12-31 23:59")],
        Rule::DateAfter2030,
        &s30,
    );
    fails(
        &[("expiry_datetime", "2031-01-01 00:00")],
        Rule::DateAfter2030,
        &s30,
    );
    passes(
        &[("start_datetime", "2030-12-31 23:59")],
        Rule::StartAfterExpiry,
        &s,
    );
    let m = fails(
        &[("start_datetime", "2031-01-01 00:00")],
        Rule::StartAfterExpiry,
        &s,
    );
    assert!(m.contains("\"start_datetime\" (F)"), "{m}");
    // the same rules on the mobile dates
    fails(
        &[("mobile_expiry_datetime", "12/31/2029")],
        Rule::DateMonthFirst,
        &s,
    );
    passes(
        &[
            ("mobile_start_datetime", "2024-01-01 00:00"),
            ("mobile_expiry_datetime", "2025-01-01 00:00"),
        ],
        Rule::StartAfterExpiry,
        &s,
    );
    fails(
        &[
            ("mobile_start_datetime", "2026-01-01 00:00"),
            ("mobile_expiry_datetime", "2025-01-01 00:00"),
        ],
        Rule::StartAfterExpiry,
        &s,
    );
}

#[test]
fn spreadsheet_dates_get_the_moment_they_stand_for() {
    let s = def();
    let hint = |v: &str| fails(&[("start_datetime", v)], Rule::DateFormat, &s);
    // Serial numbers count days from 1899-12-30; the fraction is the time of day.
    let m = hint("45123.5");
    assert!(m.contains("serial number, for 2023-07-16 12:00"), "{m}");
    assert!(m.ends_with("Here: 2023-07-16 12:00."), "{m}");
    assert!(hint("45292").ends_with("Here: 2024-01-01 00:00."));
    assert!(hint("45292.999999").ends_with("Here: 2024-01-02 00:00."));
    assert!(hint("45292.0000579").ends_with("Here: 2024-01-01 00:00:05."));
    // Twelve-hour times, Korean Windows' and English.
    let m = hint("2024-01-05 오후 3:04:05");
    assert!(m.ends_with("Here: 2024-01-05 15:04:05."), "{m}");
    assert!(hint("2024-01-05 오전 12:30").ends_with("Here: 2024-01-05 00:30."));
    assert!(hint("2024-01-05 12:30 PM").ends_with("Here: 2024-01-05 12:30."));
    // A slash date that reads both ways gives both, the month-first one for AM/PM times.
    let m = hint("05/01/2024 11:59 p.m.");
    assert!(
        m.contains(
            "Here: 2024-01-05 23:59 if the day comes first, or 2024-05-01 23:59 if the month does"
        ),
        "{m}"
    );
    assert!(hint("25/01/2024 1:00 PM").ends_with("Here: 2024-01-25 13:00."));
    // Korean spreadsheets' dotted dates; a moment past the server's last date is said.
    assert!(hint("2024. 1. 5. 오후 3:04").ends_with("Here: 2024-01-05 15:04."));
    let m = hint("60000.25");
    assert!(
        m.contains("Here: 2064-04-08 06:00, but that is after 2037-12-31 23:59:59"),
        "{m}"
    );
    assert!(hint("=\"45123.5\"").ends_with("Here: 2023-07-16 12:00."));
    let m = hint("2024-01-05 오후 13:00");
    assert!(!m.contains("Here:"), "no 13 o'clock in the afternoon: {m}");
    // Excel's ="…" form: the text inside, and the moment it reads as.
    let m = hint("=\"2024-01-05\"");
    assert!(m.contains("Excel's =\"…\" form"), "{m}");
    assert!(m.ends_with("Here: 2024-01-05 00:00."), "{m}");
    // Not serials: other lengths and fractions that are not digits.
    for v in ["4512", "451234", "45123.5x"] {
        assert!(!hint(v).contains("serial"), "{v}");
    }
}
