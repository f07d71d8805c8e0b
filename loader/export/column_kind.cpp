#include "column_kind.hpp"

#include <algorithm>

namespace xlsx_report {

namespace {

// pg_type.dat's OIDs.
enum : uint32_t {
    kBool = 16,
    kInt8 = 20,
    kInt2 = 21,
    kInt4 = 23,
    kOid = 26,
    kFloat4 = 700,
    kFloat8 = 701,
    kDate = 1082,
    kTime = 1083,
    kTimestamp = 1114,
    kTimestampTz = 1184,
    kInterval = 1186,
    kNumeric = 1700,
};

// Fraction digits shown for a time type: its precision, 3 when it has none or more than
// Excel shows.
int fraction_digits(ColumnType type) {
    int32_t precision = type.typmod;
    if (type.oid == kInterval && precision >= 0) precision &= 0xFFFF;  // INTERVAL_PRECISION
    if (precision < 0 || precision == 0xFFFF) return 3;
    return std::min(precision, 3);
}

std::string with_fraction(std::string format, ColumnType type) {
    int digits = fraction_digits(type);
    if (digits > 0) format += "." + std::string(static_cast<size_t>(digits), '0');
    return format;
}

}  // namespace

ColumnKind column_kind_of(ColumnType type) {
    switch (type.oid) {
        case kInt2:
        case kInt4:
        case kInt8:
        case kOid:
            return ColumnKind::Integer;
        case kFloat4:
        case kFloat8:
            return ColumnKind::Float;
        case kNumeric:
            return ColumnKind::Numeric;
        case kDate:
            return ColumnKind::Date;
        case kTimestamp:
            return ColumnKind::Timestamp;
        case kTimestampTz:
            return ColumnKind::TimestampTz;
        case kTime:
            return ColumnKind::Time;
        case kInterval:
            return ColumnKind::Interval;
        case kBool:
            return ColumnKind::Boolean;
        default:
            return ColumnKind::Text;
    }
}

std::string number_format_of(ColumnType type) {
    switch (column_kind_of(type)) {
        case ColumnKind::Numeric:
            // numeric(p,s)'s typmod is ((p << 16) | s) + 4.
            return type.typmod >= 4 && ((type.typmod - 4) & 0xFFFF) == 2 ? "#,##0.00" : "";
        case ColumnKind::Date:
            return "yyyy-mm-dd";
        case ColumnKind::Timestamp:
        case ColumnKind::TimestampTz:
            return with_fraction("yyyy-mm-dd hh:mm:ss", type);
        case ColumnKind::Time:
            return with_fraction("hh:mm:ss", type);
        case ColumnKind::Interval:
            return with_fraction("[h]:mm:ss", type);
        default:
            return "";
    }
}

const char* kind_name(ColumnKind kind) {
    switch (kind) {
        case ColumnKind::Integer:
            return "integer";
        case ColumnKind::Float:
            return "float";
        case ColumnKind::Numeric:
            return "numeric";
        case ColumnKind::Date:
            return "date";
        case ColumnKind::Timestamp:
            return "timestamp";
        case ColumnKind::TimestampTz:
            return "timestamp with time zone";
        case ColumnKind::Time:
            return "time";
        case ColumnKind::Interval:
            return "interval";
        case ColumnKind::Boolean:
            return "boolean";
        case ColumnKind::Text:
            return "text";
    }
    return "text";
}

}  // namespace xlsx_report
