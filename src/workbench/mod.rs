//! The BioStar user CSV workbench: open a user CSV as a [`Workbook`], map its columns to
//! BioStar fields ([`mapping`]), check every row against the server's rules
//! ([`validate`]), merge it with the server's current export ([`merge`]), and write the
//! import file and the error file.

pub mod faces;
pub mod mapping;
pub mod merge;
pub mod validate;
mod workbook;

pub use workbook::*;
