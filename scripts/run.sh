#!/usr/bin/env bash
# Installs what is missing, builds, and runs Latchkey on http://127.0.0.1:8080 with the
# embedded default: SQLite and the secret key in ./data/. Extra arguments go to
# `latchkey serve` (see `build/latchkey --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
exec build/latchkey serve --data-dir ./data --web-root ./web/dist "$@"
