//! Data files (gzip-compressed tar archives) that the command-line tests build.

/// A tar archive of these entries (mode 640, one fixed time), as the tar crate writes it.
pub fn raw_tar(entries: &[(String, &[u8])]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, body) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o640);
        header.set_mtime(1_700_000_000);
        header.set_cksum();
        tar.append_data(&mut header, path, *body).unwrap();
    }
    tar.into_inner().unwrap()
}

/// A small gzip-compressed tar archive with two entries, and the raw tar inside it.
pub fn data_file() -> (Vec<u8>, Vec<u8>) {
    let raw = raw_tar(&[
        ("users/1.bin".into(), b"user one"),
        ("faces/1.jpg".into(), &[0xff, 0xd8, 0xff, 0xe0]),
    ]);
    (gzip(&raw), raw)
}

/// `bytes` gzip-compressed.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}
