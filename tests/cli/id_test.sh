#!/usr/bin/env bash
# Transcript test of `amanah id`: what a user types, what the command must answer.
set -uo pipefail
amanah=$1
fail=0
check() {  # check "what" expected_exit expected_stdout -- args...
  local what=$1 want_rc=$2 want_out=$3; shift 4
  local out rc
  out=$("$amanah" "$@" 2>/tmp/amanah_id_err.$$); rc=$?
  if [ "$rc" != "$want_rc" ] || [ "$out" != "$want_out" ]; then
    echo "FAIL: $what: exit $rc (want $want_rc), stdout '$out' (want '$want_out')"; fail=1
  else echo "ok: $what"; fi
}
check "canonical ID" 0 "DXGN-Q2EJ-8QK" -- id check DXGN-Q2EJ-8QK
check "Crockford aliases and no hyphens" 0 "DXGN-Q2EJ-8QK" -- id check dxgnq2ej8qk
check "typo rejected as malformed" 3 "" -- id check DXGN-Q2EJ-8QX
check "swap of neighbours rejected" 3 "" -- id check DXGN-2QEJ-8QK
grep -q "^amanah: error: .*check symbol" /tmp/amanah_id_err.$$ || { echo "FAIL: error text"; fail=1; }
check "usage error exits 2" 2 "" -- id frobnicate
n=$("$amanah" id new -n 50 | sort -u | grep -cE '^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}[0-9A-Z*~$=]$')
[ "$n" = 50 ] && echo "ok: 50 distinct well-formed new IDs" || { echo "FAIL: id new gave $n"; fail=1; }
for id in $("$amanah" id new -n 20); do
  "$amanah" id check "$id" >/dev/null || { echo "FAIL: new ID $id does not check"; fail=1; }
done
rm -f /tmp/amanah_id_err.$$
exit $fail
