// psql's connection flags. libpq reads every PG* variable, .pgpass and the service file for
// whatever is not given here.
#pragma once

#include <CLI/CLI.hpp>

#include <algorithm>

#include "pg/connection.hpp"

namespace cli {

// COPY connections by default: one per two cores, at most 8. The reader's parse threads take
// the other cores; on 2 cores one connection loads as fast as two (measured, see the README's
// Performance section), and each more is a server backend for nothing.
inline unsigned default_connections(unsigned cores) {
    return std::clamp(cores / 2, 1u, 8u);
}

inline void add_connection_options(CLI::App& cmd, pg::ConnectOptions& o) {
    // psql's -h is the host; help stays on --help.
    cmd.set_help_flag("--help", "Print this help message and exit");
    cmd.add_option("-d,--dbname", o.dbname, "database name, conninfo string or URI (as psql -d)");
    cmd.add_option("-h,--host", o.host, "server host or socket directory");
    cmd.add_option("-p,--port", o.port, "server port");
    cmd.add_option("-U,--username", o.user, "database user");
}

}  // namespace cli
