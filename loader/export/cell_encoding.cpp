#include "cell_encoding.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>

#include "xlsx/dates.hpp"
#include "xlsx/text.hpp"

namespace xlsx_report {

namespace {

// Reasons a value of a typed column is written as text (counted per column by the caller).
constexpr const char* kTooManyDigits = "more than 15 significant digits";
constexpr const char* kSeventeenDigits = "17 significant digits, one more than a number cell keeps";
constexpr const char* kNotFinite = "not a finite number";
constexpr const char* kOutOfRange = "beyond the range of a number cell";
constexpr const char* kOutsideDates = "outside Excel's dates, 1900-01-01 to 9999-12-31";
constexpr const char* kSubMillisecond = "finer than a millisecond";
constexpr const char* kMonths = "months or years, which have no fixed length";
constexpr const char* kNegativeDuration = "negative, which Excel shows as ####";
constexpr const char* kEndOfDay = "24:00:00, which Excel shows as the next day";

constexpr int64_t kMillisPerDay = 86400000;

Cell text_cell(std::string_view value, const char* reason) {
    Cell cell;
    cell.text = value;
    cell.text_reason = reason;
    return cell;
}

Cell number_cell(double number) {
    Cell cell;
    cell.type = Cell::Type::Number;
    cell.number = number;
    return cell;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// The significant digits of a plain decimal ("-0012.3400" has 4) and the power of ten of its
// first one; nullopt when the text is not [-]digits[.digits][e[+-]digits].
struct DecimalShape {
    int significant = 0;
    int magnitude = 0;  // 1.5 -> 0, 1500 -> 3, 0.015 -> -2
};

std::optional<DecimalShape> decimal_shape(std::string_view text) {
    size_t i = 0;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    int before_point = 0, digits = 0, first = -1, last = -1;  // first, last: nonzero digits
    bool seen_point = false;
    for (; i < text.size(); ++i) {
        char c = text[i];
        if (c == '.' && !seen_point) {
            seen_point = true;
        } else if (is_digit(c)) {
            if (c != '0') {
                if (first < 0) first = digits;
                last = digits;
            }
            ++digits;
            before_point += !seen_point;
        } else {
            break;
        }
    }
    int exponent = 0;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        size_t start = i + 1 + (i + 1 < text.size() && text[i + 1] == '+');
        auto [end, ec] = std::from_chars(text.data() + start, text.data() + text.size(), exponent);
        if (ec != std::errc()) return std::nullopt;
        i = static_cast<size_t>(end - text.data());
    }
    if (digits == 0 || i != text.size()) return std::nullopt;
    DecimalShape shape;
    if (first >= 0) {
        shape.significant = last - first + 1;
        shape.magnitude = before_point - 1 - first + exponent;
    }
    return shape;
}

std::optional<double> parse_double(std::string_view text) {
    double value = 0;
    const char* begin = text.data() + (!text.empty() && text[0] == '+');
    auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
    if (end != text.data() + text.size()) return std::nullopt;
    if (ec == std::errc::result_out_of_range) {
        // libstdc++ reports a subnormal (5e-324) out of range; strtod gives its double.
        value = std::strtod(std::string(text).c_str(), nullptr);
        if (!std::isfinite(value)) return std::nullopt;
    } else if (ec != std::errc()) {
        return std::nullopt;
    }
    return value;
}

// A decimal with at most `max_digits` significant digits in the range of normal doubles
// reads as a double whose shortest text is the same decimal.
// `max_magnitude` keeps integers to digits a number cell writes without an exponent (Excel's
// 1E+18 would not read back into a bigint).
Cell decimal_cell(std::string_view value, int max_digits, int max_magnitude = 308) {
    std::optional<DecimalShape> shape = decimal_shape(value);
    if (!shape) return text_cell(value, kNotFinite);  // NaN, Infinity
    if (shape->significant > max_digits)
        return text_cell(value, max_digits == 16 ? kSeventeenDigits : kTooManyDigits);
    if (shape->magnitude > max_magnitude && max_magnitude < 308)
        return text_cell(value, kTooManyDigits);
    // A float's text is a double's already; a numeric's may be past a double's range.
    if (max_digits == 15 && shape->significant > 0 &&
        (shape->magnitude < -307 || shape->magnitude > 308))
        return text_cell(value, kOutOfRange);
    std::optional<double> number = parse_double(value);
    if (!number) return text_cell(value, kNotFinite);
    return number_cell(*number);
}

// Reads exactly `width` digits (or at least `width` when `at_least`).
bool read_number(std::string_view text, size_t& i, size_t width, int64_t& out,
                 bool at_least = false) {
    size_t start = i;
    out = 0;
    while (i < text.size() && is_digit(text[i]) && (at_least || i - start < width)) {
        out = out * 10 + (text[i] - '0');
        if (out > 1000000000000000) return false;
        ++i;
    }
    return i - start >= width && (at_least || i - start == width);
}

bool expect(std::string_view text, size_t& i, char c) {
    if (i >= text.size() || text[i] != c) return false;
    ++i;
    return true;
}

// "HH:MM:SS[.ffffff]" at text[i..] (hours of any width for intervals) in microseconds.
bool read_time(std::string_view text, size_t& i, int64_t& micros, bool wide_hours = false) {
    int64_t h = 0, m = 0, s = 0;
    if (!read_number(text, i, 2, h, wide_hours) || !expect(text, i, ':') ||
        !read_number(text, i, 2, m) || !expect(text, i, ':') || !read_number(text, i, 2, s))
        return false;
    int64_t fraction = 0;
    if (i < text.size() && text[i] == '.') {
        ++i;
        int digits = 0;
        while (i < text.size() && is_digit(text[i]) && digits < 6) {
            fraction = fraction * 10 + (text[i++] - '0');
            ++digits;
        }
        if (digits == 0) return false;
        for (; digits < 6; ++digits)
            fraction *= 10;
    }
    // The hours of an interval are bounded by its 64-bit microseconds.
    if (h > std::numeric_limits<int64_t>::max() / 3600000000 - 1) return false;
    micros = ((h * 60 + m) * 60 + s) * 1000000 + fraction;
    return true;
}

// "YYYY-MM-DD" at text[i..]: its serial, or -1 outside Excel's dates.
bool read_date(std::string_view text, size_t& i, int64_t& serial) {
    int64_t y = 0, m = 0, d = 0;
    if (!read_number(text, i, 4, y, true) || !expect(text, i, '-') || !read_number(text, i, 2, m) ||
        !expect(text, i, '-') || !read_number(text, i, 2, d))
        return false;
    serial = y > 9999 ? -1
                      : date_serial(static_cast<int32_t>(y), static_cast<uint32_t>(m),
                                    static_cast<uint32_t>(d));
    return true;
}

// A serial with a time of day, when the time is whole milliseconds.
Cell datetime_cell(std::string_view value, int64_t day_serial, int64_t micros) {
    if (micros % 1000 != 0) return text_cell(value, kSubMillisecond);
    return number_cell(static_cast<double>(day_serial) +
                       static_cast<double>(micros / 1000) / kMillisPerDay);
}

Cell date_or_timestamp(std::string_view value, ColumnKind kind) {
    size_t i = 0;
    int64_t serial = 0, micros = 0;
    if (!read_date(value, i, serial)) return text_cell(value, kOutsideDates);  // infinity, BC
    if (kind != ColumnKind::Date) {
        if (!expect(value, i, ' ') || !read_time(value, i, micros))
            return text_cell(value, kOutsideDates);
        // timestamptz: the wall time in the session's zone; its offset is left behind.
        if (kind == ColumnKind::TimestampTz && i < value.size() &&
            (value[i] == '+' || value[i] == '-')) {
            ++i;
            while (i < value.size() && (is_digit(value[i]) || value[i] == ':'))
                ++i;
        }
    }
    if (i != value.size() || serial < 0) return text_cell(value, kOutsideDates);  // " BC"
    if (kind == ColumnKind::Date) return number_cell(static_cast<double>(serial));
    return datetime_cell(value, serial, micros);
}

Cell time_cell(std::string_view value) {
    size_t i = 0;
    int64_t micros = 0;
    if (!read_time(value, i, micros) || i != value.size()) return text_cell(value, kOutsideDates);
    if (micros >= int64_t{kMillisPerDay} * 1000) return text_cell(value, kEndOfDay);
    return datetime_cell(value, 0, micros);
}

// IntervalStyle postgres: "[N year[s]] [N mon[s]] [N day[s]] [[+-]H:MM:SS[.f]]".
Cell interval_cell(std::string_view value) {
    int64_t micros = 0;
    bool months = false;
    size_t i = 0;
    while (i < value.size()) {
        if (value[i] == ' ') {
            ++i;
            continue;
        }
        bool negative = value[i] == '-';
        if (value[i] == '-' || value[i] == '+') ++i;
        size_t start = i;
        int64_t time = 0, count = 0;
        if (read_time(value, i, time, true)) {
            if (__builtin_add_overflow(micros, negative ? -time : time, &micros))
                return text_cell(value, kOutOfRange);
            continue;
        }
        i = start;
        if (!read_number(value, i, 1, count, true) || !expect(value, i, ' '))
            return text_cell(value, kMonths);
        if (negative) count = -count;
        std::string_view unit = value.substr(i, value.find(' ', i) - i);
        i += unit.size();
        if (unit == "day" || unit == "days") {
            int64_t day_micros = 0;
            if (__builtin_mul_overflow(count, kMillisPerDay * 1000, &day_micros) ||
                __builtin_add_overflow(micros, day_micros, &micros))
                return text_cell(value, kOutOfRange);
        } else if (unit == "year" || unit == "years" || unit == "mon" || unit == "mons") {
            months |= count != 0;
        } else {
            return text_cell(value, kMonths);
        }
    }
    if (months) return text_cell(value, kMonths);
    if (micros < 0) return text_cell(value, kNegativeDuration);
    if (micros % 1000 != 0) return text_cell(value, kSubMillisecond);
    return number_cell(static_cast<double>(micros / 1000) / kMillisPerDay);
}

// Text that looks like an escape keeps its underscore escaped (_x005F_), as Excel writes it,
// so that readers give back the text and not the character it names.
Cell string_cell(std::string_view value, std::string& scratch) {
    size_t first = value.find('_');
    while (first != std::string_view::npos && !xlsx::is_xstring_escape(value, first))
        first = value.find('_', first + 1);
    if (first == std::string_view::npos) return text_cell(value, nullptr);
    scratch.assign(value.substr(0, first));
    for (size_t i = first; i < value.size(); ++i) {
        if (xlsx::is_xstring_escape(value, i)) scratch += "_x005F";
        scratch += value[i];
    }
    return text_cell(scratch, nullptr);
}

}  // namespace

int64_t date_serial(int32_t year, uint32_t month, uint32_t day) {
    static const int64_t kEpoch = xlsx::days_from_civil(1899, 12, 30);
    static const int64_t kFirst = xlsx::days_from_civil(1900, 1, 1);
    static const int64_t kLeapBug = xlsx::days_from_civil(1900, 3, 1);
    static const int64_t kLast = xlsx::days_from_civil(9999, 12, 31);
    if (month < 1 || month > 12 || day < 1 || day > 31) return -1;
    int64_t days = xlsx::days_from_civil(year, month, day);
    if (days < kFirst || days > kLast) return -1;
    // Before 1900-03-01 Excel counts from 1899-12-31 (its 1900-02-29 sits in between).
    return days - kEpoch - (days < kLeapBug ? 1 : 0);
}

Cell encode_cell(ColumnKind kind, std::string_view value, std::string& scratch) {
    switch (kind) {
        case ColumnKind::Integer:
            return decimal_cell(value, 15, 14);
        case ColumnKind::Numeric:
            return decimal_cell(value, 15);
        case ColumnKind::Float:
            return decimal_cell(value, 16);
        case ColumnKind::Date:
        case ColumnKind::Timestamp:
        case ColumnKind::TimestampTz:
            return date_or_timestamp(value, kind);
        case ColumnKind::Time:
            return time_cell(value);
        case ColumnKind::Interval:
            return interval_cell(value);
        case ColumnKind::Boolean:
            if (value == "t" || value == "f") {
                Cell cell;
                cell.type = Cell::Type::Boolean;
                cell.boolean = value == "t";
                return cell;
            }
            return string_cell(value, scratch);
        case ColumnKind::Text:
            return string_cell(value, scratch);
    }
    return string_cell(value, scratch);
}

size_t utf8_length(std::string_view text) {
    size_t n = 0;
    for (char c : text)
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

std::string_view utf8_prefix(std::string_view text, size_t characters) {
    size_t n = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && n++ == characters)
            return text.substr(0, i);
    }
    return text;
}

}  // namespace xlsx_report
