//! user.dat: any bytes read in any record size and code page never panic, and a file of
//! whole records that writes back at all writes back byte for byte.
#![no_main]
use bioport::formats::zk_user_dat::{read_users, UserReadOptions, CLOCK_ENCODINGS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let record = [None, Some(72), Some(28), Some(50)][usize::from(choice & 3)];
    let encoding = CLOCK_ENCODINGS[usize::from(choice >> 4) % CLOCK_ENCODINGS.len()];
    let file = read_users(bytes, &UserReadOptions { record, encoding });
    let whole = bytes.len() % file.record as usize == 0 && bytes.len() <= 65_536 * 72;
    if let (true, Ok(written)) = (whole, file.to_bytes()) {
        assert_eq!(
            written, bytes,
            "an unchanged user.dat must write back as read"
        );
    }
});
