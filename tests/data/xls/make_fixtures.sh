#!/usr/bin/env bash
# Writes the legacy .xls test workbooks with LibreOffice (Debian libreoffice-calc-nogui), as
# people's .xls files are written: run by hand when they change, the results are committed
# (CI does not install LibreOffice). Usage: make_fixtures.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# The typed business directory (the tests write the same .xlsx again and compare).
"$build/bench/generate_workbook" typed.xlsx --rows 300 --typed --seed 7
# Booleans, formulas with cached values, dates with milliseconds, serials before the epoch.
cc "$here/edge_workbook.c" -o edge_workbook -lxlsxwriter && ./edge_workbook
# A grouped report: merged titles over a two-row header, regions merged down (MERGEDCELLS).
cc "$here/../report_workbook.c" -o report_workbook -lxlsxwriter && ./report_workbook report.xlsx
cp report.xlsx "$here/../report.xlsx"
# Formulas LibreOffice computes (a long string result, errors), a hidden sheet, the 1904 system.
cp "$here/forms.fods" .
for f in typed.xlsx edge.xlsx forms.fods report.xlsx; do
    soffice --headless --convert-to xls "$f" >/dev/null 2>&1
done
cp typed.xls edge.xls forms.xls report.xls "$here/"
