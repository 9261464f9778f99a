//! The workbench's stages as plain wasm exports, for timing them in a JavaScript engine
//! without the page (a benchmark, not a test): `node scripts/wasm-stages.mjs` builds this
//! for wasm32 and prints each stage's time next to the native figures.
//!
//! Natively this example does nothing.

#[cfg(target_arch = "wasm32")]
mod stages {
    use std::cell::RefCell;

    use bioport::bench::generate_users_csv;
    use bioport::formats::biostar_csv::{detect_delimiter, read_owned, ReadOptions};
    use bioport::model::Sheet;
    use bioport::text::detect_and_decode_utf8;
    use bioport::workbench::mapping::{auto_map, is_known_header};
    use bioport::workbench::validate::{validate, SiteSettings};
    use bioport::workbench::{ImportRows, OpenOptions, Workbook};

    thread_local! {
        static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
        static SHEET: RefCell<Option<Sheet>> = const { RefCell::new(None) };
        static BOOK: RefCell<Option<Workbook>> = const { RefCell::new(None) };
    }

    /// Generates about `mb` MB of the bench's user CSV; returns its length.
    #[no_mangle]
    pub extern "C" fn stage_generate(mb: u32) -> u32 {
        let bytes = generate_users_csv(mb as usize * 1024 * 1024);
        let len = bytes.len() as u32;
        INPUT.with(|i| *i.borrow_mut() = bytes);
        len
    }

    /// A copy of the input (not timed apart: a memcpy).
    fn input() -> Vec<u8> {
        INPUT.with(|i| i.borrow().clone())
    }

    /// Decode and read into a sheet; returns its rows.
    #[no_mangle]
    pub extern "C" fn stage_read(copy: u32) -> u32 {
        let bytes = if copy == 1 { input() } else { Vec::new() };
        let Ok((_, decoded)) = detect_and_decode_utf8(bytes) else {
            return 0;
        };
        let delimiter = detect_delimiter(&decoded.text).byte();
        let Ok(doc) = read_owned(decoded.text, &ReadOptions { delimiter }) else {
            return 0;
        };
        let rows = doc.sheet.len() as u32;
        SHEET.with(|s| *s.borrow_mut() = Some(doc.sheet));
        rows
    }

    /// Validate the sheet `stage_read` left; returns rows with errors.
    #[no_mangle]
    pub extern "C" fn stage_validate() -> u32 {
        SHEET.with(|s| {
            let s = s.borrow();
            let Some(sheet) = s.as_ref() else { return 0 };
            let header = bioport::formats::biostar_csv::guess_header_row(sheet, is_known_header);
            let headers: Vec<&str> = sheet.row(header).collect();
            let mapping = auto_map(&headers, &[]);
            let report = validate(sheet, header, &mapping, &SiteSettings::default());
            report.summary().totals.with_errors
        })
    }

    /// The copy `stage_open` makes, alone.
    #[no_mangle]
    pub extern "C" fn stage_copy() -> u32 {
        input().len() as u32
    }

    /// Workbook::open on a copy of the input; returns its data rows.
    #[no_mangle]
    pub extern "C" fn stage_open() -> u32 {
        SHEET.with(|s| *s.borrow_mut() = None);
        match Workbook::open(input(), "users.csv", OpenOptions::default()) {
            Ok(wb) => {
                let rows = wb.report().data_rows().len() as u32;
                BOOK.with(|b| *b.borrow_mut() = Some(wb));
                rows
            }
            Err(_) => 0,
        }
    }

    /// Writes the import file into a counter; returns its bytes.
    #[no_mangle]
    pub extern "C" fn stage_import() -> u32 {
        BOOK.with(|b| {
            let b = b.borrow();
            let Some(wb) = b.as_ref() else { return 0 };
            let mut out = Vec::new();
            match wb.write_import(&mut out, ImportRows::ValidOnly) {
                Ok(_) => out.len() as u32,
                Err(_) => 0,
            }
        })
    }

    /// Writes the error file; returns its bytes.
    #[no_mangle]
    pub extern "C" fn stage_errors() -> u32 {
        BOOK.with(|b| {
            let b = b.borrow();
            let Some(wb) = b.as_ref() else { return 0 };
            let mut out = Vec::new();
            match wb.write_errors(&mut out) {
                Ok(_) => out.len() as u32,
                Err(_) => 0,
            }
        })
    }
}

fn main() {}
