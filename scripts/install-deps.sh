#!/usr/bin/env bash
# Installs what Latchkey needs on Debian 12, skipping what is already there.
#   scripts/install-deps.sh          build and run dependencies
#   scripts/install-deps.sh --test   also what the tests need (Chromium, sqlite3 CLI, PostgreSQL
#                                    server and client for the tests' private clusters)
#   scripts/install-deps.sh --fuzz   also clang 14 and libclang-rt-14-dev (libFuzzer, ASan and
#                                    UBSan runtimes: libclang_rt.fuzzer) for scripts/fuzz.sh
#   scripts/install-deps.sh --example  also what examples/notes needs (--test includes it):
#                                    Python 3 with PyJWT and cryptography, nginx, its npm packages
# Then installs the client's npm packages from package-lock.json (and the example's from
# examples/notes/package-lock.json with --example or --test).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsodium-dev libcrypt-dev libsqlite3-dev libspdlog-dev libfmt-dev
  libcli11-dev libkainjow-mustache-dev libgtest-dev
  libssl-dev libpq-dev
  libtomlplusplus-dev  # toml++ 3.3: `--config` files (app/config_file.cpp)
  libutf8proc-dev      # utf8proc 2.8: RFC 8265 password preparation (identity/password_prep.cpp)
  libgmime-3.0-dev     # GMime 3.2: MIME messages of the mail outbox (courier/mime_message.cpp)
  libcurl4-openssl-dev # libcurl 7.88: SMTP submission (courier/smtp_transport.cpp)
)
example=0
[[ "${1:-}" == "--test" || "${1:-}" == "--example" ]] && example=1
if ((example)); then
  # examples/notes: its backend runs on Debian's /usr/bin/python3 with PyJWT 2.6 (JWKS, EdDSA
  # and ES256 through cryptography); `run.sh --nginx` puts nginx in front (forward auth).
  packages+=(python3 python3-jwt python3-cryptography nginx)
fi
if [[ "${1:-}" == "--test" ]]; then
  packages+=(chromium sqlite3 curl openssl)  # openssl: the TLS tests make their certificates
  # initdb/pg_ctl (scripts/pg-cluster.sh), psql and pg_dump (tests/support)
  packages+=(postgresql postgresql-client)
  # tests/package: dpkg-shlibdeps for cpack, the package's Depends, systemd-analyze verify
  packages+=(dpkg-dev adduser init-system-helpers systemd)
  # tests/api/nginx_forward_auth.test.mjs: nginx's auth_request in front of Latchkey, on
  # loopback, started by the test (docs/INTEGRATION.md)
  packages+=(nginx)
fi
if [[ "${1:-}" == "--fuzz" ]]; then
  packages+=(clang-14 libclang-rt-14-dev)
fi
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  # dpkg's progress is shown only when something fails.
  log=$(mktemp)
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      -o Dpkg::Use-Pty=0 "${missing[@]}" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  # nginx's package starts a machine-wide server on port 80; the tests start their own.
  if [[ " ${missing[*]} " == *" nginx "* ]] && command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
  # The package creates and starts a machine-wide cluster; the tests start private ones
  # (scripts/pg-cluster.sh), so stop the one this run just installed.
  if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v pg_ctlcluster >/dev/null 2>&1; then
    for ver in $(ls /etc/postgresql 2>/dev/null); do
      $SUDO pg_ctlcluster "$ver" main stop >/dev/null 2>&1 || true
    done
  fi
fi

# npm ci only when node_modules was not installed from this exact lockfile.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ "$(cat node_modules/.latchkey-lock-hash 2>/dev/null)" != "$lock_hash" ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.latchkey-lock-hash
fi
if ((example)); then
  lock_hash=$(sha256sum examples/notes/package-lock.json | cut -d' ' -f1)
  if [[ "$(cat examples/notes/node_modules/.latchkey-lock-hash 2>/dev/null)" != "$lock_hash" ]]; then
    (cd examples/notes && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_hash" > examples/notes/node_modules/.latchkey-lock-hash
  fi
fi
