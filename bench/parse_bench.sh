#!/usr/bin/env bash
# Reader benchmark: parse-only (xlsx2pg cat to /dev/null) of the 1,000,000-row, 15-column typed
# workbook, with 1 and 2 threads, beside the floors measured in the same run, back to back:
# `unzip -p` of the sheet and shared-strings parts (inflate alone) and expat with empty
# handlers over the same XML (both parts at once, one core each). Medians of RUNS runs.
#   bench/parse_bench.sh BUILD_DIR [ROWS] [RUNS]
# OLD=path/to/xlsx2pg (an earlier build) adds its rows, measured in the same run: before and after.
set -euo pipefail
build=$(realpath "${1:-build}")
rows=${2:-1000000}
runs=${3:-3}
work="$build/bench-work"
mkdir -p "$work"
book="$work/typed_${rows}.xlsx"
[[ -f "$book" ]] || "$build/bench/generate_workbook" "$book" --rows "$rows" --typed
parts=(xl/worksheets/sheet1.xml xl/sharedStrings.xml)
for p in "${parts[@]}"; do unzip -p "$book" "$p" >"$work/$(basename "$p")"; done
xml_bytes=$(cat "$work/sheet1.xml" "$work/sharedStrings.xml" | wc -c)

# Runs a command RUNS times; prints "median_seconds peak_rss_kb".
measure() {
    local times=() rss=0
    for _ in $(seq "$runs"); do
        local out
        /usr/bin/time -o "$work/time.out" -f '%e %M' "$@" >/dev/null 2>/dev/null
        out=$(tail -1 "$work/time.out")
        times+=("${out% *}")
        local r=${out#* }
        ((r > rss)) && rss=$r
    done
    printf '%s %s\n' "$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$rss"
}

printf '%-34s %9s %12s %10s %10s %8s\n' "what" "seconds" "rows/s" "XML MB/s" "peak RSS" "x unzip"
unzip_res=$(measure bash -c "unzip -p '$book' ${parts[*]} >/dev/null")
base=${unzip_res% *}
row() {
    local name=$1 res=$2
    local s=${res% *} rss=${res#* }
    awk -v n="$name" -v s="$s" -v r="$rows" -v b="$xml_bytes" -v rss="$rss" -v base="$base" \
        'BEGIN { printf "%-34s %9.2f %12.0f %10.1f %8.0fMB %8.2f\n", n, s, r / s, b / 1048576 / s, rss / 1024, s / base }'
}
row "unzip -p (inflate floor)" "$unzip_res"
row "expat, empty handlers, 2 threads" "$(measure "$build/bench/expat_floor" "$work/sheet1.xml" "$work/sharedStrings.xml")"
row "xlsx2pg cat --threads 1" "$(measure "$build/loader/xlsx2pg" cat --threads 1 "$book")"
row "xlsx2pg cat --threads 2" "$(measure "$build/loader/xlsx2pg" cat --threads 2 "$book")"
if [[ -n ${OLD:-} ]]; then
    row "before: cat --threads 1" "$(measure "$OLD" cat --threads 1 "$book")"
    row "before: cat --threads 2" "$(measure "$OLD" cat --threads 2 "$book")"
fi
echo "rows: $rows, uncompressed XML: $((xml_bytes / 1048576)) MB, runs: $runs (median), $(nproc) cores"
