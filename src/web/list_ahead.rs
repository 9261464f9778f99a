//! A data file verified and listed ([`PushedList`]) or repackaged ([`PushedRepack`]) by
//! the core's own reader while the next slices of the file are read on another thread
//! ([`for_each_array`]): faster from disk than reading each slice in turn, with the same
//! findings and the same archive written.

use std::io::Write;

use js_sys::Uint8Array;
use web_sys::File;

use crate::archive::catalogue::Catalogue;
use crate::archive::pushed_repack::PushedRepack;
use crate::archive::repackage::Outcome;
use crate::archive::Direction;
use crate::formats::data_file::{ListOptions, Listing, PushedList};

use super::digests::{Digests, HAND_OVER};
use super::read_ahead::{for_each_array, Slices};

/// Verifies and lists `file`, each entry into `catalogue`, telling `progress` the bytes
/// read: the listing and the compressed bytes the walk took. With SHA-256, entries up to
/// [`HAND_OVER`] bytes are hashed by the browser off this thread ([`Digests`]), larger ones
/// by the walk. None when the file should be read again in turn: a slice the browser could
/// not read, a digest it refused, or a stream the pushed pass could not follow (see
/// [`PushedList::finish`]); reading it in turn says what and where.
pub async fn list_ahead(
    file: &File,
    options: ListOptions,
    progress: &mut dyn FnMut(u64),
    catalogue: &mut Catalogue,
) -> Option<(Listing, u64)> {
    let mut digests = options.hash.then(Digests::available).flatten();
    let mut pass = PushedList::new(options);
    if digests.is_some() {
        pass = pass.handing_over(HAND_OVER);
    }
    let mut slices = Slices::of(file).ok()?;
    let mut done = 0;
    while let Some(slice) = slices.next().await.ok()? {
        let len = slice.length() as usize;
        let ended = pass.push(len, |room| slice.copy_to(room), &mut |e| catalogue.add(e));
        done += len as u64;
        progress(done);
        if let Some(d) = digests.as_mut() {
            d.start(pass.take_handed()).ok()?;
            d.settle(catalogue, false).await.ok()?;
        }
        if ended {
            break;
        }
    }
    let listed = pass.finish(&mut |e| catalogue.add(e))?;
    if let Some(d) = digests.as_mut() {
        d.start(pass.take_handed()).ok()?;
        d.settle(catalogue, true).await.ok()?;
    }
    Some(listed)
}

/// Hands `file`'s slices, read ahead, to `push` until it says its pass has ended (the
/// rest need not be read); false when a slice could not be read.
async fn push_slices(
    file: &File,
    progress: &mut dyn FnMut(u64),
    mut push: impl FnMut(&Uint8Array) -> bool,
) -> bool {
    let mut ended = false;
    let outcome = for_each_array(file, progress, |slice| {
        ended = push(slice);
        match ended {
            true => Err(String::from("the pass has ended")),
            false => Ok(()),
        }
    })
    .await;
    outcome.is_ok() || ended
}

/// Repackages `file` onto `out`, names renamed `direction`'s way, telling `progress` the
/// bytes read: what [`repackage`](crate::archive::repackage::repackage) gives. None when
/// the file should be repackaged again, read in turn, onto a fresh writer (what `out` was
/// given is dropped first): a slice the browser could not read, or a stream the pushed
/// pass could not follow (see [`PushedRepack::finish`]).
pub async fn repackage_ahead<W: Write>(
    file: &File,
    out: W,
    direction: Direction,
    progress: &mut dyn FnMut(u64),
) -> Option<Result<(W, Outcome), String>> {
    let mut pass = PushedRepack::new(out, direction);
    let read = push_slices(file, progress, |slice| {
        pass.push(slice.length() as usize, |room| slice.copy_to(room))
    })
    .await;
    read.then(|| pass.finish())?
}
