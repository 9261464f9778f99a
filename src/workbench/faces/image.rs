//! One image file of a face folder, judged by its bytes: kind, dimensions from the header
//! (read with the `imagesize` crate, never decoded), damage, and the server's limits.

use std::io;

use serde::{Deserialize, Serialize};

/// The largest file the server accepts for a face image: 10 MB (taken as 10 MiB).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// [`MAX_FILE_BYTES`] as messages give it.
pub const MAX_FILE_BYTES_TEXT: &str = "10 MB (10,485,760 bytes)";
/// The largest width or height the server accepts, in pixels.
pub const MAX_SIDE: u32 = 4000;
/// The smallest width and height the server recommends, in pixels.
pub const MIN_SIDE: u32 = 250;
/// How many bytes of a file's start are read first (enough for nearly every header).
pub const HEAD_BYTES: usize = 64 * 1024;
/// How many bytes of a file's end are read to see that it is not cut off.
pub const TAIL_BYTES: usize = 64;
/// The largest JPEG read whole to find its end marker when its last bytes do not hold it
/// (a motion photo's video, padding or other bytes after the image).
const MAX_WHOLE_JPEG: u64 = 4 * MAX_FILE_BYTES;

/// What a file is, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageKind {
    /// A JPEG image (starts FF D8 FF).
    Jpeg,
    /// A PNG image (the 8-byte PNG signature).
    Png,
    /// A GIF image.
    Gif,
    /// A BMP image.
    Bmp,
    /// A WebP image.
    Webp,
    /// A TIFF image.
    Tiff,
    /// A HEIF or HEIC image (as iPhones save photos).
    Heif,
    /// Not an image bioport knows (or an empty file).
    Unknown,
}

impl ImageKind {
    /// Whether the server takes this kind (JPG or PNG).
    pub fn accepted(self) -> bool {
        matches!(self, ImageKind::Jpeg | ImageKind::Png)
    }

    /// The kind in words, e.g. "a GIF image".
    pub fn label(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "a JPEG image",
            ImageKind::Png => "a PNG image",
            ImageKind::Gif => "a GIF image",
            ImageKind::Bmp => "a BMP image",
            ImageKind::Webp => "a WebP image",
            ImageKind::Tiff => "a TIFF image",
            ImageKind::Heif => "a HEIF/HEIC image",
            ImageKind::Unknown => "not an image",
        }
    }

    /// The kind of the file whose first bytes are `head`.
    fn of(head: &[u8]) -> ImageKind {
        use imagesize::ImageType as T;
        match imagesize::image_type(head) {
            Ok(T::Jpeg) => ImageKind::Jpeg,
            Ok(T::Png) => ImageKind::Png,
            Ok(T::Gif) => ImageKind::Gif,
            Ok(T::Bmp) => ImageKind::Bmp,
            Ok(T::Webp) => ImageKind::Webp,
            Ok(T::Tiff) => ImageKind::Tiff,
            Ok(T::Heif(_)) => ImageKind::Heif,
            _ if head.starts_with(b"\xFF\xD8\xFF") => ImageKind::Jpeg,
            _ if head.starts_with(b"\x89PNG\r\n\x1a\n") => ImageKind::Png,
            _ => ImageKind::Unknown,
        }
    }
}

/// What is wrong with the bytes of a JPG or PNG file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Damage {
    /// The file ends inside its header: the dimensions are not in it.
    HeaderCut,
    /// The header does not follow the format (no dimensions can be read, or they are 0).
    HeaderCorrupt,
    /// The header is whole but the file ends before the image does (no JPEG end marker
    /// or PNG end chunk in its last bytes): it was cut off, e.g. by a failed copy.
    EndMissing,
}

impl Damage {
    /// The damage in words, after "the file".
    pub fn describe(self) -> &'static str {
        match self {
            Damage::HeaderCut => "ends inside its header (the file is cut off)",
            Damage::HeaderCorrupt => "has a corrupt header (its size cannot be read)",
            Damage::EndMissing => "is cut off: the image data stops before its end marker",
        }
    }
}

/// One file of the face folder: name, size, kind, dimensions and damage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceImage {
    /// The file name (without a folder).
    pub name: String,
    /// The file's size in bytes.
    pub size: u64,
    /// What the bytes are.
    pub kind: ImageKind,
    /// Width in pixels (0 when it could not be read).
    pub width: u32,
    /// Height in pixels (0 when it could not be read).
    pub height: u32,
    /// What is wrong with the bytes of a JPG or PNG, if anything.
    pub damage: Option<Damage>,
}

/// What reading a file's first bytes gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// The image, judged.
    Done(FaceImage),
    /// The header goes on past the bytes given: read this many first bytes and probe again.
    NeedMore(usize),
}

/// Judges a file from its first bytes `head` (at least [`HEAD_BYTES`] or the whole file)
/// and its last bytes `tail` (up to [`TAIL_BYTES`]).
pub fn probe(name: &str, size: u64, head: &[u8], tail: &[u8]) -> Probe {
    let kind = ImageKind::of(head);
    let mut image = FaceImage {
        kind,
        ..FaceImage::unread(name, size)
    };
    if !kind.accepted() {
        return Probe::Done(image);
    }
    let whole = head.len() as u64 >= size;
    match imagesize::blob_size(head) {
        Ok(d) if d.width == 0 || d.height == 0 => image.damage = Some(Damage::HeaderCorrupt),
        Ok(d) => {
            image.width = u32::try_from(d.width).unwrap_or(u32::MAX);
            image.height = u32::try_from(d.height).unwrap_or(u32::MAX);
            if !ends_whole(kind, tail) {
                match jpeg_end(kind, head, whole) {
                    // Bytes after the end marker (a motion photo's video, padding) do not
                    // make the image incomplete.
                    Some(true) => {}
                    Some(false) => image.damage = Some(Damage::EndMissing),
                    None if size <= MAX_WHOLE_JPEG => {
                        return Probe::NeedMore(usize::try_from(size).unwrap_or(usize::MAX))
                    }
                    None => image.damage = Some(Damage::EndMissing),
                }
            }
        }
        Err(imagesize::ImageError::IoError(_)) if !whole => {
            let more = head.len().saturating_mul(4).max(HEAD_BYTES);
            return Probe::NeedMore(more.min(usize::try_from(size).unwrap_or(usize::MAX)));
        }
        Err(imagesize::ImageError::IoError(_)) => image.damage = Some(Damage::HeaderCut),
        Err(_) => image.damage = Some(Damage::HeaderCorrupt),
    }
    Probe::Done(image)
}

/// Judges a file of `size` bytes reading only what is needed: its last bytes, then its
/// first [`HEAD_BYTES`], more only while the header goes on. `read(offset, len)` gives
/// bytes of the file.
pub fn probe_with(
    name: &str,
    size: u64,
    mut read: impl FnMut(u64, usize) -> io::Result<Vec<u8>>,
) -> io::Result<FaceImage> {
    let tail_len = size.min(TAIL_BYTES as u64);
    let tail = read(size - tail_len, tail_len as usize)?;
    let mut want = usize::try_from(size).unwrap_or(usize::MAX).min(HEAD_BYTES);
    loop {
        let head = read(0, want)?;
        match probe(name, size, &head, &tail) {
            Probe::Done(image) => return Ok(image),
            Probe::NeedMore(n) if n > head.len() => want = n,
            // The file gave fewer bytes than its size: judge what there is.
            Probe::NeedMore(_) => {
                return Ok(match probe(name, head.len() as u64, &head, &tail) {
                    Probe::Done(image) => FaceImage { size, ..image },
                    Probe::NeedMore(_) => FaceImage {
                        damage: Some(Damage::HeaderCut),
                        ..FaceImage::unread(name, size)
                    },
                })
            }
        }
    }
}

impl FaceImage {
    /// An image of which nothing is known yet.
    fn unread(name: &str, size: u64) -> FaceImage {
        FaceImage {
            name: name.to_string(),
            size,
            kind: ImageKind::Unknown,
            width: 0,
            height: 0,
            damage: None,
        }
    }
}

/// Whether the last bytes of a JPEG hold its end marker, or a PNG's its IEND chunk.
fn ends_whole(kind: ImageKind, tail: &[u8]) -> bool {
    match kind {
        ImageKind::Jpeg => tail.windows(2).any(|w| w == [0xFF, 0xD9]),
        ImageKind::Png => tail.windows(8).any(|w| w == b"IEND\xAE\x42\x60\x82"),
        _ => true,
    }
}

/// For a JPEG whose last bytes lack the end marker: Some(true) when the image ends with
/// one before other bytes, Some(false) when it has none, None when `head` is not the whole
/// file (read it whole to tell). Other kinds: Some(false).
fn jpeg_end(kind: ImageKind, head: &[u8], whole: bool) -> Option<bool> {
    match kind {
        ImageKind::Jpeg if whole => Some(jpeg_end_marker(head).is_some()),
        ImageKind::Jpeg => None,
        _ => Some(false),
    }
}

/// Where the image of a whole JPEG file ends (just past its EOI marker), found by walking
/// its segments and scans, so that markers inside an EXIF thumbnail or in the bytes after
/// the image are not taken for it.
fn jpeg_end_marker(bytes: &[u8]) -> Option<usize> {
    let mut i = 2;
    loop {
        // Fill bytes (FF) may precede a marker.
        while bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if bytes.get(i) != Some(&0xFF) {
            return None;
        }
        let marker = *bytes.get(i + 1)?;
        i = match marker {
            0xD9 => return Some(i + 2),
            0x01 | 0xD0..=0xD7 => i + 2,
            _ => {
                let len = usize::from(u16::from_be_bytes([*bytes.get(i + 2)?, *bytes.get(i + 3)?]));
                let after = i + 2 + len;
                if marker == 0xDA {
                    scan_end(bytes, after)?
                } else {
                    after
                }
            }
        };
    }
}

/// The position of the marker ending the entropy-coded data that starts at `from`: the
/// first FF followed by neither 00 (a stuffed byte) nor a restart marker.
fn scan_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        i += bytes.get(i..)?.iter().position(|&b| b == 0xFF)?;
        match bytes.get(i + 1)? {
            0x00 | 0xD0..=0xD7 | 0xFF => i += 1,
            _ => return Some(i),
        }
    }
}

/// Something about one image the server would reject or warn about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageProblem {
    /// Not a JPG or PNG by its bytes.
    NotJpgPng,
    /// Cut off or corrupt.
    Damaged,
    /// Over 10 MB.
    TooManyBytes,
    /// Over 4000 x 4000 pixels.
    TooLarge,
    /// Under 250 x 250 pixels (a warning).
    TooSmall,
}

impl FaceImage {
    /// What the server would reject or warn about in this image, most serious first.
    pub fn problems(&self) -> Vec<ImageProblem> {
        let mut out = Vec::new();
        if !self.kind.accepted() {
            out.push(ImageProblem::NotJpgPng);
        }
        if self.damage.is_some() {
            out.push(ImageProblem::Damaged);
        }
        if self.size > MAX_FILE_BYTES {
            out.push(ImageProblem::TooManyBytes);
        }
        if self.width > MAX_SIDE || self.height > MAX_SIDE {
            out.push(ImageProblem::TooLarge);
        }
        let known = self.width > 0 && self.height > 0;
        if known && (self.width < MIN_SIDE || self.height < MIN_SIDE) {
            out.push(ImageProblem::TooSmall);
        }
        out
    }

    /// "640 x 480 px" (or "size unknown").
    pub fn dimensions(&self) -> String {
        if self.width == 0 || self.height == 0 {
            "size unknown".to_string()
        } else {
            format!("{} x {} px", self.width, self.height)
        }
    }

    /// A sentence saying what `problem` means for this file and what to do.
    pub fn explain(&self, problem: ImageProblem) -> String {
        let name = &self.name;
        match problem {
            ImageProblem::NotJpgPng if self.size == 0 => {
                format!("{name} is empty (0 bytes): copy the photo again.")
            }
            ImageProblem::NotJpgPng => format!(
                "{name} is {} by its bytes, whatever its name says: the server takes only \
                 JPG and PNG. Save it as JPG or PNG.",
                self.kind.label()
            ),
            ImageProblem::Damaged => format!(
                "{name} {}: copy it again from the original, or save it again.",
                self.damage.map_or("is damaged", Damage::describe)
            ),
            ImageProblem::TooManyBytes => format!(
                "{name} is {} bytes, over the server's limit of {MAX_FILE_BYTES_TEXT}: save \
                 it smaller.",
                crate::text::grouped(self.size)
            ),
            ImageProblem::TooLarge => format!(
                "{name} is {}, over the server's 4000 x 4000 px limit: scale it down.",
                self.dimensions()
            ),
            ImageProblem::TooSmall => format!(
                "{name} is {}, under the 250 x 250 px the server recommends: face \
                 recognition may fail; use a larger photo.",
                self.dimensions()
            ),
        }
    }
}
