#!/usr/bin/env bash
# The reader gives the same bytes with 1 thread and with several, on every sheet of the corpus
# (with chunks small enough that every sheet of some size is cut into many) and on a generated
# sheet of a million rows.
#   threads_equivalence.sh XLSX2PG GENERATOR CORPUS_DIR WORK_DIR
set -euo pipefail
tool=$1 generator=$2 corpus=$3 work=$4
mkdir -p "$work"
checked=0 failed=0

compare() {  # file sheet-name
    local a b
    a=$("$tool" cat --threads 1 --sheet "$2" "$1" 2>/dev/null | sha256sum) || return 0
    b=$("$tool" cat --threads 3 --chunk-size 4096 --sheet "$2" "$1" | sha256sum)
    checked=$((checked + 1))
    if [[ "$a" != "$b" ]]; then
        echo "FAIL: $1 sheet $2 differs between 1 and 3 threads"
        failed=$((failed + 1))
    fi
}

for f in "$corpus"/files/*.xlsx; do
    names=$("$tool" sheets --json --threads 1 "$f" 2>/dev/null |
        python3 -c 'import json,sys; [print(s["name"]) for s in json.load(sys.stdin)["sheets"] if s["kind"]=="worksheet"]' 2>/dev/null) || continue
    while IFS= read -r name; do
        [[ -n "$name" ]] && compare "$f" "$name"
    done <<<"$names"
done

big="$work/million.xlsx"
[[ -f "$big" ]] || "$generator" "$big" --rows 1000000 --typed --seed 7
one=$("$tool" cat --threads 1 "$big" | sha256sum)
two=$("$tool" cat --threads 2 --chunk-size 65536 "$big" | sha256sum)
checked=$((checked + 1))
rows=$("$tool" sheets --json "$big" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sheets"][0]["rows"])')
if [[ "$one" != "$two" || "$rows" -ne 1000001 ]]; then
    echo "FAIL: the million-row sheet differs between 1 and 2 threads ($rows rows)"
    failed=$((failed + 1))
fi
echo "threads: $((checked - failed)) passed, $failed failed"
[[ $failed -eq 0 ]]
