// Real-world sheets: --range (edges of the grid, merged cells, no data), Excel tables (listed
// by `sheets`, loaded by --table, totals rows left out, a corpus file's), --stop-at-empty, and
// several workbooks in one command in both modes, one of them corrupt.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loader_fixture.hpp"
#include "support/workbook_writer.hpp"
#include "support/zip_writer.hpp"

using namespace testsupport;
using nlohmann::json;

namespace {

std::string text(int i) {
    return std::string("t") + std::to_string(i);
}

// A report sheet: a title and a note above two tables side by side (B4:D9 and F4:G7), a
// totals line under the first, and notes below.
SheetData report_sheet() {
    SheetRowsData rows(14);
    rows[0] = {std::string("Quarterly report")};
    rows[1] = {Blank{}, std::string("figures in EUR")};
    rows[3] = {Blank{}, std::string("region"), std::string("units"), std::string("price"),
               Blank{}, std::string("code"),   std::string("label")};
    for (int i = 1; i <= 5; ++i)
        rows[3 + i] = {Blank{},
                       text(i),
                       double(i * 10),
                       i * 0.25,
                       Blank{},
                       double(100 + i),
                       i <= 3 ? CellValue(text(10 + i)) : CellValue(Blank{})};
    rows[9] = {Blank{}, std::string("total"), 150.0};
    rows[11] = {Blank{}, std::string("Note: preliminary")};
    rows[12] = {Blank{}, std::string("Source: finance")};
    return {"Report", rows};
}

}  // namespace

class RegionsTest : public LoaderTest {};

TEST_F(RegionsTest, ARangeLoadsOnlyItsRectangle) {
    std::string path = temp_path("report.xlsx");
    write_workbook(path, {report_sheet()});
    // The first table, its header the range's first row; the totals line left out.
    json out = load_json(path, "first_table", {"--range", "B4:D9", "--create"});
    EXPECT_EQ(out["rows_loaded"], 5);
    EXPECT_EQ(db_->scalar("SELECT string_agg(region || ':' || units || ':' || price, ',' ORDER BY "
                          "units) FROM first_table"),
              "t1:10:0.25,t2:20:0.5,t3:30:0.75,t4:40:1,t5:50:1.25");
    EXPECT_EQ(db_->scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                          "attrelid = 'first_table'::regclass AND attname = 'units'"),
              "integer");
    // The second, open-ended to the last row: its empty cells are NULLs, nothing else comes in.
    out = load_json(path, "second_table", {"--range", "F4:G", "--create"});
    EXPECT_EQ(out["rows_loaded"], 5);
    EXPECT_EQ(db_->scalar("SELECT count(*) FILTER (WHERE label IS NULL) || '/' || sum(code) FROM "
                          "second_table"),
              "2/515");
    // Whole columns: B:B from row 1, without a header; the title in A never arrives.
    out = load_json(path, "column_b", {"--range", "B:B", "--no-header", "--create"});
    EXPECT_EQ(db_->scalar("SELECT string_agg(column_1, '|') FROM column_b"),
              "figures in EUR|region|t1|t2|t3|t4|t5|total|Note: preliminary|Source: finance");
    // Into an existing table, by the header's names.
    db_->exec("CREATE TABLE units (units integer, region text)");
    out = load_json(path, "units", {"--range", "B4:C8"});
    EXPECT_EQ(db_->scalar("SELECT sum(units) FROM units"), "100");  // t1..t4
    // A bad range is a usage error naming it.
    for (std::string bad : {"D9:B4", "B4:XFE9", "A0:B2", "4:9", "B4:D1048577"}) {
        ProcessResult r = load(path, "t", {"--range", bad});
        EXPECT_EQ(r.exit_code, 3) << bad;
        EXPECT_NE(r.err.find("--range " + bad), std::string::npos) << r.err;
    }
}

TEST_F(RegionsTest, RangesAtTheEdgesOfTheGridAndAcrossMergedCells) {
    std::string path = temp_path("edges.xlsx");
    SheetData sheet{"Edges", {}};
    sheet.rows.resize(1048576);
    sheet.rows[1048574].resize(16384);
    sheet.rows[1048575].resize(16384);
    sheet.rows[1048574][16382] = std::string("XFC1048575");
    sheet.rows[1048574][16383] = 1.5;
    sheet.rows[1048575][16383] = std::string("XFD1048576");
    write_workbook(path, {sheet});
    json out =
        load_json(path, "corner", {"--range", "XFC1048575:XFD1048576", "--no-header", "--create"});
    EXPECT_EQ(out["rows_loaded"], 2);
    EXPECT_EQ(db_->scalar("SELECT string_agg(coalesce(column_1, '-') || ' ' || column_2, ',' "
                          "ORDER BY column_2) FROM corner"),
              "XFC1048575 1.5,- XFD1048576");

    // A merged cell keeps its value in its first cell only: a range that cuts it gets the rest
    // as empty cells.
    std::string merged = temp_path("merged.xlsx");
    SheetData m{"Merged",
                {{std::string("a"), std::string("b"), std::string("c")},
                 {std::string("wide"), Blank{}, std::string("x")},
                 {std::string("y"), std::string("z"), std::string("w")}}};
    m.merged = {"A2:B2"};
    write_workbook(merged, {m});
    out = load_json(merged, "cut", {"--range", "B1:C3", "--create"});
    EXPECT_EQ(out["rows_loaded"], 2);
    EXPECT_EQ(db_->scalar("SELECT string_agg(coalesce(b, '-') || c, ',' ORDER BY c) FROM cut"),
              "zw,-x");

    // A range without data loads nothing into an existing table, and says so for --create.
    db_->exec("CREATE TABLE nothing (a text)");
    out = load_json(merged, "nothing", {"--range", "K10:L20"});
    EXPECT_EQ(out["rows_read"], 0);
    ProcessResult r = load(merged, "nothing_new", {"--range", "K10:L20", "--create"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("no sheet column is loaded"), std::string::npos) << r.err;
}

TEST_F(RegionsTest, ExcelTablesAreListedAndLoadedWithoutTheirTotals) {
    std::string path = temp_path("tables.xlsx");
    SheetData report = report_sheet();
    report.tables = {{"Sales", 3, 1, 8, 3, true}, {"Codes", 3, 5, 8, 6, false}};
    report.rows[9].clear();  // the totals row of Sales takes row 10
    SheetData other{"Other", {{std::string("k"), std::string("v")}, {1.0, std::string("one")}}};
    other.tables = {{"Lookup", 0, 0, 1, 1, false}};
    write_workbook(path, {report, other});

    ProcessResult listed = run_process(xlsx2pg({"sheets", path, "--json"}));
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    json tables = json::parse(listed.out)["tables"];
    ASSERT_EQ(tables.size(), 3u);
    EXPECT_EQ(tables[0]["name"], "Sales");
    EXPECT_EQ(tables[0]["sheet"], "Report");
    EXPECT_EQ(tables[0]["ref"], "B4:D10");
    EXPECT_EQ(tables[0]["totals_rows"], 1);
    EXPECT_EQ(tables[0]["columns"], json({"region", "units", "price"}));
    EXPECT_EQ(tables[1]["ref"], "F4:G9");
    EXPECT_EQ(tables[2]["name"], "Lookup");
    EXPECT_EQ(tables[2]["sheet"], "Other");
    ProcessResult shown = run_process(xlsx2pg({"sheets", path}));
    EXPECT_NE(shown.out.find("Lookup"), std::string::npos) << shown.out;

    // The data rows only: no header, no totals row; the table is named after the Excel table.
    json out = load_json(path, "", {"--table", "sales", "--create"});
    EXPECT_EQ(out["loads"][0]["target"], "public.sales");
    EXPECT_EQ(out["rows_loaded"], 5);
    EXPECT_EQ(db_->scalar("SELECT sum(units) || ' ' || count(*) FROM sales"), "150 5");
    out = load_json(path, "codes_table", {"--table", "Codes", "--create"});
    EXPECT_EQ(db_->scalar("SELECT string_agg(code::text, ',' ORDER BY code) FROM codes_table"),
              "101,102,103,104,105");
    // An unknown table lists the tables there are.
    ProcessResult missing = load(path, "t", {"--table", "Nope"});
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("no Excel table named \"Nope\""), std::string::npos) << missing.err;
    EXPECT_NE(missing.err.find("\"Sales\", \"Codes\", \"Lookup\""), std::string::npos)
        << missing.err;
    EXPECT_EQ(load(path, "t", {"--table", "Sales", "--range", "A1:B2"}).exit_code, 3);
}

// A table written by another library (calamine's test file, with absolute part names in its
// relationships): its rows equal the sheet's rows below the header, as `cat` reads them.
TEST_F(RegionsTest, ACorpusWorkbooksTableLoadsItsRows) {
    std::string path =
        std::string(XLSX_CORPUS_DIR) + "/files/calamine__table_with_absolute_paths.xlsx";
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    ProcessResult cat = run_process(xlsx2pg({"cat", path}));
    ASSERT_EQ(cat.exit_code, 0) << cat.err;
    json out = load_json(path, "corpus_table", {"--table", "Table1", "--create", "--all-text"});
    EXPECT_EQ(out["rows_loaded"], 4);
    std::string loaded = db_->scalar(
        "SELECT string_agg(item || ',' || name, E'\\n' ORDER BY item) FROM corpus_table");
    // The sheet's rows below the header, in the order the query sorts them (bytes, C.UTF-8).
    std::vector<std::string> lines;
    std::istringstream rows(cat.out.substr(cat.out.find('\n') + 1));
    for (std::string line; std::getline(rows, line);)
        lines.push_back(line);
    std::sort(lines.begin(), lines.end());
    std::string expected;
    for (const std::string& line : lines)
        expected += (expected.empty() ? "" : "\n") + line;
    EXPECT_EQ(loaded, expected);
}

TEST_F(RegionsTest, StopAtEmptyEndsTheDataAtTheFirstEmptyRow) {
    std::string path = temp_path("notes.xlsx");
    write_workbook(path, {report_sheet()});
    json out = load_json(path, "stopped",
                         {"--range", "B4:C", "--stop-at-empty", "--all-text", "--create"});
    // t1..t5 and the totals line (row 10); the empty row 11 ends it, the notes stay out.
    EXPECT_EQ(out["rows_loaded"], 6);
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM stopped WHERE region LIKE 'Note%'"), "0");
    out = load_json(path, "not_stopped", {"--range", "B4:C", "--all-text", "--create"});
    EXPECT_EQ(out["rows_loaded"], 8);
}

// Three workbooks into one table: each file is a run of its own; in staging mode each merges
// on its own (a corrupt one fails alone) or, with --atomic, all together; direct mode commits
// all of them or none.
TEST_F(RegionsTest, SeveralWorkbooksIntoOneTableInBothModes) {
    std::string jan = temp_path("jan.xlsx"), feb = temp_path("feb.xlsx"),
                mar = temp_path("mar.xlsx"), bad = temp_path("bad.xlsx");
    write_numbered_workbook(jan, 1000, 1);
    write_numbered_workbook(feb, 1000, 1001);
    write_numbered_workbook(mar, 1000, 2001);
    {
        std::ofstream corrupt(bad, std::ios::binary);
        corrupt << "PK\x03\x04 this is not a workbook";
    }
    auto count_runs = [&](const std::string& table, const std::string& state) {
        return db_->scalar("SELECT count(*) FROM xlsx.import_runs WHERE target_table = 'public." +
                           table + "' AND state = '" + state + "'");
    };
    auto exact = [&](const std::string& table, int rows) {
        EXPECT_EQ(count(table), std::to_string(rows));
        EXPECT_EQ(db_->scalar("SELECT count(DISTINCT id) FROM " + table), std::to_string(rows));
        EXPECT_EQ(db_->scalar("SELECT count(*) FROM " + table +
                              " WHERE name <> 'name ' || id OR amount <> id * 1.5"),
                  "0");
    };
    for (std::string mode : {"staging", "direct"}) {
        SCOPED_TRACE(mode);
        std::string table = "months_" + mode;
        db_->exec("CREATE TABLE " + table + " (id integer PRIMARY KEY, name text, amount numeric)");
        // All good: three runs, a row per file in the summary and the JSON.
        json out = json::parse(run_process(xlsx2pg({"load", jan, feb, mar, table, "-d", database_,
                                                    "--mode", mode, "--json"}))
                                   .out);
        EXPECT_EQ(out["exit_code"], 0) << out.dump();
        EXPECT_EQ(out["files"].size(), 3u);
        ASSERT_EQ(out["loads"].size(), 3u);
        EXPECT_EQ(out["loads"][1]["file"], feb);
        EXPECT_EQ(out["rows_loaded"], 3000);
        exact(table, 3000);
        EXPECT_EQ(count_runs(table, "merged"), "3");
        db_->exec("TRUNCATE " + table);

        // One corrupt file.
        ProcessResult with_bad = run_process(
            xlsx2pg({"load", jan, bad, mar, table, "-d", database_, "--mode", mode, "--json"}));
        EXPECT_EQ(with_bad.exit_code, 2);
        json report = json::parse(with_bad.out);
        ASSERT_EQ(report["errors"].size(), 1u) << report.dump();
        EXPECT_EQ(report["errors"][0]["file"], bad);
        EXPECT_EQ(report["errors"][0]["error_kind"], "corrupt_zip");
        if (mode == "direct") {
            EXPECT_EQ(count(table), "0");  // all or none
            EXPECT_EQ(db_->scalar("SELECT count(*) FROM pg_prepared_xacts WHERE database = "
                                  "current_database()"),
                      "0");
        } else {
            exact(table, 2000);  // jan and mar, each merged on its own
            db_->exec("TRUNCATE " + table);
        }
    }
    // --atomic: staged, then one merge; a corrupt file merges nothing, and the same command
    // with the file fixed resumes the staged runs.
    db_->exec("CREATE TABLE months_atomic (id integer PRIMARY KEY, name text, amount numeric)");
    std::vector<std::string> atomic{"load", jan,       feb,        bad,     "months_atomic",
                                    "-d",   database_, "--atomic", "--json"};
    ProcessResult failed = run_process(xlsx2pg(atomic));
    EXPECT_EQ(failed.exit_code, 2) << failed.out;
    EXPECT_EQ(count("months_atomic"), "0");
    std::filesystem::copy_file(mar, bad, std::filesystem::copy_options::overwrite_existing);
    json again = json::parse(run_process(xlsx2pg(atomic)).out);
    EXPECT_EQ(again["exit_code"], 0) << again.dump();
    EXPECT_TRUE(again["loads"][0]["resumed"].get<bool>());
    EXPECT_TRUE(again["loads"][1]["resumed"].get<bool>());
    exact("months_atomic", 3000);
}

// xlsx.import takes the same: range, table_name and stop_at_empty, with the client's rows.
TEST_F(RegionsTest, TheServerImportTakesRangesTablesAndStopAtEmpty) {
    std::string path = "/tmp/xlsx2pg-regions-" + std::to_string(getpid()) + ".xlsx";
    SheetData report = report_sheet();
    report.tables = {{"Sales", 3, 1, 8, 3, true}};
    report.rows[9].clear();
    write_workbook(path, {report});
    std::filesystem::permissions(path, std::filesystem::perms::others_read,
                                 std::filesystem::perm_options::add);
    std::string file = "'" + path + "'";
    EXPECT_EQ(db_->scalar("SELECT string_agg(name || ' ' || sheet || ' ' || ref || ' ' || "
                          "totals_rows || ' ' || array_to_string(columns, '/'), ',') FROM "
                          "xlsx.tables(" +
                          file + ")"),
              "Sales Report B4:D10 1 region/units/price");
    for (std::string mode : {"staging", "direct"}) {
        SCOPED_TRACE(mode);
        std::string ranged = "srv_range_" + mode, table = "srv_table_" + mode;
        EXPECT_EQ(db_->scalar("SELECT loaded FROM xlsx.import(" + file + ", '" + ranged +
                              "', range => 'B4:D9', create_table => true, mode => '" + mode + "')"),
                  "5");
        EXPECT_EQ(db_->scalar("SELECT string_agg(region || ':' || units || ':' || price, ',' "
                              "ORDER BY units) FROM " +
                              ranged),
                  "t1:10:0.25,t2:20:0.5,t3:30:0.75,t4:40:1,t5:50:1.25");
        EXPECT_EQ(
            db_->scalar("SELECT loaded FROM xlsx.import(" + file + ", '" + table +
                        "', table_name => 'sales', create_table => true, mode => '" + mode + "')"),
            "5");
        EXPECT_EQ(db_->scalar("SELECT sum(units) FROM " + table), "150");  // no totals row
    }
    EXPECT_EQ(db_->scalar("SELECT loaded FROM xlsx.import(" + file +
                          ", 'srv_stopped', range => 'B4:C', stop_at_empty => true, all_text => "
                          "true, create_table => true)"),
              "6");  // t1..t5 and the totals row (a range is not a table); row 11 ends it
    EXPECT_EQ(db_->exec_error("SELECT * FROM xlsx.import(" + file +
                              ", 't', table_name => 'nope', create_table => true)"),
              "42704");
    EXPECT_EQ(db_->exec_error("SELECT * FROM xlsx.import(" + file +
                              ", 't', range => 'D9:B4', create_table => true)"),
              "22023");
    std::filesystem::remove(path);
}
