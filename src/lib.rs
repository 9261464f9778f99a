//! bioport: converts the user files of biometric access-control systems and time clocks.
//!
//! The core (formats, model, validation, conversion) is plain Rust with no browser types.
//! The Leptos app (`app`), the Web Worker and browser glue (`web`) and the command-line
//! tool (`src/bin/bioport.rs`) are thin doors onto it.
//!
//! Where things live: `recognize` tells what a file is from its name and first bytes;
//! `formats` holds one module per file format (its facts, reader, writer and counters);
//! `inspect` summarises any recognised file in one streaming pass; `workbench` is the
//! BioStar CSV workflow and `archive` the data file workflow; `model` and `text` are the
//! types and the decoding everything shares; `protocol` is the app-worker messages.

pub mod archive;
#[cfg(any(test, feature = "bench"))]
pub mod bench;
pub mod formats;
pub mod inspect;
pub mod model;
pub mod protocol;
pub mod recognize;
pub mod text;
pub mod workbench;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod web;
