//! One module per file format, reader and writer side by side, plus recognition.

pub mod biostar_csv;
