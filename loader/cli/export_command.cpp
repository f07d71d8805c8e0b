// xlsx2pg export [QUERY|TABLE] OUT.xlsx: query results and tables into an .xlsx report. Flags
// are parsed here; the work is in export_run.cpp.
#include <fmt/format.h>

#include "commands.hpp"
#include "connection_options.hpp"
#include "export_run.hpp"
#include "progress.hpp"
#include "signal_watcher.hpp"

namespace cli {

namespace {

struct ExportArgs {
    ExportOptions options;
    std::vector<std::string> positionals;  // [QUERY|TABLE] OUT.xlsx
    std::vector<std::string> queries;
    std::vector<std::string> sheets;
    std::string overflow = "new-sheet";
    bool json = false;
    bool quiet = false;
};

// Checks what CLI11 cannot; returns an error message, or "".
std::string finish_options(ExportArgs& a) {
    ExportOptions& o = a.options;
    o.output = a.positionals.back();
    if (!has_extension(o.output, ".xlsx"))
        return fmt::format("{}: the output is an .xlsx workbook; name it so", o.output);
    std::vector<std::string> queries = a.queries;
    if (a.positionals.size() == 2) queries.insert(queries.begin(), a.positionals.front());
    if (queries.empty()) return "nothing to export: give a query or a table (or --query)";
    if (a.sheets.size() > queries.size())
        return fmt::format("{} --sheet names for {} queries: one per query, in order",
                           a.sheets.size(), queries.size());
    for (size_t i = 0; i < queries.size(); ++i)
        o.sources.push_back({queries[i], i < a.sheets.size() ? a.sheets[i] : ""});
    o.writer.overflow_to_new_sheet = a.overflow == "new-sheet";
    return "";
}

}  // namespace

Runner add_export_command(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "export", "Write query results and tables to an .xlsx report (one sheet each)");
    auto args = std::make_shared<ExportArgs>();
    ExportArgs& a = *args;
    cmd->add_option("args", a.positionals,
                    "[QUERY|TABLE] OUT.xlsx: a query (SELECT ..., TABLE t, WITH ...) or a table "
                    "name, then the workbook to write")
        ->required()
        ->expected(1, 2);
    add_connection_options(*cmd, a.options.connect);
    cmd->add_option("--query", a.queries,
                    "another query or table, each into its own sheet; repeatable");
    cmd->add_option("-s,--sheet", a.sheets,
                    "sheet name for each query in order (default: the table's name, Sheet1, "
                    "Sheet2, ...); repeatable");
    cmd->add_flag("--truncate-long-text", a.options.writer.truncate_long_text,
                  "cut text longer than a cell holds (32,767 characters) instead of failing");
    cmd->add_option("--overflow", a.overflow,
                    "past a sheet's 1,048,575 rows: go on in a new sheet \"Name (2)\" or fail")
        ->check(CLI::IsMember({"new-sheet", "fail"}))
        ->capture_default_str();
    cmd->add_flag("--json", a.json, "print the summary as one JSON object");
    cmd->add_flag("--quiet", a.quiet, "no progress line and no summary");

    return [cmd, args]() -> int {
        if (!cmd->parsed()) return -1;
        ExportArgs& a = *args;
        if (std::string problem = finish_options(a); !problem.empty()) {
            std::fprintf(stderr, "xlsx2pg: %s\n", problem.c_str());
            return kUsage;
        }
        SignalWatcher watcher;
        load::Progress progress;
        ExportReport report;
        {
            ProgressBar bar(progress, "export", !a.quiet && !a.json);
            report = run_export(a.options, progress);
        }
        if (a.json) {
            std::puts(export_summary_json(report).dump(2).c_str());
        } else if (!a.quiet && report.error.empty()) {
            std::fputs(export_summary_table(report).c_str(), stdout);
        }
        std::fflush(stdout);
        if (!report.error.empty()) {
            const char* kind = load::info_of(report.error_kind).name;
            std::fprintf(stderr, "xlsx2pg: error%s: %s\n",
                         *kind ? fmt::format(" [{}]", kind).c_str() : "", report.error.c_str());
        }
        return report.exit_code;
    };
}

}  // namespace cli
