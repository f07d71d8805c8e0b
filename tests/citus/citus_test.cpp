// xlsx2pg and pg_xlsx against a real Citus cluster (tests/harness/pg_harness.sh start-citus: a
// coordinator and two workers): hash-distributed and reference targets in both modes, upserts
// and their key rule, --truncate, rejects, a killed loader, a worker that goes away, and the
// extension's merge, profile, cleanup and import on distributed tables.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "support/pg_test_env.hpp"
#include "support/process.hpp"
#include "support/workbook_writer.hpp"
#include "support/zip_writer.hpp"

using namespace testsupport;
using nlohmann::json;

namespace {

const char* kDatabase = "xlsx_citus";  // where the harness made the cluster

// The truth of write_numbered_workbook(path, rows): ids 1..rows, "name i", i * 1.5.
std::string wrong_values_sql(const std::string& table) {
    return "SELECT count(*) FROM " + table +
           " WHERE name IS DISTINCT FROM 'name ' || id OR amount IS DISTINCT FROM id * 1.5";
}

}  // namespace

class CitusTest : public ::testing::Test {
protected:
    void SetUp() override {
        export_harness_env();
        db_ = std::make_unique<PgConnection>(harness_conninfo(kDatabase));
    }

    // A table of the numbered workbook's columns, distributed by id (or a reference table).
    void create_table(const std::string& table, const std::string& how,
                      const std::string& key = "PRIMARY KEY") {
        db_->exec("DROP TABLE IF EXISTS " + table);
        // The ledger forgets the table's earlier runs (of an earlier run of these tests).
        db_->exec("DELETE FROM xlsx.import_runs WHERE target_table = 'public." + table + "'");
        db_->exec("CREATE TABLE " + table + " (id integer " + key + ", name text, amount numeric)");
        if (how == "distributed")
            db_->exec("SELECT create_distributed_table('" + table + "', 'id')");
        else
            db_->exec("SELECT create_reference_table('" + table + "')");
    }

    static std::vector<std::string> load_args(const std::string& file, const std::string& table,
                                              std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"load", file, table, "-d", kDatabase, "--json"};
        args.insert(args.end(), extra.begin(), extra.end());
        return xlsx2pg(args);
    }
    json load(const std::string& file, const std::string& table,
              std::vector<std::string> extra = {}, int expected_exit = 0) {
        ProcessResult r = run_process(load_args(file, table, std::move(extra)));
        EXPECT_EQ(r.exit_code, expected_exit) << r.err << r.out;
        return json::parse(r.out);
    }

    // Count, distinct keys and every value of a numbered sheet of `rows` rows.
    void expect_numbered_rows(const std::string& table, int rows) {
        EXPECT_EQ(db_->scalar("SELECT count(*) FROM " + table), std::to_string(rows));
        EXPECT_EQ(db_->scalar("SELECT count(DISTINCT id) FROM " + table), std::to_string(rows));
        EXPECT_EQ(db_->scalar("SELECT min(id) || '-' || max(id) FROM " + table),
                  "1-" + std::to_string(rows));
        EXPECT_EQ(db_->scalar(wrong_values_sql(table)), "0");
    }

    std::string runs_of(const std::string& table) {
        return db_->scalar("SELECT count(*) FROM xlsx.import_runs WHERE target_table = 'public." +
                           table + "'");
    }

    // The harness's command for node N (0 is the coordinator).
    static void harness(const std::string& action, int node) {
        std::string run_dir = std::filesystem::path(std::getenv("XLSX_TEST_PGENV")).parent_path();
        std::string command = "bash " XLSX_SOURCE_DIR "/tests/harness/pg_harness.sh " + action +
                              " '" + run_dir + "' " XLSX_SOURCE_DIR " " + std::to_string(node);
        ASSERT_EQ(std::system(command.c_str()), 0) << command;
    }

    std::unique_ptr<PgConnection> db_;
};

TEST_F(CitusTest, StagingIsColocatedAndBothModesLoadADistributedTableExactly) {
    std::string path = temp_path("citus_numbered.xlsx");
    const int rows = 30000;
    write_numbered_workbook(path, rows);
    create_table("dist_staged", "distributed");
    json staged = load(path, "dist_staged", {"-c", "2", "--chunk-rows", "4000", "--keep-staging"});
    const json& s = staged["loads"][0];
    EXPECT_EQ(s["citus"]["table"], "distributed");
    EXPECT_EQ(s["citus"]["distribution_column"], "id");
    EXPECT_EQ(s["citus"]["staging"], "colocated");
    EXPECT_EQ(s["connections"], 2);
    expect_numbered_rows("dist_staged", rows);
    // The staging table sits on the target's shards: same colocation group, same column type.
    std::string staging = db_->scalar("SELECT staging_table FROM xlsx.import_runs WHERE run_id = " +
                                      std::to_string(s["run_id"].get<int64_t>()));
    EXPECT_EQ(db_->scalar("SELECT count(DISTINCT colocationid) FROM pg_dist_partition WHERE "
                          "logicalrelid IN ('dist_staged'::regclass, '" +
                          staging + "'::regclass)"),
              "1");
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = '" +
                          staging + "'::regclass"),
              "1");

    // Direct mode with two connections asked for: one COPY, which Citus commits as one.
    create_table("dist_direct", "distributed");
    json direct = load(path, "dist_direct", {"--mode", "direct", "-c", "2"});
    EXPECT_EQ(direct["loads"][0]["connections"], 1);
    EXPECT_EQ(direct["loads"][0]["citus"]["table"], "distributed");
    expect_numbered_rows("dist_direct", rows);

    // Staged on the coordinator, when asked: the same rows.
    create_table("dist_coordinator", "distributed");
    json local = load(path, "dist_coordinator", {"--citus-staging", "coordinator"});
    EXPECT_EQ(local["loads"][0]["citus"]["staging"], "coordinator");
    expect_numbered_rows("dist_coordinator", rows);
}

TEST_F(CitusTest, AReferenceTableLoadsInBothModes) {
    std::string path = temp_path("citus_reference.xlsx");
    write_numbered_workbook(path, 5000);
    for (std::string mode : {"staging", "direct"}) {
        SCOPED_TRACE(mode);
        create_table("reference_" + mode, "reference");
        json out = load(path, "reference_" + mode, {"--mode", mode, "-c", "2"});
        EXPECT_EQ(out["loads"][0]["citus"]["table"], "reference");
        expect_numbered_rows("reference_" + mode, 5000);
        // Every worker holds every row.
        EXPECT_EQ(db_->scalar("SELECT string_agg(result, ',') FROM run_command_on_placements("
                              "'reference_" +
                              mode + "', 'SELECT count(*) FROM %s')"),
                  "5000,5000,5000");
    }
}

// Dates, datetimes, booleans, numbers and text through the cluster give what one server gives.
TEST_F(CitusTest, TypedValuesEqualALoadIntoATableOfTheCoordinatorAlone) {
    std::string path = temp_path("citus_typed.xlsx");
    SheetRowsData rows{{std::string("id"), std::string("day"), std::string("at"), std::string("ok"),
                        std::string("price"), std::string("code")}};
    for (int i = 1; i <= 3000; ++i)
        rows.push_back({double(i), Date{2000 + i % 30, 1 + i % 12, 1 + i % 28},
                        Date{2024, 2, 29, i % 24, i % 60, 7, true}, i % 3 == 0,
                        851461.68 + i / 100.0,
                        std::string(i % 7 == 0 ? "00" : "0") + std::to_string(i)});
    write_workbook(path, {{"Typed", rows}});
    db_->exec("DROP TABLE IF EXISTS typed_local, typed_dist");
    ASSERT_EQ(
        run_process(xlsx2pg({"load", path, "typed_local", "-d", kDatabase, "--create"})).exit_code,
        0);
    db_->exec("CREATE TABLE typed_dist (LIKE typed_local)");
    db_->exec("SELECT create_distributed_table('typed_dist', 'id')");
    for (std::string mode : {"staging", "direct"}) {
        SCOPED_TRACE(mode);
        db_->exec("TRUNCATE typed_dist");
        load(path, "typed_dist", {"--mode", mode});
        EXPECT_EQ(db_->scalar("SELECT count(*) FROM typed_dist"), "3000");
        EXPECT_EQ(db_->scalar("SELECT count(*) FROM ((TABLE typed_dist EXCEPT ALL TABLE "
                              "typed_local) UNION ALL (TABLE typed_local EXCEPT ALL TABLE "
                              "typed_dist)) d"),
                  "0");
    }
    EXPECT_EQ(db_->scalar("SELECT code FROM typed_dist WHERE id = 7"), "007");
}

TEST_F(CitusTest, UpsertNeedsTheDistributionColumnInItsKeyAndSaysSoBeforeLoading) {
    std::string first = temp_path("citus_upsert1.xlsx"), second = temp_path("citus_upsert2.xlsx");
    write_numbered_workbook(first, 2000, 1);      // ids 1..2000
    write_numbered_workbook(second, 2000, 1001);  // ids 1001..3000: 1000 updates, 1000 new
    create_table("upserted", "distributed");
    load(first, "upserted");
    db_->exec("UPDATE upserted SET name = 'stale' WHERE id > 1000");
    json out = load(second, "upserted", {"--upsert", "id"});
    EXPECT_EQ(out["loads"][0]["rows_inserted"], 1000);
    EXPECT_EQ(out["loads"][0]["rows_updated"], 1000);
    expect_numbered_rows("upserted", 3000);

    // A key without the distribution column: refused before a run is opened.
    db_->exec("CREATE UNIQUE INDEX upserted_id_name ON upserted (id, name)");
    std::string runs = runs_of("upserted");
    ProcessResult refused = run_process(load_args(second, "upserted", {"--upsert", "name"}));
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_NE(refused.err.find("must include the distribution column"), std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find("--upsert id,name"), std::string::npos) << refused.err;
    EXPECT_EQ(runs_of("upserted"), runs);
    // The extension's merge says the same to a caller of xlsx.merge.
    db_->exec("CREATE TABLE upsert_source (id text, name text, amount text)");
    db_->exec("INSERT INTO upsert_source VALUES ('1', 'x', '1')");
    EXPECT_EQ(db_->exec_error(
                  "SELECT * FROM xlsx.merge('upsert_source', 'upserted', 'upsert', '{name}')"),
              "22023");
    db_->exec("DROP TABLE upsert_source");
}

TEST_F(CitusTest, TruncateReplacesTheRowsInBothModes) {
    std::string path = temp_path("citus_truncate.xlsx");
    write_numbered_workbook(path, 3000);
    create_table("replaced", "distributed");
    db_->exec("INSERT INTO replaced SELECT g, 'old', 0 FROM generate_series(1, 5000) g");
    for (std::string mode : {"staging", "direct"}) {
        SCOPED_TRACE(mode);
        load(path, "replaced", {"--truncate", "--mode", mode});
        expect_numbered_rows("replaced", 3000);
    }
}

// Rejects keep their sheet rows whether the value fails in the merge (a text column cast on
// the shards) or in the chunk's COPY (the typed distribution column of a co-located staging).
TEST_F(CitusTest, RejectsNameTheirSheetRowsAndColumns) {
    std::string path = temp_path("citus_rejects.xlsx");
    SheetRowsData rows{{std::string("id"), std::string("name"), std::string("amount")}};
    for (int i = 1; i <= 4000; ++i) {
        CellValue id = i % 1000 == 123 ? CellValue(std::string("id-") + std::to_string(i))
                                       : CellValue(double(i));
        CellValue amount = i % 250 == 0 ? CellValue(std::string("lots")) : CellValue(i * 1.5);
        rows.push_back({id, std::string("name ") + std::to_string(i), amount});
    }
    write_workbook(path, {{"Data", rows}});
    for (std::string staging : {"colocated", "coordinator"}) {
        SCOPED_TRACE(staging);
        std::string table = "rejecting_" + staging;
        create_table(table, "distributed");
        json out = load(path, table, {"--citus-staging", staging, "--chunk-rows", "1500"}, 1);
        int64_t run = out["loads"][0]["run_id"];
        // Text in four ids (123, 1123, ...) and in every 250th amount: 4 + 16 rows.
        EXPECT_EQ(out["loads"][0]["rows_rejected"], 20);
        EXPECT_EQ(db_->scalar("SELECT count(*) FROM " + table), "3980");
        EXPECT_EQ(db_->scalar(wrong_values_sql(table)), "0");
        // Sheet row = id + 1 (the header is row 1).
        EXPECT_EQ(db_->scalar("SELECT string_agg(r::text, ',' ORDER BY r) FROM (SELECT DISTINCT "
                              "sheet_row AS r FROM xlsx.rejects WHERE run_id = " +
                              std::to_string(run) + " AND column_name = 'id') ids"),
                  "124,1124,2124,3124");
        EXPECT_EQ(db_->scalar("SELECT count(DISTINCT sheet_row) FROM xlsx.rejects WHERE run_id = " +
                              std::to_string(run) + " AND column_name = 'amount'"),
                  "16");
    }
}

// SIGKILL at moments spread over a load, then the same command: exactly the sheet's rows.
TEST_F(CitusTest, KilledLoadsResumeToExactlyTheSheetsRows) {
    std::string path = temp_path("citus_kill.xlsx");
    const int rows = 40000;
    write_numbered_workbook(path, rows);
    std::vector<std::string> extra{"--chunk-rows", "2000", "-c", "2"};
    auto run_open = [&](const std::string& table) {
        return [this, table] { return runs_of(table) != "0"; };
    };
    // Kill points spread over the time a run is open, measured first.
    create_table("killed_timing", "distributed");
    auto open_for = time_open(load_args(path, "killed_timing", extra), run_open("killed_timing"));
    std::mt19937 random(20261201);
    int resumed = 0;
    for (int trial = 0; trial < 4; ++trial) {
        SCOPED_TRACE("trial " + std::to_string(trial));
        std::string table = "killed_" + std::to_string(trial);
        create_table(table, "distributed");
        kill_while_open(load_args(path, table, extra), run_open(table), open_for, random);
        // The killed loader's backends finish what they were doing before the ledger is read.
        wait_until([&] {
            return db_->scalar(
                       "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                       "'xlsx2pg'") == "0";
        });
        int merged = std::stoi(db_->scalar(
            "SELECT count(*) FROM xlsx.import_runs WHERE state = 'merged' AND target_table = "
            "'public." +
            table + "'"));
        if (!merged) {  // a kill after the merge committed leaves a finished load
            json out = load(path, table, extra);
            resumed += out["loads"][0]["resumed"].get<bool>();
        }
        expect_numbered_rows(table, rows);
    }
    EXPECT_GT(resumed, 0) << "no kill landed while a run was open";
}

// A worker stopped while chunks are being staged: a clear error, the target unchanged; once
// the worker is back, the same command resumes the run and loads exactly the sheet's rows.
TEST_F(CitusTest, AWorkerStoppedMidLoadLeavesTheTargetUnchangedAndTheRunResumable) {
    std::string path = temp_path("citus_worker.xlsx");
    const int rows = 150000;
    write_numbered_workbook(path, rows);
    create_table("worker_gone", "distributed");
    std::vector<std::string> extra{"--chunk-rows", "2000"};
    Background loader = start_process(load_args(path, "worker_gone", extra));
    bool staged_some = wait_until(
        [&] {
            return db_->scalar(
                       "SELECT count(*) FROM xlsx.import_chunks c JOIN xlsx.import_runs r "
                       "USING (run_id) WHERE r.target_table = 'public.worker_gone'") != "0";
        },
        15, std::chrono::milliseconds(5));
    ASSERT_TRUE(staged_some) << "no chunk was committed";
    harness("stop-node", 2);
    ProcessResult failed = wait_process(loader);
    harness("start-node", 2);
    EXPECT_EQ(failed.exit_code, 2) << failed.out;
    json error = json::parse(failed.out);
    // The error names the worker that went away, whichever way Citus reported it.
    std::string ports = std::getenv("CITUS_WORKER_PORTS");
    std::string stopped_worker = "127.0.0.1:" + ports.substr(ports.find(',') + 1);
    EXPECT_NE(error["error"].get<std::string>().find(stopped_worker), std::string::npos)
        << error.dump();
    EXPECT_NE(error["error"].get<std::string>().find("run the same command again"),
              std::string::npos)
        << error.dump();
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM worker_gone"), "0");
    json again = load(path, "worker_gone", extra);
    EXPECT_TRUE(again["loads"][0]["resumed"].get<bool>());
    expect_numbered_rows("worker_gone", rows);
}

// What the extension offers on distributed tables: a profile of a distributed staging table,
// xlsx.merge with rejects, xlsx.cleanup dropping it, and xlsx.import into distributed and
// reference targets in both modes.
TEST_F(CitusTest, TheExtensionsMergeProfileCleanupAndImportWorkOnDistributedTables) {
    std::string path = temp_path("citus_extension.xlsx");
    write_numbered_workbook(path, 2000);
    create_table("kept", "distributed");
    json out = load(path, "kept", {"--keep-staging"});
    std::string run = std::to_string(out["loads"][0]["run_id"].get<int64_t>());
    std::string staging =
        db_->scalar("SELECT staging_table FROM xlsx.import_runs WHERE run_id = " + run);
    EXPECT_EQ(db_->scalar("SELECT string_agg(column_name || ':' || suggested_type, ',' ORDER BY "
                          "column_name) FROM xlsx.profile('" +
                          staging + "')"),
              "amount:numeric,id:smallint,name:text");
    // The same staging merged again into a second distributed table, one value made bad.
    create_table("merged_again", "distributed");
    db_->exec("UPDATE " + staging + " SET amount = 'n/a' WHERE id = 7");
    EXPECT_EQ(db_->scalar("SELECT inserted || '/' || rejected FROM xlsx.merge('" + staging +
                          "', 'merged_again', run => " + run + ")"),
              "1999/1");
    EXPECT_EQ(db_->scalar("SELECT sheet_row || ' ' || column_name FROM xlsx.rejects WHERE run_id "
                          "= " +
                          run + " AND raw_value = 'n/a'"),
              "8 amount");
    std::string shards_on_workers =
        "SELECT string_agg(result, ',') FROM run_command_on_workers($$SELECT count(*) FROM "
        "pg_class WHERE relname LIKE 'run\\_" +
        run + "\\_%'$$)";
    EXPECT_EQ(db_->scalar(shards_on_workers), "16,16");
    db_->exec("SELECT * FROM xlsx.cleanup('0 seconds', false, true)");
    EXPECT_EQ(db_->scalar("SELECT to_regclass('" + staging + "') IS NULL"), "t");
    EXPECT_EQ(db_->scalar(shards_on_workers), "0,0");  // and its shards

    // xlsx.import reads the workbook on the coordinator (the server file): both modes, both
    // kinds of Citus table.
    std::string server_file = "/tmp/xlsx2pg-citus-import.xlsx";
    std::filesystem::copy_file(path, server_file,
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::permissions(server_file, std::filesystem::perms::others_read,
                                 std::filesystem::perm_options::add);
    for (std::string kind : {"distributed", "reference"})
        for (std::string mode : {"staging", "direct"}) {
            SCOPED_TRACE(kind + " " + mode);
            std::string table = "imported_" + kind + "_" + mode;
            create_table(table, kind);
            EXPECT_EQ(db_->scalar("SELECT loaded FROM xlsx.import('" + server_file + "', '" +
                                  table + "', mode => '" + mode + "')"),
                      "2000");
            expect_numbered_rows(table, 2000);
            EXPECT_EQ(db_->scalar("SELECT count(*) FROM pg_dist_shard s JOIN pg_class c ON "
                                  "c.relname = '" +
                                  table + "' WHERE s.logicalrelid = c.oid"),
                      kind == "distributed" ? "32" : "1");
        }
    std::filesystem::remove(server_file);
}
