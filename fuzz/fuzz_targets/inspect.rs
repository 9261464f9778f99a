//! Recognition and counting: any bytes under any of the names bioport knows are
//! recognised and summarised without a panic.
#![no_main]
use bioport::inspect::inspect;
use bioport::recognize::HEAD_LEN;
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 8] = [
    "user.dat",
    "1_attlog.dat",
    "template.dat",
    "template.fp10.1",
    "ssrface.dat",
    "BioStarX_20250102_030405.tgz",
    "users.csv",
    "unknown.bin",
];

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(choice) % NAMES.len()];
    let head = &bytes[..bytes.len().min(HEAD_LEN)];
    inspect(name, bytes.len() as u64, head, bytes, &mut |_| {});
});
