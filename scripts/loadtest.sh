#!/usr/bin/env bash
# Load test of `amanah serve` on loopback only, bounded in time: signed reads
# (GET /v1/counts) and durable signed writes (POST /v1/entries, one sighting each, committed
# to SQLite with synchronous=FULL before the answer) with wrk from Debian's packages.
# Requests are pre-signed by amanah_loadgen (tools/loadgen), each with its own nonce.
# Usage: bash scripts/loadtest.sh [SECONDS per phase, default 10] [CONNECTIONS, default 16]
#          [--threads N: the server's worker threads, default serve's 8] [--out FILE.json]
# --out writes the figures (per phase: requests/s, p50, p99, non-2xx, the server's CPU
# seconds, the exact wrk command) for bench/report.py; scripts/bench.sh passes it.
# AMANAH_LOADTEST_BUILD names the Release build directory to use (default build-rel).
set -euo pipefail
cd "$(dirname "$0")/.."
invocation="bash scripts/loadtest.sh $*"
args=()
threads=
out=
while [ $# -gt 0 ]; do
  case $1 in
    --threads) threads=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
seconds=${args[0]:-10}
conns=${args[1]:-16}
[ -n "$out" ] && out=$(realpath -m "$out")
bash scripts/setup.sh >/dev/null
if ! command -v wrk >/dev/null; then
  as_root=(); [ "$(id -u)" -ne 0 ] && as_root=(sudo)
  "${as_root[@]}" apt-get install -y -qq wrk >/dev/null
fi
B=${AMANAH_LOADTEST_BUILD:-build-rel}
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$B" -j"$(nproc)" --target amanah amanah_test_fixture amanah_loadgen >/dev/null
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
T=$(mktemp -d)
export AMANAH_HOME=$T/home  # the load test's own client profile, never ~/.amanah
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$T"' EXIT
export AMANAH_PASSPHRASE='load test passphrase'
export AMANAH_OPERATOR_PASSPHRASE='load test operator passphrase'
now=$(date +%s)
"$B/amanah_test_fixture" make --out "$T/f" --people 20 --now "$((now - 60))" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
serve=("$B/amanah" serve --registry "$T/f/registry" --listen "127.0.0.1:$port" --rate 1000000
       --burst 1000000 --max-connections-per-address 0)
[ -n "$threads" ] && serve+=(--threads "$threads")
"${serve[@]}" 2>"$T/access.log" &
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
# CPU seconds the server process has used so far (user + system).
server_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$server/stat"
}
# phase NAME TITLE FILE: one wrk run; its figures go to $T/NAME.json.
phase() {
  local name=$1 title=$2 file=$3
  echo "== $title, $conns connections, ${seconds}s (wrk -t2)"
  local cpu0 cpu1
  cpu0=$(server_cpu)
  WRK_RESULT=$T/$name.wrk.json wrk -t2 -c"$conns" -d"${seconds}s" -s tools/loadgen/wrk.lua \
    "http://127.0.0.1:$port" -- "$file" 2 | sed -n '/^requests:/,$p'
  cpu1=$(server_cpu)
  python3 - "$T/$name.wrk.json" "$T/$name.json" "$name" "$title" "$cpu0" "$cpu1" \
    "wrk -t2 -c$conns -d${seconds}s -s tools/loadgen/wrk.lua http://127.0.0.1:PORT -- ${file#"$T"/} 2" <<'PY'
import json, sys
src, dst, name, title, cpu0, cpu1, command = sys.argv[1:8]
with open(src) as f:
    r = json.load(f)
r.update(phase=name, title=title, server_cpu_seconds=float(cpu1) - float(cpu0), command=command)
with open(dst, "w") as f:
    json.dump(r, f)
PY
}
phase reads "signed reads: GET /v1/counts?by=role" "$T/reads.txt"
phase writes "durable signed writes: POST /v1/entries (one sighting each)" "$T/writes.txt"
size=$("$B/amanah" log checkpoint --key "$T/f/keys/official.key" | sed -n 2p)
echo "log size after the run: $size entries"
"$B/amanah" log export --out "$T/log.txt" --key "$T/f/keys/official.key" >/dev/null
"$B/amanah" log checkpoint --key "$T/f/keys/official.key" >"$T/cp.txt"
"$B/amanah" verify --config "$T/f/registry/config.amanah" --entries "$T/log.txt" --checkpoint "$T/cp.txt"
echo "(machine: $(nproc) cores; wrk, the server and nothing else on loopback; load average $(cut -d' ' -f1-3 /proc/loadavg))"
if [ -n "$out" ]; then
  python3 - "$out" "$T/reads.json" "$T/writes.json" "$invocation" "$seconds" "$conns" \
    "${threads:-8}" "$size" "$(nproc)" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json, sys
out, reads, writes, invocation, seconds, conns, threads, size, cores, load0, load = sys.argv[1:12]
phases = []
for path in (reads, writes):
    with open(path) as f:
        phases.append(json.load(f))
result = {
    "command": invocation,
    "loadgen": "amanah_loadgen --kind read|write (tools/loadgen): pre-signed requests, each "
               "with its own nonce, sent once each by wrk through tools/loadgen/wrk.lua",
    "seconds_per_phase": int(seconds), "connections": int(conns), "server_threads": int(threads),
    "log_size_after": int(size), "cores": int(cores),
    "load_avg_before": [float(x) for x in load0.split()],
    "load_avg_after": [float(x) for x in load.split()],
    "phases": phases,
}
with open(out, "w") as f:
    json.dump(result, f, indent=1)
PY
  echo "wrote $out"
fi
