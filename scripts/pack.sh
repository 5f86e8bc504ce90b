#!/usr/bin/env bash
# Builds pkg/, packs it (also as target/npm/cos-wasm.tgz, the stable name
# examples/edge-worker/package.json installs), and installs the tarball into tests/js
# (imported by name there; tests/packaging/install.sh does the same for the matrix).
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs "$@"
mkdir -p target/npm
rm -f target/npm/cos-wasm-*.tgz
(cd pkg && npm pack --silent --pack-destination ../target/npm >/dev/null)
tarball=$(ls target/npm/cos-wasm-*.tgz)
cp "$tarball" target/npm/cos-wasm.tgz
rm -rf tests/js/node_modules
(cd tests/js && npm install --silent --no-save --no-package-lock --ignore-scripts --no-audit --no-fund "../../$tarball")
echo "$tarball"
