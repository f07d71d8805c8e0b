// The subcommands of xlsx2pg. Each registers its options on the CLI11 app and returns the
// function that runs it; main() stays a thin dispatcher.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <nlohmann/json.hpp>
#include <string_view>

#include "load/loader.hpp"
#include "load/options.hpp"
#include "summary.hpp"
#include "xlsx/workbook.hpp"

namespace cli {

// Exit codes, documented in the README; a failure's is its error kind's (load/errors.hpp).
enum ExitCode : int {
    kSuccess = 0,
    kSuccessWithRejects = 1,
    kFailure = load::kExitFailure,  // nothing was changed
    kUsage = 3,
};

using Runner = std::function<int()>;

Runner add_cat_command(CLI::App& app);
Runner add_sheets_command(CLI::App& app);
Runner add_load_command(CLI::App& app);
Runner add_serve_command(CLI::App& app);
Runner add_export_command(CLI::App& app);

// "a,b,,c" -> {"a", "b", "", "c"}.
std::vector<std::string> split_list_on(const std::string& list, char separator);
std::vector<std::string> split_list(const std::string& list);
// "Book.XLSX" has the extension ".xlsx": the name's end, ignoring ASCII case.
bool has_extension(std::string_view name, std::string_view extension);
// Whether a file name says it is a workbook: .xlsx, .xlsm or .xls (the content decides which).
bool is_workbook_name(std::string_view name);

// A whole `load`: every sheet it names, or the error that stopped it. Shared by load and serve.
// Loads as `xlsx2pg load` does; `progress`, when given, is updated for every sheet (serve
// shows it to the upload page), else each sheet gets its own.
LoadReport run_load(const load::LoadOptions& options, bool show_progress,
                    load::Progress* progress = nullptr);
// Several workbooks (the same options for each; each its own run), one after another, each
// read with all its threads. Staging mode merges each file on its own, or with `atomic` all in
// one transaction; direct mode always commits them together (a JointCommit).
LoadReport run_loads(const load::LoadOptions& options, const std::vector<std::string>& files,
                     bool atomic, bool show_progress);
// The sheets of a workbook as `xlsx2pg sheets --json` prints them (reads every sheet).
nlohmann::json sheets_json(const xlsx::Workbook& workbook);
Runner add_schema_command(CLI::App& app);

}  // namespace cli
