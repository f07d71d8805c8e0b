// xlsx2pg load FILE [TABLE]: the loader's command line. Flags are parsed here into
// load::LoadOptions; the work is in load/.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "commands.hpp"
#include "connection_options.hpp"
#include "load/cancellation.hpp"
#include "load/loader.hpp"
#include "pg/connection.hpp"
#include "pg/identifiers.hpp"
#include "progress.hpp"
#include "reader_options.hpp"
#include "signal_watcher.hpp"
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

bool has_extension(std::string_view name, std::string_view extension) {
    if (name.size() < extension.size()) return false;
    std::string_view tail = name.substr(name.size() - extension.size());
    return std::equal(tail.begin(), tail.end(), extension.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
    });
}

bool is_workbook_name(std::string_view name) {
    return has_extension(name, ".xlsx") || has_extension(name, ".xlsm") ||
           has_extension(name, ".xls");
}

namespace {

// The last positional of `load` is a workbook when it says so (.xlsx, .xlsm, .xls) or is a
// file.
bool names_a_workbook(const std::string& argument) {
    return is_workbook_name(argument) || std::filesystem::is_regular_file(argument);
}

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
    std::string range;
    std::string excel_table;
    CLI::Option* header_row_option = nullptr;
    std::vector<std::string> positionals;  // FILE... [TABLE]
    std::vector<std::string> files;
    bool atomic = false;
    bool no_header = false;
    std::string add_columns;
    bool json = false;
    bool quiet = false;
};

// Which part of a sheet is the data: the header row, a range, an Excel table, the end.
void add_region_options(CLI::App& cmd, LoadArgs& a) {
    load::RowOptions& rows = a.options.rows;
    a.header_row_option =
        cmd.add_option("--header-row", rows.header_row, "sheet row holding the column names")
            ->capture_default_str();
    cmd.add_flag("--no-header", a.no_header, "the sheet has no header row");
    cmd.add_option("--range", a.range,
                   "load only this rectangle (A5:H200, A5:H to the last row, B:F whole columns); "
                   "its first row is the header unless --no-header");
    cmd.add_option("--table", a.excel_table,
                   "load the data rows of this Excel table (Insert > Table; see xlsx2pg sheets): "
                   "its column names are the header, its totals row is left out");
    cmd.add_flag("--stop-at-empty", rows.stop_at_empty,
                 "the data ends at the first empty row (notes below a table stay out)");
    cmd.add_flag("--fill-merged", rows.fill_merged,
                 "cells a merge covers take the value of its first cell (grouped reports)");
    cmd.add_option("--add-columns", a.add_columns,
                   "columns after the header's last saying where each row came from: file, "
                   "sheet, row, each optionally =NAME (file=source_file)");
    cmd.add_option("--header-rows", rows.header_rows,
                   "the header is this many rows from --header-row on, joined per column "
                   "(Q1 over Units: q1_units), their merges filled")
        ->check(CLI::Range(1, 10))
        ->capture_default_str();
}

void add_load_options(CLI::App& cmd, LoadArgs& a) {
    load::LoadOptions& o = a.options;
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    o.connections = default_connections(cores);
    cmd.add_option("files", a.positionals,
                   "FILE.xlsx... [TABLE]: one or more workbooks (each its own run), then the "
                   "target table, optionally schema-qualified (default: from the sheet name)")
        ->required();
    cmd.add_flag("--atomic", a.atomic,
                 "with several files in staging mode: stage them all, then merge them in one "
                 "transaction (without it each file is merged on its own; direct mode always "
                 "commits them together)");
    add_connection_options(cmd, o.connect);
    cmd.add_option("-s,--sheet", o.sheets,
                   "sheet name or 1-based index; repeat for several sheets");
    cmd.add_flag("--all-sheets", o.all_sheets,
                 "load every worksheet, each into a table named after it");
    add_region_options(cmd, a);
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
    if (!a.positionals.empty()) {
        a.files = a.positionals;
        if (a.files.size() > 1 && !names_a_workbook(a.files.back())) {
            o.table = a.files.back();
            a.files.pop_back();
        }
        o.file = a.files.front();
    }
    supply_password(o.reader, a.files);

    bool header_row_given = a.header_row_option && a.header_row_option->count() > 0;
    if (!a.range.empty()) {
        auto range = xlsx::parse_cell_range(a.range);
        if (!range)
            return fmt::format(
                "--range {}: expected a range such as A5:H200, A5:H or B:F, "
                "inside A1:XFD1048576 and first corner first",
                a.range);
        if (header_row_given)
            return "--range takes its header from its first row; leave out --header-row";
        o.rows.range = *range;
        o.rows.header_row = range->first_row;
    }
    if (!a.excel_table.empty()) {
        if (!a.range.empty() || header_row_given || a.no_header || !o.sheets.empty() ||
            o.all_sheets)
            return "--table names the sheet, the range and the header: leave out --range, "
                   "--header-row, --no-header, --sheet and --all-sheets";
        o.excel_table = a.excel_table;
    }
    if (a.no_header) o.rows.header_row = 0;
    if (o.rows.header_rows > 1 && (a.no_header || !a.excel_table.empty()))
        return "--header-rows needs a header row: leave out --no-header and --table";
    if (!a.add_columns.empty()) {
        try {
            o.rows.source_columns = xlsx::parse_source_columns(a.add_columns);
        } catch (const std::invalid_argument& e) {
            return std::string("--add-columns ") + e.what();
        }
        if (a.no_header)
            return "--add-columns needs a header row (its columns go after the header's last)";
    }
    o.mode = a.mode == "direct" ? load::Mode::Direct : load::Mode::Staging;
    o.colocate_staging = a.citus_staging == "colocated";
    if (a.atomic && o.mode == load::Mode::Direct)
        return "--atomic is for staging mode: direct mode commits several files together anyway";
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

// What one load reads and where it goes.
struct Target {
    const xlsx::SheetInfo* sheet;
    std::string table;
    load::RowOptions rows;
};

// An Excel table: the rows of its ref but the totals row, its header row (if it has one)
// skipped and its column names for the header.
Target excel_table_target(const load::LoadOptions& o, const xlsx::Workbook& workbook) {
    const xlsx::TableInfo& t = workbook.table(o.excel_table);
    Target target{&workbook.sheet(t.sheet), o.table, o.rows};
    if (target.table.empty()) target.table = pg::quote_ident(xlsx::normalize_identifier(t.name, 1));
    target.rows.range = t.load_range();
    target.rows.header_row = t.header_rows > 0 ? t.range.first_row : 0;
    target.rows.header_names = t.columns;
    return target;
}

// The sheets (or the Excel table) to load, each with its table.
std::vector<Target> targets_of(const load::LoadOptions& o, const xlsx::Workbook& workbook) {
    if (!o.excel_table.empty()) return {excel_table_target(o, workbook)};
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
    std::vector<Target> targets;
    for (const auto* s : sheets)
        targets.push_back({s,
                           o.table.empty()
                               ? pg::quote_ident(xlsx::normalize_identifier(s->name, s->index))
                               : o.table,
                           o.rows});
    return targets;
}

// The sheets (or the Excel table) of one workbook, each loaded, or held by `joint` for a
// commit together with other files'.
void load_workbook(const load::LoadOptions& o, const xlsx::Workbook& workbook, bool show_progress,
                   load::Progress* shared, load::JointCommit* joint,
                   std::vector<load::LoadResult>& results) {
    for (const Target& target : targets_of(o, workbook)) {
        load::Progress own;
        load::Progress& progress = shared ? *shared : joint ? joint->new_progress() : own;
        ProgressBar bar(progress, target.sheet->name, show_progress);
        load::LoadOptions options = o;
        options.rows = target.rows;
        results.push_back(
            joint ? joint->load(options, workbook, *target.sheet, target.table, progress)
                  : load::load_sheet(options, workbook, *target.sheet, target.table, progress));
    }
}

// What stopped a load (the exception being handled), with its kind, into the report.
void record_error(LoadReport& report, const std::string& file) {
    std::string message;
    load::ErrorKind kind = load::ErrorKind::Internal;
    try {
        throw;
    } catch (const std::exception& e) {
        message = e.what();
        kind = load::kind_of(e);
    }
    report.errors.push_back({file, message, load::info_of(kind).name});
    if (report.error.empty()) {
        report.error = message;
        report.error_kind = kind;
    }
}

void finish_report(LoadReport& report) {
    bool rejected = false;
    for (const auto& r : report.results)
        rejected |= r.rows_rejected > 0;
    report.exit_code = rejected ? kSuccessWithRejects : kSuccess;
    if (!report.error.empty()) report.exit_code = load::info_of(report.error_kind).exit_code;
    if (report.error_kind == load::ErrorKind::Interrupted)
        report.exit_code = exit_code_of_signal(load::interrupted());
}

}  // namespace

LoadReport run_load(const load::LoadOptions& o, bool show_progress, load::Progress* shared) {
    LoadReport report;
    report.file = o.file_label.empty() ? o.file : o.file_label;
    try {
        xlsx::Workbook workbook(o.file, o.reader);
        load_workbook(o, workbook, show_progress, shared, nullptr, report.results);
    } catch (...) {
        record_error(report, report.file);
    }
    finish_report(report);
    return report;
}

LoadReport run_loads(const load::LoadOptions& o, const std::vector<std::string>& files, bool atomic,
                     bool show_progress) {
    bool joint = o.mode == load::Mode::Direct || atomic;
    if (files.size() == 1 && !atomic) return run_load(o, show_progress);
    LoadReport report;
    report.file = files.front();
    report.files = files;
    std::vector<std::unique_ptr<xlsx::Workbook>> workbooks;  // a JointCommit's must live on
    load::JointCommit commit(o.connect);
    for (const std::string& file : files) {
        load::LoadOptions options = o;
        options.file = file;
        try {
            workbooks.push_back(std::make_unique<xlsx::Workbook>(file, o.reader));
            load_workbook(options, *workbooks.back(), show_progress, nullptr,
                          joint ? &commit : nullptr, report.results);
        } catch (...) {
            record_error(report, file);
            if (joint || load::interrupted()) break;  // nothing of the others will commit
        }
    }
    if (joint) {
        try {
            if (report.errors.empty()) {
                report.results = commit.commit();
            } else {
                commit.abort(report.errors.front().file + ": " + report.error);
                report.results.clear();
            }
        } catch (...) {
            record_error(report, "");
            report.results.clear();
        }
    }
    finish_report(report);
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
        SignalWatcher watcher;
        LoadReport report = run_loads(a.options, a.files, a.atomic, !a.quiet && !a.json);
        if (a.json) {
            std::puts(summary_json(report).dump(2).c_str());
        } else if (!a.quiet && !report.results.empty()) {
            std::fputs(summary_table(report.results).c_str(), stdout);
        }
        std::fflush(stdout);
        for (const auto& e : report.errors)
            std::fprintf(stderr, "xlsx2pg: error%s: %s%s\n",
                         e.kind.empty() ? "" : (" [" + e.kind + "]").c_str(),
                         report.files.empty() || e.error.find(e.file) != std::string::npos
                             ? ""
                             : (e.file + ": ").c_str(),
                         e.error.c_str());
        return report.exit_code;
    };
}

}  // namespace cli

namespace cli {

Runner add_schema_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("schema", "Print the CREATE TABLE that load --create would run");
    auto args = std::make_shared<LoadArgs>();
    load::LoadOptions& o = args->options;
    cmd->add_option("file", o.file, "the workbook (.xlsx, .xlsm or .xls)")->required();
    cmd->add_option("table", o.table, "table name (default: from the sheet name)");
    cmd->add_option("-s,--sheet", o.sheets,
                    "sheet name or 1-based index; repeat for several sheets");
    cmd->add_flag("--all-sheets", o.all_sheets, "every worksheet");
    add_region_options(*cmd, *args);
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
        for (const Target& target : targets_of(args->options, workbook)) {
            // A name given on the command line is SQL syntax; print it quoted part by part.
            std::string name = target.table;
            if (!args->options.table.empty()) {
                name.clear();
                std::vector<std::string> parts = pg::parse_qualified_name(target.table).value();
                for (const std::string& part : parts)
                    name += (name.empty() ? "" : ".") + pg::quote_ident(part);
            }
            load::LoadOptions options = args->options;
            options.rows = target.rows;
            std::printf("%s;\n",
                        load::schema_of_sheet(options, workbook, *target.sheet, name).c_str());
        }
        return kSuccess;
    };
}

}  // namespace cli
