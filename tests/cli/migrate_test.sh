#!/usr/bin/env bash
# Transcript test of moving a registry from SQLite to PostgreSQL: `registry migrate --to URL`
# into an empty database prints the same log size and root for both; the registry then works
# on PostgreSQL (--store, $AMANAH_STORE): list, withdraw, checkpoint, verify. A second migrate
# into the now non-empty database is refused (exit 6) and changes nothing; an unreachable
# server is exit 8 with a clear reason and no password in the message.
# `registry init --store URL` sets a new registry up in PostgreSQL, and refuses a database
# that already holds one. Needs $AMANAH_TEST_POSTGRES_URL (scripts/pg.sh); fails without it.
set -uo pipefail
source "$(dirname "$0")/lib.sh" "$1"
fixture=$2
if [ -z "${AMANAH_TEST_POSTGRES_URL:-}" ]; then
  bad "AMANAH_TEST_POSTGRES_URL is not set: run scripts/test.sh, or export the URL that \
scripts/pg.sh start DIR prints (or configure with -DAMANAH_POSTGRES_TESTS=OFF)"
  finish
fi
db="amanah_migrate_$$"
db2="amanah_init_$$"
for d in "$db" "$db2"; do
  psql -qX "$AMANAH_TEST_POSTGRES_URL" -c "CREATE DATABASE $d" || { bad "create database"; finish; }
done
trap 'for d in "$db" "$db2"; do
        psql -qX "$AMANAH_TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)"
      done; rm -rf "$T"' EXIT
with_db() {
  case "$AMANAH_TEST_POSTGRES_URL" in
    *\?*) echo "$AMANAH_TEST_POSTGRES_URL&dbname=$1" ;;
    *) echo "$AMANAH_TEST_POSTGRES_URL?dbname=$1" ;;
  esac
}
url=$(with_db "$db")
url2=$(with_db "$db2")

# stdout_line "what" TEXT: stdout has TEXT as a whole line (no regex: roots hold + and /).
stdout_line() { grep -qxF -- "$2" "$OUT" && ok "$1" || bad "$1: stdout lacks the line '$2'"; }

export AMANAH_PASSPHRASE='test passphrase of every user key'
export AMANAH_OPERATOR_PASSPHRASE='the operator passphrase'
"$fixture" make --out "$T/f" --people 6 >/dev/null || { bad "fixture"; finish; }
export AMANAH_REGISTRY=$T/f/registry AMANAH_NOW=1765000100
config=$T/f/registry/config.amanah
expect "a checkpoint on SQLite" 0 log checkpoint
expect "verify on SQLite" 0 verify --config "$config"
sqlite_root=$(sed -n 's/^root: //p' "$OUT")
n=$(sed -n 's/^OK: \([0-9]*\) entries.*/\1/p' "$OUT")

expect "migrate into the empty database" 0 registry migrate --to "$url"
stdout_line "the source's size and root" "source: $n entries, root $sqlite_root"
stdout_line "the target's size and root" "target: $n entries, root $sqlite_root"
stdout_has "both the same" '^same log size and root hash: yes$'
stdout_has "what was copied" '^copied: actors 10, records 6 .* checkpoints 1$'

expect "verify on PostgreSQL (--store)" 0 verify --config "$config" --store "$url"
stdout_line "the same root on PostgreSQL" "root: $sqlite_root"
AMANAH_STORE=$url expect "list on PostgreSQL (\$AMANAH_STORE)" 0 list --ids --key "$T/f/keys/c1.key"
[ "$(wc -l <"$OUT")" = 6 ] && ok "six people listed" || bad "six people: $(wc -l <"$OUT") listed"
id=$(AMANAH_STORE=$url "$amanah" list --ids --key "$T/f/keys/c1.key" | head -1)
AMANAH_STORE=$url expect "withdraw on PostgreSQL" 0 withdraw "$id" --reason request \
  --key "$T/f/keys/enroller.key"
AMANAH_STORE=$url expect "a checkpoint on PostgreSQL" 0 log checkpoint
AMANAH_STORE=$url expect "verify the grown log on PostgreSQL" 0 verify --config "$config"
stdout_has "one more entry" "^OK: $((n + 1)) entries verify"
expect "the SQLite store is left as it was" 0 verify --config "$config"
stdout_has "the SQLite log unchanged" "^OK: $n entries verify"

expect "migrate into a non-empty database is refused" 6 registry migrate --to "$url"
stderr_is "the refusal says why" "amanah: error: --to $url: the target store is not empty (its log has $((n + 1)) entries, 6 records): a registry moves only into an empty database"
AMANAH_STORE=$url expect "the target unchanged by the refusal" 0 verify --config "$config"
stdout_has "still one more entry" "^OK: $((n + 1)) entries verify"

expect "an unreachable server" 8 registry migrate --to 'postgresql://amanah:hunter2@127.0.0.1:1/amanah'
stderr_is "a clear reason, the password masked" \
  "amanah: error: --to postgresql://amanah:***@127.0.0.1:1/amanah: postgres: cannot connect: connection refused"
expect "--store that cannot be reached" 8 list --store 'postgresql:///amanah?host=/nonexistent-amanah' \
  --key "$T/f/keys/c1.key"
expect "migrate onto itself is refused" 2 registry migrate --to "$T/f/registry/registry.db"

expect "registry init into PostgreSQL" 0 registry init --config "$config" --registry "$T/new" \
  --store "$url2" --kdf test
[ -f "$T/new/operator.key" ] && [ ! -e "$T/new/registry.db" ] && ok "the folder has the key, no registry.db" \
  || bad "init --store: wrong files in the folder"
expect "a checkpoint of the new registry" 0 log checkpoint --registry "$T/new" --store "$url2"
stdout_has "entry 0 only" '^1$'
expect "a second init into the same database is refused" 6 registry init --config "$config" \
  --registry "$T/new2" --store "$url2" --kdf test
[ -z "$(ls -A "$T/new2" 2>/dev/null)" ] && ok "the refused init left no file" || bad "the refused init left files"
finish
