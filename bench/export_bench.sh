#!/usr/bin/env bash
# The export benchmark: the typed directory (15 columns: integers, text, numerics, dates,
# booleans) out of PostgreSQL into .xlsx, every way, back to back in one run, beside the floor:
# the server's COPY TO of the same rows as CSV piped through gzip -1 (what writing a deflated
# package cannot beat by much).
#   bench/export_bench.sh BUILD_DIR [ROWS] [RUNS]      e.g. bench/export_bench.sh build 1000000 3
# Rows: the floor; how the client fetches (COPY TO STDOUT against a cursor, both through psql);
# xlsx2pg export; xlsx.export_to_file and xlsx.export (its bytea through psql and xxd, as the
# README's recipe does); ogr2ogr -f XLSX (gdal-bin) and Python's xlsxwriter in constant-memory
# mode over psycopg (python3-xlsxwriter, python3-psycopg), each when installed and run once
# (they are slow). Medians of RUNS; peak RSS of the client process. Writes
# bench/results/export-DATE.md and prints the same table.
set -euo pipefail
build=$(realpath "${1:-build}")
rows=${2:-1000000}
runs=${3:-3}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
xlsx2pg="$build/loader/xlsx2pg"
work="$build/bench-work/export"
run_dir="$build/bench-pg"
mkdir -p "$work"
chmod 1777 "$work"  # the server writes xlsx.export_to_file's workbook here

bash "$source_dir/tests/harness/pg_harness.sh" start "$run_dir" "$source_dir" >/dev/null
trap 'bash "$source_dir/tests/harness/pg_harness.sh" stop "$run_dir" "$source_dir" >/dev/null' EXIT
set -a
# shellcheck disable=SC1091
source "$run_dir/env"
set +a
psql -qX -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS export_bench" \
    -c "CREATE DATABASE export_bench"
export PGDATABASE=export_bench PGOPTIONS="-c client_min_messages=warning"
psql -qX -c "CREATE EXTENSION pg_xlsx"
book="$work/directory.xlsx"
"$build/bench/generate_workbook" "$book" --rows "$rows" --typed >/dev/null
"$xlsx2pg" load "$book" directory --create --quiet
psql -qX -c "VACUUM ANALYZE directory"
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Runs the shell command $2 (n times, default RUNS); prints "median_seconds peak_rss_kb".
measure() {
    local n=${3:-$runs} times=() rss=0 out
    for _ in $(seq "$n"); do
        rm -f "$work"/out.*
        /usr/bin/time -o "$work/time.out" -f '%e %M' bash -c "$2" >/dev/null 2>"$work/err.out" ||
            { echo "failed: $1" >&2; cat "$work/err.out" >&2; return 1; }
        out=$(tail -1 "$work/time.out")
        times+=("${out% *}")
        ((${out#* } > rss)) && rss=${out#* }
    done
    echo "$(printf '%s\n' "${times[@]}" | median) $rss"
}

python_xlsxwriter='
import sys, psycopg, xlsxwriter
book = xlsxwriter.Workbook(sys.argv[1], {"constant_memory": True})
sheet = book.add_worksheet("directory")
with psycopg.connect() as conn, conn.cursor(name="rows") as cur:
    cur.itersize = 10000
    cur.execute("TABLE directory")
    for r, row in enumerate(cur):
        sheet.write_row(r, 0, row)
book.close()
'
export python_xlsxwriter xlsx2pg work
declare -A what=(
    [floor]="COPY TO STDOUT csv \\| gzip -1 (the floor)"
    [copy_fetch]="fetch: COPY TO STDOUT, psql to /dev/null"
    [cursor_fetch]="fetch: cursor, FETCH 10000, psql to /dev/null"
    [client]="xlsx2pg export"
    [to_file]="xlsx.export_to_file (in the server)"
    [bytea]="xlsx.export bytea, psql \\| xxd -r -p"
    [ogr2ogr]="ogr2ogr -f XLSX"
    [python]="Python xlsxwriter constant_memory, psycopg"
)
declare -A cmd=(
    [floor]='psql -qX -c "\copy (TABLE directory) TO STDOUT (FORMAT csv)" | gzip -1 > "$work/out.csv.gz"'
    [copy_fetch]='psql -qX -c "\copy (TABLE directory) TO STDOUT" > /dev/null'
    [cursor_fetch]='psql -qXAt -v FETCH_COUNT=10000 -c "TABLE directory" > /dev/null'
    [client]='"$xlsx2pg" export directory "$work/out.xlsx" --quiet'
    [to_file]='psql -qXAt -c "SELECT xlsx.export_to_file('"'"'TABLE directory'"'"', '"'"'$work/out.xlsx'"'"')"'
    [bytea]='psql -qXAt -c "SELECT xlsx.export('"'"'TABLE directory'"'"')" | xxd -r -p > "$work/out.xlsx"'
    [ogr2ogr]='ogr2ogr -f XLSX "$work/out.xlsx" "PG:dbname=$PGDATABASE host=$PGHOST port=$PGPORT user=$PGUSER" directory'
    [python]='/usr/bin/python3 -c "$python_xlsxwriter" "$work/out.xlsx"'
)
order=(floor copy_fetch cursor_fetch client to_file bytea)
command -v ogr2ogr >/dev/null && order+=(ogr2ogr) || echo "ogr2ogr not installed: left out" >&2
/usr/bin/python3 -c "import xlsxwriter, psycopg" 2>/dev/null && order+=(python) ||
    echo "python3-xlsxwriter or python3-psycopg not installed: left out" >&2

result="$source_dir/bench/results/export-$(date +%F).md"
{
    echo "# Export: $rows rows x 15 typed columns to .xlsx ($(date +%F), $(nproc) cores, PostgreSQL $(psql -XAtc 'SHOW server_version'))"
    echo
    echo "Medians of $runs runs (ogr2ogr and Python: 1 run); peak RSS of the client process; \`bash bench/export_bench.sh build $rows $runs\`."
    echo
    echo "| what | seconds | rows/s | peak RSS | x floor |"
    echo "|------|---------|--------|----------|---------|"
} > "$result"
floor=""
for key in "${order[@]}"; do
    n=$runs
    [[ $key == ogr2ogr || $key == python ]] && n=1
    read -r seconds rss < <(measure "$key" "${cmd[$key]}" "$n")
    [[ -z $floor ]] && floor=$seconds
    printf '| %s | %.2f | %.0f | %dMB | %.2f |\n' "${what[$key]}" "$seconds" \
        "$(bc -l <<< "$rows / $seconds")" $((rss / 1024)) "$(bc -l <<< "$seconds / $floor")" >> "$result"
done
cat "$result"
