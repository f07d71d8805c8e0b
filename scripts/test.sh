#!/usr/bin/env bash
# Sets up everything and runs every test, in five stages:
#   1. the release build: unit, corpus conformance (read, loaded and imported in the server),
#      integration, pg_regress and isolation tests against a throwaway PostgreSQL the harness
#      starts and stops, on a busy machine: CPU_HOGS (default 2) processes spin beside them;
#   2. the Citus tests against a coordinator and two workers the harness starts (Citus built
#      from ../shared/citus, or XLSX_CITUS_DIR, by its build-citus.sh);
#   3. the unit and integration tests again, built with ASan and UBSan;
#   4. each libFuzzer target for FUZZ_SECONDS (default 20), seeded with the corpus;
#   5. the Debian packages built in a clean copy, checked with lintian, installed, smoke-tested.
# Usage: scripts/test.sh [BUILD_DIR]      SKIP_CITUS=1 / SKIP_SANITIZE=1 / SKIP_FUZZ=1 /
# SKIP_PACKAGE=1 leave out stage 2 / 3 / 4 / 5; CPU_HOGS=0 runs stage 1 on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bash scripts/install-deps.sh

echo "== 1/5 release build, every test but Citus's"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXLSX_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
hogs="$PWD/tests/harness/with_cpu_hogs.sh"
(cd "$build" && "$hogs" "${CPU_HOGS:-2}" ctest -j2 --output-on-failure --timeout 900 -LE citus)

if [[ -z ${SKIP_CITUS:-} ]]; then
    echo "== 2/5 Citus: a coordinator and two workers"
    bash "${XLSX_CITUS_DIR:-../shared/citus}/build-citus.sh"
    (cd "$build" && ctest --output-on-failure --timeout 900 -L citus)
fi

if [[ -z ${SKIP_SANITIZE:-} ]]; then
    echo "== 3/5 unit and integration tests under ASan and UBSan"
    cmake -S . -B "$build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXLSX_WERROR=ON -DXLSX_SANITIZE=ON >/dev/null
    cmake --build "$build-asan" -j"$(nproc)" --target unit_tests integration_tests server_restart_test \
        xlsx2pg generate_workbook
    (cd "$build-asan" && ctest -j2 --output-on-failure --timeout 900 -R '^(unit|integration)\.')
fi

if [[ -z ${SKIP_FUZZ:-} ]]; then
    echo "== 4/5 fuzzing"
    bash tests/fuzz/run_fuzz.sh "$build-fuzz" "${XLSX_CORPUS_DIR:-../shared/corpus}" "${FUZZ_SECONDS:-20}"
fi

if [[ -z ${SKIP_PACKAGE:-} ]]; then
    echo "== 5/5 Debian packages"
    bash scripts/package.sh "$build-packages"
fi
