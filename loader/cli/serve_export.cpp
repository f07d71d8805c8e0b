#include "serve_export.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "export_run.hpp"
#include "pg/identifiers.hpp"

namespace cli {

namespace {

constexpr const char* kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

void reply_error(httplib::Response& res, int status, const std::string& message,
                 const std::string& kind = "") {
    nlohmann::json body = {{"error", message}};
    if (!kind.empty()) body["error_kind"] = kind;
    res.status = status;
    res.set_content(body.dump(2) + "\n", "application/json");
}

// A table's name as a download's file name: what a Content-Disposition header takes safely
// (a table may be called anything, line breaks and quotes included).
std::string file_name_of(const std::string& name) {
    std::string out;
    for (char c : name)
        out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_';
    return out;
}

bool is_query_name(const std::string& name) {
    return !name.empty() && name.size() <= 64 &&
           name.find_first_not_of(
               "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
               std::string::npos;
}

// Writes the export into a temporary file and answers with it, streamed from the file, which
// goes once the answer is sent; or answers the error.
void answer(const ServeExportContext& context, ExportSource source, const std::string& download,
            httplib::Response& res) {
    static std::atomic<uint64_t> exports{0};
    ExportOptions o;
    o.connect = context.connect;
    o.sources.push_back(std::move(source));
    o.output = fmt::format("{}/xlsx2pg-export-{}-{}.xlsx", context.temp_dir, getpid(), ++exports);
    o.label = download;  // messages name the download, not the server's temporary file
    load::Progress progress;
    ExportReport report = run_export(o, progress);
    if (!report.error.empty()) {
        const load::ErrorKindInfo& kind = load::info_of(report.error_kind);
        return reply_error(res, kind.http_status, report.error, kind.name);
    }
    auto file = std::make_shared<std::ifstream>(o.output, std::ios::binary);
    res.set_header("Content-Disposition", "attachment; filename=\"" + download + "\"");
    res.set_content_provider(
        report.bytes, kXlsxType, [file](size_t offset, size_t length, httplib::DataSink& sink) {
            char buffer[1 << 16];
            file->seekg(static_cast<std::streamoff>(offset));
            file->read(buffer, static_cast<std::streamsize>(std::min(length, sizeof buffer)));
            return file->gcount() > 0 && sink.write(buffer, static_cast<size_t>(file->gcount()));
        });
    std::remove(o.output.c_str());  // open above: its data stays readable until the answer is sent
}

}  // namespace

std::map<std::string, std::string> read_export_queries(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read the export queries file " + path);
    nlohmann::json queries;
    try {
        queries = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(path + ": not JSON: " + e.what());
    }
    if (!queries.is_object())
        throw std::runtime_error(path + ": expected an object {\"name\": \"SELECT ...\"}");
    std::map<std::string, std::string> out;
    for (const auto& [name, query] : queries.items()) {
        if (!is_query_name(name) || !query.is_string())
            throw std::runtime_error(path + ": \"" + name +
                                     "\": names are letters, digits, _ and -; queries are strings");
        out[name] = query.get<std::string>();
    }
    return out;
}

void serve_export(const ServeExportContext& context, const httplib::Request& req,
                  httplib::Response& res) {
    std::string table = req.get_param_value("table");
    std::string query_name = req.get_param_value("query_name");
    if (table.empty() == query_name.empty())
        return reply_error(res, 400, "GET /export takes table=NAME or query_name=NAME");
    if (!query_name.empty()) {
        auto found = context.queries.find(query_name);
        if (found == context.queries.end())
            return reply_error(res, 404,
                               "no export query named \"" + query_name +
                                   "\" (the server's --export-queries file names them)");
        return answer(context, {found->second, xlsx_report::sheet_name_from(query_name)},
                      query_name + ".xlsx", res);
    }
    if (!pg::table_name_problem(table, false).empty())
        return reply_error(res, 400, "table=" + table + ": not a table name");
    try {
        // The table as the server resolves it, inside an allowed schema, readable by the role.
        pg::Connection conn(context.connect);
        pg::Result found = conn.exec(
            "SELECT n.nspname, c.relname, has_table_privilege(c.oid, 'SELECT') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.oid = to_regclass($1) AND n.nspname = ANY ($2::text[])",
            {table, pg::array_literal(context.allowed_schemas)});
        if (found.rows() == 0)
            return reply_error(res, 404,
                               "no table " + table + " in the schemas this service exports");
        if (!found.boolean(0, 2))
            return reply_error(res, 403, "the service's role may not read " + table);
        std::string schema = found.text(0, 0), name = found.text(0, 1);
        answer(context,
               {"SELECT * FROM " + pg::quote_ident(schema) + "." + pg::quote_ident(name),
                xlsx_report::sheet_name_from(name)},
               file_name_of(name) + ".xlsx", res);
    } catch (const pg::PgError& e) {
        reply_error(res, 503, e.primary());
    }
}

void serve_rejects_xlsx(const ServeExportContext& context, const std::string& run,
                        httplib::Response& res) {
    // `run` is digits (the route's pattern), and goes into the query as a number.
    if (run.size() > 18) return reply_error(res, 404, "run " + run + " does not exist");
    long long id = std::stoll(run);
    answer(
        context,
        {fmt::format("SELECT sheet_row, column_name AS column, raw_value AS value, target_type, "
                     "reason FROM xlsx.rejects WHERE run_id = {} ORDER BY sheet_row, column_name",
                     id),
         "Rejects"},
        fmt::format("run-{}-rejects.xlsx", id), res);
}

}  // namespace cli
