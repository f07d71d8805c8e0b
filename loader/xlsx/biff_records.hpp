// The BIFF records of a legacy .xls workbook stream ([MS-XLS] 2.1.4): records read one after
// another with their lengths checked, the bytes of a record and its CONTINUE records read as
// one, and the string, number and code page encodings the records use. legacy_xls reads the
// workbook with them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"

namespace xlsx::biff {

// Throws CorruptZip: "the .xls workbook is damaged: ...".
[[noreturn]] void damaged(const ErrorLocation& where, const std::string& what);

struct Record {
    uint16_t type = 0;
    std::string_view data;
};

// The records of the stream from an offset on; each one's length is checked against the stream.
class Records {
public:
    Records(const std::string& stream, size_t offset, const ErrorLocation& where)
        : stream_(stream), pos_(offset), where_(where) {}
    bool next(Record& r);
    uint16_t peek_type() const;
    size_t position() const { return pos_; }

private:
    const std::string& stream_;
    size_t pos_;
    const ErrorLocation& where_;
};

// Bytes of a record and of the CONTINUE records after it, read as one; a string's characters
// cut by a CONTINUE start again with a flags byte ([MS-XLS] 2.5.293).
class Cursor {
public:
    Cursor(std::string_view first, const ErrorLocation& where, const char* record)
        : where_(where), record_(record) {
        segments_.push_back(first);
    }
    void add(std::string_view more) { segments_.push_back(more); }
    bool at_end();
    uint8_t u8();
    uint16_t u16() { return static_cast<uint16_t>(u8() | u8() << 8); }
    uint32_t u32() { return u16() | static_cast<uint32_t>(u16()) << 16; }
    double f64();
    void skip(uint64_t n);
    // BIFF8 characters, one or two bytes each by `high`, as UTF-8.
    void chars(size_t count, bool high, std::string& out);

private:
    std::vector<std::string_view> segments_;
    size_t segment_ = 0, pos_ = 0;
    const ErrorLocation& where_;
    const char* record_;
};

// BIFF8's XLUnicodeString (a 16-bit length) or ShortXLUnicodeString (8-bit), rich text runs
// and phonetic data skipped.
std::string unicode_string(Cursor& c, bool short_length);
// BIFF5's byte string, in the workbook's code page (an iconv name).
std::string byte_string(Cursor& c, bool short_length, const std::string& codepage,
                        const ErrorLocation& where);
// An RK number: a 30-bit integer or the high 30 bits of a double, perhaps divided by 100.
double rk_value(uint32_t rk);
// "#DIV/0!" for the error code 0x07, and so on.
const char* error_text(uint8_t code);
// The iconv name of a CODEPAGE record's value.
std::string codepage_name(uint16_t id);

}  // namespace xlsx::biff
