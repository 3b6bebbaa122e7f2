#!/usr/bin/env bash
# Runs `amanah demo` and checks the story it tells, step by step. The demo's output holds
# synthetic names, so this test keeps it in a temporary file and prints only its own verdicts.
set -uo pipefail
amanah=$1
out=$(mktemp)
trap 'rm -f "$out"' EXIT

if ! "$amanah" demo >"$out" 2>&1; then
  echo "FAIL: amanah demo exited non-zero"; exit 1
fi
fail=0
expect() {  # expect "what" "extended regex"
  if grep -Eq -- "$2" "$out"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi
}
expect "a 3-of-5 ceremony ran and every custodian verified its share" "5 of 5 custodians verified their shares"
expect "the config verifies with every acceptance" "config verifies"
expect "the operator's view shows a pseudonym" "operator sees: [0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z*~$=]{3}"
expect "two partials cannot open" "2 valid partials, 3 needed"
expect "a bad partial is named" "partials that do not verify: custodian 4"
expect "three valid partials open the record" "opened with custodians 1, 3, 5"
expect "a wrong official cannot open the partials" "another official cannot open the partials"
# The operator's view must hold no name: every line the demo marks as the operator's must
# be free of the record's name, which the demo marks on the official's line.
name=$(grep -E '^  official reads: ' "$out" | sed 's/^  official reads: //')
if [ -z "$name" ]; then echo "FAIL: the official read nothing"; fail=1;
elif grep -E '^  operator sees' "$out" | grep -qF -- "$name"; then
  echo "FAIL: the operator's view shows the name"; fail=1
else echo "ok: the operator's view holds no name"; fi
exit $fail
