#!/usr/bin/env bash
# Runs the official cos-python-sdk-v5 call suite against the emulator binary, in a venv created
# here (.venv, gitignored) on first use. COS_EMULATOR_BIN overrides the binary path; otherwise
# it is built in release mode.
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${COS_EMULATOR_BIN:-}" ]; then
  TARGET="${CARGO_TARGET_DIR:-$(cd ../../.. && pwd)/target}"
  (cd ../.. && CARGO_TARGET_DIR="$TARGET" cargo build -p cos-emulator --release)
  export COS_EMULATOR_BIN="$TARGET/release/cos-emulator"
fi
if [ ! -x .venv/bin/python ] || [ requirements.txt -nt .venv/.installed ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
  touch .venv/.installed
fi
.venv/bin/python -m unittest -v test_sdk.py
