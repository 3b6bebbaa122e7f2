#!/usr/bin/env bash
# Transcript test of a plan and its release on a local registry built by amanah_test_fixture:
# capacity, consent (N listed, M left out), approvals only once a checkpoint includes the
# request, refusals, custodians whose last checkpoint is another registry's or a fork's, the
# manifest (names only in 0600 files, checked by grep, never printed) and exports without names.
set -uo pipefail
source "$(dirname "$0")/lib.sh" "$1"
fixture=$2
export AMANAH_PASSPHRASE='test passphrase of every user key'
export AMANAH_OPERATOR_PASSPHRASE='the operator passphrase'
"$fixture" make --out "$T/f" --people 8 >/dev/null || { bad "fixture"; finish; }
"$fixture" make --out "$T/g" --people 2 >/dev/null || { bad "fixture g"; finish; }
export AMANAH_REGISTRY=$T/f/registry
K=$T/f/keys
mapfile -t ids <"$T/f/ids.txt"
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%MZ; }
export AMANAH_NOW=1765000100
start=$(iso 1765003600) end=$(iso 1765086400)
plan_args=(--route east-gate,ramouseh,idlib --guarantor ICRC --start "$start" --end "$end" --tolerance 90)
off=(--key "$K/official.key")

# --- plan ------------------------------------------------------------------------------------
expect "plan over capacity is refused" 7 plan create "${plan_args[@]}" --capacity 5 \
  --people "${ids[0]},${ids[1]},${ids[2]},${ids[3]},${ids[5]}" "${off[@]}"
grep -q 'over capacity: 8 seats for 5' "$ERR" && ok "over capacity names seats and capacity" \
  || bad "over capacity message: $(cat "$ERR")"
expect "a monitor cannot make a plan" 7 plan create "${plan_args[@]}" --capacity 10 \
  --people "${ids[0]}" --key "$K/monitor.key"
expect "a mistyped ID in --people is malformed" 3 plan create "${plan_args[@]}" --capacity 10 \
  --people "${ids[0]:0:12}$( [ "${ids[0]:12:1}" = 0 ] && echo 1 || echo 0 )" "${off[@]}"
printf '%s\n' "# people of the east convoy" "${ids[0]}" "${ids[1]}" "${ids[2]}" "${ids[3]}" "${ids[5]}" >"$T/people.txt"
expect "plan within capacity" 0 plan create "${plan_args[@]}" --capacity 10 \
  --people-file "$T/people.txt" "${off[@]}"
stdout_has "plan prints seats of capacity" '^seats: 8 of 10$'
plan=$(sed -n 's/^plan //p' "$OUT")
[[ $plan =~ ^[0-9a-f]{32}$ ]] && ok "plan id is 32 hex digits" || bad "plan id '$plan'"
expect "plan substitute" 0 plan substitute "$plan" "${ids[5]}" "${ids[4]}" --reason "moved district" "${off[@]}"
expect "substituting someone not on the plan is refused" 7 plan substitute "$plan" "${ids[6]}" \
  "${ids[7]}" --reason "x" "${off[@]}"
expect "plan leave" 0 plan leave "$plan" "${ids[4]}" --reason "chose to stay" "${off[@]}"
expect "plan show" 0 plan show "$plan" --ids "${off[@]}"
stdout_has "plan show: counts" '^people: 4 \(5 when planned\)$'
stdout_has "plan show: patients and companions" '^patients: 1, companions: 2$'
stdout_has "plan show: seats" '^seats: 7 of 10$'
stdout_has "plan show: route" '^route: east-gate -> ramouseh -> idlib$'

# --- export: pseudonyms of the plan only --------------------------------------------------------
expect "export for a checkpoint" 0 export --plan "$plan" --for checkpoint --out "$T/cp.csv" "${off[@]}"
! grep -qF -f "$T/f/names.txt" "$T/cp.csv" && ok "the export holds no name" || bad "a name in the export"
grep -qF "AMANAH:ID:${ids[0]}" "$T/cp.csv" && ok "the export holds QR payloads" || bad "no QR payload"
grep -q 'for the checkpoint of plan' "$T/cp.csv" && ok "the export is marked for its recipient" || bad "no marking"
! grep -qF -e "${ids[4]}" -e "${ids[5]}" -e "${ids[6]}" -e "${ids[7]}" "$T/cp.csv" && ok "only the plan's current people" \
  || bad "the export holds people not on the plan"
expect "the other official cannot export this plan" 7 export --plan "$plan" --for party \
  --out "$T/party.csv" --key "$K/official-ngo.key"

# --- release request -------------------------------------------------------------------------
expect "release request" 0 release request --plan "$plan" "${off[@]}"
stdout_has "N listed, M left out by consent" '^3 people; 1 left out because their consent does not cover un$'
release=$(sed -n 's/^release \([0-9a-f]*\) .*/\1/p' "$OUT")
! grep -qF -f "$T/f/names.txt" "$OUT" && ok "the request prints no name" || bad "a name printed"

share() { echo --config "$T/f/registry/config.amanah" --share "$T/f/shares/share-$1.sealed" --key "$K/c$1.key" --home "$T/h$1"; }
expect "approval before any checkpoint: unavailable" 8 release approve "$release" $(share 1)
grep -q 'no checkpoint includes this request yet' "$ERR" && ok "says the operator must checkpoint" || bad "message: $(cat "$ERR")"
expect "open with no approval is refused" 7 release open "$release" "${off[@]}"

# A copy of the registry as it is now: later it grows differently (a fork).
cp -r "$T/f/registry" "$T/fork"

expect "another plan on the main log" 0 plan create "${plan_args[@]}" --capacity 4 --people "${ids[6]}" "${off[@]}"
expect "log checkpoint" 0 log checkpoint
for i in 1 3; do
  expect "custodian $i approves" 0 release approve "$release" $(share $i)
  [ -s "$T/h$i/checkpoint" ] && ok "custodian $i keeps the cosigned checkpoint" || bad "no checkpoint in profile $i"
done
expect "open with 2 of 3 approvals is refused" 7 release open "$release" "${off[@]}"
expect "custodian 1 cannot approve twice" 6 release approve "$release" $(share 1)
expect "custodian 5 approves" 0 release approve "$release" $(share 5)
stdout_has "approve counts approvals" '^approvals: 3 of 3 needed$'
expect "custodian 4 refuses" 0 release refuse "$release" --reason "guarantor not confirmed" --key "$K/c4.key"
expect "custodian 4 cannot approve after refusing" 6 release approve "$release" $(share 4)
expect "an official cannot refuse" 7 release refuse "$release" --reason "x" "${off[@]}"
expect "release status" 0 release status "$release" "${off[@]}"
stdout_has "status: 3 of 3" '^approvals: 3 of 3 needed \(can be opened\)$'
stdout_has "status: refusal by custodian 4" '^  refused: custodian 4 '

# Custodian 2 last cosigned a checkpoint of another registry: it refuses to go on.
mkdir -p "$T/h2"
AMANAH_REGISTRY=$T/g/registry "$amanah" log checkpoint >"$T/h2/checkpoint" 2>/dev/null
expect "a profile checkpoint from another registry: verification fails" 4 release approve "$release" $(share 2)
grep -q 'not from this registry' "$ERR" && ok "says the checkpoint is another log's" || bad "message: $(cat "$ERR")"

# The fork: the same first entries, then others. Custodian 5 saw the main log; the fork's
# checkpoint is not consistent with it.
AMANAH_REGISTRY=$T/fork run plan create "${plan_args[@]}" --capacity 4 --people "${ids[7]}" "${off[@]}"
AMANAH_REGISTRY=$T/fork run plan create "${plan_args[@]}" --capacity 4 --people "${ids[6]}" "${off[@]}"
AMANAH_REGISTRY=$T/fork run log checkpoint
AMANAH_REGISTRY=$T/fork expect "a forked log: custodian 5 refuses to approve" 4 release approve "$release" $(share 5)

# --- open ------------------------------------------------------------------------------------
expect "another official cannot open it" 7 release open "$release" --key "$K/official-ngo.key"
expect "open to a table file" 0 release open "$release" --out "$T/m.txt" "${off[@]}"
! grep -qF -f "$T/f/names.txt" "$OUT" && ok "open --out prints no name" || bad "a name printed"
stdout_has "open prints the counts" '3 people; patients: 1, companions: 2; seats: 5 of 10'
in_release() { sed -n "$(( $1 + 1 ))p" "$T/f/names.txt"; }
for i in 0 2 3; do grep -qF "$(in_release $i)" "$T/m.txt" && ok "manifest has person $i's name" || bad "manifest lacks person $i"; done
for i in 1 4 5 6; do ! grep -qF "$(in_release $i)" "$T/m.txt" && ok "manifest lacks person $i's name" || bad "manifest has person $i"; done
grep -q "^AMANAH MANIFEST: for official-desk (.*): do not forward$" "$T/m.txt" && ok "manifest marked with its recipient" || bad "marking"
grep -q "^release $release$" "$T/m.txt" && ok "manifest names its release" || bad "no release id"
expect "open on the terminal" 0 release open "$release" "${off[@]}"
grep -qF "$(in_release 0)" "$OUT" && ok "the terminal table has the names" || bad "table lacks names"
expect "open as CSV" 0 release open "$release" --format csv --out "$T/m.csv" "${off[@]}"
expect "open as HTML" 0 release open "$release" --format html --out "$T/m.html" "${off[@]}"
for f in m.txt m.csv m.html; do
  [ "$(stat -c %a "$T/$f")" = 600 ] && ok "$f is 0600" || bad "$f mode $(stat -c %a "$T/$f")"
done
grep -qxF "${ids[2]},'@Sara Nasser,1972,aid,none,1,0" <(tr -d '\r' <"$T/m.csv") && ok "CSV: a leading @ is defused" || bad "CSV formula injection"
grep -q 'dir="auto"' "$T/m.html" && grep -q '&lt;b&gt;' "$T/m.html" && ! grep -q '<b>' "$T/m.html" \
  && ok "HTML: dir=auto and escaped" || bad "HTML escaping"
grep -q 'Signature: ' "$T/m.html" && ok "HTML: a signature line" || bad "no signature line"
expect "open refuses to replace a file" 6 release open "$release" --format csv --out "$T/m.csv" "${off[@]}"
expect "csv needs --out" 2 release open "$release" --format csv "${off[@]}"

expect "verify the whole log after all this" 0 verify --config "$T/f/registry/config.amanah"
no_secret_in
finish
