//! User CSVs: any bytes open in the workbench (or are refused with a message), and the
//! import and error files are written, or refused with a message, without a panic.
#![no_main]
use bioport::workbench::{ImportRows, OpenOptions, Workbook};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let book = match Workbook::open(data.to_vec(), "users.csv", OpenOptions::default()) {
        Ok(book) => book,
        Err(refusal) => return assert!(!refusal.to_string().is_empty()),
    };
    book.view();
    if let Err(e) = book.write_import(std::io::sink(), ImportRows::ValidOnly) {
        assert!(!e.to_string().is_empty(), "a refusal says why");
    }
    if let Err(e) = book.write_errors(std::io::sink()) {
        assert!(!e.to_string().is_empty(), "a refusal says why");
    }
});
