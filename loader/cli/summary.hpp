// The end-of-load report: a table like pgloader's on stdout, or one JSON object (--json).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "load/errors.hpp"
#include "load/result.hpp"

namespace cli {

std::string summary_table(const std::vector<load::LoadResult>& results);
// What a `load` did, whole: its sheets, or the error that stopped it.
struct LoadReport {
    std::string file;
    std::vector<std::string> files;  // when several were loaded in one command
    struct FileError {
        std::string file, error, kind;  // kind: its name in the kinds table
    };
    std::vector<FileError> errors;  // each file's (the first is also error, error_kind)
    std::vector<load::LoadResult> results;
    int exit_code = 0;
    std::string error;
    load::ErrorKind error_kind = load::ErrorKind::Internal;  // of error, when there is one
};

nlohmann::json summary_json(const LoadReport& report);

}  // namespace cli
