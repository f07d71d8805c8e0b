#!/usr/bin/env bash
# Loading into a Citus distributed table: the business directory (typed, distributed by id)
# through xlsx2pg in staging mode (staged on the shards, and on the coordinator) and in direct
# mode, beside the coordinator's own COPY FROM 'file.csv' of the same rows into the same
# table, back to back, medians of RUNS; and the merge alone, both ways (xlsx.merge of a kept
# staging table into the emptied target).
#   bench/citus_bench.sh BUILD_DIR [ROWS] [RUNS]      e.g. bench/citus_bench.sh build 1000000 3
# Needs Citus installed (../shared/citus/build-citus.sh). The cluster is the test harness's
# (pg_harness.sh start-citus: a coordinator and two workers on this machine). Writes
# bench/results/citus-DATE.md and prints the same table.
set -euo pipefail
build=$(realpath "${1:-build}")
rows=${2:-1000000}
runs=${3:-3}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
xlsx2pg="$build/loader/xlsx2pg"
work="$build/bench-work"
run_dir="$build/bench-citus"
mkdir -p "$work"

bash "$source_dir/tests/harness/pg_harness.sh" start-citus "$run_dir" "$source_dir" >/dev/null
trap 'bash "$source_dir/tests/harness/pg_harness.sh" stop "$run_dir" "$source_dir" >/dev/null' EXIT
set -a
# shellcheck disable=SC1091
source "$run_dir/env"
set +a
export PGOPTIONS="-c client_min_messages=warning"
sql() { psql -qXAt -v ON_ERROR_STOP=1 "$@"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

book="$work/citus_directory_$rows.xlsx"
[[ -f $book ]] || "$build/bench/generate_workbook" --typed --rows "$rows" "$book"
# The same rows as CSV, where the coordinator's OS user can read them.
csv=/tmp/xlsx2pg-citus-bench.csv
"$xlsx2pg" cat "$book" >"$csv"
chmod a+r "$csv"
sql -c "DROP TABLE IF EXISTS target" -c "$("$xlsx2pg" schema "$book" target)" \
    -c "SELECT create_distributed_table('target', 'id')" >/dev/null

# seconds of one run of "$@", after emptying the target; checks that every row arrived
timed() {
    sql -c "TRUNCATE target" -c "CHECKPOINT"
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>"$work/citus-err.out" || { cat "$work/citus-err.out" >&2; return 1; }
    end=$(date +%s.%N)
    local loaded
    loaded=$(sql -c "SELECT count(*) FROM target")
    [[ $loaded == "$rows" ]] || { echo "target has $loaded rows, not $rows, after: $*" >&2; return 1; }
    echo "$end - $start" | bc
}

copy_csv() { sql -c "COPY target FROM '$csv' (FORMAT csv, HEADER)"; }
load() { "$xlsx2pg" load "$book" target -q --new-run "$@"; }

declare -A seconds
for _ in $(seq "$runs"); do
    seconds[copy]+="$(timed copy_csv) "
    seconds[colocated]+="$(timed load --citus-staging colocated) "
    seconds[coordinator]+="$(timed load --citus-staging coordinator) "
    seconds[direct]+="$(timed load --mode direct) "
    # The merge alone: a kept staging table of each kind merged into the emptied target.
    for placement in colocated coordinator; do
        load --citus-staging "$placement" --keep-staging >/dev/null
        staging=$(sql -c "SELECT staging_table FROM xlsx.import_runs ORDER BY run_id DESC LIMIT 1")
        seconds[merge_$placement]+="$(timed sql -c "SELECT * FROM xlsx.merge('$staging', 'target')") "
        sql -c "DROP TABLE $staging"
    done
done

med() { tr ' ' '\n' <<<"${seconds[$1]}" | grep . | median; }
copy=$(med copy)
report="$source_dir/bench/results/citus-$(date +%Y-%m-%d).md"
{
    echo "# Loading into Citus: $rows rows, a coordinator and two workers on one $(nproc)-core machine"
    echo
    echo "\`bench/citus_bench.sh $build $rows $runs\`, $(date -u +%Y-%m-%dT%H:%MZ); medians of $runs, back to back."
    echo
    echo "| what | seconds | vs COPY of the CSV |"
    echo "|---|---:|---:|"
    for what in copy colocated coordinator direct merge_colocated merge_coordinator; do
        label=$what
        case $what in
        copy) label="coordinator's COPY FROM 'file.csv'" ;;
        colocated) label="xlsx2pg, staging on the shards (default)" ;;
        coordinator) label="xlsx2pg, staging on the coordinator" ;;
        direct) label="xlsx2pg --mode direct" ;;
        merge_colocated) label="the merge alone, staging on the shards" ;;
        merge_coordinator) label="the merge alone, staging on the coordinator" ;;
        esac
        m=$(med "$what")
        printf '| %s | %.2f | %.2fx |\n' "$label" "$m" "$(echo "$m / $copy" | bc -l)"
    done
} | tee "$report"
