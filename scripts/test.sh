# The README's test command: installs what is needed, builds with AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs every test (unit, vectors, the Go cross-check, and the
# PostgreSQL store's tests against a throwaway cluster that scripts/pg.sh starts and stops).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bash scripts/setup.sh
jobs=$(nproc)
cmake -S . -B build-asan -DAMANAH_SANITIZE=ON -DAMANAH_REQUIRE_GO=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$jobs"
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/amanah-pg.XXXXXX")
trap 'bash "$root/scripts/pg.sh" stop "$pgdir"' EXIT
AMANAH_TEST_POSTGRES_URL=$(bash scripts/pg.sh start "$pgdir")
export AMANAH_TEST_POSTGRES_URL
cd build-asan
ctest --output-on-failure -j"$jobs"
