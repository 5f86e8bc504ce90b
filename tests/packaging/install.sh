#!/usr/bin/env bash
# Installs the matrix tools (pinned in package-lock.json; skipped when already current) and
# the packed cos-wasm tarball (scripts/pack.sh) into tests/packaging/node_modules.
#   bash tests/packaging/install.sh [target/npm/cos-wasm-X.Y.Z.tgz]
set -euo pipefail
cd "$(dirname "$0")"
tarball=${1:-../../target/npm/cos-wasm.tgz}
case "$tarball" in /*) ;; *) [ -f "$tarball" ] || tarball="../../$tarball" ;; esac
[ -f "$tarball" ] || { echo "no $tarball: run scripts/pack.sh first" >&2; exit 1; }
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm install --silent --no-save --ignore-scripts --no-audit --no-fund "$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")"
