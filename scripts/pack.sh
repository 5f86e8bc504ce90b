#!/usr/bin/env bash
# Builds pkg/, packs it, and installs the tarball into tests/js (imported by name there).
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs "$@"
mkdir -p target/npm
rm -f target/npm/cos-wasm-*.tgz
(cd pkg && npm pack --silent --pack-destination ../target/npm >/dev/null)
tarball=$(ls target/npm/cos-wasm-*.tgz)
rm -rf tests/js/node_modules
(cd tests/js && npm install --silent --no-save --no-package-lock --ignore-scripts --no-audit --no-fund "../../$tarball")
echo "$tarball"
