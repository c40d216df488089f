#!/usr/bin/env bash
# The benchmark suite: one command, loopback only, bounded in time.
#
#   bench/run.sh [--quick] [--only <scenario,...>] [--no-peers] [--no-build]
#                [--baseline <latchkey binary>]
#
# Installs wrk (and nginx for scenario 10; Debian packages) when missing, builds the server and
# the seeder (scripts/build.sh), copies the performance peers (PEERS_DIR, default
# ../shared/peers) into build/bench/peers and builds them there, then runs each scenario on a
# fresh data directory with a fresh `latchkey serve --log-level warn` (scenario 8: also one at
# info, the default; scenario 10: at info) on a free 127.0.0.1 port: seeding (latchkey_bench_seed), an unrecorded warm-up, wrk -t2 -c64 -d10s --latency (--quick: -d3s),
# peak RSS, stop. The peers run in the same run with the same wrk settings.
#
# Scenarios (--only takes numbers or names, comma-separated):
#   1 healthz  GET /healthz: the server's own ceiling
#   2 auth     GET /api/auth, 10,000 users, every session cookie cycled
#   3 page     GET / (renders the page with a CSRF token)
#   4 login    POST /api/auth/login, correct password (password-hash bound)
#   5 mixed    session checks paced at 19x the login rate beside logins; baseline: the same
#              checks without logins
#   6 scale    scenario 2 with 1,000 and with 1,000,000 users (100,000 cookies cycled)
#   7 rss      peak RSS with 100,000 live sessions, every one checked
#   8 logging  scenario 2 on two servers, one at --log-level info (the default: one line per
#              request, written to a file) and one at warn; paired rounds for the ratios
#   9 baseline scenario 2 on two servers, build/latchkey and the --baseline binary (e.g. one
#              built from the commit before a change), both at warn, each on its own freshly
#              seeded data dir; paired rounds as in 8, target: req/s current/baseline >= 0.95
#              (median of the rounds), p99 reported. Skipped, with a note, without --baseline.
#  10 proxy    issue 17 section 6, an authenticated GET (10,000 sessions cycled as in 2) to a
#              trivial upstream (Debian's nginx answering a fixed JSON body) (a) through
#              Latchkey's --upstream proxy, (b) through nginx auth_request asking Latchkey's
#              /api/auth/verify (the nginx block of docs/INTEGRATION.md, plus what keeps
#              nginx's connections to Latchkey and the upstream alive: `keepalive 64`,
#              proxy_http_version 1.1, and the auth subrequest as HEAD, since nginx closes a
#              connection whose auth answer has a body), (c) through nginx with no auth;
#              (d) nginx `return 200` and Latchkey's /healthz, each server's ceiling. Every
#              server at its default log level: Latchkey at info (a line per request, to a
#              file), nginx with its access log on (files), a worker per core. One Latchkey
#              (10,000 sessions) serves a and b; each nginx is one foreground process tree with
#              every path in the run's data dir, loopback only. Warm-up and measured run of
#              each case, then paired rounds of all five (order reversed every other round);
#              targets on the medians of the per-round ratios: req/s a/b >= 1.3, a/c >= 0.6,
#              p99 a/c <= 2. Each run also records the CPU time a request of Latchkey and of
#              both nginx (/proc) and the load average. Skipped, with a note, when nginx is
#              missing (installed like wrk when it can be).
# plus `latchkey bench-hash` (hashes/s per core) for the login target.
#
# --baseline <binary>: a `latchkey` built elsewhere (never built here); it must accept the
# data directory of build/latchkey_bench_seed (same schema migrations, key file and cookie
# format: the run checks one cookie on it before measuring).
#
# Results: build/bench/results/<UTC timestamp>/ (results.md, results.json, raw wrk output,
# server logs); results.md is printed at the end. Exit 0 even when a target is missed (the
# report says so); non-zero when the suite could not run: a server that did not start, wrk
# errors, non-2xx responses.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$REPO/bench
TOOL=(node "$BENCH/lib/tool.mjs")
cd "$REPO"

usage() { # the header comment above
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
  exit 2
}

QUICK=0 PEERS=1 BUILD=1 ONLY="" BASELINE=""
while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --no-peers) PEERS=0 ;;
    --no-build) BUILD=0 ;;
    --only)
      (($# >= 2)) || usage
      ONLY=$2
      shift
      ;;
    --only=*) ONLY=${1#--only=} ;;
    --baseline)
      (($# >= 2)) || usage
      BASELINE=$2
      shift
      ;;
    --baseline=*) BASELINE=${1#--baseline=} ;;
    -h | --help) usage ;;
    *)
      echo "unknown argument: $1" >&2
      usage
      ;;
  esac
  shift
done
if [[ -n $BASELINE ]]; then
  [[ -x $BASELINE && -f $BASELINE ]] || {
    echo "--baseline: not an executable file: $BASELINE" >&2
    exit 2
  }
  BASELINE=$(realpath "$BASELINE")
fi

THREADS=2
CONNS=64
LOGIN_CONNS=16     # login is hash-bound: more connections only queue (same for the peer)
LOGIN_USERS=32     # logins rotate through this many users, all with one password
AUTH_USERS=10000
PASSWORD=bench-password-1
# wrk's own default (2 s) drops slower requests from the latency histogram as "timeouts":
# with 10 s they count as latency, and a timeout still fails the run.
WRK_TIMEOUT=10
if ((QUICK)); then
  DURATION=3 WARMUP=1 PAIR_SECS=2 PAIRS=3 PAIR_HASH_SECONDS=1 LOGIN_PAIR_SECS=3 HASH_SECONDS=1
else
  DURATION=10 WARMUP=3 PAIR_SECS=4 PAIRS=7 PAIR_HASH_SECONDS=2 LOGIN_PAIR_SECS=10 HASH_SECONDS=3
fi

# ---------------------------------------------------------------- scenario selection
declare -A WANT=()
NAMES=(x healthz auth page login mixed scale rss logging baseline proxy)
if [[ -z $ONLY ]]; then
  for i in $(seq 10); do WANT[$i]=1; done
else
  IFS=, read -r -a picked <<<"$ONLY"
  for p in "${picked[@]}"; do
    found=""
    for i in $(seq 10); do
      [[ $p == "$i" || $p == "${NAMES[$i]}" ]] && WANT[$i]=1 found=1
    done
    [[ -n $found ]] || {
      echo "unknown scenario: $p (1-10 or ${NAMES[*]:1})" >&2
      exit 2
    }
  done
fi
want() { [[ -n ${WANT[$1]:-} ]]; }

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$REPO/build/bench/results/$STAMP
# Two runs started in the same second get a directory each.
mkdir -p "$REPO/build/bench/results"
n=1
until mkdir "$OUT" 2>/dev/null; do
  n=$((n + 1))
  OUT=$REPO/build/bench/results/$STAMP-$n
done
RECORDS=$OUT/records.jsonl
START_TIME=$SECONDS

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---------------------------------------------------------------- processes (stopped by PID)
STARTED=()
SERVER_PID=""
stop_pid() { # stop_pid PID: SIGTERM, up to 10 s, then SIGKILL
  local pid=$1
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${STARTED[@]}"; do
    kill -0 "$pid" 2>/dev/null && stop_pid "$pid"
  done
  rm -rf "$OUT/data"  # seeded databases (up to 0.5 GB) and cookie files
  return 0
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- setup
# wrk, and nginx for scenario 10 (Debian packages), when missing.
install_tools() {
  local missing=() pkg sudo=""
  for pkg in wrk $(want 10 && echo nginx); do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  log "installing ${missing[*]} (Debian packages)"
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null
  # nginx's package starts a machine-wide server on port 80; scenario 10 starts its own.
  if [[ " ${missing[*]} " == *" nginx "* ]] && command -v systemctl >/dev/null 2>&1; then
    $sudo systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
}

build() {
  if ((BUILD)); then
    log "building (scripts/build.sh)"
    scripts/build.sh
  fi
  [[ -x build/latchkey && -x build/latchkey_bench_seed ]] || {
    log "build/latchkey or build/latchkey_bench_seed is missing"
    exit 1
  }
}

PEERS_SRC=${PEERS_DIR:-$REPO/../shared/peers}
PEERS_OUT=$REPO/build/bench/peers
CEILING_OK=0 EXPRESS_OK=0
# Copies the peers (never writing into PEERS_SRC) and builds them as their README says.
# The copy keeps what the last run built (the ceiling binary, express-seed/node_modules).
prepare_peers() {
  if [[ ! -f $PEERS_SRC/README.md ]]; then
    log "no peers at $PEERS_SRC: running without them"
    "${TOOL[@]}" note "$RECORDS" what=peer peer=all ok=false problem="no peers at $PEERS_SRC"
    return
  fi
  log "copying peers from $PEERS_SRC to build/bench/peers"
  mkdir -p "$PEERS_OUT"
  chmod -R u+w "$PEERS_OUT"
  tar -C "$PEERS_SRC" --exclude=./results --exclude=node_modules -cf - . | tar -C "$PEERS_OUT" -xf -
  chmod -R u+w "$PEERS_OUT"
  if make -C "$PEERS_OUT/ceiling" ceiling >"$OUT/peer-ceiling-build.log" 2>&1; then
    CEILING_OK=1
  else
    log "the ceiling peer did not build: see $OUT/peer-ceiling-build.log"
    "${TOOL[@]}" note "$RECORDS" what=peer peer=ceiling ok=false \
      problem="make -C ceiling failed (peer-ceiling-build.log)"
  fi
  local dir=$PEERS_OUT/express-seed lock stamp
  lock=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  stamp=$(cat "$dir/node_modules/.bench-lock-hash" 2>/dev/null || true)
  if [[ $stamp != "$lock" ]]; then
    log "express peer: npm ci (compiles better-sqlite3, about a minute)"
    if (cd "$dir" && npm ci --no-audit --no-fund) >"$OUT/peer-express-build.log" 2>&1; then
      echo "$lock" >"$dir/node_modules/.bench-lock-hash"
    fi
  fi
  if (cd "$dir" && node -e "require('better-sqlite3'); require('bcrypt'); require('express')") \
    >>"$OUT/peer-express-build.log" 2>&1; then
    EXPRESS_OK=1
  else
    log "the Express peer could not be built here: see $OUT/peer-express-build.log"
    "${TOOL[@]}" note "$RECORDS" what=peer peer=express ok=false \
      problem="npm ci / require failed (peer-express-build.log)"
  fi
}

# ---------------------------------------------------------------- servers
PORT="" BASE=""
SERVE_EXTRA=() # more flags of the next start_latchkey (scenario 10: --upstream ...)
# LEVEL: --log-level, default warn; LOG: where its stdout goes (default $OUT/server-NAME.log);
# BINARY: default build/latchkey.
start_latchkey() { # start_latchkey DATA_DIR NAME [LEVEL [LOG [BINARY]]]
  PORT=$("${TOOL[@]}" port)
  BASE=http://127.0.0.1:$PORT
  local server_log=${4:-$OUT/server-$2.log}
  "${5:-build/latchkey}" serve --listen "127.0.0.1:$PORT" --data-dir "$1" --web-root "$REPO/web/dist" \
    --log-level "${3:-warn}" --metrics-listen 127.0.0.1:0 "${SERVE_EXTRA[@]}" >"$server_log" 2>&1 &
  SERVER_PID=$!
  STARTED+=("$SERVER_PID")
  if ! "${TOOL[@]}" wait "$BASE/healthz" 30 "$SERVER_PID"; then
    log "latchkey did not start: $(tail -3 "$server_log")"
    "${TOOL[@]}" note "$RECORDS" what=failure problem="latchkey did not start ($2)"
    return 1
  fi
}

stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=""
}

seed() { # seed DATA_DIR USERS COOKIES_FILE [SAMPLE]
  local args=(--data-dir "$1" --users "$2" --cookies-out "$3" --password "$PASSWORD")
  [[ -n ${4:-} ]] && args+=(--cookie-sample "$4")
  log "seeding $2 users"
  build/latchkey_bench_seed "${args[@]}" >&2 || {
    "${TOOL[@]}" note "$RECORDS" what=failure problem="seeding $2 users failed"
    return 1
  }
}

rss() { # rss SCENARIO SERVER [key=value...]
  "${TOOL[@]}" rss "$RECORDS" "$SERVER_PID" scenario="$1" server="$2" "${@:3}"
}

# wrk_run PHASE SCENARIO SERVER CASE CONNS SECONDS SCRIPT URL [BENCH_X=..|key=value ...]
# BENCH_* go to wrk's environment (the Lua scripts), other key=value to the record. With
# CPU_WATCH (NAME=PID ...) set, the record also gets each process's CPU time a request.
CPU_WATCH=()
wrk_run() {
  local phase=$1 scen=$2 server=$3 case=$4 conns=$5 secs=$6 script=$7 url=$8
  shift 8
  local envs=() meta=() kv
  for kv in "$@"; do
    if [[ $kv == BENCH_* ]]; then envs+=("$kv"); else meta+=("$kv"); fi
  done
  local raw=$OUT/wrk-$scen-$server-$case-$phase.txt
  local latency=()
  [[ $phase == run ]] && latency=(--latency)
  log "$server/$case ($phase): wrk -t$THREADS -c$conns -d${secs}s $url"
  ((${#CPU_WATCH[@]})) && meta+=("cpu_before=$("${TOOL[@]}" cpu "${CPU_WATCH[@]}")")
  env BENCH_WRK_THREADS="$THREADS" "${envs[@]}" timeout $((secs + 60)) \
    wrk -t"$THREADS" -c"$conns" -d"${secs}s" --timeout "${WRK_TIMEOUT}s" "${latency[@]}" \
    -s "$BENCH/wrk/$script" "$url" \
    >"$raw" 2>&1 || true
  ((${#CPU_WATCH[@]})) && meta+=("cpu_after=$("${TOOL[@]}" cpu "${CPU_WATCH[@]}")")
  "${TOOL[@]}" record "$RECORDS" "$raw" kind=wrk phase="$phase" scenario="$scen" \
    server="$server" case="$case" conns="$conns" threads="$THREADS" seconds="$secs" \
    "${meta[@]}" >&2
}

# Warm-up, then the measured run going on where the warm-up's threads stopped in the pool.
warm_and_run() { # same arguments as wrk_run without PHASE
  wrk_run warmup "$1" "$2" "$3" "$4" "$WARMUP" "${@:6}" || return 1
  local offsets
  offsets=$("${TOOL[@]}" next-offsets "$RECORDS" phase=warmup scenario="$1" server="$2" \
    case="$3") || offsets=""
  wrk_run run "$1" "$2" "$3" "$4" "$5" "${@:6}" BENCH_OFFSETS="$offsets"
}

csrf_of() { # csrf_of BASE FILE: the CSRF token and cookie of one GET / into FILE (JSON)
  "${TOOL[@]}" csrf "$1" >"$2" || return 1
}
json_field() { node -e "process.stdout.write(String(JSON.parse(require('fs').readFileSync('$1','utf8'))['$2']))"; }

# ---------------------------------------------------------------- Latchkey scenarios
fresh_dir() { # fresh_dir NAME: prints a new empty data directory
  local d=$OUT/data/$1
  rm -rf "$d"
  mkdir -p "$d"
  echo "$d"
}
drop_dir() { rm -rf "$OUT/data/$1"; }

scenario_healthz() {
  local d
  d=$(fresh_dir healthz)
  start_latchkey "$d" healthz || return 1
  warm_and_run 1 latchkey healthz "$CONNS" "$DURATION" healthz.lua "$BASE/healthz" || return 1
  rss 1 latchkey case=healthz
  stop_server
  drop_dir healthz
}

scenario_auth() {
  local d
  d=$(fresh_dir auth)
  seed "$d" "$AUTH_USERS" "$d/cookies.txt" || return 1
  start_latchkey "$d" auth || return 1
  "${TOOL[@]}" expect 200 "$BASE/api/auth" "latchkey_session=$(head -1 "$d/cookies.txt")" || return 1
  warm_and_run 2 latchkey auth "$CONNS" "$DURATION" session.lua "$BASE/api/auth" \
    BENCH_COOKIES="$d/cookies.txt" users="$AUTH_USERS" || return 1
  rss 2 latchkey case=auth
  # Paired rounds for the ratio to /healthz: this machine's speed drifts by tens of percent
  # between runs (a shared VM), so the target uses the median of the per-round ratios, each
  # round measuring /healthz and the session check back to back on this same server (the
  # order alternates, so a drift inside a round does not always favour one side).
  # The ceiling peer joins the rounds when it built: its session check measured in the same
  # round as ours, for the ratio to it.
  local ceiling_base="" ceiling_pid="" cd=$OUT/data/ceiling-pair
  if ((PEERS && CEILING_OK)); then
    local latchkey_base=$BASE latchkey_pid=$SERVER_PID port
    mkdir -p "$cd"
    port=$("${TOOL[@]}" port)
    PORT=$port HOST=127.0.0.1 "$PEERS_OUT/ceiling/ceiling" >"$OUT/peer-ceiling-pair.log" 2>&1 &
    ceiling_pid=$!
    STARTED+=("$ceiling_pid")
    if "${TOOL[@]}" wait "http://127.0.0.1:$port/healthz" 15 "$ceiling_pid" &&
      "${TOOL[@]}" ceiling-sessions "http://127.0.0.1:$port" "$AUTH_USERS" "$cd/cookies.txt"; then
      ceiling_base=http://127.0.0.1:$port
      wrk_run warmup 2 ceiling pair-ceiling-auth "$CONNS" "$WARMUP" session.lua \
        "$ceiling_base/api/auth" BENCH_COOKIES="$cd/cookies.txt" BENCH_COOKIE_NAME=- || return 1
    else
      "${TOOL[@]}" note "$RECORDS" what=failure problem="the ceiling peer did not start for the paired rounds"
    fi
    BASE=$latchkey_base
    SERVER_PID=$latchkey_pid
  fi
  local round
  local ceiling=()
  [[ -n $ceiling_base ]] && ceiling=(pair-ceiling-auth "$CONNS" "$PAIR_SECS" session.lua
    "$ceiling_base/api/auth" BENCH_COOKIES="$cd/cookies.txt" BENCH_COOKIE_NAME=-)
  for round in $(seq "$PAIRS"); do
    if ((${#ceiling[@]} && round % 2)); then
      wrk_run "pair$round" 2 ceiling "${ceiling[@]}" round="$round" || return 1
    fi
    local healthz=(pair-healthz "$CONNS" "$PAIR_SECS" healthz.lua "$BASE/healthz")
    local checks=(pair-auth "$CONNS" "$PAIR_SECS" session.lua "$BASE/api/auth"
      BENCH_COOKIES="$d/cookies.txt" users="$AUTH_USERS")
    if ((round % 2)); then
      wrk_run "pair$round" 2 latchkey "${healthz[@]}" round="$round" || return 1
      wrk_run "pair$round" 2 latchkey "${checks[@]}" round="$round" || return 1
    else
      wrk_run "pair$round" 2 latchkey "${checks[@]}" round="$round" || return 1
      wrk_run "pair$round" 2 latchkey "${healthz[@]}" round="$round" || return 1
    fi
    if ((${#ceiling[@]} && !(round % 2))); then
      wrk_run "pair$round" 2 ceiling "${ceiling[@]}" round="$round" || return 1
    fi
  done
  if [[ -n $ceiling_pid ]]; then
    stop_pid "$ceiling_pid"
    rm -rf "$cd"
  fi
  stop_server
  drop_dir auth
}

scenario_page() {
  local d
  d=$(fresh_dir page)
  start_latchkey "$d" page || return 1
  csrf_of "$BASE" "$d/csrf.json" || return 1
  warm_and_run 3 latchkey page "$CONNS" "$DURATION" page.lua "$BASE/" \
    BENCH_COOKIE="$(json_field "$d/csrf.json" cookie)" || return 1
  rss 3 latchkey case=page
  stop_server
  drop_dir page
}

login_env() { # login_env CSRF_JSON USERS: the environment of login.lua
  echo "BENCH_CSRF_TOKEN=$(json_field "$1" token)"
  echo "BENCH_COOKIE=$(json_field "$1" cookie)"
  echo "BENCH_USER_COUNT=$2"
  echo "BENCH_PASSWORD=$PASSWORD"
}

scenario_login() {
  local d envs
  d=$(fresh_dir login)
  seed "$d" "$LOGIN_USERS" "$d/cookies.txt" || return 1
  start_latchkey "$d" login || return 1
  csrf_of "$BASE" "$d/csrf.json" || return 1
  "${TOOL[@]}" login-check "$BASE" "$d/csrf.json" bench0 "$PASSWORD" || return 1
  mapfile -t envs < <(login_env "$d/csrf.json" "$LOGIN_USERS")
  warm_and_run 4 latchkey login "$LOGIN_CONNS" "$DURATION" login.lua "$BASE/api/auth/login" \
    "${envs[@]}" || return 1
  rss 4 latchkey case=login
  # Paired rounds (see scenario_auth): the hash rate, then the login rate right after it.
  local round
  for round in $(seq "$PAIRS"); do
    bench_hash "$round" "$PAIR_HASH_SECONDS"
    wrk_run "pair$round" 4 latchkey login "$LOGIN_CONNS" "$LOGIN_PAIR_SECS" login.lua \
      "$BASE/api/auth/login" "${envs[@]}" round="$round" || return 1
  done
  stop_server
  drop_dir login
}

scenario_mixed() {
  local d envs login_rps plan conns target bg
  d=$(fresh_dir mixed)
  seed "$d" "$AUTH_USERS" "$d/cookies.txt" || return 1
  start_latchkey "$d" mixed || return 1
  csrf_of "$BASE" "$d/csrf.json" || return 1
  mapfile -t envs < <(login_env "$d/csrf.json" "$LOGIN_USERS")
  # The login rate of scenario 4 in this run, else a short calibration run here.
  if ! login_rps=$("${TOOL[@]}" get "$RECORDS" rps phase=run scenario=4 server=latchkey); then
    wrk_run calibrate 5 latchkey login "$LOGIN_CONNS" 3 login.lua "$BASE/api/auth/login" \
      "${envs[@]}" || return 1
    login_rps=$("${TOOL[@]}" get "$RECORDS" rps phase=calibrate scenario=5) || return 1
  fi
  plan=$("${TOOL[@]}" mixed-plan "$login_rps") || return 1
  read -r conns target <<<"$plan"
  log "mixed: logins at about $login_rps/s -> session checks paced at $target/s over $conns connections"
  "${TOOL[@]}" note "$RECORDS" what=mixed_plan login_rps="$login_rps" check_conns="$conns" \
    target_check_rps="$target"
  local checks=(session.lua "$BASE/api/auth" BENCH_COOKIES="$d/cookies.txt" BENCH_RATE="$target")
  wrk_run warmup 5 latchkey checks-baseline "$conns" "$WARMUP" "${checks[@]}" || return 1
  # Baseline: the same rate-limited checks, alone.
  wrk_run run 5 latchkey checks-baseline "$conns" "$DURATION" "${checks[@]}" || return 1
  # Under load: logins run from 1 s before to 1 s after the measured checks.
  local login_raw=$OUT/wrk-5-latchkey-logins-concurrent-run.txt
  log "latchkey/logins-concurrent (run): wrk -t$THREADS -c$LOGIN_CONNS -d$((DURATION + 2))s (background)"
  env BENCH_WRK_THREADS="$THREADS" "${envs[@]}" timeout $((DURATION + 62)) \
    wrk -t"$THREADS" -c"$LOGIN_CONNS" -d"$((DURATION + 2))s" --timeout "${WRK_TIMEOUT}s" --latency \
    -s "$BENCH/wrk/login.lua" "$BASE/api/auth/login" >"$login_raw" 2>&1 &
  bg=$!
  STARTED+=("$bg")
  sleep 1
  local ok=1
  wrk_run run 5 latchkey checks-under-logins "$conns" "$DURATION" "${checks[@]}" || ok=0
  wait "$bg" || true
  "${TOOL[@]}" record "$RECORDS" "$login_raw" kind=wrk phase=run scenario=5 server=latchkey \
    case=logins-concurrent conns="$LOGIN_CONNS" threads="$THREADS" seconds=$((DURATION + 2)) >&2 ||
    ok=0
  rss 5 latchkey case=mixed
  stop_server
  drop_dir mixed
  ((ok))
}

# More passes over a cookie file until every session in it was checked at least once by the
# records of SCENARIO/CASE so far (at most three passes of at most 60 s, each sized from the
# rate seen and going on where the last one stopped); prints how many were checked.
cover_all() { # cover_all SCENARIO CASE N COOKIES PHASE_PREFIX
  local scen=$1 case=$2 n=$3 cookies=$4 prefix=$5 covered rps secs offsets pass
  for pass in 1 2 3; do
    covered=$("${TOOL[@]}" coverage "$RECORDS" scenario="$scen" case="$case")
    ((covered < n)) || break
    rps=$("${TOOL[@]}" get "$RECORDS" rps scenario="$scen" case="$case")
    secs=$(node -e "console.log(Math.min(60, Math.ceil(($n - $covered) * 1.1 / $rps) + 1))")
    offsets=$("${TOOL[@]}" next-offsets "$RECORDS" scenario="$scen" case="$case")
    wrk_run "$prefix$pass" "$scen" latchkey "$case" "$CONNS" "$secs" session.lua \
      "$BASE/api/auth" BENCH_COOKIES="$cookies" BENCH_OFFSETS="$offsets" >&2 || return 1
  done
  "${TOOL[@]}" coverage "$RECORDS" scenario="$scen" case="$case"
}

# Warm-up until every session the measured run cycles was checked once: the run then sees the
# working set the server would hold in steady state, not first sightings.
warm_all() { # warm_all SCENARIO CASE N COOKIES
  local scen=$1 case=$2 n=$3 cookies=$4 covered
  wrk_run warmup "$scen" latchkey "$case" "$CONNS" "$WARMUP" session.lua "$BASE/api/auth" \
    BENCH_COOKIES="$cookies" || return 1
  covered=$(cover_all "$scen" "$case" "$n" "$cookies" warmup-topup) || return 1
  log "warm-up checked $covered of $n sessions"
  "${TOOL[@]}" note "$RECORDS" what=warm_coverage scenario="$scen" case="$case" sessions="$n" \
    checked="$covered"
}

scenario_scale() {
  local n d sample offsets round order ok=1
  local -A base pid dir
  for n in 1000 1000000; do
    d=$(fresh_dir "scale-$n")
    dir[$n]=$d
    sample=$((n < 100000 ? n : 100000))
    seed "$d" "$n" "$d/cookies.txt" "$sample" || return 1
    start_latchkey "$d" "scale-$n" || return 1
    base[$n]=$BASE
    pid[$n]=$SERVER_PID
    warm_all 6 "auth-$n" "$sample" "$d/cookies.txt" || return 1
    offsets=$("${TOOL[@]}" next-offsets "$RECORDS" scenario=6 server=latchkey case="auth-$n")
    wrk_run run 6 latchkey "auth-$n" "$CONNS" "$DURATION" session.lua "$BASE/api/auth" \
      BENCH_COOKIES="$d/cookies.txt" BENCH_OFFSETS="$offsets" users="$n" || ok=0
  done
  # Paired rounds (see scenario_auth): both servers stay up, and each round measures one then
  # the other, in alternating order; the target is the median of the per-round ratios.
  for round in $(seq "$PAIRS"); do
    order=(1000 1000000)
    ((round % 2)) || order=(1000000 1000)
    for n in "${order[@]}"; do
      offsets=$("${TOOL[@]}" next-offsets "$RECORDS" scenario=6 server=latchkey case="auth-$n")
      wrk_run "pair$round" 6 latchkey "auth-$n" "$CONNS" "$PAIR_SECS" session.lua \
        "${base[$n]}/api/auth" BENCH_COOKIES="${dir[$n]}/cookies.txt" BENCH_OFFSETS="$offsets" \
        users="$n" round="$round" || ok=0
    done
  done
  for n in 1000 1000000; do
    SERVER_PID=${pid[$n]}
    rss 6 latchkey case="auth-$n"
    stop_server
    drop_dir "scale-$n"
  done
  ((ok))
}

# Peak RSS with 100,000 live sessions: wrk cycles all 100,000 cookies; when the warm-up and
# the measured run did not reach every one, top-up passes go on until they have (bounded).
scenario_rss() {
  local n=100000 d covered
  d=$(fresh_dir rss)
  seed "$d" "$n" "$d/cookies.txt" || return 1
  start_latchkey "$d" rss || return 1
  warm_and_run 7 latchkey auth-100000 "$CONNS" "$DURATION" session.lua "$BASE/api/auth" \
    BENCH_COOKIES="$d/cookies.txt" users="$n" || return 1
  covered=$(cover_all 7 auth-100000 "$n" "$d/cookies.txt" topup) || return 1
  log "sessions checked: $covered of $n"
  "${TOOL[@]}" note "$RECORDS" what=rss_coverage scenario=7 sessions="$n" checked="$covered"
  rss 7 latchkey case=auth-100000
  stop_server
  drop_dir rss
}

# Scenario 2's session check on two servers at once (scenarios 8 and 9), both up: each seeded
# on its own fresh data directory (PREFIX-KEY, its log in server.log there), one cookie checked,
# a measured run (case auth-KEY), then paired rounds in alternating order (the first server
# first in odd rounds). The report's targets are the medians of the per-round ratios. The
# servers stay up for the caller: PAIR_BASE, PAIR_PID, PAIR_DIR and PAIR_LEVEL by KEY;
# pair_stop stops them.
# Returns 1 when a server could not be set up, 2 when a measurement failed (the rounds go on).
declare -A PAIR_BASE=() PAIR_PID=() PAIR_DIR=() PAIR_LEVEL=()
pair_auth() { # pair_auth SCENARIO PREFIX KEY:LEVEL:BINARY KEY:LEVEL:BINARY [key=value...]
  local scen=$1 prefix=$2 key level bin d offsets round ok=1 spec
  local keys=()
  for spec in "$3" "$4"; do
    IFS=: read -r key level bin <<<"$spec"
    keys+=("$key")
    d=$(fresh_dir "$prefix-$key")
    PAIR_DIR[$key]=$d
    PAIR_LEVEL[$key]=$level
    seed "$d" "$AUTH_USERS" "$d/cookies.txt" || return 1
    start_latchkey "$d" "$prefix-$key" "$level" "$d/server.log" "$bin" || return 1
    PAIR_BASE[$key]=$BASE
    PAIR_PID[$key]=$SERVER_PID
    "${TOOL[@]}" expect 200 "$BASE/api/auth" "latchkey_session=$(head -1 "$d/cookies.txt")" ||
      return 1
    warm_and_run "$scen" latchkey "auth-$key" "$CONNS" "$DURATION" session.lua "$BASE/api/auth" \
      BENCH_COOKIES="$d/cookies.txt" users="$AUTH_USERS" level="$level" "${@:5}" || ok=0
  done
  for round in $(seq "$PAIRS"); do
    local order=("${keys[@]}")
    ((round % 2)) || order=("${keys[1]}" "${keys[0]}")
    for key in "${order[@]}"; do
      offsets=$("${TOOL[@]}" next-offsets "$RECORDS" scenario="$scen" server=latchkey case="auth-$key")
      wrk_run "pair$round" "$scen" latchkey "auth-$key" "$CONNS" "$PAIR_SECS" session.lua \
        "${PAIR_BASE[$key]}/api/auth" BENCH_COOKIES="${PAIR_DIR[$key]}/cookies.txt" \
        BENCH_OFFSETS="$offsets" users="$AUTH_USERS" level="${PAIR_LEVEL[$key]}" round="$round" \
        "${@:5}" || ok=0
    done
  done
  ((ok)) || return 2
}
pair_stop() { # pair_stop SCENARIO KEY...: peak RSS of each, then stop it
  local scen=$1 key
  for key in "${@:2}"; do
    SERVER_PID=${PAIR_PID[$key]}
    rss "$scen" latchkey case="auth-$key"
    stop_server
  done
}

# Request logging at the default level: the session check of scenario 2 on two servers, one at
# --log-level info (one line per request, to a file as a deployment's log would go) and one at
# warn (pair_auth). The targets are the medians of the per-round ratios info/warn of req/s and
# of p99. The info server's log (a line per request, ~7 MB/s) stays in its data directory; its
# first lines are kept.
scenario_logging() {
  local ok=1 rc=0 metrics lines dropped info
  pair_auth 8 logging info:info:build/latchkey warn:warn:build/latchkey || rc=$?
  ((rc != 1)) || return 1
  ((rc == 0)) || ok=0
  info=${PAIR_DIR[info]}
  # What the info server logged: its request lines, and the lines it dropped (the metric).
  metrics=$(grep -o 'metrics listening on http://[0-9.:]*/metrics' "$info/server.log" |
    head -1 | sed 's/.* on //')
  dropped=$(node -e "fetch('$metrics').then((r) => r.text()).then((t) => console.log(
    (t.match(/^latchkey_log_lines_dropped_total (\\S+)/m) || [])[1] ?? 'n/a'))" 2>/dev/null ||
    echo n/a)
  pair_stop 8 info warn
  lines=$(grep -c 'request method=' "$info/server.log" || true)
  "${TOOL[@]}" note "$RECORDS" what=logging_lines request_lines="$lines" dropped="$dropped" \
    log_bytes="$(stat -c %s "$info/server.log")"
  head -c 20000 "$info/server.log" >"$OUT/server-logging-info.log"
  cp "${PAIR_DIR[warn]}/server.log" "$OUT/server-logging-warn.log"
  drop_dir logging-info
  drop_dir logging-warn
  ((ok))
}

# Against a baseline binary (--baseline): the session check of scenario 2 on build/latchkey
# (case auth-current) and on the baseline (auth-baseline), both at warn (pair_auth). Target:
# the median of the per-round ratios current/baseline of req/s; p99's ratio reported.
scenario_baseline() {
  local ok=1 rc=0 key
  "${TOOL[@]}" note "$RECORDS" what=baseline binary="$BASELINE" \
    sha256="$(sha256sum "$BASELINE" | cut -c1-12)" mtime="$(date -u -r "$BASELINE" +%FT%TZ)" \
    current_sha256="$(sha256sum build/latchkey | cut -c1-12)" \
    current_mtime="$(date -u -r build/latchkey +%FT%TZ)"
  pair_auth 9 baseline current:warn:build/latchkey "baseline:warn:$BASELINE" || rc=$?
  ((rc != 1)) || return 1
  ((rc == 0)) || ok=0
  pair_stop 9 current baseline
  for key in current baseline; do
    cp "${PAIR_DIR[$key]}/server.log" "$OUT/server-baseline-$key.log"
    drop_dir "baseline-$key"
  done
  ((ok))
}

# ---------------------------------------------------------------- scenario 10: the reverse proxy
NGINX=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)
NGINX_PID=""
start_nginx() { # start_nginx DIR PORT: nginx -c DIR/nginx.conf in the foreground; NGINX_PID
  "$NGINX" -p "$1" -c "$1/nginx.conf" -e "$1/error.log" >"$1/stdout.log" 2>&1 &
  NGINX_PID=$!
  STARTED+=("$NGINX_PID")
  if ! "${TOOL[@]}" wait "http://127.0.0.1:$2/" 15 "$NGINX_PID"; then
    log "nginx did not start: $(tail -3 "$1/stdout.log" "$1/error.log")"
    "${TOOL[@]}" note "$RECORDS" what=failure problem="nginx did not start ($1)"
    return 1
  fi
}

free_ports() { # free_ports N: N distinct free ports on 127.0.0.1
  local -A seen=()
  local p
  while ((${#seen[@]} < $1)); do
    p=$("${TOOL[@]}" port)
    seen[$p]=1
  done
  echo "${!seen[@]}"
}

# Issue 17 section 6: an authenticated GET to a trivial upstream (Debian's nginx answering a
# fixed JSON body), (a) through Latchkey's --upstream proxy, (b) through nginx auth_request
# asking Latchkey's /api/auth/verify (the nginx block of docs/INTEGRATION.md, with keep-alive
# connections upstream), (c) through nginx with no auth; (d) nginx `return 200` and
# Latchkey's /healthz, each server's ceiling. Every server at its default log level: Latchkey
# at info (a line per request, to a file), both nginx with the access log on (files). One
# Latchkey with 10,000 seeded sessions serves (a) and (b); every authenticated request sends
# a session cookie cycled as in scenario 2 ((c) sends the same cookies, passed through). A
# warm-up and a measured run of each case, then paired rounds measuring all five in turn
# (order reversed every other round); targets on the medians of the per-round ratios. The
# CPU time of each process a request is recorded with every run.
PROXY_PREFIX=/api/x
PROXY_CASES=(a-proxy b-forward-auth c-nginx-proxy d-nginx-return d-healthz)
scenario_proxy() {
  if [[ -z $NGINX ]]; then
    log "=== 10 proxy: skipped (nginx is not installed)"
    "${TOOL[@]}" note "$RECORDS" what=skipped scenario=10 \
      reason="scenario 10 (proxy) needs nginx (Debian package nginx)"
    return 0
  fi
  local d app front lk cookies app_port port_b port_c port_d round key i ok=1
  d=$(fresh_dir proxy)
  app=$d/nginx-app front=$d/nginx-front lk=$d/latchkey
  mkdir -p "$app" "$front" "$lk"
  read -r app_port port_b port_c port_d <<<"$(free_ports 4)"
  "${TOOL[@]}" nginx-app "$app" "$app_port" || return 1
  start_nginx "$app" "$app_port" || return 1
  local app_pid=$NGINX_PID
  cookies=$lk/cookies.txt
  seed "$lk" "$AUTH_USERS" "$cookies" || return 1
  SERVE_EXTRA=(--upstream "$PROXY_PREFIX=http://127.0.0.1:$app_port" --trusted-proxy 127.0.0.1
    --public-url "http://127.0.0.1:$port_b")
  start_latchkey "$lk" proxy info "$lk/server.log" || {
    SERVE_EXTRA=()
    return 1
  }
  SERVE_EXTRA=()
  local lk_pid=$SERVER_PID lk_base=$BASE
  "${TOOL[@]}" nginx-front "$front" "$REPO/docs/INTEGRATION.md" "$PORT" "$app_port" \
    "$port_b" "$port_c" "$port_d" || return 1
  start_nginx "$front" "$port_d" || return 1
  local front_pid=$NGINX_PID
  local cookie
  cookie="latchkey_session=$(head -1 "$cookies")"
  # Each path answers as it should: the auth is really asked (401 without a session).
  "${TOOL[@]}" expect 200 "$lk_base$PROXY_PREFIX/notes" "$cookie" &&
    "${TOOL[@]}" expect 401 "$lk_base$PROXY_PREFIX/notes" &&
    "${TOOL[@]}" expect 200 "http://127.0.0.1:$port_b/app/notes" "$cookie" &&
    "${TOOL[@]}" expect 401 "http://127.0.0.1:$port_b/app/notes" &&
    "${TOOL[@]}" expect 200 "http://127.0.0.1:$port_c/app/notes" "$cookie" &&
    "${TOOL[@]}" expect 200 "http://127.0.0.1:$port_d/" &&
    "${TOOL[@]}" expect 200 "$lk_base/healthz" || return 1
  "${TOOL[@]}" note "$RECORDS" what=proxy_setup prefix="$PROXY_PREFIX" \
    nginx_version="$("$NGINX" -v 2>&1 | sed 's/.*: //')"
  cp "$app/nginx.conf" "$OUT/nginx-app.conf"
  cp "$front/nginx.conf" "$OUT/nginx-front.conf"

  # The server label, script, URL and environment of each case: case_args KEY sets CASE.
  local session=(BENCH_COOKIES="$cookies" users="$AUTH_USERS") CASE=()
  case_args() {
    case $1 in
      a-proxy) CASE=(latchkey session.lua "$lk_base$PROXY_PREFIX/notes" "${session[@]}") ;;
      b-forward-auth) CASE=(nginx+latchkey session.lua "http://127.0.0.1:$port_b/app/notes" "${session[@]}") ;;
      c-nginx-proxy) CASE=(nginx session.lua "http://127.0.0.1:$port_c/app/notes" "${session[@]}") ;;
      d-nginx-return) CASE=(nginx healthz.lua "http://127.0.0.1:$port_d/") ;;
      d-healthz) CASE=(latchkey healthz.lua "$lk_base/healthz") ;;
    esac
  }
  CPU_WATCH=(latchkey="$lk_pid" front="$front_pid" app="$app_pid")
  for key in "${PROXY_CASES[@]}"; do
    case_args "$key"
    warm_and_run 10 "${CASE[0]}" "$key" "$CONNS" "$DURATION" "${CASE[@]:1}" || ok=0
  done
  local order offsets=()
  for round in $(seq "$PAIRS"); do
    order=("${PROXY_CASES[@]}")
    if ((round % 2 == 0)); then
      order=()
      for ((i = ${#PROXY_CASES[@]} - 1; i >= 0; i--)); do order+=("${PROXY_CASES[$i]}"); done
    fi
    for key in "${order[@]}"; do
      case_args "$key"
      offsets=()
      [[ $key == d-* ]] || offsets=("BENCH_OFFSETS=$("${TOOL[@]}" next-offsets "$RECORDS" \
        scenario=10 case="$key")")
      wrk_run "pair$round" 10 "${CASE[0]}" "$key" "$CONNS" "$PAIR_SECS" "${CASE[@]:1}" \
        "${offsets[@]}" round="$round" || ok=0
    done
  done
  CPU_WATCH=()

  # What the servers did besides: Latchkey's upstream pool (keep-alive reuse) and the log
  # lines each server wrote.
  local metrics
  metrics=$(grep -o 'metrics listening on http://[0-9.:]*/metrics' "$lk/server.log" |
    head -1 | sed 's/.* on //')
  node -e "fetch('$metrics').then((r) => r.text()).then((t) => {
    const v = (re) => Number((t.match(re) || [])[1] ?? NaN);
    console.log(JSON.stringify({
      opened: v(/^latchkey_upstream_connections_opened_total\{[^}]*\} (\S+)/m),
      reused: v(/^latchkey_upstream_connections_reused_total\{[^}]*\} (\S+)/m),
      errors: v(/^latchkey_upstream_errors_total\{[^}]*kind=\"broken\"\} (\S+)/m),
      dropped: v(/^latchkey_log_lines_dropped_total (\S+)/m)}));
  })" >"$d/metrics.json" 2>/dev/null || echo '{}' >"$d/metrics.json"
  SERVER_PID=$lk_pid
  rss 10 latchkey case=a-proxy
  stop_pid "$front_pid"
  stop_server
  stop_pid "$app_pid"
  "${TOOL[@]}" note "$RECORDS" what=proxy_logs upstream_pool="$(cat "$d/metrics.json")" \
    latchkey_lines="$(grep -c 'request method=' "$lk/server.log" || true)" \
    latchkey_bytes="$(stat -c %s "$lk/server.log")" \
    front_lines="$(wc -l <"$front/access.log")" front_bytes="$(stat -c %s "$front/access.log")" \
    app_lines="$(wc -l <"$app/access.log")" app_bytes="$(stat -c %s "$app/access.log")"
  head -c 20000 "$lk/server.log" >"$OUT/server-proxy.log"
  head -c 20000 "$front/access.log" >"$OUT/nginx-front-access.log"
  head -c 20000 "$app/access.log" >"$OUT/nginx-app-access.log"
  cat "$front/error.log" "$app/error.log" >"$OUT/nginx-error.log" 2>/dev/null || true
  drop_dir proxy
  ((ok))
}

# ---------------------------------------------------------------- peers
peer_ceiling() {
  local port d=$OUT/data/ceiling
  mkdir -p "$d"
  port=$("${TOOL[@]}" port)
  PORT=$port HOST=127.0.0.1 "$PEERS_OUT/ceiling/ceiling" >"$OUT/peer-ceiling.log" 2>&1 &
  SERVER_PID=$!
  STARTED+=("$SERVER_PID")
  BASE=http://127.0.0.1:$port
  "${TOOL[@]}" wait "$BASE/healthz" 15 "$SERVER_PID" || {
    "${TOOL[@]}" note "$RECORDS" what=failure problem="the ceiling peer did not start"
    return 1
  }
  local ok=1
  if want 2; then
    if "${TOOL[@]}" ceiling-sessions "$BASE" "$AUTH_USERS" "$d/cookies.txt"; then
      warm_and_run 2 ceiling auth "$CONNS" "$DURATION" session.lua "$BASE/api/auth" \
        BENCH_COOKIES="$d/cookies.txt" BENCH_COOKIE_NAME=- users="$AUTH_USERS" || ok=0
    else
      ok=0
    fi
  fi
  if want 1; then
    warm_and_run 1 ceiling healthz "$CONNS" "$DURATION" healthz.lua "$BASE/healthz" || ok=0
  fi
  rss 0 ceiling
  stop_server
  rm -rf "$d"
  ((ok))
}

EXPRESS_USERS=32
peer_express() {
  local port d=$OUT/data/express envs
  mkdir -p "$d"
  port=$("${TOOL[@]}" port)
  (cd "$PEERS_OUT/express-seed" &&
    exec env PORT="$port" HOST=127.0.0.1 NODE_ENV=production DB_PATH="$d/users.sqlite3" \
      node server.js) >"$OUT/peer-express.log" 2>&1 &
  SERVER_PID=$!
  STARTED+=("$SERVER_PID")
  BASE=http://127.0.0.1:$port
  "${TOOL[@]}" wait "$BASE/" 30 "$SERVER_PID" || {
    "${TOOL[@]}" note "$RECORDS" what=failure problem="the Express peer did not start"
    return 1
  }
  "${TOOL[@]}" express-users "$BASE" "$EXPRESS_USERS" bench "$PASSWORD" "$d/cookies.txt" || return 1
  csrf_of "$BASE" "$d/csrf.json" || return 1
  local ok=1
  if want 2; then
    warm_and_run 2 express auth "$CONNS" "$DURATION" session.lua "$BASE/api/auth" \
      BENCH_COOKIES="$d/cookies.txt" BENCH_COOKIE_NAME=- users="$EXPRESS_USERS" || ok=0
  fi
  if want 3; then
    warm_and_run 3 express page "$CONNS" "$DURATION" page.lua "$BASE/" \
      BENCH_COOKIE="$(json_field "$d/csrf.json" cookie)" || ok=0
  fi
  if want 4; then
    mapfile -t envs < <(login_env "$d/csrf.json" "$EXPRESS_USERS")
    if "${TOOL[@]}" login-check "$BASE" "$d/csrf.json" bench0 "$PASSWORD"; then
      warm_and_run 4 express login "$LOGIN_CONNS" "$DURATION" login.lua "$BASE/api/auth/login" \
        "${envs[@]}" || ok=0
    else
      ok=0
    fi
  fi
  rss 0 express
  stop_server
  rm -rf "$d"
  ((ok))
}

# ---------------------------------------------------------------- bench-hash
bench_hash() { # bench_hash [ROUND SECONDS]: with a round, one of scenario 4's paired rounds
  local round=${1:-} secs=${2:-$HASH_SECONDS}
  local out=$OUT/bench-hash${round:+-pair$round}.json what=bench_hash${round:+_pair}
  log "latchkey bench-hash --json --seconds $secs"
  local rc=0
  timeout $((${secs%.*} * 4 + 60)) build/latchkey bench-hash --json --seconds "$secs" \
    >"$out" 2>"$OUT/bench-hash.err" || rc=$?
  if ((rc == 0)) && node -e "JSON.parse(require('fs').readFileSync('$out','utf8'))" 2>/dev/null; then
    "${TOOL[@]}" note "$RECORDS" what="$what" ok=true round="${round:-0}" result="$(cat "$out")"
  else
    log "latchkey bench-hash gave no result (exit $rc): the login target is n/a"
    "${TOOL[@]}" note "$RECORDS" what="$what" ok=false round="${round:-0}" \
      problem="\`latchkey bench-hash --json\` exited $rc: $(head -c 300 "$OUT/bench-hash.err" | tr '\n' ' ')"
  fi
}

# ---------------------------------------------------------------- main
mkdir -p "$OUT/data"
: >"$RECORDS"
install_tools
build
((PEERS)) && prepare_peers

"${TOOL[@]}" note "$RECORDS" what=settings quick="$QUICK" duration_s="$DURATION" \
  warmup_s="$WARMUP" wrk_threads="$THREADS" conns="$CONNS" login_conns="$LOGIN_CONNS" \
  wrk_timeout_s="$WRK_TIMEOUT" \
  login_users="$LOGIN_USERS" auth_users="$AUTH_USERS" peers="$PEERS" only="${ONLY:-all}" \
  baseline="${BASELINE:-none}" \
  commit="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  worktree_changes="$(git -C "$REPO" status --porcelain 2>/dev/null | wc -l)" \
  wrk_version="$(wrk -v 2>&1 | head -1)" node_version="$(node -v)" \
  loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"

SUITE_OK=1
step() { # step NAME FUNCTION: runs one scenario; a failure is recorded and the suite goes on
  log "=== $1"
  if ! "$2"; then
    SUITE_OK=0
    log "$1 FAILED"
    "${TOOL[@]}" note "$RECORDS" what=failure problem="$1 could not run"
    [[ -n $SERVER_PID ]] && stop_server
  fi
  return 0
}

want 4 && bench_hash
if ((PEERS)); then
  if ((CEILING_OK)) && { want 1 || want 2; }; then step "peer: ceiling" peer_ceiling; fi
  if ((EXPRESS_OK)) && { want 2 || want 3 || want 4; }; then step "peer: express" peer_express; fi
fi
want 1 && step "1 healthz" scenario_healthz
want 2 && step "2 auth" scenario_auth
want 3 && step "3 page" scenario_page
want 4 && step "4 login" scenario_login
want 5 && step "5 mixed" scenario_mixed
want 6 && step "6 scale" scenario_scale
want 7 && step "7 rss" scenario_rss
want 8 && step "8 logging" scenario_logging
if want 9; then
  if [[ -n $BASELINE ]]; then
    step "9 baseline" scenario_baseline
  else
    log "=== 9 baseline: skipped (no --baseline <latchkey binary>)"
    "${TOOL[@]}" note "$RECORDS" what=skipped scenario=9 \
      reason="scenario 9 (baseline) needs --baseline <latchkey binary>"
  fi
fi
want 10 && step "10 proxy" scenario_proxy
rm -rf "$OUT/data"

"${TOOL[@]}" note "$RECORDS" what=elapsed seconds=$((SECONDS - START_TIME)) suite_ok="$SUITE_OK" \
  loadavg_end="$(cut -d' ' -f1-3 /proc/loadavg)"
node "$BENCH/lib/report.mjs" "$OUT"
echo
cat "$OUT/results.md"
echo
log "results in ${OUT#"$REPO"/} ($((SECONDS - START_TIME)) s)"
if ((!SUITE_OK)); then
  log "the suite could not run every scenario cleanly (see above and results.md)"
  exit 1
fi
