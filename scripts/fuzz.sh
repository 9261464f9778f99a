#!/usr/bin/env bash
# Fuzzes every reader with libFuzzer (cargo-fuzz, stable toolchain, no sanitizer):
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# Installs cargo-fuzz when missing. Each target starts from the real samples in
# ../shared/fixtures; a crash stops the run and is kept under fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(user_dat attlog templates data_file user_csv inspect)
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
fixtures=../shared/fixtures
seed() { # seed TARGET FILE...: copies the samples into the target's corpus once
  local dir="fuzz/corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do [ -f "$f" ] && cp -n "$f" "$dir/" || true; done
}
seed user_dat "$fixtures"/zk/*user*
seed attlog "$fixtures"/zk/*attlog*
seed templates "$fixtures"/zk/*template* "$fixtures"/zk/*face*
# A small tar of the samples (the target also wraps each input in gzip), and a user CSV.
mkdir -p fuzz/corpus/data_file fuzz/corpus/user_csv
[ -f fuzz/corpus/data_file/samples.tar ] || tar -cf fuzz/corpus/data_file/samples.tar -C "$fixtures" zk
[ -f fuzz/corpus/user_csv/users.csv ] || printf 'user_id,name,start_datetime,expiry_datetime,csn\r\n1,Kim,2024-01-01 00:00:00,2030-12-31 23:59:00,1234\r\n' > fuzz/corpus/user_csv/users.csv
seed inspect "$fixtures"/zk/*
for target in "${targets[@]}"; do
  echo "==> fuzz $target for ${seconds}s"
  cargo fuzz run --sanitizer none "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=2048 -timeout=10
done
