#!/usr/bin/env bash
# Sets up whatever is missing, then runs every test: formatting, lints (native and wasm),
# native tests, wasm-bindgen tests in headless Chromium, and the end-to-end suite against
# the release build. Stops at the first failing step.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# A full run compiles everything once: incremental caches would only take disk space.
export CARGO_INCREMENTAL=0

step() { printf '\n==> %s\n' "$*"; }

step "setup"
scripts/setup

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (native, with the bench feature)"
cargo clippy --all-targets --all-features -- -D warnings

step "cargo clippy (wasm32: as released, then with the bench feature)"
cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings
cargo clippy --lib --bins --all-features --target wasm32-unknown-unknown -- -D warnings

step "cargo doc (a broken link or one to a private item is an error)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --lib

step "native tests"
cargo test

step "the core's tests compiled to WebAssembly (wasm32-wasip1, run by Node's WASI)"
# The core takes other ways in wasm (its CRC-32, for one): its own tests check them there.
# A failed test aborts the run there (no unwinding in wasm), so its message is shown again
# by running one test at a time uncaptured.
wasi_tests() { cargo test --release --target wasm32-wasip1 --lib "$@"; }
wasi_tests || { wasi_tests -- --nocapture --test-threads 1 2>&1 | tail -n 40; exit 1; }

step "wasm-bindgen tests in headless Chromium"
# The runner closes Chromium's window but not its WebDriver session, so chromedriver's own
# temporary profile (150 MB of cached wasm) would be left behind: each test binary gets a
# profile here, removed after it.
browser_test() {
  local profile status=0
  profile=$(mktemp -d "${TMPDIR:-/tmp}/bioport-chromium-XXXXXX")
  printf '{"goog:chromeOptions":{"args":["user-data-dir=%s"]}}' "$profile" >"$profile/webdriver.json"
  # Unoptimised wasm on a busy 2-core machine can take longer than the runner's default 20 s.
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$profile/webdriver.json" \
  CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test --target wasm32-unknown-unknown --test "$1" || status=$?
  rm -rf "$profile"
  return "$status"
}
browser_test web
browser_test web_worker

step "release build (trunk)"
scripts/build.sh

step "end-to-end tests (Playwright, Debian's Chromium)"
node --test --test-concurrency=1 tests/e2e/
