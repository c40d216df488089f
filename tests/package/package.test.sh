#!/usr/bin/env bash
# The Debian package end to end (CTest: package_tests, label `package`, RUN_SERIAL):
#   1. builds it with cpack in BUILD_DIR (the server built there, web/dist built by npm);
#   2. checks its control fields and contents with dpkg-deb;
#   3. installs it with dpkg -i: the user, the directories and their modes, the conffile,
#      `systemd-analyze verify` and `security` of the installed unit;
#   4. starts the service as its unit says, as far as a container without systemd allows:
#      ExecStart, User/Group, UMask, LimitNOFILE, StateDirectory and WorkingDirectory read from
#      the installed unit, in a private mount namespace where everything but /var/lib/latchkey
#      is read-only (ProtectSystem=strict) with a private /tmp; then /healthz, the page and its
#      CSRF meta tag, signup, login and "who am I" through the API, the database and key under
#      /var/lib/latchkey owned by latchkey, SIGTERM;
#   5. reinstalls (the edited conffile and its mode kept), removes (config, data and user
#      kept), purges (nothing left: files, user, group, statoverride, systemd links).
# Needs root; otherwise exits 77 (skipped). Also skipped when a latchkey package, user or
# directory is already on the machine: the test never touches an installation it did not make.
# Whatever happens, the exit trap stops the server and purges what the test installed.
#
# Usage: tests/package/package.test.sh BUILD_DIR
set -euo pipefail

build_dir=$(realpath "${1:?usage: $0 BUILD_DIR}")
here=$(cd "$(dirname "$0")" && pwd)
conf=/etc/latchkey/latchkey.toml
unit=/lib/systemd/system/latchkey.service
data=/var/lib/latchkey
checks=0

skip() {
  echo "SKIP: $*"
  exit 77
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
ok() {
  checks=$((checks + 1))
  echo "ok $checks - $*"
}

[[ $(id -u) -eq 0 ]] || skip "not root: the test installs the package system-wide (run as root)"
for tool in cpack dpkg dpkg-deb dpkg-statoverride systemd-analyze setpriv runuser unshare flock \
  readelf curl node; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
# One package test per machine at a time (several build directories' CTest runs may start one
# each): the checks below and everything after hold this lock until exit.
mkdir -p /run/lock
exec 9>/run/lock/latchkey-package-test.lock
flock -w 300 9 || skip "another package test held /run/lock/latchkey-package-test.lock for 5 min"
if dpkg-query -W -f='${db:Status-Status}' latchkey 2>/dev/null | grep -qv '^not-installed$'; then
  skip "a latchkey package is already on this machine; the test leaves it alone"
fi
getent passwd latchkey >/dev/null && skip "a user latchkey already exists"
getent group latchkey >/dev/null && skip "a group latchkey already exists"
for path in /etc/latchkey "$data" /usr/share/latchkey /usr/bin/latchkey "$unit"; do
  [[ ! -e $path ]] || skip "$path already exists"
done

work=$(mktemp -d)
server_pid=""
# Runs on every exit. The checks above guarantee that none of this existed before the test.
cleanup() {
  local status=$?
  set +e
  if [[ -n $server_pid ]]; then
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  if dpkg-query -W -f='${db:Status-Status}' latchkey 2>/dev/null | grep -qv '^not-installed$'; then
    echo "cleanup: purging latchkey"
    dpkg --purge latchkey >/dev/null 2>&1 || dpkg --purge --force-all latchkey >/dev/null 2>&1
  fi
  dpkg-statoverride --list "$conf" >/dev/null 2>&1 && dpkg-statoverride --remove "$conf"
  getent passwd latchkey >/dev/null && userdel latchkey
  getent group latchkey >/dev/null && groupdel latchkey
  rm -rf /etc/latchkey "$data" /etc/systemd/system/multi-user.target.wants/latchkey.service \
    /var/lib/systemd/deb-systemd-helper-enabled/latchkey.service* \
    /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/latchkey.service \
    /var/lib/systemd/deb-systemd-helper-masked/latchkey.service
  if ((status != 0)) && [[ -s $work/server.log ]]; then
    echo "---- server log" >&2
    cat "$work/server.log" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. build
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build_dir/CPackConfig.cmake")
[[ -n $version ]] || fail "no CPACK_PACKAGE_VERSION in $build_dir/CPackConfig.cmake"
start=$SECONDS
cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$work/cpack" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
debs=("$work"/cpack/latchkey_*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "cpack made no single latchkey_*.deb"
deb=${debs[0]}
ok "cpack built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB) in $((SECONDS - start)) s"

# ---- 2. what is in it
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == latchkey ]] || fail "Package: $(field Package)"
[[ $(field Version) == "$version"-* ]] || fail "Version $(field Version), project $version"
[[ -n $(field Maintainer) && -n $(field Description) && -n $(field Section) ]] ||
  fail "Maintainer, Description or Section missing"
depends=$(field Depends)
for dep in libc6 libstdc++6 libsodium23 libsqlite3-0 libpq5 libssl3 adduser init-system-helpers; do
  [[ ", $depends," =~ ", $dep"[\ ,] ]] || fail "Depends lacks $dep: $depends"
done
ok "control: latchkey $(field Version), Depends from dpkg-shlibdeps: $depends"

dpkg-deb -c "$deb" >"$work/contents"
expect_entry() { # expect_entry MODE PATH
  grep -qE "^$1 root/root .* \./$2\$" "$work/contents" || fail "no $1 root/root ./$2 in the package"
}
expect_entry -rwxr-xr-x usr/bin/latchkey
expect_entry -rw-r--r-- usr/share/latchkey/web/index.html
# The bundle and style sheet under their content-hashed names, each with its .br and .gz.
for asset in 'app\.[0-9a-f]{8}\.js' 'app\.[0-9a-f]{8}\.css'; do
  for suffix in '' '\.br' '\.gz'; do
    expect_entry -rw-r--r-- "usr/share/latchkey/web/assets/$asset$suffix"
  done
done
expect_entry -rw-r--r-- usr/share/latchkey/web/assets/common-passwords.txt
expect_entry -rw-r--r-- lib/systemd/system/latchkey.service
expect_entry -rw-r----- etc/latchkey/latchkey.toml
expect_entry -rw-r--r-- usr/share/doc/latchkey/README.md
ok "contents: binary, client (index.html, assets), unit, conffile 0640, docs"

dpkg-deb -e "$deb" "$work/control"
[[ $(cat "$work/control/conffiles") == "$conf" ]] || fail "conffiles: $(cat "$work/control/conffiles")"
for script in postinst prerm postrm; do
  [[ -x $work/control/$script ]] || fail "no executable $script"
done
dpkg-deb -x "$deb" "$work/root"
if readelf -S "$work/root/usr/bin/latchkey" | grep -q '\.debug_info'; then
  fail "the packaged binary is not stripped"
fi
ok "control.tar: conffiles lists $conf; postinst, prerm, postrm; the binary is stripped"

# ---- 3. install
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >"$work/dpkg.log" 2>&1 ||
  { cat "$work/dpkg.log" >&2; fail "dpkg -i failed"; }
[[ $(dpkg-query -W -f='${Status}' latchkey) == "install ok installed" ]] || fail "not installed"
ok "dpkg -i: installed"

IFS=: read -r _ _ uid gid _ home shell < <(getent passwd latchkey) || fail "no user latchkey"
[[ $(getent group latchkey | cut -d: -f3) == "$gid" ]] || fail "latchkey's group is not latchkey"
((uid < 1000)) || fail "latchkey is not a system user (uid $uid)"
[[ $home == "$data" && $shell == /usr/sbin/nologin ]] || fail "home $home, shell $shell"
ok "user latchkey: system uid $uid, group latchkey, home $data, shell nologin"

[[ $(stat -c '%U:%G %a' "$data") == "latchkey:latchkey 750" ]] ||
  fail "$data is $(stat -c '%U:%G %a' "$data")"
[[ $(stat -c '%U:%G %a' "$conf") == "root:latchkey 640" ]] ||
  fail "$conf is $(stat -c '%U:%G %a' "$conf")"
runuser -u latchkey -- test -r "$conf" || fail "latchkey cannot read $conf"
if runuser -u nobody -- test -r "$conf"; then fail "another user can read $conf"; fi
[[ $(/usr/bin/latchkey version) == "latchkey $version" ]] || fail "latchkey version"
ok "$data latchkey:latchkey 0750; $conf root:latchkey 0640 (not world-readable)"

[[ -L /etc/systemd/system/multi-user.target.wants/latchkey.service ]] ||
  fail "postinst did not enable the unit"
systemd-analyze verify "$unit" >"$work/verify.log" 2>&1 ||
  { cat "$work/verify.log" >&2; fail "systemd-analyze verify $unit"; }
[[ ! -s $work/verify.log ]] || { cat "$work/verify.log" >&2; fail "systemd-analyze verify warned"; }
exposure=$(systemd-analyze security --offline=true "$unit" 2>&1 |
  sed -n 's/.*Overall exposure level for latchkey.service: \([0-9.]*\).*/\1/p')
[[ -n $exposure ]] || fail "systemd-analyze security gave no score"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "exposure $exposure > 2.0"
ok "unit enabled; systemd-analyze verify clean; security exposure $exposure (<= 2.0)"

# ---- 4. run it as the unit says
unit_value() { # the last value of KEY in the unit's [Service] section
  awk -F= -v key="$1" '/^\[/ { s = ($0 == "[Service]") } s && $1 == key { sub(/^[^=]*=/, ""); v = $0 } END { print v }' "$unit"
}
exec_start=$(unit_value ExecStart)
user=$(unit_value User)
group=$(unit_value Group)
umask_value=$(unit_value UMask)
nofile=$(unit_value LimitNOFILE)
state_dir=/var/lib/$(unit_value StateDirectory)
state_mode=$(unit_value StateDirectoryMode)
workdir=$(unit_value WorkingDirectory)
[[ $exec_start == "/usr/bin/latchkey serve --config $conf" ]] || fail "ExecStart=$exec_start"
[[ $user == latchkey && $group == latchkey && $state_dir == "$data" ]] ||
  fail "User=$user Group=$group StateDirectory=$state_dir"

serve_help=$(/usr/bin/latchkey serve --help 2>&1)
free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

if grep -q -- '--config' <<<"$serve_help"; then
  # The shipped file as the service reads it, and every commented example uncommented (but
  # TLS, which needs certificate files): all valid keys and values.
  runuser -u latchkey -- /usr/bin/latchkey serve --config "$conf" --print-config \
    >"$work/print.log" 2>&1 || { cat "$work/print.log" >&2; fail "--print-config of $conf"; }
  sed -E '/^#(tls-|redirect-http)/d; s/^#([a-z-]+ = )/\1/' "$conf" >"$work/examples.toml"
  /usr/bin/latchkey serve --config "$work/examples.toml" --print-config >"$work/print.log" 2>&1 ||
    { cat "$work/print.log" >&2; fail "the commented examples of $conf are not a valid config"; }
  ok "latchkey serve --print-config accepts $conf and its $(grep -c '^#[a-z-]* = ' "$conf") commented examples"
fi

# The operator's edit: free ports instead of the fixed defaults (other tests may run beside).
port=$(free_port)
sed -i "s/^listen = .*/listen = \"127.0.0.1:$port\"/" "$conf"
grep -q "^listen = \"127.0.0.1:$port\"$" "$conf" || fail "could not set listen in $conf"
metrics_port=""
if grep -q -- '--metrics-listen' <<<"$serve_help"; then
  metrics_port=$(free_port)
  sed -i "s/^#\?metrics-listen = .*/metrics-listen = \"127.0.0.1:$metrics_port\"/" "$conf"
  grep -q "^metrics-listen = \"127.0.0.1:$metrics_port\"$" "$conf" || fail "could not set metrics-listen"
fi

read -r -a argv <<<"$exec_start"
envs=(PATH=/usr/local/bin:/usr/bin:/bin HOME="$home" USER="$user" LOGNAME="$user" SHELL="$shell")
if grep -q -- '--config' <<<"$serve_help"; then
  mode="ExecStart as installed (--config)"
else
  # Until the server reads --config: the same settings from the file as LATCHKEY_* variables.
  mode="the config file's settings as LATCHKEY_* variables (this latchkey has no --config)"
  argv=("${argv[@]:0:2}")
  while IFS= read -r line; do
    key=${line%% =*} value=${line#*= }
    value=${value#\"} value=${value%\"}
    key=${key^^}
    envs+=("LATCHKEY_${key//-/_}=$value")
  done < <(grep -E '^[a-z-]+ = ' "$conf")
fi

# StateDirectory= as systemd does it: created or fixed before start, owned by User=.
install -d -o "$user" -g "$group" -m "$state_mode" "$state_dir"
(
  cd "$workdir"
  umask "$umask_value"
  # LimitNOFILE=: a container may not let even root raise its hard limit; then the test runs
  # with the limit it has (the server lowers --max-connections to fit, with a warning).
  ulimit -n "$nofile" 2>/dev/null || echo "test: LimitNOFILE=$nofile not settable here, running with $(ulimit -n)"
  # ProtectSystem=strict (all but the state directory read-only), PrivateTmp, ProtectHome.
  exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin unshare --mount -- "$here/sandbox.sh" "$state_dir" \
    setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs \
    --inh-caps=-all --bounding-set=-all -- env -i "${envs[@]}" "${argv[@]}"
) >"$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do
  curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited at start"
  sleep 0.1
done
[[ $(curl -fsS "$base/healthz") == '{"status":"ok"}' ]] || fail "no /healthz on $base"
[[ $(ps -o user= -p "$server_pid") == latchkey ]] || fail "the server is not running as latchkey"
ok "started ($mode) as latchkey in a read-only system, /healthz on port $port"
if [[ -n $metrics_port ]]; then
  curl -fsS -o /dev/null "http://127.0.0.1:$metrics_port/metrics" || fail "no /metrics on $metrics_port"
  ok "GET /metrics on metrics-listen port $metrics_port"
fi

jar=$work/cookies
page=$(curl -fsS -c "$jar" -b "$jar" "$base/")
token=$(sed -n 's/.*<meta name="csrf-token" content="\([A-Za-z0-9_-]\{64\}\)".*/\1/p' <<<"$page")
[[ -n $token ]] || fail "no CSRF meta tag in the page: ${page:0:300}"
bundle=$(grep -o '/assets/app\.[0-9a-f]\{8\}\.js' <<<"$page" | head -n 1)
[[ -n $bundle ]] || fail "the page does not load assets/app.<hash>.js"
curl -fsS -o "$work/app.js" "$base$bundle"
cmp -s "$work/app.js" "/usr/share/latchkey/web$bundle" || fail "$bundle differs"
curl -fsS -H 'Accept-Encoding: br' -o "$work/app.js.br" "$base$bundle"
cmp -s "$work/app.js.br" "/usr/share/latchkey/web$bundle.br" || fail "$bundle in br differs"
ok "page with its CSRF meta tag; $bundle (and its br) served from /usr/share/latchkey/web"

username="pkg$RANDOM$RANDOM"
password=$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')
post() { # post PATH JSON -> status code; body in $work/body
  curl -sS -o "$work/body" -w '%{http_code}' -c "$jar" -b "$jar" -X POST \
    -H 'Content-Type: application/json' -H "X-CSRF-Token: $token" --data-binary @- "$base$1" <<<"$2"
}
[[ $(post /api/auth/signup "{\"username\":\"$username\",\"password\":\"$password\"}") == 201 ]] ||
  fail "signup: $(cat "$work/body")"
[[ $(post /api/auth/logout '{}') == 200 ]] || fail "logout: $(cat "$work/body")"
[[ $(post /api/auth/login "{\"username\":\"$username\",\"password\":\"$password\"}") == 200 ]] ||
  fail "login: $(cat "$work/body")"
whoami=$(curl -fsS -b "$jar" "$base/api/auth")
grep -q "\"username\":\"$username\"" <<<"$whoami" || fail "GET /api/auth: $whoami"
ok "signup, logout, login and GET /api/auth as $username"

for f in latchkey.db secret.key; do
  [[ $(stat -c '%U:%G' "$data/$f") == latchkey:latchkey ]] || fail "$data/$f: $(stat -c '%U:%G' "$data/$f")"
  (($(stat -c '0%a' "$data/$f") & 077)) && fail "$data/$f is mode $(stat -c %a "$data/$f")"
done
ok "$data/latchkey.db and secret.key owned by latchkey, no group or other access"

kill -TERM "$server_pid"
start=$SECONDS
status=0
wait "$server_pid" || status=$?
server_pid=""
((status == 0)) || fail "the server exited with $status after SIGTERM"
ok "SIGTERM: exit 0 after $((SECONDS - start)) s"
if grep -qF "$password" "$work/server.log"; then fail "the password is in the server's log"; fi
ok "the server's log ($(wc -l <"$work/server.log") lines) holds no password"

# ---- 5. reinstall, remove, purge
DEBIAN_FRONTEND=noninteractive dpkg -i --force-confold "$deb" >"$work/dpkg.log" 2>&1 ||
  { cat "$work/dpkg.log" >&2; fail "dpkg -i (reinstall) failed"; }
grep -q "^listen = \"127.0.0.1:$port\"$" "$conf" || fail "the reinstall overwrote the edited $conf"
[[ $(stat -c '%U:%G %a' "$conf") == "root:latchkey 640" ]] || fail "reinstall: $conf mode"
[[ -f $data/latchkey.db ]] || fail "the reinstall lost the database"
ok "reinstall: the edited conffile, its mode and the database kept"

dpkg -r latchkey >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -r failed"; }
[[ ! -e /usr/bin/latchkey && ! -e /usr/share/latchkey && ! -e $unit ]] || fail "remove left files"
[[ -f $conf && -f $data/latchkey.db ]] || fail "remove deleted the config or the data"
getent passwd latchkey >/dev/null || fail "remove deleted the user"
ok "dpkg -r: program gone; config, data and user kept"

dpkg --purge latchkey >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "purge failed"; }
[[ $(dpkg-query -W -f='${db:Status-Status}' latchkey 2>/dev/null || echo not-installed) == \
  not-installed ]] || fail "dpkg still knows latchkey"
for path in /etc/latchkey "$data" /usr/share/doc/latchkey \
  /etc/systemd/system/multi-user.target.wants/latchkey.service; do
  [[ ! -e $path && ! -L $path ]] || fail "purge left $path"
done
if [[ -n $(find /var/lib/systemd -path '*deb-systemd-helper*' -name '*latchkey*' 2>/dev/null) ]]; then
  fail "purge left deb-systemd-helper state"
fi
! getent passwd latchkey >/dev/null || fail "purge left the user latchkey"
! getent group latchkey >/dev/null || fail "purge left the group latchkey"
! dpkg-statoverride --list "$conf" >/dev/null || fail "purge left the statoverride of $conf"
ok "dpkg --purge: files, data, config, user, group, statoverride and systemd links gone"

echo "PACKAGE all $checks checks passed; $(basename "$deb"), exposure $exposure, server: $mode"
