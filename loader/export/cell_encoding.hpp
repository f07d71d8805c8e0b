// One value, as the server prints it, into the cell Excel keeps for it. A value is a number,
// a boolean or a date cell only when the cell holds it exactly; otherwise it is written as
// text and the reason is given, for the column's note. Nothing is rounded on the way out.
//
// Input is the server's text output with DateStyle ISO, IntervalStyle postgres and
// extra_float_digits 1 (the shortest exact text of a float), which both the client and the
// extension set for their exports.
#pragma once

#include <string>
#include <string_view>

#include "column_kind.hpp"

namespace xlsx_report {

// Excel's limit on the text of a cell, in characters.
constexpr size_t kMaxCellCharacters = 32767;

struct Cell {
    enum class Type { Number, String, Boolean };
    Type type = Type::String;
    double number = 0;
    bool boolean = false;
    std::string_view text;  // a String's text (the input, or the scratch buffer)
    // Why a value of a typed column became text (a static string, counted per column), or
    // nullptr when the cell is of the column's own kind.
    const char* text_reason = nullptr;
};

// `scratch` holds text that had to be rewritten (`_x0041_` escaped so that readers do not
// take it for an escape); the cell may point into it until the next call.
Cell encode_cell(ColumnKind kind, std::string_view value, std::string& scratch);

// Characters (code points) in UTF-8 text.
size_t utf8_length(std::string_view text);
// The first `characters` characters of UTF-8 text.
std::string_view utf8_prefix(std::string_view text, size_t characters);

// The Excel serial of a calendar date in the 1900 system (1 is 1900-01-01; 60 is Excel's
// fictitious 1900-02-29, which no date maps to), or -1 outside 1900-01-01..9999-12-31.
int64_t date_serial(int32_t year, uint32_t month, uint32_t day);

}  // namespace xlsx_report
