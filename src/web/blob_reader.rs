//! A `std::io::Read` over a browser `Blob` (or `File`), read in slices with `FileReaderSync`.
//!
//! `FileReaderSync` exists only in workers: this reader is for the Web Worker, where
//! blocking is fine and the core's streaming readers can run unchanged.

use std::io::{self, Read};

use js_sys::Uint8Array;
use web_sys::{Blob, FileReaderSync};

use super::js_error_text;

/// Reads a `Blob` front to back, `slice_len` bytes from the browser at a time.
pub struct BlobReader {
    blob: Blob,
    reader: FileReaderSync,
    size: u64,
    pos: u64,
    slice_len: u64,
    buf: Vec<u8>,
    buf_pos: usize,
}

impl BlobReader {
    /// A reader over `blob` that fetches `slice_len` bytes per slice.
    pub fn new(blob: Blob, slice_len: u64) -> io::Result<Self> {
        let reader = FileReaderSync::new().map_err(|e| {
            io::Error::other(format!(
                "FileReaderSync is not available: {}",
                js_error_text(&e)
            ))
        })?;
        let size = blob.size() as u64;
        Ok(BlobReader {
            blob,
            reader,
            size,
            pos: 0,
            slice_len: slice_len.max(1),
            buf: Vec::new(),
            buf_pos: 0,
        })
    }

    /// The blob's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Reads bytes `start..end` of the blob in one slice.
    pub fn read_range(&self, start: u64, end: u64) -> io::Result<Vec<u8>> {
        Ok(self
            .range_array(start, end)?
            .map_or_else(Vec::new, |a| a.to_vec()))
    }

    /// Bytes `start..end` of the blob as the browser gives them (None when empty).
    pub fn range_array(&self, start: u64, end: u64) -> io::Result<Option<Uint8Array>> {
        let end = end.min(self.size);
        if start >= end {
            return Ok(None);
        }
        let slice = self
            .blob
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(|e| io::Error::other(js_error_text(&e)))?;
        let buffer = self.reader.read_as_array_buffer(&slice).map_err(|e| {
            io::Error::other(format!(
                "the browser could not read the file: {}",
                js_error_text(&e)
            ))
        })?;
        Ok(Some(Uint8Array::new(&buffer)))
    }
}

impl Read for BlobReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.buf_pos >= self.buf.len() {
            if self.pos >= self.size || out.is_empty() {
                return Ok(0);
            }
            // Room for a whole slice (read_to_end into a buffer sized for the file, say):
            // the browser's bytes are copied straight into `out`, not through `buf`.
            if out.len() as u64 >= self.slice_len.min(self.size - self.pos) {
                let end = (self.pos + self.slice_len).min(self.size);
                let Some(array) = self.range_array(self.pos, end)? else {
                    return Ok(0);
                };
                let n = (array.length() as usize).min(out.len());
                array.subarray(0, n as u32).copy_to(&mut out[..n]);
                self.pos += n as u64;
                return Ok(n);
            }
            // The next slice goes into the same buffer: one slice alive at a time (wasm
            // memory never shrinks, so a fresh buffer per slice doubled the peak).
            let end = (self.pos + self.slice_len).min(self.size);
            let len = match self.range_array(self.pos, end)? {
                Some(array) => {
                    let len = array.length() as usize;
                    self.buf.resize(len, 0);
                    array.copy_to(&mut self.buf[..len]);
                    len
                }
                None => 0,
            };
            self.buf.truncate(len);
            self.buf_pos = 0;
            self.pos = end;
            if len == 0 {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buf.len() - self.buf_pos);
        out[..n].copy_from_slice(&self.buf[self.buf_pos..self.buf_pos + n]);
        self.buf_pos += n;
        Ok(n)
    }
}
