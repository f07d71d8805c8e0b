// COPY's text format and CSV as the loader writes them, byte by byte: each is read back with
// the reading rules of PostgreSQL's COPY (text: copyfromparse.c's backslash escapes; CSV:
// RFC 4180 as COPY ... (FORMAT csv) reads it) and must give the value that was written.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "cli/csv_writer.hpp"
#include "pg/copy_text.hpp"

namespace {

// One COPY text field read back: \N alone is NULL; \\, \t, \n, \r, \b, \f, \v and octal
// escapes as COPY reads them. A raw tab, newline or CR would end the field or the row.
std::optional<std::string> read_copy_field(const std::string& field) {
    if (field == "\\N") return std::nullopt;
    std::string out;
    for (size_t i = 0; i < field.size(); ++i) {
        char c = field[i];
        EXPECT_NE(c, '\t');
        EXPECT_NE(c, '\n');
        EXPECT_NE(c, '\r');
        if (c != '\\') {
            out += c;
            continue;
        }
        char e = field.at(++i);
        switch (e) {
            case 't':
                out += '\t';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'v':
                out += '\v';
                break;
            default:
                EXPECT_FALSE(e >= '0' && e <= '7') << "an octal escape was not meant";
                out += e;  // \\ and any other escaped character: itself
        }
    }
    return out;
}

std::string csv_of(const std::vector<std::optional<std::string>>& fields) {
    char* data = nullptr;
    size_t size = 0;
    std::FILE* out = open_memstream(&data, &size);
    {
        cli::CsvWriter writer(out);
        for (const auto& f : fields)
            if (f)
                writer.field(*f, true);
            else
                writer.empty_field();
        writer.end_row();
    }
    std::fclose(out);
    std::string text(data, size);
    std::free(data);
    return text;
}

// One CSV row read back as COPY (FORMAT csv) reads it: an unquoted empty field is NULL.
std::vector<std::optional<std::string>> read_csv_row(const std::string& row) {
    std::vector<std::optional<std::string>> fields;
    size_t i = 0;
    for (;;) {
        std::optional<std::string> field;
        if (i < row.size() && row[i] == '"') {
            field.emplace();
            for (++i;; ++i) {
                if (row.at(i) == '"') {
                    if (row.at(i + 1) != '"') break;
                    ++i;
                }
                *field += row[i];
            }
            ++i;
        } else {
            std::string text;
            while (row.at(i) != ',' && row.at(i) != '\n') {
                EXPECT_NE(row[i], '"') << "a quote in an unquoted field";
                EXPECT_NE(row[i], '\r');
                text += row[i++];
            }
            if (!text.empty()) field = text;
        }
        fields.push_back(field);
        if (row.at(i) == '\n') {
            EXPECT_EQ(i + 1, row.size());
            return fields;
        }
        EXPECT_EQ(row[i], ',');
        ++i;
    }
}

}  // namespace

TEST(CopyText, EveryByteValueReadsBackAsItself) {
    for (int b = 1; b < 256; ++b) {
        for (std::string value : {std::string(1, static_cast<char>(b)),
                                  "a" + std::string(1, static_cast<char>(b)) + "z",
                                  std::string(3, static_cast<char>(b))}) {
            std::string field;
            pg::append_copy_value(field, value);
            EXPECT_EQ(read_copy_field(field), value) << "byte " << b;
        }
    }
}

TEST(CopyText, OnlyTheFourSpecialBytesAreEscaped) {
    std::string field;
    pg::append_copy_value(field, "a\\b\tc\nd\re\x01\x7f\xc3\xa9");
    EXPECT_EQ(field, "a\\\\b\\tc\\nd\\re\x01\x7f\xc3\xa9");
}

TEST(CopyText, NullAndTheTextBackslashNStayApart) {
    std::string null, text;
    pg::append_copy_null(null);
    pg::append_copy_value(text, "\\N");
    EXPECT_EQ(read_copy_field(null), std::nullopt);
    EXPECT_EQ(read_copy_field(text), "\\N");
    std::string empty;
    pg::append_copy_value(empty, "");
    EXPECT_EQ(read_copy_field(empty), "");
}

TEST(Csv, EveryByteValueReadsBackAsItself) {
    for (int b = 1; b < 256; ++b) {
        std::string one(1, static_cast<char>(b));
        std::vector<std::optional<std::string>> row = {one, "x" + one + "y", "plain"};
        EXPECT_EQ(read_csv_row(csv_of(row)), row) << "byte " << b;
    }
}

TEST(Csv, EmptyStringNullAndTheEndMarkerStayDistinct) {
    std::vector<std::optional<std::string>> row = {"", std::nullopt, "\\.", "a,b", "say \"hi\""};
    std::string csv = csv_of(row);
    EXPECT_EQ(csv, "\"\",,\"\\.\",\"a,b\",\"say \"\"hi\"\"\"\n");
    EXPECT_EQ(read_csv_row(csv), row);
}
