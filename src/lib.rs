//! bioport: converts the user files of biometric access-control systems and time clocks.
//!
//! The core is plain Rust with no browser types; the Leptos app (`app`), the Web Worker
//! and browser glue (`web`) and the command-line tool (`src/bin/bioport/`) are thin doors
//! onto it. Imports only point down this map, never up:
//!
//! ```text
//!  doors      app/ (Leptos, wasm)    web/ (worker, Blob slices)    bin/bioport/ (CLI)
//!                |                         |                             |
//!                +------------- protocol (app <-> worker messages) ------+
//!                                          |
//!  dispatch   inspect: one streaming pass over any file, summarised by its kind
//!                                          |
//!  workflows  workbench/ (BioStar CSV)   archive/ (data file)   clock/ (time clock)
//!                                          |
//!  what       recognize: what a file is, from its name and first bytes
//!                                          |
//!  formats    formats/: biostar_csv, csv_count, data_file, gzip,
//!             zk_user_dat, zk_attlog, zk_templates (one file per format)
//!                                          |
//!  base       model (Sheet, the types everything converts through), text (decoding)
//! ```
//!
//! `bench` (input generators and the bench runner) exists only in tests and with the
//! `bench` cargo feature, never in the release site. Byte layouts and server rules are
//! described in `../shared/docs/formats.md`.

#![warn(missing_docs)]

pub mod archive;
#[cfg(any(test, feature = "bench"))]
pub mod bench;
pub mod calendar;
pub mod clock;
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
