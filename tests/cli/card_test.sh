#!/usr/bin/env bash
# Transcript test of `amanah card`: the person's card as SVG and PNG, with the ID as text.
set -uo pipefail
source "$(dirname "$0")/lib.sh" "$1"

expect "card as SVG" 0 card dxgn-q2ej-8qk --out "$T/card.svg"
stdout_has "card names the canonical ID" 'DXGN-Q2EJ-8QK'
head -2 "$T/card.svg" | grep -q '<svg ' && ok "an SVG file" || bad "not an SVG"
grep -q '>DXGN-Q2EJ-8QK</text>' "$T/card.svg" && ok "the SVG carries the ID as text" || bad "no ID text"
grep -q '<path fill="#000"' "$T/card.svg" && ok "the SVG carries the QR modules" || bad "no QR"
expect "card as PNG" 0 card DXGN-Q2EJ-8QK --format png --out "$T/card.png"
[ "$(head -c 8 "$T/card.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
  && ok "a PNG file" || bad "not a PNG"
expect "card refuses to overwrite" 6 card DXGN-Q2EJ-8QK --out "$T/card.svg"
expect "card --force replaces" 0 card DXGN-Q2EJ-8QK --out "$T/card.svg" --force
expect "a mistyped ID is malformed" 3 card DXGN-Q2EJ-8QX --out "$T/typo.svg"
[ ! -e "$T/typo.svg" ] && ok "no card for a mistyped ID" || bad "card written for a typo"
expect "an unknown format is a usage error" 2 card DXGN-Q2EJ-8QK --format gif --out "$T/c.gif"
finish
