#!/usr/bin/env bash
# Runs the pg_regress suite (make -f Makefile.pgxs installcheck) against the harness's server.
# Usage: run_regress.sh RUN_DIR SOURCE_DIR OUTPUT_DIR      (PG_CONFIG as for pg_harness.sh)
set -euo pipefail
run_dir=$1
source_dir=$2
out_dir=$3
set -a
# shellcheck disable=SC1091
source "$run_dir/env"
set +a
mkdir -p "$out_dir"
if ! make -s -C "$source_dir" -f Makefile.pgxs PG_CONFIG="${PG_CONFIG:-pg_config}" installcheck \
    EXTRA_REGRESS_OPTS="--host=$PGHOST --port=$PGPORT --user=$PGUSER --outputdir=$out_dir"; then
    [[ -f "$out_dir/regression.diffs" ]] && head -200 "$out_dir/regression.diffs"
    exit 1
fi
