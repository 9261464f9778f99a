//! What the command-line tests of clock files share: user.dat records made to order,
//! binary noise, and an assertion on what a run printed.

use crate::cli_support::{stderr, stdout};

/// Asserts that the run printed `text` on its standard output.
#[track_caller]
pub fn says(o: &std::process::Output, text: &str) {
    assert!(stdout(o).contains(text), "{}{}", stdout(o), stderr(o));
}

/// `len` bytes of binary noise, the same each run: nothing bioport reads.
pub fn noise(len: u32) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

/// A 72-byte `user.dat` record: uid, user ID and name, the rest zero but group 1.
pub fn user_record(uid: u16, id: &str, name: &[u8]) -> Vec<u8> {
    let mut r = vec![0u8; 72];
    r[0..2].copy_from_slice(&uid.to_le_bytes());
    r[11..11 + name.len()].copy_from_slice(name);
    r[39] = 1;
    r[48..48 + id.len()].copy_from_slice(id.as_bytes());
    r
}

/// A 28-byte `user.dat` record: uid, numeric user ID and name (8 bytes at most), group 1.
pub fn user_record28(uid: u16, id: u32, name: &[u8]) -> Vec<u8> {
    let mut r = vec![0u8; 28];
    r[0..2].copy_from_slice(&uid.to_le_bytes());
    r[8..8 + name.len()].copy_from_slice(name);
    r[21] = 1;
    r[24..28].copy_from_slice(&id.to_le_bytes());
    r
}
