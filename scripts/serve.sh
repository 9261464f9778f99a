#!/usr/bin/env bash
# Sets up whatever is missing, builds the site and serves it on 127.0.0.1.
#   scripts/serve.sh [PORT]   (default 8080)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${1:-${PORT:-8080}}"
scripts/setup
scripts/build.sh
exec node scripts/static-server.mjs --dir dist --port "$PORT" --base /
