#!/usr/bin/env bash
# Sets up everything and runs every test: unit, reader conformance on the corpus, integration
# tests and pg_regress against a throwaway PostgreSQL the harness starts and stops.
# Usage: scripts/test.sh [BUILD_DIR]   (XLSX_SANITIZE=ON for an ASan+UBSan build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bash scripts/install-deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXLSX_WERROR=ON \
    -DXLSX_SANITIZE="${XLSX_SANITIZE:-OFF}" >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest -j2 --output-on-failure --timeout 900
