#include <gtest/gtest.h>

#include "xlsx/dates.hpp"

using namespace xlsx;

static std::string render(double serial, NumberKind kind, bool date1904 = false) {
    std::string out;
    if (append_serial(out, serial, kind, date1904) == NumberKind::Number) return "<number>";
    return out;
}

TEST(Dates, Excel1900LeapYearQuirk) {
    EXPECT_EQ(render(1, NumberKind::Date), "1900-01-01");
    EXPECT_EQ(render(59, NumberKind::Date), "1900-02-28");
    EXPECT_EQ(render(60, NumberKind::Date), "1900-02-29");  // fictitious, as Excel shows it
    EXPECT_EQ(render(60.5, NumberKind::DateTime), "1900-02-29 12:00:00");
    EXPECT_EQ(render(59.99999999999, NumberKind::Date), "1900-02-29");  // rounds up to 60
    EXPECT_EQ(render(61, NumberKind::Date), "1900-03-01");
    EXPECT_EQ(render(45306, NumberKind::Date), "2024-01-15");
}

TEST(Dates, System1904) {
    EXPECT_EQ(render(0, NumberKind::Date, true), "1904-01-01");
    EXPECT_EQ(render(1, NumberKind::Date, true), "1904-01-02");
    EXPECT_EQ(render(60, NumberKind::Date, true), "1904-03-01");
}

TEST(Dates, TimesRoundToTheMillisecond) {
    EXPECT_EQ(render(45306.5729166667, NumberKind::DateTime), "2024-01-15 13:45:00");
    EXPECT_EQ(render(0.5 + 0.25 / 86400, NumberKind::Time), "12:00:00.25");
    EXPECT_EQ(render(0.99999999999, NumberKind::DateTime), "00:00:00");  // below 1: a time
    EXPECT_EQ(render(45306.99999999999, NumberKind::DateTime), "2024-01-16 00:00:00");
    EXPECT_EQ(render(1.5, NumberKind::Time), "12:00:00");
}

TEST(Dates, SerialsBelowOneAreTimesIn1900) {
    EXPECT_EQ(render(0.75, NumberKind::Date), "18:00:00");
    EXPECT_EQ(render(0.75, NumberKind::Date, true), "1904-01-01");
}

TEST(Dates, Durations) {
    EXPECT_EQ(render(10.63206018518519, NumberKind::Duration), "255:10:10");
    EXPECT_EQ(render(-0.5, NumberKind::Duration), "-12:00:00");
}

TEST(Dates, OutOfRangeKeepsTheNumber) {
    EXPECT_EQ(render(2958466, NumberKind::Date), "<number>");
    EXPECT_EQ(render(-1e9, NumberKind::Date), "<number>");
    // Excel shows no date before its epoch (#######, or a minus sign in the 1904 system).
    EXPECT_EQ(render(-1.25, NumberKind::DateTime), "<number>");
    EXPECT_EQ(render(-0.5, NumberKind::Time), "<number>");
}

TEST(Dates, IsoCells) {
    auto iso = [](const char* s) {
        std::string out;
        return append_iso_datetime(out, s) ? out : std::string("<bad>");
    };
    EXPECT_EQ(iso("2021-03-04T05:06:07Z"), "2021-03-04 05:06:07");
    EXPECT_EQ(iso("2021-03-04T00:00:00"), "2021-03-04 00:00:00");  // a time part: a datetime
    EXPECT_EQ(iso("2021-03-04"), "2021-03-04");
    EXPECT_EQ(iso("13:45:00.250"), "13:45:00.25");
    EXPECT_EQ(iso("yesterday"), "<bad>");
}
