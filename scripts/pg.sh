#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests (Debian's postgresql-15), in a folder of its
# own, reachable only through a Unix socket inside that folder (no TCP port, so several can
# run side by side).
#
#   scripts/pg.sh start DIR   makes DIR (must be absent or empty), initdb, starts the server,
#                             creates the database `amanah`, and prints its URL on stdout
#   scripts/pg.sh url DIR     prints the URL of the cluster in DIR
#   scripts/pg.sh stop DIR    stops the server and removes DIR (only a folder this script made)
#
# PostgreSQL refuses to run as root. As root the server runs as the system user
# $AMANAH_PG_USER (default amanah-pg, created with `useradd --system` if missing) through
# runuser; as anyone else it runs as that user. Local connections are trusted: the socket's
# folder is DIR, mode 0700, so only its owner (and root) can reach it. The database role is
# `amanah`, a superuser of this cluster (the tests create a database per test).
set -euo pipefail

bin=${AMANAH_PG_BIN:-/usr/lib/postgresql/15/bin}
role=amanah
marker=.amanah-pg

die() { echo "pg.sh: error: $*" >&2; exit 1; }
usage() { die "usage: scripts/pg.sh start|stop|url DIR"; }

[ $# -eq 2 ] || usage
cmd=$1
dir=$2
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac

url() { echo "postgresql:///amanah?host=$dir/socket&user=$role"; }

# Runs a PostgreSQL program as the cluster's owner, from a folder that user can read.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$dir" && runuser -u "$owner" -- "$@")
  else
    (cd "$dir" && "$@")
  fi
}

owner=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  owner=${AMANAH_PG_USER:-amanah-pg}
fi

case "$cmd" in
  start)
    [ -x "$bin/initdb" ] || die "$bin/initdb not found: install postgresql-15 (scripts/setup.sh)"
    if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then die "$dir exists and is not empty"; fi
    if [ "$(id -u)" -eq 0 ] && ! id -u "$owner" >/dev/null 2>&1; then
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
        "$owner"
    fi
    mkdir -p "$dir"
    chmod 0700 "$dir"
    touch "$dir/$marker"
    mkdir -p "$dir/socket"
    if [ "$(id -u)" -eq 0 ]; then chown -R "$owner:" "$dir"; fi
    as_owner "$bin/initdb" --pgdata="$dir/data" --username="$role" --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait \
      --options="-c listen_addresses='' -c unix_socket_directories='$dir/socket'" \
      start >/dev/null ||
      { cat "$dir/server.log" >&2; die "the server did not start"; }
    as_owner "$bin/createdb" --host="$dir/socket" --username="$role" amanah
    url
    ;;
  url)
    [ -f "$dir/$marker" ] || die "$dir is not a cluster made by scripts/pg.sh"
    url
    ;;
  stop)
    [ -f "$dir/$marker" ] || die "$dir is not a cluster made by scripts/pg.sh"
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" --pgdata="$dir/data" --mode=fast --wait stop >/dev/null ||
        echo "pg.sh: warning: the server did not stop cleanly" >&2
    fi
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
