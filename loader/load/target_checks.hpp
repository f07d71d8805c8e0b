// Refusals that depend on the target alone, made before any row is read.
#pragma once

#include "column_plan.hpp"
#include "options.hpp"

namespace load {

// The extension's own schemas are never a target; serve's --allow-schema limits the rest.
// Throws LoadError(ForbiddenTarget).
void check_schema_allowed(const TargetTable& target, const LoadOptions& options);

// Citus finds the row an upsert updates on one shard only: by its distribution column, which
// the upsert key must therefore include. Throws std::invalid_argument.
void check_citus_upsert_key(const TargetTable& target, const LoadOptions& options);

// A table that does not exist needs --create. Throws std::invalid_argument.
void check_target_exists(const TargetTable& target, const LoadOptions& options);

}  // namespace load
