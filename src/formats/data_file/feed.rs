//! Bytes pushed as they arrive, read by a walk that must never wait: the file's slices
//! come to the worker read ahead on other threads, and the walk is synchronous. The
//! caller pushes chunks and only lets the walk read what is there
//! ([`super::ListPass::advance`]); a read of an empty feed that has not ended is an error
//! (the feed says it [`starved`](Feed::starved)), never a silent end.

use std::io::{self, Read};

/// A queue of bytes: pushed at the back, read from the front.
#[derive(Debug, Default)]
pub struct Feed {
    buf: Vec<u8>,
    /// Where reading is in `buf`.
    at: usize,
    ended: bool,
    starved: bool,
}

impl Feed {
    /// An empty feed, not ended.
    pub fn new() -> Self {
        Feed::default()
    }

    /// Bytes pushed and not read yet.
    pub fn len(&self) -> usize {
        self.buf.len() - self.at
    }

    /// True when every byte pushed has been read.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends `bytes` (the space of bytes already read is reused first).
    pub fn push(&mut self, bytes: &[u8]) {
        self.make_room(bytes.len());
        self.buf.extend_from_slice(bytes);
    }

    /// Room for `n` more bytes at the back, returned as a zeroed slice to fill in place
    /// (the browser's chunk copied straight into it).
    pub fn push_with(&mut self, n: usize) -> &mut [u8] {
        self.make_room(n);
        let start = self.buf.len();
        self.buf.resize(start + n, 0);
        &mut self.buf[start..]
    }

    /// No more bytes will come: reads past the last one give end of stream.
    pub fn end(&mut self) {
        self.ended = true;
    }

    /// True once [`end`](Feed::end) was called.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// True when a read found the feed empty before its end (the reader asked too early).
    pub fn starved(&self) -> bool {
        self.starved
    }

    /// Drops the bytes already read when they are most of the buffer, so it stays about
    /// as large as the bytes waiting.
    fn make_room(&mut self, n: usize) {
        if self.at > 0
            && (self.at >= self.buf.len() / 2 || self.buf.len() + n > self.buf.capacity())
        {
            self.buf.drain(..self.at);
            self.at = 0;
        }
    }
}

impl Read for Feed {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.is_empty() && !out.is_empty() {
            if self.ended {
                return Ok(0);
            }
            self.starved = true;
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                "the inflated stream was read before its bytes arrived",
            ));
        }
        let n = out.len().min(self.len());
        out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_was_pushed_in_order_then_waits_or_ends() {
        let mut feed = Feed::new();
        feed.push(b"hello ");
        feed.push_with(5).copy_from_slice(b"world");
        let mut out = [0u8; 8];
        assert_eq!(feed.read(&mut out).unwrap(), 8);
        assert_eq!(&out, b"hello wo");
        assert_eq!(feed.len(), 3);
        assert_eq!(feed.read(&mut out).unwrap(), 3);
        assert_eq!(&out[..3], b"rld");
        let err = feed.read(&mut out).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        assert!(feed.starved());
        feed.push(b"!");
        feed.end();
        assert_eq!(feed.read(&mut out).unwrap(), 1);
        assert_eq!(feed.read(&mut out).unwrap(), 0);
    }

    #[test]
    fn space_of_read_bytes_is_reused() {
        let mut feed = Feed::new();
        let chunk = vec![7u8; 1 << 16];
        let mut out = vec![0u8; 1 << 16];
        for _ in 0..100 {
            feed.push(&chunk);
            feed.read_exact(&mut out).unwrap();
            assert_eq!(out, chunk);
        }
        assert!(feed.buf.capacity() <= 4 << 16, "{}", feed.buf.capacity());
    }
}
