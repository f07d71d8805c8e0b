// xlsx2pg load against the harness's server: the binary as users run it, real workbooks.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "loader_fixture.hpp"
#include "support/pg_test_env.hpp"
#include "support/process.hpp"
#include "support/workbook_writer.hpp"
#include "support/zip_writer.hpp"

using namespace testsupport;
using nlohmann::json;

TEST_F(LoaderTest, CreateChoosesTheNarrowestTypesAndKeepsValuesExact) {
    std::string path = temp_path("typed.xlsx");
    write_workbook(
        path,
        {{"Typed",
          {{std::string("id"), std::string("Zip Code"), std::string("price"), std::string("day"),
            std::string("stamp"), std::string("ok"), std::string("mixed"), std::string("big")},
           {1.0, std::string("00123"), 1.5, Date{2024, 2, 29}, Date{2024, 1, 2, 13, 45, 30, true},
            true, 1.0, 3e9},
           {2.0, std::string("01"), 0.1, Date{1900, 3, 1}, Date{1999, 12, 31, 23, 59, 59, true},
            false, std::string("x"), 1.0},
           {3.0, Blank{}, -2.0, Blank{}, Blank{}, Blank{}, Blank{}, 2.0}}}});
    json out = load_json(path, "typed", {"--create"});
    EXPECT_EQ(out["loads"][0]["created"], true);
    EXPECT_EQ(
        db_->scalar(
            "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' "
            "ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'typed'::regclass AND attnum > 0"),
        "id integer, zip_code text, price numeric, day date, "
        "stamp timestamp without time zone, ok boolean, mixed text, big bigint");
    EXPECT_EQ(
        db_->scalar(
            "SELECT string_agg(concat_ws('|', id, zip_code, price, day, stamp, ok, mixed, big), "
            "' / ' ORDER BY id) FROM typed"),
        "1|00123|1.5|2024-02-29|2024-01-02 13:45:30|t|1|3000000000 / "
        "2|01|0.1|1900-03-01|1999-12-31 23:59:59|f|x|1 / 3|-2|2");

    ProcessResult schema = run_process(xlsx2pg({"schema", path, "public.\"typed copy\""}));
    EXPECT_EQ(schema.exit_code, 0) << schema.err;
    EXPECT_NE(schema.out.find("CREATE TABLE \"public\".\"typed copy\" (\n    \"id\" integer,"),
              std::string::npos)
        << schema.out;
}

TEST_F(LoaderTest, StagingAndDirectModesLoadTheSameRows) {
    std::string path = temp_path("same.xlsx");
    write_numbered_workbook(path, 5000);
    db_->exec("CREATE TABLE by_staging (id integer, name text, amount numeric)");
    db_->exec("CREATE TABLE by_direct (LIKE by_staging)");
    json staged = load_json(path, "by_staging", {"--chunk-rows", "700"});
    json direct =
        load_json(path, "by_direct", {"--mode", "direct", "--chunk-rows", "700", "-c", "2"});
    EXPECT_EQ(staged["loads"][0]["mode"], "staging");
    EXPECT_EQ(direct["loads"][0]["mode"], "direct");
    EXPECT_EQ(direct["loads"][0]["connections"], 2);
    EXPECT_EQ(staged["rows_loaded"], 5000);
    EXPECT_EQ(direct["rows_loaded"], 5000);
    EXPECT_EQ(
        db_->scalar("SELECT count(*) FROM (SELECT * FROM by_staging EXCEPT SELECT * FROM by_direct "
                    "UNION ALL SELECT * FROM by_direct EXCEPT SELECT * FROM by_staging) d"),
        "0");
    EXPECT_EQ(db_->scalar("SELECT sum(amount) FROM by_staging"), "18753750.0");
    // Both runs are in the ledger with their counts; no staging table is left behind.
    EXPECT_EQ(db_->scalar("SELECT string_agg(state || ':' || rows_loaded, ',' ORDER BY run_id) "
                          "FROM xlsx.import_runs WHERE target_table LIKE '%by_%'"),
              "merged:5000,merged:5000");
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'xlsx_staging'"), "0");
}

TEST_F(LoaderTest, UpsertUpdatesExistingKeysAndInsertsTheRest) {
    std::string first = temp_path("v1.xlsx"), second = temp_path("v2.xlsx");
    write_numbered_workbook(first, 100, 1);    // ids 1..100
    write_numbered_workbook(second, 100, 51);  // ids 51..150
    db_->exec("CREATE TABLE upserted (id integer PRIMARY KEY, name text, amount numeric)");
    load_json(first, "upserted");
    json out = load_json(second, "upserted", {"--upsert", "id"});
    EXPECT_EQ(out["loads"][0]["rows_inserted"], 50);
    EXPECT_EQ(out["loads"][0]["rows_updated"], 50);
    EXPECT_EQ(count("upserted"), "150");
    ProcessResult usage = load(second, "upserted", {"--upsert", "id", "--mode", "direct"});
    EXPECT_EQ(usage.exit_code, 3) << usage.err;
}

// Bad values in rows 3 and 5: rejected with their sheet rows, columns and the server's reasons;
// the other rows load. --max-rejects below the count loads nothing.
TEST_F(LoaderTest, RejectsNameRowColumnAndReasonInBothModes) {
    std::string path = temp_path("bad.xlsx");
    write_workbook(path, {{"S",
                           {{std::string("id"), std::string("qty"), std::string("day")},
                            {1.0, 10.0, Date{2024, 1, 1}},
                            {2.0, std::string("many"), Date{2024, 1, 2}},
                            {3.0, 30.0, Date{2024, 1, 3}},
                            {4.0, 40.0, std::string("soon")},
                            {5.0, 50.0, Date{2024, 1, 5}}}}});
    for (std::string mode : {"staging", "direct"}) {
        SCOPED_TRACE(mode);
        std::string table = "rejects_" + mode;
        db_->exec("CREATE TABLE " + table + " (id integer, qty integer, day date)");
        json out = load_json(path, table, {"--mode", mode}, 1);
        EXPECT_EQ(out["rows_read"], 5);
        EXPECT_EQ(out["rows_loaded"], 3);
        EXPECT_EQ(out["rows_rejected"], 2);
        const json& rejects = out["loads"][0]["first_rejects"];
        ASSERT_EQ(rejects.size(), 2u);
        EXPECT_EQ(rejects[0]["sheet_row"], 3);
        EXPECT_EQ(rejects[0]["column"], "qty");
        EXPECT_EQ(rejects[0]["value"], "many");
        EXPECT_EQ(rejects[0]["reason"], "invalid input syntax for type integer: \"many\"");
        EXPECT_EQ(rejects[1]["sheet_row"], 5);
        EXPECT_EQ(rejects[1]["column"], "day");
        EXPECT_EQ(db_->scalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + table),
                  "1,3,5");
        int64_t run = out["loads"][0]["run_id"];
        EXPECT_EQ(db_->scalar(
                      "SELECT string_agg(sheet_row || ':' || column_name, ',' ORDER BY sheet_row) "
                      "FROM xlsx.rejects WHERE run_id = " +
                      std::to_string(run)),
                  "3:qty,5:day");

        db_->exec("TRUNCATE " + table);
        ProcessResult strict = load(path, table, {"--mode", mode, "--max-rejects", "1"});
        EXPECT_EQ(strict.exit_code, 2);
        EXPECT_NE(strict.err.find("more than 1 rejected rows"), std::string::npos) << strict.err;
        EXPECT_EQ(count(table), "0");
        ProcessResult ratio = load(path, table, {"--mode", mode, "--max-rejects", "10%"});
        EXPECT_EQ(ratio.exit_code, 2) << ratio.err;
        EXPECT_EQ(count(table), "0");
    }
    EXPECT_EQ(
        db_->scalar("SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()"),
        "0");
}

TEST_F(LoaderTest, HeaderMismatchNamesTheColumnsAndColumnsMapsThem) {
    std::string path = temp_path("mismatch.xlsx");
    write_workbook(path, {{"S",
                           {{std::string("Id"), std::string("Full Name"), std::string("Extra")},
                            {1.0, std::string("Ada"), std::string("x")}}}});
    db_->exec("CREATE TABLE people (id integer, name text)");
    ProcessResult r = load(path, "people");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("no column for B \"Full Name\", C \"Extra\""), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--columns"), std::string::npos);
    json out = load_json(path, "people", {"--columns", "id,name,-"});
    EXPECT_EQ(db_->scalar("SELECT id || ' ' || name FROM people"), "1 Ada");
}

TEST_F(LoaderTest, NullTokensTrimAndSkippedRows) {
    std::string path = temp_path("values.xlsx");
    write_workbook(path, {{"S",
                           {{std::string("Report")},
                            {std::string("a"), std::string("b")},
                            {std::string("units"), std::string("units")},
                            {std::string("  x  "), std::string("N/A")},
                            {},
                            {std::string("y"), std::string("2")}}}});
    json out =
        load_json(path, "vals",
                  {"--create", "--header-row", "2", "--skip-rows", "1", "--null", "N/A", "--trim"});
    EXPECT_EQ(out["rows_read"], 2);
    EXPECT_EQ(db_->scalar("SELECT string_agg(coalesce(a, '∅') || '=' || coalesce(b, '∅'), ',' "
                          "ORDER BY a) FROM vals"),
              "x=∅,y=2");
}

TEST_F(LoaderTest, HostileNamesRoundTrip) {
    std::string path = temp_path("names.xlsx");
    std::string sheet = "Sel'ect; DROP";
    write_workbook(path,
                   {{sheet,
                     {{std::string("a\"b"), std::string("with space"), std::string("ünï 名前"),
                       std::string("select"), std::string("x;y--"), std::string("select")},
                      {1.0, 2.0, std::string("Ω"), std::string("\\N"), std::string("tab\there"),
                       std::string("line\nbreak")}}}});
    std::string table = "\"Tbl \"\"q\"\"; DROP TABLE people; --\"";
    load_json(path, table, {"--create", "--sheet", sheet});
    EXPECT_EQ(db_->scalar("SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute "
                          "WHERE attrelid = '" +
                          table + "'::regclass AND attnum > 0"),
              "a_b,with_space,ünï_名前,select,x_y,select_2");
    EXPECT_EQ(db_->scalar("SELECT concat_ws('|', a_b, with_space, \"ünï_名前\", \"select\", x_y, "
                          "select_2) FROM " +
                          table),
              "1|2|Ω|\\N|tab\there|line\nbreak");
    // Loading into it again matches the header to the normalized names.
    json again = load_json(path, table, {"--sheet", sheet});
    EXPECT_EQ(again["rows_loaded"], 1);
    // The default table name comes from the sheet name.
    load_json(path, "", {"--create", "--sheet", sheet});
    EXPECT_EQ(count("\"sel_ect_drop\""), "1");
}

TEST_F(LoaderTest, PasswordsNeverAppearInOutput) {
    std::string path = temp_path("pw.xlsx");
    write_numbered_workbook(path, 3);
    const char* secret = "s3cr3t-Pa55";
    for (const std::string& dsn :
         {std::string("postgresql://nobody:") + secret + "@127.0.0.1:1/db",
          std::string("host=127.0.0.1 port=1 user=nobody password=") + secret,
          std::string("dbname=") + database_ + " user=no_such_role password=" + secret}) {
        ProcessResult r = run_process(xlsx2pg({"load", path, "t", "-d", dsn}));
        EXPECT_EQ(r.exit_code, 2);
        EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r.err;
        EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
        EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
        ProcessResult j = run_process(xlsx2pg({"load", path, "t", "-d", dsn, "--json"}));
        EXPECT_EQ(j.out.find(secret), std::string::npos) << j.out;
        EXPECT_EQ(json::parse(j.out)["exit_code"], 2);
    }
}

TEST_F(LoaderTest, AllSheetsMakeATableEach) {
    std::string path = temp_path("sheets.xlsx");
    write_workbook(path, {{"First One", {{std::string("n")}, {1.0}, {2.0}}},
                          {"Second", {{std::string("m")}, {std::string("x")}}}});
    json out = load_json(path, "", {"--all-sheets", "--create"});
    ASSERT_EQ(out["loads"].size(), 2u);
    EXPECT_EQ(out["rows_loaded"], 3);
    EXPECT_EQ(count("first_one"), "2");
    EXPECT_EQ(count("second"), "1");
}

TEST_F(LoaderTest, TwoLoadersIntoOneTargetAtOnce) {
    std::string a = temp_path("a.xlsx"), b = temp_path("b.xlsx");
    write_numbered_workbook(a, 20000, 1);
    write_numbered_workbook(b, 20000, 20001);
    db_->exec("CREATE TABLE shared (id integer PRIMARY KEY, name text, amount numeric)");
    Background first = start_process(load_args(a, "shared", {"--chunk-rows", "1000"}));
    Background second = start_process(load_args(b, "shared", {"--chunk-rows", "1000"}));
    ProcessResult r1 = wait_process(first), r2 = wait_process(second);
    EXPECT_EQ(r1.exit_code, 0) << r1.err;
    EXPECT_EQ(r2.exit_code, 0) << r2.err;
    EXPECT_EQ(count("shared"), "40000");
}

// SIGKILL at random moments, then the same command again: it resumes the run and the table ends
// with exactly the sheet's rows, none twice.
TEST_F(LoaderTest, KilledLoadsResumeToExactlyTheSheetsRows) {
    std::string path = temp_path("kill.xlsx");
    const int rows = 60000;
    write_numbered_workbook(path, rows);
    std::vector<std::string> extra{"--chunk-rows", "2000", "-c", "2", "--create", "--json"};
    auto run_open = [&](const std::string& table) {
        return [this, table] {
            return db_->scalar(
                       "SELECT count(*) FROM xlsx.import_runs WHERE target_table = "
                       "'public." +
                       table + "'") != "0";
        };
    };
    auto open_for = time_open(load_args(path, "killed_timing", extra), run_open("killed_timing"));
    std::mt19937 random(20261126);
    int resumed = 0;
    for (int trial = 0; trial < 10; ++trial) {
        SCOPED_TRACE("trial " + std::to_string(trial));
        std::string table = "killed_" + std::to_string(trial);
        kill_while_open(load_args(path, table, extra), run_open(table), open_for, random);
        // The killed loader's backends finish what they were doing (a COMMIT already sent still
        // commits) before they notice: wait for them to go, then read the ledger.
        wait_until([&] {
            return db_->scalar(
                       "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                       "current_database() AND application_name = 'xlsx2pg'") == "0";
        });
        // A kill that came after the merge committed leaves a finished load; running the command
        // again then loads the file a second time, as it should.
        int merged =
            std::stoi(db_->scalar("SELECT count(*) FROM xlsx.import_runs WHERE state = 'merged' "
                                  "AND target_table = 'public." +
                                  table + "'"));
        ProcessResult again = run_process(load_args(path, table, extra));
        ASSERT_EQ(again.exit_code, 0) << again.err;
        json out = json::parse(again.out);
        resumed += out["loads"][0]["resumed"].get<bool>();
        EXPECT_EQ(count(table), std::to_string(rows * (1 + merged)));
        EXPECT_EQ(db_->scalar("SELECT count(DISTINCT id) FROM " + table), std::to_string(rows));
        EXPECT_EQ(out["rows_read"], rows);
    }
    EXPECT_GT(resumed, 0) << "no kill landed while a run was open";
    std::printf("%d of 10 killed loads were resumed\n", resumed);
}

// A COPY connection terminated by the server mid-load: a clear error, the target unchanged,
// and the same command resumes the run.
TEST_F(LoaderTest, TerminatedConnectionLeavesTargetUnchangedAndResumable) {
    std::string path = temp_path("terminate.xlsx");
    const int rows = 150000;
    write_numbered_workbook(path, rows);
    db_->exec("CREATE TABLE terminated (id integer, name text, amount numeric)");
    for (std::string mode : {"staging", "direct"}) {
        SCOPED_TRACE(mode);
        auto args = load_args(path, "terminated", {"--chunk-rows", "2000", "--mode", mode});
        Background loader = start_process(args);
        bool terminated = false;
        for (int i = 0; i < 400 && !terminated; ++i) {
            terminated = db_->scalar(
                             "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                             "WHERE application_name = 'xlsx2pg' AND state = 'active' AND query "
                             "LIKE 'COPY%' AND datname = current_database()") != "0";
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ProcessResult r = wait_process(loader);
        ASSERT_TRUE(terminated) << "no COPY was seen to terminate";
        EXPECT_EQ(r.exit_code, 2) << r.err;
        EXPECT_NE(r.err.find("terminat"), std::string::npos) << r.err;
        EXPECT_EQ(count("terminated"), "0");
        EXPECT_EQ(db_->scalar(
                      "SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()"),
                  "0");
        ProcessResult again = run_process(args);
        EXPECT_EQ(again.exit_code, 0) << again.err;
        EXPECT_EQ(count("terminated"), std::to_string(rows));
        db_->exec("TRUNCATE terminated");
    }
}

TEST_F(LoaderTest, MissingExtensionIsExplained) {
    std::string path = temp_path("noext.xlsx");
    write_numbered_workbook(path, 3);
    PgConnection admin(harness_conninfo());
    admin.exec("DROP DATABASE IF EXISTS xlsx_no_extension");
    admin.exec("CREATE DATABASE xlsx_no_extension TEMPLATE template0");
    ProcessResult r =
        run_process(xlsx2pg({"load", path, "t", "--create", "-d", "xlsx_no_extension"}));
    admin.exec("DROP DATABASE xlsx_no_extension");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("needs the pg_xlsx extension"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("CREATE EXTENSION pg_xlsx"), std::string::npos) << r.err;
}

// A direct load killed between PREPARE and COMMIT PREPARED leaves prepared transactions; the
// next load settles them as the ledger decided: committed if the run was marked merged (the
// decision is written before the commits), rolled back otherwise.
TEST_F(LoaderTest, PreparedTransactionsOfAKilledDirectLoadFollowTheLedger) {
    db_->exec("CREATE TABLE settled (n integer)");
    std::string decided =
        db_->scalar("SELECT xlsx_internal.open_run('a.xlsx', 'S', 'public.settled', 'direct')");
    db_->exec("SELECT xlsx_internal.finish_run(" + decided + ", 'merged', 1, 1, 0)");
    std::string undecided =
        db_->scalar("SELECT xlsx_internal.open_run('b.xlsx', 'S', 'public.settled', 'direct')");
    for (const auto& [run, value] : {std::pair{decided, "1"}, std::pair{undecided, "2"}}) {
        PgConnection session(harness_conninfo(database_));
        session.exec("BEGIN");
        session.exec(std::string("INSERT INTO settled VALUES (") + value + ")");
        session.exec("PREPARE TRANSACTION 'xlsx2pg_run_" + run + "_0'");
    }
    std::string path = temp_path("settle.xlsx");
    write_numbered_workbook(path, 3);
    ProcessResult r = load(path, "settle_trigger", {"--create"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("committed xlsx2pg_run_" + decided + "_0"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("rolled back xlsx2pg_run_" + undecided + "_0"), std::string::npos)
        << r.err;
    EXPECT_EQ(db_->scalar("SELECT string_agg(n::text, ',') FROM settled"), "1");
    EXPECT_EQ(
        db_->scalar("SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()"),
        "0");
}
