// Exact values through a real load: numbers as the doubles the cells hold, integer text as
// written, datetimes at midnight, Excel's fictitious 1900-02-29; and the errors and warnings
// a user meets for a bad table argument or a workbook that names a missing part.
#include <gtest/gtest.h>

#include "loader_fixture.hpp"
#include "support/workbook_writer.hpp"
#include "support/zip_writer.hpp"

using namespace testsupport;
using nlohmann::json;

namespace {

const std::string kSheetOpen =
    R"(<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)";
const std::string kSheetClose = "</sheetData></worksheet>";

std::string hand_made(const std::string& name, const std::string& rows,
                      const std::string& styles = "") {
    std::string path = temp_path(name);
    write_zip(path, minimal_workbook(kSheetOpen + rows + kSheetClose, "", styles));
    return path;
}

}  // namespace

TEST_F(LoaderTest, NumbersLoadAsTheDoublesTheCellsHold) {
    // libxlsxwriter writes each number with %.16g: 851461.68 lands in the file as
    // 851461.6800000001 and 0.07 as 0.07000000000000001. The doubles are the truth, in numeric
    // and in double precision. (Doubles that need 17 digits, such as 0.1 + 0.2, are beyond what
    // %.16g can write; the reader's unit test covers them with hand-written text.)
    const std::vector<double> values{851461.68, 0.07, 1234.5, 1e-7, 123456789012.34, -0.5};
    SheetData sheet{"Money", {{std::string("id"), std::string("amount"), std::string("amount_f")}}};
    for (size_t i = 0; i < values.size(); ++i)
        sheet.rows.push_back({static_cast<double>(i + 1), values[i], values[i]});
    std::string path = temp_path("money.xlsx");
    write_workbook(path, {sheet});

    const std::string expected = "851461.68 0.07 1234.5 0.0000001 123456789012.34 -0.5";
    for (std::string mode : {"staging", "direct"}) {
        std::string table = "money_" + mode;
        db_->exec("CREATE TABLE " + table + " (id integer, amount numeric, amount_f float8)");
        load_json(path, table, {"--mode", mode});
        EXPECT_EQ(db_->scalar("SELECT string_agg(amount::text, ' ' ORDER BY id) FROM " + table),
                  expected)
            << mode;
        // Each float8 is the very double, and numeric holds its shortest text.
        EXPECT_EQ(db_->scalar("SELECT count(*) FROM " + table +
                              " t JOIN (VALUES (1, 851461.68::float8), "
                              "(2, 0.07), (3, 1234.5), (4, 1e-7), "
                              "(5, 123456789012.34), (6, -0.5)) v(id, f) ON v.id = t.id "
                              "AND v.f = t.amount_f AND t.amount::float8 = t.amount_f"),
                  "6")
            << mode;
    }
}

TEST_F(LoaderTest, IntegerTextStaysAsWrittenPastTwoToThe53) {
    std::string path = hand_made(
        "big_ids.xlsx", R"(<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>)"
                        R"(<row r="2"><c r="A2"><v>123456789012345678</v></c></row>)"
                        R"(<row r="3"><c r="A3"><v>12345678901234567890123</v></c></row>)"
                        R"(<row r="4"><c r="A4"><v>9007199254740993</v></c></row>)");
    load_json(path, "big_ids", {"--create"});
    EXPECT_EQ(db_->scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                          "WHERE attrelid = 'big_ids'::regclass AND attname = 'id'"),
              "numeric");
    EXPECT_EQ(db_->scalar("SELECT string_agg(id::text, ' ' ORDER BY id) FROM big_ids"),
              "9007199254740993 123456789012345678 12345678901234567890123");
}

TEST_F(LoaderTest, MidnightDatetimesAndTheFictitiousLeapDay) {
    // Column A: serials under a date format (59 is 1900-02-28, 60 is Excel's 1900-02-29);
    // column B: ISO cells, one with a time part at midnight.
    const std::string styles =
        R"(<styleSheet><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>)";
    std::string path = hand_made(
        "leap.xlsx",
        R"(<row r="1"><c r="A1" t="inlineStr"><is><t>day</t></is></c><c r="B1" t="inlineStr"><is><t>stamp</t></is></c></row>)"
        R"(<row r="2"><c r="A2" s="1"><v>59</v></c><c r="B2" t="d"><v>2000-01-01T00:00:00</v></c></row>)"
        R"(<row r="3"><c r="A3" s="1"><v>60</v></c><c r="B3" t="d"><v>2000-01-02T10:30:00</v></c></row>)"
        R"(<row r="4"><c r="A4" s="1"><v>61</v></c><c r="B4" t="d"><v>2000-01-03T00:00:00Z</v></c></row>)",
        styles);

    // Into a date column the fictitious day is a reject naming its row, never 1900-02-28.
    json out = load_json(path, "leap", {"--create"}, 1);
    EXPECT_EQ(out["loads"][0]["rows_rejected"], 1);
    EXPECT_EQ(
        db_->scalar("SELECT string_agg(format_type(atttypid, atttypmod), ', ' ORDER BY "
                    "attnum) FROM pg_attribute WHERE attrelid = 'leap'::regclass AND attnum > 0"),
        "date, timestamp without time zone");
    EXPECT_EQ(db_->scalar(
                  "SELECT string_agg(concat_ws('|', day, stamp), ' / ' ORDER BY stamp) FROM leap"),
              "1900-02-28|2000-01-01 00:00:00 / 1900-03-01|2000-01-03 00:00:00");
    EXPECT_EQ(db_->scalar("SELECT concat_ws('|', sheet_row, column_name, raw_value, reason) "
                          "FROM xlsx.rejects r JOIN xlsx.import_runs USING (run_id) "
                          "WHERE target_table = 'public.leap'"),
              "3|day|1900-02-29|date/time field value out of range: \"1900-02-29\"");

    // As text it is what Excel shows.
    load_json(path, "leap_text", {"--create", "--all-text"});
    EXPECT_EQ(db_->scalar("SELECT string_agg(day, ' ' ORDER BY day) FROM leap_text"),
              "1900-02-28 1900-02-29 1900-03-01");
}

TEST_F(LoaderTest, ATableArgumentThatIsNotSqlSyntaxIsAUsageError) {
    std::string path = temp_path("sales.xlsx");
    write_numbered_workbook(path, 3);
    ProcessResult bad = load(path, "Sales 2024", {"--create"});
    EXPECT_EQ(bad.exit_code, 3);
    EXPECT_NE(bad.err.find("argument TABLE"), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find(R"('"Sales 2024"')"), std::string::npos) << bad.err;
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM pg_class WHERE relname ILIKE 'sales%'"), "0");

    // The suggested form works, and keeps the blank and the capital.
    load_json(path, "\"Sales 2024\"", {"--create"});
    EXPECT_EQ(count("public.\"Sales 2024\""), "3");
    EXPECT_EQ(load(path, "a.b.c").exit_code, 3);
}

TEST_F(LoaderTest, AWorkbookThatNamesAMissingPartSaysSo) {
    auto entries =
        minimal_workbook(kSheetOpen +
                         R"(<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>)"
                         R"(<row r="2"><c r="A2"><v>7</v></c></row>)" +
                         kSheetClose);
    for (auto& e : entries) {
        if (e.name == "xl/workbook.xml")
            e.content.replace(e.content.find("</sheets>"), 0,
                              R"(<sheet name="Gone" sheetId="2" r:id="rId9"/>)");
        if (e.name == "xl/_rels/workbook.xml.rels")
            e.content.replace(
                e.content.find("</Relationships>"), 0,
                R"(<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/gone.xml"/>)");
    }
    std::string path = temp_path("missing_part.xlsx");
    write_zip(path, entries);
    const std::string warning =
        R"(sheet "Gone" is in the sheet list, but its part xl/worksheets/gone.xml is not in the file)";

    ProcessResult sheets = run_process(xlsx2pg({"sheets", path}));
    EXPECT_EQ(sheets.exit_code, 0) << sheets.err;
    EXPECT_NE(sheets.out.find("Gone"), std::string::npos);
    EXPECT_NE(sheets.err.find("warning: " + path + ": " + warning), std::string::npos)
        << sheets.err;

    ProcessResult other = run_process(xlsx2pg({"cat", path}));
    EXPECT_EQ(other.exit_code, 0);
    EXPECT_EQ(other.out, "id\n7\n");
    EXPECT_NE(other.err.find(warning), std::string::npos) << other.err;

    ProcessResult asked = run_process(xlsx2pg({"cat", path, "--sheet", "Gone"}));
    EXPECT_NE(asked.exit_code, 0);
    EXPECT_NE(asked.err.find("[missing_part]"), std::string::npos) << asked.err;
    EXPECT_NE(asked.err.find(warning), std::string::npos) << asked.err;

    json loaded = load_json(path, "from_data", {"--create"});
    EXPECT_EQ(loaded["rows_loaded"], 1);

    // --all-sheets needs every part: it fails before loading anything.
    ProcessResult all =
        run_process(xlsx2pg({"load", path, "--all-sheets", "--create", "-d", database_}));
    EXPECT_EQ(all.exit_code, 2);
    EXPECT_NE(all.err.find("error [missing_part]"), std::string::npos) << all.err;
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM pg_class WHERE relname IN ('data', 'gone')"), "0");
}

TEST_F(LoaderTest, SummaryJsonAndLedgerShowOneClock) {
    std::string path = temp_path("clock.xlsx");
    write_numbered_workbook(path, 20000);
    for (std::string mode : {"staging", "direct"}) {
        json out = load_json(path, "clock_" + mode, {"--create", "--mode", mode});
        double seconds = out["loads"][0]["seconds"];
        std::string ledger =
            db_->scalar("SELECT extract(epoch FROM duration) FROM xlsx.stats(" +
                        std::to_string(out["loads"][0]["run_id"].get<int64_t>()) + ")");
        EXPECT_NEAR(seconds, std::stod(ledger), 0.0015) << mode;
        EXPECT_GT(seconds, 0.0);
    }
}
