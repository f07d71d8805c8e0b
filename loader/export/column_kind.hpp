// How a PostgreSQL column's values become Excel cells: the kind of cell each type gives, and
// the number format that goes with it. Types are told by their OIDs (stable across releases)
// so that this library needs neither libpq nor the server's headers; a domain is described by
// its base type, as the server itself sends it.
#pragma once

#include <cstdint>
#include <string>

namespace xlsx_report {

enum class ColumnKind {
    Integer,      // int2, int4, int8, oid: numbers up to 15 digits
    Float,        // float4, float8: numbers, the double exactly
    Numeric,      // numbers when the double holds the value as written
    Date,         // serials, 1900 system
    Timestamp,    // serials
    TimestampTz,  // serials of the wall time in the session's time zone
    Time,         // fractions of a day
    Interval,     // durations in days, shown as [h]:mm:ss
    Boolean,
    Text,  // everything else, as the server prints it
};

struct ColumnType {
    uint32_t oid = 0;
    int32_t typmod = -1;
};

ColumnKind column_kind_of(ColumnType type);

// The Excel number format for the column's cells ("" for General): money (numeric with scale
// 2) as #,##0.00, dates and times with as many fraction digits as the type keeps (at most 3,
// what Excel shows).
std::string number_format_of(ColumnType type);

// "numeric", "timestamp with time zone": for notes.
const char* kind_name(ColumnKind kind);

}  // namespace xlsx_report
