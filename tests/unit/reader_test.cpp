// The reader on hand-made workbooks: positions without r, prefixes, strings of every kind,
// and each kind of bad input with its error.
#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <fstream>
#include <random>

#include "support/reader_errors.hpp"
#include "support/workbook_writer.hpp"
#include "support/zip_writer.hpp"
#include "xlsx/cell_range.hpp"
#include "xlsx/error.hpp"
#include "xlsx/sheet_reader.hpp"

using namespace xlsx;
using testsupport::error_of;
using testsupport::minimal_workbook;
using testsupport::temp_path;
using testsupport::write_zip;

namespace {

const std::string kSheetOpen =
    R"(<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)";
const std::string kSheetClose = "</sheetData></worksheet>";

// Reads every cell as "A1=value" lines, the cell type after a colon.
std::string dump(const std::string& path, unsigned threads = 1, size_t chunk_bytes = 4 << 20) {
    ReaderOptions options;
    options.threads = threads;
    options.chunk_bytes = chunk_bytes;
    Workbook workbook(path, options);
    SheetReader reader(workbook, workbook.first_sheet());
    std::string out;
    while (auto batch = reader.next())
        for (const Row& row : batch->rows)
            for (const Cell& cell : batch->cells_of(row))
                out += column_name(cell.column) + std::to_string(row.number) + "=" +
                       std::string(cell.text()) + ":" + cell_type_name(cell.type) + "\n";
    return out;
}

std::string sheet_file(const std::string& name, const std::string& rows,
                       const std::string& strings = "", const std::string& styles = "",
                       const std::string& workbook_pr = "") {
    std::string path = temp_path(name + ".xlsx");
    write_zip(path,
              minimal_workbook(kSheetOpen + rows + kSheetClose, strings, styles, workbook_pr));
    return path;
}

// Digits of a number's mantissa from its first to its last non-zero one.
size_t significant_digits(std::string_view number) {
    std::string digits;
    for (char c : number.substr(0, number.find_first_of("eE")))
        if (c >= '0' && c <= '9') digits += c;
    size_t first = digits.find_first_not_of('0'), last = digits.find_last_not_of('0');
    return first == std::string::npos ? 0 : last - first + 1;
}

}  // namespace

TEST(Reader, PositionsWithoutReferences) {
    auto path = sheet_file("no_refs", R"(<row><c><v>1</v></c><c><v>2</v></c></row>)"
                                      R"(<row r="4"><c r="C4"><v>3</v></c><c><v>4</v></c></row>)"
                                      R"(<row><c t="inlineStr"><is><t>x</t></is></c></row>)");
    EXPECT_EQ(dump(path), "A1=1:number\nB1=2:number\nC4=3:number\nD4=4:number\nA5=x:string\n");
}

TEST(Reader, PrefixedElementsAndStrictNamespace) {
    std::string sheet =
        R"(<?xml version="1.0"?><x:worksheet xmlns:x="http://purl.oclc.org/ooxml/spreadsheetml/main"><x:sheetData>)"
        R"(<x:row r="1"><x:c r="A1" t="s"><x:v>1</x:v></x:c><x:c r="B1"><x:v>2.5</x:v></x:c></x:row>)"
        R"(</x:sheetData></x:worksheet>)";
    std::string strings =
        R"(<x:sst xmlns:x="http://purl.oclc.org/ooxml/spreadsheetml/main"><x:si><x:t>zero</x:t></x:si><x:si><x:t>one</x:t></x:si></x:sst>)";
    auto path = temp_path("prefixed.xlsx");
    write_zip(path, minimal_workbook(sheet, strings));
    EXPECT_EQ(dump(path), "A1=one:string\nB1=2.5:number\n");
}

TEST(Reader, StringKindsAndValues) {
    std::string strings =
        R"(<sst><si><t xml:space="preserve"> lead</t></si>)"
        R"(<si><r><t>ri</t></r><r><rPr/><t>ch</t></r><rPh><t>PHONETIC</t></rPh></si>)"
        R"(<si><t>a_x000D_b_x005F_x</t></si><si><t></t></si></sst>)";
    auto path = sheet_file(
        "strings",
        R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>)"
        R"(<row r="2"><c r="A2" t="b"><v>1</v></c><c r="B2" t="b"><v>0</v></c><c r="C2" t="e"><v>#N/A</v></c>)"
        R"(<c r="D2" t="str"><f>A1</f><v>f&amp;s</v></c><c r="E2"><f>1/0</f></c><c r="F2"><v>1E-3</v></c><c r="G2" s="0"/></row>)"
        R"(<row r="3"><c r="A3" t="inlineStr"><is><t><![CDATA[<row>]]></t></is></c><c r="B3" t="d"><v>2021-03-04T05:06:07Z</v></c></row>)",
        strings);
    EXPECT_EQ(dump(path),
              "A1= lead:string\nB1=rich:string\nC1=a\rb_x:string\nD1=:string\n"
              "A2=true:boolean\nB2=false:boolean\nC2=#N/A:error\nD2=f&s:string\nF2=1E-3:number\n"
              "A3=<row>:string\nB3=2021-03-04 05:06:07:datetime\n");
}

TEST(Reader, DatesFollowStylesAndDateSystem) {
    std::string styles =
        R"(<styleSheet><numFmts><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/><numFmt numFmtId="165" formatCode="&quot;m&quot;0"/></numFmts>)"
        R"(<cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="21"/></cellXfs></styleSheet>)";
    std::string rows =
        R"(<row r="1"><c r="A1" s="1"><v>60</v></c><c r="B1" s="2"><v>45306.5729166667</v></c><c r="C1" s="3"><v>7</v></c><c r="D1" s="4"><v>0.5</v></c><c r="E1" s="99"><v>5</v></c></row>)";
    auto p1900 = sheet_file("dates1900", rows, "", styles);
    EXPECT_EQ(dump(p1900),
              "A1=1900-02-29:date\nB1=2024-01-15 13:45:00:datetime\nC1=7:number\n"
              "D1=12:00:00:time\nE1=5:number\n");
    auto p1904 = sheet_file("dates1904", rows, "", styles, R"(<workbookPr date1904="1"/>)");
    EXPECT_EQ(dump(p1904).substr(0, 17), "A1=1904-03-01:dat");
}

TEST(Reader, NumbersAreTheDoubleTheCellHolds) {
    // Text as writers print it (%.16g, %.17g, exponents, trailing zeros) against the shortest
    // text of the same double; integer text stays as written, even past 2^53.
    std::string rows =
        R"(<row r="1"><c r="A1"><v>851461.6800000001</v></c><c r="B1"><v>0.30000000000000004</v></c>)"
        R"(<c r="C1"><v>4.9406564584124654E-324</v></c><c r="D1"><v>123456789012345678</v></c>)"
        R"(<c r="E1"><v>12345678901234567890123</v></c><c r="F1"><v>1.50</v></c>)"
        R"(<c r="G1"><v>1.0E+3</v></c><c r="H1"><v>0.1</v></c><c r="I1"><v>-0.000123</v></c>)"
        R"(<c r="J1"><v>2.5E-3</v></c><c r="K1"><v>1e400</v></c><c r="L1"><v>-0</v></c>)"
        // 16 digits name a double whose shortest text is ...98 (Python's repr agrees).
        R"(<c r="M1"><v>99999999999999.99</v></c><c r="N1"><v>1.7976931348623157E+308</v></c></row>)";
    EXPECT_EQ(dump(sheet_file("numbers", rows)),
              "A1=851461.68:number\nB1=0.30000000000000004:number\nC1=5e-324:number\n"
              "D1=123456789012345678:number\nE1=12345678901234567890123:number\n"
              "F1=1.5:number\nG1=1000:number\nH1=0.1:number\nI1=-0.000123:number\n"
              "J1=2.5E-3:number\nK1=1e400:number\nL1=-0:number\n"
              "M1=99999999999999.98:number\nN1=1.7976931348623157e+308:number\n");
}

TEST(Reader, NumbersWrittenByLibxlsxwriterReadBackAsTheirDoubles) {
    // libxlsxwriter prints every number with %.16g; the doubles, not that text, are the truth:
    // each cell must read back as the same double, in its shortest text.
    std::mt19937_64 random(2024);
    std::vector<double> values{851461.68,
                               0.1 + 0.2,
                               0.1,
                               1e-7,
                               123456789.123,
                               -2.5e-300,
                               4.9406564584124654e-324,
                               1.7976931348623157e308,
                               9007199254740993.0,
                               1e16,
                               100.0,
                               -0.0};
    for (int i = 0; i < 2000; ++i) {
        std::uniform_real_distribution<double> unit(0, 1);
        double magnitude = std::pow(10.0, std::floor(unit(random) * 40) - 20);
        values.push_back(std::round(unit(random) * 1e8) / 100 * magnitude);         // cents, scaled
        values.push_back(std::bit_cast<double>(random() & 0x7fefffffffffffffULL));  // any double
    }
    // Some doubles need 17 digits, which %.16g cannot write: libxlsxwriter stores another
    // double for them, so they are no truth of what the file holds.
    std::erase_if(values, [](double v) {
        char printed[32];
        std::snprintf(printed, sizeof printed, "%.16g", v);
        return std::strtod(printed, nullptr) != v;
    });
    ASSERT_GT(values.size(), 2000u);
    testsupport::SheetData sheet{"Numbers", {}};
    for (double v : values)
        sheet.rows.push_back({v});
    std::string path = temp_path("doubles.xlsx");
    testsupport::write_workbook(path, {sheet});

    Workbook workbook(path);
    SheetReader reader(workbook, workbook.first_sheet());
    size_t i = 0;
    while (auto batch = reader.next()) {
        for (const Row& row : batch->rows) {
            ASSERT_LT(i, values.size());
            std::string_view text = batch->cells_of(row)[0].text();
            char shortest[32];
            auto end = std::to_chars(shortest, shortest + sizeof shortest, values[i],
                                     std::chars_format::scientific)
                           .ptr;
            double back = 0;
            std::from_chars(text.data(), text.data() + text.size(), back);
            EXPECT_EQ(std::bit_cast<uint64_t>(back), std::bit_cast<uint64_t>(values[i]))
                << "row " << row.number << ": " << text;
            // Integer text stays as written, so 1e16 reads as 10000000000000000.
            // And no more digits than the shortest form (integer text stays as written).
            if (text.find_first_of(".eE") != std::string_view::npos) {
                EXPECT_LE(significant_digits(text),
                          significant_digits(std::string_view(shortest, end - shortest)))
                    << "row " << row.number << ": " << text;
            }
            ++i;
        }
    }
    EXPECT_EQ(i, values.size());
}

TEST(Reader, SameOutputWithOneAndManyThreads) {
    std::string rows;
    for (int r = 1; r <= 20000; ++r)
        rows += "<row r=\"" + std::to_string(r) + "\"><c r=\"A" + std::to_string(r) + "\"><v>" +
                std::to_string(r * 7) + "</v></c><c r=\"C" + std::to_string(r) +
                "\" t=\"inlineStr\"><is><t>row " + std::to_string(r) + "</t></is></c></row>";
    auto path = sheet_file("threads", rows);
    std::string one = dump(path, 1, 64 << 10);
    EXPECT_EQ(one, dump(path, 2, 64 << 10));
    EXPECT_EQ(one, dump(path, 4, 16 << 10));
    EXPECT_NE(one.find("C20000=row 20000:string\n"), std::string::npos);
}

TEST(ReaderErrors, NotAZipLegacyAndEncrypted) {
    auto write = [](const std::string& name, const std::string& bytes) {
        std::string path = temp_path(name);
        std::ofstream(path, std::ios::binary) << bytes;
        return path;
    };
    std::string ole2("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
    EXPECT_EQ(error_of([&] { Workbook w(write("text.xlsx", "hello, world")); }),
              ErrorKind::NotWorkbook);
    EXPECT_EQ(error_of([&] { Workbook w(write("empty.xlsx", "")); }), ErrorKind::NotWorkbook);
    // An .xls is read (check_xls.py); an OLE2 signature over a damaged header is no workbook.
    EXPECT_EQ(error_of([&] { Workbook w(write("legacy.xls", ole2 + std::string(600, '\0'))); }),
              ErrorKind::NotWorkbook);
    std::string name16;
    for (char c : std::string("EncryptionInfo"))
        name16 += std::string{c, '\0'};
    EXPECT_EQ(
        error_of([&] { Workbook w(write("enc.xlsx", ole2 + std::string(100, '\0') + name16)); }),
        ErrorKind::Encrypted);
    EXPECT_EQ(error_of([&] { Workbook w(write("trunc.xlsx", "PK\x03\x04truncated")); }),
              ErrorKind::CorruptZip);
}

TEST(ReaderErrors, MalformedXmlNamesPartLineAndRow) {
    auto path = sheet_file("malformed",
                           "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>\n"
                           "<row r=\"2\"><c r=\"A2\"><v>2</x></c></row>");
    try {
        dump(path);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::MalformedXml);
        EXPECT_EQ(e.where().part, "xl/worksheets/data.xml");
        EXPECT_EQ(e.where().line, 2u);
        EXPECT_EQ(e.where().row, 2u);
        EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
    }
}

TEST(ReaderErrors, DoctypeIsRefused) {
    std::string sheet =
        R"(<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet><sheetData><row><c t="inlineStr"><is><t>&a;</t></is></c></row></sheetData></worksheet>)";
    auto path = temp_path("doctype.xlsx");
    write_zip(path, minimal_workbook(sheet));
    EXPECT_EQ(error_of([&] { dump(path); }), ErrorKind::ForbiddenXml);
    auto strings_path = temp_path("doctype_strings.xlsx");
    write_zip(strings_path,
              minimal_workbook(kSheetOpen + kSheetClose,
                               R"(<!DOCTYPE sst SYSTEM "http://example.invalid/x.dtd"><sst/>)"));
    EXPECT_EQ(error_of([&] { dump(strings_path); }), ErrorKind::ForbiddenXml);
}

TEST(ReaderErrors, BadReferencesAndIndexes) {
    EXPECT_EQ(error_of([&] {
                  dump(sheet_file("sst_index", R"(<row><c t="s"><v>5</v></c></row>)",
                                  "<sst><si><t>a</t></si></sst>"));
              }),
              ErrorKind::InvalidValue);
    EXPECT_EQ(error_of([&] {
                  dump(sheet_file("dup_cell",
                                  R"(<row><c r="B1"><v>1</v></c><c r="B1"><v>2</v></c></row>)"));
              }),
              ErrorKind::InvalidValue);
    EXPECT_EQ(
        error_of([&] {
            dump(sheet_file("rows_back",
                            R"(<row r="5"><c><v>1</v></c></row><row r="3"><c><v>2</v></c></row>)"));
        }),
        ErrorKind::InvalidValue);
    EXPECT_EQ(error_of([&] {
                  dump(sheet_file("row_limit", R"(<row r="1048577"><c><v>1</v></c></row>)"));
              }),
              ErrorKind::LimitExceeded);
    EXPECT_EQ(error_of([&] {
                  dump(sheet_file("col_limit", R"(<row r="1"><c r="XFE1"><v>1</v></c></row>)"));
              }),
              ErrorKind::LimitExceeded);
}

TEST(ReaderErrors, MissingSheetListsTheSheets) {
    auto path = sheet_file("missing_sheet", "");
    Workbook workbook(path);
    try {
        workbook.sheet("Nope");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::MissingSheet);
        EXPECT_NE(std::string(e.what()).find("\"Data\""), std::string::npos);
    }
}

TEST(ReaderErrors, ZipBombStopsAtTheBound) {
    // 64 MB of repeated XML compresses about 1000:1: the ratio bound stops it.
    std::string rows;
    std::string row = "<row><c><v>1</v></c></row>";
    rows.reserve(64 << 20);
    while (rows.size() < (64u << 20))
        rows += row;
    auto path = sheet_file("bomb", rows);
    ReaderOptions options;
    options.limits.ratio_floor_bytes = 1 << 20;
    Workbook workbook(path, options);
    EXPECT_EQ(error_of([&] {
                  SheetReader reader(workbook, workbook.first_sheet());
                  while (reader.next()) {
                  }
              }),
              ErrorKind::LimitExceeded);
}

TEST(CellRanges, AreParsedAsExcelWritesThemAndRefusedOutsideTheGrid) {
    auto text_of = [](const char* spec) {
        auto range = parse_cell_range(spec);
        return range ? cell_range_text(*range) : std::string("refused");
    };
    EXPECT_EQ(text_of("A5:H200"), "A5:H200");
    EXPECT_EQ(text_of("$b$5:$h$200"), "B5:H200");
    EXPECT_EQ(text_of("A5:H"), "A5:H");
    EXPECT_EQ(text_of("B:F"), "B:F");
    EXPECT_EQ(text_of("C3"), "C3:C3");
    EXPECT_EQ(text_of("XFD1048576"), "XFD1048576:XFD");  // to the last row, as it is
    auto whole = parse_cell_range("A:XFD");
    ASSERT_TRUE(whole);
    EXPECT_TRUE(whole->whole_sheet());
    for (const char* bad : {"", ":", "H200:A5", "B:A", "A0:B2", "5:9", "A:B9", "XFE1:XFE2",
                            "A1:A1048577", "A1:B2:C3", "A1-B2"})
        EXPECT_EQ(text_of(bad), "refused") << bad;
}

// Cells outside a range are not decoded (a bad shared-string index there is never looked up);
// columns count from the range's first; nothing below it is read.
TEST(CellRanges, TheReaderSkipsCellsOutsideTheRange) {
    std::string path = sheet_file(
        "ranged",
        R"(<row r="1"><c r="A1" t="s"><v>999</v></c><c r="B1"><v>1</v></c><c r="C1"><v>2</v></c></row>)"
        R"(<row r="2"><c r="B2"><v>3</v></c><c r="D2"><v>4</v></c></row>)"
        R"(<row r="3"><c r="B3"><v>5</v></c></row>)");
    Workbook workbook(path);
    SheetReader reader(workbook, workbook.first_sheet(), true, *parse_cell_range("B1:C2"));
    std::string out;
    bool past = false;
    while (auto batch = reader.next()) {
        past |= batch->past_range;
        for (const Row& row : batch->rows)
            for (const Cell& cell : batch->cells_of(row))
                out += column_name(cell.column) + std::to_string(row.number) + "=" +
                       std::string(cell.text()) + " ";
    }
    EXPECT_EQ(out, "A1=1 B1=2 A2=3 ");
    EXPECT_TRUE(past);
}

// Below the range the reader stops: a malformed row in a later chunk is never reached.
TEST(CellRanges, NothingBelowTheRangeIsRead) {
    std::string rows = R"(<row r="1"><c r="A1"><v>1</v></c></row>)";
    for (int r = 2; r <= 400; ++r)  // several 4 KB chunks
        rows += "<row r=\"" + std::to_string(r) + "\"><c r=\"A" + std::to_string(r) + "\"><v>" +
                std::to_string(r) + "</v></c></row>";
    rows += R"(<row r="401"><c r="A401"><v>1</v></row>)";  // <c> never closed
    std::string path = sheet_file("below_range", rows);
    ReaderOptions options;
    options.chunk_bytes = 4096;
    Workbook workbook(path, options);
    auto count_rows = [&](const CellRange& range) {
        SheetReader reader(workbook, workbook.first_sheet(), true, range);
        size_t n = 0;
        while (auto batch = reader.next())
            n += batch->rows.size();
        return n;
    };
    EXPECT_EQ(count_rows(*parse_cell_range("A1:A3")), 3u);
    EXPECT_THROW(count_rows(CellRange{}), Error);  // the whole sheet reaches the bad row
}
