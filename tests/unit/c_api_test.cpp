#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
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
    ASSERT_EQ(xlsx_workbook_open(path.c_str(), 1, nullptr, &wb, &error), XLSX_OK);
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
    EXPECT_EQ(xlsx_workbook_open("/nonexistent/file.xlsx", 1, nullptr, &wb, &error), XLSX_ERR_IO);
    EXPECT_EQ(wb, nullptr);
    ASSERT_NE(error, nullptr);
    EXPECT_NE(std::string(error).find("/nonexistent/file.xlsx"), std::string::npos);
    xlsx_free_string(error);
    EXPECT_EQ(xlsx_workbook_open(nullptr, 1, nullptr, &wb, nullptr), XLSX_ERR_ARGUMENT);
}

TEST(CApi, AWorkbookInMemoryReadsAsItsFile) {
    std::string path = testsupport::temp_path("c_api_memory.xlsx");
    testsupport::write_zip(
        path,
        testsupport::minimal_workbook(
            R"(<worksheet><sheetData><row r="1"><c r="A1"><v>851461.6800000001</v></c></row></sheetData></worksheet>)"));
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    xlsx_workbook* wb = nullptr;
    char* error = nullptr;
    ASSERT_EQ(
        xlsx_workbook_open_memory(bytes.data(), bytes.size(), "upload", 2, nullptr, &wb, &error),
        XLSX_OK);
    xlsx_sheet_info info;
    ASSERT_EQ(xlsx_workbook_sheet_info(wb, 0, &info), 1);
    EXPECT_STREQ(info.name, "Data");
    EXPECT_STREQ(info.kind, "worksheet");
    EXPECT_EQ(info.part_missing, 0);
    EXPECT_EQ(xlsx_workbook_sheet_info(wb, 1, &info), 0);
    xlsx_sheet_reader* reader = nullptr;
    ASSERT_EQ(xlsx_sheet_open(wb, "Data", &reader, &error), XLSX_OK);
    uint32_t row = 0;
    const xlsx_cell* cells = nullptr;
    size_t count = 0;
    ASSERT_EQ(xlsx_sheet_next_row(reader, &row, &cells, &count, &error), XLSX_OK);
    EXPECT_EQ(std::string(cells[0].data, cells[0].size), "851461.68");
    EXPECT_GT(xlsx_sheet_bytes_read(reader), 0u);
    xlsx_sheet_close(reader);
    xlsx_workbook_close(wb);

    // Bad bytes in memory get the errors a bad file gets, under the label.
    const char ole2[16] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";  // a header cut short
    EXPECT_EQ(xlsx_workbook_open_memory(ole2, sizeof ole2, "old upload", 1, nullptr, &wb, &error),
              XLSX_ERR_NOT_WORKBOOK);
    ASSERT_NE(error, nullptr);
    EXPECT_NE(std::string(error).find("old upload"), std::string::npos) << error;
    xlsx_free_string(error);
    std::string cut = bytes.substr(0, bytes.size() / 2);
    EXPECT_EQ(xlsx_workbook_open_memory(cut.data(), cut.size(), "cut", 1, nullptr, &wb, &error),
              XLSX_ERR_CORRUPT_ZIP);
    xlsx_free_string(error);
}

TEST(CApi, TypesAndColumnNamesAreTheLoadersOwn) {
    xlsx_type_inference* types = xlsx_types_new();
    xlsx_types_add(types, 1, XLSX_CELL_NUMBER, "3000000000", 10);
    xlsx_types_add(types, 2, XLSX_CELL_NUMBER, "1.5", 3);
    xlsx_types_add(types, 3, XLSX_CELL_STRING, "00123", 5);
    xlsx_types_add(types, 4, XLSX_CELL_DATE, "2024-02-29", 10);
    xlsx_types_add(types, 4, XLSX_CELL_DATETIME, "2024-02-29 10:00:00", 19);
    EXPECT_STREQ(xlsx_types_column(types, 1), "bigint");
    EXPECT_STREQ(xlsx_types_column(types, 2), "numeric");
    EXPECT_STREQ(xlsx_types_column(types, 3), "text");
    EXPECT_STREQ(xlsx_types_column(types, 4), "timestamp");
    EXPECT_STREQ(xlsx_types_column(types, 5), "text");
    xlsx_types_free(types);

    const char* headers[] = {"Customer Name", "", "customer name"};
    size_t sizes[] = {13, 0, 13};
    char* names[3];
    ASSERT_EQ(xlsx_column_names(headers, sizes, 3, names, nullptr), XLSX_OK);
    EXPECT_STREQ(names[0], "customer_name");
    EXPECT_STREQ(names[1], "column_2");
    EXPECT_STREQ(names[2], "customer_name_2");
    for (char* n : names)
        xlsx_free_string(n);
}
