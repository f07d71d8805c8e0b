// The server restarted (immediate shutdown: every connection cut, crash recovery) in the middle
// of a load: a clear error, the target unchanged, and the same command resumes the run to
// exactly the sheet's rows. A test binary of its own, run alone: it takes the server away from
// every other test.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "support/pg_test_env.hpp"
#include "support/process.hpp"
#include "support/workbook_writer.hpp"
#include "support/zip_writer.hpp"

using namespace testsupport;

namespace {

void restart_server() {
    std::string run_dir = std::filesystem::path(std::getenv("XLSX_TEST_PGENV")).parent_path();
    std::string command = "bash " XLSX_SOURCE_DIR "/tests/harness/pg_harness.sh restart '" +
                          run_dir + "' " XLSX_SOURCE_DIR " >/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0);
}

}  // namespace

TEST(ServerRestart, MidLoadLeavesTargetUnchangedAndResumes) {
    export_harness_env();
    std::string database = create_test_database("xlsx_restart");
    std::string path = temp_path("restart.xlsx");
    const int rows = 150000;
    write_numbered_workbook(path, rows);
    {
        PgConnection db(harness_conninfo(database));
        db.exec("CREATE TABLE restarted (id integer, name text, amount numeric)");
    }
    for (std::string mode : {"staging", "direct"}) {
        SCOPED_TRACE(mode);
        auto args = xlsx2pg(
            {"load", path, "restarted", "-d", database, "--chunk-rows", "2000", "--mode", mode});
        Background loader = start_process(args);
        // Staging: wait until chunks are committed, whose rows crash recovery then takes from
        // the UNLOGGED staging table while the ledger keeps them. Direct: until it copies.
        std::string progress =
            mode == "staging"
                ? "SELECT count(*) >= 3 FROM xlsx.import_chunks"
                : "SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name = 'xlsx2pg' "
                  "AND state = 'active' AND query LIKE 'COPY%' AND datname = current_database()";
        bool under_way = false;
        for (int i = 0; i < 1000 && !under_way; ++i) {
            PgConnection watcher(harness_conninfo(database));
            under_way = watcher.scalar(progress) == "t";
            if (!under_way) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        ASSERT_TRUE(under_way) << "the load was never seen under way";
        restart_server();
        ProcessResult r = wait_process(loader);
        EXPECT_EQ(r.exit_code, 2) << r.err;
        EXPECT_FALSE(r.err.empty());
        PgConnection db(harness_conninfo(database));
        EXPECT_EQ(db.scalar("SELECT count(*) FROM restarted"), "0");
        EXPECT_EQ(
            db.scalar("SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()"),
            "0");
        ProcessResult again = run_process(args);
        EXPECT_EQ(again.exit_code, 0) << again.err;
        // (Whether the resume had to forget chunks depends on what reached the WAL: the harness
        // runs with synchronous_commit off, so a crash may take ledger rows along with them.)
        EXPECT_EQ(db.scalar("SELECT count(*) FROM restarted"), std::to_string(rows));
        db.exec("TRUNCATE restarted");
    }
    drop_test_database(database);
}
