#!/usr/bin/env bash
# Builds the server (build/latchkey, unit tests) and the web client (web/dist).
# Usage: scripts/build.sh [--test]   (--test also installs the test dependencies)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh "$@"

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/latchkey-ccache}"
# Paths relative to the checkout, so that any clone of the repository hits the same cache.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# Two jobs: the Beast translation unit alone needs about 1.5 GB of memory.
cmake --build build -j "${BUILD_JOBS:-$(nproc)}"
npm run --silent build
