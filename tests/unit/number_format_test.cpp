#include <gtest/gtest.h>

#include "xlsx/number_format.hpp"

using namespace xlsx;

TEST(NumberFormat, BuiltIns) {
    EXPECT_EQ(builtin_format_kind(0), NumberKind::Number);
    EXPECT_EQ(builtin_format_kind(9), NumberKind::Number);  // 0%
    EXPECT_EQ(builtin_format_kind(14), NumberKind::Date);
    EXPECT_EQ(builtin_format_kind(20), NumberKind::Time);
    EXPECT_EQ(builtin_format_kind(22), NumberKind::DateTime);
    EXPECT_EQ(builtin_format_kind(46), NumberKind::Duration);
    EXPECT_EQ(builtin_format_kind(49), NumberKind::Number);  // @
}

TEST(NumberFormat, CustomCodes) {
    EXPECT_EQ(classify_format("yyyy-mm-dd"), NumberKind::Date);
    EXPECT_EQ(classify_format("yyyy\\-mm\\-dd;@"), NumberKind::Date);
    EXPECT_EQ(classify_format("dd/mm/yyyy hh:mm:ss"), NumberKind::DateTime);
    EXPECT_EQ(classify_format("h:mm AM/PM"), NumberKind::Time);
    EXPECT_EQ(classify_format("mm:ss.0"), NumberKind::Time);
    EXPECT_EQ(classify_format("[h]:mm:ss"), NumberKind::Duration);
    EXPECT_EQ(classify_format("[$-409]mmmm d, yyyy"), NumberKind::Date);
    EXPECT_EQ(classify_format("mmm"), NumberKind::Date);  // a month on its own
}

TEST(NumberFormat, NotDates) {
    EXPECT_EQ(classify_format("General"), NumberKind::Number);
    EXPECT_EQ(classify_format("[Red]0.00"), NumberKind::Number);
    EXPECT_EQ(classify_format("0.00E+00"), NumberKind::Number);
    EXPECT_EQ(classify_format("\"m\"0"), NumberKind::Number);  // quoted m
    EXPECT_EQ(classify_format("0\\d"), NumberKind::Number);    // escaped d
    EXPECT_EQ(classify_format("#,##0_);[Red](#,##0)"), NumberKind::Number);
    EXPECT_EQ(classify_format("\"This is \"\\ 0.0"), NumberKind::Number);
    EXPECT_EQ(classify_format("0.00%"), NumberKind::Number);
}
