#!/usr/bin/env bash
# The demo scenario against one `amanah serve`, each role its own CLI process with --server:
# custodians, enrollers, officials and a monitor on their own profiles, nothing shared with the
# server but signed requests. Checks that every command works as it does locally, that
# sealing, approving and opening happen in the clients (the server's database and log never
# hold a name), and that the client trusts only the signed log.
# Usage: server_test.sh AMANAH FIXTURE [sqlite|postgres]   (postgres: $AMANAH_TEST_POSTGRES_URL)
set -uo pipefail
source "$(dirname "$0")/lib.sh" "$1"
fixture=$2
store=${3:-sqlite}
export AMANAH_PASSPHRASE='test passphrase of every user key'
export AMANAH_OPERATOR_PASSPHRASE='the operator passphrase'
unset AMANAH_NOW AMANAH_REGISTRY AMANAH_SERVER AMANAH_STORE
now=$(date +%s)
"$fixture" make --out "$T/f" --people 8 --now "$((now - 60))" >/dev/null || { bad "fixture"; finish; }
K=$T/f/keys
R=$T/f/registry
mapfile -t ids <"$T/f/ids.txt"

serve_args=(--registry "$R")
if [ "$store" = postgres ]; then
  [ -n "${AMANAH_TEST_POSTGRES_URL:-}" ] || { bad "postgres: AMANAH_TEST_POSTGRES_URL is not set (scripts/pg.sh)"; finish; }
  db=amanah_server_test_$$
  psql -q "$AMANAH_TEST_POSTGRES_URL" -c "CREATE DATABASE $db" >/dev/null 2>&1 || { bad "postgres: CREATE DATABASE"; finish; }
  trap 'psql -q "$AMANAH_TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1; rm -rf "$T"' EXIT
  url=$(python3 -c 'import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/"+sys.argv[2])))' "$AMANAH_TEST_POSTGRES_URL" "$db")
  expect "the registry moves to PostgreSQL in one command" 0 registry migrate --to "$url" --registry "$R"
  serve_args+=(--store "$url")
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$amanah" serve "${serve_args[@]}" --listen "127.0.0.1:$port" --rate 1000 --burst 1000 >"$T/serve.out" 2>"$T/serve.log" &
server=$!
cleanup_server() { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; }
trap 'cleanup_server; [ -n "${db:-}" ] && psql -q "$AMANAH_TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1; rm -rf "$T"' EXIT
for _ in $(seq 100); do
  python3 - "$port" <<'PY' 2>/dev/null && break
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/readyz", timeout=1).read()
PY
  sleep 0.1
done
export AMANAH_SERVER=http://127.0.0.1:$port
off=(--key "$K/official.key")
mon=(--key "$K/monitor.key")

# --- who is who: the server checks role and status on every call ------------------------------
expect "an official lists the keys" 0 actor list "${off[@]}"
stdout_has "the list shows the UN official as active" 'official +active'
expect "an official sees counts" 0 list "${off[@]}"
stdout_has "counts with the <5 rule for an official" '<5'
expect "a custodian sees exact counts" 0 list --key "$K/c1.key"
expect "an enroller lists pseudonyms" 0 list --ids --key "$K/enroller.key"
[ "$(wc -l <"$OUT")" = 8 ] && ok "8 pseudonyms listed" || bad "pseudonyms listed: $(wc -l <"$OUT")"
expect "an official may not list pseudonyms" 7 list --ids "${off[@]}"

# --- an enroller enrols on its own machine ----------------------------------------------------
expect "enrol against the server" 0 enrol --name "Maryam Haddad" --role medic --district "al-sukkari" \
  --consent un --list east --key "$K/enroller.key"
enrolled=$(sed -n 's/^enrolled: //p' "$OUT")
[ -n "$enrolled" ] && ok "the enrolment names its pseudonym" || bad "no pseudonym printed"
cat >"$T/list.csv" <<'CSV'
First Name,Surname,Occupation,Area,Household,Consent
Khaled,Omar,rescue,al-sukkari,1,un
عمر,الحلبي,journalist,al-mashhad,2,un
CSV
expect "import a CSV against the server" 0 import "$T/list.csv" --list east --yes --ids-out "$T/ids-out.csv" \
  --key "$K/enroller.key" --preset spreadsheet
expect "a monitor cannot enrol" 7 enrol --name "X Y" --role medic --district d --consent un --list east "${mon[@]}"

# --- a plan, a release, three custodians, one refusal -----------------------------------------
start=$(date -u -d "@$((now + 3600))" +%Y-%m-%dT%H:%MZ)
end=$(date -u -d "@$((now + 86400))" +%Y-%m-%dT%H:%MZ)
expect "plan create" 0 plan create --route east-gate,ramouseh,idlib --guarantor ICRC --start "$start" \
  --end "$end" --tolerance 90 --capacity 12 --people "${ids[0]},${ids[2]},${ids[3]},$enrolled" "${off[@]}"
plan=$(sed -n 's/^plan //p' "$OUT")
expect "release request" 0 release request --plan "$plan" "${off[@]}"
release=$(sed -n 's/^release \([0-9a-f]*\) .*/\1/p' "$OUT")
[[ $release =~ ^[0-9a-f]{32}$ ]] && ok "release id" || bad "release id '$release'"
share() { echo --config "$R/config.amanah" --share "$T/f/shares/share-$1.sealed" --key "$K/c$1.key" --home "$T/h$1"; }
expect "open before any approval is refused" 7 release open "$release" "${off[@]}"
for i in 1 2; do expect "custodian $i approves from its own machine" 0 release approve "$release" $(share $i); done
expect "open with 2 of 3 is refused" 7 release open "$release" "${off[@]}"
expect "custodian 4 refuses" 0 release refuse "$release" --reason "guarantor not confirmed" --key "$K/c4.key"
expect "custodian 3 approves" 0 release approve "$release" $(share 3)
stdout_has "3 of 3" '^approvals: 3 of 3 needed$'
expect "release status" 0 release status "$release" "${off[@]}"
expect "the other official cannot open it" 7 release open "$release" --key "$K/official-ngo.key"
expect "the official opens it on its own machine" 0 release open "$release" --out "$T/m.txt" "${off[@]}"
for i in 0 2 3; do
  grep -qF "$(sed -n "$((i + 1))p" "$T/f/names.txt")" "$T/m.txt" && ok "manifest has person $i" || bad "manifest lacks person $i"
done
grep -qF "Maryam Haddad" "$T/m.txt" && ok "the manifest has the person enrolled through the server" || bad "no enrolled name"
! grep -qF -f "$T/f/names.txt" "$OUT" && ok "open prints no name" || bad "a name printed"

# --- travel ------------------------------------------------------------------------------------
expect "the monitor records a boarding" 0 sight "${ids[0]}" --plan "$plan" --point east-gate "${mon[@]}"
expect "an official cannot record a sighting" 7 sight "${ids[0]}" --plan "$plan" --point east-gate "${off[@]}"
expect "reconcile" 0 reconcile --plan "$plan" "${off[@]}"
stdout_has "reconcile shows the boarding" 'boarded'
expect "withdraw" 0 withdraw "${ids[7]}" --reason request --key "$K/enroller.key"

# --- the log, as anyone checks it ----------------------------------------------------------------
expect "log checkpoint from the server" 0 log checkpoint "${off[@]}"
expect "log export" 0 log export --out "$T/log.txt" "${off[@]}"
grep -h . "$T/log.txt" >/dev/null && ok "the exported log has entries" || bad "empty log export"
cp "$T/.stdout" "$T/cp.txt"
"$amanah" log checkpoint "${off[@]}" >"$T/checkpoint.txt" 2>/dev/null
expect "the exported log verifies offline" 0 verify --config "$R/config.amanah" --entries "$T/log.txt" \
  --checkpoint "$T/checkpoint.txt"
expect "prove an entry's inclusion" 0 log prove 3 "${off[@]}"

# --- what the server holds -----------------------------------------------------------------------
if [ "$store" = sqlite ]; then
  ! grep -aqF -f <(cat "$T/f/names.txt"; echo "Maryam Haddad"; echo "الحلبي") "$R"/registry.db* \
    && ok "the server's database holds no name" || bad "a name in the server's database"
fi
! grep -aqF -f <(cat "$T/f/names.txt"; echo "Maryam Haddad") "$T/serve.log" \
  && ok "the access log holds no name" || bad "a name in the access log"
! grep -qF -- "$AMANAH_PASSPHRASE" "$T/serve.log" && ok "the access log holds no passphrase" || bad "passphrase in the access log"
grep -q . "$T/serve.log" && ok "the server wrote an access log" || bad "no access log"

# A client that is not a registered key reads nothing but the public routes.
"$amanah" key new --role official --label stranger --out "$T/stranger.key" --kdf test >/dev/null 2>&1
expect "an unregistered key cannot read the counts" 7 list --key "$T/stranger.key"
no_secret_in
finish
