#!/usr/bin/env bash
# Transcript test of `amanah key`: make, show, fingerprint; wrong passphrase; damaged files;
# refusing to overwrite; where the passphrase may come from.
set -uo pipefail
source "$(dirname "$0")/lib.sh" "$1"
export AMANAH_PASSPHRASE='correct horse battery staple'

expect "key new" 0 key new --role custodian --label medical-ngo --out "$T/c.key" --kdf test
stdout_has "key new prints the fingerprint" '^fingerprint: [0-9A-Z]{4}(-[0-9A-Z]{4}){3}$'
fp=$(sed -n 's/^fingerprint: //p' "$OUT")
[ "$(stat -c %a "$T/c.key")" = 600 ] && ok "secret key file is 0600" || bad "secret key mode $(stat -c %a "$T/c.key")"
head -1 "$T/c.key.pub" | grep -qx 'amanah public key v1' && ok "public key file written" || bad "no public key file"
ls -a "$T" | grep -q '\.tmp-' && bad "a temporary file was left behind" || ok "no temporary file left"

expect "key show (secret) opens with the passphrase" 0 key show "$T/c.key"
stdout_has "key show: role" '^role: custodian$'
stdout_has "key show: label" '^label: medical-ngo$'
stdout_has "key show (secret): same fingerprint" "^fingerprint: $fp\$"
expect "key show (public)" 0 key show "$T/c.key.pub"
stdout_has "key show (public): same fingerprint" "^fingerprint: $fp\$"
expect "key fingerprint" 0 key fingerprint "$T/c.key.pub"
[ "$(cat "$OUT")" = "$fp" ] && ok "key fingerprint prints it alone" || bad "key fingerprint: $(cat "$OUT")"

sum=$(sha256sum "$T/c.key" "$T/c.key.pub")
AMANAH_PASSPHRASE='wrong' expect "wrong passphrase exits 4" 4 key show "$T/c.key"
stderr_is "wrong passphrase: the fixed message" \
  "amanah: error: $T/c.key: secret key file does not open with this passphrase"
[ "$(sha256sum "$T/c.key" "$T/c.key.pub")" = "$sum" ] && ok "wrong passphrase changed no file" || bad "a key file changed"

expect "refuses to overwrite a key" 6 key new --role custodian --label other --out "$T/c.key" --kdf test
stderr_is "refusal names the file and --force" "amanah: error: $T/c.key already exists; use --force to replace it"
[ "$(sha256sum "$T/c.key" "$T/c.key.pub")" = "$sum" ] && ok "refusal changed no file" || bad "a key file changed"
touch "$T/p.key.pub"
expect "refuses when only FILE.pub exists" 6 key new --role enroller --label x --out "$T/p.key" --kdf test
[ ! -e "$T/p.key" ] && ok "nothing written when FILE.pub exists" || bad "p.key written"
expect "--force replaces" 0 key new --role custodian --label other --out "$T/c.key" --kdf test --force
[ "$(sha256sum "$T/c.key" "$T/c.key.pub")" != "$sum" ] && ok "--force wrote a new key" || bad "--force did not replace"

# Damaged secret key files: a clear error (malformed or verify failed), never a crash.
good=$T/c.key
head -c 100 "$good" >"$T/trunc.key"
expect_one_of "truncated key file" "3 4" key show "$T/trunc.key"
head -n 3 "$good" >"$T/trunc2.key"
expect_one_of "key file without its END line" "3 4" key show "$T/trunc2.key"
for pos in 40 60 120 200; do
  python3 - "$good" "$T/flip.key" "$pos" <<'PY'
import sys
data = bytearray(open(sys.argv[1], 'rb').read()); i = int(sys.argv[3])
data[i] = ord('A') if data[i] != ord('A') else ord('B')
open(sys.argv[2], 'wb').write(data)
PY
  expect_one_of "key file with a changed character at $pos" "3 4" key show "$T/flip.key"
done
: >"$T/empty.key"
expect "empty file is malformed" 3 key show "$T/empty.key"
head -c 500 /dev/urandom >"$T/noise.key"
expect "random bytes are malformed" 3 key show "$T/noise.key"
sed 's/^sign: ./sign: A/' "$T/c.key.pub" >"$T/bad.pub"
expect_one_of "public key with a changed key" "3 4" key fingerprint "$T/bad.pub"
expect "missing file is not found" 5 key show "$T/nope.key"

# Where the passphrase comes from.
printf '%s\n' "$AMANAH_PASSPHRASE" >"$T/pass"
(unset AMANAH_PASSPHRASE; "$amanah" key show --passphrase-file "$T/pass" "$T/c.key" >"$OUT" 2>"$ERR" </dev/null); rc=$?
[ $rc = 0 ] && ok "--passphrase-file opens the key" || bad "--passphrase-file: exit $rc"
(unset AMANAH_PASSPHRASE; "$amanah" key show "$T/c.key" >"$OUT" 2>"$ERR" </dev/null); rc=$?
[ $rc = 2 ] && grep -q '^amanah: error: a passphrase is needed and stdin is not a terminal' "$ERR" \
  && ok "no passphrase and no terminal: exit 2" || bad "no passphrase: exit $rc"
AMANAH_PASSPHRASE= expect "empty passphrase refused" 2 key new --role monitor --label m --out "$T/m.key" --kdf test

# Usage errors.
expect "unknown role" 2 key new --role wizard --label x --out "$T/w.key" --kdf test
expect "dealer keys are never saved" 2 key new --role dealer --label x --out "$T/w.key" --kdf test
expect "bad --kdf" 2 key new --role enroller --label x --out "$T/w.key" --kdf fast
expect "label with a control character" 2 key new --role enroller --label $'a\tb' --out "$T/w.key" --kdf test
expect "missing --role is a usage error" 2 key new --label x --out "$T/w.key"

# The profile folder: no --out means <home>/key, in a folder only its owner can open.
expect "key new into the profile" 0 --home "$T/home" key new --role official --label un-officer --kdf test
[ -f "$T/home/key" ] && [ -f "$T/home/key.pub" ] && [ "$(stat -c %a "$T/home")" = 700 ] \
  && ok "profile folder 0700 with key and key.pub" || bad "profile folder"
AMANAH_HOME="$T/home" expect "AMANAH_HOME finds the profile" 6 key new --role official --label x --kdf test

no_secret_in
finish
