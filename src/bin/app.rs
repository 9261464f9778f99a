//! Wasm entry of the app (nothing natively).

fn main() {}
