// The end-of-load report: a table like pgloader's on stdout, or one JSON object (--json).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "load/result.hpp"

namespace cli {

std::string summary_table(const std::vector<load::LoadResult>& results);
nlohmann::json summary_json(const std::vector<load::LoadResult>& results, int exit_code,
                            const std::string& error, const std::string& file);

}  // namespace cli
