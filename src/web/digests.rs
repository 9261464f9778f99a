//! SHA-256 of whole entries by the browser (`crypto.subtle.digest`), computed off the
//! worker's thread while the walk goes on: several times faster than SHA-256 compiled to
//! wasm. A bounded number of bytes is in flight; each result goes into the catalogue by
//! entry number as it settles.

use std::collections::VecDeque;

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{SubtleCrypto, WorkerGlobalScope};

use crate::archive::catalogue::Catalogue;

/// Entries up to this size are hashed by the browser, larger ones by the walk as they
/// stream (the browser hashes only whole buffers).
pub const HAND_OVER: u64 = 8 * 1024 * 1024;

/// Bytes handed to the browser and not hashed yet, at most (one entry may go past it).
const IN_FLIGHT: usize = 32 * 1024 * 1024;

/// Digests under way, oldest first.
pub struct Digests {
    subtle: SubtleCrypto,
    in_flight: VecDeque<(usize, JsFuture, usize)>,
    bytes: usize,
}

impl Digests {
    /// The browser's digests, when this worker has them (a secure context).
    pub fn available() -> Option<Digests> {
        let scope: WorkerGlobalScope = js_sys::global().dyn_into().ok()?;
        let has = Reflect::has(&scope, &JsValue::from_str("crypto")).unwrap_or(false);
        let subtle = has.then(|| scope.crypto().ok()).flatten()?.subtle();
        (!subtle.is_undefined()).then_some(Digests {
            subtle,
            in_flight: VecDeque::new(),
            bytes: 0,
        })
    }

    /// Starts the SHA-256 of each entry's data (by entry number); the browser copies the
    /// bytes at once. Err when it refuses.
    pub fn start(&mut self, entries: Vec<(usize, Vec<u8>)>) -> Result<(), JsValue> {
        for (index, data) in entries {
            let promise = self.subtle.digest_with_str_and_u8_array("SHA-256", &data)?;
            self.in_flight
                .push_back((index, JsFuture::from(promise), data.len()));
            self.bytes += data.len();
        }
        Ok(())
    }

    /// Waits for the oldest digests, recording each in `catalogue`, until no more than the
    /// bound is in flight (or, with `all`, none). Err when one fails.
    pub async fn settle(&mut self, catalogue: &mut Catalogue, all: bool) -> Result<(), JsValue> {
        while self.bytes > IN_FLIGHT || all {
            let Some((index, digest, len)) = self.in_flight.pop_front() else {
                break;
            };
            let buffer = digest.await?;
            let mut sum = [0u8; 32];
            let bytes = Uint8Array::new(&buffer);
            if bytes.length() != 32 {
                return Err(JsValue::from_str("a SHA-256 digest is not 32 bytes"));
            }
            bytes.copy_to(&mut sum);
            catalogue.set_sha256(index, sum);
            self.bytes -= len;
        }
        Ok(())
    }
}
