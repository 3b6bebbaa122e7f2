#!/usr/bin/env bash
# Transcript test of the log commands: a signed checkpoint and the log key, an entry's leaf
# hash, inclusion and consistency proofs checked by an independent RFC 9162 verifier (below, in
# Python), `amanah verify` on the registry and on an exported copy, and a one-byte change in
# registry.db found and named.
set -uo pipefail
source "$(dirname "$0")/lib.sh" "$1"
fixture=$2
export AMANAH_PASSPHRASE='test passphrase of every user key'
export AMANAH_OPERATOR_PASSPHRASE='the operator passphrase'
"$fixture" make --out "$T/f" --people 4 >/dev/null || { bad "fixture"; finish; }
"$fixture" make --out "$T/g" --people 1 >/dev/null || { bad "fixture g"; finish; }
export AMANAH_REGISTRY=$T/f/registry AMANAH_NOW=1765000100
config=$T/f/registry/config.amanah
mapfile -t ids <"$T/f/ids.txt"

expect "verify before any checkpoint: unavailable" 8 verify --config "$config"
AMANAH_OPERATOR_PASSPHRASE=wrong expect "log checkpoint with a wrong operator passphrase" 4 log checkpoint
expect "log checkpoint" 0 log checkpoint
cp "$OUT" "$T/cp1"
stdout_has "the checkpoint's origin line" '^amanah\.test/registry$'
stdout_has "the log's signature line" '^— amanah\.test/registry [A-Za-z0-9+/=]+$'
size1=$(sed -n 2p "$T/cp1")
expect "log key" 0 log key
stdout_has "the verifier key in note format" '^amanah\.test/registry\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$'

expect "log entry 3" 0 log entry 3
stdout_has "entry type" '^type: attest$'
leaf3=$(sed -n 's/^leaf-hash: //p' "$OUT")
hex3=$(sed -n 's/^leaf: //p' "$OUT")
expect "log entry past the end" 5 log entry 100000
expect "log prove 3 (against the latest checkpoint)" 0 log prove 3
cp "$OUT" "$T/proof3"

# More entries, a second checkpoint, and a consistency proof between the two.
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%MZ; }
run plan create --route a,b --guarantor ICRC --start "$(iso 1765003600)" --end "$(iso 1765010000)" \
  --capacity 9 --tolerance 30 --people "${ids[0]},${ids[2]}" --key "$T/f/keys/official.key"
[ $rc = 0 ] && ok "one more entry" || bad "plan: $(cat "$ERR")"
expect "second checkpoint" 0 log checkpoint
cp "$OUT" "$T/cp2"
size2=$(sed -n 2p "$T/cp2")
expect "log consistency" 0 log consistency "$size1" "$size2"
cp "$OUT" "$T/cons"
expect "log consistency A > B is refused" 2 log consistency "$size2" "$size1"

python3 - "$T" "$hex3" "$leaf3" "$size1" "$size2" <<'PY' && ok "inclusion and consistency proofs verify (RFC 9162, independent)" || bad "proofs do not verify independently"
import base64, hashlib, sys
T, hex3, leaf3, size1, size2 = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
H = lambda b: hashlib.sha256(b).digest()
node = lambda l, r: H(b'\x01' + l + r)
root = lambda f: base64.b64decode(open(f).read().split('\n')[2])
lines = lambda f: [base64.b64decode(l) for l in open(f).read().split('\n') if l]
leaf = H(b'\x00' + bytes.fromhex(hex3))
assert base64.b64encode(leaf).decode() == leaf3, "leaf hash"
def inclusion(i, n, h, proof, r):
    fn, sn = i, n - 1
    for p in proof:
        if sn == 0: return False
        if fn & 1 or fn == sn:
            h = node(p, h)
            while not fn & 1 and fn != 0: fn >>= 1; sn >>= 1
        else:
            h = node(h, p)
        fn >>= 1; sn >>= 1
    return sn == 0 and h == r
def consistency(m, n, r1, r2, proof):
    if m == n: return not proof and r1 == r2
    if m & (m - 1) == 0: proof = [r1] + proof
    fn, sn = m - 1, n - 1
    while fn & 1: fn >>= 1; sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0: return False
        if fn & 1 or fn == sn:
            fr = node(c, fr); sr = node(c, sr)
            while not fn & 1 and fn != 0: fn >>= 1; sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1; sn >>= 1
    return sn == 0 and fr == r1 and sr == r2
assert inclusion(3, size1, leaf, lines(T + '/proof3'), root(T + '/cp1')), "inclusion"
assert not inclusion(4, size1, leaf, lines(T + '/proof3'), root(T + '/cp1')), "wrong index"
assert consistency(size1, size2, root(T + '/cp1'), root(T + '/cp2'), lines(T + '/cons')), "consistency"
PY

expect "verify the registry" 0 verify --config "$config"
stdout_has "verify reports entries" "^OK: $size2 entries verify"
stdout_has "verify reports the root" "^root: $(sed -n 3p "$T/cp2" | sed 's/[+/]/./g')$"
expect "log export" 0 log export --out "$T/entries.txt"
[ "$(wc -l <"$T/entries.txt")" = "$size2" ] && ok "one line per entry" || bad "export lines"
expect "verify an exported copy" 0 verify --config "$config" --entries "$T/entries.txt" --checkpoint "$T/cp2"
expect "verify a copy against the older checkpoint" 0 verify --config "$config" \
  --entries "$T/entries.txt" --checkpoint "$T/cp1"
stdout_has "says what the checkpoint does not cover" '^not covered: 1 later entries'
expect "verify with another registry's config fails" 4 verify --config "$T/g/registry/config.amanah"
head -n 5 "$T/entries.txt" >"$T/short.txt"
expect "verify a truncated copy fails" 4 verify --config "$config" --entries "$T/short.txt" --checkpoint "$T/cp2"
expect "verify needs a checkpoint with --entries" 2 verify --config "$config" --entries "$T/entries.txt"

"$fixture" tamper --db "$T/f/registry/registry.db" --entry 5 >/dev/null || bad "tamper"
expect "verify finds the changed byte" 4 verify --config "$config"
grep -q '^amanah: error: the log does not verify: entry 5: ' "$ERR" && ok "the error names entry 5" \
  || bad "message: $(cat "$ERR")"
for cmd in "plan create" "plan show" "plan substitute" "plan leave" "release request" \
           "release approve" "release refuse" "release status" "release open" "export" "sight" \
           "reconcile" "log checkpoint" "log key" "log entry" "log prove" "log consistency" \
           "log export" "verify"; do
  run $cmd --help
  [ $rc = 0 ] && grep -q '^Example' "$OUT" && ok "$cmd --help has an example" \
    || bad "$cmd --help: exit $rc or no example"
done
no_secret_in
finish
