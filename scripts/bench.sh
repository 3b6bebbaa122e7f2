#!/usr/bin/env bash
# Builds Release, runs the benchmark suite (bench/), the CSV import through the real
# `amanah` command and a short load test of `amanah serve` on loopback (scripts/loadtest.sh,
# 10 s per phase, 16 connections), and regenerates docs/performance.md from what this run
# measured.
#
#   bash scripts/bench.sh          10k and 100k-row imports, 10k and 100k-record counts
#   bash scripts/bench.sh --full   adds the 1,000,000-row import and 1,000,000-record counts
#
# Timings are noisy on a shared 2-core machine: every figure is set beside the libsodium
# primitives measured in the same run, and the ratios are what docs/performance.md judges.
set -euo pipefail
cd "$(dirname "$0")/.."
full=0
[ "${1:-}" = "--full" ] && full=1
bash scripts/setup.sh
build=build-bench
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target amanah_bench amanah amanah_test_fixture amanah_loadgen
out=$build/results
rm -rf "$out"
mkdir -p "$out"

# --- the suite -------------------------------------------------------------------------------
if [ $full = 1 ]; then export AMANAH_BENCH_FULL=1; fi
"$build/amanah_bench" --benchmark_out="$out/bench.json" --benchmark_out_format=json \
  --benchmark_counters_tabular=true
unset AMANAH_BENCH_FULL

# The primitives again, at points through the run (this VM's speed moves over minutes): the
# report divides by the fastest measurement of each, so that no ratio is flattered by a slow
# moment of the primitives (bench/report.py).
primitives() {
  "$build/amanah_bench" --benchmark_filter='^BM_Primitive_' \
    --benchmark_out="$out/primitives-$1.json" --benchmark_out_format=json >/dev/null \
    || echo "bench: measuring the primitives ($1) failed; the report uses the others" >&2
}

# --- the import, through the command an enroller types -----------------------------------------
amanah=$PWD/$build/amanah
sizes=(10000 100000)
[ $full = 1 ] && sizes+=(1000000)
printf 'rows\tseconds\tuser\tsys\tmax_rss_kib\n' >"$out/import.tsv"
printf 'rows\tseconds\tuser\tsys\tmax_rss_kib\n' >"$out/verify.tsv"
for rows in "${sizes[@]}"; do
  T=$(mktemp -d)
  export AMANAH_PASSPHRASE='bench passphrase' AMANAH_OPERATOR_PASSPHRASE='bench operator'
  export AMANAH_REGISTRY=$T/reg AMANAH_HOME=$T/home  # never the user's own profile
  q() { "$amanah" "$@" >/dev/null; }
  for i in 1 2 3 4 5; do q key new --role custodian --label "c$i" --out "$T/c$i.key" --kdf test; done
  q key new --role enroller --label bench-enroller --out "$T/e.key" --kdf test
  custodians=(); for i in 1 2 3 4 5; do custodians+=(--custodian "$T/c$i.key.pub"); done
  q ceremony deal --name bench-registry --k 3 "${custodians[@]}" --out "$T/cer"
  for i in 1 2 3; do
    q share accept --config "$T/cer/config.amanah" --share "$T/cer/share-$i.sealed" --key "$T/c$i.key"
  done
  q registry init --config "$T/cer/config.amanah" --kdf test
  q actor register --key "$T/e.key"
  E=$("$amanah" key fingerprint "$T/e.key.pub")
  for i in 1 2 3; do q actor admit "$E" --key "$T/c$i.key" --days 180; done
  python3 - "$T/list.csv" "$rows" <<'PY'
import sys
roles = ['medic', 'journalist', 'aid', 'rescue', 'lawyer']
with open(sys.argv[1], 'w') as f:
    f.write('First Name,Surname,Year of Birth,Occupation,Area,Needs,Household,Consent,Phone\n')
    for i in range(int(sys.argv[2])):
        f.write(f'Test{i},Person{i % 977},{1950 + i % 50},{roles[i % 5]},district-{i % 40},'
                f'{"medical" if i % 10 == 0 else ""},{1 + i % 4},"un, ngo",+000 {i:09d}\n')
PY
  primitives "before-import-$rows"
  # AMANAH_IMPORT_CPU_OUT: where the import's CPU went, by thread clocks (import_cmd.cc).
  AMANAH_IMPORT_CPU_OUT="$out/import-cpu-$rows.tsv" \
    /usr/bin/time -f '%e %U %S %M' -o "$T/time" "$amanah" import "$T/list.csv" --list bench \
    --ids-out "$T/ids.csv" --key "$T/e.key" --yes >/dev/null 2>"$T/err" \
    || { cat "$T/err" >&2; echo "bench: import of $rows rows failed" >&2; exit 1; }
  primitives "after-import-$rows"
  read -r secs user sys rss <"$T/time"
  printf '%s\t%s\t%s\t%s\t%s\n' "$rows" "$secs" "$user" "$sys" "$rss" >>"$out/import.tsv"
  echo "import: $rows rows in $secs s, max RSS $rss KiB"
  # Anyone's full verification of the log just written (the rows' enrolments and the few
  # entries of the set-up), from the registry's SQLite file, as an auditor runs it.
  q log checkpoint
  /usr/bin/time -f '%e %U %S %M' -o "$T/vtime" "$amanah" verify --config "$T/cer/config.amanah" \
    >/dev/null 2>"$T/err" \
    || { cat "$T/err" >&2; echo "bench: verification of the $rows-row log failed" >&2; exit 1; }
  read -r secs user sys rss <"$T/vtime"
  printf '%s\t%s\t%s\t%s\t%s\n' "$rows" "$secs" "$user" "$sys" "$rss" >>"$out/verify.tsv"
  echo "verify: $rows-row log in $secs s, max RSS $rss KiB"
  rm -rf "$T"
done

# --- the server under load, on loopback only, bounded in time ---------------------------------
# A failed load test does not throw away the rest of the run: the report then says the
# server was not measured. One server worker per connection, so that p99 is the requests' own
# latency, not a wait for a free worker (serve's default is 8 workers).
AMANAH_LOADTEST_BUILD=$build bash scripts/loadtest.sh 10 16 --threads 16 --out "$out/load.json" \
  || echo "bench: the load test failed; docs/performance.md will say so" >&2

primitives "at-the-end"

python3 bench/report.py "$out/bench.json" "$out/import.tsv" docs/performance.md \
  "bash scripts/bench.sh$([ $full = 1 ] && echo ' --full')" "$out/load.json"
echo "bench: wrote docs/performance.md"
