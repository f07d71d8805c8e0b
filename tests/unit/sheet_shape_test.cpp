// The sheet shaper on hand-made sheets: what libxlsxwriter's and LibreOffice's reports
// (integration.shapes) do not hold: rows a merge spans that the XML leaves out, merges a range
// cuts, prefixed and spaced <mergeCell> tags, cells past the header, and bounds.
#include <gtest/gtest.h>

#include "support/zip_writer.hpp"
#include "xlsx/cell_range.hpp"
#include "xlsx/error.hpp"
#include "xlsx/sheet_reader.hpp"

using namespace xlsx;
using testsupport::minimal_workbook;
using testsupport::temp_path;
using testsupport::write_zip;

namespace {

std::string book(const std::string& name, const std::string& rows, const std::string& merges) {
    std::string path = temp_path(name + ".xlsx");
    write_zip(
        path,
        minimal_workbook(
            R"(<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>)" +
                rows + "</x:sheetData>" + merges + "</x:worksheet>",
            R"(<sst><si><t>Region</t></si><si><t>Q1</t></si><si><t>Units</t></si><si><t>North</t></si></sst>)"));
    return path;
}

std::string dump(const std::string& path, const SheetShape& shape, const CellRange& range = {}) {
    Workbook workbook(path);
    SheetReader reader(workbook, workbook.first_sheet(), true, range, shape);
    std::string out;
    while (auto batch = reader.next())
        for (const Row& row : batch->rows) {
            out += std::to_string(row.number) + ":";
            for (const Cell& c : batch->cells_of(row))
                out += " " + column_name(c.column) + "=" + std::string(c.text());
            out += "\n";
        }
    return out;
}

SheetShape fill() {
    SheetShape s;
    s.fill_merged = true;
    return s;
}

// Region merged down over the two header rows, Q1 over B:C, North over rows 3 to 5 of which
// the XML holds only row 3 (a writer that leaves unstyled blank rows out).
const std::string kRows =
    R"(<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c></x:row>)"
    R"(<x:row r="2"><x:c r="B2" t="s"><x:v>2</x:v></x:c><x:c r="C2"><x:v>7</x:v></x:c></x:row>)"
    R"(<x:row r="3"><x:c r="A3" t="s"><x:v>3</x:v></x:c><x:c r="B3"><x:v>31</x:v></x:c></x:row>)"
    R"(<x:row r="7"><x:c r="B7"><x:v>71</x:v></x:c></x:row>)";
const std::string kMerges =
    "<x:mergeCells count=\"3\"><x:mergeCell ref=\"A1:A2\"/><x:mergeCell\n ref = 'B1:C1' />"
    "<x:mergeCell ref=\"A3:A5\"></x:mergeCell></x:mergeCells>";

}  // namespace

TEST(SheetShape, MergedCellsFillTheRowsTheXmlLeavesOut) {
    auto path = book("gaps", kRows, kMerges);
    EXPECT_EQ(dump(path, fill()),
              "1: A=Region B=Q1 C=Q1\n2: A=Region B=Units C=7\n3: A=North B=31\n"
              "4: A=North\n5: A=North\n7: B=71\n");
    EXPECT_EQ(dump(path, SheetShape{}),
              "1: A=Region B=Q1\n2: B=Units C=7\n3: A=North B=31\n7: B=71\n");
}

TEST(SheetShape, HeaderRowsJoinOncePerMergeAndOnlyTheirMergesFill) {
    SheetShape two;
    two.header_row = 1;
    two.header_rows = 2;
    // Region said once though merged down; Q1 over both its columns; North not filled.
    EXPECT_EQ(dump(book("header", kRows, kMerges), two),
              "1: A=Region B=Q1 Units C=Q1 7\n3: A=North B=31\n7: B=71\n");
}

TEST(SheetShape, ARangeCutsMergesAndLeavesOutWhatItDoesNotRead) {
    // From column B: Region's merge is outside; from row 4, North's first cell is not read.
    EXPECT_EQ(dump(book("range", kRows, kMerges), fill(), *parse_cell_range("B1:C7")),
              "1: A=Q1 B=Q1\n2: A=Units B=7\n3: A=31\n7: A=71\n");
    EXPECT_EQ(dump(book("range2", kRows, kMerges), fill(), *parse_cell_range("A4:C7")),
              "7: B=71\n");
}

TEST(SheetShape, SourceColumnsGoAfterTheHeadersLastColumn) {
    SheetShape s;
    s.header_row = 2;
    s.source_columns = parse_source_columns("sheet,row=line,file=src");
    s.file_label = "book.xlsx";
    // Row 3's cells stay; a data cell past the header (none here) would move right.
    EXPECT_EQ(dump(book("sources", kRows, kMerges), s),
              "1: A=Region B=Q1\n2: B=Units C=7 D=sheet E=line F=src\n"
              "3: A=North B=31 D=Data E=3 F=book.xlsx\n7: B=71 D=Data E=7 F=book.xlsx\n");
    // A value past the header's last column moves past the source columns (and is refused
    // there as any value past the header is).
    std::string wide =
        R"(<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c></x:row>)"
        R"(<x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c><x:c r="B2"><x:v>2</x:v></x:c></x:row>)";
    s.header_row = 1;
    s.source_columns = parse_source_columns("row");
    EXPECT_EQ(dump(book("wide", wide, ""), s), "1: A=Region B=row\n2: A=1 B=2 C=2\n");
}

TEST(SheetShape, SourceColumnListsAreCheckedAndMergesBounded) {
    EXPECT_THROW(parse_source_columns("file,colour"), std::invalid_argument);
    EXPECT_THROW(parse_source_columns("file,file=f"), std::invalid_argument);
    EXPECT_THROW(parse_source_columns("row="), std::invalid_argument);
    EXPECT_THROW(parse_source_columns(""), std::invalid_argument);
    EXPECT_EQ(parse_source_columns("file=source_file")[0].name, "source_file");
    try {
        dump(book("huge", kRows,
                  R"(<x:mergeCells><x:mergeCell ref="A1:XFD1048576"/></x:mergeCells>)"),
             fill());
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::LimitExceeded);
        EXPECT_NE(std::string(e.what()).find("A:XFD cover"), std::string::npos) << e.what();
    }
    try {
        dump(book("bad_ref", kRows, R"(<x:mergeCells><x:mergeCell ref="A1:"/></x:mergeCells>)"),
             fill());
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidValue);
    }
}
