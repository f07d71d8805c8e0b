// What kind of value a number format makes of a number: Excel stores dates and times as serial
// numbers, and only the cell's number format says which numbers are dates.
#pragma once

#include <cstdint>
#include <string_view>

namespace xlsx {

enum class NumberKind : uint8_t { Number, Date, Time, DateTime, Duration };

// Kind of a built-in format id (0-163), or Number for ids without a date meaning.
NumberKind builtin_format_kind(uint32_t id);

// Kind of a custom format code, from its tokens outside quotes, escapes and [...] sections:
// y/d/m(onth) make a date, h/s/m(inute)/AM/PM a time, [h] [m] [s] an elapsed duration.
// [Red], [$-409] and conditions are not dates; "m" inside quotes is not a month.
NumberKind classify_format(std::string_view code);

}  // namespace xlsx
