#!/usr/bin/env bash
# The main job end to end on a fresh machine: install, build, start a throwaway PostgreSQL,
# generate a workbook, import it, and show the summary and the import statistics; then the
# same table back out as an .xlsx report.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
bash scripts/install-deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target xlsx2pg generate_workbook >/dev/null

run_dir="$PWD/$build/demo-pg"
tests/harness/pg_harness.sh start "$run_dir" "$PWD"
trap 'tests/harness/pg_harness.sh stop "$run_dir" "$PWD" >/dev/null' EXIT
set -a; source "$run_dir/env"; set +a

workbook="$PWD/$build/demo.xlsx"
"$build/bench/generate_workbook" "$workbook" --rows 100000 --typed
echo; echo "== the workbook"
"$build/loader/xlsx2pg" sheets "$workbook"

psql -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
    -c "CREATE EXTENSION IF NOT EXISTS pg_xlsx" -c "DROP TABLE IF EXISTS directory"
echo; echo "== xlsx2pg load (staging mode: resumable, merged in one transaction)"
"$build/loader/xlsx2pg" load "$workbook" directory --create
echo; echo "== the table it created"
psql -c "\d directory"
echo; echo "== statistics (xlsx.stats of the last run)"
psql -c "SELECT run_id, file_name, target_table, total_records, loaded, rejected, duration,
                records_per_second, mb_per_second
           FROM xlsx.stats((SELECT max(run_id) FROM xlsx.import_runs))"
psql -c "SELECT id, name, phone, founded, active, revenue FROM directory ORDER BY id LIMIT 3"
echo; echo "== the same workbook imported inside the server, in one SQL call (xlsx.import)"
psql -q -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS directory_in_server"
psql -c "SELECT * FROM xlsx.import('$workbook', 'directory_in_server', create_table => true)"
echo; echo "== and back out: the table as a report, read back to check it (xlsx2pg export)"
report="$PWD/$build/demo-report.xlsx"
"$build/loader/xlsx2pg" export "SELECT * FROM directory WHERE active ORDER BY revenue DESC" \
    "$report" --sheet "Active, by revenue"
"$build/loader/xlsx2pg" cat "$report" >"$build/demo-report.csv"
head -4 "$build/demo-report.csv"
