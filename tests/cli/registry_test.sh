#!/usr/bin/env bash
# Transcript test of the registry commands on a local SQLite registry: registry init, actor
# register/admit/suspend/reinstate/list, enrol, import, list, withdraw. Prints only verdicts:
# never a name, a passphrase or a field value.
set -uo pipefail
source "$(dirname "$0")/lib.sh" "$1"
export AMANAH_PASSPHRASE='each user, one passphrase'
export AMANAH_OPERATOR_PASSPHRASE='the operator has another'
export AMANAH_NOW=1765000000  # a fixed clock (2025-12-06): entries compare times with it
export AMANAH_REGISTRY=$T/reg
NAME_AR='محمد عبد الله الحلبي'
NAME_LAT='Layla Haddad-Testname'

for i in 1 2 3 4 5; do run key new --role custodian --label "custodian-$i" --out "$T/c$i.key" --kdf test; done
run key new --role enroller --label list-keeper --out "$T/e.key" --kdf test
run key new --role enroller --label second-keeper --out "$T/e2.key" --kdf test
run key new --role official --label unhcr-officer --out "$T/o.key" --kdf test
custodians=(); for i in 1 2 3 4 5; do custodians+=(--custodian "$T/c$i.key.pub"); done
run ceremony deal --name north-registry --k 3 "${custodians[@]}" --out "$T/cer"
[ $rc = 0 ] || bad "ceremony deal: exit $rc"
accept() { run share accept --config "$T/cer/config.amanah" --share "$T/cer/share-$1.sealed" --key "$T/c$1.key"; }
accept 1; accept 2

for cmd in "registry init" "actor register" "actor admit" "actor suspend" "actor reinstate" \
           "actor list" "enrol" "import" "list" "withdraw"; do
  run $cmd --help
  [ $rc = 0 ] && grep -q '^Example' "$OUT" && ok "$cmd --help has an example" \
    || bad "$cmd --help: exit $rc or no example"
done
run import --help; grep -q 'SENSITIVE' "$OUT" && ok "import --help says the ids file is sensitive" \
  || bad "import --help: ids file"

# --- registry init -------------------------------------------------------------------------
expect "init refuses a config with 2 of k=3 acceptances" 4 registry init --config "$T/cer/config.amanah" --kdf test
grep -q 'at least k = 3' "$ERR" && ok "the refusal says k acceptances are needed" || bad "refusal text"
[ ! -e "$T/reg/registry.db" ] && ok "refused init wrote no database" || bad "refused init wrote a database"
accept 3
expect "registry init" 0 registry init --config "$T/cer/config.amanah" --kdf test
stdout_has "init prints the origin" '^origin: amanah/[0-9a-f]{32}$'
stdout_has "init prints the log key" '^log key: amanah/[0-9a-f]{32}\+[0-9a-f]{8}\+'
[ "$(stat -c %a "$T/reg/operator.key")" = 600 ] && ok "operator key is 0600" || bad "operator key mode"
expect "a second init is refused" 6 registry init --config "$T/cer/config.amanah" --kdf test
expect "init with an invalid origin is refused" 2 registry init --config "$T/cer/config.amanah" \
  --kdf test --origin 'has space' --registry "$T/reg2"

# --- actors --------------------------------------------------------------------------------
fp() { "$amanah" key fingerprint "$1.pub"; }
E=$(fp "$T/e.key"); E2=$(fp "$T/e2.key"); O=$(fp "$T/o.key")
expect "enroller registers itself" 0 actor register --key "$T/e.key"
stdout_has "register says pending" '^status: pending'
expect "registering twice is a conflict" 6 actor register --key "$T/e.key"
expect "an official without --org-kind is refused" 2 actor register --key "$T/o.key" --org "UNHCR Gaziantep"
expect "official registers itself" 0 actor register --key "$T/o.key" --org "UNHCR Gaziantep" --org-kind un
expect "second enroller registers" 0 actor register --key "$T/e2.key"
expect "an enroller cannot admit" 7 actor admit "$E2" --key "$T/e.key"
for i in 1 2 3; do
  expect "custodian $i admits the enroller" 0 actor admit "$E" --key "$T/c$i.key" --days 180
  expect "custodian $i admits the official" 0 actor admit "$O" --key "$T/c$i.key"
  expect "custodian $i admits the second enroller" 0 actor admit "$E2" --key "$T/c$i.key"
done
stdout_has "after 3 admissions: active" '^status: active$'
expect "actor list" 0 actor list --key "$T/c1.key"
grep -qE "^$E +enroller +active " "$OUT" && ok "actor list: enroller active" || bad "actor list: enroller"
grep -qE "^$O +official +active .*UNHCR Gaziantep \(un\)" "$OUT" && ok "actor list: official with org" || bad "actor list: official"
expect "a bad fingerprint is malformed" 3 actor admit NOT-A-FINGERPRINT --key "$T/c1.key"

expect "custodian 4 suspends the enroller" 0 actor suspend "$E" --key "$T/c4.key"
stdout_has "status suspended" '^status: suspended$'
run actor list --key "$T/c1.key"
grep -qE "^$E +enroller +suspended " "$OUT" && ok "actor list: suspended" || bad "actor list: not suspended"
expect "a suspended enroller cannot enrol" 7 enrol --key "$T/e.key" --name x --role medic \
  --district d --consent un --list l
expect "reinstate 1" 0 actor reinstate "$E" --key "$T/c1.key"
expect "reinstate 2" 0 actor reinstate "$E" --key "$T/c2.key"
stdout_has "two reinstatements: still suspended" '^status: suspended$'
expect "reinstate 3" 0 actor reinstate "$E" --key "$T/c5.key"
stdout_has "three reinstatements: active again" '^status: active$'

# --- enrol ---------------------------------------------------------------------------------
count_list() {  # exact count of list $1 as custodian 1 sees it (0 if absent)
  "$amanah" list --by list --key "$T/c1.key" | awk -v l="$1" '$2 == l { print $1; f=1 } END { if (!f) print 0 }'
}
expect "enrol one person (Arabic name)" 0 enrol --key "$T/e.key" --name "$NAME_AR" --birth-year 1979 \
  --phone '+963 944 000 000' --role medic --district al-mashhad --needs medical --household 3 \
  --companions 1 --consent un,ngo --list single --card "$T/card.svg"
ID=$(sed -n 's/^enrolled: //p' "$OUT")
run id check "$ID"
[ $rc = 0 ] && [ "$(cat "$OUT")" = "$ID" ] && ok "id check accepts the new pseudonym" || bad "id check of the new pseudonym"
grep -qF -- "$ID" "$T/card.svg" && ok "the card carries the ID" || bad "the card lacks the ID"
[ "$(count_list single)" = 1 ] && ok "one record on the list" || bad "count after enrol"
AMANAH_PASSPHRASE=wrong expect "enrol with a wrong passphrase" 4 enrol --key "$T/e.key" \
  --name "$NAME_LAT" --role aid --district x --consent un --list single
[ "$(count_list single)" = 1 ] && ok "wrong passphrase wrote nothing" || bad "wrong passphrase wrote"
expect "enrol without --name and no terminal: usage error" 2 enrol --key "$T/e.key" \
  --role aid --district x --consent un --list single </dev/null
expect "a bad role is refused" 2 enrol --key "$T/e.key" --name "$NAME_LAT" --role doctor \
  --district x --consent un --list single
expect "a bad birth year is refused" 2 enrol --key "$T/e.key" --name "$NAME_LAT" --birth-year 79 \
  --role aid --district x --consent un --list single

# --- import --------------------------------------------------------------------------------
# ~200 rows: UTF-8 BOM, CRLF, quoted fields with commas, quotes and newlines, Arabic names.
python3 - "$T/list.csv" "$T/bad.csv" "$T/kobo.csv" <<'PY'
import sys
roles = ['medic', 'journalist', 'aid', 'rescue', 'lawyer']
rows = ['First Name,Surname,Year of Birth,Occupation,Area,Needs,Household,Consent,Phone,Remarks']
for i in range(200):
    given = ['محمد', 'Muhammad', 'ليلى', 'Layla'][i % 4] + str(i)
    family = ['"عبد الله, الحلبي"', 'Haddad', '"Al ""Hakim"""', 'الحلبي'][i % 4]
    district = 'al-mashhad' if i < 150 else ('bustan' if i < 197 else 'tiny-district')
    needs = '"medical,mobility"' if i % 10 == 0 else ''
    rows.append(f'{given},{family},{1950 + i % 50},{roles[i % 5]},{district},{needs},'
                f'{1 + i % 4},"un, ngo",+963 9{i:08d},"line one\nline two"')
open(sys.argv[1], 'wb').write(b'\xef\xbb\xbf' + '\r\n'.join(rows).encode() + b'\r\n')
bad = rows[:12]
# Every record spans two physical lines (the quoted remark holds a newline): data row r
# starts on line 2r. Rows 4, 8 and 11 are broken.
bad[4] = bad[4].replace(',1953,', ',53,')                  # line 8: birth year
bad[8] = bad[8].replace(',medic,', ',surgeon,', 1).replace(',journalist,', ',surgeon,', 1)
bad[8] = bad[8].replace(',aid,', ',surgeon,', 1).replace(',rescue,', ',surgeon,', 1)
bad[8] = bad[8].replace(',lawyer,', ',surgeon,', 1)          # line 16: role
bad[11] = bad[11].replace('"un, ngo"', '"un, press"')        # line 22: consent
open(sys.argv[2], 'wb').write(('\r\n'.join(bad) + '\r\n').encode())
# KoboToolbox export: ';' delimiter, group paths, metadata columns.
k = ['start;end;group_person/name;group_person/occupation;group_loc/area;group_hh/household_members;_uuid;_submission_time']
for i in range(12):
    k.append(f'2025-01-01;2025-01-01;كوبو شخص {i};{roles[i % 5]};idlib;{1 + i % 3};uuid-{i};2025-01-02')
open(sys.argv[3], 'w').write('\n'.join(k) + '\n')
PY
expect "import without --yes and no terminal is refused" 2 import "$T/list.csv" --list bulk \
  --ids-out "$T/ids-refused.csv" --key "$T/e.key" </dev/null
[ ! -e "$T/ids-refused.csv" ] && [ "$(count_list bulk)" = 0 ] && ok "refused import wrote nothing" || bad "refused import wrote"
expect "import 200 rows" 0 import "$T/list.csv" --list bulk --ids-out "$T/ids.csv" --key "$T/e.key" --yes
stdout_has "import shows the row count" '200 people to enrol'
stdout_has "import summary uses <5" 'by district:.*<5 tiny-district'
stdout_has "import says where the IDs are" "^pseudonyms: $T/ids.csv"
grep -q '^import: 100%$' "$ERR" && ok "progress lines without a terminal" || bad "progress lines"
[ "$(count_list bulk)" = 200 ] && ok "200 records on the list" || bad "import count $(count_list bulk)"
[ "$(stat -c %a "$T/ids.csv")" = 600 ] && ok "ids file is 0600" || bad "ids file mode"
[ "$(tail -n +2 "$T/ids.csv" | wc -l)" = 200 ] && ok "ids file has 200 rows" || bad "ids rows"
first_id=$(sed -n '2s/^[0-9]*,\(.*\)\r$/\1/p' "$T/ids.csv")
run id check "$first_id"; [ $rc = 0 ] && ok "ids file holds valid IDs" || bad "ids file ID"

expect "a CSV with 3 bad rows" 3 import "$T/bad.csv" --list broken --ids-out "$T/ids-bad.csv" --key "$T/e.key" --yes
for l in 8 16 22; do grep -q ": line $l: " "$ERR" && ok "bad row on line $l reported" || bad "line $l not reported"; done
[ "$(grep -c ': line [0-9]*: ' "$ERR")" = 3 ] && ok "exactly 3 rows reported" || bad "reported rows"
grep -qE 'محمد|Layla|Muhammad|ليلى|surgeon|press' "$ERR" && bad "an error shows field content" || ok "errors show no field content"
[ "$(count_list broken)" = 0 ] && [ ! -e "$T/ids-bad.csv" ] && ok "bad CSV: nothing written" || bad "bad CSV wrote"

expect "Kobo export with the preset" 0 import "$T/kobo.csv" --preset kobo --list kobo \
  --default-consent icrc --ids-out "$T/ids-kobo.csv" --key "$T/e.key" --yes
[ "$(count_list kobo)" = 12 ] && ok "12 Kobo rows enrolled" || bad "Kobo count"
grep -q '_uuid' "$OUT" && bad "metadata shown as a column" || ok "Kobo metadata not imported"

# More rows than one sealing batch (1,024): three batches, sealed while the one before is
# appended, in one transaction.
python3 - "$T/big.csv" <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    f.write('First Name,Surname,Occupation,Area,Consent\n')
    for i in range(2600):
        f.write(f'Test{i},Person{i},medic,district-{i % 9},un\n')
PY
AMANAH_IMPORT_CPU_OUT="$T/cpu.tsv" expect "import 2,600 rows (three batches)" 0 import "$T/big.csv" \
  --list big --ids-out "$T/ids-big.csv" --key "$T/e.key" --yes
[ "$(count_list big)" = 2600 ] && ok "2,600 records on the list" || bad "big import count $(count_list big)"
# The CPU tally for scripts/bench.sh: the rows, then seconds (process, main thread, first pass,
# sealing on each thread, appending thread, commit); both threads sealed, and no part exceeds
# the process.
awk -F'\t' 'NR == 1 && NF == 8 && $1 == 2600 && $5 > 0 && $6 > 0 && $7 > 0 \
  && $3 >= $4 + $5 + $8 && $2 >= $3 + $6 + $7 { good = 1 } END { exit !(good && NR == 1) }' \
  "$T/cpu.tsv" && ok "the import's CPU tally adds up" || bad "CPU tally: $(cat "$T/cpu.tsv")"
[ "$(tail -n +2 "$T/ids-big.csv" | cut -d, -f2 | sort -u | wc -l)" = 2600 ] \
  && ok "2,600 distinct pseudonyms in the ids file" || bad "big ids file"
[ "$(tail -n +2 "$T/ids-big.csv" | cut -d, -f1 | tr -d '\r' | sort -n | tail -1)" = 2601 ] \
  && ok "the ids file names the last line" || bad "big ids file lines"

printf 'First Name,Occupation,Area,Consent\nTally Test,medic,d1,un\n' >"$T/one.csv"
AMANAH_IMPORT_CPU_OUT="$T/no-such-dir/cpu.tsv" expect "an unwritable CPU tally does not fail the import" \
  0 import "$T/one.csv" --list tally --ids-out "$T/ids-tally.csv" --key "$T/e.key" --yes
grep -q '^warning: .*cannot write the CPU tally' "$ERR" && [ "$(count_list tally)" = 1 ] \
  && ok "the import is committed and the tally's failure is a warning" || bad "unwritable tally"

# --- list ----------------------------------------------------------------------------------
expect "official sees counts" 0 list --by district --key "$T/o.key"
grep -qE '^ +<5  tiny-district$' "$OUT" && ok "official: small cell shown as <5" || bad "official <5"
grep -qE '^ +<5  al-mashhad$' "$OUT" && bad "official: big cell hidden" || ok "official: big cells exact"
expect "custodian sees counts" 0 list --by district --key "$T/c1.key"
grep -qE '^ +3  tiny-district$' "$OUT" && ok "custodian: exact small cell" || bad "custodian exact"
expect "count by need" 0 list --by need --key "$T/c1.key"
grep -qE '^ +21  medical$' "$OUT" && ok "needs counted" || bad "need counts"
expect "an official cannot list IDs" 7 list --ids --key "$T/o.key"
expect "an enroller lists IDs of a list" 0 list --ids --list single --key "$T/e.key"
[ "$(cat "$OUT")" = "$ID" ] && ok "list --ids prints the pseudonym" || bad "list --ids"

# --- withdraw ------------------------------------------------------------------------------
expect "another enroller cannot withdraw the record" 7 withdraw "$ID" --reason request --key "$T/e2.key"
expect "withdraw" 0 withdraw "$ID" --reason safety --key "$T/e.key"
[ "$(count_list single)" = 0 ] && ok "counts drop after withdrawal" || bad "count after withdraw"
expect "a second withdrawal is a conflict" 6 withdraw "$ID" --reason safety --key "$T/c2.key"
expect "the withdrawn ID cannot be enrolled again" 6 enrol --key "$T/e.key" --id "$ID" \
  --name "$NAME_LAT" --role aid --district x --consent un --list single
expect "a custodian withdraws an imported record" 0 withdraw "$first_id" --reason duplicate --key "$T/c3.key"
[ "$(count_list bulk)" = 199 ] && ok "import count drops" || bad "bulk count after withdraw"

# --- no name in clear ----------------------------------------------------------------------
found=0
for f in "$T/reg/registry.db" "$T/reg/registry.db-wal"; do
  [ -e "$f" ] || continue
  for n in "$NAME_AR" "محمد" "Muhammad" "Layla" "كوبو شخص" "Haddad"; do
    c=$(grep -c -a -F -- "$n" "$f"); [ "$c" = 0 ] || found=1
  done
done
[ $found = 0 ] && ok "the database holds no test name in clear" || bad "a name is in the database"
no_secret_in
finish
