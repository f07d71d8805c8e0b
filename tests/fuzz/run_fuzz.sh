#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS, seeded with
# the corpus: whole workbooks for package/workbook, their parts for sheet/shared_strings/styles,
# values as the server prints them for cells (the export's encoder), plus the saved regression
# inputs. Prints execs and coverage per target. A crash is copied to
# tests/fuzz/regressions/<target>/ (replayed by the unit tests from then on) and fails the run.
#   tests/fuzz/run_fuzz.sh BUILD_DIR CORPUS_DIR [SECONDS]
set -euo pipefail
build=$1
corpus=$2
seconds=${3:-20}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
work="$build/fuzz-work"
CC=clang CXX=clang++ cmake -S "$source_dir" -B "$build" -DXLSX_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target fuzz_targets >/dev/null

# Seeds: small corpus workbooks, and their parts by kind.
rm -rf "$work" && mkdir -p "$work"/seeds/{package,workbook,sheet,shared_strings,styles,encrypted,legacy,cells}
for f in "$corpus"/files/*.xlsx; do
    [[ $(stat -c %s "$f") -lt 300000 ]] || continue
    name=$(basename "$f" .xlsx)
    cp "$f" "$work/seeds/package/$name"
    cp "$f" "$work/seeds/workbook/$name"
    unzip -p "$f" xl/worksheets/sheet1.xml 2>/dev/null | head -c 65536 >"$work/seeds/sheet/$name" || true
    unzip -p "$f" xl/sharedStrings.xml 2>/dev/null | head -c 65536 >"$work/seeds/shared_strings/$name" || true
    unzip -p "$f" xl/styles.xml 2>/dev/null | head -c 65536 >"$work/seeds/styles/$name" || true
done
# Password-protected workbooks (OLE2 containers) for the decryption target.
for f in "$corpus"/files/*.xlsx; do
    head -c 8 "$f" | cmp -s - <(printf '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1') &&
        cp "$f" "$work/seeds/encrypted/$(basename "$f" .xlsx)"
done
# The BIFF records of the legacy .xls test workbooks (olefile comes with msoffcrypto-tool).
for f in "$source_dir"/tests/data/xls/*.xls; do
    /usr/bin/python3 -c 'import olefile, sys; sys.stdout.buffer.write(olefile.OleFileIO(sys.argv[1]).openstream("Workbook").read())' \
        "$f" >"$work/seeds/legacy/$(basename "$f" .xls)"
done
# Values as the server prints them, for the cells target (the export's encoder).
i=0
for value in 42 -0 1e+20 0.30000000000000004 NaN -Infinity 12345678901234567890.5 2024-01-15 \
    "2024-01-15 10:20:30.123456+05:30" "9999-12-31 23:59:59.999" "0044-03-15 BC" 24:00:00 \
    "1 year 2 mons -3 days +04:05:06.789" "-1 days" 838:59:59 t _x0041_ "a_X00e9_b"; do
    printf '%s' "$value" >"$work/seeds/cells/$((i++))"
done
find "$work/seeds" -type f -empty -delete

failed=0
printf '%-16s %10s %8s %8s %9s\n' target execs exec/s cov features
for target in package workbook sheet shared_strings styles encrypted legacy cells; do
    mkdir -p "$work/corpus-$target" "$work/artifacts-$target"
    regressions="$source_dir/tests/fuzz/regressions/$target"
    inputs=("$work/corpus-$target" "$work/seeds/$target")
    [[ -d $regressions ]] && inputs+=("$regressions")
    log="$work/$target.log"
    if "$build/tests/fuzz_$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$work/artifacts-$target/" "${inputs[@]}" >"$log" 2>&1; then
        stats=$(grep -E '^#[0-9]+.*(DONE|pulse)' "$log" | tail -1)
        execs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$stats")
        rate=$(grep -oE 'exec/s: [0-9]+' <<<"$stats" | awk '{print $2}')
        cov=$(grep -oE 'cov: [0-9]+' <<<"$stats" | awk '{print $2}')
        ft=$(grep -oE 'ft: [0-9]+' <<<"$stats" | awk '{print $2}')
        printf '%-16s %10s %8s %8s %9s\n' "$target" "$execs" "$rate" "$cov" "$ft"
    else
        failed=1
        echo "fuzz_$target found a crash:"
        grep -E 'ERROR|SUMMARY' "$log" | head -5
        for crash in "$work/artifacts-$target"/*; do
            [[ -f $crash ]] || continue
            mkdir -p "$regressions"
            cp "$crash" "$regressions/"
            echo "  saved as tests/fuzz/regressions/$target/$(basename "$crash")"
        done
    fi
done
exit $failed
