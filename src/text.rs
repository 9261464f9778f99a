//! Bytes to text: BOM sniffing, UTF-8, UTF-16, CP949, GBK, Big5, Shift_JIS and Windows-1252
//! (encoding_rs).
//!
//! [`detect`] names the encoding of a file and says why; [`decode`] turns the bytes into a
//! `String`, reusing the byte buffer when it already holds UTF-8, and counts (and places)
//! every byte that had to become U+FFFD.

use encoding_rs::{DecoderResult, Encoding};
use serde::{Deserialize, Serialize};

mod guess;

use guess::guess_legacy;

/// Bytes looked at by the guesses that cannot read the whole file (UTF-16 without BOM,
/// mostly-UTF-8, the East Asian code pages against Windows-1252).
const SNIFF_WINDOW: usize = 1 << 20;

/// Bytes looked at to recognise UTF-16 without a byte order mark.
const UTF16_SNIFF: usize = 4096;

/// Most replacement positions kept in [`Decoded::replacements`] (all are counted).
pub const MAX_REPLACEMENT_POSITIONS: usize = 1000;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16BE_BOM: &[u8] = b"\xFE\xFF";

/// A text encoding the converter reads (and can be told to use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TextEncoding {
    /// UTF-8 without a byte order mark.
    #[serde(rename = "utf-8")]
    Utf8,
    /// UTF-8 starting with the byte order mark EF BB BF (what Excel writes as "CSV UTF-8").
    #[serde(rename = "utf-8-bom")]
    Utf8Bom,
    /// UTF-16 little-endian (Excel's "Unicode text").
    #[serde(rename = "utf-16le")]
    Utf16Le,
    /// UTF-16 big-endian.
    #[serde(rename = "utf-16be")]
    Utf16Be,
    /// CP949 / Unified Hangul Code, the EUC-KR superset of Korean Windows.
    #[serde(rename = "cp949")]
    Cp949,
    /// Windows-1252, the code page of Western European Windows.
    #[serde(rename = "windows-1252")]
    Windows1252,
    /// GBK, the GB2312 superset of Simplified Chinese Windows (code page 936).
    #[serde(rename = "gbk")]
    Gbk,
    /// Big5, the code page of Traditional Chinese Windows (code page 950).
    #[serde(rename = "big5")]
    Big5,
    /// Shift_JIS, the code page of Japanese Windows (code page 932).
    #[serde(rename = "shift_jis")]
    ShiftJis,
}

impl TextEncoding {
    /// Human name for menus and reports.
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 with BOM",
            TextEncoding::Utf16Le => "UTF-16 LE (little-endian)",
            TextEncoding::Utf16Be => "UTF-16 BE (big-endian)",
            TextEncoding::Cp949 => "CP949 (Korean Windows)",
            TextEncoding::Windows1252 => "Windows-1252 (Western Windows)",
            TextEncoding::Gbk => "GBK (Simplified Chinese)",
            TextEncoding::Big5 => "Big5 (Traditional Chinese)",
            TextEncoding::ShiftJis => "Shift_JIS (Japanese)",
        }
    }

    /// Every encoding, in menu order.
    pub fn all() -> &'static [TextEncoding] {
        &[
            TextEncoding::Utf8,
            TextEncoding::Utf8Bom,
            TextEncoding::Utf16Le,
            TextEncoding::Utf16Be,
            TextEncoding::Cp949,
            TextEncoding::Windows1252,
            TextEncoding::Gbk,
            TextEncoding::Big5,
            TextEncoding::ShiftJis,
        ]
    }

    /// Short stable id ("utf-8", "utf-8-bom", "utf-16le", "utf-16be", "cp949", "windows-1252",
    /// "gbk", "big5", "shift_jis").
    pub fn id(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf8Bom => "utf-8-bom",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Cp949 => "cp949",
            TextEncoding::Windows1252 => "windows-1252",
            TextEncoding::Gbk => "gbk",
            TextEncoding::Big5 => "big5",
            TextEncoding::ShiftJis => "shift_jis",
        }
    }

    /// The encoding with this id (case-insensitive; also common aliases like "euc-kr", "cp1252").
    pub fn from_id(id: &str) -> Option<TextEncoding> {
        let id = id.trim().to_ascii_lowercase();
        let found = match id.as_str() {
            "utf-8" | "utf8" => TextEncoding::Utf8,
            "utf-8-bom" | "utf8-bom" | "utf-8 bom" | "utf-8-sig" => TextEncoding::Utf8Bom,
            "utf-16le" | "utf-16-le" | "utf16le" => TextEncoding::Utf16Le,
            "utf-16be" | "utf-16-be" | "utf16be" => TextEncoding::Utf16Be,
            "cp949" | "euc-kr" | "uhc" | "windows-949" | "ks_c_5601-1987" => TextEncoding::Cp949,
            "windows-1252" | "cp1252" | "latin1" | "iso-8859-1" => TextEncoding::Windows1252,
            "gbk" | "cp936" | "gb2312" | "windows-936" => TextEncoding::Gbk,
            "big5" | "cp950" | "windows-950" => TextEncoding::Big5,
            "shift_jis" | "shift-jis" | "sjis" | "cp932" | "windows-31j" => TextEncoding::ShiftJis,
            _ => return None,
        };
        Some(found)
    }

    /// The byte order mark a file in this encoding starts with; empty when it has none.
    pub fn bom(self) -> &'static [u8] {
        match self {
            TextEncoding::Utf8Bom => UTF8_BOM,
            TextEncoding::Utf16Le => UTF16LE_BOM,
            TextEncoding::Utf16Be => UTF16BE_BOM,
            _ => b"",
        }
    }

    /// The encoding_rs decoder table for this encoding.
    pub fn table(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => encoding_rs::UTF_8,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
            TextEncoding::Cp949 => encoding_rs::EUC_KR,
            TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252,
            TextEncoding::Gbk => encoding_rs::GBK,
            TextEncoding::Big5 => encoding_rs::BIG5,
            TextEncoding::ShiftJis => encoding_rs::SHIFT_JIS,
        }
    }
}

/// The encoding [`detect`] chose and why, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detection {
    /// The encoding chosen.
    pub encoding: TextEncoding,
    /// Why it was chosen, e.g. "the file starts with the UTF-8 byte order mark".
    pub reason: String,
}

/// Where one byte sequence that could not be decoded was replaced by U+FFFD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replacement {
    /// 1-based line of the decoded text holding the replacement character.
    pub line: u64,
    /// Offset of the first bad byte in the original file (BOM included).
    pub byte_offset: u64,
}

/// Text decoded from a file's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without the byte order mark.
    pub text: String,
    /// The encoding used (Utf8Bom exactly when a UTF-8 BOM was stripped).
    pub encoding: TextEncoding,
    /// Length of the byte order mark that was stripped (0, 2 or 3).
    pub bom_len: usize,
    /// How many byte sequences could not be decoded and became U+FFFD.
    pub replacement_count: u64,
    /// Where the first [`MAX_REPLACEMENT_POSITIONS`] replacements are.
    pub replacements: Vec<Replacement>,
}

impl Decoded {
    /// A sentence about the replaced bytes (where and what to do), or None when there are none.
    pub fn replacement_message(&self) -> Option<String> {
        let first = self.replacements.first()?;
        let count = self.replacement_count;
        let what = if count == 1 {
            "1 byte sequence".to_string()
        } else {
            format!("{count} byte sequences")
        };
        Some(format!(
            "{what} could not be read as {} and became \u{FFFD}, the first on line {} (byte {} of the file). \
             Choose another encoding if names look wrong, or fix those characters in the source file.",
            self.encoding.label(),
            first.line,
            first.byte_offset
        ))
    }
}

/// The encoding announced by a byte order mark at the start, with the mark's length.
fn bom_of(bytes: &[u8]) -> Option<(TextEncoding, usize)> {
    if bytes.starts_with(UTF8_BOM) {
        Some((TextEncoding::Utf8Bom, UTF8_BOM.len()))
    } else if bytes.starts_with(UTF16LE_BOM) {
        Some((TextEncoding::Utf16Le, UTF16LE_BOM.len()))
    } else if bytes.starts_with(UTF16BE_BOM) {
        Some((TextEncoding::Utf16Be, UTF16BE_BOM.len()))
    } else {
        None
    }
}

/// True when `head` (a file's first bytes) is UTF-16: it starts with a UTF-16 byte order
/// mark, or every other byte is zero as in UTF-16 text without one (Excel's "Unicode text"
/// saved by some tools). Such bytes are no 8-bit text and must be decoded before sniffing.
pub fn is_utf16(head: &[u8]) -> bool {
    let bom = bom_of(head).is_some_and(|(e, _)| e != TextEncoding::Utf8Bom);
    bom || utf16_without_bom(head).is_some()
}

/// UTF-16 without a byte order mark, recognised by every other byte being zero.
fn utf16_without_bom(bytes: &[u8]) -> Option<Detection> {
    let head = &bytes[..bytes.len().min(UTF16_SNIFF)];
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut zero_even, mut zero_odd) = (0usize, 0usize);
    for pair in head.chunks_exact(2) {
        zero_even += usize::from(pair[0] == 0);
        zero_odd += usize::from(pair[1] == 0);
    }
    // Text in UTF-16 has a zero high byte for every ASCII character; 8-bit text has no NULs.
    let mostly = |zeros: usize| zeros * 10 >= pairs * 3;
    let hardly = |zeros: usize| zeros * 20 < pairs;
    let encoding = if mostly(zero_odd) && hardly(zero_even) {
        TextEncoding::Utf16Le
    } else if mostly(zero_even) && hardly(zero_odd) {
        TextEncoding::Utf16Be
    } else {
        return None;
    };
    Some(Detection {
        encoding,
        reason: format!(
            "no byte order mark, but every other byte is zero as in {}",
            encoding.label()
        ),
    })
}

/// Names the encoding of a file: BOM first, then UTF-8 over the whole file, then an East Asian
/// code page or Windows-1252 judged on a bounded window starting at the first non-ASCII line.
pub fn detect(bytes: &[u8]) -> Detection {
    if let Some((encoding, _)) = bom_of(bytes) {
        return Detection {
            encoding,
            reason: format!(
                "the file starts with the byte order mark of {}",
                encoding.label()
            ),
        };
    }
    if let Some(found) = utf16_without_bom(bytes) {
        return found;
    }
    // The whole file is checked: a file may be plain ASCII for megabytes before its first
    // Korean name. The SIMD validator runs at memory speed, so this stays cheap.
    let valid = simdutf8::basic::from_utf8(bytes).map_err(|_| {
        simdutf8::compat::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), |_| bytes.len())
    });
    match valid {
        Ok(_) if bytes.is_ascii() => Detection {
            encoding: TextEncoding::Utf8,
            reason: "only plain ASCII characters, read as UTF-8".to_string(),
        },
        Ok(_) => Detection {
            encoding: TextEncoding::Utf8,
            reason: "valid UTF-8 throughout".to_string(),
        },
        Err(valid_up_to) => guess_legacy(bytes, valid_up_to),
    }
}

/// [`detect`] and [`decode`] at once for a file that [`detect`] would call UTF-8 without a
/// BOM, checking the bytes once instead of twice; any other file's bytes are given back.
pub fn detect_and_decode_utf8(bytes: Vec<u8>) -> Result<(Detection, Decoded), Vec<u8>> {
    if bom_of(&bytes).is_some() || utf16_without_bom(&bytes).is_some() {
        return Err(bytes);
    }
    let text = utf8_string(bytes).map_err(|(bytes, _)| bytes)?;
    let reason = if text.is_ascii() {
        "only plain ASCII characters, read as UTF-8"
    } else {
        "valid UTF-8 throughout"
    };
    let detection = Detection {
        encoding: TextEncoding::Utf8,
        reason: reason.to_string(),
    };
    let decoded = Decoded {
        text,
        encoding: TextEncoding::Utf8,
        bom_len: 0,
        replacement_count: 0,
        replacements: Vec::new(),
    };
    Ok((detection, decoded))
}

/// Decodes a file's bytes: with `forced`, in that encoding (stripping its own BOM); without,
/// in the encoding [`detect`] would choose. Valid UTF-8 reuses the buffer without copying.
pub fn decode(bytes: Vec<u8>, forced: Option<TextEncoding>) -> Decoded {
    let mut bytes = bytes;
    let (encoding, bom_len) = match forced {
        Some(TextEncoding::Utf8 | TextEncoding::Utf8Bom) => {
            if bytes.starts_with(UTF8_BOM) {
                (TextEncoding::Utf8Bom, UTF8_BOM.len())
            } else {
                (TextEncoding::Utf8, 0)
            }
        }
        Some(enc @ (TextEncoding::Utf16Le | TextEncoding::Utf16Be)) => {
            (enc, if bytes.starts_with(enc.bom()) { 2 } else { 0 })
        }
        Some(enc) => (enc, 0),
        None => match bom_of(&bytes) {
            Some(found) => found,
            None => match utf16_without_bom(&bytes) {
                Some(found) => (found.encoding, 0),
                None => match String::from_utf8(bytes) {
                    Ok(text) => {
                        return Decoded {
                            text,
                            encoding: TextEncoding::Utf8,
                            bom_len: 0,
                            replacement_count: 0,
                            replacements: Vec::new(),
                        }
                    }
                    Err(e) => {
                        let first_invalid = e.utf8_error().valid_up_to();
                        bytes = e.into_bytes();
                        (guess_legacy(&bytes, first_invalid).encoding, 0)
                    }
                },
            },
        },
    };

    if matches!(encoding, TextEncoding::Utf8 | TextEncoding::Utf8Bom) {
        // Fast path: strip the BOM in place and take the buffer as it is.
        if bom_len > 0 {
            bytes.drain(..bom_len.min(bytes.len()));
        }
        return match String::from_utf8(bytes) {
            Ok(text) => Decoded {
                text,
                encoding,
                bom_len,
                replacement_count: 0,
                replacements: Vec::new(),
            },
            Err(e) => {
                let bytes = e.into_bytes();
                decode_with(encoding, &bytes, bom_len)
            }
        };
    }
    let input = bytes.get(bom_len..).unwrap_or(&[]);
    decode_with(encoding, input, bom_len)
}

/// Decodes `input` (the file after a BOM of `bom_len` bytes) with replacement, recording
/// where each replacement happened.
fn decode_with(encoding: TextEncoding, input: &[u8], bom_len: usize) -> Decoded {
    let mut decoder = encoding.table().new_decoder_without_bom_handling();
    let mut text = String::with_capacity(decoded_len_estimate(encoding, input));
    let mut read_total = 0usize;
    let mut replacement_count = 0u64;
    let mut replacements = Vec::new();
    let mut line = 1u64;
    let mut lines_counted_to = 0usize;
    loop {
        let rest = input.get(read_total..).unwrap_or(&[]);
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut text, true);
        read_total += read;
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => {
                // Grow by what the rest needs at the ratio seen so far (not by doubling).
                let remaining = input.len().saturating_sub(read_total);
                let ratio = text.len() as f64 / read_total.max(1) as f64;
                let more = (remaining as f64 * ratio.max(1.0) * 1.05) as usize;
                text.reserve_exact(more.max(text.capacity() / 16).max(4096));
            }
            DecoderResult::Malformed(bad, extra) => {
                replacement_count += 1;
                if replacements.len() < MAX_REPLACEMENT_POSITIONS {
                    let new_text = text.as_bytes().get(lines_counted_to..).unwrap_or(&[]);
                    line += count_byte(new_text, b'\n') as u64;
                    lines_counted_to = text.len();
                    let start = read_total
                        .saturating_sub(usize::from(extra))
                        .saturating_sub(usize::from(bad));
                    replacements.push(Replacement {
                        line,
                        byte_offset: (bom_len + start) as u64,
                    });
                }
                text.push('\u{FFFD}');
            }
        }
    }
    Decoded {
        text,
        encoding,
        bom_len,
        replacement_count,
        replacements,
    }
}

/// How many times `needle` occurs in `haystack`.
pub(crate) fn count_byte(haystack: &[u8], needle: u8) -> usize {
    count_where(haystack, |b| b == needle)
}

/// `bytes` as a String when they are valid UTF-8 (checked with SIMD where the target has
/// it: several times faster than std's check on the mostly-ASCII text of a CSV), else the
/// bytes back with where the first invalid sequence starts.
pub fn utf8_string(bytes: Vec<u8>) -> Result<String, (Vec<u8>, usize)> {
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: the bytes were just checked to be valid UTF-8.
        return Ok(unsafe { String::from_utf8_unchecked(bytes) });
    }
    let valid_up_to = simdutf8::compat::from_utf8(&bytes)
        .err()
        .map_or(bytes.len(), |e| e.valid_up_to());
    Err((bytes, valid_up_to))
}

/// How many times each of three bytes occurs in `haystack`, in one pass.
pub(crate) fn count_bytes(haystack: &[u8], needles: [u8; 3]) -> [usize; 3] {
    let [a, b, c] = needles;
    let mut blocks = haystack.chunks_exact(64);
    let mut totals = [0usize; 3];
    for block in &mut blocks {
        let (mut na, mut nb, mut nc) = (0u8, 0u8, 0u8);
        for &x in block {
            na += u8::from(x == a);
            nb += u8::from(x == b);
            nc += u8::from(x == c);
        }
        totals[0] += usize::from(na);
        totals[1] += usize::from(nb);
        totals[2] += usize::from(nc);
    }
    for &x in blocks.remainder() {
        totals[0] += usize::from(x == a);
        totals[1] += usize::from(x == b);
        totals[2] += usize::from(x == c);
    }
    totals
}

/// How many bytes of `haystack` satisfy `matches`, counted in 64-byte blocks with a `u8`
/// tally each, which the compiler vectorises (several times faster than `filter().count()`).
pub(crate) fn count_where(haystack: &[u8], matches: impl Fn(u8) -> bool) -> usize {
    let mut blocks = haystack.chunks_exact(64);
    let mut total = 0usize;
    for block in &mut blocks {
        total += usize::from(block.iter().fold(0u8, |n, &b| n + u8::from(matches(b))));
    }
    total + blocks.remainder().iter().filter(|&&b| matches(b)).count()
}

/// Bytes of UTF-8 the decoded text will need, exact or a close upper bound for clean input,
/// so the output is allocated once.
fn decoded_len_estimate(encoding: TextEncoding, input: &[u8]) -> usize {
    match encoding {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => input.len() + 64,
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => {
            let big_endian = encoding == TextEncoding::Utf16Be;
            let units = input.chunks_exact(2).map(|pair| {
                let unit = if big_endian {
                    u16::from_be_bytes([pair[0], pair[1]])
                } else {
                    u16::from_le_bytes([pair[0], pair[1]])
                };
                match unit {
                    0..=0x7F => 1usize,
                    0x80..=0x7FF => 2,
                    0xD800..=0xDFFF => 2, // half of a 4-byte surrogate pair
                    _ => 3,
                }
            });
            units.sum::<usize>() + 3 * (input.len() % 2) + 64
        }
        TextEncoding::Cp949 => {
            let non_ascii = count_where(input, |b| b >= 0x80);
            // A two-byte character becomes at most three bytes of UTF-8.
            input.len() - non_ascii + non_ascii.div_ceil(2) * 3 + 64
        }
        TextEncoding::Gbk | TextEncoding::Big5 | TextEncoding::ShiftJis => {
            // A character may have one byte past 0x7F (an ASCII trail byte, a half-width
            // katakana) and become up to four bytes of UTF-8 from two.
            let non_ascii = count_where(input, |b| b >= 0x80);
            input.len() - non_ascii + non_ascii * 3 + 64
        }
        TextEncoding::Windows1252 => {
            let mut histogram = [0usize; 256];
            for &b in input {
                histogram[usize::from(b)] += 1;
            }
            let mut total = 64;
            for (byte, &count) in histogram.iter().enumerate() {
                if count == 0 {
                    continue;
                }
                let width = match u8::try_from(byte) {
                    Ok(b) if b >= 0x80 => {
                        let one = [b];
                        let (decoded, _) =
                            encoding_rs::WINDOWS_1252.decode_without_bom_handling(&one);
                        decoded.len()
                    }
                    _ => 1,
                };
                total += width * count;
            }
            total
        }
    }
}

/// `n` with its digits grouped by commas: 4,294,967,296.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() * 4 / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count with its noun in the singular or plural, its digits grouped: "1 row", "2 rows",
/// "0 rows", "500,000 rows".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        _ => format!("{} {many}", grouped(n)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_take_their_nouns_singular_only_for_one() {
        assert_eq!(super::plural(1, "user", "users"), "1 user");
        assert_eq!(super::plural(0, "user", "users"), "0 users");
        assert_eq!(
            super::plural(2, "empty slot", "empty slots"),
            "2 empty slots"
        );
        assert_eq!(super::plural(500_000, "row", "rows"), "500,000 rows");
    }

    use super::*;

    const SAMPLE: &str =
        "user_id,name,department\r\n1,김철수,영업\r\n2,José Müller,€ Finance\r\n3,😀,\r\n";

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if big_endian { UTF16BE_BOM } else { UTF16LE_BOM });
        }
        for unit in text.encode_utf16() {
            let pair = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            out.extend_from_slice(&pair);
        }
        out
    }

    fn cp949(text: &str) -> Vec<u8> {
        let (bytes, _, had_errors) = encoding_rs::EUC_KR.encode(text);
        assert!(!had_errors, "test text must be encodable in CP949");
        bytes.into_owned()
    }

    #[test]
    fn utf8_without_bom_reuses_the_buffer() {
        let bytes = SAMPLE.as_bytes().to_vec();
        let before = bytes.as_ptr();
        assert_eq!(detect(&bytes).encoding, TextEncoding::Utf8);
        let decoded = decode(bytes, None);
        assert_eq!(decoded.text, SAMPLE);
        assert_eq!(decoded.encoding, TextEncoding::Utf8);
        assert_eq!(decoded.bom_len, 0);
        assert_eq!(decoded.replacement_count, 0);
        assert_eq!(
            decoded.text.as_ptr(),
            before,
            "valid UTF-8 must not be copied"
        );
        assert_eq!(decoded.replacement_message(), None);
    }

    #[test]
    fn utf8_with_bom_is_stripped_in_place() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(SAMPLE.as_bytes());
        let before = bytes.as_ptr();
        let found = detect(&bytes);
        assert_eq!(found.encoding, TextEncoding::Utf8Bom);
        assert!(found.reason.contains("byte order mark"), "{}", found.reason);
        let decoded = decode(bytes, None);
        assert_eq!(decoded.text, SAMPLE);
        assert_eq!(decoded.encoding, TextEncoding::Utf8Bom);
        assert_eq!(decoded.bom_len, 3);
        assert_eq!(decoded.text.as_ptr(), before, "BOM stripping must not copy");
    }

    #[test]
    fn detecting_and_decoding_utf8_at_once_matches_doing_both() {
        let mut bom = UTF8_BOM.to_vec();
        bom.extend_from_slice("id,이름\n".as_bytes());
        let inputs: Vec<Vec<u8>> = vec![
            b"user_id,name\n1,Kim\n".to_vec(),
            "user_id,name\n1,김철수\n".as_bytes().to_vec(),
            bom,
            vec![0xB1, 0xE8, b'\n'],
            utf16(SAMPLE, false, false),
            Vec::new(),
        ];
        for bytes in inputs {
            let d = detect(&bytes);
            let decoded = decode(bytes.clone(), Some(d.encoding));
            match detect_and_decode_utf8(bytes.clone()) {
                Ok((d2, decoded2)) => {
                    assert_eq!((d2.encoding, d2.reason), (d.encoding, d.reason));
                    assert_eq!(decoded2, decoded);
                }
                Err(back) => {
                    assert_eq!(back, bytes);
                    assert!(d.encoding != TextEncoding::Utf8 || bytes.starts_with(UTF8_BOM));
                }
            }
        }
    }

    #[test]
    fn ascii_only_is_utf8_and_says_so() {
        let found = detect(b"user_id,name\n1,Kim\n");
        assert_eq!(found.encoding, TextEncoding::Utf8);
        assert!(found.reason.contains("ASCII"));
    }

    #[test]
    fn empty_input_decodes_to_empty_utf8() {
        assert_eq!(detect(b"").encoding, TextEncoding::Utf8);
        let decoded = decode(Vec::new(), None);
        assert_eq!(decoded.text, "");
        assert_eq!(decoded.encoding, TextEncoding::Utf8);
        for &enc in TextEncoding::all() {
            assert_eq!(decode(Vec::new(), Some(enc)).text, "");
        }
    }

    #[test]
    fn utf16_le_and_be_with_bom() {
        for big_endian in [false, true] {
            let bytes = utf16(SAMPLE, big_endian, true);
            let expected = if big_endian {
                TextEncoding::Utf16Be
            } else {
                TextEncoding::Utf16Le
            };
            assert_eq!(detect(&bytes).encoding, expected);
            let decoded = decode(bytes.clone(), None);
            assert_eq!(decoded.text, SAMPLE);
            assert_eq!(decoded.encoding, expected);
            assert_eq!(decoded.bom_len, 2);
            assert_eq!(decoded.replacement_count, 0);
            // Forcing the right encoding gives the same text.
            assert_eq!(decode(bytes, Some(expected)).text, SAMPLE);
        }
    }

    #[test]
    fn utf16_without_bom_is_recognised_by_its_zero_bytes() {
        let bytes = utf16(SAMPLE, false, false);
        let found = detect(&bytes);
        assert_eq!(found.encoding, TextEncoding::Utf16Le);
        assert!(found.reason.contains("zero"));
        let decoded = decode(bytes, None);
        assert_eq!(decoded.text, SAMPLE);
        assert_eq!(decoded.bom_len, 0);
        let decoded = decode(utf16(SAMPLE, true, false), None);
        assert_eq!(decoded.encoding, TextEncoding::Utf16Be);
        assert_eq!(decoded.text, SAMPLE);
    }

    #[test]
    fn utf16_odd_length_counts_the_dangling_byte() {
        let mut bytes = utf16("a,b\n", false, true);
        bytes.push(b'c');
        let decoded = decode(bytes, None);
        assert_eq!(decoded.text, "a,b\n\u{FFFD}");
        assert_eq!(decoded.replacement_count, 1);
        assert_eq!(
            decoded.replacements,
            vec![Replacement {
                line: 2,
                byte_offset: 10
            }]
        );
    }

    #[test]
    fn cp949_korean_is_detected_and_decoded() {
        let text = "user_id,name,department\r\n1,김철수,영업부\r\n2,이영희,인사\r\n";
        let bytes = cp949(text);
        let found = detect(&bytes);
        assert_eq!(found.encoding, TextEncoding::Cp949, "{}", found.reason);
        assert!(found.reason.contains("Korean"), "{}", found.reason);
        let decoded = decode(bytes, None);
        assert_eq!(decoded.text, text);
        assert_eq!(decoded.encoding, TextEncoding::Cp949);
        assert_eq!(decoded.replacement_count, 0);
    }

    #[test]
    fn windows_1252_is_detected_and_decoded() {
        let bytes =
            b"name,note\nJos\xe9 M\xfcller,\x80 5\n\xc4ngstr\xf6m,\x93quoted\x94\n".to_vec();
        let found = detect(&bytes);
        assert_eq!(
            found.encoding,
            TextEncoding::Windows1252,
            "{}",
            found.reason
        );
        let decoded = decode(bytes, None);
        assert_eq!(
            decoded.text,
            "name,note\nJosé Müller,€ 5\nÄngström,\u{201C}quoted\u{201D}\n"
        );
        assert_eq!(decoded.encoding, TextEncoding::Windows1252);
        assert_eq!(decoded.replacement_count, 0);
    }

    #[test]
    fn latin_text_that_happens_to_be_valid_cp949_stays_windows_1252() {
        // "Änne": C4 6E is a valid CP949 pair (an extended Hangul syllable), but no common
        // Korean syllable appears, so Windows-1252 is the plausible reading.
        let bytes = b"name\n\xc4nne\n".to_vec();
        assert!(!encoding_rs::EUC_KR.decode_without_bom_handling(&bytes).1);
        let found = detect(&bytes);
        assert_eq!(
            found.encoding,
            TextEncoding::Windows1252,
            "{}",
            found.reason
        );
        assert!(
            found
                .reason
                .ends_with("which gives 1 accented Latin letter"),
            "{}",
            found.reason
        );
        assert_eq!(decode(bytes, None).text, "name\nÄnne\n");
    }

    #[test]
    fn a_late_first_non_ascii_byte_is_still_judged_right() {
        // 2 MiB of ASCII before the first non-ASCII byte: past the sniff window.
        let mut ascii = String::new();
        let mut n = 0;
        while ascii.len() < 2 * SNIFF_WINDOW {
            ascii.push_str(&format!("{n},Kim,Sales\n"));
            n += 1;
        }
        let mut latin = ascii.clone().into_bytes();
        latin.extend_from_slice(b"9,Jos\xe9,Caf\xe9\n");
        assert_eq!(detect(&latin).encoding, TextEncoding::Windows1252);
        let decoded = decode(latin, None);
        assert!(decoded.text.ends_with("9,José,Café\n"));

        let mut korean = ascii.clone().into_bytes();
        korean.extend_from_slice(&cp949("9,김철수,영업\n"));
        assert_eq!(detect(&korean).encoding, TextEncoding::Cp949);
        assert!(decode(korean, None).text.ends_with("9,김철수,영업\n"));

        let mut utf8 = ascii.into_bytes();
        utf8.extend_from_slice("9,김철수,영업\n".as_bytes());
        assert_eq!(detect(&utf8).encoding, TextEncoding::Utf8);
    }

    #[test]
    fn mostly_utf8_with_one_bad_byte_stays_utf8() {
        let mut bytes = "1,김철수\n2,이영희\n3,박지성\n4,최민수\n"
            .as_bytes()
            .to_vec();
        bytes.extend_from_slice(b"5,bad\xff\n");
        let found = detect(&bytes);
        assert_eq!(found.encoding, TextEncoding::Utf8, "{}", found.reason);
        let offset = bytes.len() - 2;
        let decoded = decode(bytes, None);
        assert!(decoded.text.ends_with("5,bad\u{FFFD}\n"));
        assert_eq!(decoded.replacement_count, 1);
        assert_eq!(
            decoded.replacements,
            vec![Replacement {
                line: 5,
                byte_offset: offset as u64
            }]
        );
    }

    #[test]
    fn forced_wrong_encoding_counts_and_places_replacements() {
        // 김 = B1 E8, 이 = C0 CC in CP949: none of these starts valid UTF-8 here.
        let bytes = cp949("1,김\n2,이\n");
        assert_eq!(bytes, b"1,\xb1\xe8\n2,\xc0\xcc\n");
        let decoded = decode(bytes, Some(TextEncoding::Utf8));
        assert_eq!(decoded.encoding, TextEncoding::Utf8);
        assert_eq!(decoded.text, "1,\u{FFFD}\u{FFFD}\n2,\u{FFFD}\u{FFFD}\n");
        assert_eq!(decoded.replacement_count, 4);
        let places: Vec<(u64, u64)> = decoded
            .replacements
            .iter()
            .map(|r| (r.line, r.byte_offset))
            .collect();
        assert_eq!(places, vec![(1, 2), (1, 3), (2, 7), (2, 8)]);
        let message = decoded.replacement_message().unwrap();
        assert!(message.starts_with("4 byte sequences could not be read as UTF-8"));
        assert!(message.contains("line 1 (byte 2"), "{message}");
        assert!(message.contains("Choose another encoding"));
    }

    #[test]
    fn forced_cp949_on_bad_bytes_counts_them_with_bom_offset() {
        // 0x80 is no CP949 lead byte: one replacement, placed on line 2 at byte 2.
        let bytes = b"a\n\x80b\n".to_vec();
        let decoded = decode(bytes, Some(TextEncoding::Cp949));
        assert_eq!(decoded.text, "a\n\u{FFFD}b\n");
        assert_eq!(
            decoded.replacements,
            vec![Replacement {
                line: 2,
                byte_offset: 2
            }]
        );
        // Forced UTF-16 LE strips its BOM, and offsets still count it.
        let mut bytes = utf16("ab\n", false, true);
        bytes.extend_from_slice(&[0x00, 0xDC]); // a lone low surrogate
        let decoded = decode(bytes, Some(TextEncoding::Utf16Le));
        assert_eq!(decoded.text, "ab\n\u{FFFD}");
        assert_eq!(decoded.bom_len, 2);
        assert_eq!(decoded.replacements[0].byte_offset, 8);
        assert_eq!(decoded.replacements[0].line, 2);
    }

    #[test]
    fn forced_utf8_on_a_bom_file_strips_the_bom() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice("a,é\n".as_bytes());
        let decoded = decode(bytes, Some(TextEncoding::Utf8));
        assert_eq!(decoded.text, "a,é\n");
        assert_eq!(decoded.encoding, TextEncoding::Utf8Bom);
        assert_eq!(decoded.bom_len, 3);
        let decoded = decode(b"a\n".to_vec(), Some(TextEncoding::Utf8Bom));
        assert_eq!(decoded.encoding, TextEncoding::Utf8);
        assert_eq!(decoded.bom_len, 0);
    }

    #[test]
    fn forced_windows_1252_reads_every_byte() {
        let decoded = decode(cp949("김"), Some(TextEncoding::Windows1252));
        assert_eq!(decoded.text, "±è");
        assert_eq!(decoded.replacement_count, 0);
    }

    #[test]
    fn replacement_positions_are_capped_but_all_counted() {
        let mut bytes = Vec::new();
        for _ in 0..1500 {
            bytes.extend_from_slice(b"x\xff\n");
        }
        let decoded = decode(bytes, Some(TextEncoding::Utf8));
        assert_eq!(decoded.replacement_count, 1500);
        assert_eq!(decoded.replacements.len(), MAX_REPLACEMENT_POSITIONS);
        let last = decoded.replacements[MAX_REPLACEMENT_POSITIONS - 1];
        assert_eq!(last.line, 1000);
        assert_eq!(last.byte_offset, 999 * 3 + 1);
    }

    #[test]
    fn byte_counts_match_a_plain_count() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 256) as u8).collect();
        for len in [0, 1, 63, 64, 65, 1000] {
            let part = &bytes[..len];
            let plain = part.iter().filter(|&&b| b == 7).count();
            assert_eq!(count_byte(part, 7), plain, "{len}");
            let high = part.iter().filter(|&&b| b >= 0x80).count();
            assert_eq!(count_where(part, |b| b >= 0x80), high, "{len}");
            let seven_or_eight = [7, 8, 0].map(|n| part.iter().filter(|&&b| b == n).count());
            assert_eq!(count_bytes(part, [7, 8, 0]), seven_or_eight, "{len}");
        }
    }

    #[test]
    fn ids_labels_and_serde_agree() {
        for &enc in TextEncoding::all() {
            assert_eq!(TextEncoding::from_id(enc.id()), Some(enc));
            assert_eq!(
                serde_json::to_string(&enc).unwrap(),
                format!("\"{}\"", enc.id())
            );
            assert!(!enc.label().is_empty());
        }
        assert_eq!(TextEncoding::Utf8Bom.label(), "UTF-8 with BOM");
        assert_eq!(TextEncoding::Cp949.label(), "CP949 (Korean Windows)");
        assert_eq!(TextEncoding::from_id(" EUC-KR "), Some(TextEncoding::Cp949));
        assert_eq!(TextEncoding::from_id("SJIS"), Some(TextEncoding::ShiftJis));
        assert_eq!(TextEncoding::from_id("cp936"), Some(TextEncoding::Gbk));
        assert_eq!(TextEncoding::from_id("big5"), Some(TextEncoding::Big5));
        assert_eq!(TextEncoding::from_id("koi8-r"), None);
        assert_eq!(TextEncoding::Utf16Be.bom(), b"\xFE\xFF");
        assert_eq!(TextEncoding::Utf8.bom(), b"");
    }

    #[test]
    fn decode_estimates_are_upper_bounds_for_clean_input() {
        for &enc in TextEncoding::all() {
            let (bytes, _, _) = enc.table().encode("1,김철수,José €,😀\n");
            let bytes = match enc {
                TextEncoding::Utf16Le => utf16("1,김철수,José €,😀\n", false, false),
                TextEncoding::Utf16Be => utf16("1,김철수,José €,😀\n", true, false),
                _ => bytes.into_owned(),
            };
            let decoded = decode_with(enc, &bytes, 0);
            assert!(
                decoded_len_estimate(enc, &bytes) >= decoded.text.len(),
                "{enc:?}"
            );
        }
    }
}
