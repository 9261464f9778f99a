//! A data file listed with the browser's own inflater: the `File`'s slices (read ahead
//! on another thread, [`Slices`]) written into a `DecompressionStream("gzip")`, the tar
//! bytes pushed into the core's [`ListPass`] as they come, into a catalogue, and entries
//! hashed by the browser's SHA-256 ([`Digests`], off this thread) beside the walk. The
//! worker takes this way only when hashing: there it is faster than the core's inflater
//! and SHA-256 compiled to wasm (from disk, 172 against 136 MB/s); without hashing it is
//! slower (the browser's inflater alone ran at about 185 MB/s, the core's compiled to wasm
//! at about 360). The inflater checks the member's CRC-32 and length itself.
//!
//! It is only the fast way through a whole, clean file: the browser's messages say neither
//! which byte is wrong nor whether a second member or trailing bytes follow. So anything
//! unusual (no `DecompressionStream`, a stream error, a walk that stops, a ratio past the
//! cap, a length that does not match the trailer's) gives `None`, and the caller reads
//! the file again with the core's own gzip reader, which says what and where.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    File, ReadableStream, ReadableStreamDefaultReader, WritableStream, WritableStreamDefaultWriter,
};

use crate::archive::catalogue::Catalogue;
use crate::formats::data_file::{is_gzip, Feed, ListOptions, ListPass, Listing, TarWalker};

use super::digests::Digests;
use super::read_ahead::Slices;

#[wasm_bindgen]
extern "C" {
    /// The browser's `DecompressionStream` (web-sys has it only behind an unstable flag).
    type DecompressionStream;

    /// A stream inflating `format` ("gzip").
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<DecompressionStream, JsValue>;

    /// Its inflated side.
    #[wasm_bindgen(method, getter)]
    fn readable(this: &DecompressionStream) -> ReadableStream;

    /// Its compressed side.
    #[wasm_bindgen(method, getter)]
    fn writable(this: &DecompressionStream) -> WritableStream;
}

/// Entries up to this size are hashed by the browser (see [`Digests`]), larger ones by
/// the walk as they stream.
const HAND_OVER: u64 = 8 * 1024 * 1024;

/// Inflated bytes gathered before the pass reads on (a few header rooms' worth).
const BATCH: usize = 4 * 1024 * 1024;

/// Lists `file` through the browser's inflater, reporting the compressed bytes taken to
/// `progress`; None when it cannot or should not (see the module notes).
pub async fn list_inflated(
    file: &File,
    options: ListOptions,
    progress: &mut dyn FnMut(u64),
    catalogue: &mut Catalogue,
) -> Option<Listing> {
    let ends = ends_of(file).await?;
    if !is_gzip(&ends.0) || !has_decompression_stream() {
        return None;
    }
    let taken = Rc::new(Cell::new(0u64));
    let reader = inflated_stream(file, &taken).ok()?;
    let walker = TarWalker::inflated(Feed::new(), options.walk);
    let mut pass = ListPass::new(walker, options.hash);
    let mut digests = options.hash.then(Digests::available).flatten();
    if digests.is_some() {
        pass = pass.handing_over(HAND_OVER);
    }
    let mut inflated = 0u64;
    loop {
        let chunk = next_chunk(&reader).await?;
        let feed = pass.walker_mut().inflated_source()?;
        match chunk {
            Some(chunk) => {
                let len = chunk.length() as usize;
                chunk.copy_to(feed.push_with(len));
                inflated += len as u64;
            }
            None => feed.end(),
        }
        let ended = feed.ended();
        let available = (!ended).then_some(feed.len() as u64);
        if !ended && available < Some(BATCH as u64) {
            continue;
        }
        progress(taken.get());
        if options.walk.implausible(inflated, taken.get()) {
            let _ = reader.cancel();
            return None;
        }
        if pass.advance(available, &mut |e| catalogue.add(e)) && !ended {
            // The walk stopped before the end: the core reader says why and where.
            let _ = reader.cancel();
            return None;
        }
        if let Some(d) = digests.as_mut() {
            d.start(pass.take_handed()).ok()?;
            d.settle(catalogue, false).await.ok()?;
        }
        if ended {
            break;
        }
    }
    if let Some(d) = digests.as_mut() {
        d.settle(catalogue, true).await.ok()?;
    }
    let listing = pass.listing();
    (!listing.stopped && inflated as u32 == ends.1).then_some(listing)
}

/// The file's first bytes and its trailer's length field (ISIZE: the inflated length
/// modulo 4 GiB), read before the stream.
async fn ends_of(file: &File) -> Option<(Vec<u8>, u32)> {
    let size = file.size();
    let head = read_range(file, 0.0, 3.0_f64.min(size)).await?;
    let tail = read_range(file, (size - 4.0).max(0.0), size).await?;
    let isize = u32::from_le_bytes(tail.try_into().ok()?);
    Some((head, isize))
}

/// Bytes `start..end` of `file`.
async fn read_range(file: &File, start: f64, end: f64) -> Option<Vec<u8>> {
    let blob = file.slice_with_f64_and_f64(start, end).ok()?;
    let buffer = JsFuture::from(blob.array_buffer()).await.ok()?;
    Some(Uint8Array::new(&buffer).to_vec())
}

/// True when this browser has `DecompressionStream`.
fn has_decompression_stream() -> bool {
    Reflect::has(&js_sys::global(), &JsValue::from_str("DecompressionStream")).unwrap_or(false)
}

/// A reader of `file` inflated by the browser: the file's slices, read ahead on another
/// thread, written into a `DecompressionStream` by a task of their own, the compressed
/// bytes counted into `taken`. A slice that cannot be read aborts the stream, and a
/// cancelled reader stops the writing.
fn inflated_stream(
    file: &File,
    taken: &Rc<Cell<u64>>,
) -> Result<ReadableStreamDefaultReader, JsValue> {
    let inflate = DecompressionStream::new("gzip")?;
    let writer = inflate.writable().get_writer()?;
    let mut slices = Slices::of(file).map_err(|e| JsValue::from_str(&e))?;
    let taken = taken.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let end = match write_slices(&mut slices, &writer, &taken).await {
            Ok(()) => writer.close(),
            Err(e) => writer.abort_with_reason(&e),
        };
        let _ = JsFuture::from(end).await;
    });
    Ok(inflate.readable().get_reader().unchecked_into())
}

/// Writes every slice into `writer`, each once the one before was taken.
async fn write_slices(
    slices: &mut Slices,
    writer: &WritableStreamDefaultWriter,
    taken: &Cell<u64>,
) -> Result<(), JsValue> {
    while let Some(slice) = slices.next().await.map_err(|e| JsValue::from_str(&e))? {
        taken.set(taken.get() + u64::from(slice.length()));
        JsFuture::from(writer.write_with_chunk(&slice)).await?;
    }
    Ok(())
}

/// The next chunk of the stream: Some(None) at its end, None when it failed.
async fn next_chunk(reader: &ReadableStreamDefaultReader) -> Option<Option<Uint8Array>> {
    let result = JsFuture::from(reader.read()).await.ok()?;
    let done = Reflect::get(&result, &"done".into()).ok()?.as_bool()?;
    if done {
        return Some(None);
    }
    let value = Reflect::get(&result, &"value".into()).ok()?;
    Some(Some(value.dyn_into().ok()?))
}
