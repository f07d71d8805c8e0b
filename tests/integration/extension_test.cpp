// The extension in a real server started by the harness.
#include <gtest/gtest.h>

#include "support/pg_test_env.hpp"

using namespace testsupport;

class ExtensionTest : public ::testing::Test {
protected:
    // Created in SetUp, not SetUpTestSuite, so that a failure fails the test instead of
    // skipping it.
    void SetUp() override {
        if (database_.empty()) database_ = create_test_database("xlsx_ext");
    }
    static void TearDownTestSuite() {
        if (!database_.empty()) drop_test_database(database_);
    }
    static std::string database_;
};
std::string ExtensionTest::database_;

TEST_F(ExtensionTest, InstallsIntoItsSchema) {
    PgConnection db(harness_conninfo(database_));
    // CREATE EXTENSION installs the version the control file names.
    EXPECT_EQ(db.scalar("SELECT extversion = default_version FROM pg_extension, "
                        "pg_available_extensions WHERE extname = 'pg_xlsx' AND name = extname"),
              "t");
    EXPECT_EQ(
        db.scalar(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_xlsx'"),
        "xlsx");
    EXPECT_EQ(db.scalar("SELECT xlsx.excel_date(60)::text"), "1900-02-28");
    EXPECT_EQ(db.scalar("SELECT xlsx.excel_date(0, true)::text"), "1904-01-01");
}

TEST_F(ExtensionTest, LedgerRoundTripThroughLibpq) {
    PgConnection db(harness_conninfo(database_));
    std::string run = db.scalar("SELECT xlsx_internal.open_run('a.xlsx', 'Sheet1', 'public.t')");
    db.exec("BEGIN");
    db.exec("SELECT xlsx_internal.record_chunk(" + run + ", 0, 1, 10, 10)");
    db.exec("ROLLBACK");  // a chunk whose transaction did not commit is not in the ledger
    EXPECT_EQ(db.scalar("SELECT count(*) FROM xlsx.import_chunks WHERE run_id = " + run), "0");
    db.exec("SELECT xlsx_internal.record_chunk(" + run + ", 0, 1, 10, 10)");
    EXPECT_EQ(db.exec_error("SELECT xlsx_internal.record_chunk(" + run + ", 0, 1, 10, 10)"),
              "23505");
    db.exec("SELECT xlsx_internal.finish_run(" + run + ", 'merged', 10, 10, 0, 100)");
    EXPECT_EQ(db.scalar("SELECT loaded FROM xlsx.stats(" + run + ")"), "10");
}
