#!/usr/bin/env bash
# A private, throwaway PostgreSQL cluster for tests: loopback only, a free port, its own
# directory; nothing of the machine's own clusters is touched.
#   scripts/pg-cluster.sh start DIR   initdb into DIR/data (if new), start; prints the URL,
#                                     also written to DIR/url
#   scripts/pg-cluster.sh stop DIR    fast shutdown, then removes DIR
#   scripts/pg-cluster.sh kill DIR    immediate shutdown (a crash), DIR kept
#   scripts/pg-cluster.sh resume DIR  start again on the same port after kill
# PostgreSQL comes from Debian's packages (scripts/install-deps.sh --test). Run as root, the
# server runs as the `postgres` system user (PostgreSQL refuses to run as root).
set -euo pipefail

cmd=${1:?usage: pg-cluster.sh start|stop|kill|resume DIR}
dir=${2:?usage: pg-cluster.sh start|stop|kill|resume DIR}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
  echo "pg-cluster.sh: PostgreSQL server not installed (scripts/install-deps.sh --test)" >&2
  exit 1
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "pg-cluster.sh: no free port found" >&2
  exit 1
}

pg_start() {
  local port=$1
  # Durability settings stay at their defaults: crash tests rely on them.
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket -c max_connections=300" \
    start >/dev/null
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [[ ! -d "$dir/data" ]]; then
      mkdir -p "$dir/socket"
      [[ $(id -u) -eq 0 ]] && chown -R postgres: "$dir"
      chmod 0755 "$dir"
      as_owner "$bindir/initdb" -D "$dir/data" -U latchkey --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    # The port was free when picked, but another process may bind it before PostgreSQL does
    # (parallel tests start clusters too): up to three ports, and the server's log when none
    # worked.
    for attempt in 1 2 3; do
      port=$(free_port)
      echo "$port" >"$dir/port"
      pg_start "$port" && break
      if ((attempt == 3)); then
        echo "pg-cluster.sh: PostgreSQL did not start; the end of $dir/server.log:" >&2
        tail -n 20 "$dir/server.log" >&2 || true
        exit 1
      fi
    done
    url="postgres://latchkey@127.0.0.1:$port/postgres"
    echo "$url" >"$dir/url"
    echo "$url"
    ;;
  resume)
    pg_start "$(cat "$dir/port")"
    ;;
  kill)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
  stop)
    if [[ -d "$dir/data" ]]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg-cluster.sh start|stop|kill|resume DIR" >&2
    exit 2
    ;;
esac
