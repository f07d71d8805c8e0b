#!/usr/bin/env bash
# The extension's suites against another PostgreSQL than Debian's 15 (PostgreSQL 18 from
# ../shared/postgresql/build-postgresql.sh in CI): the extension built for it in a clean copy
# of the tree, a throwaway server of that version, then pg_regress and the isolation suite,
# the server-import integration tests (path, large object, bytea, FDW, cancel, privileges, bad
# files), the merge's values, and client loads (xlsx2pg, built with Debian's libpq 15) into
# that server, ledger included.
# Before them, a release zip of the tree is installed as PGXN users install it (pgxn install).
# Usage: scripts/test-pg-version.sh PG_CONFIG BUILD_DIR      (BUILD_DIR: the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
pg_config=$(realpath "$1")
build=$(realpath "$2")
version=$("$pg_config" --version | awk '{print $2}')
work="$build/pg$version"
echo "test-pg-version: PostgreSQL $version ($pg_config), in $work"

# A clean copy: the extension's objects of one version never mix with another's.
rm -rf "$work" && mkdir -p "$work/src"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$work/src"
# A release tarball as PGXN serves it, installed the PGXN way (pgxn install: make, make install).
ln -s src "$work/pg_xlsx-release"
(cd "$work" && python3 -m zipfile -c pg_xlsx.zip pg_xlsx-release/)
pgxn install --unstable --nosudo --pg_config "$pg_config" "$work/pg_xlsx.zip" >"$work/pgxn.log" 2>&1 ||
    { tail -20 "$work/pgxn.log"; exit 1; }
echo "test-pg-version: pgxn install from a release zip: $(grep -c 'install -c' "$work/pgxn.log") install steps"
harness() { PG_CONFIG=$pg_config tests/harness/pg_harness.sh "$1" "$work/pg" "$work/src"; }
trap 'harness stop >/dev/null' EXIT
harness start
PG_CONFIG=$pg_config tests/harness/run_regress.sh "$work/pg" "$work/src" "$work/regress"
echo "test-pg-version: pg_regress and isolation passed on $version"

tests=(
    'ServerImportTest.*' 'MergeValuesTest.*' 'RunLedgerTest.*' 'ExtensionTest.*'
    'LoaderTest.StagingAndDirectModesLoadTheSameRows'
    'LoaderTest.RejectsNameRowColumnAndReasonInBothModes'
    'LoaderTest.PreparedTransactionsOfAKilledDirectLoadFollowTheLedger'
    'LoaderTest.SummaryJsonAndLedgerShowOneClock'
    'InterruptTest.*'
)
filter=$(IFS=:; echo "${tests[*]}")
(cd "$build/tests" && XLSX_TEST_PGENV="$work/pg/env" ./integration_tests --gtest_filter="$filter" \
    --gtest_brief=1)
echo "test-pg-version: integration tests passed on $version"
