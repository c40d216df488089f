#!/usr/bin/env bash
# Runs the notes example on loopback until Ctrl-C: its backend, and Latchkey in front of it.
#
#   examples/notes/run.sh           Latchkey's reverse proxy (--upstream /api/notes=backend)
#   examples/notes/run.sh --nginx   nginx in front instead, asking Latchkey (forward auth)
#
# Either way, open the URL it prints (http://127.0.0.1:8080). It installs what is missing
# (scripts/install-deps.sh --example), builds Latchkey when LATCHKEY_BIN does not exist, builds
# the SPA into examples/notes/dist, and keeps its data between runs.
# Environment: PORT (the URL's port, 8080), BACKEND_PORT (8082), LATCHKEY_PORT (Latchkey behind
# nginx, 8081), NOTES_DATA (data dir, examples/notes/data: Latchkey's database and keys, the
# notes' SQLite file), LATCHKEY_BIN (the server, build/latchkey).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
case "${1:-}" in
  "") mode=proxy ;;
  --nginx) mode=nginx ;;
  *) echo "usage: $0 [--nginx]" >&2; exit 2 ;;
esac
port=${PORT:-8080}
backend_port=${BACKEND_PORT:-8082}
latchkey_port=${LATCHKEY_PORT:-8081}
data=${NOTES_DATA:-$here/data}
bin=${LATCHKEY_BIN:-$root/build/latchkey}
python=/usr/bin/python3 # Debian's, with python3-jwt and python3-cryptography
url="http://127.0.0.1:$port"

# What is needed, each step only when missing.
if ! "$python" -c 'import jwt, cryptography' 2>/dev/null || [[ ! -d $here/node_modules ]] ||
   { [[ $mode == nginx ]] && ! PATH=$PATH:/usr/sbin command -v nginx >/dev/null; }; then
  "$root/scripts/install-deps.sh" --example
fi
[[ -x $bin ]] || "$root/scripts/build.sh"
common="$root/web/dist/assets/common-passwords.txt" # Latchkey's list of refused passwords
client="$root/clients/backbone/dist/latchkey-backbone-client.js"
[[ -f $common && -f $client ]] || (cd "$root" && npm run --silent build)
node "$here/build.mjs" "$here/dist"
mkdir -p "$data"

pids=()
stop() {
  trap - EXIT INT TERM
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait || true
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ $mode == proxy ]]; then
  latchkey_url=$url       # the browser talks to Latchkey
  audience=/api/notes     # Latchkey's proxy sets aud to the upstream's prefix
else
  latchkey_url="http://127.0.0.1:$latchkey_port"
  audience=$url           # forward auth sets aud to --public-url
fi
"$python" "$here/backend/notes_backend.py" --port "$backend_port" --db "$data/notes.db" \
  --jwks-url "$latchkey_url/.well-known/jwks.json" --issuer "$url" --audience "$audience" &
pids+=($!)
serve=("$bin" serve --data-dir "$data/latchkey" --web-root "$here/dist" --common-passwords "$common"
  --public-url "$url" --metrics-listen off)
if [[ $mode == proxy ]]; then
  "${serve[@]}" --listen "127.0.0.1:$port" --upstream "/api/notes=http://127.0.0.1:$backend_port" &
else
  "${serve[@]}" --listen "127.0.0.1:$latchkey_port" --trusted-proxy 127.0.0.1 &
  pids+=($!)
  "$here/nginx/nginx.sh" "$data/nginx" "$port" "$latchkey_port" "$backend_port" &
fi
pids+=($!)

# Ready when every server accepts connections; one that exits (its port taken, say) stops all.
ports=("$port" "$backend_port")
[[ $mode == nginx ]] && ports+=("$latchkey_port")
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for ((i = 0; ; i++)); do
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "a server exited; stopping" >&2; exit 1; }
  done
  ready=1
  for p in "${ports[@]}"; do listening "$p" || ready=0; done
  ((ready)) && break
  ((i < 300)) || { echo "not listening after 30 s; stopping" >&2; exit 1; }
  sleep 0.1
done
echo "notes example ($mode): open $url   (Ctrl-C stops it; data in $data)"
wait -n "${pids[@]}" || true
echo "a server exited; stopping" >&2
exit 1
