#include "column_plan.hpp"

#include "cancellation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "pg/identifiers.hpp"
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
        for (int i = 0; i < r.rows(); ++i) {
            target.columns.push_back(r.text(i, 0));
            target.types.push_back(r.text(i, 1));
        }
        pg::Result citus = conn.exec(
            "SELECT coalesce(kind, ''), coalesce(distribution_column, '') "
            "FROM xlsx_internal.citus_placement($1::regclass)",
            {target.name});
        target.citus = citus.text(0, 0);
        target.distribution_column = citus.text(0, 1);
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

ColumnPlan plan_columns(const LoadOptions& o, const TargetTable& target,
                        const std::vector<std::string>& header,
                        const std::function<std::vector<std::string>()>& infer) {
    xlsx::PlanTarget table{target.name, target.exists, target.columns, target.types};
    xlsx::PlanRequest request{header, o.columns, o.all_text, o.type_overrides};
    std::vector<std::string> inferred;
    if (xlsx::plan_needs_types_first(table, request)) inferred = infer();
    ColumnPlan plan = xlsx::plan_columns(table, request, inferred);
    if (!target.exists) {
        if (!o.all_text && inferred.empty()) inferred = infer();
        xlsx::plan_new_table_types(plan, request, inferred);
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
