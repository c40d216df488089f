#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang with ASan + UBSan) into build-fuzz/, replays every
# input in fuzz/regressions/<target>/, then fuzzes each target for a bounded time on a
# temporary copy of its seed corpus (fuzz/corpus/<target>/; the copy grows, the repo does not).
# Usage: scripts/fuzz.sh [--seconds N] [target...]
#   --seconds N   fuzzing time per target (default 300; CI passes 60)
#   target        fuzz_cookies, fuzz_csrf, fuzz_json_bodies, fuzz_http_request (default: all)
#   make fuzz FUZZ_SECONDS=60 runs the same.
# Prints one figure line per target. Exits non-zero on any crash, leak, timeout, out-of-memory
# or sanitizer report; the input that caused it is kept in build-fuzz/artifacts/<target>/ (add
# it to fuzz/regressions/<target>/ once fixed: fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=300
targets=()
while (($#)); do
  case "$1" in
    --seconds) seconds="${2:?--seconds needs a value}"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all=(fuzz_cookies fuzz_csrf fuzz_json_bodies fuzz_http_request)
((${#targets[@]})) || targets=("${all[@]}")
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "--seconds must be a whole number" >&2; exit 2; }

# Longest input worth trying: a Cookie header, a binding+token pair, a JSON body, and a few
# pipelined requests (the server's header limit is 8 KiB).
declare -A max_len=([fuzz_cookies]=1024 [fuzz_csrf]=512 [fuzz_json_bodies]=4096
                    [fuzz_http_request]=8192)
for t in "${targets[@]}"; do
  [[ -n "${max_len[$t]:-}" ]] || { echo "unknown target $t (one of: ${all[*]})" >&2; exit 2; }
done

scripts/install-deps.sh --fuzz

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/latchkey-ccache}"
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 -DLATCHKEY_FUZZ=ON >/dev/null
# Two jobs at most: shared machines, and ASan objects are large.
cmake --build build-fuzz -j "${BUILD_JOBS:-2}" --target "${targets[@]}"

artifacts=build-fuzz/artifacts
failed=0

echo "== replaying fuzz/regressions"
for t in "${targets[@]}"; do
  inputs=(fuzz/regressions/"$t"/*)
  [[ -e "${inputs[0]}" ]] || continue
  mkdir -p "$artifacts/$t"
  if build-fuzz/"$t" -artifact_prefix="$artifacts/$t/" "${inputs[@]}" \
      >"$artifacts/$t/regressions.log" 2>&1; then
    echo "$t: ${#inputs[@]} regression inputs pass"
  else
    echo "$t: a regression input fails (log: $artifacts/$t/regressions.log)" >&2
    failed=1
  fi
done

echo "== fuzzing each target for ${seconds}s"
for t in "${targets[@]}"; do
  mkdir -p "$artifacts/$t"
  corpus=$(mktemp -d "${TMPDIR:-/tmp}/latchkey-corpus-$t-XXXXXX")
  cp -r fuzz/corpus/"$t"/. "$corpus"/
  log="$artifacts/$t/fuzz.log"
  before=$(find "$artifacts/$t" -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
             -o -name 'oom-*' | wc -l)
  rc=0
  build-fuzz/"$t" "$corpus" -max_total_time="$seconds" -max_len="${max_len[$t]}" \
    -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$t/" >"$log" 2>&1 || rc=$?
  after=$(find "$artifacts/$t" -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
            -o -name 'oom-*' | wc -l)
  stat_of() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
  printf '%s: %s execs, %s exec/s, corpus %s files (seed %s), cov %s, ft %s, crashes %s, rc %s\n' \
    "$t" "$(stat_of number_of_executed_units)" "$(stat_of average_exec_per_sec)" \
    "$(find "$corpus" -type f | wc -l)" "$(find fuzz/corpus/"$t" -type f | wc -l)" \
    "${cov:-?}" "${ft:-?}" "$((after - before))" "$rc"
  rm -rf "$corpus"
  if ((rc != 0 || after > before)); then
    echo "$t: FAILED (log: $log; inputs: $artifacts/$t/)" >&2
    grep -E 'ERROR|invariant|runtime error|SUMMARY' "$log" | head -5 >&2 || true
    failed=1
  fi
done
exit "$failed"
