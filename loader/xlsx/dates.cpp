#include "dates.hpp"

#include <cmath>
#include <cstdio>

namespace xlsx {

// Howard Hinnant's civil calendar algorithms.
int64_t days_from_civil(int32_t y, uint32_t m, uint32_t d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const uint32_t yoe = static_cast<uint32_t>(y - era * 400);
    const uint32_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int32_t& y, uint32_t& m, uint32_t& d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const uint32_t doe = static_cast<uint32_t>(z - era * 146097);
    const uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
    const uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const uint32_t mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int32_t>(yy + (m <= 2));
}

namespace {
constexpr int64_t kMillisPerDay = 86400000;
const int64_t kEpoch1900 = days_from_civil(1899, 12, 30);
const int64_t kEpoch1904 = days_from_civil(1904, 1, 1);
constexpr double kMaxSerial1900 = 2958466.0;  // 10000-01-01

void append_time(std::string& out, int64_t millis, bool hours_unbounded) {
    char buf[48];
    int64_t h = millis / 3600000, mi = millis / 60000 % 60, s = millis / 1000 % 60,
            ms = millis % 1000;
    int n = hours_unbounded ? std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", (long long)h,
                                            (long long)mi, (long long)s)
                            : std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", (long long)h,
                                            (long long)mi, (long long)s);
    out.append(buf, static_cast<size_t>(n));
    if (ms != 0) {
        n = std::snprintf(buf, sizeof buf, ".%03lld", (long long)ms);
        while (buf[n - 1] == '0')
            --n;
        out.append(buf, static_cast<size_t>(n));
    }
}

void append_date(std::string& out, const CivilDateTime& v) {
    char buf[24];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", v.year, v.month, v.day);
    out.append(buf, static_cast<size_t>(n));
}
}  // namespace

std::optional<CivilDateTime> serial_to_datetime(double serial, bool date1904) {
    // Excel shows no date for a negative serial (####### in the 1900 system, a minus sign in the
    // 1904 one), nor from the year 10000 on: such a cell holds a number.
    if (!std::isfinite(serial) || serial < 0 || serial >= kMaxSerial1900) return std::nullopt;
    double whole = std::floor(serial);
    int64_t days = static_cast<int64_t>(whole);
    int64_t millis = std::llround((serial - whole) * kMillisPerDay);
    if (millis >= kMillisPerDay) {
        ++days;
        millis -= kMillisPerDay;
    }
    CivilDateTime v;
    if (!date1904 && days == 60) {
        v.year = 1900, v.month = 2, v.day = 29;  // Excel's fictitious day, shown as it shows it
        v.millis_of_day = millis;
        return v;
    }
    if (!date1904 && days >= 1 && days < 60) ++days;  // before the fictitious 1900-02-29
    civil_from_days((date1904 ? kEpoch1904 : kEpoch1900) + days, v.year, v.month, v.day);
    if (v.year > 9999) return std::nullopt;
    v.millis_of_day = millis;
    return v;
}

NumberKind append_serial(std::string& out, double serial, NumberKind kind, bool date1904) {
    if (kind == NumberKind::Duration) {
        if (!std::isfinite(serial) || std::fabs(serial) > 1e9) return NumberKind::Number;
        int64_t millis = std::llround(serial * kMillisPerDay);
        if (millis < 0) {
            out.push_back('-');
            millis = -millis;
        }
        append_time(out, millis, true);
        return kind;
    }
    auto v = serial_to_datetime(serial, date1904);
    if (!v) return NumberKind::Number;
    // In the 1900 system a serial below 1 has no date (Excel shows "1900-01-00"): it is a time.
    if (!date1904 && serial >= 0 && serial < 1 && kind != NumberKind::Time) kind = NumberKind::Time;
    switch (kind) {
        case NumberKind::Date:
            append_date(out, *v);
            break;
        case NumberKind::Time:
            append_time(out, v->millis_of_day, false);
            break;
        default:
            append_date(out, *v);
            out.push_back(' ');
            append_time(out, v->millis_of_day, false);
    }
    return kind;
}

bool append_iso_datetime(std::string& out, std::string_view iso) {
    // Accepts YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS[.fff][Z], and HH:MM:SS[.fff].
    auto digits = [&](size_t pos, size_t n) {
        if (pos + n > iso.size()) return false;
        for (size_t i = pos; i < pos + n; ++i)
            if (iso[i] < '0' || iso[i] > '9') return false;
        return true;
    };
    size_t end = iso.size();
    if (end > 0 && (iso[end - 1] == 'Z' || iso[end - 1] == 'z')) --end;
    std::string_view body = iso.substr(0, end);
    bool has_date = digits(0, 4) && body.size() >= 10 && body[4] == '-' && body[7] == '-';
    size_t tpos = has_date ? 10 : 0;
    bool has_time = false;
    if (has_date && body.size() > 10) {
        if (body[10] != 'T' && body[10] != ' ') return false;
        tpos = 11;
    }
    if (body.size() >= tpos + 8 && digits(tpos, 2) && body[tpos + 2] == ':') has_time = true;
    if (!has_date && !has_time) return false;
    if (has_date) out.append(body.substr(0, 10));
    if (has_time) {
        std::string_view t = body.substr(tpos);
        // A written time makes a datetime, even at midnight; trailing zeros of the fraction go.
        if (has_date) out.push_back(' ');
        size_t dot = t.find('.');
        if (dot != std::string_view::npos) {
            while (!t.empty() && t.back() == '0')
                t.remove_suffix(1);
            if (!t.empty() && t.back() == '.') t.remove_suffix(1);
        }
        out.append(t);
    }
    return true;
}

}  // namespace xlsx
