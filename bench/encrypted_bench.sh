#!/usr/bin/env bash
# The cost of a password: `xlsx2pg cat` of the typed workbook, plain and encrypted with Excel's
# agile encryption (by officecrypto-tool from npm, an independent writer), alternating, RUNS
# times each; medians and peak RSS. The decrypted package is held in memory, never on disk.
#   bench/encrypted_bench.sh BUILD_DIR [ROWS] [RUNS]
set -euo pipefail
build=$(realpath "${1:-build}")
rows=${2:-1000000}
runs=${3:-3}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
xlsx2pg="$build/loader/xlsx2pg"
work="$build/bench-work"
mkdir -p "$work"
plain="$work/typed_${rows}.xlsx"
encrypted="$work/typed_${rows}_agile.xlsx"
export XLSX2PG_PASSWORD="bench pässword"
[[ -f $plain ]] || "$build/bench/generate_workbook" "$plain" --rows "$rows" --typed >/dev/null
if [[ ! -f $encrypted ]]; then
    [[ -d $work/npm/node_modules/officecrypto-tool ]] ||
        npm install --silent --prefix "$work/npm" officecrypto-tool@0.0.19
    NODE_PATH="$work/npm/node_modules" node -e "
        const oc = require('officecrypto-tool'), fs = require('fs');
        fs.writeFileSync('$encrypted', oc.encrypt(fs.readFileSync('$plain'), {password: process.env.XLSX2PG_PASSWORD}));"
fi
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {  # prints "seconds rss_kb"
    /usr/bin/time -f '%e %M' -o "$work/time.out" "$xlsx2pg" cat "$1" >/dev/null
    cat "$work/time.out"
}
: >"$work/plain.times"
: >"$work/encrypted.times"
for _ in $(seq "$runs"); do
    measure "$plain" >>"$work/plain.times"
    measure "$encrypted" >>"$work/encrypted.times"
done
p=$(cut -d' ' -f1 "$work/plain.times" | median)
e=$(cut -d' ' -f1 "$work/encrypted.times" | median)
out="$source_dir/bench/results/encrypted-$(date +%F).md"
{
    echo "# Decryption, $(date +%F)"
    echo
    echo "\`bench/encrypted_bench.sh $build $rows $runs\`: \`xlsx2pg cat\` of the typed workbook"
    echo "($rows rows, $(stat -c %s "$plain") bytes) plain and encrypted (agile: SHA-512 with"
    echo "100,000 rounds, AES-256-CBC, HMAC), alternating; medians of $runs. $(nproc) cores."
    echo
    echo "| workbook | seconds | peak RSS |"
    echo "| --- | ---: | ---: |"
    echo "| plain | $p | $(($(cut -d' ' -f2 "$work/plain.times" | sort -n | tail -1) / 1024)) MB |"
    echo "| encrypted | $e | $(($(cut -d' ' -f2 "$work/encrypted.times" | sort -n | tail -1) / 1024)) MB |"
    echo
    echo "Decryption costs $(echo "$e - $p" | bc) s ($(echo "scale=2; $e / $p" | bc)x); the package is decrypted into memory."
} | tee "$out"
