#include "column_plan.hpp"

#include "interrupt.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "pg/identifiers.hpp"
#include "xlsx/column_names.hpp"
#include "xlsx/type_inference.hpp"

namespace load {

TargetTable resolve_target(pg::Connection& conn, const std::string& table) {
    TargetTable target;
    // to_regclass and parse_ident read the name as SQL does: orders, public.orders, "My Table".
    if (auto existing = conn.scalar(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)",
            {table})) {
        target.name = *existing;
        target.exists = true;
        pg::Result r = conn.exec(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped "
            "AND attgenerated = '' ORDER BY attnum",
            {target.name});
        for (int i = 0; i < PQntuples(r.get()); ++i) {
            target.columns.emplace_back(PQgetvalue(r.get(), i, 0));
            target.types.emplace_back(PQgetvalue(r.get(), i, 1));
        }
        pg::Result citus = conn.exec(
            "SELECT coalesce(kind, ''), coalesce(distribution_column, '') "
            "FROM xlsx_internal.citus_placement($1::regclass)",
            {target.name});
        target.citus = PQgetvalue(citus.get(), 0, 0);
        target.distribution_column = PQgetvalue(citus.get(), 0, 1);
        return target;
    }
    auto name = conn.scalar(
        "SELECT CASE cardinality(p) WHEN 1 THEN format('%I.%I', current_schema(), p[1]) "
        "WHEN 2 THEN format('%I.%I', p[1], p[2]) END FROM parse_ident($1) AS p",
        {table});
    if (!name)
        throw std::invalid_argument(
            fmt::format("cannot tell the schema of table {}: give it as schema.table", table));
    target.name = *name;
    return target;
}

std::vector<std::string> infer_column_types(SheetRows& rows) {
    size_t width = rows.header().empty() ? 0 : rows.header().size() - 1;
    xlsx::TypeInference inference(16384 + 1);
    while (auto row = rows.next()) {
        throw_if_interrupted();
        for (const xlsx::Cell& cell : row->cells) {
            auto value = rows.value(cell);
            if (!value) continue;
            inference.add(cell.column, cell.type, *value);
            width = std::max<size_t>(width, cell.column);
        }
    }
    std::vector<std::string> types(width + 1);
    for (size_t column = 1; column <= width; ++column)
        types[column] = inference.type_of(column);
    return types;
}

namespace {

std::string sheet_column_label(size_t column, const std::vector<std::string>& header) {
    std::string label = xlsx::column_name(static_cast<uint32_t>(column));
    if (column < header.size() && !header[column].empty()) label += " \"" + header[column] + "\"";
    return label;
}

// The target column of each header: the header's own text, or the name --create would
// have made of it; a column is taken once.
std::vector<std::string> match_header(const std::vector<std::string>& header,
                                      const TargetTable& target,
                                      std::vector<std::string>& unmatched) {
    std::vector<std::string> texts(header.begin() + 1, header.end());
    std::vector<std::string> derived = xlsx::column_names_from_header(texts);
    std::vector<std::string> names(1);
    for (size_t i = 0; i < texts.size(); ++i) {
        std::string match;
        for (const std::string& candidate : {texts[i], derived[i]}) {
            bool exists = std::find(target.columns.begin(), target.columns.end(), candidate) !=
                          target.columns.end();
            bool taken = std::find(names.begin(), names.end(), candidate) != names.end();
            if (exists && !taken) {
                match = candidate;
                break;
            }
        }
        if (match.empty()) unmatched.push_back(sheet_column_label(i + 1, header));
        names.push_back(match);
    }
    return names;
}

}  // namespace

ColumnPlan plan_columns(const LoadOptions& o, const TargetTable& target,
                        const std::vector<std::string>& header,
                        const std::function<std::vector<std::string>()>& infer) {
    size_t width = header.empty() ? 0 : header.size() - 1;
    std::vector<std::string> names(1);  // by sheet column; "" skips it
    std::vector<std::string> inferred;

    if (!o.columns.empty()) {
        if (o.columns.size() < width)
            throw std::invalid_argument(fmt::format(
                "--columns names {} columns but the header has {}; skip a column with -",
                o.columns.size(), width));
        width = o.columns.size();
        for (const std::string& c : o.columns)
            names.push_back(c == "-" ? "" : c);
    } else if (!header.empty()) {
        if (target.exists) {
            std::vector<std::string> unmatched;
            names = match_header(header, target, unmatched);
            if (!unmatched.empty())
                throw std::invalid_argument(fmt::format(
                    "the header does not match table {}: no column for {}. Its columns are: {}. "
                    "Map the sheet's columns with --columns (- skips one)",
                    target.name, fmt::join(unmatched, ", "), fmt::join(target.columns, ", ")));
        } else {
            std::vector<std::string> headers(header.begin() + 1, header.end());
            for (std::string& name : xlsx::column_names_from_header(headers))
                names.push_back(name);
        }
    } else if (target.exists) {
        width = target.columns.size();
        names.insert(names.end(), target.columns.begin(), target.columns.end());
    } else {
        inferred = infer();
        width = inferred.empty() ? 0 : inferred.size() - 1;
        for (size_t column = 1; column <= width; ++column)
            names.push_back("column_" + std::to_string(column));
    }

    ColumnPlan plan;
    plan.slot_of_sheet_column.assign(width + 1, -1);
    for (size_t column = 1; column <= width; ++column) {
        if (names[column].empty()) continue;
        if (std::find(plan.names.begin(), plan.names.end(), names[column]) != plan.names.end())
            throw std::invalid_argument(fmt::format(
                "two sheet columns go to column {}; skip one with --columns", names[column]));
        plan.slot_of_sheet_column[column] = static_cast<int>(plan.names.size());
        plan.names.push_back(names[column]);
    }
    if (plan.names.empty())
        throw std::invalid_argument(
            "no sheet column is loaded: the sheet is empty or every column is skipped");

    if (target.exists) {
        for (const std::string& name : plan.names) {
            auto at = std::find(target.columns.begin(), target.columns.end(), name);
            if (at == target.columns.end())
                throw std::invalid_argument(
                    fmt::format("table {} has no column \"{}\"", target.name, name));
            plan.types.push_back(target.types[at - target.columns.begin()]);
        }
    } else {
        if (!o.all_text && inferred.empty()) inferred = infer();
        for (size_t column = 1; column <= width; ++column) {
            if (plan.slot_of_sheet_column[column] < 0) continue;
            plan.types.push_back(o.all_text || column >= inferred.size() ? "text"
                                                                         : inferred[column]);
        }
        for (const auto& [column, type] : o.type_overrides) {
            auto at = std::find(plan.names.begin(), plan.names.end(), column);
            if (at == plan.names.end())
                throw std::invalid_argument(fmt::format(
                    "--type names column \"{}\", which is not loaded; the columns are: {}", column,
                    fmt::join(plan.names, ", ")));
            plan.types[at - plan.names.begin()] = type;
        }
    }
    return plan;
}

std::string create_table_sql(const std::string& table, const ColumnPlan& plan) {
    std::string sql = "CREATE TABLE " + table + " (";
    for (size_t i = 0; i < plan.names.size(); ++i)
        sql += fmt::format("{}\n    {} {}", i ? "," : "", pg::quote_ident(plan.names[i]),
                           plan.types[i]);
    return sql + "\n)";
}

}  // namespace load
