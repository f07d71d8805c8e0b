// The subcommands of xlsx2pg. Each registers its options on the CLI11 app and returns the
// function that runs it; main() stays a thin dispatcher.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

#include "load/options.hpp"
#include "summary.hpp"

namespace cli {

// Exit codes, documented in the README.
enum ExitCode : int {
    kSuccess = 0,
    kSuccessWithRejects = 1,
    kFailure = 2,  // nothing was changed
    kUsage = 3,
};

using Runner = std::function<int()>;

Runner add_cat_command(CLI::App& app);
Runner add_sheets_command(CLI::App& app);
Runner add_load_command(CLI::App& app);
Runner add_serve_command(CLI::App& app);

// "a,b,,c" -> {"a", "b", "", "c"}.
std::vector<std::string> split_list_on(const std::string& list, char separator);
std::vector<std::string> split_list(const std::string& list);

// A whole `load`: every sheet it names, or the error that stopped it. Shared by load and serve.
LoadReport run_load(const load::LoadOptions& options, bool show_progress);
Runner add_schema_command(CLI::App& app);

}  // namespace cli
