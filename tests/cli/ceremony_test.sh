#!/usr/bin/env bash
# Transcript test of a 3-of-5 ceremony on the users' machines: five custodian keys, the
# dealer's `ceremony deal`, each custodian's `share verify` and `share accept`, `config show`,
# wrong keys and tampered files, and the drill.
set -uo pipefail
source "$(dirname "$0")/lib.sh" "$1"
export AMANAH_PASSPHRASE='five custodians, one secret each'

for i in 1 2 3 4 5; do
  run key new --role custodian --label "custodian-$i" --out "$T/c$i.key" --kdf test
  [ $rc = 0 ] || bad "key new c$i: exit $rc"
done
run key new --role enroller --label list-keeper --out "$T/e.key" --kdf test
custodians=(); for i in 1 2 3 4 5; do custodians+=(--custodian "$T/c$i.key.pub"); done

expect "an enroller key cannot be a custodian" 2 ceremony deal --name r --k 3 \
  "${custodians[@]:0:8}" --custodian "$T/e.key.pub" --out "$T/no"
expect "k larger than n is refused" 2 ceremony deal --name r --k 6 "${custodians[@]}" --out "$T/no"
expect "the same custodian twice is refused" 2 ceremony deal --name r --k 2 \
  --custodian "$T/c1.key.pub" --custodian "$T/c1.key.pub" --out "$T/no"

expect "ceremony deal 3 of 5" 0 ceremony deal --name north-registry --k 3 "${custodians[@]}" --out "$T/cer"
stdout_has "deal prints the config hash" '^config hash: [0-9a-f]{64}$'
stdout_has "deal says which file goes to whom" 'share-5\.sealed -> custodian 5 "custodian-5" '
hash=$(sed -n 's/^config hash: //p' "$OUT")
n=$(ls "$T/cer" | grep -cE '^share-[1-5]\.sealed$')
[ "$n" = 5 ] && [ -f "$T/cer/config.amanah" ] && ok "config and 5 sealed shares written" || bad "files: $(ls "$T/cer")"
cp -r "$T/cer" "$T/cer-orig"

expect "deal refuses to overwrite a ceremony" 6 ceremony deal --name again --k 3 "${custodians[@]}" --out "$T/cer"
diff -r "$T/cer" "$T/cer-orig" >/dev/null && ok "refused deal changed no file" || bad "refused deal changed files"

expect "config show before acceptances" 0 config show "$T/cer/config.amanah"
stdout_has "config show: threshold" '^threshold: 3 of 5$'
stdout_has "config show: config hash" "^config hash: $hash\$"
stdout_has "config show: none accepted yet" '^acceptances: 0 of 5$'
expect "--min-acceptances 5 fails before acceptances" 4 config show "$T/cer/config.amanah" --min-acceptances 5

for i in 1 2 3 4 5; do
  expect "share verify custodian $i" 0 share verify --config "$T/cer/config.amanah" \
    --share "$T/cer/share-$i.sealed" --key "$T/c$i.key"
  stdout_has "share verify prints OK and index $i" "^OK: share of custodian $i "
done

sum=$(sha256sum "$T/cer/config.amanah")
expect "a share opened with another custodian's key fails" 4 share verify \
  --config "$T/cer/config.amanah" --share "$T/cer/share-2.sealed" --key "$T/c3.key"
sed 's/^index: 2$/index: 3/' "$T/cer/share-2.sealed" >"$T/relabelled.sealed"
expect "custodian 2's share relabelled for custodian 3 fails" 4 share verify \
  --config "$T/cer/config.amanah" --share "$T/relabelled.sealed" --key "$T/c3.key"
stderr_is "relabelled share: the fixed message" \
  "amanah: error: $T/relabelled.sealed: the share does not open or does not verify"
AMANAH_PASSPHRASE=wrong expect "share verify with a wrong passphrase" 4 share verify \
  --config "$T/cer/config.amanah" --share "$T/cer/share-1.sealed" --key "$T/c1.key"
head -n 3 "$T/cer/share-1.sealed" >"$T/trunc.sealed"
expect "truncated share file is malformed" 3 share verify \
  --config "$T/cer/config.amanah" --share "$T/trunc.sealed" --key "$T/c1.key"
expect "share accept with another custodian's key fails" 4 share accept \
  --config "$T/cer/config.amanah" --share "$T/cer/share-2.sealed" --key "$T/c3.key"
[ "$(sha256sum "$T/cer/config.amanah")" = "$sum" ] && ok "failed accepts changed no file" || bad "config changed"

for i in 1 2 3 4 5; do
  expect "share accept custodian $i" 0 share accept --config "$T/cer/config.amanah" \
    --share "$T/cer/share-$i.sealed" --key "$T/c$i.key"
done
stdout_has "accept prints the acceptance line" '^acceptance: 5 [A-Za-z0-9+/]{86}==$'
expect "accepting twice is harmless" 0 share accept --config "$T/cer/config.amanah" \
  --share "$T/cer/share-1.sealed" --key "$T/c1.key"
stdout_has "accepting twice says so" 'had already accepted'
expect "config show with 5 acceptances" 0 config show "$T/cer/config.amanah" --min-acceptances 5
stdout_has "config show: 5 of 5" '^acceptances: 5 of 5$'
stdout_has "config show: verifies" '^verifies: yes '
[ "$(grep -c '  accepted$' "$OUT")" = 5 ] && ok "every custodian listed as accepted" || bad "accepted list"

# A tampered config: an acceptance signature changed.
python3 - "$T/cer/config.amanah" "$T/tampered.amanah" <<'PY'
import sys
lines = open(sys.argv[1]).read().split('\n')
i = [n for n, l in enumerate(lines) if l.startswith('acceptance: 3 ')][0]
l = lines[i]; c = 'A' if l[20] != 'A' else 'B'
lines[i] = l[:20] + c + l[21:]
open(sys.argv[2], 'w').write('\n'.join(lines))
PY
expect_one_of "config with a changed acceptance does not verify" "3 4" config show "$T/tampered.amanah"
sed '2s/^./A/;2s/^AA/B/' "$T/cer/config.amanah" >"$T/tampered2.amanah"
expect_one_of "config with a changed body" "3 4" config show "$T/tampered2.amanah"

# The drill.
run drill challenge; ch=$(cat "$OUT")
[[ "$ch" =~ ^[0-9a-f]{64}$ ]] && ok "drill challenge is 32 random bytes" || bad "drill challenge '$ch'"
expect "drill respond" 0 drill respond --config "$T/cer/config.amanah" --share "$T/cer/share-4.sealed" \
  --key "$T/c4.key" --challenge "$ch" --out "$T/r4.txt"
expect "drill verify" 0 drill verify --config "$T/cer/config.amanah" --response "$T/r4.txt" --challenge "$ch"
stdout_has "drill verify names the custodian" '^OK: custodian 4 "custodian-4" '
run drill challenge; other=$(cat "$OUT")
expect "drill verify with another challenge fails" 4 drill verify --config "$T/cer/config.amanah" \
  --response "$T/r4.txt" --challenge "$other"
python3 - "$T/r4.txt" "$T/r4-as-5.txt" <<'PY'
import base64, sys
head, b64 = open(sys.argv[1]).read().split('\n')[:2]
raw = bytearray(base64.b64decode(b64)); raw[1] = 5
open(sys.argv[2], 'w').write(head + '\n' + base64.b64encode(raw).decode() + '\n')
PY
expect "custodian 4's response claimed by custodian 5 fails" 4 drill verify \
  --config "$T/cer/config.amanah" --response "$T/r4-as-5.txt" --challenge "$ch"
# A wrong share: custodian 4 answers with its share of another registry.
run ceremony deal --name other-registry --k 3 "${custodians[@]}" --out "$T/other"
expect "drill respond with a share of another registry" 0 drill respond \
  --config "$T/other/config.amanah" --share "$T/other/share-4.sealed" --key "$T/c4.key" --challenge "$ch"
cp "$OUT" "$T/wrong-share.txt"
expect "drill verify of a response made with a wrong share fails" 4 drill verify \
  --config "$T/cer/config.amanah" --response "$T/wrong-share.txt" --challenge "$ch"
expect "a share of another config is refused" 4 drill respond --config "$T/cer/config.amanah" \
  --share "$T/other/share-4.sealed" --key "$T/c4.key" --challenge "$ch"
expect "a short challenge is refused" 2 drill respond --config "$T/cer/config.amanah" \
  --share "$T/cer/share-4.sealed" --key "$T/c4.key" --challenge 00ff

no_secret_in
finish
