//! The gzip container (RFC 1952) around a BioStar data file's tar archive, read as a
//! stream: every member's header, its deflate data, and its trailer's CRC-32 and length
//! (ISIZE) are checked, each by name, with the byte offset where something is wrong.
//!
//! What follows the first member is told apart: a second gzip member (read on, as gzip
//! itself does, and reported) or trailing bytes that are not gzip (reported, not read).
//!
//! [`GzipWriter`] writes one member whose data is deflated (level 1) or, for bytes that
//! would not shrink, stored as they are, switching between the two as it is told.

use std::fmt;
use std::io::{self, BufRead, Read, Write};

use flate2::{Compress, Compression, FlushCompress, Status};

pub mod crc32;

use crc32::Crc32;

/// The two bytes every gzip member starts with.
pub const MAGIC: [u8; 2] = [0x1f, 0x8b];
/// The compression method byte that follows the magic: deflate, the only one defined.
pub const DEFLATE: u8 = 0x08;

/// Header flag bits (RFC 1952, section 2.3.1).
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const RESERVED: u8 = 0xe0;

/// Something found in the container that does not stop reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GzipNote {
    /// Another gzip member starts at `offset` (BioStar writes one).
    ExtraMember {
        /// The member's number, 2 for the first extra one.
        number: u32,
        /// Where it starts in the file.
        offset: u64,
    },
    /// Bytes that are not gzip follow the last member.
    TrailingBytes {
        /// Where they start in the file.
        offset: u64,
        /// How many there are.
        len: u64,
    },
}

impl fmt::Display for GzipNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GzipNote::ExtraMember { number, offset } => write!(
                f,
                "Byte {offset} of the file: gzip member {number} starts here; BioStar writes a data file as one gzip member, so the file was joined from several. Its contents were read on, as gzip does; export the file again if the device refuses it."
            ),
            GzipNote::TrailingBytes { offset, len } => write!(
                f,
                "Byte {offset} of the file: {len} bytes that are not gzip follow the end of the compressed data; they are ignored here, but a device may refuse the file. Export it again, or cut the file at byte {offset}."
            ),
        }
    }
}

/// Counts the bytes taken from the file, so errors can say where they are.
struct Counted<R> {
    inner: R,
    offset: u64,
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.offset += amt as u64;
        self.inner.consume(amt);
    }
}

/// Where the reader is in the container.
enum State<R> {
    /// Inside a member's deflate data.
    Body(Box<flate2::bufread::DeflateDecoder<Counted<R>>>),
    /// Between members (the source is parked here while no decoder holds it).
    Between(Counted<R>),
    /// Past the end (or after an error), with the bytes of the file taken by then.
    Done(u64),
}

/// Reads the uncompressed bytes of every gzip member in turn, checking each trailer.
pub struct GzipReader<R> {
    state: State<R>,
    crc: Crc32,
    members: u32,
    notes: Vec<GzipNote>,
}

/// Damage in a gzip stream: the byte of the file where it is, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The byte of the file (the stored, compressed stream).
    pub at: u64,
    /// What is wrong there, in words.
    pub what: String,
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "byte {} of the file: {}", self.at, self.what)
    }
}

impl std::error::Error for Damage {}

impl Damage {
    /// The damage a read error of [`GzipReader`] names, when it is one.
    pub fn of(e: &io::Error) -> Option<&Damage> {
        e.get_ref()?.downcast_ref()
    }
}

fn invalid(at: u64, what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, Damage { at, what })
}

fn cut_off(offset: u64, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("the file ends at byte {offset}, inside {what}: it is cut off"),
    )
}

impl<R: BufRead> GzipReader<R> {
    /// Starts reading a gzip file from its first byte.
    pub fn new(source: R) -> Self {
        GzipReader {
            state: State::Between(Counted {
                inner: source,
                offset: 0,
            }),
            crc: Crc32::new(),
            members: 0,
            notes: Vec::new(),
        }
    }

    /// The members read so far.
    pub fn members(&self) -> u32 {
        self.members
    }

    /// What was found that did not stop reading (extra members, trailing bytes).
    pub fn notes(&self) -> &[GzipNote] {
        &self.notes
    }

    /// Bytes of the file taken so far.
    pub fn offset(&self) -> u64 {
        match &self.state {
            State::Body(d) => d.get_ref().offset,
            State::Between(src) => src.offset,
            State::Done(offset) => *offset,
        }
    }

    /// Reads the next member's header, or notes what follows the last one; Ok(None) at
    /// the end of the file.
    fn next_member(&mut self, mut src: Counted<R>) -> io::Result<Option<Counted<R>>> {
        let start = src.offset;
        let head = src.fill_buf()?;
        if head.is_empty() {
            return if self.members == 0 {
                Err(cut_off(start, "the gzip header: the file is empty"))
            } else {
                Ok(None)
            };
        }
        if self.members > 0 && !head.starts_with(&MAGIC[..head.len().min(2)]) {
            let len = io::copy(&mut src, &mut io::sink())?;
            self.notes
                .push(GzipNote::TrailingBytes { offset: start, len });
            return Ok(None);
        }
        read_header(&mut src)?;
        self.members += 1;
        // The first extra member only: a file of a million tiny members is one finding.
        if self.members == 2 {
            self.notes.push(GzipNote::ExtraMember {
                number: self.members,
                offset: start,
            });
        }
        Ok(Some(src))
    }

    /// Checks the trailer of the member just inflated against what it inflated to.
    fn check_trailer(&mut self, src: &mut Counted<R>) -> io::Result<()> {
        let at = src.offset;
        let mut trailer = [0u8; 8];
        src.read_exact(&mut trailer)
            .map_err(|_| cut_off(src.offset, "the gzip trailer (CRC-32 and length)"))?;
        let stored_crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        let stored_len = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
        let (crc, len) = (self.crc.sum(), self.crc.amount());
        self.crc = Crc32::new();
        if stored_crc != crc {
            return Err(invalid(at, format!(
                "the gzip trailer's CRC-32 is {stored_crc:08x}, but the data inflates to {crc:08x}: the compressed data is damaged"
            )));
        }
        if stored_len != len {
            return Err(invalid(at + 4, format!(
                "the gzip trailer's length field (ISIZE) says {stored_len} bytes, but the data inflates to {len} bytes (modulo 4 GiB); the CRC-32 matches, so the length field itself is damaged"
            )));
        }
        Ok(())
    }
}

impl<R: BufRead> Read for GzipReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let at = self.offset();
            match std::mem::replace(&mut self.state, State::Done(at)) {
                State::Done(_) => return Ok(0),
                State::Between(src) => {
                    if let Some(src) = self.next_member(src)? {
                        let decoder = flate2::bufread::DeflateDecoder::new(src);
                        self.state = State::Body(Box::new(decoder));
                    }
                }
                State::Body(mut decoder) => {
                    let n = decoder.read(buf).map_err(|e| {
                        let src = decoder.get_mut();
                        if e.kind() == io::ErrorKind::UnexpectedEof {
                            // The decoder stops short of bytes it could not use: the
                            // file ends after them.
                            let end = src.offset + src.fill_buf().map_or(0, |b| b.len() as u64);
                            self.state = State::Done(end);
                            cut_off(end, "the compressed data")
                        } else {
                            let at = src.offset;
                            self.state = State::Done(at);
                            invalid(at, format!("the compressed data is damaged ({e})"))
                        }
                    })?;
                    if n > 0 || buf.is_empty() {
                        self.crc.update(&buf[..n]);
                        self.state = State::Body(decoder);
                        return Ok(n);
                    }
                    let mut src = decoder.into_inner();
                    if let Err(e) = self.check_trailer(&mut src) {
                        self.state = State::Done(src.offset);
                        return Err(e);
                    }
                    self.state = State::Between(src);
                }
            }
        }
    }
}

/// Reads one member header (magic, method, flags and the optional fields).
fn read_header<R: BufRead>(src: &mut Counted<R>) -> io::Result<()> {
    let at = src.offset;
    let mut fixed = [0u8; 10];
    src.read_exact(&mut fixed)
        .map_err(|_| cut_off(src.offset, "a gzip header"))?;
    if fixed[..2] != MAGIC {
        return Err(invalid(
            at,
            "this is not gzip (it does not start with the bytes 1f 8b)".to_string(),
        ));
    }
    if fixed[2] != DEFLATE {
        return Err(invalid(
            at + 2,
            format!(
                "gzip compression method {} is not deflate (8), the only one defined",
                fixed[2]
            ),
        ));
    }
    let flags = fixed[3];
    if flags & RESERVED != 0 {
        return Err(invalid(
            at + 3,
            format!(
                "the gzip header sets reserved flag bits ({flags:#04x}); the header is damaged"
            ),
        ));
    }
    if flags & FEXTRA != 0 {
        let mut len = [0u8; 2];
        src.read_exact(&mut len)
            .map_err(|_| cut_off(src.offset, "a gzip header"))?;
        let len = u64::from(u16::from_le_bytes(len));
        let skipped = io::copy(&mut src.by_ref().take(len), &mut io::sink())?;
        if skipped < len {
            return Err(cut_off(src.offset, "a gzip header"));
        }
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            skip_zero_terminated(src)?;
        }
    }
    if flags & FHCRC != 0 {
        let mut crc16 = [0u8; 2];
        src.read_exact(&mut crc16)
            .map_err(|_| cut_off(src.offset, "a gzip header"))?;
    }
    Ok(())
}

/// Skips a zero-terminated header field (file name or comment) without keeping it.
fn skip_zero_terminated<R: BufRead>(src: &mut Counted<R>) -> io::Result<()> {
    loop {
        let buf = src.fill_buf()?;
        if buf.is_empty() {
            return Err(cut_off(src.offset, "a gzip header"));
        }
        match memchr::memchr(0, buf) {
            Some(i) => {
                src.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                src.consume(n);
            }
        }
    }
}

/// How [`GzipWriter`] puts the bytes it is given into the deflate stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    /// Compressed at level 1.
    Deflate,
    /// In stored blocks, as they are (for data that would not shrink).
    Store,
}

/// The most bytes one stored deflate block holds.
const STORED_MAX: usize = 0xffff;
/// The compressed bytes held before they are written out.
const OUT_CHUNK: usize = 64 * 1024;

/// Writes one gzip member: a fixed header (no name, no time), deflate data and the trailer.
/// Bytes given in [`Packing::Store`] go into stored blocks of their own; before them the
/// deflater's data is completed with a full flush, which aligns it to a byte and forgets
/// its history, so it never refers back across the stored bytes.
pub struct GzipWriter<W: Write> {
    out: W,
    deflate: Compress,
    crc: Crc32,
    packing: Packing,
    /// Output not yet written to `out`.
    buf: Vec<u8>,
}

impl<W: Write> GzipWriter<W> {
    /// A writer deflating into `out`, the gzip header written.
    pub fn new(out: W) -> Self {
        let mut buf = Vec::with_capacity(2 * OUT_CHUNK);
        // Magic, deflate, no flags, no time, "fastest" (XFL 4), unknown system.
        buf.extend_from_slice(&[MAGIC[0], MAGIC[1], DEFLATE, 0, 0, 0, 0, 0, 4, 255]);
        GzipWriter {
            out,
            deflate: Compress::new(Compression::fast(), false),
            crc: Crc32::new(),
            packing: Packing::Deflate,
            buf,
        }
    }

    /// How the next bytes are written.
    pub fn set_packing(&mut self, packing: Packing) -> io::Result<()> {
        if packing == Packing::Store && self.packing == Packing::Deflate {
            self.drain(FlushCompress::Full)?;
        }
        self.packing = packing;
        Ok(())
    }

    /// Completes the deflate data and writes the trailer; gives back the output (not
    /// flushed: the caller closes it).
    pub fn finish(mut self) -> io::Result<W> {
        self.drain(FlushCompress::Finish)?;
        self.buf.extend_from_slice(&self.crc.sum().to_le_bytes());
        self.buf.extend_from_slice(&self.crc.amount().to_le_bytes());
        self.write_out()?;
        Ok(self.out)
    }

    /// Deflates `data` into the buffer, writing it out as it fills.
    fn deflate(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            self.make_room()?;
            let before = self.deflate.total_in();
            self.deflate
                .compress_vec(data, &mut self.buf, FlushCompress::None)
                .map_err(io::Error::other)?;
            data = &data[(self.deflate.total_in() - before) as usize..];
        }
        Ok(())
    }

    /// Puts `data` into stored blocks.
    fn store(&mut self, data: &[u8]) -> io::Result<()> {
        for block in data.chunks(STORED_MAX) {
            let len = block.len() as u16;
            // BFINAL 0, BTYPE 00, padded to the byte; then LEN and its complement.
            self.buf.push(0);
            self.buf.extend_from_slice(&len.to_le_bytes());
            self.buf.extend_from_slice(&(!len).to_le_bytes());
            self.buf.extend_from_slice(block);
            if self.buf.len() >= OUT_CHUNK {
                self.write_out()?;
            }
        }
        Ok(())
    }

    /// Runs the deflater with `flush` and no more input until all its output is out.
    fn drain(&mut self, flush: FlushCompress) -> io::Result<()> {
        loop {
            self.make_room()?;
            let status = self
                .deflate
                .compress_vec(&[], &mut self.buf, flush)
                .map_err(io::Error::other)?;
            let room_left = self.buf.len() < self.buf.capacity();
            if status == Status::StreamEnd || (room_left && flush != FlushCompress::Finish) {
                return Ok(());
            }
        }
    }

    /// Writes the buffer out when it holds a chunk, so the deflater has room.
    fn make_room(&mut self) -> io::Result<()> {
        if self.buf.len() >= OUT_CHUNK {
            self.write_out()?;
        }
        Ok(())
    }

    /// Writes the buffer out.
    fn write_out(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

impl<W: Write> Write for GzipWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.crc.update(data);
        match self.packing {
            Packing::Deflate => self.deflate(data)?,
            Packing::Store => self.store(data)?,
        }
        Ok(data.len())
    }

    /// Writes out what is buffered (the deflater keeps what it holds back).
    fn flush(&mut self) -> io::Result<()> {
        self.write_out()?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    fn inflate(bytes: &[u8]) -> (io::Result<Vec<u8>>, Vec<GzipNote>, u32) {
        let mut r = GzipReader::new(bytes);
        let mut out = Vec::new();
        let result = r.read_to_end(&mut out).map(|_| out);
        (result, r.notes().to_vec(), r.members())
    }

    fn message(r: io::Result<Vec<u8>>) -> String {
        r.expect_err("an error").to_string()
    }

    #[test]
    fn the_writer_switches_between_deflated_and_stored_data() {
        let text: Vec<u8> = (0..20_000u32)
            .flat_map(|i| format!("{i},").into_bytes())
            .collect();
        let noise: Vec<u8> = (0..150_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let parts = [
            (Packing::Store, &noise[..]),
            (Packing::Deflate, &text[..]),
            (Packing::Store, &noise[..100]),
            (Packing::Store, &[][..]),
            // The same text again: no match may reach back across the stored bytes.
            (Packing::Deflate, &text[..]),
            (Packing::Store, &noise[..70_000]),
        ];
        let mut w = GzipWriter::new(Vec::new());
        let mut expected = Vec::new();
        for (packing, part) in parts {
            w.set_packing(packing).unwrap();
            w.write_all(part).unwrap();
            expected.extend_from_slice(part);
        }
        let bytes = w.finish().unwrap();
        let (out, notes, members) = inflate(&bytes);
        assert!(out.unwrap() == expected);
        assert!(notes.is_empty());
        assert_eq!(members, 1);
        let (empty, _, _) = inflate(&GzipWriter::new(Vec::new()).finish().unwrap());
        assert_eq!(empty.unwrap(), b"");
    }

    #[test]
    fn a_good_member_inflates_with_its_header_fields_skipped() {
        let body: Vec<u8> = (0..100_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let mut gz = flate2::GzBuilder::new()
            .filename("users.tar")
            .comment("a comment")
            .extra(vec![1, 2, 3])
            .write(Vec::new(), flate2::Compression::fast());
        gz.write_all(&body).unwrap();
        let bytes = gz.finish().unwrap();
        let (out, notes, members) = inflate(&bytes);
        assert_eq!(out.unwrap(), body);
        assert!(notes.is_empty());
        assert_eq!(members, 1);
    }

    #[test]
    fn the_wrong_trailer_field_is_named() {
        let bytes = gzip(b"some tar bytes");
        let n = bytes.len();
        let mut crc = bytes.clone();
        crc[n - 8] ^= 0xff;
        let m = message(inflate(&crc).0);
        assert!(
            m.contains(&format!(
                "byte {} of the file: the gzip trailer's CRC-32 is",
                n - 8
            )),
            "{m}"
        );
        let mut len = bytes.clone();
        len[n - 4] ^= 0x01;
        let m = message(inflate(&len).0);
        assert!(
            m.contains(&format!("byte {} of the file: the gzip trailer's length field (ISIZE) says 15 bytes, but the data inflates to 14 bytes", n - 4)),
            "{m}"
        );
    }

    #[test]
    fn a_cut_off_file_says_where_and_inside_what() {
        let body = vec![7u8; 10_000];
        let bytes = gzip(&body);
        for (cut, inside) in [
            (5, "a gzip header"),
            (bytes.len() / 2, "the compressed data"),
            (bytes.len() - 3, "the gzip trailer (CRC-32 and length)"),
        ] {
            let m = message(inflate(&bytes[..cut]).0);
            assert!(
                m.contains(&format!("inside {inside}: it is cut off")),
                "{cut}: {m}"
            );
        }
        assert!(message(inflate(b"").0).contains("the file is empty"));
    }

    #[test]
    fn after_an_error_the_reader_still_says_how_far_it_got() {
        let bytes = gzip(&vec![7u8; 10_000]);
        for cut in [bytes.len() / 2, bytes.len() - 3] {
            let mut r = GzipReader::new(&bytes[..cut]);
            assert!(r.read_to_end(&mut Vec::new()).is_err());
            assert_eq!(r.offset(), cut as u64, "the whole cut file was taken");
        }
        let mut r = GzipReader::new(&bytes[..]);
        r.read_to_end(&mut Vec::new()).unwrap();
        assert_eq!(r.offset(), bytes.len() as u64);
    }

    #[test]
    fn extra_members_are_read_and_trailing_bytes_reported() {
        let (a, b) = (gzip(b"first "), gzip(b"second"));
        let mut two = a.clone();
        two.extend_from_slice(&b);
        let (out, notes, members) = inflate(&two);
        assert_eq!(out.unwrap(), b"first second");
        assert_eq!(members, 2);
        assert_eq!(
            notes,
            [GzipNote::ExtraMember {
                number: 2,
                offset: a.len() as u64
            }]
        );
        let mut tail = a.clone();
        tail.extend_from_slice(b"garbage!");
        let (out, notes, _) = inflate(&tail);
        assert_eq!(out.unwrap(), b"first ");
        assert_eq!(
            notes,
            [GzipNote::TrailingBytes {
                offset: a.len() as u64,
                len: 8
            }]
        );
        let said = notes[0].to_string();
        let at = format!(
            "Byte {} of the file: 8 bytes that are not gzip follow",
            a.len()
        );
        assert!(said.starts_with(&at), "{said}");
        assert!(said.contains("cut the file at byte"), "{said}");
    }

    #[test]
    fn damaged_headers_and_data_are_errors_not_panics() {
        let bytes = gzip(&[1u8; 1000]);
        let mut method = bytes.clone();
        method[2] = 9;
        assert!(message(inflate(&method).0).contains("method 9 is not deflate"));
        let mut flags = bytes.clone();
        flags[3] = 0x80;
        assert!(message(inflate(&flags).0).contains("reserved flag bits"));
        assert!(message(inflate(b"PK\x03\x04 not gzip").0).contains("this is not gzip"));
        let mut data = bytes.clone();
        data[10] ^= 0xff;
        data[11] ^= 0xff;
        let m = message(inflate(&data).0);
        assert!(m.contains("damaged") || m.contains("cut off"), "{m}");
    }
}
