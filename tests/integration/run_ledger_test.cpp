// The loader's run ledger module (loader/load/run_ledger.cpp) against the harness's server:
// each statement does what its name says to xlsx.import_runs, import_chunks and rejects.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "load/run_ledger.hpp"
#include "support/pg_test_env.hpp"

namespace ledger = load::ledger;

class RunLedgerTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { database_ = testsupport::create_test_database("xlsx_ledger"); }
    static void TearDownTestSuite() { testsupport::drop_test_database(database_); }

    static std::unique_ptr<pg::Connection> connect() {
        pg::ConnectOptions o;
        o.dbname = testsupport::harness_conninfo(database_);
        return std::make_unique<pg::Connection>(o);
    }
    static ledger::NewRun staging_run(const std::string& checksum) {
        return {"book.xlsx", "Data", "public.t", "staging", 2, 1234, checksum, "test"};
    }
    static std::string state_of(pg::Connection& c, int64_t run) {
        return c
            .scalar("SELECT state FROM xlsx.import_runs WHERE run_id = $1", {std::to_string(run)})
            .value_or("(none)");
    }

    // A closed connection's session ends a moment later on the server, and with it its claims:
    // poll for that (30 s is far beyond what a busy machine needs).
    template <typename Condition>
    static bool eventually(Condition condition) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (!condition()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return true;
    }

    inline static std::string database_;
};

TEST_F(RunLedgerTest, ARunIsClaimedWhileItsLoaderLivesAndFoundAgainByItsChecksum) {
    auto first = connect(), second = connect();
    int64_t run = ledger::open_claimed_run(*first, staging_run("crc32:0000abcd:10"));
    EXPECT_EQ(state_of(*first, run), "running");
    EXPECT_FALSE(ledger::claim_run(*second, run)) << "claimed in the statement that opened it";
    EXPECT_EQ(ledger::resumable_run(*second, "crc32:0000abcd:10", "Data", "public.t"), run);
    EXPECT_EQ(ledger::resumable_run(*second, "crc32:ffffffff:10", "Data", "public.t"),
              std::nullopt);
    EXPECT_EQ(ledger::unfinished_staging_run(*second, run), run);
    first.reset();  // the loader is gone, and with it the claim
    EXPECT_TRUE(eventually([&] { return ledger::claim_run(*second, run); }));
    ledger::finish_run(*second, run, "merged", {5, 5, 0, 100});
    EXPECT_EQ(ledger::unfinished_staging_run(*second, run), std::nullopt);
    EXPECT_EQ(ledger::run_counts(*second, run).rows_loaded, 5u);
    ledger::start_clock(*second, run, 2.5);
    EXPECT_GT(ledger::run_seconds(*second, run), 2.0);
}

TEST_F(RunLedgerTest, ChunksAndRejectsAreRecordedAndCountedPerRun) {
    auto c = connect();
    int64_t run = ledger::open_claimed_run(*c, staging_run("crc32:00000001:1"));
    std::string staging = ledger::create_staging(*c, run, {"id", "name"});
    EXPECT_NE(staging.find("xlsx_staging"), std::string::npos) << staging;
    EXPECT_EQ(ledger::type_evidence(*c, run, 2), (std::vector<uint32_t>{0, 0, 0}));

    load::RowChunk chunk;
    chunk.number = 1;
    chunk.first_row = 11;
    chunk.last_row = 20;
    chunk.type_evidence = {0, 1, 4};
    c->exec("BEGIN");
    ledger::record_rejects(
        *c, run,
        {{14, "id", "x", "integer", "bad integer"}, {12, "name", "y", "text", "too long"}});
    ledger::record_chunk(*c, run, chunk, 10);
    c->exec("COMMIT");
    chunk.number = 0;
    chunk.first_row = 1;
    chunk.last_row = 10;
    chunk.type_evidence = {0, 2, 4};
    ledger::record_chunk(*c, run, chunk, 9);

    std::vector<ledger::ChunkRecord> chunks = ledger::committed_chunks(*c, run);
    ASSERT_EQ(chunks.size(), 2u);
    EXPECT_EQ(chunks[0].number, 0u);
    EXPECT_EQ(chunks[1].first_row, 11u);
    EXPECT_EQ(chunks[1].last_row, 20u);
    EXPECT_EQ(ledger::type_evidence(*c, run, 2), (std::vector<uint32_t>{0, 3, 4}));
    EXPECT_EQ(ledger::committed_summary(*c, run), "2 committed chunks (19 sheet rows)");

    ledger::Counts staged = ledger::staged_counts(*c, run);
    EXPECT_EQ(staged.rows_read, 19u);
    EXPECT_EQ(staged.rows_rejected, 2u);
    EXPECT_FALSE(ledger::all_staged(*c, run)) << "rows_read is not recorded yet";
    ledger::finish_run(*c, run, "staged", staged);
    EXPECT_EQ(state_of(*c, run), "staged");
    EXPECT_TRUE(ledger::all_staged(*c, run));

    std::vector<load::Reject> first = ledger::first_rejects(*c, run);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].sheet_row, 12u);
    EXPECT_EQ(first[0].reason, "too long");
    EXPECT_EQ(first[1].target_type, "integer");

    ledger::mark_failed(*c, run, "the server said no");
    EXPECT_EQ(state_of(*c, run), "failed");
    EXPECT_EQ(c->scalar("SELECT error_text FROM xlsx.import_runs WHERE run_id = $1",
                        {std::to_string(run)}),
              "the server said no");
    ledger::mark_interrupted(*c, run, "interrupted by SIGINT");
    EXPECT_EQ(state_of(*c, run), "interrupted");
    EXPECT_EQ(ledger::forget_lost_chunks(*c, run), 2u) << "the staging table holds none of them";
}

TEST_F(RunLedgerTest, PreparedTransactionsFollowTheRunsDecision) {
    auto c = connect();
    c->exec("CREATE TABLE prepared_rows (run bigint)");
    auto prepare_row = [&](int64_t run, const std::string& name) {
        auto writer = connect();
        writer->exec("BEGIN");
        writer->exec("INSERT INTO prepared_rows VALUES ($1)", {std::to_string(run)});
        ledger::prepare(*writer, name);
    };
    ledger::NewRun direct{"book.xlsx", "Data", "public.prepared_rows", "direct",
                          1,           1,      std::nullopt,           "test"};
    int64_t decided, undecided;
    {
        auto loader = connect();
        decided = ledger::open_claimed_run(*loader, direct);
        undecided = ledger::open_claimed_run(*loader, direct);
        prepare_row(decided, ledger::prepared_name(decided, 0));
        prepare_row(undecided, ledger::prepared_name(undecided, 0));
        ledger::finish_run(*loader, decided, "merged", {1, 1, 0, 0});
        // While the loader lives, its prepared transactions are its own to settle.
        EXPECT_EQ(ledger::settle_prepared_loads(*c), 0);
    }
    int settled = 0;
    EXPECT_TRUE(eventually([&] { return (settled += ledger::settle_prepared_loads(*c)) == 2; }));
    EXPECT_EQ(c->scalar("SELECT string_agg(run::text, ',') FROM prepared_rows"),
              std::to_string(decided));

    // A run's rollback leaves a run whose number begins with the same digits alone.
    std::string other = ledger::prepared_name(undecided * 10 + 1, 0);
    prepare_row(undecided, ledger::prepared_name(undecided, 1));
    prepare_row(undecided * 10 + 1, other);
    ledger::rollback_prepared(*c, undecided);
    EXPECT_EQ(c->scalar("SELECT string_agg(gid, ',') FROM pg_prepared_xacts WHERE database = "
                        "current_database()"),
              other);
    ledger::commit_prepared(*c, other);
    EXPECT_EQ(c->scalar("SELECT count(*) FROM prepared_rows"), "2");
}
