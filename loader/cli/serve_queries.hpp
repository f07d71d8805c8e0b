// What serve's GET endpoints answer from the database, beyond the ledger's own reads
// (load/run_ledger.hpp); the HTTP side (statuses, headers) stays in serve_command.cpp.
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

}  // namespace cli
