#!/usr/bin/env bash
# Installs what Amanah needs to build and test, from Debian 12's packages only.
# Run as root, or as a user with sudo. Safe to run again.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ca-certificates
  libsodium-dev nlohmann-json3-dev libcli11-dev
  # The embedded store (src/store/sqlite).
  libsqlite3-dev
  # The PostgreSQL store (src/store/postgres) and the throwaway cluster its tests run on
  # (scripts/pg.sh; postgresql-15 brings psql, which a transcript test uses).
  libpqxx-dev postgresql-15
  # The person's card (amanah card): the QR code, and PNG output.
  libqrencode-dev libpng-dev
  googletest libgtest-dev
  # The server (amanah serve) and the CLI's --server client: HTTP(S) with OpenSSL; the core's
  # SHA-256 (include/amanah/sha256.h) is OpenSSL's libcrypto too.
  libcpp-httplib-dev libssl-dev
  # ristretto255 point arithmetic for the multi-scalar multiplications (src/core/msm.h).
  libdecaf-dev
  # bench/ and scripts/bench.sh: Google Benchmark (and OpenSSL, above, for the RSA baseline),
  # GNU time for the import's wall time and memory.
  libbenchmark-dev time
  # Transcript tests use python3 for byte surgery and an independent RFC 9162 proof check.
  python3
  # The Go cross-check of our log output with golang.org/x/mod/sumdb/{note,tlog}.
  golang-go golang-golang-x-mod-dev
  # The second, independent implementation of the spec (tools/speccheck) checks the vectors.
  golang-golang-x-crypto-dev golang-github-bwesterb-go-ristretto-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: error: run as root or install sudo" >&2; exit 1; }
  as_root=(sudo)
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
