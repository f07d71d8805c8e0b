// What serve reads from the database for its GET endpoints, each over the caller's connection
// and with parameters only; the HTTP side (statuses, headers) stays in serve_command.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg/connection.hpp"

namespace cli {

// The tables in `schemas` the connection's role may INSERT into, as a JSON array of
// {schema, name, qualified_name}.
std::string insertable_tables_json(pg::Connection& conn, const std::vector<std::string>& schemas);

// Every rejected row of a run the role may see, as CSV with a header row.
std::string rejects_csv_of_run(pg::Connection& conn, const std::string& run);

// xlsx.stats of a run as a JSON object; nullopt when it does not exist or is not the role's.
std::optional<std::string> run_stats_json(pg::Connection& conn, const std::string& run);

// pg_xlsx's version in the database, or nullopt when it is not installed.
std::optional<std::string> extension_version(pg::Connection& conn);

}  // namespace cli
