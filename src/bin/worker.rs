//! Wasm entry of the worker (nothing natively).

fn main() {}
