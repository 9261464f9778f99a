//! Wasm entry of the Leptos app (nothing natively).

#[cfg(target_arch = "wasm32")]
fn main() {
    bioport::app::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
