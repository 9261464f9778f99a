//! Data files: any bytes (raw, or wrapped in a valid gzip member so the tar walker is
//! reached) are verified and listed to the end without a panic.
#![no_main]
use bioport::formats::data_file::{list, ListOptions};
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let options = ListOptions {
        hash: true,
        ..ListOptions::default()
    };
    list(data, options, &mut |_| {});
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).unwrap();
    let tgz = gz.finish().unwrap();
    list(tgz.as_slice(), options, &mut |_| {});
});
