# Shared helpers of the transcript tests: run the real `amanah` binary, compare exit code,
# stdout and stderr, and print one verdict line per check. Never prints a passphrase.
# Usage: source lib.sh "$amanah"; ... ; finish
amanah=$1
fail=0
T=$(mktemp -d)
export AMANAH_HOME=$T/home  # never the real ~/.amanah: tests stay hermetic
trap 'rm -rf "$T"' EXIT
OUT=$T/.stdout
ERR=$T/.stderr

ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }

# run ARGS...: runs amanah, keeps stdout in $OUT, stderr in $ERR, exit code in $rc.
run() { "$amanah" "$@" >"$OUT" 2>"$ERR"; rc=$?; cat "$OUT" "$ERR" >>"$T/.log"; }

# expect "what" CODE ARGS...: runs and checks the exit code; a non-zero code must come with
# an "amanah: error: " line on stderr, and a crash (signal, sanitizer) is never accepted.
expect() {
  local what=$1 want=$2; shift 2
  run "$@"
  if [ "$rc" != "$want" ]; then bad "$what: exit $rc (want $want): $(head -c 300 "$ERR")"; return 1; fi
  if [ "$want" != 0 ] && ! grep -q '^amanah: error: ' "$ERR"; then
    bad "$what: no 'amanah: error:' line on stderr"; return 1
  fi
  ok "$what"
}

# expect_one_of "what" "3 4" ARGS...: as expect, for failures that may be malformed or
# verify_failed depending on where the damage lands.
expect_one_of() {
  local what=$1 wants=$2; shift 2
  run "$@"
  if [ "$rc" -ge 128 ] || ! [[ " $wants " == *" $rc "* ]]; then
    bad "$what: exit $rc (want one of $wants)"; return 1
  fi
  grep -q '^amanah: error: ' "$ERR" || { bad "$what: no 'amanah: error:' line"; return 1; }
  ok "$what"
}

# stdout_has "what" REGEX / stderr_is "what" TEXT
stdout_has() { grep -qE -- "$2" "$OUT" && ok "$1" || bad "$1: stdout lacks /$2/"; }
stderr_is() { [ "$(cat "$ERR")" = "$2" ] && ok "$1" || bad "$1: stderr '$(cat "$ERR")' (want '$2')"; }

# No output of any command run so far may carry the passphrase.
no_secret_in() { ! grep -qF -- "$AMANAH_PASSPHRASE" "$T/.log" && ok "no passphrase in the output" \
  || bad "the passphrase appears in the output"; }

finish() { exit $fail; }
