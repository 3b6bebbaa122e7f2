#!/usr/bin/env bash
# The README's first command: installs what is needed, builds, and runs `amanah demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target amanah
./build/amanah demo "$@"
