//! Counting the records of a BioStar user CSV (or any delimited sheet) in one streaming
//! pass, without holding the file, and flagging quoted cells that hold line breaks.
//!
//! The reader proper is [`super::biostar_csv`]; this is the quick look [`crate::inspect`] takes.

use std::io::{self, Read};

use super::biostar_csv::detect_delimiter;
use super::{read_full, Tally};

/// How much of the head the delimiter is told from.
const DELIMITER_SNIFF_LEN: usize = 16 * 1024;

/// Counts the records of a delimited text read from its first byte, tallying "records
/// (header included)" and "cells with line breaks"; `head` is its first bytes.
pub fn count_records(head: &[u8], reader: &mut dyn Read, tally: &mut dyn Tally) -> io::Result<()> {
    // UTF-16 cannot be split into records as bytes: decode it whole (text::decode finds the
    // BOM, or the zero bytes of UTF-16 without one). Everything else is streamed; its delimiter is told from the head.
    let mut owned;
    let (source, delimiter): (&mut dyn Read, u8) = if crate::text::is_utf16(head) {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        let text = crate::text::decode(bytes, None).text;
        let delimiter = detect_delimiter(&text).byte();
        owned = io::Cursor::new(text.into_bytes());
        (&mut owned, delimiter)
    } else {
        let head_text = String::from_utf8_lossy(&head[..head.len().min(DELIMITER_SNIFF_LEN)]);
        (reader, detect_delimiter(&head_text).byte())
    };
    count_delimited(source, delimiter, tally)
}

/// Streams CSV records with csv-core, counting them and flagging quoted line breaks at the
/// line where their record starts. Driving csv-core directly lets this see every byte it
/// consumes, so lines are counted exactly (LF, CR LF and blank lines alike) without holding
/// the file.
fn count_delimited(source: &mut dyn Read, delimiter: u8, tally: &mut dyn Tally) -> io::Result<()> {
    let mut parser = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let mut input = vec![0u8; 256 * 1024];
    let (mut pos, mut len, mut eof) = (0usize, 0usize, false);
    let mut fields = vec![0u8; 64 * 1024];
    let mut ends = vec![0usize; 64];
    let (mut out_len, mut ends_len) = (0usize, 0usize);
    let mut line = 1u64;
    let mut record_line: Option<u64> = None;
    let (mut records, mut multiline) = (0u64, 0u64);
    loop {
        if pos == len && !eof {
            len = read_full(source, &mut input)?;
            pos = 0;
            eof = len == 0;
        }
        let chunk = &input[pos..len];
        let (result, nin, nout, nend) =
            parser.read_record(chunk, &mut fields[out_len..], &mut ends[ends_len..]);
        let consumed = &chunk[..nin];
        let mut rest = consumed;
        if record_line.is_none() {
            // Bytes between records are line ends of the previous record or blank lines.
            let gap = rest
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
            line += rest[..gap].iter().filter(|&&b| b == b'\n').count() as u64;
            rest = &rest[gap..];
            if !rest.is_empty() {
                record_line = Some(line);
            }
        }
        line += rest.iter().filter(|&&b| b == b'\n').count() as u64;
        pos += nin;
        out_len += nout;
        ends_len += nend;
        match result {
            csv_core::ReadRecordResult::InputEmpty => {}
            csv_core::ReadRecordResult::OutputFull => fields.resize(fields.len() * 2, 0),
            csv_core::ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
            csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => {
                if matches!(result, csv_core::ReadRecordResult::Record) {
                    records += 1;
                    if fields[..out_len].iter().any(|&b| b == b'\n' || b == b'\r') {
                        multiline += 1;
                        let at = record_line.unwrap_or(line);
                        tally.problem(format!(
                            "Line {at}: a quoted cell holds a line break; the BioStar server would read it as two records. Remove the line break."
                        ));
                    }
                }
                out_len = 0;
                ends_len = 0;
                record_line = None;
                if matches!(result, csv_core::ReadRecordResult::End) {
                    break;
                }
            }
        }
    }
    tally.count(
        "record (header included)",
        "records (header included)",
        records,
    );
    tally.count("cell with line breaks", "cells with line breaks", multiline);
    Ok(())
}
