// xlsx2pg load FILE [TABLE]: the loader's command line. Flags are parsed here into
// load::LoadOptions; the work is in load/.
#include <fmt/format.h>

#include <cctype>
#include <cstdio>
#include <thread>

#include "commands.hpp"
#include "connection_options.hpp"
#include "interrupts.hpp"
#include "load/interrupt.hpp"
#include "load/loader.hpp"
#include "pg/connection.hpp"
#include "pg/identifiers.hpp"
#include "progress.hpp"
#include "reader_options.hpp"
#include "summary.hpp"
#include "xlsx/column_names.hpp"
#include "xlsx/error.hpp"

namespace cli {

std::vector<std::string> split_list_on(const std::string& list, char separator) {
    std::vector<std::string> items;
    size_t start = 0;
    for (;;) {
        size_t comma = list.find(separator, start);
        items.push_back(list.substr(start, comma - start));
        if (comma == std::string::npos) return items;
        start = comma + 1;
    }
}

std::vector<std::string> split_list(const std::string& list) {
    return split_list_on(list, ',');
}

namespace {

// A type for --type: letters, digits, '_', '.', '"', blanks, one modifier in parentheses of
// digits and commas, array brackets; nothing that could end the statement it goes into. The
// server checks that the type exists.
bool is_type_name(const std::string& type) {
    if (type.empty() || !(std::isalpha(static_cast<unsigned char>(type[0])) || type[0] == '_'))
        return false;
    int parentheses = 0;
    for (char c : type) {
        auto u = static_cast<unsigned char>(c);
        if (c == '(') {
            if (++parentheses > 1) return false;
        } else if (c == ')') {
            if (--parentheses < 0) return false;
        } else if (parentheses > 0 ? !(std::isdigit(u) || c == ',' || c == ' ')
                                   : !(std::isalnum(u) || c == '_' || c == '.' || c == '"' ||
                                       c == ' ' || c == '[' || c == ']')) {
            return false;
        }
    }
    return parentheses == 0;
}

struct LoadArgs {
    load::LoadOptions options;
    std::string max_rejects;
    std::string columns;
    std::string upsert;
    std::vector<std::string> types;
    std::string mode = "staging";
    std::string method = "copy";
    std::string citus_staging = "colocated";
    bool no_header = false;
    bool json = false;
    bool quiet = false;
};

void add_load_options(CLI::App& cmd, LoadArgs& a) {
    load::LoadOptions& o = a.options;
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    o.connections = default_connections(cores);
    cmd.add_option("file", o.file, "the .xlsx workbook")->required();
    cmd.add_option("table", o.table,
                   "target table, optionally schema-qualified (default: from the sheet name)");
    add_connection_options(cmd, o.connect);
    cmd.add_option("-s,--sheet", o.sheets,
                   "sheet name or 1-based index; repeat for several sheets");
    cmd.add_flag("--all-sheets", o.all_sheets,
                 "load every worksheet, each into a table named after it");
    cmd.add_option("--header-row", o.rows.header_row, "sheet row holding the column names")
        ->capture_default_str();
    cmd.add_flag("--no-header", a.no_header, "the sheet has no header row");
    cmd.add_option("--skip-rows", o.rows.skip_rows, "data rows to leave out after the header")
        ->capture_default_str();
    cmd.add_option("--columns", a.columns,
                   "table column for each sheet column, comma-separated; - skips one");
    cmd.add_flag("--create", o.create,
                 "create the table from the header and the values' types (staging mode takes "
                 "them while staging; direct mode reads the sheet once more, first)");
    cmd.add_option("--type", a.types, "COLUMN=TYPE: a type for --create to use; repeatable");
    cmd.add_flag("--all-text", o.all_text, "--create makes every column text");
    cmd.add_flag("--truncate", o.truncate, "empty the table first, in the load's transaction");
    cmd.add_option("--upsert", a.upsert, "KEY[,KEY]: update rows whose key exists, insert others");
    cmd.add_option("--mode", a.mode,
                   "staging (merged atomically, resumable) or direct (typed COPY)")
        ->check(CLI::IsMember({"staging", "direct"}))
        ->capture_default_str();
    cmd.add_option("--method", a.method, "copy, batch (multi-row INSERT) or insert (row by row)")
        ->check(CLI::IsMember({"copy", "batch", "insert"}))
        ->capture_default_str();
    cmd.add_option("--batch-size", o.batch_size, "rows per INSERT with --method batch")
        ->capture_default_str()
        ->check(CLI::Range(size_t{1}, size_t{100000}));
    cmd.add_option("--max-rejects", a.max_rejects,
                   "N or P%: fail (loading nothing) past N rejected rows, or P% of the rows read; "
                   "0 stops at the first (default: no limit)");
    cmd.add_option("-c,--connections", o.connections,
                   "concurrent COPY connections (direct mode into a Citus table: one)")
        ->capture_default_str()
        ->check(CLI::Range(1u, 64u));
    cmd.add_option("--lock-timeout", o.connect.lock_timeout,
                   "give up when a lock is not granted within this time (5s, 500ms, 2min); "
                   "default: wait, as psql does");
    cmd.add_option("--chunk-rows", o.chunk_rows, "sheet rows per committed chunk (one transaction)")
        ->capture_default_str()
        ->check(CLI::Range(1u, 10000000u));
    cmd.add_option("--resume", o.resume_run, "resume this run id (see xlsx.import_runs)");
    cmd.add_flag("--new-run", o.new_run,
                 "start afresh even if this file and table have an unfinished run");
    cmd.add_flag("--keep-staging", o.keep_staging, "keep the staging table after the merge");
    cmd.add_option("--citus-staging", a.citus_staging,
                   "into a Citus distributed table: stage on its shards (colocated; the merge "
                   "runs on every shard) or on the coordinator")
        ->check(CLI::IsMember({"colocated", "coordinator"}))
        ->capture_default_str();
    cmd.add_option("--null", o.rows.null_tokens,
                   "a cell text that means NULL (e.g. N/A); repeatable");
    cmd.add_flag("--trim", o.rows.trim, "trim blanks around text values");
    cmd.add_flag("--json", a.json, "print the summary as one JSON object");
    cmd.add_flag("-q,--quiet", a.quiet, "no progress bar and no summary table");
    add_reader_options(cmd, o.reader);
}

// Checks what CLI11 cannot; returns an error message, or "".
std::string finish_options(LoadArgs& a) {
    load::LoadOptions& o = a.options;
    if (a.no_header) o.rows.header_row = 0;
    o.mode = a.mode == "direct" ? load::Mode::Direct : load::Mode::Staging;
    o.colocate_staging = a.citus_staging == "colocated";
    o.method = a.method == "batch"    ? load::Method::Batch
               : a.method == "insert" ? load::Method::Insert
                                      : load::Method::Copy;
    if (!a.columns.empty()) o.columns = split_list(a.columns);
    if (!a.upsert.empty()) o.upsert_keys = split_list(a.upsert);
    if (!o.upsert_keys.empty() && o.mode == load::Mode::Direct)
        return "--upsert needs staging mode: COPY cannot update rows";
    if (!o.upsert_keys.empty() && o.truncate) return "--upsert and --truncate do not go together";
    if (o.all_sheets && !o.sheets.empty()) return "--all-sheets and --sheet do not go together";
    if (o.all_sheets && !o.table.empty())
        return "--all-sheets names each table after its sheet; leave out TABLE";
    if (!o.table.empty()) {
        if (std::string problem = pg::table_name_problem(o.table, true); !problem.empty())
            return "argument TABLE: " + problem;
    }
    for (const std::string& t : a.types) {
        size_t eq = t.find('=');
        if (eq == std::string::npos || eq == 0 || !is_type_name(t.substr(eq + 1)))
            return fmt::format("--type {}: expected COLUMN=TYPE, such as amount=numeric(12,2)", t);
        o.type_overrides.emplace_back(t.substr(0, eq), t.substr(eq + 1));
    }
    if (!a.max_rejects.empty()) {
        try {
            if (a.max_rejects.back() == '%') {
                double percent = std::stod(a.max_rejects.substr(0, a.max_rejects.size() - 1));
                if (percent < 0 || percent > 100) throw std::out_of_range("percent");
                o.max_reject_ratio = percent / 100;
            } else {
                size_t used = 0;
                long long n = std::stoll(a.max_rejects, &used);
                if (n < 0 || used != a.max_rejects.size()) throw std::invalid_argument("count");
                o.max_rejects = static_cast<uint64_t>(n);
            }
        } catch (const std::exception&) {
            return "--max-rejects takes a count (10) or a percentage (0.5%)";
        }
    }
    return "";
}

// The sheets to load, each with its table.
std::vector<std::pair<const xlsx::SheetInfo*, std::string>> targets_of(
    const load::LoadOptions& o, const xlsx::Workbook& workbook) {
    std::vector<const xlsx::SheetInfo*> sheets;
    if (o.all_sheets) {
        for (const auto& s : workbook.sheets())
            if (s.kind == "worksheet") sheets.push_back(&s);
    } else if (o.sheets.empty()) {
        sheets.push_back(&workbook.first_sheet());
    } else {
        for (const auto& name : o.sheets)
            sheets.push_back(&workbook.sheet(name));
    }
    // Before anything is loaded: a sheet to load whose part is missing fails the command.
    for (const auto* s : sheets)
        if (s->part_missing)
            throw xlsx::Error(xlsx::ErrorKind::MissingPart, xlsx::missing_part_message(*s),
                              xlsx::ErrorLocation{workbook.path()});
    warn_missing_parts(workbook, sheets);
    std::vector<std::pair<const xlsx::SheetInfo*, std::string>> targets;
    for (const auto* s : sheets)
        targets.emplace_back(s, o.table.empty()
                                    ? pg::quote_ident(xlsx::normalize_identifier(s->name, s->index))
                                    : o.table);
    return targets;
}

}  // namespace

LoadReport run_load(const load::LoadOptions& o, bool show_progress, load::Progress* shared) {
    LoadReport report;
    report.file = o.file_label.empty() ? o.file : o.file_label;
    try {
        xlsx::Workbook workbook(o.file, o.reader);
        for (const auto& [sheet, table] : targets_of(o, workbook)) {
            load::Progress own;
            load::Progress& progress = shared ? *shared : own;
            ProgressBar bar(progress, sheet->name, show_progress);
            report.results.push_back(load::load_sheet(o, workbook, *sheet, table, progress));
        }
    } catch (const xlsx::Error& e) {
        report.error = e.what();
        report.error_kind = xlsx::error_kind_name(e.kind());
    } catch (const load::LoadError& e) {
        report.error = e.what();
        report.error_kind = e.kind();
    } catch (const pg::PgError& e) {
        report.error = e.what();
        report.error_kind = e.is_data_error() ? "invalid_input" : "database";
    } catch (const std::invalid_argument& e) {
        report.error = e.what();
        report.error_kind = "invalid_input";
    } catch (const std::exception& e) {
        report.error = e.what();
    }
    bool rejected = false;
    for (const auto& r : report.results)
        rejected |= r.rows_rejected > 0;
    report.exit_code = !report.error.empty() ? kFailure : rejected ? kSuccessWithRejects : kSuccess;
    if (report.error_kind == "interrupted")
        report.exit_code = exit_code_of_signal(load::interrupted());
    return report;
}

Runner add_load_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("load", "Load sheets of a workbook into PostgreSQL tables");
    auto args = std::make_shared<LoadArgs>();
    add_load_options(*cmd, *args);

    return [cmd, args]() -> int {
        if (!cmd->parsed()) return -1;
        LoadArgs& a = *args;
        if (std::string problem = finish_options(a); !problem.empty()) {
            std::fprintf(stderr, "xlsx2pg: %s\n", problem.c_str());
            return kUsage;
        }
        a.options.report_lock_waits = !a.quiet;
        InterruptWatcher watcher;
        LoadReport report = run_load(a.options, !a.quiet && !a.json);
        if (a.json) {
            std::puts(summary_json(report).dump(2).c_str());
        } else if (!a.quiet && !report.results.empty()) {
            std::fputs(summary_table(report.results).c_str(), stdout);
        }
        std::fflush(stdout);
        if (!report.error.empty())
            std::fprintf(stderr, "xlsx2pg: error%s: %s\n",
                         report.error_kind.empty() ? "" : (" [" + report.error_kind + "]").c_str(),
                         report.error.c_str());
        return report.exit_code;
    };
}

}  // namespace cli

namespace cli {

Runner add_schema_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("schema", "Print the CREATE TABLE that load --create would run");
    auto args = std::make_shared<LoadArgs>();
    load::LoadOptions& o = args->options;
    cmd->add_option("file", o.file, "the .xlsx workbook")->required();
    cmd->add_option("table", o.table, "table name (default: from the sheet name)");
    cmd->add_option("-s,--sheet", o.sheets,
                    "sheet name or 1-based index; repeat for several sheets");
    cmd->add_flag("--all-sheets", o.all_sheets, "every worksheet");
    cmd->add_option("--header-row", o.rows.header_row, "sheet row holding the column names")
        ->capture_default_str();
    cmd->add_flag("--no-header", args->no_header, "the sheet has no header row");
    cmd->add_option("--skip-rows", o.rows.skip_rows, "data rows to leave out after the header");
    cmd->add_option("--columns", args->columns, "column name for each sheet column; - skips one");
    cmd->add_option("--type", args->types, "COLUMN=TYPE overrides; repeatable");
    cmd->add_flag("--all-text", o.all_text, "every column text");
    cmd->add_option("--null", o.rows.null_tokens, "a cell text that means NULL; repeatable");
    cmd->add_flag("--trim", o.rows.trim, "trim blanks around text values");
    add_reader_options(*cmd, o.reader);

    return [cmd, args]() -> int {
        if (!cmd->parsed()) return -1;
        if (std::string problem = finish_options(*args); !problem.empty()) {
            std::fprintf(stderr, "xlsx2pg: %s\n", problem.c_str());
            return kUsage;
        }
        xlsx::Workbook workbook(args->options.file, args->options.reader);
        for (const auto& [sheet, table] : targets_of(args->options, workbook)) {
            // A name given on the command line is SQL syntax; print it quoted part by part.
            std::string name = table;
            if (!args->options.table.empty()) {
                name.clear();
                std::vector<std::string> parts = pg::parse_qualified_name(table).value();
                for (const std::string& part : parts)
                    name += (name.empty() ? "" : ".") + pg::quote_ident(part);
            }
            std::printf("%s;\n",
                        load::schema_of_sheet(args->options, workbook, *sheet, name).c_str());
        }
        return kSuccess;
    };
}

}  // namespace cli
