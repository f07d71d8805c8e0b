// Which sheet column goes to which target column, with what type: from the header (matched
// against an existing table by name, or made into identifiers for a new one), from --columns,
// or by position without a header.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "chunker.hpp"
#include "options.hpp"
#include "pg/connection.hpp"
#include "sheet_rows.hpp"

namespace load {

struct TargetTable {
    std::string name;  // quoted and schema-qualified, as the ledger records it
    bool exists = false;
    std::vector<std::string> columns;
    std::vector<std::string> types;
    // Citus: "distributed" (on distribution_column), "reference" or "local"; empty otherwise.
    std::string citus;
    std::string distribution_column;
};

// Resolves the table as the server would (search_path, quoting); an absent table gets the
// schema it would be created in.
TargetTable resolve_target(pg::Connection& conn, const std::string& table);

// The narrowest type of each sheet column (index = column number, [0] unused), over every
// data row of the sheet.
std::vector<std::string> infer_column_types(SheetRows& rows);

// `infer` runs only when a new table needs types. Throws std::invalid_argument for a header
// or --columns that does not fit the target, naming the mismatches.
ColumnPlan plan_columns(const LoadOptions& options, const TargetTable& target,
                        const std::vector<std::string>& header,
                        const std::function<std::vector<std::string>()>& infer);

std::string create_table_sql(const std::string& table, const ColumnPlan& plan);

}  // namespace load
