#!/usr/bin/env bash
# Sanitizer lanes (issue 7). Each mode configures and builds its own directory with
# -DLATCHKEY_SANITIZE (cmake/Sanitizers.cmake), runs its tests, and fails on any report.
#
#   scripts/sanitize.sh address   ASan + UBSan (+ LeakSanitizer) in build-asan/: the whole unit
#                                 suite and the SQLite API suite (tests/api) against the
#                                 sanitized server, through CTest.
#   scripts/sanitize.sh thread    ThreadSanitizer in build-tsan/: the unit tests that run code on
#                                 several threads (the suites listed in TSAN_SUITES below).
#
# Environment: BUILD_JOBS (default 2: the Beast translation unit alone needs about 1.5 GB),
# CCACHE_DIR (default as scripts/build.sh).
# Reports: the server processes the API tests start are stopped by SIGTERM and their exit status
# and stderr are not checked by tests/support/server.mjs, so every sanitized process writes its
# ASan/LSan/TSan reports to files (log_path) under <build dir>/sanitizer-logs/, UBSan's (which
# ignore log_path in the ASan build, see cmake/Sanitizers.cmake) are found in copies of the
# servers' stderr there, and this script fails on any report, whatever the tests said.
set -euo pipefail

# Internal: the API suite's LATCHKEY_BIN in build-asan/ (cmake/Sanitizers.cmake). Runs the real
# server binary in this process (exec: same pid, signals and exit status), its stderr also
# copied to $LATCHKEY_SANITIZER_LOGS/stderr.<pid> for the UBSan check below. No cd: the tests
# pass relative paths and a working directory.
if [[ -n "${LATCHKEY_SANITIZE_EXEC:-}" ]]; then
  if [[ -n "${LATCHKEY_SANITIZER_LOGS:-}" ]]; then
    exec "$LATCHKEY_SANITIZE_EXEC" "$@" 2> >(tee -a "$LATCHKEY_SANITIZER_LOGS/stderr.$$" >&2)
  fi
  exec "$LATCHKEY_SANITIZE_EXEC" "$@"
fi

cd "$(dirname "$0")/.."

usage() {
  sed -n '2,9p' "$0" >&2
  exit 2
}
[[ $# -eq 1 ]] || usage
mode=$1

# The unit test suites (gtest suite names) that exercise threads, for the thread lane. Each one
# must exist and run at least one test (checked below), so that a renamed or deleted suite
# fails the lane instead of silently dropping out of it.
TSAN_SUITES=(
  SessionCache                      # 16 shards, concurrent Put/Get/Evict
  SessionCacheConcurrency           # epochs vs. evictions, counters, SetLastSeen races
  TouchBatcherTest                  # the batcher's own flush thread
  TouchBatcherConcurrency           # Record from many threads against loop and Flush
  CacheRefresher                    # the refresher's own thread, stopped mid-batch
  CachingStoreConcurrency           # lookups through the cache racing own logouts, feed events
  ThrottleFlowTest                  # concurrent logins through Throttle::Acquire
  ThrottleConcurrency               # atomic counter updates from many threads
  HmacSha256_Threads                # keyed HMAC states shared read-only by many threads
  ConnectionRegistry                # admits/removes from many threads, WaitUntilEmpty
  SessionSweeperConcurrency         # the sweeper thread beside store traffic
  PasswordHasherConcurrency         # the hashing pool: one hasher shared by many threads
  PeriodicWorker                    # the helper behind the five background threads
  AssertionIssuerTest               # sharded assertion cache, one EVP_PKEY signing on 4 threads
)

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/latchkey-ccache}"
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
jobs="${BUILD_JOBS:-2}"

case "$mode" in
  address)
    scripts/install-deps.sh --test  # sqlite3 and openssl CLIs for the API suite
    build_dir=build-asan
    # The tools the API suite runs (CMakeLists.txt, LATCHKEY_TEST_ENV): assertion.test.mjs
    # signs with latchkey_assertion_tool, unicode_passwords.test.mjs makes old-style hashes
    # with latchkey_hash_tool.
    targets=(latchkey latchkey_unit_tests latchkey_assertion_tool latchkey_hash_tool)
    ;;
  thread)
    scripts/install-deps.sh
    build_dir=build-tsan
    targets=(latchkey_unit_tests)  # the server binary is not run in this lane
    ;;
  *) usage ;;
esac

step() { printf '== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

step "configure $build_dir"
# Debug: assertions stay on (no NDEBUG); the sanitizer options add -O1.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLATCHKEY_SANITIZE="$mode" >/dev/null
step "build ${targets[*]}"
start=$SECONDS
cmake --build "$build_dir" -j "$jobs" --target "${targets[@]}"
echo "build: $((SECONDS - start)) s"

logs="$PWD/$build_dir/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"

# Fails (after printing them) when any sanitizer report exists: a log_path file (ASan, LSan,
# TSan), or a copy of a server's stderr holding a report (UBSan, see the top of this file).
check_logs() {
  local reports
  reports=$({
    find "$logs" -type f -size +0c ! -name 'stderr.*'
    find "$logs" -type f -name 'stderr.*' -exec grep -lE \
      'runtime error:|ERROR: [A-Za-z]+Sanitizer|WARNING: [A-Za-z]+Sanitizer' {} +
  } | sort)
  if [[ -n "$reports" ]]; then
    echo "sanitizer reports:" >&2
    while read -r f; do
      echo "---- $f" >&2
      cat "$f" >&2
    done <<<"$reports"
    return 1
  fi
}

status=0
start=$SECONDS
if [[ "$mode" == address ]]; then
  if [[ ! -f web/dist/index.html ]]; then
    step "build web/dist (the API suite serves it)"
    npm run --silent build
  fi
  # halt_on_error: the first report ends the process (with -fno-sanitize-recover=all UBSan
  # does too). detect_leaks: the server returns from main on SIGTERM after joining its threads
  # and destroying the App, and the unit tests and one-shot commands return normally, so
  # memory still allocated and unreachable at exit is a real leak (LeakSanitizer ignores
  # memory reachable from globals, such as OpenSSL's and libsodium's static state).
  export ASAN_OPTIONS="log_path=$logs/asan:halt_on_error=1:detect_leaks=1:strict_init_order=1:check_initialization_order=1:detect_stack_use_after_return=1:abort_on_error=0"
  export UBSAN_OPTIONS="log_path=$logs/ubsan:halt_on_error=1:print_stacktrace=1"
  export LSAN_OPTIONS="log_path=$logs/lsan"
  export LATCHKEY_SANITIZER_LOGS="$logs"
  step "unit + SQLite API tests under ASan+UBSan"
  # -L unit|api selects the suites; -LE drops the PostgreSQL run of the API suite (labelled
  # api;postgres). Browser, robustness and cluster suites carry other labels and never match.
  # Serial, as in scripts/test.sh: the API suite runs two files at once by itself, and some of
  # its tests calibrate against the machine's speed (tests/api/drain.test.mjs measures hashes
  # per second), which unit tests running beside them would skew.
  ctest --test-dir "$build_dir" -L '^(unit|api)$' -LE '^postgres$' \
    --output-on-failure --timeout 900 || status=$?
else
  export TSAN_OPTIONS="log_path=$logs/tsan:halt_on_error=1:second_deadlock_stack=1:history_size=4"
  filter=$(IFS=:; echo "${TSAN_SUITES[*]/%/.*}")
  bin="$build_dir/latchkey_unit_tests"
  report="$build_dir/tsan-tests.json"
  rm -f "$report"
  step "concurrency unit tests under TSan: ${TSAN_SUITES[*]}"
  "$bin" --gtest_filter="$filter" --gtest_output="json:$report" --gtest_brief=1 || status=$?
  # Every listed suite ran at least one test and skipped none.
  if [[ -f "$report" ]]; then
    node - "$report" "${TSAN_SUITES[@]}" <<'EOF' || status=1
const fs = require('node:fs');
const [file, ...suites] = process.argv.slice(2);
const ran = new Map(JSON.parse(fs.readFileSync(file, 'utf8')).testsuites.map((s) => [s.name, s]));
let bad = 0;
for (const name of suites) {
  const s = ran.get(name);
  const run = s ? s.testsuite.filter((t) => t.result === 'COMPLETED').length : 0;
  if (!s || run === 0 || run !== s.tests) {
    console.error(`TSan lane: suite ${name} ${s ? `ran ${run} of ${s.tests} tests` : 'not found'}`);
    bad = 1;
  }
}
console.log(`TSan lane: ${suites.length} suites, ${[...ran.values()].reduce((n, s) => n + s.tests, 0)} tests`);
process.exit(bad);
EOF
  else
    echo "TSan lane: no test report (the test binary died?)" >&2
    status=1
  fi
fi
echo "tests: $((SECONDS - start)) s"
check_logs || status=1
if ((status)); then
  echo "sanitize.sh $mode: FAILED" >&2
else
  echo "sanitize.sh $mode: passed"
fi
exit "$status"
