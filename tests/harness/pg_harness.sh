#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: initdb into the build tree, the server on a free
# loopback port with its socket in the build tree, the pg_xlsx extension installed, and an env
# file the tests read. Run as root, the server runs as the "postgres" OS user (initdb refuses
# root).
#   pg_harness.sh start|stop|restart RUN_DIR SOURCE_DIR
#   pg_harness.sh start-citus RUN_DIR SOURCE_DIR     a Citus coordinator and two workers (three
#       clusters, three ports; Citus from ../shared/citus/build-citus.sh) with pg_xlsx and
#       citus in database xlsx_citus; the env file names the workers' ports too
#   pg_harness.sh stop-node|start-node RUN_DIR SOURCE_DIR N   stops or starts node N (0 is the
#       coordinator), for the tests of a worker that goes away
# PG_CONFIG picks the PostgreSQL installation (default: pg_config on PATH, Debian's 15); the
# extension is built in SOURCE_DIR for it, so another version needs a tree of its own.
set -euo pipefail

action=$1
run_dir=$(realpath -m "$2")
source_dir=$(realpath "${3:-.}")
pg_config=${PG_CONFIG:-pg_config}
pg_bin=$("$pg_config" --bindir)

as_server_user() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Every node of the run directory: data (one server) or node0, node1, ... (a cluster).
node_dirs() {
    local d
    for d in "$run_dir"/data "$run_dir"/node*; do [[ -d $d ]] && echo "$d"; done
    return 0
}

stop_node() {
    if [[ -f "$1/postmaster.pid" ]]; then
        as_server_user "$pg_bin/pg_ctl" -D "$1" -m immediate -w stop >/dev/null 2>&1 || true
    fi
}

start_node() {
    as_server_user "$pg_bin/pg_ctl" -D "$1" -l "$1.log" -w -t 60 start >/dev/null ||
        { cat "$1.log"; exit 1; }
}

# Install the extension into the server's directories (as root; sudo -n otherwise).
install_extension() {
    local sudo_cmd=()
    if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo -n); fi
    make -s -C "$source_dir" -f Makefile.pgxs PG_CONFIG="$pg_config" >"$run_dir/extension-build.log" 2>&1 ||
        { cat "$run_dir/extension-build.log"; exit 1; }
    "${sudo_cmd[@]}" make -s -C "$source_dir" -f Makefile.pgxs PG_CONFIG="$pg_config" install >>"$run_dir/extension-build.log" 2>&1 ||
        { cat "$run_dir/extension-build.log"; echo "pg_harness: cannot install the extension (run as root)"; exit 1; }
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# init_node DATA_DIR PORT [EXTRA_SETTING...]: a cluster with the settings of a test server:
# nothing durable, prepared transactions on for direct mode.
init_node() {
    local data=$1 port=$2
    shift 2
    as_server_user "$pg_bin/initdb" -D "$data" --auth=trust --username=postgres \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$data.initdb.log" 2>&1 ||
        { cat "$data.initdb.log"; exit 1; }
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
    local setting
    for setting in "$@"; do echo "$setting" >>"$data/postgresql.conf"; done
}

# A fresh run directory with its socket directory ($sock) and the extension installed.
prepare_run_dir() {
    for d in $(node_dirs); do stop_node "$d"; done
    rm -rf "$run_dir"
    mkdir -p "$run_dir"
    # The socket path must stay under the 107-byte limit of Unix sockets.
    sock="$run_dir/sock"
    if ((${#sock} > 90)); then sock=$(mktemp -d /tmp/xlsx2pg-sock.XXXXXX); fi
    mkdir -p "$sock"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$run_dir" "$sock"; fi
    install_extension
}

write_env() {  # write_env PORT DATABASE [EXTRA_LINE...]
    local port=$1 database=$2
    shift 2
    {
        echo "PGHOST=$sock"
        echo "PGPORT=$port"
        echo "PGUSER=postgres"
        echo "PGDATABASE=$database"
        local line
        for line in "$@"; do echo "$line"; done
    } >"$run_dir/env"
}

case "$action" in
start)
    prepare_run_dir
    port=$(free_port)
    init_node "$run_dir/data" "$port"
    start_node "$run_dir/data"
    write_env "$port" postgres
    echo "pg_harness: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on port $port, socket $sock"
    ;;
start-citus)
    if ! grep -qs "13.2-1" "$("$pg_config" --sharedir)/extension/citus.control"; then
        echo "pg_harness: Citus is not installed; run ../shared/citus/build-citus.sh as root" >&2
        exit 1
    fi
    prepare_run_dir
    ports=()
    for n in 0 1 2; do
        ports+=("$(free_port)")
        # Workers take the coordinator's connections; the coordinator's executor opens up to
        # max_adaptive_executor_pool_size connections per worker.
        init_node "$run_dir/node$n" "${ports[n]}" "shared_preload_libraries = 'citus'" \
            "citus.max_adaptive_executor_pool_size = 4" "max_connections = 120"
        start_node "$run_dir/node$n"
    done
    psql_node() {
        as_server_user "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$1" -U postgres -d "$2" -c "$3" >/dev/null
    }
    for n in 0 1 2; do
        psql_node "${ports[n]}" postgres "CREATE DATABASE xlsx_citus"
        psql_node "${ports[n]}" xlsx_citus "CREATE EXTENSION citus"
    done
    psql_node "${ports[0]}" xlsx_citus "SELECT citus_set_coordinator_host('127.0.0.1', ${ports[0]})"
    psql_node "${ports[0]}" xlsx_citus "SELECT citus_add_node('127.0.0.1', ${ports[1]})"
    psql_node "${ports[0]}" xlsx_citus "SELECT citus_add_node('127.0.0.1', ${ports[2]})"
    # Created on the coordinator, propagated to the workers (the same files are installed).
    psql_node "${ports[0]}" xlsx_citus "CREATE EXTENSION pg_xlsx"
    write_env "${ports[0]}" xlsx_citus "CITUS_WORKER_PORTS=${ports[1]},${ports[2]}"
    echo "pg_harness: Citus $(grep default_version "$("$pg_config" --sharedir)/extension/citus.control" | tr -dc '0-9.-') coordinator on port ${ports[0]}, workers on ${ports[1]} and ${ports[2]}"
    ;;
stop)
    for d in $(node_dirs); do stop_node "$d"; done
    echo "pg_harness: stopped"
    ;;
restart)
    # For the fault tests: every connection is cut, as in a server crash and recovery.
    as_server_user "$pg_bin/pg_ctl" -D "$run_dir/data" -l "$run_dir/data.log" -m immediate -w -t 60 restart >/dev/null
    echo "pg_harness: restarted"
    ;;
stop-node)
    stop_node "$run_dir/node$4"
    ;;
start-node)
    start_node "$run_dir/node$4"
    ;;
*)
    echo "usage: $0 start|start-citus|stop|restart|stop-node|start-node RUN_DIR SOURCE_DIR [N]" >&2
    exit 2
    ;;
esac
