//! Tests of the BioStar CSV reader and writer: records, lines, issues, header rows, round trips.

use super::*;
use std::io;

fn read_ok(text: &str, delimiter: u8) -> CsvDocument {
    read(text, &ReadOptions { delimiter }).unwrap()
}

fn rows(sheet: &Sheet) -> Vec<Vec<String>> {
    (0..sheet.len())
        .map(|r| sheet.row(r).map(str::to_string).collect())
        .collect()
}

fn lines(sheet: &Sheet) -> Vec<u64> {
    (0..sheet.len()).map(|r| sheet.line(r)).collect()
}

#[test]
fn detects_comma_semicolon_and_tab() {
    let comma = detect_delimiter("user_id,name,department\n1,Kim,Sales\n2,Lee,HR\n");
    assert_eq!(comma.byte(), b',');
    assert_eq!(comma.delimiter.id(), "comma");
    assert_eq!(
        comma.reason,
        "comma gives 3 fields on 3 of the first 3 records"
    );

    let semicolon = detect_delimiter("user_id;name;note\n1;Kim;12,5\n2;Lee;3,25\n");
    assert_eq!(semicolon.byte(), b';', "{}", semicolon.reason);

    let tab = detect_delimiter("user_id\tname\n1\tKim, Chul\n2\tLee, Young\n");
    assert_eq!(tab.byte(), b'\t', "{}", tab.reason);
}

#[test]
fn quoted_delimiters_do_not_count() {
    let text = "user_id;name;note\n1;\"Kim, Chul\";\"a,b,c\"\n2;Lee;\"x,y\"\n3;\"Park\";plain\n";
    assert_eq!(detect_delimiter(text).byte(), b';');
    let text = "user_id,name,note\n1,\"Kim; Chul\",\"a;b;c\"\n2,Lee,\"x;y;z\"\n";
    assert_eq!(detect_delimiter(text).byte(), b',');
    // A quoted line break does not end the record.
    let text = "a\tb\tc\n1\t\"x\ny\tz\"\t3\n2\t5\t6\n";
    let tab = detect_delimiter(text);
    assert_eq!(tab.byte(), b'\t');
    assert_eq!(tab.reason, "tab gives 3 fields on 3 of the first 3 records");
}

#[test]
fn a_single_column_defaults_to_comma_and_says_why() {
    let found = detect_delimiter("user_id\n1\n2\n");
    assert_eq!(found.byte(), b',');
    assert!(found.reason.contains("assuming comma"), "{}", found.reason);
    assert_eq!(detect_delimiter("").byte(), b',');
}

#[test]
fn reads_cells_and_lines_with_lf_and_crlf() {
    for newline in ["\n", "\r\n"] {
        let text =
            ["user_id,name", "1,김철수", "2,\"Lee, \"\"Y\"\"\"", "3,"].join(newline) + newline;
        let doc = read_ok(&text, b',');
        assert_eq!(
            rows(&doc.sheet),
            vec![
                vec!["user_id", "name"],
                vec!["1", "김철수"],
                vec!["2", "Lee, \"Y\""],
                vec!["3", ""],
            ]
        );
        assert_eq!(lines(&doc.sheet), vec![1, 2, 3, 4], "{newline:?}");
        assert_eq!(doc.issues, vec![]);
        assert_eq!(doc.issue_count, 0);
        assert_eq!(doc.blank_lines, 0);
        assert_eq!(doc.crlf, newline == "\r\n");
    }
}

#[test]
fn lone_cr_files_are_numbered_by_cr() {
    let doc = read_ok("a,b\r1,\"x\ry\"\r2,z\r", b',');
    assert_eq!(rows(&doc.sheet)[1], vec!["1", "x\ry"]);
    assert_eq!(lines(&doc.sheet), vec![1, 2, 4]);
    assert_eq!(
        doc.issues,
        vec![ReadIssue::QuotedNewline {
            row: 1,
            col: 1,
            line: 2,
            end_line: 3
        }]
    );
}

#[test]
fn blank_lines_are_skipped_counted_and_lines_stay_right() {
    for newline in ["\n", "\r\n"] {
        let text = ["", "a,b", "", "", "1,2", "2,3", "", ""].join(newline);
        let doc = read_ok(&text, b',');
        assert_eq!(rows(&doc.sheet).len(), 3);
        assert_eq!(lines(&doc.sheet), vec![2, 5, 6], "{newline:?}");
        // Line 1, lines 3-4, and line 7 (line 8 is empty text after the last break).
        assert_eq!(doc.blank_lines, 4, "{newline:?}");
        assert_eq!(
            doc.issues,
            vec![ReadIssue::BlankLines {
                count: 2,
                first_line: 3
            }]
        );
        assert_eq!(doc.issue_count, 1);
        assert_eq!(
            doc.issues[0].message(),
            "2 blank lines (the first on line 3) were skipped: blank lines hold no values and are left out \
             of the converted file. Nothing to do, unless a user's row was meant to be there."
        );
    }
}

#[test]
fn quoted_newlines_are_read_and_flagged_on_the_right_lines() {
    for newline in ["\n", "\r\n"] {
        let text = format!(
            "user_id,name,memo{n}1,\"Kim{n}Chul\",\"a{n}b{n}c\"{n}2,Lee,\"x{n}y\"{n}3,Park,ok{n}",
            n = newline
        );
        let doc = read_ok(&text, b',');
        assert_eq!(
            doc.sheet.cell(1, 1),
            Some(format!("Kim{newline}Chul").as_str())
        );
        assert_eq!(
            doc.sheet.cell(1, 2),
            Some(format!("a{newline}b{newline}c").as_str())
        );
        assert_eq!(lines(&doc.sheet), vec![1, 2, 6, 8], "{newline:?}");
        assert_eq!(
            doc.issues,
            vec![
                ReadIssue::QuotedNewline {
                    row: 1,
                    col: 1,
                    line: 2,
                    end_line: 3
                },
                ReadIssue::QuotedNewline {
                    row: 1,
                    col: 2,
                    line: 3,
                    end_line: 5
                },
                ReadIssue::QuotedNewline {
                    row: 2,
                    col: 2,
                    line: 6,
                    end_line: 7
                },
            ]
        );
        assert_eq!(doc.issue_count, 3);
        let message = doc.issues[0].message();
        assert!(message.starts_with("line 2, column 2: "), "{message}");
        assert!(message.contains("BioStar server"));
        assert!(message.contains("as a separate record"));
        assert!(message.contains("Remove the line break"));
        // A value over more than two lines may be a stray quote's doing.
        let message = doc.issues[1].message();
        assert!(
            message.starts_with("line 3, column 3: a quoted value opens here and closes on line 5, so 3 lines were read into this one cell."),
            "{message}"
        );
        assert!(message.contains("remove the stray quote"));
    }
}

#[test]
fn per_cell_issues_are_capped_but_counted() {
    let mut text = String::from("a,b\n");
    for i in 0..(MAX_ISSUES + 5) {
        text.push_str(&format!("{i},\"x\ny\"\n"));
    }
    let doc = read_ok(&text, b',');
    assert_eq!(doc.issues.len(), MAX_ISSUES);
    assert_eq!(doc.issue_count, (MAX_ISSUES + 5) as u64);
    assert_eq!(doc.sheet.len(), MAX_ISSUES + 6);
}

#[test]
fn an_unterminated_quote_is_reported_where_it_opens() {
    let text = "user_id,name\n1,Kim\n2,\"Lee\n3,Park\n4,Choi\n";
    let doc = read_ok(text, b',');
    assert_eq!(doc.sheet.len(), 3);
    assert_eq!(doc.sheet.cell(2, 1), Some("Lee\n3,Park\n4,Choi\n"));
    assert_eq!(doc.issues, vec![ReadIssue::UnterminatedQuote { line: 3 }]);
    assert_eq!(doc.issue_count, 1);
    assert_eq!(doc.blank_lines, 0);
    let message = doc.issues[0].message();
    assert!(message.starts_with("line 3: a quoted value opens here and is never closed"));
    assert!(message.contains("Add the closing quote"));

    // A record spanning lines before the open quote, and no line break in the open cell.
    let doc = read_ok("a,b,c\n1,\"x\ny\",\"open", b',');
    assert_eq!(doc.sheet.cell(1, 2), Some("open"));
    assert_eq!(
        doc.issues,
        vec![
            ReadIssue::QuotedNewline {
                row: 1,
                col: 1,
                line: 2,
                end_line: 3
            },
            ReadIssue::UnterminatedQuote { line: 3 },
        ]
    );
    // Other issues stay, and the count stays exact.
    let doc = read_ok("a,b\n1,\"x\ny\"\n2,\"open\nz\n", b',');
    assert_eq!(
        doc.issues,
        vec![
            ReadIssue::QuotedNewline {
                row: 1,
                col: 1,
                line: 2,
                end_line: 3
            },
            ReadIssue::UnterminatedQuote { line: 4 },
        ]
    );
    assert_eq!(doc.issue_count, 2);
    // Closed quotes at the end are fine, escaped quotes included.
    let doc = read_ok("a,b\n1,\"x\"\"\"\n", b',');
    assert_eq!(doc.sheet.cell(1, 1), Some("x\""));
    assert_eq!(doc.issues, vec![]);
}

#[test]
fn an_empty_file_gives_an_empty_sheet() {
    for text in ["", "\n\n", "\r\n"] {
        let doc = read_ok(text, b',');
        assert!(doc.sheet.is_empty());
        assert_eq!(doc.issues, vec![]);
        assert_eq!(doc.issue_count, 0);
    }
    assert_eq!(read_ok("\n\n", b',').blank_lines, 2);
}

#[test]
fn preamble_rows_and_ragged_rows_are_kept_without_issues() {
    let doc = read_ok(
        "Exported users,,,\n,,,\nuser_id,name\n1,Kim,extra,more\n",
        b',',
    );
    assert_eq!(doc.sheet.len(), 4);
    assert_eq!(doc.sheet.width(0), 4);
    assert_eq!(doc.sheet.width(2), 2);
    assert_eq!(doc.sheet.width(3), 4);
    assert_eq!(doc.issue_count, 0);
}

#[test]
fn bad_delimiters_are_refused_with_advice() {
    let err = read("a,b", &ReadOptions { delimiter: b'"' }).unwrap_err();
    assert_eq!(err, ReadError::UnsupportedDelimiter { delimiter: b'"' });
    assert_eq!(
        err.to_string(),
        "byte 0x22 cannot separate fields; choose comma, semicolon or tab as the delimiter"
    );
    let err = ReadError::from(SheetError::TooLarge { line: 9 });
    assert!(err
        .to_string()
        .starts_with("line 9: the file holds more than 4 GiB"));
    let mut writer = CsvWriter::new(
        Vec::new(),
        &WriteOptions {
            delimiter: b'\n',
            bom: false,
            crlf: false,
        },
    );
    let err = writer.write_row(["a"]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
}

fn sheet_of(lines: &[&str]) -> Sheet {
    let mut sheet = Sheet::new();
    for (i, line) in lines.iter().enumerate() {
        sheet.push_row(i as u64 + 1, line.split(',')).unwrap();
    }
    sheet
}

fn biostar_field(name: &str) -> bool {
    matches!(
        name,
        "user_id" | "name" | "department" | "user_title" | "phone" | "email" | "csn"
    )
}

#[test]
fn header_is_found_after_a_preamble() {
    let sheet = sheet_of(&[
        "Exported users,,,",
        ",,,",
        "user_id,name,department,phone",
        "1,Kim,Sales,010-1234-5678",
        "2,Lee,HR,",
    ]);
    assert_eq!(guess_header_row(&sheet, biostar_field), 2);
}

#[test]
fn header_on_the_first_line_is_row_zero() {
    let sheet = sheet_of(&["user_id,name,email", "1,Kim,kim@example.com", "2,Lee,"]);
    assert_eq!(guess_header_row(&sheet, biostar_field), 0);
    // Data that happens to look like text does not move it.
    let sheet = sheet_of(&["user_id,name", "1,Kim", "Park,Lee", "name,email"]);
    assert_eq!(guess_header_row(&sheet, biostar_field), 0);
}

#[test]
fn unknown_header_names_after_a_title_are_found() {
    let sheet = sheet_of(&[
        "Staff list 2024,,,",
        ",,,",
        "Employee No,Full Name,Dept,Mobile",
        "007,Kim,Sales,010-1234-5678",
        "008,Lee,HR,010-2222-3333",
    ]);
    assert_eq!(guess_header_row(&sheet, |_| false), 2);
}

#[test]
fn data_without_a_header_gives_zero() {
    let sheet = sheet_of(&["1,Kim,Sales", "2,Lee,HR", "Park,Choi,Team"]);
    assert_eq!(guess_header_row(&sheet, |_| false), 0);
    assert_eq!(guess_header_row(&Sheet::new(), |_| true), 0);
    let sheet = sheet_of(&[",,", ",,"]);
    assert_eq!(guess_header_row(&sheet, |_| true), 0);
}

#[test]
fn rows_read_lie_in_the_arena_joined_by_the_delimiter() {
    for (text, delimiter) in [
        ("a,b,c\r\n1,,\"x,\"\"y\"\"\"\r\n\r\nlast,row", b','),
        ("a;b\n\"q\nr\";s\n", b';'),
        ("x\ty\rz\t", b'\t'),
    ] {
        let doc = read_owned(text.to_string(), &ReadOptions { delimiter }).unwrap();
        assert_eq!(doc.sheet.separator(), delimiter);
        for r in 0..doc.sheet.len() {
            let cells: Vec<&str> = doc.sheet.row(r).collect();
            let joined = cells.join(&char::from(delimiter).to_string());
            assert_eq!(
                doc.sheet.row(r).span(),
                Some(joined.as_str()),
                "{text:?} row {r}"
            );
            // Every suffix of the row too.
            for skip in 1..cells.len() {
                let mut rest = doc.sheet.row(r);
                rest.nth(skip - 1);
                let tail = cells[skip..].join(&char::from(delimiter).to_string());
                assert_eq!(rest.span(), Some(tail.as_str()));
            }
        }
    }
}

#[test]
fn fast_writes_give_the_bytes_of_the_plain_writer() {
    const PIECES: &[&str] = &["a", "김", " ", "\t", ",", ";", "\"", "\n", "\r", "7", ""];
    let opts = WriteOptions {
        delimiter: b',',
        bom: false,
        crlf: true,
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut plain, mut fast) = (
        CsvWriter::new(Vec::new(), &opts),
        CsvWriter::new(Vec::new(), &opts),
    );
    let mut joined_rows = 0;
    for _ in 0..20_000 {
        let width = 1 + rng.below_usize(5);
        let cells: Vec<String> = (0..width)
            .map(|_| {
                (0..rng.below_usize(4))
                    .map(|_| PIECES[rng.below_usize(PIECES.len())])
                    .collect()
            })
            .collect();
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        let joined = refs.join(",");
        plain.write_row(refs.iter().copied()).unwrap();
        if fast.write_joined(&joined, width).unwrap() {
            joined_rows += 1;
        } else {
            fast.write_row(refs.iter().copied()).unwrap();
        }
        // Some cells only, taken from the joined text: the per-cell path.
        let mut start = 0;
        let spans: Vec<&str> = refs
            .iter()
            .map(|c| {
                let cell = &joined[start..start + c.len()];
                start += c.len() + 1;
                cell
            })
            .collect();
        let some: Vec<&str> = spans.iter().copied().step_by(2).collect();
        plain.write_row(some.iter().copied()).unwrap();
        fast.write_row_from(&joined, width, some.iter().copied())
            .unwrap();
    }
    assert!(
        joined_rows > 1000,
        "only {joined_rows} rows took the one-copy path"
    );
    let (plain, fast) = (plain.finish().unwrap(), fast.finish().unwrap());
    assert_eq!(
        String::from_utf8(plain).unwrap(),
        String::from_utf8(fast).unwrap()
    );
}

#[test]
fn writer_quotes_only_when_needed() {
    let mut writer = CsvWriter::new(
        Vec::new(),
        &WriteOptions {
            delimiter: b',',
            bom: false,
            crlf: false,
        },
    );
    writer
        .write_row([
            "1",
            "Kim, Chul",
            "say \"hi\"",
            " lead",
            "trail ",
            "007",
            "김철수",
            "",
        ])
        .unwrap();
    writer.write_row(["a\nb", "c\rd", "semi;colon"]).unwrap();
    writer.write_row([""]).unwrap();
    writer.write_row(std::iter::empty()).unwrap();
    let out = String::from_utf8(writer.finish().unwrap()).unwrap();
    assert_eq!(
        out,
        "1,\"Kim, Chul\",\"say \"\"hi\"\"\",\" lead\",\"trail \",007,김철수,\n\"a\nb\",\"c\rd\",semi;colon\n\"\"\n\n"
    );
}

#[test]
fn writer_adds_bom_crlf_and_other_delimiters() {
    let opts = WriteOptions {
        delimiter: b';',
        bom: true,
        crlf: true,
    };
    let mut writer = CsvWriter::new(Vec::new(), &opts);
    writer.write_row(["user_id", "name"]).unwrap();
    writer.write_row(["1", "a;b,c"]).unwrap();
    let out = writer.finish().unwrap();
    assert_eq!(out, b"\xEF\xBB\xBFuser_id;name\r\n1;\"a;b,c\"\r\n");
    // A BioStar user CSV has no BOM; a file for a spreadsheet program has one.
    let default = WriteOptions::default();
    assert_eq!(
        (default.delimiter, default.bom, default.crlf),
        (b',', false, true)
    );
    assert_eq!(default, WriteOptions::IMPORT);
    let spreadsheet = WriteOptions::SPREADSHEET;
    assert_eq!(
        (spreadsheet.delimiter, spreadsheet.bom, spreadsheet.crlf),
        (b',', true, true)
    );
}

use crate::bench::Rng;

const TRICKY: &[&str] = &[
    "",
    " ",
    "007",
    "0",
    "Kim",
    "김철수",
    "😀 emoji",
    "a,b",
    "a;b",
    "a\tb",
    "\"",
    "\"\"",
    "say \"hi\"",
    "\"quoted\"",
    " lead",
    "trail ",
    "line\nbreak",
    "cr\r\nlf",
    "lone\rcr",
    "\n",
    "=1+2",
    "2024-01-01 09:00",
    "é€",
];

#[test]
fn round_trip_keeps_every_cell() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for case in 0..60 {
        let delimiter = Delimiter::ALL[case % 3].byte();
        let opts = WriteOptions {
            delimiter,
            bom: case % 2 == 0,
            crlf: case % 4 < 2,
        };
        let mut original = Sheet::new();
        for row in 0..(1 + rng.below_usize(12)) {
            let width = 1 + rng.below_usize(6);
            let cells: Vec<&str> = (0..width)
                .map(|_| TRICKY[rng.below_usize(TRICKY.len())])
                .collect();
            original.push_row(row as u64 + 1, cells).unwrap();
        }
        let bytes = write_sheet(&original, Vec::new(), &opts).unwrap();
        let decoded = crate::text::decode(bytes, None);
        assert_eq!(decoded.replacement_count, 0);
        let doc = read_ok(&decoded.text, delimiter);
        assert_eq!(rows(&doc.sheet), rows(&original), "case {case}");
        assert_eq!(doc.crlf, opts.crlf, "case {case}");

        // Writing what was read gives the same bytes again.
        let again = write_sheet(&doc.sheet, Vec::new(), &opts).unwrap();
        let first = write_sheet(&original, Vec::new(), &opts).unwrap();
        assert_eq!(again, first, "case {case}");
    }
}

/// The records the csv crate reads from `text` untouched, as strings.
fn oracle(text: &str, delimiter: u8) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    reader
        .byte_records()
        .map(|r| {
            r.unwrap()
                .iter()
                .map(|c| String::from_utf8(c.to_vec()).unwrap())
                .collect()
        })
        .collect()
}

#[test]
fn in_place_reading_gives_the_records_of_an_untouched_parse() {
    const PIECES: &[&str] = &[
        "a", "김", "\"", "\"\"", ",", ";", "\t", "\n", "\r", "\r\n", " ", "7", "abc,", "\"x,y\"",
        "\"q\"t", "x\"y",
    ];
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for case in 0..5000 {
        let len = if case % 1000 == 0 {
            60_000
        } else {
            rng.below_usize(80)
        };
        let text: String = (0..len)
            .map(|_| PIECES[rng.below_usize(PIECES.len())])
            .collect();
        let delimiter = Delimiter::ALL[case % 3].byte();
        let doc = read_owned(text.clone(), &ReadOptions { delimiter }).unwrap();
        assert_eq!(rows(&doc.sheet), oracle(&text, delimiter), "case {case}");
    }
}

#[test]
fn arbitrary_text_reads_without_panic_and_lines_stay_ordered() {
    const PIECES: &[&str] = &[
        "a", "김", "\"", "\"\"", ",", ";", "\t", "\n", "\r", "\r\n", " ", "7",
    ];
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for case in 0..2000 {
        let text: String = (0..rng.below_usize(40))
            .map(|_| PIECES[rng.below_usize(PIECES.len())])
            .collect();
        // Lines as numbered: by LF, or by CR in a text without any LF.
        let line_break = if text.contains('\n') { '\n' } else { '\r' };
        let line_count = 1 + text.matches(line_break).count() as u64;
        let detected = detect_delimiter(&text);
        let doc = read_ok(&text, detected.byte());
        let lines = lines(&doc.sheet);
        assert!(
            lines.windows(2).all(|w| w[0] <= w[1]),
            "case {case}: {text:?}"
        );
        assert!(lines.iter().all(|&l| l >= 1), "case {case}: {text:?}");
        assert!(
            lines.iter().all(|&l| l <= line_count),
            "case {case}: {text:?}"
        );
        for issue in &doc.issues {
            assert!(
                (1..=line_count).contains(&issue.line()),
                "case {case}: {text:?}"
            );
            assert!(!issue.message().is_empty());
        }
        assert!(doc.issue_count >= doc.issues.len() as u64);

        // Whatever was read is written and read back cell for cell.
        let opts = WriteOptions {
            delimiter: detected.byte(),
            bom: false,
            crlf: case % 2 == 0,
        };
        let written = write_sheet(&doc.sheet, Vec::new(), &opts).unwrap();
        let written = String::from_utf8(written).unwrap();
        let again = read_ok(&written, detected.byte());
        assert_eq!(
            rows(&again.sheet),
            rows(&doc.sheet),
            "case {case}: {text:?}"
        );
    }
}

#[test]
fn edits_are_written_and_originals_kept() {
    let mut doc = read_ok("user_id,name\n1,Kim\n", b',');
    assert!(doc.sheet.set_cell(1, 1, "Lee, Y"));
    let opts = WriteOptions {
        delimiter: b',',
        bom: false,
        crlf: false,
    };
    let out = write_sheet(&doc.sheet, Vec::new(), &opts).unwrap();
    assert_eq!(out, b"user_id,name\n1,\"Lee, Y\"\n");
    assert_eq!(doc.sheet.original_cell(1, 1), Some("Kim"));
}

#[test]
fn cells_of_megabytes_are_written_whole_and_unchanged() {
    let big = "x".repeat(3_000_000);
    let quoted = format!("a\"{big}");
    let mut w = CsvWriter::new(Vec::new(), &WriteOptions::default());
    w.write_row([big.as_str(), "b", quoted.as_str()]).unwrap();
    w.write_row([""]).unwrap();
    let out = w.finish().unwrap();
    let expected = format!("{big},b,\"a\"\"{big}\"\r\n\"\"\r\n");
    assert_eq!(out.len(), expected.len());
    assert!(out == expected.as_bytes());
}
