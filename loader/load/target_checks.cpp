#include "target_checks.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <stdexcept>

#include "errors.hpp"
#include "pg/identifiers.hpp"

namespace load {

void check_schema_allowed(const TargetTable& target, const LoadOptions& o) {
    std::string schema = pg::parse_qualified_name(target.name).value().front();
    if (schema == "xlsx" || schema == "xlsx_staging")
        throw LoadError(ErrorKind::ForbiddenTarget,
                        fmt::format("table {} is in the pg_xlsx extension's own schema {}, "
                                    "which is never a target",
                                    target.name, schema));
    const auto& allowed = o.allowed_schemas;
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), schema) == allowed.end())
        throw LoadError(ErrorKind::ForbiddenTarget,
                        fmt::format("table {} is in schema {}; this service may write into {}",
                                    target.name, schema, fmt::join(allowed, ", ")));
}

void check_citus_upsert_key(const TargetTable& target, const LoadOptions& o) {
    const auto& keys = o.upsert_keys;
    const std::string& column = target.distribution_column;
    if (keys.empty() || target.citus != "distributed" ||
        std::find(keys.begin(), keys.end(), column) != keys.end())
        return;
    throw std::invalid_argument(fmt::format(
        "--upsert {0} cannot work on {1}: Citus distributes it by {2}, and an upsert key must "
        "include the distribution column (such as --upsert {2},{0}, a unique key of {1})",
        fmt::join(keys, ","), target.name, column));
}

void check_target_exists(const TargetTable& target, const LoadOptions& o) {
    if (!target.exists && !o.create)
        throw std::invalid_argument(
            fmt::format("table {} does not exist; add --create to create it from the sheet "
                        "(xlsx2pg schema shows the CREATE TABLE)",
                        target.name));
}

}  // namespace load
