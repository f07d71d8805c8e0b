#!/usr/bin/env bash
# Sets up everything and runs every test, in four stages:
#   1. the release build: unit, corpus conformance (read, loaded and imported in the server),
#      integration, pg_regress and isolation tests against a throwaway PostgreSQL the harness
#      starts and stops;
#   2. the unit and integration tests again, built with ASan and UBSan;
#   3. each libFuzzer target for FUZZ_SECONDS (default 20), seeded with the corpus;
#   4. the Debian packages built in a clean copy, checked with lintian, installed, smoke-tested.
# Usage: scripts/test.sh [BUILD_DIR]      SKIP_SANITIZE=1 / SKIP_FUZZ=1 / SKIP_PACKAGE=1 leave
# out stage 2 / 3 / 4.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bash scripts/install-deps.sh

echo "== 1/4 release build, every test"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXLSX_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
(cd "$build" && ctest -j2 --output-on-failure --timeout 900)

if [[ -z ${SKIP_SANITIZE:-} ]]; then
    echo "== 2/4 unit and integration tests under ASan and UBSan"
    cmake -S . -B "$build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXLSX_WERROR=ON -DXLSX_SANITIZE=ON >/dev/null
    cmake --build "$build-asan" -j"$(nproc)" --target unit_tests integration_tests server_restart_test \
        xlsx2pg generate_workbook
    (cd "$build-asan" && ctest -j2 --output-on-failure --timeout 900 -R '^(unit|integration)\.')
fi

if [[ -z ${SKIP_FUZZ:-} ]]; then
    echo "== 3/4 fuzzing"
    bash tests/fuzz/run_fuzz.sh "$build-fuzz" "${XLSX_CORPUS_DIR:-../shared/corpus}" "${FUZZ_SECONDS:-20}"
fi

if [[ -z ${SKIP_PACKAGE:-} ]]; then
    echo "== 4/4 Debian packages"
    bash scripts/package.sh "$build-packages"
fi
