#!/usr/bin/env bash
# The demo command: sets up what is missing, builds the npm package, and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/build.mjs >/dev/null 2>&1 || node scripts/build.mjs
node examples/sign-demo.mjs
