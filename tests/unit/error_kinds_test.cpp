// The kinds table is the one source of exit codes, HTTP statuses and the README's list.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <set>
#include <sstream>

#include "load/errors.hpp"
#include "pg/connection.hpp"

using load::ErrorKind;

namespace {

// The README's table, as the kinds table says it.
std::string kinds_markdown() {
    std::string out =
        "| error kind | exit code | serve's HTTP status | meaning |\n"
        "| --- | ---: | ---: | --- |\n";
    for (const load::ErrorKindInfo& k : load::error_kinds())
        out += fmt::format("| {} | {} | {} | {} |\n",
                           *k.name ? fmt::format("`{}`", k.name) : std::string("(none)"),
                           k.exit_code, k.http_status, k.meaning);
    return out;
}

std::string readme_kinds() {
    std::ifstream in(std::string(XLSX_SOURCE_DIR) + "/README.md");
    std::stringstream text;
    text << in.rdbuf();
    std::string readme = text.str();
    const std::string begin = "<!-- error kinds: begin -->\n", end = "<!-- error kinds: end -->";
    size_t from = readme.find(begin), to = readme.find(end);
    if (from == std::string::npos || to == std::string::npos) return "(no markers in README.md)";
    from += begin.size();
    return readme.substr(from, to - from);
}

}  // namespace

TEST(ErrorKinds, EveryKindHasOneRowInTheEnumsOrderAndAUniqueName) {
    std::set<std::string> names;
    size_t i = 0;
    for (const load::ErrorKindInfo& k : load::error_kinds()) {
        EXPECT_EQ(static_cast<size_t>(k.kind), i++) << k.name;
        EXPECT_TRUE(names.insert(k.name).second) << "twice: " << k.name;
        EXPECT_GE(k.http_status, 400);
        EXPECT_NE(k.exit_code, 0);
        EXPECT_NE(k.exit_code, 1);  // success with rejects
        EXPECT_NE(k.exit_code, 3);  // usage
    }
    EXPECT_EQ(i, static_cast<size_t>(ErrorKind::Internal) + 1);
    EXPECT_STREQ(load::info_of(ErrorKind::Internal).name, "");
}

TEST(ErrorKinds, TheReadersKindsKeepTheReadersNames) {
    for (int k = 0; k <= static_cast<int>(xlsx::ErrorKind::WrongPassword); ++k) {
        auto reader = static_cast<xlsx::ErrorKind>(k);
        EXPECT_STREQ(load::info_of(load::kind_of_reader_error(reader)).name,
                     xlsx::error_kind_name(reader));
    }
}

TEST(ErrorKinds, EachExceptionGetsItsKind) {
    auto kind = [](const std::exception& e) { return load::kind_of(e); };
    EXPECT_EQ(kind(xlsx::Error(xlsx::ErrorKind::Encrypted, "x")), ErrorKind::Encrypted);
    EXPECT_EQ(kind(load::LoadError(ErrorKind::ForbiddenTarget, "x")), ErrorKind::ForbiddenTarget);
    EXPECT_EQ(kind(pg::PgError("bad integer", "22P02")), ErrorKind::InvalidInput);
    EXPECT_EQ(kind(pg::PgError("check", "23514")), ErrorKind::InvalidInput);
    EXPECT_EQ(kind(pg::PgError("gone", "57P01")), ErrorKind::Database);
    EXPECT_EQ(kind(pg::PgError("no table", "42P01")), ErrorKind::Database);
    EXPECT_EQ(kind(std::invalid_argument("header")), ErrorKind::InvalidInput);
    EXPECT_EQ(kind(std::runtime_error("?")), ErrorKind::Internal);
}

TEST(ErrorKinds, StatusesSayWhoseFaultItIs) {
    EXPECT_EQ(load::info_of(ErrorKind::Database).http_status, 503);
    EXPECT_EQ(load::info_of(ErrorKind::Interrupted).http_status, 503);
    EXPECT_EQ(load::info_of(ErrorKind::ForbiddenTarget).http_status, 403);
    EXPECT_EQ(load::info_of(ErrorKind::Io).http_status, 500);
    EXPECT_EQ(load::info_of(ErrorKind::InvalidInput).http_status, 422);
    EXPECT_EQ(load::info_of(ErrorKind::TooManyRejects).http_status, 422);
    EXPECT_EQ(load::info_of(ErrorKind::LegacyXls).http_status, 422);
    EXPECT_EQ(load::info_of(ErrorKind::Interrupted).exit_code, 130);
    EXPECT_EQ(load::info_of(ErrorKind::Database).exit_code, 2);
}

TEST(ErrorKinds, TheReadmeListsTheTableAsItIs) {
    EXPECT_EQ(readme_kinds(), kinds_markdown())
        << "README.md's error kinds differ from loader/load/errors.cpp; put this between its "
           "markers:\n"
        << kinds_markdown();
}
