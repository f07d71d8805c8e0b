// serve's way out: GET /export?table=NAME (a table in an allowed schema that the service's role
// may read), GET /export?query_name=NAME (a query the DBA defined in --export-queries, never
// SQL from a request) and GET /runs/ID/rejects.xlsx, each answered with an .xlsx that
// `xlsx2pg export` would write. The workbook is written to a temporary file, streamed out and
// removed.
#pragma once

#include <httplib.h>

#include <map>
#include <string>
#include <vector>

#include "pg/connection.hpp"

namespace cli {

// The named queries of an --export-queries file: a JSON object {"name": "SELECT ..."}, names
// of letters, digits, '_' and '-'. Throws std::runtime_error saying what is wrong.
std::map<std::string, std::string> read_export_queries(const std::string& path);

struct ServeExportContext {
    pg::ConnectOptions connect;
    std::vector<std::string> allowed_schemas;
    std::map<std::string, std::string> queries;
    std::string temp_dir;
};

// GET /export
void serve_export(const ServeExportContext& context, const httplib::Request& req,
                  httplib::Response& res);
// GET /runs/ID/rejects.xlsx: the run's rejected rows, as the CSV has them.
void serve_rejects_xlsx(const ServeExportContext& context, const std::string& run,
                        httplib::Response& res);

}  // namespace cli
