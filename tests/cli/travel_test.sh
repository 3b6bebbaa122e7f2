#!/usr/bin/env bash
# Transcript test of sightings and arrival reconciliation with the clock moved by AMANAH_NOW:
# typed and scanned IDs, typos and unknown IDs refused; boarded, then held as soon as the next
# point is overdue (before the window ends), arrived, missing after the window; --fail-on-flag.
set -uo pipefail
source "$(dirname "$0")/lib.sh" "$1"
fixture=$2
export AMANAH_PASSPHRASE='test passphrase of every user key'
export AMANAH_OPERATOR_PASSPHRASE='the operator passphrase'
"$fixture" make --out "$T/f" --people 8 >/dev/null || { bad "fixture"; finish; }
export AMANAH_REGISTRY=$T/f/registry
K=$T/f/keys
mapfile -t ids <"$T/f/ids.txt"
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%MZ; }
t0=1765000100 S=1765003600           # S: the window opens; it closes 4 hours later
E=$((S + 4 * 3600))
export AMANAH_NOW=$t0
run plan create --route east-gate,ramouseh,idlib --guarantor ICRC --start "$(iso $S)" \
  --end "$(iso $E)" --capacity 10 --tolerance 60 --people "${ids[0]},${ids[2]},${ids[3]},${ids[5]}" \
  --key "$K/official.key"
[ $rc = 0 ] && ok "plan for the convoy" || bad "plan: $(cat "$ERR")"
plan=$(sed -n 's/^plan //p' "$OUT")
mon=(--plan "$plan" --key "$K/monitor.key")

at() { export AMANAH_NOW=$1; }
status_of() { grep -F -- "${ids[$1]}" "$OUT" | head -1; }
has_status() {  # has_status "what" INDEX STATUS [!]
  local line; line=$(status_of "$2")
  local prefix=${4:-"  "}
  if [[ $line == "$prefix${ids[$2]}  $3"* ]]; then ok "$1"; else bad "$1: '$line'"; fi
}

at $((S + 60))
expect "sight a typed ID at the boarding point" 0 sight "${ids[0]}" --point east-gate "${mon[@]}"
lower=$(echo "${ids[0]}" | tr 'A-Z' 'a-z' | tr -d -)
expect "a typed ID in lower case without hyphens is accepted" 0 sight "$lower" --point east-gate "${mon[@]}"
typo=${ids[0]:0:12}$( [ "${ids[0]:12:1}" = 0 ] && echo 1 || echo 0 )
expect "a mistyped ID is refused" 3 sight "$typo" --point east-gate "${mon[@]}"
grep -q 'check symbol does not match' "$ERR" && ok "the typo is explained" || bad "message: $(cat "$ERR")"
run id new; stranger=$(head -1 "$OUT")
expect "an ID not in the registry is refused" 5 sight "$stranger" --point east-gate "${mon[@]}"
expect "a scanned QR payload" 0 sight --qr "AMANAH:ID:${ids[2]}" --point east-gate "${mon[@]}"
expect "a damaged QR payload is refused" 3 sight --qr "AMANAH:ID:${ids[2]}X" --point east-gate "${mon[@]}"
expect "a person not on the plan is refused" 7 sight "${ids[6]}" --point east-gate "${mon[@]}"
expect "a point not on the route is refused" 2 sight "${ids[0]}" --point nowhere "${mon[@]}"
expect "an official cannot record sightings" 7 sight "${ids[0]}" --point east-gate --plan "$plan" \
  --key "$K/official.key"

at $((S + 120))
expect "reconcile while boarding" 0 reconcile --plan "$plan" --fail-on-flag --key "$K/monitor.key"
has_status "boarded after the first point" 0 boarded
has_status "not seen yet: listed" 3 listed
stdout_has "nobody flagged yet" 'flagged 0$'

at $((S + 3000))
expect "sight at the checkpoint" 0 sight "${ids[0]}" --point ramouseh "${mon[@]}"

# Person 2 was last seen at east-gate at S+60; with a tolerance of 60 minutes the next point is
# overdue at S+3660, long before the window closes.
at $((S + 3800))
expect "reconcile: flagged without --fail-on-flag exits 0" 0 reconcile --plan "$plan" --key "$K/official.key"
expect "reconcile --fail-on-flag exits 1 when someone is held" 1 reconcile --plan "$plan" --fail-on-flag \
  --key "$K/official.key"
has_status "held once the next point is overdue" 2 held "! "
has_status "still boarded within the tolerance" 0 boarded
has_status "never sighted after the tolerance: no-show" 3 no-show
first=$(sed -n 2p "$OUT")
[[ $first == "! "* ]] && ok "flagged people come first" || bad "first line '$first'"
grep -q 'last seen at east-gate' <(status_of 2) && ok "held shows the last point" || bad "no last point"

at $((S + 5000))
expect "sight at the destination" 0 sight "${ids[0]}" --point idlib "${mon[@]}"
at $((E + 60))
expect "reconcile after the window: exit 1" 1 reconcile --plan "$plan" --fail-on-flag --key "$K/c1.key"
has_status "arrived" 0 arrived
has_status "missing after the window" 2 missing "! "
stdout_has "summary counts" '^summary: arrived 1; missing 1; no-show 2; flagged 1$'
run key new --role official --label stranger --out "$T/stranger.key" --kdf test
expect "an unregistered key cannot reconcile" 7 reconcile --plan "$plan" --key "$T/stranger.key"
no_secret_in
finish
