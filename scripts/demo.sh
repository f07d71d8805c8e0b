#!/usr/bin/env bash
# The main job end to end on a fresh machine: install, build, start a throwaway PostgreSQL,
# generate a workbook, import it, and show the summary and the import statistics.
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

psql -q -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_xlsx;
DROP TABLE IF EXISTS directory;
CREATE TABLE directory (id bigint, name text, category text, phone text, email text,
    address text, city text, country text, website text, description text,
    rating numeric, employees integer, founded date, active boolean, revenue numeric);
SQL
echo; echo "== import"
run=$(psql -qtA -c "SELECT xlsx.open_run('$(basename "$workbook")', 'Directory', 'public.directory', 'direct', 1, $(stat -c %s "$workbook"))")
start=$(date +%s.%N)
"$build/loader/xlsx2pg" cat "$workbook" --skip-empty-rows |
    psql -q -v ON_ERROR_STOP=1 -c "\copy directory FROM STDIN WITH (FORMAT csv, HEADER true)"
loaded=$(psql -qtA -c "SELECT count(*) FROM directory")
psql -qtA -c "SELECT xlsx.finish_run($run, 'merged', $loaded, $loaded, 0, 0)" >/dev/null
end=$(date +%s.%N)
printf 'run %s: %s rows from %s into public.directory in %.2f s\n' "$run" "$loaded" "$(basename "$workbook")" "$(echo "$end - $start" | bc)"
echo; echo "== statistics (xlsx.stats)"
psql -c "SELECT run_id, file_name, target_table, total_records, loaded, rejected, duration, records_per_second FROM xlsx.stats($run)"
psql -c "SELECT id, name, phone, founded, active, revenue FROM directory ORDER BY id LIMIT 3"
