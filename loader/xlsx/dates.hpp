// Excel serial numbers to calendar values. The 1900 system counts Excel's fictitious
// 1900-02-29 (serial 60): serials 1..59 are shifted by a day, and 60 itself is given as Excel
// shows it, 1900-02-29, a day no calendar has: a date column refuses it (a reject naming the
// row), a text column keeps it, and nothing lands silently on 1900-02-28, which serial 59 is.
// The 1904 system has no quirk.
// Fractions of a second are rounded to the millisecond, as Excel rounds them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "number_format.hpp"

namespace xlsx {

struct CivilDateTime {
    int32_t year = 0;
    uint32_t month = 0, day = 0;
    int64_t millis_of_day = 0;  // 0 .. 86,399,999
};

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
int64_t days_from_civil(int32_t y, uint32_t m, uint32_t d);
void civil_from_days(int64_t days, int32_t& y, uint32_t& m, uint32_t& d);

// nullopt outside Excel's range (before its epoch or after 9999-12-31).
std::optional<CivilDateTime> serial_to_datetime(double serial, bool date1904);

// Appends the value as PostgreSQL reads it: "2024-01-15", "13:45:00.25",
// "2024-01-15 13:45:00", or an interval "255:10:10" for a duration. Returns the kind written
// (a date below serial 1 in the 1900 system is a time), or Number, appending nothing, when
// the serial is out of range, so that the caller keeps the number.
NumberKind append_serial(std::string& out, double serial, NumberKind kind, bool date1904);

// An ISO 8601 value from a t="d" cell ("2021-03-04T05:06:07Z") in the same forms.
bool append_iso_datetime(std::string& out, std::string_view iso);

}  // namespace xlsx
