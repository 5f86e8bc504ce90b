#!/usr/bin/env bash
# The one test command: sets up what is missing, then runs every test suite.
#   native Rust (fmt, clippy, unit + vector + property tests), the npm package (build,
#   pack, publint, are-the-types-wrong, type tests), and the packed package in Node ESM,
#   Node CJS, headless Chromium and workerd; the local COS emulator's own tests, the official
#   Node and Python SDKs against it, and cos-wasm requests end to end against it; and the
#   packaging matrix (tests/packaging: the tarball built by wrangler, Vite, webpack, esbuild,
#   Next.js, and run in workerd, Chromium, Node, Deno and Bun).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

step "setup"
bash scripts/setup.sh

step "rust: fmt + clippy"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p cos-wasm --lib --target wasm32-unknown-unknown --features wasm -- -D warnings
# each npm entry's feature alone (scripts/build.mjs builds them one by one)
for entry in entry-signer entry-keys entry-hash entry-sts entry-explain; do
  cargo clippy -p cos-wasm --lib --target wasm32-unknown-unknown --features "$entry" -- -D warnings
done
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p cos-wasm -q

step "rust: tests"
cargo test --workspace
# the boundary's own unit tests (src/wasm/: the snapshot decoder), natively
cargo test -p cos-wasm --lib --features wasm -- wasm::

step "npm package: build, pack, install into tests/js"
tarball=$(bash scripts/pack.sh)
./node_modules/.bin/publint run --strict pkg
./node_modules/.bin/attw --exclude-entrypoints ./cos_wasm_bg.wasm ./keys/cos_wasm_keys_bg.wasm ./hash/cos_wasm_hash_bg.wasm ./sts/cos_wasm_sts_bg.wasm ./explain/cos_wasm_explain_bg.wasm -- "$tarball"
./node_modules/.bin/tsc -p tests/js/tsconfig.json

step "local COS emulator: release build, official cos-nodejs-sdk-v5 and cos-python-sdk-v5 against it"
cargo build --release -p cos-emulator
COS_EMULATOR_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/cos-emulator" bash cos-emulator/sdk-test/run.sh
COS_EMULATOR_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/cos-emulator" bash cos-emulator/sdk-test/python/run.sh

step "packaging matrix: install its pinned tools and the tarball"
bash tests/packaging/install.sh "$tarball"

step "js: Node ESM, Node CJS, headless Chromium, workerd, end to end against the emulator; packaging matrix"
node --test --test-concurrency=1 tests/js/ tests/packaging/
