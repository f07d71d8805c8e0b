#!/usr/bin/env bash
# The loader benchmark: one table of every way to get the business-directory workbook into
# PostgreSQL, for each size, each beside the ceiling measured in the same run, back to back.
#   bench/load_bench.sh BUILD_DIR [SIZES] [RUNS]      e.g. bench/load_bench.sh build "10000 100000" 3
# SECTIONS=server measures only the ceilings and the server-side imports (xlsx.import, xlsx_fdw,
# and the peers pg_sheet_fdw and ogr_fdw where they are installed).
# OLD=path/to/xlsx2pg (an earlier build) measures each xlsx2pg row again with that binary, right
# after the row of this build: before and after in one run.
# Writes bench/results/load-DATE.md and prints the same table. Needs the build's xlsx2pg and
# generate_workbook; xlsx2csv and ogr2ogr are used when installed.
#
# Server: the test harness's throwaway PostgreSQL, set as a DBA sets a server for a bulk load:
# fsync on, synchronous_commit off, max_wal_size 4GB, checkpoint_timeout 30min.
set -euo pipefail
build=$(realpath "${1:-build}")
sizes=${2:-"10000 100000 1000000"}
runs=${3:-3}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
xlsx2pg="$build/loader/xlsx2pg"
work="$build/bench-work"
run_dir="$build/bench-pg"
cores=$(nproc)
mkdir -p "$work"

bash "$source_dir/tests/harness/pg_harness.sh" start "$run_dir" "$source_dir" >/dev/null
trap 'bash "$source_dir/tests/harness/pg_harness.sh" stop "$run_dir" "$source_dir" >/dev/null' EXIT
set -a
# shellcheck disable=SC1091
source "$run_dir/env"
set +a
psql -qX -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET synchronous_commit = off" \
    -c "ALTER SYSTEM SET max_wal_size = '4GB'" -c "ALTER SYSTEM SET checkpoint_timeout = '30min'" \
    -c "SELECT pg_reload_conf()" >/dev/null
psql -qX -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS load_bench" \
    -c "CREATE DATABASE load_bench"
export PGDATABASE=load_bench PGOPTIONS="-c client_min_messages=warning"
psql -qX -c "CREATE EXTENSION pg_xlsx"
columns="name text, category text, phone text, email text, address text, city text,
         country text, website text, description text"
sql() { psql -qXAt -v ON_ERROR_STOP=1 "$@"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Runs "$@" RUNS times after emptying the tables; prints "median_seconds peak_rss_kb".
measure() {
    local times=() rss=0 n=$runs
    [[ ${SLOW:-} == 1 ]] && n=1
    for _ in $(seq "$n"); do
        sql -c "TRUNCATE target" -c "DROP TABLE IF EXISTS ogr_target, created" \
            -c "SELECT count(*) FROM xlsx.cleanup(interval '0')" -c "CHECKPOINT" >/dev/null
        /usr/bin/time -o "$work/time.out" -f '%e %M' "$@" >/dev/null 2>"$work/err.out" ||
            { echo "failed: $*" >&2; cat "$work/err.out" >&2; return 1; }
        local out
        # Every measured load must have loaded every row (CHECK_TABLE= for parse only).
        local table=${CHECK_TABLE-target}
        if [[ -n $table ]]; then
            local loaded
            loaded=$(sql -c "SELECT count(*) FROM $table")
            [[ $loaded == "$rows" ]] || { echo "$table has $loaded rows, not $rows, after: $*" >&2; return 1; }
        fi
        out=$(tail -1 "$work/time.out")
        times+=("${out% *}")
        ((${out#* } > rss)) && rss=${out#* }
    done
    echo "$(printf '%s\n' "${times[@]}" | median) $rss"
}

# Server-side COPY of the CSV over N connections, each its share of the lines. The parts go
# where the server's OS user can read them.
ceiling() {
    local n=$1 csv=$2 parts=/tmp/xlsx2pg-bench-parts pids=()
    rm -rf "$parts" && mkdir -p "$parts" && chmod 755 "$parts"
    split -n "l/$n" -d "$csv" "$parts/part."
    chmod a+r "$parts"/part.*
    for part in "$parts"/part.*; do
        psql -qX -v ON_ERROR_STOP=1 -c "COPY target FROM '$part' (FORMAT csv)" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
}
export -f ceiling
export work

# Server-side imports read the workbook as the server's OS user: a copy goes where it can.
books=/tmp/xlsx2pg-bench-books
mkdir -p "$books" && chmod 755 "$books"
server_book() {
    cp "$1" "$books/" && chmod a+r "$books/$(basename "$1")" && echo "$books/$(basename "$1")"
}

# xlsx.import in one psql session; the backend's peak RSS goes to $work/backend_rss.
server_import() {
    local book=$1 options=$2
    psql -qXAt -v ON_ERROR_STOP=1 >>"$work/backend_rss" <<SQL
SELECT * FROM xlsx.import('$book', 'target', $options, threads => 2) \g /dev/null
SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+)'))[1];
SQL
}

# The peer that does the job inside the server today: ogr_fdw's IMPORT FOREIGN SCHEMA and an
# INSERT ... SELECT of the target's columns.
ogr_fdw_import() {
    local book=$1 columns=$2
    psql -qX -v ON_ERROR_STOP=1 <<SQL
DROP SCHEMA IF EXISTS ogr CASCADE;
DROP SERVER IF EXISTS ogr_books CASCADE;
CREATE SERVER ogr_books FOREIGN DATA WRAPPER ogr_fdw
    OPTIONS (datasource '$book', format 'XLSX', config_options 'OGR_XLSX_HEADERS=FORCE');
CREATE SCHEMA ogr;
IMPORT FOREIGN SCHEMA ogr_all FROM SERVER ogr_books INTO ogr;
SELECT format('INSERT INTO target SELECT $columns FROM ogr.%I', relname) AS insert
  FROM pg_class WHERE relnamespace = 'ogr'::regnamespace LIMIT 1 \gset
:insert;
SQL
}
# Our own foreign data wrapper: a foreign table made once by IMPORT FOREIGN SCHEMA (which reads
# the sheet for its types), then measured: INSERT ... SELECT from it.
xlsx_fdw_prepare() {
    local book=$1
    psql -qX -v ON_ERROR_STOP=1 <<SQL
DROP SCHEMA IF EXISTS xfdw CASCADE;
DROP SERVER IF EXISTS xlsx_books CASCADE;
CREATE SERVER xlsx_books FOREIGN DATA WRAPPER xlsx_fdw;
CREATE SCHEMA xfdw;
IMPORT FOREIGN SCHEMA xlsx FROM SERVER xlsx_books INTO xfdw OPTIONS (filename '$book');
SQL
}
xlsx_fdw_import() {
    local columns=$1
    psql -qX -v ON_ERROR_STOP=1 <<SQL
SELECT format('INSERT INTO target SELECT $columns FROM xfdw.%I', relname) AS insert
  FROM pg_class WHERE relnamespace = 'xfdw'::regnamespace LIMIT 1 \gset
:insert;
SQL
}
# The SheetReader-based FDW from PGXN (github.com/polydbms/pg_sheet_fdw): a foreign table of
# the target's columns made beforehand, then INSERT ... SELECT from it.
pg_sheet_fdw_prepare() {
    local book=$1 definitions=$2
    psql -qX -v ON_ERROR_STOP=1 <<SQL
DROP SERVER IF EXISTS sheet_books CASCADE;
CREATE SERVER sheet_books FOREIGN DATA WRAPPER pg_sheet_fdw;
CREATE FOREIGN TABLE sheet_rows ($definitions) SERVER sheet_books
    OPTIONS (filepath '$book', skiprows '1');
SQL
}
export -f server_import ogr_fdw_import xlsx_fdw_import
export books

# Server-side rows: xlsx.import staging and direct, xlsx_fdw, and ogr_fdw when installed,
# beside the ceiling `base`; the RSS column is the backend's peak (xlsx.import rows).
server_rows() {
    local rows=$1 book=$2 base=$3 bytes=$4 columns=$5 definitions=$6 res
    book=$(server_book "$book")
    # Staging mode into an existing table copies checked rows straight into it; with a kept
    # staging table it stages every row and merges (the way a constraint violation also takes).
    for options in "mode => 'direct'" "mode => 'staging'" "mode => 'staging', keep_staging => true"; do
        rm -f "$work/backend_rss"
        res=$(measure bash -c "server_import '$book' \"$options\"")
        res="${res% *} $(sort -n "$work/backend_rss" | tail -1)"
        row "xlsx.import $(sed -e "s/mode => //; s/, keep_staging => true/ through its table/; s/'//g" <<<"$options") (backend RSS)" \
            "$rows" "$res" "$base" "$bytes"
    done
    xlsx_fdw_prepare "$book"
    row "xlsx_fdw: INSERT SELECT from the foreign table" "$rows" \
        "$(measure bash -c "xlsx_fdw_import '$columns'")" "$base" "$bytes"
    if sql -c "CREATE EXTENSION IF NOT EXISTS pg_sheet_fdw" 2>/dev/null; then
        pg_sheet_fdw_prepare "$book" "$definitions"
        row "pg_sheet_fdw: INSERT SELECT from the foreign table" "$rows" \
            "$(measure psql -qX -v ON_ERROR_STOP=1 -c "INSERT INTO target SELECT * FROM sheet_rows")" \
            "$base" "$bytes"
    else
        echo "| pg_sheet_fdw: not installed (PGXN, github.com/polydbms/pg_sheet_fdw) | | | | | | |" | tee -a "$out"
    fi
    if sql -c "CREATE EXTENSION IF NOT EXISTS ogr_fdw" 2>/dev/null; then
        row "ogr_fdw: IMPORT FOREIGN SCHEMA + INSERT SELECT" "$rows" \
            "$(SLOW=1 measure bash -c "ogr_fdw_import '$book' '$columns'")" "$base" "$bytes"
    else
        echo "| ogr_fdw: not installed (apt-get install postgresql-15-ogr-fdw) | | | | | | |" | tee -a "$out"
    fi
}

out="$source_dir/bench/results/load-$(date +%F).md"
{
    echo "# Loader benchmark, $(date +%F)"
    echo
    echo "\`bench/load_bench.sh $build \"$sizes\" $runs\`: business-directory workbooks (9 text columns,"
    echo "awkward values) into a logged table of 9 text columns; median of $runs runs (1 for the slow"
    echo "row-by-row methods); peak RSS of the client. Ratios are to the server's own COPY of the"
    echo "same rows as CSV with the same number of connections, measured in the same run."
    echo
    echo "Machine: $cores cores, $(free -g | awk '/Mem:/ {print $2}') GB RAM, $(psql -XAt -c 'SELECT version()' | cut -d, -f1)."
    echo "Server: $(psql -XAt -c "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'max_wal_size', 'checkpoint_timeout', 'shared_buffers', 'wal_level')")."
    echo
    printf '| %-44s | %9s | %8s | %10s | %7s | %8s | %8s |\n' what rows seconds rows/s "MB/s" "peak RSS" "x ceiling"
    echo "|----------------------------------------------|-----------|----------|------------|---------|----------|----------|"
} >"$out"

row() {
    local name=$1 rows=$2 res=$3 base=$4 bytes=$5
    local s=${res% *} rss=${res#* }
    awk -v n="$name" -v r="$rows" -v s="$s" -v rss="$rss" -v base="$base" -v b="$bytes" 'BEGIN {
        ratio = base == "" ? "" : sprintf("%.2f", s / base)
        printf "| %-44s | %9d | %8.2f | %10.0f | %7.1f | %6.0fMB | %8s |\n", n, r, s, r / s, b / 1048576 / s, rss / 1024, ratio
    }' | tee -a "$out"
}

# An xlsx2pg row: NAME BASE ARGS... (ARGS without the binary), then the same with $OLD.
loader_row() {
    local name=$1 base=$2
    shift 2
    row "$name" "$rows" "$(measure "$xlsx2pg" "$@")" "$base" "$bytes"
    [[ -z ${OLD:-} ]] || row "$name (before)" "$rows" "$(measure "$OLD" "$@")" "$base" "$bytes"
}

for rows in $sizes; do
    book="$work/directory_${rows}.xlsx"
    csv="$work/directory_${rows}.csv"
    [[ -f "$book" ]] || "$build/bench/generate_workbook" "$book" --rows "$rows" >/dev/null
    "$xlsx2pg" cat "$book" --skip-empty-rows | tail -n +2 >"$csv"
    bytes=$(stat -c %s "$book")
    sql -c "DROP TABLE IF EXISTS target" -c "CREATE TABLE target ($columns)"
    load=(load "$book" target -q)

    c1=$(measure bash -c "ceiling 1 '$csv'")
    cn=$(measure bash -c "ceiling $cores '$csv'")
    b1=${c1% *}
    bn=${cn% *}
    row "ceiling: COPY FROM file.csv, 1 connection" "$rows" "$c1" "$b1" "$bytes"
    row "ceiling: COPY FROM file.csv, $cores connections" "$rows" "$cn" "$bn" "$bytes"
    server_rows "$rows" "$book" "$b1" "$bytes" "name, category, phone, email, address, city, country, website, description" "$columns"
    [[ ${SECTIONS:-all} == server ]] && continue
    loader_row "xlsx2pg direct, 1 connection" "$b1" "${load[@]}" --mode direct -c 1
    loader_row "xlsx2pg direct, $cores connections" "$bn" "${load[@]}" --mode direct -c "$cores"
    loader_row "xlsx2pg staging, 1 connection" "$b1" "${load[@]}" -c 1
    loader_row "xlsx2pg staging, $cores connections" "$bn" "${load[@]}" -c "$cores"
    CHECK_TABLE=created loader_row "xlsx2pg staging --create (new table), 1 conn" "$b1" \
        load "$book" created --create -q -c 1
    CHECK_TABLE= loader_row "parse only: xlsx2pg cat > /dev/null" "" cat "$book"
    # The classic worker-pool importer's three methods, on our pipeline.
    row "classic sequential: INSERT per row, 1 conn" "$rows" \
        "$(SLOW=1 measure "$xlsx2pg" "${load[@]}" --mode direct --method insert -c 1)" "$b1" "$bytes"
    row "classic concurrent: INSERT per row, $cores conns" "$rows" \
        "$(SLOW=1 measure "$xlsx2pg" "${load[@]}" --mode direct --method insert -c "$cores")" "$bn" "$bytes"
    row "classic batch: INSERT of 100 rows, $cores conns" "$rows" \
        "$(measure "$xlsx2pg" "${load[@]}" --mode direct --method batch --batch-size 100 -c "$cores")" "$bn" "$bytes"
    if command -v xlsx2csv >/dev/null; then
        row "xlsx2csv \\| psql \\copy" "$rows" "$(measure bash -c \
            "xlsx2csv '$book' | psql -qX -c '\\copy target FROM STDIN (FORMAT csv, HEADER true)'")" "$b1" "$bytes"
    else
        echo "| xlsx2csv: not installed (apt-get install xlsx2csv) | | | | | | |" | tee -a "$out"
    fi
    if command -v ogr2ogr >/dev/null; then
        row "ogr2ogr -f PostgreSQL" "$rows" "$(SLOW=1 CHECK_TABLE=ogr_target measure ogr2ogr -f PostgreSQL \
            "PG:host=$PGHOST port=$PGPORT user=$PGUSER dbname=load_bench" "$book" -nln ogr_target \
            -lco SPATIAL_INDEX=NONE --config PG_USE_COPY YES --config OGR_XLSX_HEADERS FORCE)" "$b1" "$bytes"
    else
        echo "| ogr2ogr: not installed (apt-get install gdal-bin) | | | | | | |" | tee -a "$out"
    fi
done

# The loader issue's targets, on the typed workbook (15 columns: integers, dates, booleans,
# money) into a typed logged table.
typed_rows=${TYPED_ROWS:-1000000}
if ((typed_rows > 0)); then
    rows=$typed_rows
    book="$work/typed_${typed_rows}.xlsx"
    csv="$work/typed_${typed_rows}.csv"
    [[ -f "$book" ]] || "$build/bench/generate_workbook" "$book" --rows "$typed_rows" --typed >/dev/null
    "$xlsx2pg" cat "$book" --skip-empty-rows | tail -n +2 >"$csv"
    bytes=$(stat -c %s "$book")
    typed_columns="id bigint, $columns, rating numeric, employees integer, founded date,
        active boolean, revenue numeric"
    sql -c "DROP TABLE IF EXISTS target" -c "CREATE TABLE target ($typed_columns)"
    echo "| **typed workbook, 15 columns** | | | | | | |" | tee -a "$out"
    c1=$(measure bash -c "ceiling 1 '$csv'")
    b1=${c1% *}
    row "ceiling: COPY FROM file.csv, 1 connection" "$typed_rows" "$c1" "$b1" "$bytes"
    server_rows "$rows" "$book" "$b1" "$bytes" "id, name, category, phone, email, address, city, country, website, description, rating, employees, founded, active, revenue" "$typed_columns"
    [[ ${SECTIONS:-all} == server ]] || {
    loader_row "xlsx2pg direct, 1 connection" "$b1" load "$book" target -q --mode direct -c 1
    loader_row "xlsx2pg direct, $cores connections" "$b1" load "$book" target -q --mode direct -c "$cores"
    loader_row "xlsx2pg staging (with merge), $cores connections" "$b1" load "$book" target -q -c "$cores"
    }
fi
echo "" >>"$out"
echo "Published figures of the classic Go importer for 10,000 rows on 8 cores: sequential 45.2 s," >>"$out"
echo "concurrent 8.7 s, batch 3.1 s." >>"$out"
echo "results: $out"
