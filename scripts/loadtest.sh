#!/usr/bin/env bash
# Load test of `amanah serve` on loopback only, bounded in time: signed reads
# (GET /v1/counts) and durable signed writes (POST /v1/entries, one sighting each, committed
# to SQLite with synchronous=FULL before the answer) with wrk from Debian's packages.
# Requests are pre-signed by amanah_loadgen (tools/loadgen), each with its own nonce.
# Usage: bash scripts/loadtest.sh [SECONDS per phase, default 10] [CONNECTIONS, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
conns=${2:-16}
bash scripts/setup.sh >/dev/null
if ! command -v wrk >/dev/null; then
  as_root=(); [ "$(id -u)" -ne 0 ] && as_root=(sudo)
  "${as_root[@]}" apt-get install -y -qq wrk >/dev/null
fi
cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-rel -j"$(nproc)" --target amanah amanah_test_fixture amanah_loadgen >/dev/null
B=build-rel
T=$(mktemp -d)
export AMANAH_HOME=$T/home  # the load test's own client profile, never ~/.amanah
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$T"' EXIT
export AMANAH_PASSPHRASE='load test passphrase'
export AMANAH_OPERATOR_PASSPHRASE='load test operator passphrase'
now=$(date +%s)
"$B/amanah_test_fixture" make --out "$T/f" --people 20 --now "$((now - 60))" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$B/amanah" serve --registry "$T/f/registry" --listen "127.0.0.1:$port" --rate 1000000 --burst 1000000 --max-connections-per-address 0 \
  2>"$T/access.log" &
server=$!
for _ in $(seq 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=1)" \
    2>/dev/null && break
  sleep 0.1
done
export AMANAH_SERVER=http://127.0.0.1:$port
mapfile -t ids <"$T/f/ids.txt"
start=$(date -u -d "@$((now + 3600))" +%Y-%m-%dT%H:%MZ)
end=$(date -u -d "@$((now + 86400))" +%Y-%m-%dT%H:%MZ)
plan=$("$B/amanah" plan create --route east-gate,idlib --guarantor ICRC --start "$start" --end "$end" \
  --tolerance 90 --capacity 20 --people "${ids[0]}" --key "$T/f/keys/official.key" | sed -n 's/^plan //p')
# Enough fresh requests for the phase at up to 20,000/s (a reused one would be a replay).
count=$((seconds * 20000))
"$B/amanah_loadgen" --config "$T/f/registry/config.amanah" --key "$T/f/keys/official.key" \
  --kind read --count "$count" --out "$T/reads.txt"
"$B/amanah_loadgen" --config "$T/f/registry/config.amanah" --key "$T/f/keys/monitor.key" \
  --kind write --count "$count" --out "$T/writes.txt" --plan "$plan" --person "${ids[0]}" \
  --point east-gate
echo "== signed reads: GET /v1/counts?by=role, $conns connections, ${seconds}s (wrk -t2)"
wrk -t2 -c"$conns" -d"${seconds}s" -s tools/loadgen/wrk.lua "http://127.0.0.1:$port" -- "$T/reads.txt" 2 \
  | sed -n '/^requests:/,$p'
echo "== durable signed writes: POST /v1/entries (one sighting each), $conns connections, ${seconds}s"
wrk -t2 -c"$conns" -d"${seconds}s" -s tools/loadgen/wrk.lua "http://127.0.0.1:$port" -- "$T/writes.txt" 2 \
  | sed -n '/^requests:/,$p'
size=$("$B/amanah" log checkpoint --key "$T/f/keys/official.key" | sed -n 2p)
echo "log size after the run: $size entries"
"$B/amanah" log export --out "$T/log.txt" --key "$T/f/keys/official.key" >/dev/null
"$B/amanah" log checkpoint --key "$T/f/keys/official.key" >"$T/cp.txt"
"$B/amanah" verify --config "$T/f/registry/config.amanah" --entries "$T/log.txt" --checkpoint "$T/cp.txt"
echo "(machine: $(nproc) cores; wrk, the server and nothing else on loopback)"
