#!/usr/bin/env bash
# Runs a command on a busy machine: N processes that spin on the CPU at normal priority
# (yes > /dev/null) for as long as the command runs, so that every test also passes when the
# machine is doing other work, as CI's and users' machines often are.
# Usage: tests/harness/with_cpu_hogs.sh N COMMAND [ARGS...]     (N = 0 runs it as it is)
set -euo pipefail
hogs=$1
shift
pids=()
stop_hogs() {
    if ((${#pids[@]})); then kill "${pids[@]}" 2>/dev/null || true; fi
}
trap stop_hogs EXIT
for ((i = 0; i < hogs; i++)); do
    yes >/dev/null &
    pids+=($!)
done
((hogs == 0)) || echo "with_cpu_hogs: $hogs processes spinning (pids ${pids[*]}) while: $*"
"$@"
