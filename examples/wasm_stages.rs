//! The workbench's stages, and the clock's `user.dat` to BioStar conversion's, as plain
//! wasm exports, for timing them in a JavaScript engine without the page (a benchmark, not
//! a test): `node scripts/wasm-stages.mjs [--clock]` builds this for wasm32 and prints each
//! stage's time.
//!
//! Natively this example does nothing.

#[cfg(target_arch = "wasm32")]
mod stages {
    use std::cell::RefCell;

    use bioport::bench::{generate_user_dat, generate_users_csv};
    use bioport::clock::{users_to_biostar, ToCsvOptions};
    use bioport::formats::biostar_csv::{detect_delimiter, read_owned, ReadOptions};
    use bioport::formats::zk_user_dat::{read_users, UserReadOptions, UserRecord};
    use bioport::model::Sheet;
    use bioport::text::detect_and_decode_utf8;
    use bioport::workbench::mapping::{auto_map, is_known_header};
    use bioport::workbench::validate::{validate, SiteSettings};
    use bioport::workbench::{ImportRows, OpenOptions, Workbook};

    thread_local! {
        static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
        static SHEET: RefCell<Option<Sheet>> = const { RefCell::new(None) };
        static BOOK: RefCell<Option<Workbook>> = const { RefCell::new(None) };
        static USER_DAT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
        static USERS: RefCell<Vec<UserRecord>> = const { RefCell::new(Vec::new()) };
    }

    /// Generates the bench's `user.dat` (at most 65,536 records); returns its length.
    #[no_mangle]
    pub extern "C" fn stage_user_dat_generate() -> u32 {
        let bytes = generate_user_dat(usize::MAX);
        let len = bytes.len() as u32;
        USER_DAT.with(|d| *d.borrow_mut() = bytes);
        len
    }

    /// Reads the generated `user.dat` into users; returns how many.
    #[no_mangle]
    pub extern "C" fn stage_user_dat_read() -> u32 {
        let file = USER_DAT.with(|d| read_users(&d.borrow(), &UserReadOptions::default()));
        let users = file.users.len() as u32;
        USERS.with(|u| *u.borrow_mut() = file.users);
        users
    }

    /// The users read to a BioStar CSV with the import check, as the clock screen's button
    /// converts them; returns the users with notes.
    #[no_mangle]
    pub extern "C" fn stage_user_dat_convert() -> u32 {
        USERS.with(|u| {
            let opts = ToCsvOptions::default();
            match users_to_biostar(&u.borrow(), &opts, SiteSettings::default()) {
                Ok((_, notes)) => notes.len() as u32,
                Err(_) => 0,
            }
        })
    }

    /// Drops the users read (their freeing is part of a conversion's cost).
    #[no_mangle]
    pub extern "C" fn stage_user_dat_drop() -> u32 {
        USERS.with(|u| std::mem::take(&mut *u.borrow_mut()).len() as u32)
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

/// The clock's attendance log read in two stages (lines fed, then the log finished:
/// duplicates found), on both targets: natively `main` times them, in wasm the script does.
mod attlog {
    use std::cell::RefCell;

    use bioport::bench::generate_attlog_lines;
    use bioport::formats::zk_attlog::AttlogReader;

    thread_local! {
        static LOG: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
        static READER: RefCell<Option<AttlogReader>> = const { RefCell::new(None) };
    }

    /// Generates about `mb` MB of the bench's attendance log; returns its length.
    #[no_mangle]
    pub extern "C" fn stage_attlog_generate(mb: u32) -> u32 {
        let bytes = generate_attlog_lines(mb as usize * 1_000_000);
        let len = bytes.len() as u32;
        LOG.with(|l| *l.borrow_mut() = bytes);
        len
    }

    /// Feeds the log to a reader in 1 MiB chunks, as the page's slices come; returns the
    /// chunks fed.
    #[no_mangle]
    pub extern "C" fn stage_attlog_feed() -> u32 {
        LOG.with(|l| {
            let l = l.borrow();
            let mut reader = AttlogReader::new(l.len() as u64);
            let chunks = l.chunks(1 << 20);
            let n = chunks.len() as u32;
            chunks.for_each(|c| reader.feed(c));
            READER.with(|r| *r.borrow_mut() = Some(reader));
            n
        })
    }

    /// Finishes the reader `stage_attlog_feed` left (duplicates found); returns the
    /// duplicates.
    #[no_mangle]
    pub extern "C" fn stage_attlog_finish() -> u32 {
        READER.with(|r| match r.borrow_mut().take() {
            Some(reader) => reader.finish().duplicates.len() as u32,
            None => 0,
        })
    }
}

/// Natively: times the attendance log's stages (`--attlog MB`), as the script times them
/// in wasm; else nothing.
fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(mb) = std::env::args().skip_while(|a| a != "--attlog").nth(1) {
        let time = |f: &dyn Fn() -> u32| {
            let t = std::time::Instant::now();
            let r = f();
            (t.elapsed().as_secs_f64() * 1000.0, r)
        };
        let len = attlog::stage_attlog_generate(mb.parse().unwrap_or(200));
        for _ in 0..3 {
            let (feed, _) = time(&|| attlog::stage_attlog_feed());
            let (finish, dups) = time(&|| attlog::stage_attlog_finish());
            println!(
                "native: {len} bytes, feed {feed:.1} ms, finish {finish:.1} ms, {dups} duplicates"
            );
        }
    }
}
