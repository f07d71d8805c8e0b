// Hostile workbooks: each gets a clear error (naming where) or a documented treatment, within
// bounded memory and time. The cases the reader tests already cover (zip bomb, DOCTYPE, shared
// string index past the table, duplicated cells, rows past 1,048,576, columns past XFD) are in
// reader_test.cpp.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>

#include "support/zip_writer.hpp"
#include "xlsx/error.hpp"
#include "xlsx/sheet_reader.hpp"

using namespace xlsx;
using testsupport::minimal_workbook;
using testsupport::temp_path;
using testsupport::write_zip;

namespace {

const std::string kOpen =
    R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)";
const std::string kData = "<sheetData>";
const std::string kClose = "</sheetData></worksheet>";

std::string book(const std::string& name, const std::string& sheet_xml,
                 const std::string& strings = "", const std::string& styles = "") {
    std::string path = temp_path(name + ".xlsx");
    write_zip(path, minimal_workbook(sheet_xml, strings, styles));
    return path;
}

struct Outcome {
    std::optional<Error> error;
    std::string cells;  // "A1=value;" for each cell read
};

Outcome read(const std::string& path) {
    Outcome out;
    try {
        Workbook workbook(path);
        SheetReader reader(workbook, workbook.first_sheet());
        while (auto batch = reader.next())
            for (const Row& row : batch->rows)
                for (const Cell& cell : batch->cells_of(row))
                    out.cells += column_name(cell.column) + std::to_string(row.number) + "=" +
                                 std::string(cell.text()) + ";";
    } catch (const Error& e) {
        out.error = e;
    }
    return out;
}

long peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

}  // namespace

TEST(Hostile, BillionLaughsAndExternalEntitiesAreNeverExpanded) {
    std::string laughs = R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">)";
    for (int i = 1; i < 10; ++i) {
        std::string previous = i == 1 ? "lol" : "lol" + std::to_string(i - 1);
        std::string ten;
        for (int k = 0; k < 10; ++k)
            ten += "&" + previous + ";";
        laughs += "<!ENTITY lol" + std::to_string(i) + " \"" + ten + "\">";
    }
    laughs +=
        "]>" + kOpen + kData + "<row><c t=\"inlineStr\"><is><t>&lol9;</t></is></c></row>" + kClose;
    Outcome a = read(book("laughs", laughs));
    ASSERT_TRUE(a.error);
    EXPECT_EQ(a.error->kind(), ErrorKind::ForbiddenXml);
    EXPECT_EQ(a.error->where().part, "xl/worksheets/data.xml") << a.error->what();

    std::string xxe =
        R"(<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>)"
        R"(<sst><si><t>&x;</t></si></sst>)";
    Outcome b =
        read(book("xxe", kOpen + kData + R"(<row><c t="s"><v>0</v></c></row>)" + kClose, xxe));
    ASSERT_TRUE(b.error);
    EXPECT_EQ(b.error->kind(), ErrorKind::ForbiddenXml);
    EXPECT_EQ(b.error->where().part, "xl/strings.xml");
    EXPECT_EQ(b.cells, "");

    std::string styles =
        R"(<?xml version="1.0"?><!DOCTYPE s SYSTEM "http://example.invalid/s.dtd"><styleSheet/>)";
    Outcome c = read(book("xxe_styles", kOpen + kData + kClose, "", styles));
    ASSERT_TRUE(c.error);
    EXPECT_EQ(c.error->kind(), ErrorKind::ForbiddenXml);
}

// A <dimension> is a claim, not an allocation: nothing is sized from it.
TEST(Hostile, DimensionClaimingABillionRowsIsIgnored) {
    Outcome o = read(book("dimension", kOpen + R"(<dimension ref="A1:XFD1000000000"/>)" + kData +
                                           R"(<row r="1"><c r="A1"><v>1</v></c></row>)" + kClose));
    EXPECT_FALSE(o.error);
    EXPECT_EQ(o.cells, "A1=1;");
    EXPECT_LT(peak_rss_mb(), 400);
}

TEST(Hostile, DeepNestingIsBoundedByTheInput) {
    std::string deep;
    for (int i = 0; i < 200000; ++i)
        deep += "<x>";
    for (int i = 0; i < 200000; ++i)
        deep += "</x>";
    auto start = std::chrono::steady_clock::now();
    Outcome o = read(book("nested", kOpen + kData + R"(<row r="1"><c r="A1"><v>7</v></c>)" + deep +
                                        "</row>" + kClose));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    // Unknown elements are skipped, however deep: the cell around them is read.
    EXPECT_FALSE(o.error) << o.error->what();
    EXPECT_EQ(o.cells, "A1=7;");
}

TEST(Hostile, CellsOutOfOrderAreRefusedWithTheirPlace) {
    Outcome o = read(book(
        "order", kOpen + kData +
                     R"(<row r="3"><c r="C3"><v>1</v></c><c r="A3"><v>2</v></c></row>)" + kClose));
    ASSERT_TRUE(o.error);
    EXPECT_EQ(o.error->kind(), ErrorKind::InvalidValue);
    EXPECT_EQ(o.error->where().row, 3u);
    EXPECT_NE(std::string(o.error->what()).find("A3"), std::string::npos) << o.error->what();
}

// 100 MB in one cell: stopped by a bound (the cell size, or the compression ratio first),
// without holding the whole value.
TEST(Hostile, HundredMegabyteCellStopsAtABound) {
    std::string sheet = kOpen + kData + R"(<row r="1"><c r="A1" t="inlineStr"><is><t>)";
    sheet.append(100u << 20, 'a');
    sheet += "</t></is></c></row>" + kClose;
    std::string path = book("big_cell", sheet);
    sheet.clear();
    sheet.shrink_to_fit();
    Outcome o = read(path);
    ASSERT_TRUE(o.error);
    EXPECT_EQ(o.error->kind(), ErrorKind::LimitExceeded) << o.error->what();
    EXPECT_LT(peak_rss_mb(), 600);
}

TEST(Hostile, InvalidUtf8AndRawNulAreMalformedXmlWithTheirLine) {
    Outcome bad = read(
        book("utf8",
             kOpen + kData +
                 "\n<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>\xC3\x28</t></is></c></row>" +
                 kClose));
    ASSERT_TRUE(bad.error);
    EXPECT_EQ(bad.error->kind(), ErrorKind::MalformedXml);
    EXPECT_EQ(bad.error->where().line, 2u);

    std::string nul = kOpen + kData + "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a";
    nul += '\0';
    nul += "b</t></is></c></row>" + kClose;
    Outcome raw = read(book("nul", nul));
    ASSERT_TRUE(raw.error);
    EXPECT_EQ(raw.error->kind(), ErrorKind::MalformedXml);
}

// The _x0000_ escape is how Excel stores a NUL: the reader gives it back as it is, and the
// loader refuses the row (PostgreSQL text cannot hold it; see the loader tests).
TEST(Hostile, EscapedNulIsReadAsAValue) {
    Outcome o = read(book(
        "escaped_nul",
        kOpen + kData +
            R"(<row r="1"><c r="A1" t="inlineStr"><is><t>a_x0000_b</t></is></c></row>)" + kClose));
    EXPECT_FALSE(o.error);
    EXPECT_EQ(o.cells, std::string("A1=a\0b;", 7));
}

// A style index that is negative, huge or past cellXfs is "no style": the number stays a
// number (Excel itself repairs such files the same way).
TEST(Hostile, NegativeAndHugeStyleIndexesMeanNoStyle) {
    Outcome o = read(book(
        "styles",
        kOpen + kData +
            R"(<row r="1"><c r="A1" s="-1"><v>45000</v></c><c r="B1" s="4294967296"><v>1.5</v></c>)"
            R"(<c r="C1" s="99999"><v>2</v></c></row>)" +
            kClose));
    ASSERT_FALSE(o.error) << o.error->what();
    EXPECT_EQ(o.cells, "A1=45000;B1=1.5;C1=2;");
}
