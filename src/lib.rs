//! bioport: converts the user files of biometric access-control systems and time clocks.
//!
//! The core (formats, model, validation, conversion) is plain Rust with no browser types.
//! The Leptos app (`app`), the Web Worker and browser glue (`web`) and the command-line
//! tool (`src/bin/bioport.rs`) are thin doors onto it.

pub mod archive;
pub mod bench;
pub mod formats;
pub mod inspect;
pub mod model;
pub mod protocol;
pub mod text;
pub mod workbench;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod web;
