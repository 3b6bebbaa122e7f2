#!/usr/bin/env bash
# Transcript test of the help texts: the exit codes are documented, every command has a
# purpose and an example, and usage errors read "amanah: error:" with exit 2.
set -uo pipefail
source "$(dirname "$0")/lib.sh" "$1"
expect "amanah --help" 0 --help
stdout_has "--help documents the exit codes" '^Exit codes: 0 success, 2 usage'
stdout_has "--help documents AMANAH_PASSPHRASE" 'AMANAH_PASSPHRASE'
for cmd in "key new" "key show" "key fingerprint" "ceremony deal" "share verify" "share accept" \
           "config show" "drill challenge" "drill respond" "drill verify" "card" "id new" \
           "id check" "demo"; do
  run $cmd --help
  [ $rc = 0 ] && grep -q '^Example' "$OUT" && ok "$cmd --help has an example" \
    || bad "$cmd --help: exit $rc or no example"
done
expect "no command is a usage error" 2
expect "an unknown command is a usage error" 2 frobnicate
expect "an unknown verb is a usage error" 2 key frobnicate
finish
