#!/usr/bin/env bash
# The README's test command: installs what is needed, builds with AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs every test (unit, vectors, the Go cross-check).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
jobs=$(nproc)
cmake -S . -B build-asan -DAMANAH_SANITIZE=ON -DAMANAH_REQUIRE_GO=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$jobs"
cd build-asan
ctest --output-on-failure -j"$jobs"
