#include <gtest/gtest.h>

#include <string>

#include "support/zip_writer.hpp"
#include "xlsx/c_api.h"

TEST(CApi, ReadsRowsWithoutThreads) {
    std::string path = testsupport::temp_path("c_api.xlsx");
    testsupport::write_zip(
        path,
        testsupport::minimal_workbook(
            R"(<worksheet><sheetData><row r="2"><c r="B2"><v>42</v></c><c r="C2" t="inlineStr"><is><t>hi</t></is></c></row></sheetData></worksheet>)"));
    xlsx_workbook* wb = nullptr;
    char* error = nullptr;
    ASSERT_EQ(xlsx_workbook_open(path.c_str(), 1, &wb, &error), XLSX_OK);
    EXPECT_EQ(xlsx_workbook_sheet_count(wb), 1u);
    EXPECT_STREQ(xlsx_workbook_sheet_name(wb, 0), "Data");
    xlsx_sheet_reader* reader = nullptr;
    ASSERT_EQ(xlsx_sheet_open(wb, nullptr, &reader, &error), XLSX_OK);
    uint32_t row = 0;
    const xlsx_cell* cells = nullptr;
    size_t count = 0;
    ASSERT_EQ(xlsx_sheet_next_row(reader, &row, &cells, &count, &error), XLSX_OK);
    EXPECT_EQ(row, 2u);
    ASSERT_EQ(count, 2u);
    EXPECT_EQ(std::string(cells[0].data, cells[0].size), "42");
    EXPECT_EQ(cells[0].type, XLSX_CELL_NUMBER);
    EXPECT_EQ(cells[1].column, 3u);
    EXPECT_EQ(xlsx_sheet_next_row(reader, &row, &cells, &count, &error), XLSX_END);
    xlsx_sheet_close(reader);
    EXPECT_EQ(xlsx_sheet_open(wb, "Missing", &reader, &error), XLSX_ERR_MISSING_SHEET);
    ASSERT_NE(error, nullptr);
    EXPECT_NE(std::string(error).find("Data"), std::string::npos);
    xlsx_free_string(error);
    xlsx_workbook_close(wb);
}

TEST(CApi, ErrorsAreCodesWithMessages) {
    xlsx_workbook* wb = nullptr;
    char* error = nullptr;
    EXPECT_EQ(xlsx_workbook_open("/nonexistent/file.xlsx", 1, &wb, &error), XLSX_ERR_IO);
    EXPECT_EQ(wb, nullptr);
    ASSERT_NE(error, nullptr);
    EXPECT_NE(std::string(error).find("/nonexistent/file.xlsx"), std::string::npos);
    xlsx_free_string(error);
    EXPECT_EQ(xlsx_workbook_open(nullptr, 1, &wb, nullptr), XLSX_ERR_ARGUMENT);
}
