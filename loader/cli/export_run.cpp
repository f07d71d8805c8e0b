#include "export_run.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "load/cancellation.hpp"
#include "pg/copy_out.hpp"
#include "pg/identifiers.hpp"

namespace cli {

namespace {

namespace fs = std::filesystem;

// How often (in rows) an export looks for Ctrl-C between the server's rows.
constexpr uint64_t kInterruptCheckRows = 4096;

std::string table_query(const std::string& table) {
    std::string name;
    std::vector<std::string> parts = pg::parse_qualified_name(table).value();
    for (const std::string& part : parts)
        name += (name.empty() ? "" : ".") + pg::quote_ident(part);
    return "SELECT * FROM " + name;
}

std::string default_sheet_name(const std::string& source, size_t index) {
    if (!is_table_source(source)) return fmt::format("Sheet{}", index + 1);
    std::vector<std::string> parts = pg::parse_qualified_name(source).value();
    return xlsx_report::sheet_name_from(parts.back());
}

// The output's temporary name, beside it so that the rename is atomic.
fs::path partial_path(const fs::path& output) {
    return output.parent_path() / fmt::format(".{}.{}.part", output.filename().string(), getpid());
}

// One source into one sheet (or more, past a sheet's rows).
void export_source(pg::Connection& conn, const ExportSource& source, const std::string& sheet,
                   xlsx_report::ReportWriter& writer, load::Progress& progress,
                   const std::string& time_zone, ExportReport& report) {
    std::string query = is_table_source(source.query) ? table_query(source.query) : source.query;
    std::vector<pg::QueryColumn> described = pg::describe_query(conn, query);
    std::vector<xlsx_report::ExportColumn> columns;
    for (const auto& c : described) {
        columns.push_back({c.name, {c.type_oid, c.typmod}});
        if (xlsx_report::column_kind_of(columns.back().type) ==
            xlsx_report::ColumnKind::TimestampTz)
            report.notes.push_back(fmt::format(
                "sheet \"{}\" column \"{}\": timestamp with time zone, written as the wall time "
                "in the session's time zone {}",
                sheet, c.name, time_zone));
    }
    size_t sheets_before = writer.sheets().size();
    writer.begin_sheet(sheet, std::move(columns));
    pg::CopyOutRows rows(conn, query, described.size());
    std::vector<std::optional<std::string_view>> fields;
    uint64_t count = 0;
    while (rows.next(fields)) {
        writer.write_row(fields);
        ++count;
        progress.rows.fetch_add(1, std::memory_order_relaxed);
        if (count % kInterruptCheckRows == 0) {
            progress.bytes.store(rows.bytes(), std::memory_order_relaxed);
            load::throw_if_interrupted();
        }
    }
    for (size_t i = sheets_before; i < writer.sheets().size(); ++i)
        report.sheets.push_back({writer.sheets()[i].name, source.query, writer.sheets()[i].rows});
}

void record_failure(ExportReport& report) {
    try {
        throw;
    } catch (const std::exception& e) {
        report.error_kind = load::interrupted() ? load::ErrorKind::Interrupted : load::kind_of(e);
        report.error = report.error_kind == load::ErrorKind::Interrupted
                           ? "export " + load::interruption() + "; nothing was written"
                           : e.what();
    }
    report.exit_code = report.error_kind == load::ErrorKind::Interrupted
                           ? 128 + load::interrupted()
                           : load::info_of(report.error_kind).exit_code;
}

}  // namespace

bool is_table_source(const std::string& source) {
    return pg::table_name_problem(source, false).empty();
}

ExportReport run_export(const ExportOptions& o, load::Progress& progress) {
    auto started = std::chrono::steady_clock::now();
    ExportReport report;
    report.file = o.label.empty() ? o.output : o.label;
    fs::path output(o.output);
    fs::path partial = partial_path(output);
    try {
        pg::Connection conn(o.connect);
        // One snapshot for every sheet, nothing written, and the values printed as the
        // report writer reads them.
        conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        conn.exec("SET LOCAL DateStyle = 'ISO, YMD'");
        conn.exec("SET LOCAL IntervalStyle = 'postgres'");
        conn.exec("SET LOCAL extra_float_digits = 1");
        std::string time_zone = conn.scalar("SHOW TimeZone").value_or("");
        xlsx_report::ReportWriter writer(partial.string(), o.writer,
                                         o.label.empty() ? o.output : o.label);
        progress.started = true;
        for (size_t i = 0; i < o.sources.size(); ++i) {
            const ExportSource& source = o.sources[i];
            std::string sheet =
                source.sheet.empty() ? default_sheet_name(source.query, i) : source.sheet;
            export_source(conn, source, sheet, writer, progress, time_zone, report);
        }
        conn.exec("COMMIT");
        load::throw_if_interrupted();
        writer.finish();
        fs::rename(partial, output);
        for (const auto& note : writer.notes())
            report.notes.push_back(xlsx_report::note_text(note));
        report.rows = writer.rows();
        report.bytes = fs::file_size(output);
    } catch (...) {
        std::error_code ignored;
        fs::remove(partial, ignored);
        report.sheets.clear();
        record_failure(report);
    }
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

std::string export_summary_table(const ExportReport& r) {
    std::string out = fmt::format("{:<31}  {:>12}  {}\n", "sheet", "rows", "source");
    for (const auto& s : r.sheets)
        out += fmt::format("{:<31}  {:>12}  {}\n", s.name, s.rows,
                           s.source.size() > 60 ? s.source.substr(0, 57) + "..." : s.source);
    out += fmt::format("{} rows into {} ({:.1f} MB) in {:.2f} s\n", r.rows, r.file,
                       static_cast<double>(r.bytes) / 1e6, r.seconds);
    for (const auto& note : r.notes)
        out += "note: " + note + "\n";
    return out;
}

nlohmann::json export_summary_json(const ExportReport& r) {
    nlohmann::json sheets = nlohmann::json::array();
    for (const auto& s : r.sheets)
        sheets.push_back({{"name", s.name}, {"rows", s.rows}, {"source", s.source}});
    nlohmann::json out{{"file", r.file},   {"sheets", sheets},     {"rows", r.rows},
                       {"bytes", r.bytes}, {"seconds", r.seconds}, {"notes", r.notes}};
    if (!r.error.empty()) {
        out["error"] = r.error;
        out["error_kind"] = load::info_of(r.error_kind).name;
    }
    return out;
}

}  // namespace cli
