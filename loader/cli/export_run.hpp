// A whole `export`: queries and tables into the sheets of one .xlsx, streamed from the server
// (pg/copy_out.hpp) into the report writer (export/report_writer.hpp). Shared by
// `xlsx2pg export` and serve's GET /export. All sheets read one snapshot (a read-only
// repeatable-read transaction); the file appears, whole, only when everything succeeded.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "export/report_writer.hpp"
#include "load/errors.hpp"
#include "load/progress.hpp"
#include "pg/connection.hpp"

namespace cli {

struct ExportSource {
    std::string query;  // a query, or a table name (SQL name syntax: orders, "Sales 2024")
    std::string sheet;  // "" for the table's name, or Sheet1, Sheet2, ... for queries
};

struct ExportOptions {
    pg::ConnectOptions connect;
    std::vector<ExportSource> sources;
    std::string output;  // the .xlsx to write (replaced when it exists)
    std::string label;   // names it in messages ("" for `output`)
    xlsx_report::WriterOptions writer;
};

struct ExportReport {
    std::string file;
    struct Sheet {
        std::string name, source;
        uint64_t rows = 0;
    };
    std::vector<Sheet> sheets;
    std::vector<std::string> notes;  // values written as text, time zones
    uint64_t rows = 0;
    uint64_t bytes = 0;  // of the file written
    double seconds = 0;
    std::string error;
    load::ErrorKind error_kind = load::ErrorKind::Internal;
    int exit_code = 0;
};

// Whether a source is a table name rather than a query.
bool is_table_source(const std::string& source);

ExportReport run_export(const ExportOptions& options, load::Progress& progress);

std::string export_summary_table(const ExportReport& report);
nlohmann::json export_summary_json(const ExportReport& report);

}  // namespace cli
