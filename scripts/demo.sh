#!/usr/bin/env bash
# The demo command: sets up what is missing, builds the npm package and the local COS
# emulator, then runs the emulator, the edge worker (workerd) and the browser-upload page on
# 127.0.0.1 until Ctrl-C.   bash scripts/demo.sh --check  drives the page headlessly instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m[demo]\033[0m %s\n' "$*" >&2; }
bash scripts/setup.sh
say "building and packing cos-wasm"
bash scripts/pack.sh >/dev/null 2>&1 || bash scripts/pack.sh >/dev/null
say "building the local COS emulator"
cargo build --quiet --release -p cos-emulator
exec node scripts/demo.mjs "$@"
