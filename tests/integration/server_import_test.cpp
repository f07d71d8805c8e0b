// xlsx.import, xlsx.sheets and xlsx_fdw inside the harness's server: every kind of source, both
// modes, the same types and values as the client, bad files, privileges, cancellation, two
// sessions at once, and the foreign data wrapper.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "loader_fixture.hpp"
#include "support/workbook_writer.hpp"
#include "support/zip_writer.hpp"

using namespace testsupport;
using Clock = std::chrono::steady_clock;

namespace {

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Runs SQL with one bytea parameter ($1); returns the SQLSTATE, "" on success, and the
// first value in *value.
std::string exec_with_bytes(PGconn* conn, const std::string& sql, const std::string& bytes,
                            std::string* value = nullptr, std::string* message = nullptr) {
    const char* values[1] = {bytes.data()};
    int lengths[1] = {static_cast<int>(bytes.size())};
    int formats[1] = {1};
    PGresult* r = PQexecParams(conn, sql.c_str(), 1, nullptr, values, lengths, formats, 0);
    std::string state;
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
        const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        state = s ? s : "?????";
        if (message) *message = PQresultErrorMessage(r);
    } else if (value && PQntuples(r) > 0) {
        *value = PQgetvalue(r, 0, 0);
    }
    PQclear(r);
    return state;
}

const std::string kSheetOpen =
    R"(<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)";
const std::string kSheetClose = "</sheetData></worksheet>";

}  // namespace

class ServerImportTest : public LoaderTest {};

TEST_F(ServerImportTest, PathBytesAndLargeObjectImportTheSameRows) {
    std::string path = temp_path("server_numbered.xlsx");
    write_numbered_workbook(path, 500);
    std::string bytes = file_bytes(path);
    db_->exec("CREATE TABLE by_path (id integer, name text, amount numeric)");
    db_->exec("CREATE TABLE by_bytes (LIKE by_path)");
    db_->exec("CREATE TABLE by_lo (LIKE by_path)");
    db_->exec("CREATE TABLE by_direct (LIKE by_path)");

    EXPECT_EQ(db_->scalar("SELECT concat_ws(',', rows_read, loaded, inserted, updated, rejected) "
                          "FROM xlsx.import('" +
                          path + "', 'by_path')"),
              "500,500,500,0,0");
    std::string loaded;
    EXPECT_EQ(exec_with_bytes(db_->get(), "SELECT loaded FROM xlsx.import($1::bytea, 'by_bytes')",
                              bytes, &loaded),
              "");
    EXPECT_EQ(loaded, "500");
    std::string lo;
    ASSERT_EQ(exec_with_bytes(db_->get(), "SELECT lo_from_bytea(0, $1)", bytes, &lo), "");
    EXPECT_EQ(db_->scalar("SELECT loaded FROM xlsx.import(" + lo + ", 'by_lo')"), "500");
    EXPECT_EQ(db_->scalar("SELECT loaded FROM xlsx.import('" + path +
                          "', 'by_direct', mode => 'direct')"),
              "500");
    for (std::string t : {"by_bytes", "by_lo", "by_direct"})
        EXPECT_EQ(
            db_->scalar("SELECT count(*) FROM (SELECT * FROM by_path EXCEPT SELECT * FROM " + t +
                        " UNION ALL SELECT * FROM " + t + " EXCEPT SELECT * FROM by_path) d"),
            "0")
            << t;
    EXPECT_EQ(db_->scalar("SELECT sum(amount) FROM by_path"), "187875.0");
    // Each import is a run in the ledger with its kind of source, as a client load is.
    EXPECT_EQ(db_->scalar("SELECT string_agg(mode || ':' || state || ':' || rows_loaded || ':' || "
                          "(file_name LIKE 'large object %' OR file_name IN ('bytea', '" +
                          path +
                          "')), ' ' ORDER BY run_id) FROM xlsx.import_runs WHERE target_table LIKE "
                          "'public.by_%'"),
              "staging:merged:500:true staging:merged:500:true staging:merged:500:true "
              "direct:merged:500:true");
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'xlsx_staging'"), "0");
    EXPECT_EQ(db_->scalar("SELECT name || ':' || rows || ':' || columns FROM xlsx.sheets('" + path +
                          "')"),
              "Data:501:3");
}

TEST_F(ServerImportTest, CreateTableChoosesTheClientsTypesAndExactValues) {
    std::string path = temp_path("server_typed.xlsx");
    write_workbook(
        path,
        {{"Typed",
          {{std::string("id"), std::string("Zip Code"), std::string("price"), std::string("day"),
            std::string("stamp"), std::string("ok"), std::string("mixed"), std::string("big")},
           {1.0, std::string("00123"), 851461.68, Date{2024, 2, 29},
            Date{2024, 1, 2, 13, 45, 30, true}, true, 1.0, 3e9},
           {2.0, std::string("01"), 0.07, Date{1900, 3, 1}, Date{1999, 12, 31, 23, 59, 59, true},
            false, std::string("x"), 1.0}}}});
    load_json(path, "by_client", {"--create"});
    for (std::string mode : {"staging", "direct"}) {
        std::string table = "by_server_" + mode;
        db_->exec("SELECT * FROM xlsx.import('" + path + "', '" + table +
                  "', create_table => true, mode => '" + mode + "')");
        auto types_of = [&](const std::string& t) {
            return db_->scalar(
                "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), "
                "', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = '" +
                t + "'::regclass AND attnum > 0");
        };
        EXPECT_EQ(types_of(table), types_of("by_client")) << mode;
        EXPECT_EQ(
            db_->scalar("SELECT count(*) FROM (SELECT * FROM by_client EXCEPT SELECT * FROM " +
                        table + ") d"),
            "0")
            << mode;
        EXPECT_EQ(db_->scalar("SELECT string_agg(price::text, ' ' ORDER BY id) FROM " + table),
                  "851461.68 0.07")
            << mode;
    }
    // Overrides and all_text, as --type and --all-text.
    db_->exec("SELECT * FROM xlsx.import('" + path +
              "', 'overridden', create_table => true, types => ARRAY['price=numeric(12,2)', "
              "'id=bigint'])");
    EXPECT_EQ(
        db_->scalar(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
            "attrelid = 'overridden'::regclass AND attname IN ('price', 'id') ORDER BY attnum"),
        "bigint");
    EXPECT_EQ(db_->scalar("SELECT string_agg(price::text, ' ' ORDER BY id) FROM overridden"),
              "851461.68 0.07");
    EXPECT_EQ(
        db_->exec_error(
            "SELECT * FROM xlsx.import('" + path +
            "', 'bad_type', create_table => true, types => ARRAY['price=numeric; DROP TABLE x'])"),
        "22023");
    db_->exec("SELECT * FROM xlsx.import('" + path +
              "', 'as_text', create_table => true, all_text => true)");
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'as_text'::regclass "
                          "AND attnum > 0 AND atttypid <> 'text'::regtype"),
              "0");
}

TEST_F(ServerImportTest, BadValuesAreRejectsInStagingAndNamedErrorsInDirectMode) {
    std::string path = temp_path("server_bad_values.xlsx");
    write_workbook(path, {{"Orders",
                           {{std::string("id"), std::string("qty")},
                            {1.0, 5.0},
                            {2.0, std::string("many")},
                            {3.0, 7.0},
                            {4.0, std::string("lots")}}}});
    db_->exec("CREATE TABLE orders (id integer PRIMARY KEY, qty integer)");
    EXPECT_EQ(db_->scalar("SELECT concat_ws(',', rows_read, loaded, rejected) FROM "
                          "xlsx.import('" +
                          path + "', 'orders')"),
              "4,2,2");
    EXPECT_EQ(
        db_->scalar("SELECT string_agg(sheet_row || ' ' || column_name || ' ' || raw_value, '; ' "
                    "ORDER BY sheet_row) FROM xlsx.rejects JOIN xlsx.import_runs USING (run_id) "
                    "WHERE target_table = 'public.orders'"),
        "3 qty many; 5 qty lots");

    // Over the reject limit nothing is merged; in direct mode the first bad value fails the
    // import, naming the sheet row and column, and the table is as it was.
    db_->exec("TRUNCATE orders");
    EXPECT_EQ(
        db_->exec_error("SELECT * FROM xlsx.import('" + path + "', 'orders', reject_limit => 1)"),
        "22000");
    std::string message = error_message(
        *db_, "SELECT * FROM xlsx.import('" + path + "', 'orders', mode => 'direct')");
    EXPECT_NE(message.find("invalid input syntax for type integer: \"many\""), std::string::npos)
        << message;
    EXPECT_NE(message.find("sheet \"Orders\" row 3, column B (table column qty)"),
              std::string::npos)
        << message;
    EXPECT_EQ(count("orders"), "0");

    // Upsert on the key, as --upsert.
    db_->exec("INSERT INTO orders VALUES (1, 0), (9, 9)");
    EXPECT_EQ(db_->scalar("SELECT concat_ws(',', inserted, updated, rejected) FROM xlsx.import('" +
                          path + "', 'orders', upsert => '{id}')"),
              "1,1,2");
    EXPECT_EQ(db_->scalar("SELECT string_agg(id || '=' || qty, ' ' ORDER BY id) FROM orders"),
              "1=5 3=7 9=9");
}

TEST_F(ServerImportTest, BadFilesAreRefusedWithTheClientsErrorKinds) {
    db_->exec("CREATE TABLE target (id integer, name text, amount numeric)");
    std::string good = temp_path("server_good.xlsx");
    write_numbered_workbook(good, 10);
    std::string bytes = file_bytes(good);
    const std::string ole2("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
    std::string encrypted = ole2 + std::string(100, '\0');
    for (char c : std::string("EncryptionInfo"))
        encrypted += std::string{c, '\0'};
    std::string doctype = temp_path("server_doctype.xlsx");
    write_zip(
        doctype,
        minimal_workbook(
            R"(<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>)"
            R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><v>&a;</v></c></row></sheetData></worksheet>)"));
    std::string bomb = temp_path("server_bomb.xlsx");
    write_zip(bomb, minimal_workbook(kSheetOpen + std::string(64 << 20, ' ') + kSheetClose));

    struct Case {
        std::string name, bytes, sqlstate, kind;
    } cases[] = {
        {"damaged ole2", ole2 + std::string(600, '\0'), "22P03", "not_workbook"},
        {"encrypted", encrypted, "0A000", "encrypted"},
        {"truncated", bytes.substr(0, bytes.size() / 2), "XX001", "corrupt_zip"},
        {"not a workbook", "hello", "22P03", "not_workbook"},
        {"entities", file_bytes(doctype), "2200M", "forbidden_xml"},
        {"bomb", file_bytes(bomb), "54000", "limit_exceeded"},
    };
    for (const Case& c : cases) {
        std::string message;
        EXPECT_EQ(exec_with_bytes(db_->get(), "SELECT * FROM xlsx.import($1::bytea, 'target')",
                                  c.bytes, nullptr, &message),
                  c.sqlstate)
            << c.name << ": " << message;
        EXPECT_NE(message.find("error kind " + c.kind), std::string::npos)
            << c.name << ": " << message;
    }
    EXPECT_EQ(
        db_->exec_error("SELECT * FROM xlsx.import('" + good + "', 'target', sheet => 'Nope')"),
        "42704");
    EXPECT_EQ(db_->exec_error("SELECT * FROM xlsx.import('/nonexistent/book.xlsx', 'target')"),
              "58030");
    db_->exec("CREATE TABLE other (a integer, b text)");
    std::string mismatch =
        error_message(*db_, "SELECT * FROM xlsx.import('" + good + "', 'other')");
    EXPECT_NE(mismatch.find("the header does not match table public.other: no column for A \"id\""),
              std::string::npos)
        << mismatch;
    EXPECT_EQ(db_->exec_error("SELECT * FROM xlsx.import('" + good + "', 'missing')"), "42P01");
    EXPECT_EQ(db_->exec_error("SELECT * FROM xlsx.import('" + good +
                              "', 'xlsx_staging.evil', create_table => true)"),
              "42501");
    EXPECT_EQ(count("target"), "0");
    EXPECT_EQ(
        db_->scalar("SELECT count(*) FROM xlsx.import_runs WHERE target_table = 'public.target'"),
        "0");  // each failed import rolled back, its run included
}

TEST_F(ServerImportTest, PrivilegesAreCheckedBeforeAnythingIsRead) {
    std::string path = temp_path("server_privileges.xlsx");
    write_numbered_workbook(path, 5);
    std::string bytes = file_bytes(path);
    db_->exec("DROP ROLE IF EXISTS regress_importer");
    db_->exec("CREATE ROLE regress_importer LOGIN");
    db_->exec("GRANT xlsx_loader TO regress_importer");
    db_->exec("CREATE TABLE mine (id integer, name text, amount numeric)");
    db_->exec("CREATE TABLE theirs (LIKE mine)");
    db_->exec("GRANT INSERT, SELECT ON mine TO regress_importer");
    db_->exec("GRANT CREATE, USAGE ON SCHEMA public TO regress_importer");
    std::string lo;
    ASSERT_EQ(exec_with_bytes(db_->get(), "SELECT lo_from_bytea(0, $1)", bytes, &lo), "");
    {
        PgConnection as_role(harness_conninfo(database_) + " user=regress_importer");
        // A server file needs pg_read_server_files, a large object SELECT on it, the target INSERT.
        EXPECT_EQ(as_role.exec_error("SELECT * FROM xlsx.import('" + path + "', 'mine')"), "42501");
        EXPECT_EQ(as_role.exec_error("SELECT * FROM xlsx.sheets('" + path + "')"), "42501");
        EXPECT_EQ(as_role.exec_error("SELECT * FROM xlsx.import(" + lo + ", 'mine')"), "42501");
        EXPECT_EQ(exec_with_bytes(
                      as_role.get(),
                      "SELECT * FROM xlsx.import($1::bytea, 'theirs', mode => 'direct')", bytes),
                  "42501");
        EXPECT_EQ(
            exec_with_bytes(as_role.get(), "SELECT * FROM xlsx.import($1::bytea, 'theirs')", bytes),
            "42501");
        EXPECT_EQ(
            exec_with_bytes(as_role.get(), "SELECT * FROM xlsx.import($1::bytea, 'mine')", bytes),
            "");
    }
    db_->exec("GRANT SELECT ON LARGE OBJECT " + lo + " TO regress_importer");
    db_->exec("GRANT pg_read_server_files TO regress_importer");
    {
        PgConnection as_role(harness_conninfo(database_) + " user=regress_importer");
        EXPECT_EQ(
            as_role.scalar("SELECT loaded FROM xlsx.import(" + lo + ", 'mine', mode => 'direct')"),
            "5");
        EXPECT_EQ(as_role.scalar("SELECT loaded FROM xlsx.import('" + path + "', 'mine')"), "5");
    }
    EXPECT_EQ(count("mine"), "15");
    EXPECT_EQ(count("theirs"), "0");
    // A table with row-level security is refused in direct mode, as COPY FROM refuses it.
    db_->exec("ALTER TABLE theirs ENABLE ROW LEVEL SECURITY");
    db_->exec("ALTER TABLE theirs FORCE ROW LEVEL SECURITY");
    db_->exec(
        "DO $$ BEGIN CREATE ROLE regress_rls_owner; EXCEPTION WHEN duplicate_object THEN "
        "NULL; END $$");
    db_->exec("ALTER TABLE theirs OWNER TO regress_rls_owner");
    db_->exec("GRANT INSERT ON theirs TO regress_importer");
    {
        PgConnection as_role(harness_conninfo(database_) + " user=regress_importer");
        EXPECT_EQ(exec_with_bytes(
                      as_role.get(),
                      "SELECT * FROM xlsx.import($1::bytea, 'theirs', mode => 'direct')", bytes),
                  "0A000");
    }
    // A read-only transaction changes nothing.
    EXPECT_EQ(db_->exec_error("BEGIN READ ONLY; SELECT * FROM xlsx.import('" + path +
                              "', 'mine', mode => 'direct')"),
              "25006");
    db_->exec("ROLLBACK");
    db_->exec("DROP OWNED BY regress_importer, regress_rls_owner CASCADE");
    db_->exec("DROP ROLE regress_importer");
    db_->exec("DROP ROLE regress_rls_owner");
}

TEST_F(ServerImportTest, CancelStopsWithinASecondAndLeavesNoThread) {
    std::string path = temp_path("server_big.xlsx");
    write_numbered_workbook(path, 400000);
    db_->exec("CREATE TABLE big (id integer, name text, amount numeric)");
    // Staging mode into an existing table copies checked rows straight into it (phase
    // copying); with keep_staging it goes through its staging table (phase staging).
    const std::vector<std::pair<std::string, std::string>> imports = {
        {"mode => 'staging'", "copying"},
        {"mode => 'staging', keep_staging => true", "staging"},
        {"mode => 'direct'", "copying"}};
    for (const auto& [mode, phase] : imports) {
        PgConnection importer(harness_conninfo(database_));
        std::string pid = importer.scalar("SELECT pg_backend_pid()");
        ASSERT_EQ(PQsendQuery(importer.get(), ("SELECT * FROM xlsx.import('" + path +
                                               "', 'big', threads => 2, " + mode + ")")
                                                  .c_str()),
                  1);
        // Cancel once the COPY is under way.
        auto deadline = Clock::now() + std::chrono::seconds(30);
        while (db_->scalar("SELECT count(*) FROM pg_stat_progress_copy WHERE pid = " + pid +
                           " AND tuples_processed > 0") == "0" &&
               Clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        EXPECT_EQ(std::filesystem::directory_iterator("/proc/" + pid + "/task") ==
                      std::filesystem::directory_iterator(),
                  false);
        // Another session sees how far it is: the phase, rows done of the rows the sheet's
        // dimension says, the sheet row, the XML read.
        EXPECT_EQ(db_->scalar("SELECT phase || ' ' || rows_expected || ' ' || expected_from || ' ' "
                              "|| (rows_done > 0 AND rows_done < rows_expected AND percent < 100 "
                              "AND sheet_row > 1 AND xml_bytes_read > 0 AND xml_bytes_total > "
                              "xml_bytes_read) FROM xlsx.import_progress WHERE pid = " +
                              pid),
                  phase + " 400000 dimension true")
            << mode;
        size_t threads_during =
            std::distance(std::filesystem::directory_iterator("/proc/" + pid + "/task"),
                          std::filesystem::directory_iterator());
        EXPECT_GT(threads_during, 1u) << "the reader's threads run inside the backend";
        auto cancelled = Clock::now();
        db_->exec("SELECT pg_cancel_backend(" + pid + ")");
        std::string state;
        while (PGresult* r = PQgetResult(importer.get())) {
            if (const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE)) state = s;
            PQclear(r);
        }
        double seconds = std::chrono::duration<double>(Clock::now() - cancelled).count();
        EXPECT_EQ(state, "57014") << mode;
        // Must not hang: a quiet machine stops well within the 1 s this test asked for before;
        // the bound leaves a busy one five times that.
        EXPECT_LT(seconds, 5.0) << mode;
        // The backend goes on, with no thread of the reader left and the table as it was.
        EXPECT_EQ(importer.scalar("SELECT 1"), "1");
        size_t threads_after =
            std::distance(std::filesystem::directory_iterator("/proc/" + pid + "/task"),
                          std::filesystem::directory_iterator());
        EXPECT_EQ(threads_after, 1u) << mode;
        EXPECT_EQ(count("big"), "0") << mode;
        EXPECT_EQ(
            importer.scalar("SELECT loaded FROM xlsx.import('" + path + "', 'big', " + mode + ")"),
            "400000");
        db_->exec("TRUNCATE big");
    }
}

TEST_F(ServerImportTest, TwoSessionsImportIntoOneTableAtOnce) {
    std::string path = temp_path("server_two.xlsx");
    write_numbered_workbook(path, 20000);
    db_->exec("CREATE TABLE shared_target (id integer, name text, amount numeric)");
    PgConnection a(harness_conninfo(database_)), b(harness_conninfo(database_));
    std::string sql = "SELECT * FROM xlsx.import('" + path + "', 'shared_target')";
    ASSERT_EQ(PQsendQuery(a.get(), sql.c_str()), 1);
    ASSERT_EQ(PQsendQuery(b.get(), sql.c_str()), 1);
    for (PGconn* c : {a.get(), b.get()})
        while (PGresult* r = PQgetResult(c)) {
            EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQresultErrorMessage(r);
            PQclear(r);
        }
    EXPECT_EQ(db_->scalar("SELECT count(*) || ' ' || count(DISTINCT id) FROM shared_target"),
              "40000 20000");
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM xlsx.import_runs WHERE state = 'merged' "
                          "AND target_table = 'public.shared_target'"),
              "2");
}

TEST_F(ServerImportTest, ForeignTablesQueryAWorkbookInPlace) {
    std::string path = temp_path("server_fdw.xlsx");
    write_workbook(path, {{"Customers",
                           {{std::string("id"), std::string("Region"), std::string("since")},
                            {1.0, std::string("EU"), Date{2020, 1, 2}},
                            {2.0, std::string("US"), Date{2021, 3, 4}},
                            {3.0, std::string("EU"), Blank{}}}},
                          {"Order Lines",
                           {{std::string("customer"), std::string("amount")},
                            {1.0, 851461.68},
                            {1.0, 2.5},
                            {3.0, 0.07}}}});
    db_->exec("CREATE SERVER books FOREIGN DATA WRAPPER xlsx_fdw");
    db_->exec("CREATE SCHEMA staging");
    db_->exec("IMPORT FOREIGN SCHEMA xlsx FROM SERVER books INTO staging OPTIONS (filename '" +
              path + "')");
    EXPECT_EQ(
        db_->scalar("SELECT string_agg(c.relname || '(' || (SELECT string_agg(attname || ' ' || "
                    "format_type(atttypid, atttypmod), ', ' ORDER BY attnum) FROM pg_attribute "
                    "WHERE attrelid = c.oid AND attnum > 0) || ')', ' ' ORDER BY c.relname) "
                    "FROM pg_class c WHERE relnamespace = 'staging'::regnamespace"),
        "customers(id integer, region text, since date) order_lines(customer integer, amount "
        "numeric)");
    EXPECT_EQ(
        db_->scalar("SELECT string_agg(id || ':' || coalesce(since::text, '-'), ' ' ORDER BY id) "
                    "FROM staging.customers WHERE region = 'EU'"),
        "1:2020-01-02 3:-");
    EXPECT_EQ(db_->scalar("SELECT string_agg(c.id || '=' || l.amount, ' ' ORDER BY l.amount) FROM "
                          "staging.customers c JOIN staging.order_lines l ON l.customer = c.id"),
              "3=0.07 1=2.5 1=851461.68");
    // A join with a table, and rescans: the foreign table under a LATERAL subquery is scanned
    // again for each of the three outer rows, and must give its rows each time.
    db_->exec("CREATE TABLE wanted (id integer)");
    db_->exec("INSERT INTO wanted VALUES (1), (3), (3)");
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM wanted w JOIN staging.customers c ON c.id = w.id"),
              "3");
    EXPECT_EQ(db_->scalar("SELECT string_agg(w.id || ':' || x.n, ' ' ORDER BY w.id) FROM wanted w, "
                          "LATERAL (SELECT count(*) AS n FROM staging.customers c "
                          "WHERE c.id <= w.id) x"),
              "1:1 3:3 3:3");
    PgResult rescan_plan = db_->exec(
        "EXPLAIN SELECT * FROM wanted w, LATERAL (SELECT count(*) FROM staging.customers c "
        "WHERE c.id <= w.id) x");
    std::string rescans;
    for (int i = 0; i < PQntuples(rescan_plan.get()); ++i)
        rescans += std::string(PQgetvalue(rescan_plan.get(), i, 0)) + "\n";
    EXPECT_NE(rescans.find("Nested Loop"), std::string::npos) << rescans;
    std::string explain;
    PgResult plan = db_->exec("EXPLAIN SELECT * FROM staging.customers WHERE region = 'EU'");
    for (int i = 0; i < PQntuples(plan.get()); ++i)
        explain += std::string(PQgetvalue(plan.get(), i, 0)) + "\n";
    EXPECT_NE(explain.find("Workbook: " + path), std::string::npos) << explain;
    EXPECT_NE(explain.find("Sheet: Customers"), std::string::npos) << explain;
    EXPECT_NE(explain.find("rows="), std::string::npos) << explain;
    // LIMIT TO names tables; a bad option gets a hint; a bad value an error naming the cell.
    db_->exec("CREATE SCHEMA only_lines");
    db_->exec(
        "IMPORT FOREIGN SCHEMA xlsx LIMIT TO (order_lines) FROM SERVER books INTO only_lines "
        "OPTIONS (filename '" +
        path + "')");
    EXPECT_EQ(db_->scalar("SELECT string_agg(relname, ',') FROM pg_class WHERE relnamespace = "
                          "'only_lines'::regnamespace"),
              "order_lines");
    std::string hint =
        error_message(*db_, "CREATE FOREIGN TABLE t (a int) SERVER books OPTIONS (filname 'x')");
    EXPECT_NE(hint.find("Perhaps you meant the option \"filename\""), std::string::npos) << hint;
    db_->exec(
        "CREATE FOREIGN TABLE wrong (id integer, region integer) SERVER books OPTIONS (filename '" +
        path + "', sheet 'Customers')");
    std::string bad = error_message(*db_, "SELECT * FROM wrong");
    EXPECT_NE(bad.find("invalid input syntax for type integer: \"EU\""), std::string::npos) << bad;
    EXPECT_NE(bad.find("sheet \"Customers\" row 2, column B"), std::string::npos) << bad;
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM staging.customers"), "3");  // still usable
}

// The import and the client refuse the same column plans (1.2's SQL took two sheet columns
// into one table column, and left out the sheet's columns past a short list).
TEST_F(ServerImportTest, TheImportAndTheClientRefuseTheSameColumnPlans) {
    std::string path = temp_path("server_plans.xlsx");
    write_numbered_workbook(path, 20);  // id, name, amount
    db_->exec("CREATE TABLE planned (id integer, name text, amount numeric)");
    struct Case {
        std::string columns_sql, columns_flag, sqlstate, message;
    };
    const std::vector<Case> cases = {
        {"ARRAY['id', 'id', 'amount']", "id,id,amount", "42804",
         "two sheet columns go to column id"},
        {"ARRAY['id', 'name']", "id,name", "42804", "names 2 columns but the header has 3"},
        {"ARRAY['id', 'name', 'nope']", "id,name,nope", "42703", "has no column \"nope\""},
    };
    for (const Case& c : cases) {
        std::string sql = "SELECT * FROM xlsx.import('" + path + "', 'planned', columns => " +
                          c.columns_sql + ")";
        EXPECT_EQ(db_->exec_error(sql), c.sqlstate) << c.columns_sql;
        EXPECT_NE(error_message(*db_, sql).find(c.message), std::string::npos)
            << error_message(*db_, sql);
        ProcessResult client = load(path, "planned", {"--columns", c.columns_flag});
        EXPECT_NE(client.exit_code, 0) << c.columns_flag;
        EXPECT_NE(client.err.find(c.message), std::string::npos) << client.err;
    }
    EXPECT_EQ(count("planned"), "0");
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM xlsx.import_runs WHERE target_table = "
                          "'public.planned'"),
              "0")
        << "a refused plan opens no run";
}

// A server import's run has the figures of a client load: the file's size and checksum (the
// client's, so the two can be compared), the XML read, and a clock from the statement's start.
TEST_F(ServerImportTest, AServerImportsRunHasItsFileSizeChecksumAndBytesRead) {
    std::string path = temp_path("server_figures.xlsx");
    write_numbered_workbook(path, 2000);
    db_->exec("CREATE TABLE figures (id integer, name text, amount numeric)");
    db_->exec("CREATE TABLE figures_client (LIKE figures)");
    db_->exec("SELECT * FROM xlsx.import('" + path + "', 'figures')");
    ASSERT_EQ(load(path, "figures_client", {"-q"}).exit_code, 0);
    std::string size = std::to_string(std::filesystem::file_size(path));
    EXPECT_EQ(db_->scalar("SELECT file_size || ' ' || (bytes_read > 50000) || ' ' || "
                          "(started_at <= finished_at) FROM xlsx.import_runs WHERE target_table = "
                          "'public.figures'"),
              size + " true true");
    EXPECT_EQ(db_->scalar("SELECT count(DISTINCT file_checksum) || ' ' || min(file_checksum) LIKE "
                          "'1 crc32:%:" +
                          size +
                          "' FROM xlsx.import_runs WHERE target_table IN ('public.figures', "
                          "'public.figures_client')"),
              "t");
    EXPECT_EQ(db_->scalar("SELECT mb_per_second > 0 FROM xlsx.import_stats WHERE target_table = "
                          "'public.figures'"),
              "t");
    // The run's clock starts with the statement (the header pass included).
    std::string run_and_start =
        db_->scalar("SELECT run_id || ' ' || statement_timestamp() FROM xlsx.import('" + path +
                    "', 'figures', truncate => true)");
    std::string run = run_and_start.substr(0, run_and_start.find(' '));
    EXPECT_EQ(db_->scalar("SELECT started_at = '" + run_and_start.substr(run.size() + 1) +
                          "'::timestamptz FROM xlsx.import_runs WHERE run_id = " + run),
              "t");
}

// Errors that say what to do: the role to grant, the type that does not exist, the name's
// quoted form, and no PL/pgSQL context after them.
TEST_F(ServerImportTest, ErrorsCarryHintsAndNoContextLines) {
    std::string path = temp_path("server_hints.xlsx");
    write_numbered_workbook(path, 5);
    db_->exec(
        "DO $$ BEGIN CREATE ROLE regress_no_loader LOGIN; EXCEPTION WHEN duplicate_object "
        "THEN NULL; END $$");
    db_->exec("GRANT pg_read_server_files TO regress_no_loader");
    PgConnection outsider(harness_conninfo(database_) + " user=regress_no_loader");
    std::string denied = error_message(
        outsider, "SELECT * FROM xlsx.import('" + path + "', 'anything', create_table => true)");
    EXPECT_NE(denied.find("HINT:  A superuser can GRANT xlsx_loader TO regress_no_loader;"),
              std::string::npos)
        << denied;
    std::string bad_type = error_message(*db_, "SELECT * FROM xlsx.import('" + path +
                                                   "', 'typed_new', create_table => true, types => "
                                                   "ARRAY['amount=monetary'])");
    EXPECT_NE(bad_type.find("type \"monetary\" of the override \"amount=monetary\" does not exist"),
              std::string::npos)
        << bad_type;
    EXPECT_EQ(bad_type.find("CONTEXT"), std::string::npos) << bad_type;
    std::string bad_name = error_message(
        *db_, "SELECT * FROM xlsx.import('" + path + "', 'Sales 2024', create_table => true)");
    EXPECT_NE(bad_name.find("\"Sales 2024\""), std::string::npos) << bad_name;
    db_->exec("CREATE TABLE secured (id integer, name text, amount numeric)");
    db_->exec("ALTER TABLE secured ENABLE ROW LEVEL SECURITY");
    db_->exec(
        "DO $$ BEGIN CREATE ROLE regress_rls_owner; EXCEPTION WHEN duplicate_object THEN "
        "NULL; END $$");
    db_->exec("GRANT xlsx_loader TO regress_rls_owner");
    db_->exec("ALTER TABLE secured OWNER TO regress_rls_owner");
    db_->exec("GRANT pg_read_server_files TO regress_rls_owner");
    db_->exec("SET ROLE regress_rls_owner");
    db_->exec("ALTER TABLE secured FORCE ROW LEVEL SECURITY");
    for (std::string mode : {"staging", "direct"}) {
        std::string refused = error_message(
            *db_, "SELECT * FROM xlsx.import('" + path + "', 'secured', mode => '" + mode + "')");
        EXPECT_NE(refused.find("row-level security is enabled"), std::string::npos) << refused;
    }
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM xlsx.import_runs WHERE target_table = "
                          "'public.secured'"),
              "0")
        << "refused before a run was opened, in both modes";
    db_->exec("RESET ROLE");
}

// The foreign data wrapper takes range, table_name and no_header as xlsx.import does, and a
// column that no header names is an error when the scan starts (1.2 gave NULLs).
TEST_F(ServerImportTest, ForeignTablesTakeRangesExcelTablesAndRefuseUnknownColumns) {
    std::string path = temp_path("server_fdw_regions.xlsx");
    write_workbook(path, {{"Report",
                           {{std::string("Quarterly report")},
                            {Blank{}},
                            {Blank{}, std::string("region"), std::string("total")},
                            {Blank{}, std::string("EU"), 10.0},
                            {Blank{}, std::string("US"), 20.5}},
                           {{"regions", 2, 1, 4, 2}}}});
    db_->exec("CREATE SERVER report_books FOREIGN DATA WRAPPER xlsx_fdw");
    db_->exec(
        "CREATE FOREIGN TABLE by_range (total numeric, region text) SERVER report_books "
        "OPTIONS (filename '" +
        path + "', range 'B3:C5')");
    EXPECT_EQ(db_->scalar("SELECT string_agg(region || '=' || total, ' ' ORDER BY region) FROM "
                          "by_range"),
              "EU=10 US=20.5");
    db_->exec(
        "CREATE FOREIGN TABLE by_table (region text, total numeric) SERVER report_books "
        "OPTIONS (filename '" +
        path + "', table_name 'REGIONS')");
    EXPECT_EQ(db_->scalar("SELECT sum(total) FROM by_table"), "30.5");
    db_->exec(
        "CREATE FOREIGN TABLE by_position (a text, b text) SERVER report_books "
        "OPTIONS (filename '" +
        path + "', range 'B4:C5', no_header 'true')");
    EXPECT_EQ(db_->scalar("SELECT string_agg(a || '=' || b, ' ' ORDER BY a) FROM by_position"),
              "EU=10 US=20.5");
    db_->exec(
        "CREATE FOREIGN TABLE misnamed (region text, amount numeric) SERVER report_books "
        "OPTIONS (filename '" +
        path + "', range 'B3:C5')");
    EXPECT_EQ(db_->exec_error("SELECT * FROM misnamed"), "42804");
    EXPECT_NE(error_message(*db_, "SELECT * FROM misnamed")
                  .find("no header column of the sheet matches column \"amount\" of misnamed. The "
                        "header's columns are: A \"region\", B \"total\""),
              std::string::npos)
        << error_message(*db_, "SELECT * FROM misnamed");
    EXPECT_EQ(db_->exec_error("CREATE FOREIGN TABLE both_ways (a text) SERVER report_books OPTIONS "
                              "(filename '" +
                              path + "', table_name 'regions', sheet 'Report')"),
              "HV00D");
}

// The merge shows in xlsx.import_progress too: phase merging, with the rows it takes (a kept
// staging table makes the import stage and merge).
TEST_F(ServerImportTest, TheMergeIsVisibleInTheProgressView) {
    std::string path = temp_path("server_merge_progress.xlsx");
    write_numbered_workbook(path, 3000);
    db_->exec("CREATE TABLE slow_merge (id integer, name text, amount numeric)");
    db_->exec(
        "CREATE FUNCTION pause() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_sleep(2); RETURN NULL; END $$");
    db_->exec(
        "CREATE TRIGGER pause BEFORE INSERT ON slow_merge FOR EACH STATEMENT "
        "EXECUTE FUNCTION pause()");
    PgConnection importer(harness_conninfo(database_));
    std::string pid = importer.scalar("SELECT pg_backend_pid()");
    ASSERT_EQ(PQsendQuery(importer.get(), ("SELECT * FROM xlsx.import('" + path +
                                           "', 'slow_merge', keep_staging => true)")
                                              .c_str()),
              1);
    std::string seen;
    ASSERT_TRUE(wait_until([&] {
        seen = db_->scalar(
            "SELECT coalesce((SELECT phase || ' ' || rows_expected || ' ' || "
            "expected_from || ' ' || target FROM xlsx.import_progress WHERE pid = " +
            pid + "), '')");
        return seen.rfind("merging", 0) == 0;
    })) << seen;
    EXPECT_EQ(seen, "merging 3000 staged rows slow_merge");
    while (PGresult* r = PQgetResult(importer.get())) {
        EXPECT_NE(PQresultStatus(r), PGRES_FATAL_ERROR) << PQresultErrorMessage(r);
        PQclear(r);
    }
    EXPECT_EQ(count("slow_merge"), "3000");
}
