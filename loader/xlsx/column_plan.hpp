// Which sheet column goes to which target column, with what type: the one set of rules for
// xlsx2pg, xlsx.import and xlsx_fdw. From the header (matched against an existing table by
// name, or made into identifiers for a new one), from an explicit column list, or by position
// without a header; a sheet column is loaded once, into a column of its own, or refused.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace xlsx {

// How the caller's options are named in messages: xlsx2pg's flags or xlsx.import's arguments.
struct PlanWords {
    const char* columns;  // the explicit column list
    const char* types;    // the type overrides
};
inline constexpr PlanWords kLoaderWords{"--columns", "--type"};
inline constexpr PlanWords kImportWords{"columns => ARRAY[...]", "types => ARRAY[...]"};

struct PlanTarget {
    std::string name;  // as messages show it
    bool exists = false;
    std::vector<std::string> columns;  // an existing table's, in order
    std::vector<std::string> types;    // and their types
};

struct PlanRequest {
    std::vector<std::string> header;   // texts by sheet column, [0] unused; empty: no header row
    std::vector<std::string> columns;  // target column of each sheet column, "-" skips one
    bool all_text = false;             // a new table's columns all text
    std::vector<std::pair<std::string, std::string>> type_overrides;  // column, type
    PlanWords words = kLoaderWords;
    // A foreign table: its columns are a selection of the sheet's. A sheet column without one
    // is skipped; a table column that no header names is an error.
    bool selection = false;
};

struct ColumnPlan {
    std::vector<std::string> names;         // target columns, in load order
    std::vector<std::string> types;         // their types, for rejects and CREATE TABLE
    std::vector<int> slot_of_sheet_column;  // by sheet column (1-based); -1 skips the column
    size_t width() const {
        return slot_of_sheet_column.empty() ? 0 : slot_of_sheet_column.size() - 1;
    }
};

// A request the rules refuse, with what kind of mistake it is (the server's SQLSTATE).
class PlanError : public std::invalid_argument {
public:
    enum class Kind { Mismatch, UnknownColumn, Invalid };
    PlanError(Kind kind, const std::string& message)
        : std::invalid_argument(message), kind_(kind) {}
    Kind kind() const { return kind_; }

private:
    Kind kind_;
};

// Without a header or a column list, a new table's width comes from the data: its types
// (inferred by sheet column, [0] unused) must be given then.
bool plan_needs_types_first(const PlanTarget& target, const PlanRequest& request);

// The columns, and the types of an existing table. `inferred` (by sheet column, [0] unused)
// sets the width where plan_needs_types_first says so; otherwise it may be empty.
ColumnPlan plan_columns(const PlanTarget& target, const PlanRequest& request,
                        const std::vector<std::string>& inferred = {});

// A new table's types: all text, or those inferred (text where none is), then the overrides.
void plan_new_table_types(ColumnPlan& plan, const PlanRequest& request,
                          const std::vector<std::string>& inferred);

}  // namespace xlsx
