#!/usr/bin/env bash
# Installs the official Node SDK and runs it against the emulator binary.
# COS_EMULATOR_BIN overrides the binary path; otherwise it is built in release mode.
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${COS_EMULATOR_BIN:-}" ]; then
  TARGET="${CARGO_TARGET_DIR:-$(cd ../.. && pwd)/target}"
  (cd .. && CARGO_TARGET_DIR="$TARGET" cargo build -p cos-emulator --release)
  export COS_EMULATOR_BIN="$TARGET/release/cos-emulator"
fi
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
node --test test/
