#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test lane, each in turn, whatever the ones
# before gave; exits non-zero when any lane failed. Every server a test needs (the server
# itself, PostgreSQL) is started by the test and stopped after it.
#
#   scripts/test.sh                  every lane below
#   scripts/test.sh <ctest args>     lane 1 only, with those arguments (e.g. -L unit, -R api)
#
# Lanes (LATCHKEY_TEST_LANES, space-separated, picks some; default all, in this order):
#   ctest     CTest in build/: unit (GoogleTest), API on SQLite and on PostgreSQL, cluster,
#             browser (headless Chromium), robustness (load and abuse)
#   address   scripts/sanitize.sh address: unit and SQLite API suites under ASan + UBSan
#   thread    scripts/sanitize.sh thread: the concurrency unit tests under ThreadSanitizer
#   fuzz      scripts/fuzz.sh: each libFuzzer target for FUZZ_SECONDS (default 60)
# At the end: each lane's result and time, the figures the robustness, crash, drain and race
# tests print (ROBUSTNESS lines) and the fuzzers' figure lines.
set -euo pipefail
cd "$(dirname "$0")/.."

if (($#)); then
  scripts/build.sh --test
  exec ctest --test-dir build --output-on-failure --timeout 900 "$@"
fi

lanes=(${LATCHKEY_TEST_LANES:-ctest address thread fuzz})
summary=()
failed=0
fuzz_log=$(mktemp)
trap 'rm -f "$fuzz_log"' EXIT

run_lane() { # run_lane NAME COMMAND...
  local name=$1 start=$SECONDS status=0
  shift
  printf '\n==== lane %s (%s UTC)\n' "$name" "$(date -u +%H:%M:%S)"
  "$@" || status=$?
  local result=passed
  ((status == 0)) || { result="FAILED (exit $status)"; failed=1; }
  summary+=("$(printf '%-8s %-20s %4d s' "$name" "$result" $((SECONDS - start)))")
}

# Called on the left of ||, where bash ignores set -e: every step returns on failure itself.
ctest_lane() {
  scripts/build.sh --test || return
  ctest --test-dir build --output-on-failure --timeout 900
}

fuzz_lane() {
  scripts/fuzz.sh --seconds "${FUZZ_SECONDS:-60}" 2>&1 | tee "$fuzz_log"
  return "${PIPESTATUS[0]}"
}

for lane in "${lanes[@]}"; do
  case $lane in
    ctest) run_lane ctest ctest_lane ;;
    address | thread) run_lane "$lane" scripts/sanitize.sh "$lane" ;;
    fuzz) run_lane fuzz fuzz_lane ;;
    *)
      echo "unknown lane: $lane (ctest, address, thread, fuzz)" >&2
      exit 2
      ;;
  esac
done

printf '\n==== figures\n'
if [[ -f build/Testing/Temporary/LastTest.log ]]; then
  grep -h '^# ROBUSTNESS \|^ROBUSTNESS ' build/Testing/Temporary/LastTest.log |
    sed 's/^# //' || echo "(no ROBUSTNESS lines: the robustness and API lanes did not run)"
fi
grep -h '^fuzz_[a-z_]*: ' "$fuzz_log" 2>/dev/null || true
if ((failed)); then
  # What failed and why, at the end where a truncated CI log still shows it: each failing
  # node:test case's error block and each GoogleTest failure, from every lane's ctest log.
  printf '\n==== failures\n'
  for log in build*/Testing/Temporary/LastTest.log; do
    [[ -f $log ]] || continue
    awk -v file="$log" '
      /^[ #]*not ok / { grab = 30; print file ": " $0; next }
      /: Failure$/ || /^\[  FAILED  \]/ { grab = 6; print file ": " $0; next }
      grab > 0 { print "  " $0; grab--; if ($0 ~ /^ *\.\.\.$/) grab = 0 }
    ' "$log" | head -n 200
  done
fi
printf '\n==== lanes\n'
printf '%s\n' "${summary[@]}"
exit "$failed"
