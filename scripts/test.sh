#!/usr/bin/env bash
# Sets up everything and runs every test, in six stages:
#   1. the release build: unit, corpus conformance (read, loaded and imported in the server),
#      integration, pg_regress and isolation tests against a throwaway PostgreSQL 15 the harness
#      starts and stops, on a busy machine: PostgreSQL 18 (for stage 2) builds beside them, and
#      CPU_HOGS (default 2) processes spin once it is built;
#   2. the extension on PostgreSQL 18 (../shared/postgresql's build, a no-op once installed):
#      pg_regress, isolation, the server-import and merge tests and client loads
#      (scripts/test-pg-version.sh);
#   3. the Citus tests against a coordinator and two workers the harness starts (Citus built
#      from ../shared/citus, or XLSX_CITUS_DIR, by its build-citus.sh);
#   4. the unit and integration tests again, built with ASan and UBSan;
#   5. each libFuzzer target for FUZZ_SECONDS (default 20), seeded with the corpus;
#   6. the Debian packages built in a clean copy, checked with lintian, installed, smoke-tested.
# Usage: scripts/test.sh [BUILD_DIR]      SKIP_PG18=1 / SKIP_CITUS=1 / SKIP_SANITIZE=1 /
# SKIP_FUZZ=1 / SKIP_PACKAGE=1 leave out stage 2 / 3 / 4 / 5 / 6; CPU_HOGS=0 runs stage 1 on a
# quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bash scripts/install-deps.sh

echo "== 1/6 release build, every test but Citus's, on a busy machine"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXLSX_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
root=$PWD
pg18_build="bash $(realpath -m "${XLSX_PG18_SOURCE:-../shared/postgresql}")/build-postgresql.sh /opt/postgresql-18"
busy=""
if [[ -z ${SKIP_PG18:-} ]]; then busy="$pg18_build > $(realpath -m "$build")/pg18-build.log 2>&1"; fi
(cd "$build" && BUSY_FIRST=$busy "$root/tests/harness/with_cpu_hogs.sh" "${CPU_HOGS:-2}" \
    ctest -j2 --output-on-failure --timeout 900 -LE citus) ||
    { [[ -f $build/pg18-build.log ]] && tail -20 "$build/pg18-build.log"; exit 1; }

if [[ -z ${SKIP_PG18:-} ]]; then
    echo "== 2/6 the extension on PostgreSQL 18"
    $pg18_build
    bash scripts/test-pg-version.sh /opt/postgresql-18/bin/pg_config "$build"
fi

if [[ -z ${SKIP_CITUS:-} ]]; then
    echo "== 3/6 Citus: a coordinator and two workers"
    bash "${XLSX_CITUS_DIR:-../shared/citus}/build-citus.sh"
    (cd "$build" && ctest --output-on-failure --timeout 900 -L citus)
fi

if [[ -z ${SKIP_SANITIZE:-} ]]; then
    echo "== 4/6 unit and integration tests under ASan and UBSan"
    cmake -S . -B "$build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXLSX_WERROR=ON -DXLSX_SANITIZE=ON >/dev/null
    cmake --build "$build-asan" -j"$(nproc)" --target unit_tests integration_tests server_restart_test \
        xlsx2pg generate_workbook
    (cd "$build-asan" && ctest -j2 --output-on-failure --timeout 900 -R '^(unit|integration)\.')
fi

if [[ -z ${SKIP_FUZZ:-} ]]; then
    echo "== 5/6 fuzzing"
    bash tests/fuzz/run_fuzz.sh "$build-fuzz" "${XLSX_CORPUS_DIR:-../shared/corpus}" "${FUZZ_SECONDS:-20}"
fi

if [[ -z ${SKIP_PACKAGE:-} ]]; then
    echo "== 6/6 Debian packages"
    bash scripts/package.sh "$build-packages"
fi
