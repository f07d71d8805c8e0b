// The way out, without a server: values into cells (encode_cell), the report writer's sheets
// read back by our own reader, what overflows and what is refused, and COPY's escapes undone.
// The server's side and the independent readers are in integration/export_test.py.
#include <gtest/gtest.h>

#include <filesystem>

#include "export/cell_encoding.hpp"
#include "export/report_writer.hpp"
#include "pg/copy_out.hpp"
#include "support/zip_writer.hpp"
#include "xlsx/error.hpp"
#include "xlsx/sheet_reader.hpp"

using namespace xlsx_report;
using testsupport::temp_path;

namespace {

// pg_type OIDs the tests name.
constexpr uint32_t kInt8 = 20, kInt4 = 23, kText = 25, kFloat8 = 701, kNumeric = 1700, kDate = 1082,
                   kTime = 1083, kTimestamp = 1114, kTimestampTz = 1184, kInterval = 1186,
                   kBool = 16;

Cell encode(ColumnKind kind, std::string_view value) {
    static std::string scratch;
    return encode_cell(kind, value, scratch);
}

void expect_number(ColumnKind kind, std::string_view value, double number) {
    Cell cell = encode(kind, value);
    EXPECT_EQ(cell.type, Cell::Type::Number) << value;
    EXPECT_EQ(cell.number, number) << value;
    EXPECT_EQ(cell.text_reason, nullptr) << value;
}

void expect_text(ColumnKind kind, std::string_view value, std::string_view reason_part) {
    Cell cell = encode(kind, value);
    EXPECT_EQ(cell.type, Cell::Type::String) << value;
    EXPECT_EQ(cell.text, value);
    ASSERT_NE(cell.text_reason, nullptr) << value;
    EXPECT_NE(std::string_view(cell.text_reason).find(reason_part), std::string_view::npos)
        << value << ": " << cell.text_reason;
}

// Every cell of every sheet as "sheet!A1=text" lines, read by our reader.
std::string read_back(const std::string& path) {
    xlsx::Workbook workbook(path);
    std::string out;
    for (const auto& sheet : workbook.sheets()) {
        xlsx::SheetReader reader(workbook, sheet, true);
        while (auto batch = reader.next())
            for (const xlsx::Row& row : batch->rows)
                for (const xlsx::Cell& c : batch->cells_of(row))
                    out += sheet.name + "!" + xlsx::column_name(c.column) +
                           std::to_string(row.number) + "=" + std::string(c.text()) + "\n";
    }
    return out;
}

using Row = std::vector<std::optional<std::string_view>>;

}  // namespace

TEST(ExportCells, NumbersAreCellsOnlyWhenTheDoubleHoldsTheValue) {
    expect_number(ColumnKind::Integer, "42", 42);
    expect_number(ColumnKind::Integer, "-999999999999999", -999999999999999.0);
    expect_text(ColumnKind::Integer, "1000000000000000", "15 significant digits");
    expect_text(ColumnKind::Integer, "9007199254740993", "15 significant digits");
    expect_number(ColumnKind::Numeric, "1234.50", 1234.5);
    expect_number(ColumnKind::Numeric, "0.000123456789012345", 0.000123456789012345);
    expect_number(ColumnKind::Numeric, "100000000000000000000", 1e20);
    expect_text(ColumnKind::Numeric, "12345678901234567890.5", "15 significant digits");
    expect_text(ColumnKind::Numeric, "0.1234567890123456", "15 significant digits");
    expect_text(ColumnKind::Numeric, "NaN", "not a finite number");
    expect_text(ColumnKind::Numeric, "1" + std::string(400, '0'), "beyond the range");
    expect_text(ColumnKind::Numeric, "0." + std::string(400, '0') + "1", "beyond the range");
    expect_number(ColumnKind::Float, "0.1", 0.1);
    expect_number(ColumnKind::Float, "-0", -0.0);
    expect_number(ColumnKind::Float, "1.234567890123456e-300", 1.234567890123456e-300);
    expect_number(ColumnKind::Float, "5e-324", 5e-324);  // the least subnormal
    expect_text(ColumnKind::Float, "0.30000000000000004", "17 significant digits");
    expect_text(ColumnKind::Float, "1.7976931348623157e+308", "17 significant digits");
    expect_text(ColumnKind::Float, "Infinity", "not a finite number");
    expect_text(ColumnKind::Float, "-Infinity", "not a finite number");
}

TEST(ExportCells, DatesAndTimesAreSerialsOfTheWorkbooks1900System) {
    EXPECT_EQ(date_serial(1900, 1, 1), 1);
    EXPECT_EQ(date_serial(1900, 2, 28), 59);  // Excel's 1900-02-29 is 60
    EXPECT_EQ(date_serial(1900, 3, 1), 61);
    EXPECT_EQ(date_serial(2024, 1, 15), 45306);
    EXPECT_EQ(date_serial(9999, 12, 31), 2958465);
    EXPECT_EQ(date_serial(1899, 12, 31), -1);
    expect_number(ColumnKind::Date, "2024-01-15", 45306);
    expect_text(ColumnKind::Date, "1899-12-31", "outside Excel's dates");
    expect_text(ColumnKind::Date, "10000-01-01", "outside Excel's dates");
    expect_text(ColumnKind::Date, "infinity", "outside Excel's dates");
    expect_text(ColumnKind::Date, "0044-03-15 BC", "outside Excel's dates");
    expect_number(ColumnKind::Timestamp, "2024-01-15 12:00:00", 45306.5);
    expect_number(ColumnKind::Timestamp, "2024-01-15 06:00:00.5", 45306.25 + 0.5 / 86400);
    expect_text(ColumnKind::Timestamp, "2024-01-15 06:00:00.000001", "finer than a millisecond");
    // The wall time in the session's zone; the offset is left behind (said in a note).
    expect_number(ColumnKind::TimestampTz, "2024-01-15 18:00:00+05:30", 45306.75);
    expect_number(ColumnKind::TimestampTz, "2024-01-15 18:00:00-03", 45306.75);
    expect_number(ColumnKind::Time, "18:00:00", 0.75);
    expect_text(ColumnKind::Time, "24:00:00", "24:00:00");
    expect_number(ColumnKind::Interval, "1 day 12:00:00", 1.5);
    expect_number(ColumnKind::Interval, "36:00:00", 1.5);
    expect_number(ColumnKind::Interval, "2 days -12:00:00", 1.5);
    expect_number(ColumnKind::Interval, "00:00:00", 0);
    expect_text(ColumnKind::Interval, "1 mon 2 days", "months");
    expect_text(ColumnKind::Interval, "1 year", "months");
    expect_text(ColumnKind::Interval, "-1 days", "negative");
    expect_text(ColumnKind::Interval, "00:00:00.0005", "finer than a millisecond");
    // PostgreSQL's widest intervals are past a 64-bit count of microseconds: text, not a wrap.
    expect_text(ColumnKind::Interval, "2147483647 days 2562047788:00:00", "beyond the range");
    expect_text(ColumnKind::Interval, "-2147483648 days", "beyond the range");
}

TEST(ExportCells, TextThatLooksLikeAnEscapeKeepsItsUnderscoreEscaped) {
    EXPECT_EQ(encode(ColumnKind::Text, "_x0041_").text, "_x005F_x0041_");
    EXPECT_EQ(encode(ColumnKind::Text, "a_x00e9_b_X0041_").text, "a_x005F_x00e9_b_x005F_X0041_");
    EXPECT_EQ(encode(ColumnKind::Text, "_x004_ _xZZZZ_ snake_case").text,
              "_x004_ _xZZZZ_ snake_case");
    EXPECT_EQ(encode(ColumnKind::Text, "0012").text, "0012");  // text columns stay text
    EXPECT_EQ(encode(ColumnKind::Boolean, "t").type, Cell::Type::Boolean);
    EXPECT_EQ(utf8_length("a\xC3\xA9\xF0\x9F\x98\x80"), 3u);
    EXPECT_EQ(utf8_prefix("a\xC3\xA9\xF0\x9F\x98\x80", 2), "a\xC3\xA9");
}

TEST(ExportCells, ColumnsTakeTheirTypesFormats) {
    EXPECT_EQ(number_format_of({kNumeric, (12 << 16 | 2) + 4}), "#,##0.00");
    EXPECT_EQ(number_format_of({kNumeric, -1}), "");
    EXPECT_EQ(number_format_of({kDate, -1}), "yyyy-mm-dd");
    EXPECT_EQ(number_format_of({kTimestamp, 0}), "yyyy-mm-dd hh:mm:ss");
    EXPECT_EQ(number_format_of({kTimestamp, -1}), "yyyy-mm-dd hh:mm:ss.000");
    EXPECT_EQ(number_format_of({kTime, 2}), "hh:mm:ss.00");
    EXPECT_EQ(number_format_of({kInterval, -1}), "[h]:mm:ss.000");
    EXPECT_EQ(column_kind_of({kTimestampTz, -1}), ColumnKind::TimestampTz);
    EXPECT_EQ(column_kind_of({kText, -1}), ColumnKind::Text);
    EXPECT_EQ(column_kind_of({3802, -1}), ColumnKind::Text);  // jsonb: as the server prints it
}

TEST(ExportWriter, OurReaderReadsBackWhatWasWritten) {
    std::string path = temp_path("export_types.xlsx");
    ReportWriter writer(path, {});
    writer.begin_sheet("Types", {{"i", {kInt8, -1}},
                                 {"f", {kFloat8, -1}},
                                 {"n", {kNumeric, (12 << 16 | 2) + 4}},
                                 {"d", {kDate, -1}},
                                 {"ts", {kTimestamp, -1}},
                                 {"t", {kTime, -1}},
                                 {"iv", {kInterval, -1}},
                                 {"b", {kBool, -1}},
                                 {"s", {kText, -1}}});
    writer.write_row(Row{"42", "0.1", "1234.50", "1900-02-28", "2024-01-15 10:20:30.123",
                         "13:45:00.25", "25:30:00", "t", "_x0041_ 0012"});
    writer.write_row(Row{std::nullopt, "0.30000000000000004", std::nullopt, "1900-03-01",
                         std::nullopt, std::nullopt, "1 mon", "f", "ctl\x01 \r\n"});
    writer.finish();
    EXPECT_EQ(read_back(path),
              "Types!A1=i\nTypes!B1=f\nTypes!C1=n\nTypes!D1=d\nTypes!E1=ts\nTypes!F1=t\n"
              "Types!G1=iv\nTypes!H1=b\nTypes!I1=s\n"
              "Types!A2=42\nTypes!B2=0.1\nTypes!C2=1234.5\nTypes!D2=1900-02-28\n"
              "Types!E2=2024-01-15 10:20:30.123\nTypes!F2=13:45:00.25\nTypes!G2=25:30:00\n"
              "Types!H2=true\nTypes!I2=_x0041_ 0012\n"
              "Types!B3=0.30000000000000004\nTypes!D3=1900-03-01\nTypes!G3=1 mon\n"
              "Types!H3=false\nTypes!I3=ctl\x01 \r\n\n");
    ASSERT_EQ(writer.notes().size(), 2u);
    EXPECT_EQ(note_text(writer.notes()[0]),
              "sheet \"Types\" column \"f\": 1 value written as text (17 significant digits, one "
              "more than a number cell keeps), the first at row 3");
}

TEST(ExportWriter, PastASheetsLastRowGoesOnInANewSheetOrFails) {
    std::string path = temp_path("export_overflow.xlsx");
    WriterOptions options;
    options.rows_per_sheet = 2;
    ReportWriter writer(path, options);
    std::string name(40, 'x');  // a name at Excel's 31 characters keeps room for " (2)"
    writer.begin_sheet(name.substr(0, 31), {{"n", {kInt4, -1}}});
    for (const char* n : {"1", "2", "3", "4", "5"})
        writer.write_row(Row{n});
    writer.finish();
    ASSERT_EQ(writer.sheets().size(), 3u);
    EXPECT_EQ(writer.sheets()[1].name, name.substr(0, 27) + " (2)");
    EXPECT_EQ(writer.sheets()[2].rows, 1u);
    std::string back = read_back(path);
    EXPECT_NE(back.find(name.substr(0, 27) + " (3)!A1=n\n" + name.substr(0, 27) + " (3)!A2=5\n"),
              std::string::npos)
        << back;

    options.overflow_to_new_sheet = false;
    ReportWriter failing(temp_path("export_overflow_fails.xlsx"), options);
    failing.begin_sheet("S", {{"n", {kInt4, -1}}});
    failing.write_row(Row{"1"});
    failing.write_row(Row{"2"});
    try {
        failing.write_row(Row{"3"});
        FAIL() << "a third row fit";
    } catch (const xlsx::Error& e) {
        EXPECT_EQ(e.kind(), xlsx::ErrorKind::LimitExceeded);
        EXPECT_NE(std::string(e.what()).find("sheet \"S\""), std::string::npos) << e.what();
    }
}

TEST(ExportWriter, TextLongerThanACellIsRefusedWithItsCellOrCut) {
    std::string long_text(kMaxCellCharacters + 1, 'a');
    std::string path = temp_path("export_long.xlsx");
    std::filesystem::remove(path);
    {
        ReportWriter writer(path, {});
        writer.begin_sheet("S", {{"id", {kInt4, -1}}, {"body", {kText, -1}}});
        writer.write_row(Row{"1", "short"});
        try {
            writer.write_row(Row{"2", long_text});
            FAIL() << "a 32,768-character text was written";
        } catch (const xlsx::Error& e) {
            EXPECT_EQ(e.kind(), xlsx::ErrorKind::InvalidValue);
            EXPECT_NE(std::string(e.what()).find("sheet \"S\" cell B3"), std::string::npos)
                << e.what();
        }
    }
    EXPECT_FALSE(std::filesystem::exists(path)) << "a writer not finished leaves no file";

    WriterOptions options;
    options.truncate_long_text = true;
    ReportWriter writer(path, options);
    writer.begin_sheet("S", {{"body", {kText, -1}}});
    writer.write_row(Row{long_text});
    writer.write_row(Row{std::string(kMaxCellCharacters, 'b')});  // exactly the limit: whole
    writer.finish();
    std::string back = read_back(path);
    EXPECT_NE(back.find("S!A2=" + std::string(kMaxCellCharacters, 'a') + "\n"), std::string::npos);
    EXPECT_NE(back.find("S!A3=" + std::string(kMaxCellCharacters, 'b') + "\n"), std::string::npos);
    ASSERT_EQ(writer.notes().size(), 1u);
    EXPECT_EQ(writer.notes()[0].values, 1u);
}

// File descriptors this process holds.
static size_t open_files() {
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                                             std::filesystem::directory_iterator()));
}

TEST(ExportWriter, AWriterNotFinishedLeavesNoFileOpen) {
    size_t before = open_files();
    for (int i = 0; i < 3; ++i) {
        ReportWriter writer(temp_path("export_discarded.xlsx"), {});
        writer.begin_sheet("A", {{"n", {kInt4, -1}}});
        writer.write_row(Row{"1"});
        writer.begin_sheet("B", {{"n", {kInt4, -1}}});
        writer.write_row(Row{"2"});
        EXPECT_GT(open_files(), before);  // the sheets' temporary files
    }
    // A server backend whose exports fail keeps running: nothing may pile up.
    EXPECT_EQ(open_files(), before);
}

TEST(ExportWriter, SheetNamesAreMadeFromAnyTableName) {
    EXPECT_EQ(sheet_name_from("orders"), "orders");
    EXPECT_EQ(sheet_name_from("a/b[c]:*?\\"), "a_b_c_____");
    EXPECT_EQ(sheet_name_from("'quoted'"), "quoted");
    EXPECT_EQ(
        sheet_name_from(std::string(20, 'x') +
                        "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"),
        std::string(20, 'x') +
            "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9");
    EXPECT_EQ(sheet_name_from("''"), "Sheet");
}

TEST(ExportWriter, SheetNamesExcelRefusesAreErrors) {
    ReportWriter writer(temp_path("export_names.xlsx"), {});
    EXPECT_THROW(writer.begin_sheet("a/b", {{"n", {kInt4, -1}}}), xlsx::Error);
    EXPECT_THROW(writer.begin_sheet(std::string(32, 'x'), {{"n", {kInt4, -1}}}), xlsx::Error);
    writer.begin_sheet("Same", {{"n", {kInt4, -1}}});
    EXPECT_THROW(writer.begin_sheet("Same", {{"n", {kInt4, -1}}}), xlsx::Error);
}

TEST(CopyOut, TextFormatEscapesAreUndone) {
    std::string out;
    pg::decode_copy_field(R"(a\tb\nc\\d\re\001f\x41\b\f\v)", out);
    EXPECT_EQ(out, "a\tb\nc\\d\re\001fA\b\f\v");
}
