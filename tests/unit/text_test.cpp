#include <gtest/gtest.h>

#include "xlsx/package.hpp"
#include "xlsx/text.hpp"

using namespace xlsx;

TEST(Text, Escapes) {
    auto decode = [](std::string s) {
        decode_xstring_escapes(s, 0);
        return s;
    };
    EXPECT_EQ(decode("a_x000D_\nb"), "a\r\nb");
    EXPECT_EQ(decode("_x005F_x000D_"), "_x000D_");  // an escaped underscore stays literal
    EXPECT_EQ(decode("x_x0041_y"), "xAy");
    EXPECT_EQ(decode("_xD83D__xDE00_"), "\xF0\x9F\x98\x80");  // a surrogate pair
    EXPECT_EQ(decode("_x00G1_"), "_x00G1_");
    EXPECT_EQ(decode("no escapes"), "no escapes");
}

TEST(Text, CellReferences) {
    uint32_t col = 0, row = 0;
    ASSERT_TRUE(parse_cell_ref("A1", col, row));
    EXPECT_EQ(col, 1u);
    EXPECT_EQ(row, 1u);
    ASSERT_TRUE(parse_cell_ref("XFD1048576", col, row));
    EXPECT_EQ(col, 16384u);
    EXPECT_EQ(row, 1048576u);
    ASSERT_TRUE(parse_cell_ref("$B$7", col, row));
    EXPECT_EQ(col, 2u);
    EXPECT_FALSE(parse_cell_ref("A-1", col, row));
    EXPECT_FALSE(parse_cell_ref("", col, row));
}

TEST(Text, PartResolution) {
    EXPECT_EQ(Package::resolve("xl/workbook.xml", "worksheets/sheet1.xml"),
              "xl/worksheets/sheet1.xml");
    EXPECT_EQ(Package::resolve("xl/workbook.xml", "/xl/worksheets/a.xml"), "xl/worksheets/a.xml");
    EXPECT_EQ(Package::resolve("xl/workbook.xml", "../customXml/item1.xml"), "customXml/item1.xml");
    EXPECT_EQ(Package::resolve("", "xl\\workbook.xml"), "xl/workbook.xml");
    EXPECT_EQ(Package::normalize("/XL/SharedStrings.xml"), "xl/sharedstrings.xml");
}
