#!/usr/bin/env bash
# The cost of --fill-merged: `xlsx2pg cat` of the directory workbook as it is and with merged
# cells filled (the sheet part is inflated a second time for its <mergeCell> tags, and every
# batch is copied through the shaper), alternating, RUNS times each; medians and peak RSS.
#   bench/shapes_bench.sh BUILD_DIR [ROWS] [RUNS]
set -euo pipefail
build=$(realpath "${1:-build}")
rows=${2:-1000000}
runs=${3:-3}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
xlsx2pg="$build/loader/xlsx2pg"
work="$build/bench-work"
mkdir -p "$work"
book="$work/directory_${rows}.xlsx"
[[ -f $book ]] || "$build/bench/generate_workbook" "$book" --rows "$rows" >/dev/null
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {  # prints "seconds rss_kb"
    /usr/bin/time -f '%e %M' -o "$work/time.out" "$xlsx2pg" cat "$@" >/dev/null
    cat "$work/time.out"
}
: >"$work/plain.times"
: >"$work/filled.times"
for _ in $(seq "$runs"); do
    measure "$book" >>"$work/plain.times"
    measure --fill-merged "$book" >>"$work/filled.times"
done
a=$(cut -d' ' -f1 "$work/plain.times" | median)
b=$(cut -d' ' -f1 "$work/filled.times" | median)
peak() { echo $(($(cut -d' ' -f2 "$1" | sort -n | tail -1) / 1024)); }
out="$source_dir/bench/results/shapes-$(date +%F).md"
{
    echo "# Filling merged cells, $(date +%F)"
    echo
    echo "\`bench/shapes_bench.sh $build $rows $runs\`: \`xlsx2pg cat\` of the directory workbook"
    echo "($rows rows, $(stat -c %s "$book") bytes) as it is and with \`--fill-merged\`; alternating,"
    echo "medians of $runs. $(nproc) cores."
    echo
    echo "| read | seconds | peak RSS |"
    echo "| --- | ---: | ---: |"
    echo "| as it is | $a | $(peak "$work/plain.times") MB |"
    echo "| \`--fill-merged\` | $b | $(peak "$work/filled.times") MB |"
    echo
    echo "Filling costs $(printf %.2f "$(echo "scale=4; $b / $a" | bc)")x: the part inflated once more for its merges, the batches copied."
} | tee "$out"
