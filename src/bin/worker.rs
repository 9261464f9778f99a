//! Wasm entry of the Web Worker (nothing natively).

#[cfg(target_arch = "wasm32")]
fn main() {
    bioport::web::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
