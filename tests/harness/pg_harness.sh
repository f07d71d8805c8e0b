#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: initdb into the build tree, the server on a free
# loopback port with its socket in the build tree, the pg_xlsx extension installed, and an env
# file the tests read. Run as root, the server runs as the "postgres" OS user (initdb refuses
# root). Usage: pg_harness.sh start|stop|restart RUN_DIR SOURCE_DIR
set -euo pipefail

action=$1
run_dir=$(realpath -m "$2")
source_dir=$(realpath "${3:-.}")
pg_bin=$(pg_config --bindir)
data="$run_dir/data"

as_server_user() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_server() {
    if [[ -f "$data/postmaster.pid" ]]; then
        as_server_user "$pg_bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
}

case "$action" in
start)
    stop_server
    rm -rf "$run_dir"
    mkdir -p "$run_dir"
    # The socket path must stay under the 107-byte limit of Unix sockets.
    sock="$run_dir/sock"
    if ((${#sock} > 90)); then sock=$(mktemp -d /tmp/xlsx2pg-sock.XXXXXX); fi
    mkdir -p "$sock"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$run_dir" "$sock"; fi

    # Install the extension into the server's directories (as root; sudo -n otherwise).
    sudo_cmd=()
    if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo -n); fi
    make -s -C "$source_dir" -f Makefile.pgxs >"$run_dir/extension-build.log" 2>&1 ||
        { cat "$run_dir/extension-build.log"; exit 1; }
    "${sudo_cmd[@]}" make -s -C "$source_dir" -f Makefile.pgxs install >>"$run_dir/extension-build.log" 2>&1 ||
        { cat "$run_dir/extension-build.log"; echo "pg_harness: cannot install the extension (run as root)"; exit 1; }

    as_server_user "$pg_bin/initdb" -D "$data" --auth=trust --username=postgres \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$run_dir/initdb.log" 2>&1 ||
        { cat "$run_dir/initdb.log"; exit 1; }
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # Settings for a test server: nothing durable, prepared transactions on for direct mode.
    cat >>"$data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_prepared_transactions = 20
max_connections = 60
shared_buffers = 256MB
max_wal_size = 4GB
log_min_messages = warning
CONF
    as_server_user "$pg_bin/pg_ctl" -D "$data" -l "$run_dir/server.log" -w -t 60 start >/dev/null ||
        { cat "$run_dir/server.log"; exit 1; }
    cat >"$run_dir/env" <<ENV
PGHOST=$sock
PGPORT=$port
PGUSER=postgres
PGDATABASE=postgres
ENV
    echo "pg_harness: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on port $port, socket $sock"
    ;;
stop)
    stop_server
    echo "pg_harness: stopped"
    ;;
restart)
    # For the fault tests: every connection is cut, as in a server crash and recovery.
    as_server_user "$pg_bin/pg_ctl" -D "$data" -l "$run_dir/server.log" -m immediate -w -t 60 restart >/dev/null
    echo "pg_harness: restarted"
    ;;
*)
    echo "usage: $0 start|stop|restart RUN_DIR SOURCE_DIR" >&2
    exit 2
    ;;
esac
