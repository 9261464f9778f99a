//! What the native integration tests share: the real sample files beside the repository.

use std::path::PathBuf;

/// The bytes of a sample clock file in `../shared/fixtures/zk`.
pub fn zk_fixture(name: &str) -> Vec<u8> {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "shared",
        "fixtures",
        "zk",
        name,
    ]
    .iter()
    .collect();
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "fixture {} must be present beside the repo: {e}",
            path.display()
        )
    })
}
