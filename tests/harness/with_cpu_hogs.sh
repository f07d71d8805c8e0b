#!/usr/bin/env bash
# Runs a command on a busy machine, so that every test also passes when the machine is doing
# other work, as CI's and users' machines often are: N processes spin on the CPU at normal
# priority (yes > /dev/null) for as long as the command runs. BUSY_FIRST="CMD" makes the
# machine busy with real work first (a build a later stage needs): CMD starts with the
# command, the N spinning processes once CMD has ended; the command's end waits for CMD, whose
# failure fails the whole.
# Usage: tests/harness/with_cpu_hogs.sh N COMMAND [ARGS...]     (N = 0: no spinning)
set -euo pipefail
hogs=$1
shift
state=$(mktemp -d)
trap 'touch "$state/done"; wait; rm -rf "$state"' EXIT

# BUSY_FIRST, then spinning until the command is done.
(
    status=0
    if [[ -n ${BUSY_FIRST:-} ]]; then bash -c "$BUSY_FIRST" || status=$?; fi
    echo "$status" >"$state/busy_status"
    pids=()
    if [[ ! -e $state/done ]]; then
        for ((i = 0; i < hogs; i++)); do
            yes >/dev/null &
            pids+=($!)
        done
    fi
    while [[ ! -e $state/done ]]; do sleep 0.5; done
    if ((${#pids[@]})); then kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; fi
) &
busy=$!
echo "with_cpu_hogs: ${BUSY_FIRST:+busy with $BUSY_FIRST, then }$hogs spinning processes, while: $*"

status=0
"$@" || status=$?
touch "$state/done"
wait "$busy" || true
busy_status=$(cat "$state/busy_status" 2>/dev/null || echo 1)
if ((status == 0 && busy_status != 0)); then
    echo "with_cpu_hogs: $BUSY_FIRST failed ($busy_status)" >&2
    status=$busy_status
fi
exit "$status"
