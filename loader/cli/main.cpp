// xlsx2pg: Excel workbooks into PostgreSQL. A thin dispatcher over the subcommands.
#include <cstdio>

#include "commands.hpp"
#include "version.hpp"
#include "xlsx/error.hpp"

int main(int argc, char** argv) {
    CLI::App app{"xlsx2pg: Excel workbooks into PostgreSQL, fast, exact and atomic"};
    app.set_version_flag("--version", std::string("xlsx2pg ") + XLSX2PG_VERSION);
    app.require_subcommand(1);
    std::vector<cli::Runner> runners{cli::add_cat_command(app), cli::add_sheets_command(app)};
    try {
        app.parse(argc, argv);
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
    } catch (const xlsx::Error& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "xlsx2pg: error [%s]: %s\n", xlsx::error_kind_name(e.kind()),
                     e.what());
        return cli::kFailure;
    } catch (const std::exception& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "xlsx2pg: error: %s\n", e.what());
        return cli::kFailure;
    }
    return cli::kUsage;
}
