// xlsx2pg: Excel workbooks into PostgreSQL. A thin dispatcher over the subcommands.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.hpp"
#include "load/errors.hpp"
#include "version.hpp"

int main(int argc, char** argv) {
    CLI::App app{"xlsx2pg: Excel workbooks into PostgreSQL, fast, exact and atomic"};
    app.set_version_flag("--version", std::string("xlsx2pg ") + XLSX2PG_VERSION);
    app.require_subcommand(1);
    std::vector<cli::Runner> runners{cli::add_load_command(app),  cli::add_schema_command(app),
                                     cli::add_cat_command(app),   cli::add_sheets_command(app),
                                     cli::add_serve_command(app), cli::add_export_command(app)};
    // The short form `xlsx2pg FILE.xlsx TABLE` is `xlsx2pg load FILE.xlsx TABLE`.
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && cli::is_workbook_name(args[0])) args.insert(args.begin(), "load");
    std::reverse(args.begin(), args.end());  // CLI11 takes the arguments reversed
    try {
        app.parse(args);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return cli::kUsage;
    }
    try {
        for (auto& run : runners) {
            int rc = run();
            if (rc >= 0) return rc;
        }
    } catch (const std::exception& e) {
        std::fflush(stdout);
        const load::ErrorKindInfo& kind = load::info_of(load::kind_of(e));
        std::string label = *kind.name ? fmt::format(" [{}]", kind.name) : "";
        std::fprintf(stderr, "xlsx2pg: error%s: %s\n", label.c_str(), e.what());
        return kind.exit_code;
    }
    return cli::kUsage;
}
