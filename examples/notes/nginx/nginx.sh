#!/usr/bin/env bash
# Runs Debian's nginx in the foreground, as one process (no daemon, no master), with the notes
# app's forward-auth server block (notes.conf) on the given ports, every file nginx writes under
# DIR and its errors on stderr. SIGTERM or SIGINT stops it. Used by ../run.sh --nginx and by
# tests/notes/ (stack.mjs).
#
#   nginx.sh DIR PORT LATCHKEY_PORT BACKEND_PORT
set -euo pipefail
if (($# != 4)); then
  echo "usage: $0 DIR PORT LATCHKEY_PORT BACKEND_PORT" >&2
  exit 2
fi
dir=$(mkdir -p "$1" && cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
nginx=$(PATH=$PATH:/usr/sbin command -v nginx) || {
  echo "nginx is not installed (scripts/install-deps.sh --example installs it)" >&2
  exit 1
}
temp_paths=""
for t in client_body proxy fastcgi uwsgi scgi; do temp_paths+="${t}_temp_path $dir/$t; "; done
{
  cat <<CONF
daemon off;
master_process off;
pid $dir/nginx.pid;
error_log stderr warn;
events { worker_connections 512; }
http {
  access_log off;
  $temp_paths
CONF
  # Through placeholders, so that a port given equal to one of the defaults is not replaced twice.
  sed -e 's/127\.0\.0\.1:8080/@PORT@/g; s/127\.0\.0\.1:8081/@LATCHKEY@/g; s/127\.0\.0\.1:8082/@BACKEND@/g' \
      -e "s/@PORT@/127.0.0.1:$2/g; s/@LATCHKEY@/127.0.0.1:$3/g; s/@BACKEND@/127.0.0.1:$4/g" \
      "$here/notes.conf"
  echo "}"
} >"$dir/nginx.conf"
exec "$nginx" -p "$dir" -c "$dir/nginx.conf" -e stderr
