#!/usr/bin/env bash
# Extension benchmark, on a throwaway server of the test harness: xlsx.merge of ROWS staged rows
# (15 text columns, shaped like the typed bench workbook) into a typed, logged target, against a
# plain `INSERT INTO target SELECT casts FROM staging` of the same rows, back to back in
# alternating order; the same merge with 100 bad rows among them (the rejects path); and
# xlsx.profile of the staging table against `SELECT count(*)` over it (and, to show what reading
# every value costs, against max(length()) of every column). Medians of RUNS runs.
#   bench/merge_bench.sh BUILD_DIR [ROWS] [RUNS]
set -euo pipefail
build=$(realpath "${1:-build}")
rows=${2:-1000000}
runs=${3:-5}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
run_dir="$build/bench-pg"

bash "$source_dir/tests/harness/pg_harness.sh" start "$run_dir" "$source_dir" >/dev/null
trap 'bash "$source_dir/tests/harness/pg_harness.sh" stop "$run_dir" >/dev/null' EXIT
set -a
# shellcheck disable=SC1091
source "$run_dir/env"
set +a
export PGDATABASE=merge_bench
psql -qX -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS merge_bench" -c "CREATE DATABASE merge_bench"
sql() { psql -qXAt -v ON_ERROR_STOP=1 "$@"; }

sql <<SQL
CREATE EXTENSION pg_xlsx;
CREATE TABLE staging (xlsx_sheet_row bigint, id text, name text, category text, phone text,
    email text, address text, city text, country text, website text, description text,
    rating text, employees text, founded text, active text, revenue text);
INSERT INTO staging
SELECT g + 1, g::text, 'Company ' || g, 'Category ' || (g % 40), '+1-555-' || lpad((g % 10000)::text, 4, '0'),
       'info' || g || '@example.com', g || ' Main Street', 'City ' || (g % 500), 'Country ' || (g % 60),
       'https://example.com/' || g, 'A description of company ' || g || ', with "quotes" & commas',
       ((g % 50) / 10.0)::text, (g % 5000)::text, ('1950-01-01'::date + (g % 25000))::text,
       CASE WHEN g % 3 = 0 THEN 'false' ELSE 'true' END, ((g % 1000000) * 1.25)::text
  FROM generate_series(1, $rows) AS g;
CREATE TABLE dirty (LIKE staging);
INSERT INTO dirty SELECT * FROM staging;
UPDATE dirty SET employees = 'many' WHERE xlsx_sheet_row % ($rows / 100) = 0;
CREATE TABLE target (id bigint, name text, category text, phone text, email text, address text,
    city text, country text, website text, description text, rating numeric, employees integer,
    founded date, active boolean, revenue numeric(14,2));
VACUUM ANALYZE staging, dirty;
SQL

plain_insert="INSERT INTO target SELECT id::bigint, name, category, phone, email, address, city,
    country, website, description, rating::numeric, employees::integer, founded::date,
    active::boolean, revenue::numeric(14,2) FROM staging"

# Seconds of one statement, the target emptied (and the truncation not timed) first.
timed() {
    sql -c "TRUNCATE target" -c "CHECKPOINT"
    local start end
    start=$(date +%s.%N)
    sql -c "$1" >/dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

every_column="SELECT $(for c in id name category phone email address city country website description rating employees founded active revenue; do printf 'max(length(%s)), ' "$c"; done) 1 FROM staging"
plain=() merge=() rejects=() count=() lengths=() profile=()
for i in $(seq "$runs"); do
    if ((i % 2)); then
        plain+=("$(timed "$plain_insert")")
        merge+=("$(timed "SELECT * FROM xlsx.merge('staging', 'target')")")
    else
        merge+=("$(timed "SELECT * FROM xlsx.merge('staging', 'target')")")
        plain+=("$(timed "$plain_insert")")
    fi
    rejects+=("$(timed "SELECT * FROM xlsx.merge('dirty', 'target')")")
    count+=("$(timed "SELECT count(*) FROM staging")")
    lengths+=("$(timed "$every_column")")
    profile+=("$(timed "SELECT count(*) FROM xlsx.profile('staging')")")
done
p=$(printf '%s\n' "${plain[@]}" | median)
m=$(printf '%s\n' "${merge[@]}" | median)
r=$(printf '%s\n' "${rejects[@]}" | median)
c=$(printf '%s\n' "${count[@]}" | median)
f=$(printf '%s\n' "${profile[@]}" | median)
l=$(printf '%s\n' "${lengths[@]}" | median)
printf '%-52s %9s %8s\n' "what ($rows rows, 15 columns, median of $runs)" "seconds" "ratio"
awk -v p="$p" -v m="$m" -v r="$r" -v c="$c" -v f="$f" -v l="$l" 'BEGIN {
    printf "%-52s %9.2f %8s\n", "INSERT INTO target SELECT casts FROM staging", p, "1.00"
    printf "%-52s %9.2f %8.2f\n", "xlsx.merge, no bad rows", m, m / p
    printf "%-52s %9.2f %8.2f\n", "xlsx.merge, 100 bad rows (rejects path)", r, r / p
    printf "%-52s %9.2f %8s\n", "SELECT count(*) FROM staging", c, "1.00"
    printf "%-52s %9.2f %8.2f\n", "SELECT max(length(c)) of every column", l, l / c
    printf "%-52s %9.2f %8.2f\n", "xlsx.profile(staging)", f, f / c
}'
