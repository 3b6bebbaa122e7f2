#!/usr/bin/env bash
# Runs `amanah demo` and checks the story it tells, section by section. The demo's output
# holds synthetic names, so this test keeps it in a temporary folder and prints only its own
# verdicts.
set -uo pipefail
amanah=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
out=$T/demo.out
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
expect() {  # expect "what" "extended regex"
  if grep -Eq -- "$2" "$out"; then ok "$1"; else bad "$1"; fi
}
expect_n() {  # expect_n "what" N "extended regex": exactly N lines match
  local n
  n=$(grep -Ec -- "$3" "$out")
  if [ "$n" = "$2" ]; then ok "$1"; else bad "$1 ($n lines, want $2)"; fi
}
ID='[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z*~$=]{3}'

# A kept demo in a folder of our choosing.
start=$(date +%s%N)
if ! "$amanah" demo --dir "$T/reg" --keep >"$out" 2>&1; then
  bad "amanah demo --dir --keep exited non-zero: $(grep -m1 'error' "$out" | head -c 200)"
  exit 1
fi
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$ms" -lt 10000 ]; then ok "the demo ran in ${ms} ms"; else bad "the demo took ${ms} ms"; fi
for n in 1 2 3 4 5 6 7 8 9; do expect "section $n is there" "^$n\. "; done

# 1. Ceremony and init.
expect_n "five custodians verify their shares" 5 "^  custodian [1-5] sees: its share verifies"
expect "the config verifies with every acceptance" "config verifies: dealer signature and 5 of 5 acceptances"
expect "the registry is initialised with an operator key" "operator: registry initialised in registry.db; entry #0"

# 2. Vetting: six actors active; one custodian suspends an official, who is then refused.
expect_n "six actors admitted by three custodians" 6 "admitted by custodians 1, 2, 3 until .*: active$"
expect "one custodian alone suspends official 2" "custodian 4 alone suspends official 2 .*: official 2 is suspended"
expect "the suspended official is refused" "official 2 files a plan: refused \(policy_denied: .*suspended"

# 3. Import.
expect "the CSV has a BOM and 56 people" "list.csv from a spreadsheet, [0-9]+ bytes, UTF-8 BOM, 57 records \(header \+ 56 people\), quoted fields"
expect "columns are mapped from Arabic and English headers" "full_name←\"الاسم الكامل\".*role←\"Occupation\""
expect "a bad batch is refused whole" "a batch with one record twice: refused whole \(conflict: "
expect "the import is committed in one transaction" "import progress: .*56 / 56 checked, committed in one transaction as entries #"
expect_n "enroller 2 enrols four people one by one" 4 "enroller 2 enrols one person at the desk: entry #[0-9]+, card $ID \(QR AMANAH:ID:$ID\)"

# 4. The operator's view and the database scan.
expect "the operator sees a pseudonym" "operator sees: record $ID at entry #"
expect "the operator sees C1 and the ciphertext's size" "operator sees: C1 [0-9a-f]{12}…, [0-9]+ bytes of ciphertext"
expect "the operator sees coarse attributes" "operator sees: clear attributes .*consent=.*district=.*role="
expect "no name in registry.db or its WAL" "database scan: 60 names \(30 in Arabic script, 30 in Latin\) searched in registry.db .*: 0 found$"

# 5. Listings: small groups hidden from an official, exact for a custodian.
expect "an official sees <5 for a small role" "official 1 sees by role: .*lawyer <5"
expect "a custodian sees the exact count" "custodian 2 sees by role: .*lawyer 4"
expect "an official sees <5 for a small district" "official 1 sees by district: .*Salah al-Din <5"
expect "a custodian sees the district's count" "custodian 2 sees by district: .*Salah al-Din 3"

# 6. Plan, release, approvals, refusal, opening.
expect "seats are counted by household" "refused \(policy_denied: over capacity: [0-9]+ seats for [0-9]+\)"
expect "the plan names route, guarantor and window" "route east-gate → ramouseh → al-rashideen → idlib, guarantor ICRC, window 08:00–18:00 UTC"
expect "consent filtering: told how many, not who" "official 1 sees: 10 people in the release; 2 left out because their consent"
expect "opening before 3 approvals is refused" "tries to open after 2 approvals: refused \(policy_denied: too few approvals: 2 of 3\)"
expect_n "three custodians check inclusion before approving" 3 "custodian [135] sees: request #[0-9]+ is in the signed checkpoint of size [0-9]+ \(inclusion proof\), consistent"
expect "a fourth custodian refuses with a reason" "custodian 4 refuses \(entry #[0-9]+\), reason: .+"
expect "the official opens the release" "official 1 opens the release \(entry #[0-9]+\)"
expect_n "only the first manifest rows are shown" 4 "^  official reads: $ID \| .+ \| born [0-9]{4} \| "
expect "the manifest's counts" "manifest of 10 people \(first 4 shown\), patients 1, companions 1, seats [0-9]+; opened with custodians 1, 3, 5"
expect "another official cannot open it" "official 2 cannot open it"

# 7. Sightings and reconciliation.
expect "sightings by typed IDs and QR payloads" "monitor 1 at east-gate: 11 sighted \([0-9]+ typed IDs, [0-9]+ QR scans\)"
expect "a mistyped ID is caught" "refuses a mistyped ID .*check symbol does not match"
expect "held at once, at ramouseh, before the window closes" "^  (0[89]|1[0-7]):[0-9]{2} official 1 sees: $ID held, last seen at ramouseh [0-9:]+, al-rashideen overdue \(flagged while the window is open\)"
expect "missing at the window's close, after al-rashideen" "^  18:[0-9]{2} official 1 sees: $ID missing, last seen at al-rashideen [0-9:]+, idlib never reached$"
expect "the close tallies arrivals, the missing and the no-show" "official 1 sees: arrived 10, missing 1, no-show 1 \(window closed\)"

# 8. Withdrawal.
expect "the sealed bytes are erased" "operator sees after: 0 sealed bytes, withdrawn yes"
expect "the erased ciphertext is in no database file" "the erased ciphertext found 0 times"
expect "the pseudonym cannot be enrolled again" "enrols the same pseudonym again: refused \(conflict: "
expect "the pseudonym cannot be planned" "puts it on a new plan: refused \(policy_denied: "

# 9. Verification by a third party.
expect "the log verifies with the public config" "verifier sees: log verified: [0-9]+ entries, .*root [0-9a-f]{64}$"
expect "a flipped bit is caught" "one bit flipped in entry #[0-9]+ fails"

# Names appear only on the official's lines: no other line holds a name the official read,
# and no other line holds Arabic script but the CSV's header names.
names=$T/names
grep -E '^  official reads: ' "$out" | awk -F ' \\| ' '{print $2}' >"$names"
others=$T/others
grep -vE '^  official reads: ' "$out" >"$others"
if [ "$(wc -l <"$names")" -lt 4 ]; then bad "the official read no names"
elif grep -qFf "$names" "$others"; then bad "a name appears outside the official's lines"
else ok "names appear only in the official's lines"; fi
if grep -E '^  operator sees' "$out" | grep -qFf "$names"; then bad "the operator's view shows a name"
else ok "the operator's view holds no name"; fi
if grep -v 'columns .*full_name' "$others" | LC_ALL=C grep -qP '\xD8|\xD9'; then
  bad "Arabic text outside the official's lines"
else ok "no Arabic text outside the official's lines and the header"; fi
# Our own scan of the kept database for the names the official read.
if [ -f "$T/reg/registry.db" ] && [ -f "$T/reg/config.amanah" ]; then
  ok "--keep keeps registry.db and config.amanah"
  if cat "$T"/reg/registry.db* | grep -aqFf "$names"; then bad "a name is in the kept database"
  else ok "the kept database holds none of the names read"; fi
else bad "--keep did not keep the registry"; fi

# --dir refuses a folder that is not empty; the default folder is removed afterwards.
if "$amanah" demo --dir "$T/reg" >"$T/again.out" 2>&1; then bad "--dir accepted a non-empty folder"
elif grep -q '^amanah: error: .*not empty' "$T/again.out"; then ok "--dir refuses a non-empty folder"
else bad "--dir: no clear error for a non-empty folder"; fi
if "$amanah" demo >"$T/tmp.out" 2>&1; then
  dir=$(sed -n 's/^Demo folder: //p' "$T/tmp.out")
  if [ -n "$dir" ] && [ ! -e "$dir" ]; then ok "the temporary demo folder is removed"
  else bad "the temporary demo folder is left behind"; fi
else bad "amanah demo (temporary folder) exited non-zero"; fi
exit $fail
