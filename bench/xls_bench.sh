#!/usr/bin/env bash
# The cost of a legacy .xls: `xlsx2pg cat` of the typed workbook as .xlsx and as the .xls
# LibreOffice writes of it (an .xls holds at most 65,536 rows), alternating, RUNS times each;
# medians and peak RSS. Needs LibreOffice (Debian libreoffice-calc-nogui) to write the .xls.
#   bench/xls_bench.sh BUILD_DIR [ROWS] [RUNS]
set -euo pipefail
build=$(realpath "${1:-build}")
rows=${2:-65535}
runs=${3:-5}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
xlsx2pg="$build/loader/xlsx2pg"
work="$build/bench-work"
mkdir -p "$work"
xlsx="$work/typed_${rows}.xlsx"
xls="$work/typed_${rows}.xls"
[[ -f $xlsx ]] || "$build/bench/generate_workbook" "$xlsx" --rows "$rows" --typed >/dev/null
[[ -f $xls ]] || soffice --headless --convert-to xls --outdir "$work" "$xlsx" >/dev/null 2>&1
cmp -s <("$xlsx2pg" cat "$xlsx") <("$xlsx2pg" cat "$xls") || {
    echo "xls_bench: the .xls does not read as the .xlsx" >&2
    exit 1
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {  # prints "seconds rss_kb"
    /usr/bin/time -f '%e %M' -o "$work/time.out" "$xlsx2pg" cat "$1" >/dev/null
    cat "$work/time.out"
}
: >"$work/xlsx.times"
: >"$work/xls.times"
for _ in $(seq "$runs"); do
    measure "$xlsx" >>"$work/xlsx.times"
    measure "$xls" >>"$work/xls.times"
done
a=$(cut -d' ' -f1 "$work/xlsx.times" | median)
b=$(cut -d' ' -f1 "$work/xls.times" | median)
peak() { echo $(($(cut -d' ' -f2 "$1" | sort -n | tail -1) / 1024)); }
out="$source_dir/bench/results/xls-$(date +%F).md"
{
    echo "# Legacy .xls next to .xlsx, $(date +%F)"
    echo
    echo "\`bench/xls_bench.sh $build $rows $runs\`: \`xlsx2pg cat\` of the typed workbook ($rows"
    echo "rows, 15 columns) as .xlsx ($(stat -c %s "$xlsx") bytes) and as the .xls LibreOffice"
    echo "writes of it ($(stat -c %s "$xls") bytes), the same CSV from both; alternating, medians of"
    echo "$runs. $(nproc) cores."
    echo
    echo "| workbook | seconds | peak RSS |"
    echo "| --- | ---: | ---: |"
    echo "| .xlsx | $a | $(peak "$work/xlsx.times") MB |"
    echo "| .xls | $b | $(peak "$work/xls.times") MB |"
    echo
    echo "The .xls takes $(printf %.2f "$(echo "scale=4; $b / $a" | bc)")x the .xlsx's time; no XML to parse, its records are decoded"
    echo "on one thread and the sheet is held whole (bounded by the file: 65,536 rows at most)."
} | tee "$out"
