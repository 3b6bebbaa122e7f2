#!/usr/bin/env bash
# Transcript test of `amanah serve` itself (the CLI glue of src/cli/serve_cmd.cc): refusing
# plain HTTP on the network, the clock (AMANAH_NOW only with --insecure-test-clock), the
# access log, the served OpenAPI document, a signed request from the real CLI, and a clean
# stop on SIGTERM.
# Usage: serve_cli_test.sh AMANAH FIXTURE OPENAPI_JSON
set -uo pipefail
source "$(dirname "$0")/../cli/lib.sh" "$1"
fixture=$2
openapi=$3
export AMANAH_PASSPHRASE='test passphrase of every user key'
export AMANAH_OPERATOR_PASSPHRASE='the operator passphrase'
unset AMANAH_NOW AMANAH_REGISTRY AMANAH_SERVER
now=$(date +%s)
"$fixture" make --out "$T/f" --people 4 --now "$((now - 60))" >/dev/null || { bad "fixture"; finish; }
R=$T/f/registry
K=$T/f/keys

expect "plain HTTP on a non-loopback address is refused" 2 serve --registry "$R" --listen 0.0.0.0:0
grep -q 'insecure-no-tls' "$ERR" && ok "the refusal names --insecure-no-tls" || bad "no hint: $(cat "$ERR")"
expect "a listen address without a port is refused" 2 serve --registry "$R" --listen 127.0.0.1
expect "one TLS file without the other is refused" 2 serve --registry "$R" --listen 127.0.0.1:0 \
  --tls-cert "$T/none.pem"
expect "a folder without a registry" 5 serve --registry "$T/empty" --listen 127.0.0.1:0

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT

# start NAME ARGS...: runs `amanah serve` in the background; sets $port and $pid.
start() {
  local name=$1; shift
  "$amanah" serve --registry "$R" --listen 127.0.0.1:0 "$@" >"$T/$name.out" 2>"$T/$name.err" &
  pid=$!
  pids+=("$pid")
  port=
  for _ in $(seq 200); do
    port=$(sed -n 's|^amanah: serving the registry at http://127.0.0.1:\([0-9]*\) .*|\1|p' "$T/$name.out")
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] && ok "$name: serving on port $port" || bad "$name: no port announced: $(cat "$T/$name.err")"
}

# get PATH: prints "STATUS BODY" of an unsigned GET.
get() {
  python3 - "$port" "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}{sys.argv[2]}", timeout=10)
    print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
PY
}

start main
[[ "$(get /healthz)" == '200 {"status":"ok"}' ]] && ok "healthz" || bad "healthz: $(get /healthz)"
[[ "$(get /v1/counts?by=role)" == 401*'"code":"unsigned"'* ]] && ok "a signed route refuses an unsigned request" \
  || bad "unsigned: $(get /v1/counts?by=role)"
python3 - "$port" "$openapi" <<'PY' && ok "GET /openapi.json serves docs/openapi.json" || bad "openapi.json differs"
import sys, urllib.request
served = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/openapi.json", timeout=10).read()
sys.exit(0 if served == open(sys.argv[2], "rb").read() else 1)
PY
expect "the CLI's signed request (real clock) is served" 0 list --key "$K/official.key" --server "http://127.0.0.1:$port"
grep -qE '^[0-9T:-]+Z GET /v1/counts 200 [0-9]+ms [0-9A-Z-]{19}$' "$T/main.err" \
  && ok "the access log names the route template and the key" || bad "access log: $(cat "$T/main.err")"
! grep -q 'by=role' "$T/main.err" && ok "the access log holds no query" || bad "a query in the access log"
kill -TERM "$pid"
wait "$pid"; rc=$?
[ "$rc" = 0 ] && ok "SIGTERM stops the server cleanly" || bad "exit $rc after SIGTERM"

# AMANAH_NOW far in the past: ignored (with a warning) unless --insecure-test-clock.
AMANAH_NOW=1000000000 start ignored
grep -q 'AMANAH_NOW is ignored' "$T/ignored.err" && ok "AMANAH_NOW without the flag: a warning" \
  || bad "no warning: $(cat "$T/ignored.err")"
expect "the server still uses the system clock" 0 list --key "$K/official.key" --server "http://127.0.0.1:$port"
AMANAH_NOW=$((now - 3600)) start testclock --insecure-test-clock
expect "with --insecure-test-clock the server's clock is AMANAH_NOW: a request dated now is out of its window" \
  4 list --key "$K/official.key" --server "http://127.0.0.1:$port"
grep -q ' 401 ' "$T/testclock.err" && ok "refused with 401" || bad "testclock log: $(cat "$T/testclock.err")"
no_secret_in
finish
