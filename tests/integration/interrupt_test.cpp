// A load stopped by SIGINT or SIGTERM at several points, a killed one the ledger calls
// abandoned, and loads that wait on a lock another session holds.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "loader_fixture.hpp"
#include "support/workbook_writer.hpp"
#include "support/zip_writer.hpp"

using namespace testsupport;
using Clock = std::chrono::steady_clock;

namespace {

// The bounds are the behaviour (a signal must not hang the loader), set five times and more
// above the 2 s these tests asked for before, which a busy machine overran.
constexpr double kStopsWithin = 10.0;
constexpr double kGivesUpWithin = 15.0;

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Waits until `ready` holds (checked every 20 ms), for at most `seconds`.
// Sends `signal` and returns the process's result and how long it took to end.
std::pair<ProcessResult, double> stop_with(const Background& process, int signal) {
    auto sent = Clock::now();
    kill(process.pid, signal);
    ProcessResult r = wait_process(process);
    return {r, std::chrono::duration<double>(Clock::now() - sent).count()};
}

}  // namespace

class InterruptTest : public LoaderTest {
protected:
    static const std::string& book() {
        static std::string path = [] {
            // Made once per test process, shared by its tests.
            std::string p = process_temp_path("interrupt_300k.xlsx");
            write_numbered_workbook(p, 300000);
            return p;
        }();
        return path;
    }
    std::string run_of(const std::string& table) {
        return db_->scalar(
            "SELECT coalesce(max(run_id), 0) FROM xlsx.import_runs WHERE target_table = 'public." +
            table + "'");
    }
    std::string state_of(const std::string& run) {
        return db_->scalar("SELECT state FROM xlsx.import_runs WHERE run_id = " + run);
    }
};

TEST_F(InterruptTest, SigintDuringTheCopyMarksTheRunInterruptedAndTheSameCommandResumes) {
    db_->exec("CREATE TABLE stopped (id integer, name text, amount numeric)");
    auto args = load_args(book(), "stopped", {"--chunk-rows", "5000", "-c", "2"});
    Background load = start_process(args);
    ASSERT_TRUE(wait_until([&] {
        return std::stoi(db_->scalar("SELECT count(*) FROM xlsx.import_chunks c JOIN "
                                     "xlsx.import_runs r USING (run_id) "
                                     "WHERE r.target_table = 'public.stopped'")) >= 2;
    })) << read_file(load.err_path);
    auto [r, seconds] = stop_with(load, SIGINT);
    EXPECT_EQ(r.exit_code, 130) << r.err;
    EXPECT_LT(seconds, kStopsWithin);
    std::string run = run_of("stopped");
    EXPECT_NE(
        r.err.find("interrupted by SIGINT: the target is unchanged; run " + run + " keeps its"),
        std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("--resume " + run), std::string::npos) << r.err;
    EXPECT_EQ(state_of(run), "interrupted");
    EXPECT_EQ(count("stopped"), "0");

    ProcessResult again = run_process(args);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(db_->scalar("SELECT count(*) || ' ' || count(DISTINCT id) FROM stopped"),
              "300000 300000");
    EXPECT_EQ(state_of(run), "merged");  // the same run, resumed
}

TEST_F(InterruptTest, AResumedCreateTakesItsTypesFromEveryAttemptsChunks) {
    // --create in staging mode decides the types from the cells it stages; a resumed run adds
    // the evidence its first attempt left in the ledger to what it stages now. Only the first
    // chunk holds a value past integer, so big is bigint only if that evidence counts.
    std::string path = temp_path("two_goes_" + std::to_string(getpid()) + ".xlsx");
    SheetData sheet{"Data", {{std::string("id"), std::string("name"), std::string("big")}}};
    for (int i = 1; i <= 300000; ++i)
        sheet.rows.push_back({static_cast<double>(i), "name " + std::to_string(i),
                              i == 1 ? 3e9 : static_cast<double>(i)});
    write_workbook(path, {sheet});
    auto args =
        load_args(path, "created_in_two_goes", {"--create", "--chunk-rows", "5000", "-c", "1"});
    Background load = start_process(args);
    ASSERT_TRUE(wait_until([&] {
        return std::stoi(db_->scalar("SELECT count(*) FROM xlsx.import_chunks c JOIN "
                                     "xlsx.import_runs r USING (run_id) "
                                     "WHERE r.target_table = 'public.created_in_two_goes'")) >= 2;
    })) << read_file(load.err_path);
    EXPECT_EQ(stop_with(load, SIGINT).first.exit_code, 130);
    EXPECT_EQ(db_->scalar("SELECT to_regclass('created_in_two_goes') IS NULL"), "t");
    ProcessResult again = run_process(args);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("resumed"), std::string::npos);
    EXPECT_EQ(db_->scalar("SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), "
                          "', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = "
                          "'created_in_two_goes'::regclass AND attnum > 0"),
              "id integer, name text, big bigint");
    EXPECT_EQ(db_->scalar("SELECT count(*) || ' ' || max(big) FROM created_in_two_goes"),
              "300000 3000000000");
}

TEST_F(InterruptTest, SigtermInDirectModeLoadsNothing) {
    db_->exec("CREATE TABLE stopped_direct (id integer, name text, amount numeric)");
    Background load =
        start_process(load_args(book(), "stopped_direct", {"--mode", "direct", "-c", "2"}));
    ASSERT_TRUE(wait_until([&] {
        return db_->scalar(
                   "SELECT count(*) FROM pg_stat_progress_copy p JOIN pg_class c ON c.oid = "
                   "p.relid "
                   "WHERE c.relname = 'stopped_direct' AND p.tuples_processed > 0") != "0";
    })) << read_file(load.err_path);
    auto [r, seconds] = stop_with(load, SIGTERM);
    EXPECT_EQ(r.exit_code, 143) << r.err;
    EXPECT_LT(seconds, kStopsWithin);
    EXPECT_NE(r.err.find("interrupted by SIGTERM: nothing was loaded"), std::string::npos) << r.err;
    EXPECT_EQ(state_of(run_of("stopped_direct")), "interrupted");
    EXPECT_EQ(count("stopped_direct"), "0");
    EXPECT_EQ(
        db_->scalar("SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()"),
        "0");
}

TEST_F(InterruptTest, SigintDuringTheMergeRollsItBack) {
    // A statement trigger that sleeps holds the merge long enough to be interrupted.
    db_->exec("CREATE TABLE slow_merge (id integer, name text, amount numeric)");
    db_->exec(
        "CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_sleep(30); RETURN NULL; END $$");
    db_->exec(
        "CREATE TRIGGER slow BEFORE INSERT ON slow_merge FOR EACH STATEMENT EXECUTE FUNCTION "
        "slow()");
    std::string path = temp_path("interrupt_merge.xlsx");
    write_numbered_workbook(path, 1000);
    auto args = load_args(path, "slow_merge");
    Background load = start_process(args);
    ASSERT_TRUE(wait_until([&] {
        return db_->scalar(
                   "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' "
                   "AND datname = current_database()") != "0";
    }));
    auto [r, seconds] = stop_with(load, SIGINT);
    EXPECT_EQ(r.exit_code, 130) << r.err;
    EXPECT_LT(seconds, kStopsWithin);
    std::string run = run_of("slow_merge");
    EXPECT_EQ(state_of(run), "interrupted");
    EXPECT_EQ(count("slow_merge"), "0");
    db_->exec("DROP TRIGGER slow ON slow_merge");
    ProcessResult again = run_process(args);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(count("slow_merge"), "1000");
    EXPECT_EQ(state_of(run), "merged");
}

TEST_F(InterruptTest, SigintDuringTheTypePassCreatesNothing) {
    Background load =
        start_process(load_args(book(), "never_created", {"--create", "--mode", "direct"}));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto [r, seconds] = stop_with(load, SIGINT);
    EXPECT_EQ(r.exit_code, 130) << r.err;
    EXPECT_LT(seconds, kStopsWithin);
    EXPECT_NE(r.err.find("interrupted by SIGINT"), std::string::npos) << r.err;
    // Whether it was in the type pass or the COPY, the table it would create is not there.
    EXPECT_EQ(db_->scalar("SELECT to_regclass('never_created') IS NULL"), "t");
}

TEST_F(InterruptTest, AKilledLoadIsAbandonedInTheStats) {
    db_->exec("CREATE TABLE killed (id integer, name text, amount numeric)");
    auto args = load_args(book(), "killed", {"--chunk-rows", "5000", "-c", "1"});
    Background load = start_process(args);
    ASSERT_TRUE(wait_until([&] { return run_of("killed") != "0"; })) << read_file(load.err_path);
    std::string run = run_of("killed");
    EXPECT_EQ(db_->scalar("SELECT state FROM xlsx.import_stats WHERE run_id = " + run), "running");
    kill(load.pid, SIGKILL);
    wait_process(load);
    // Its session (and advisory lock) ends with it: the ledger says running, the stats abandoned.
    EXPECT_TRUE(wait_until([&] {
        return db_->scalar("SELECT state FROM xlsx.import_stats WHERE run_id = " + run) ==
               "abandoned";
    }));
    EXPECT_EQ(state_of(run), "running");
    ProcessResult again = run_process(args);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(count("killed"), "300000");
}

TEST_F(InterruptTest, ALockWaitIsNamedAndLockTimeoutGivesUp) {
    std::string path = temp_path("locked.xlsx");
    write_numbered_workbook(path, 100);
    db_->exec("CREATE TABLE locked (id integer, name text, amount numeric)");
    PgConnection holder(harness_conninfo(database_));
    holder.exec("BEGIN");
    holder.exec("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE");
    std::string holder_pid = holder.scalar("SELECT pg_backend_pid()");
    std::string waited_for = "RowExclusiveLock on locked, held by backend " + holder_pid;

    // With --lock-timeout the load gives up, and says on what and whom it waited.
    auto started = Clock::now();
    ProcessResult given_up =
        run_process(load_args(path, "locked", {"--mode", "direct", "--lock-timeout", "1s"}));
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    EXPECT_EQ(given_up.exit_code, 2) << given_up.err;
    EXPECT_LT(seconds, kGivesUpWithin);
    EXPECT_NE(given_up.err.find("lock timeout"), std::string::npos) << given_up.err;
    EXPECT_NE(given_up.err.find("It waited for " + waited_for), std::string::npos) << given_up.err;

    // Without it the load waits, saying so, and goes on when the lock is released.
    Background waiting = start_process(load_args(path, "locked", {"--mode", "direct"}));
    EXPECT_TRUE(wait_until([&] {
        return read_file(waiting.err_path).find(waited_for) != std::string::npos;
    })) << read_file(waiting.err_path);
    holder.exec("COMMIT");
    ProcessResult done = wait_process(waiting);
    EXPECT_EQ(done.exit_code, 0) << done.err;
    EXPECT_NE(done.err.find("waiting for " + waited_for), std::string::npos);
    EXPECT_EQ(count("locked"), "100");
}
