// The fixture of the loader's integration tests: a database of the suite's own on the
// harness's server, and xlsx2pg run as users run it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "support/pg_test_env.hpp"
#include "support/process.hpp"

class LoaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (database_.empty()) {
            testsupport::export_harness_env();
            database_ = testsupport::create_test_database("xlsx_load");
        }
        db_ = std::make_unique<testsupport::PgConnection>(testsupport::harness_conninfo(database_));
    }
    static void TearDownTestSuite() {
        if (!database_.empty()) testsupport::drop_test_database(database_);
        database_.clear();
    }

    // xlsx2pg load FILE TABLE -d DB ARGS...
    static std::vector<std::string> load_args(const std::string& file, const std::string& table,
                                              std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"load", file, table, "-d", database_};
        args.insert(args.end(), extra.begin(), extra.end());
        return testsupport::xlsx2pg(args);
    }
    static testsupport::ProcessResult load(const std::string& file, const std::string& table,
                                           std::vector<std::string> extra = {}) {
        return testsupport::run_process(load_args(file, table, std::move(extra)));
    }
    static nlohmann::json load_json(const std::string& file, const std::string& table,
                                    std::vector<std::string> extra = {}, int expected_exit = 0) {
        extra.push_back("--json");
        testsupport::ProcessResult r = load(file, table, extra);
        EXPECT_EQ(r.exit_code, expected_exit) << r.err << r.out;
        return nlohmann::json::parse(r.out);
    }
    std::string count(const std::string& table) {
        return db_->scalar("SELECT count(*) FROM " + table);
    }

    inline static std::string database_;
    std::unique_ptr<testsupport::PgConnection> db_;
};
