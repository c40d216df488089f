#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through CTest: GoogleTest unit tests,
# black-box API tests against a real server on loopback, and browser tests in headless
# Chromium. Every server a test needs is started by the test and stopped after it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh --test
ctest --test-dir build --output-on-failure --timeout 900 "$@"
