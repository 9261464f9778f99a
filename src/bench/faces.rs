//! The face image folder benchmark's input: a folder of JPEG and PNG files of 30 to 300 KB
//! with realistic headers (JFIF, EXIF of up to 90 KB, quantisation and Huffman tables,
//! SOF0; PNG IHDR, IDAT, IEND) and planted defects, and a user CSV naming them.
//!
//! The image data between header and end marker is left as a hole (a sparse file): the
//! checks read headers and ends, and the duplicate check and the "read everything once"
//! baseline read the same bytes, so the figures compare like with like without writing
//! gigabytes to the disk.

use std::fs::{self, File};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;

use super::Rng;

/// What was planted in a generated folder. The counts overlap the findings only roughly:
/// a row naming a missing or differently cased file hides its image's own defect, and a
/// file given another's bytes loses its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlantedFaces {
    /// Files written.
    pub files: u64,
    /// Bytes the files hold (holes included).
    pub bytes: u64,
    /// Rows naming a file not in the folder.
    pub missing: u64,
    /// Rows naming a file with another case.
    pub case_differs: u64,
    /// GIF files named `.jpg`.
    pub not_jpg_png: u64,
    /// Files cut off before their end marker.
    pub cut: u64,
    /// Images over 4000 x 4000 px.
    pub too_large: u64,
    /// Images under 250 x 250 px.
    pub too_small: u64,
    /// Files with the same bytes as the file before them.
    pub same_bytes: u64,
}

/// A JPEG header: SOI, JFIF, an EXIF segment of `exif` bytes, a quantisation table,
/// SOF0 of `w` x `h`, a Huffman table and the start of scan.
fn jpeg_head(rng: &mut Rng, w: u16, h: u16, exif: usize) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8];
    b.extend_from_slice(&[
        0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ]);
    let exif = exif.clamp(8, 65_533);
    b.extend_from_slice(&[0xFF, 0xE1]);
    b.extend_from_slice(&(exif as u16 + 2).to_be_bytes());
    b.extend_from_slice(b"Exif\0\0");
    b.extend((6..exif).map(|_| rng.next() as u8));
    b.extend_from_slice(&[0xFF, 0xDB, 0, 67, 0]);
    b.extend((0..64).map(|i| 1 + (i as u8 % 50)));
    b.extend_from_slice(&[0xFF, 0xC0, 0, 17, 8]);
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    b.extend_from_slice(&[
        0xFF, 0xC4, 0, 31, 0, 0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0,
    ]);
    b.extend(0..12u8);
    b.extend_from_slice(&[0xFF, 0xDA, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3F, 0]);
    b
}

/// A PNG header: signature, IHDR of `w` x `h`, and an IDAT chunk `data` bytes long.
fn png_head(w: u32, h: u32, data: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend_from_slice(&13u32.to_be_bytes());
    b.extend_from_slice(b"IHDR");
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0, 0x12, 0x34, 0x56, 0x78]);
    b.extend_from_slice(&data.to_be_bytes());
    b.extend_from_slice(b"IDAT\x78\x9c");
    b
}

/// The PNG end: the IDAT CRC, then the IEND chunk.
const PNG_END: &[u8] = b"\x00\x00\x00\x00\x00\x00\x00\x00IEND\xAE\x42\x60\x82";

/// Writes `head`, a hole up to `size - tail.len()`, then `tail`.
fn write_sparse(path: &Path, head: &[u8], size: u64, tail: &[u8]) -> io::Result<()> {
    let mut f = File::create(path)?;
    f.write_all(head)?;
    let end = size.max((head.len() + tail.len()) as u64);
    f.seek(SeekFrom::Start(end - tail.len() as u64))?;
    f.write_all(tail)?;
    f.set_len(end)
}

/// The header, size and end of image `i`, and which defect it carries (if any).
fn image_of(
    rng: &mut Rng,
    i: usize,
    planted: &mut PlantedFaces,
) -> (String, Vec<u8>, u64, Vec<u8>) {
    let size = 30_000 + rng.below(270_001);
    let (mut w, mut h) = (600 + rng.below(900) as u16, 800 + rng.below(900) as u16);
    if i % 1000 == 999 {
        (w, h) = (5000, 5000);
        planted.too_large += 1;
    } else if i % 700 == 699 {
        (w, h) = (200, 200);
        planted.too_small += 1;
    }
    let jpeg = !i.is_multiple_of(4);
    let name = format!("{}.{}", 100_000 + i, if jpeg { "jpg" } else { "png" });
    if i % 1100 == 1099 {
        planted.not_jpg_png += 1;
        return (
            name,
            b"GIF89a\x20\x03\x58\x02\x80\x00\x00".to_vec(),
            size,
            b"\x00;".to_vec(),
        );
    }
    let (head, tail) = if jpeg {
        // Phones write EXIF with a thumbnail; a few go past the first 64 KiB read.
        let exif = if i.is_multiple_of(97) {
            65_000
        } else {
            2_000 + rng.below_usize(20_000)
        };
        (jpeg_head(rng, w, h, exif), vec![0xFF, 0xD9])
    } else {
        (
            png_head(u32::from(w), u32::from(h), size as u32),
            PNG_END.to_vec(),
        )
    };
    if i % 900 == 899 {
        planted.cut += 1;
        return (name, head, size / 2, vec![0]);
    }
    (name, head, size, tail)
}

/// Writes `n` images into `dir` (made if needed) and returns the user CSV naming them,
/// with what was planted.
pub fn write_face_folder(dir: &Path, n: usize) -> io::Result<(Vec<u8>, PlantedFaces)> {
    fs::create_dir_all(dir)?;
    let mut rng = Rng(0xface_0000_5eed);
    let mut planted = PlantedFaces::default();
    let mut csv = String::from("user_id,name,face_image_file1\r\n");
    let mut last: Option<(Vec<u8>, u64, Vec<u8>)> = None;
    for i in 0..n {
        let (name, mut head, mut size, mut tail) = image_of(&mut rng, i, &mut planted);
        if i % 1300 == 1299 {
            if let Some((h, s, t)) = last.clone() {
                (head, size, tail) = (h, s, t);
                planted.same_bytes += 1;
            }
        }
        write_sparse(&dir.join(&name), &head, size, &tail)?;
        planted.files += 1;
        planted.bytes += size.max((head.len() + tail.len()) as u64);
        last = Some((head, size, tail));
        let named = if i % 1500 == 1499 {
            planted.missing += 1;
            format!("gone-{i}.jpg")
        } else if i % 800 == 799 {
            planted.case_differs += 1;
            name.to_uppercase()
        } else {
            name
        };
        csv.push_str(&format!("{},User {i},{named}\r\n", 1 + i));
    }
    Ok((csv.into_bytes(), planted))
}
