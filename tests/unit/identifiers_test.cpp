// Names as the loader quotes them for SQL and reads them from the command line.
#include <gtest/gtest.h>

#include "pg/connection.hpp"
#include "pg/identifiers.hpp"

using Parts = std::vector<std::string>;

TEST(Identifiers, QuotingDoublesQuotesAndKeepsEverythingElse) {
    EXPECT_EQ(pg::quote_ident("orders"), "\"orders\"");
    EXPECT_EQ(pg::quote_ident("Sales \"2024\""), "\"Sales \"\"2024\"\"\"");
    EXPECT_EQ(pg::quote_ident("a;DROP TABLE t;--"), "\"a;DROP TABLE t;--\"");
    EXPECT_EQ(pg::quote_literal("it's"), "'it''s'");
    EXPECT_EQ(pg::array_literal({"a", "b \"c\"", "d\\e", ""}),
              "{\"a\",\"b \\\"c\\\"\",\"d\\\\e\",\"\"}");
}

TEST(Identifiers, AQuotedNameReadsBackAsWrittenForEveryByte) {
    for (int b = 1; b < 256; ++b) {
        std::string name = "n" + std::string(1, static_cast<char>(b)) + "\"x";
        EXPECT_EQ(pg::parse_qualified_name(pg::quote_ident(name)), Parts{name}) << "byte " << b;
        std::string qualified = pg::quote_ident("s.") + "." + pg::quote_ident(name);
        EXPECT_EQ(pg::parse_qualified_name(qualified), (Parts{"s.", name})) << "byte " << b;
    }
}

TEST(Identifiers, NamesAreReadAsSqlReadsThem) {
    EXPECT_EQ(pg::parse_qualified_name("Orders"), Parts{"orders"});
    EXPECT_EQ(pg::parse_qualified_name(" Public . Orders "), (Parts{"public", "orders"}));
    EXPECT_EQ(pg::parse_qualified_name("\"My Table\""), Parts{"My Table"});
    EXPECT_EQ(pg::parse_qualified_name("_t$1"), Parts{"_t$1"});
    EXPECT_EQ(pg::parse_qualified_name("café"), Parts{"café"});
    for (const char* bad :
         {"", "1abc", "Sales 2024", "a.", ".a", "\"open", "\"\"", "a..b", "a-b", "t; DROP TABLE x"})
        EXPECT_EQ(pg::parse_qualified_name(bad), std::nullopt) << bad;
}

TEST(Identifiers, ATableNameProblemSaysHowToQuoteIt) {
    EXPECT_EQ(pg::table_name_problem("public.orders", false), "");
    EXPECT_NE(pg::table_name_problem("a.b.c", false).find("more than two parts"),
              std::string::npos);
    std::string problem = pg::table_name_problem("Sales 2024", false);
    EXPECT_NE(problem.find("not a valid SQL name"), std::string::npos);
    EXPECT_NE(problem.find("quote it: \"Sales 2024\""), std::string::npos);
    EXPECT_NE(pg::table_name_problem("it's x", true).find("'\"it'\\''s x\"'"), std::string::npos);
}
