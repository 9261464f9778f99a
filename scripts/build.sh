#!/usr/bin/env bash
# Builds the site into dist/ offline: trunk (release) with binaryen's wasm-opt from npm.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
trunk build --release --offline "$@"
