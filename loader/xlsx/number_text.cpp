#include "number_text.hpp"

#include <charconv>

namespace xlsx {

namespace {

// Any decimal of at most 15 significant digits reads back from its double unchanged
// (DBL_DIG), so no shorter decimal can name the same double.
constexpr unsigned kAlwaysExactDigits = 15;

}  // namespace

void canonicalize_number(std::string& text, size_t from) {
    const char* const begin = text.data() + from;
    const char* const end = text.data() + text.size();
    const char* p = begin;
    if (p < end && (*p == '-' || *p == '+')) ++p;
    bool point = false, exponent = false, any_digit = false, leading = true;
    unsigned significant = 0, zeros = 0;  // zeros: a run after the last non-zero digit
    char last = 0;
    for (; p < end; ++p) {
        char c = *p;
        if (c >= '0' && c <= '9') {
            any_digit = true;
            if (c != '0') {
                significant += zeros + 1;
                zeros = 0;
                leading = false;
            } else if (!leading) {
                ++zeros;
            }
        } else if (c == '.' && !point) {
            point = true;
        } else if ((c == 'e' || c == 'E') && any_digit) {
            exponent = true;
            break;
        } else {
            return;  // not a plain number: left as written
        }
        last = c;
    }
    if (!any_digit || (!point && !exponent)) return;  // integer text stays as written
    bool fraction_zero = point && (last == '0' || last == '.');
    if (significant <= kAlwaysExactDigits && !fraction_zero) return;

    const char* number = begin + (*begin == '+' ? 1 : 0);
    double value;
    auto [parsed, ec] = std::from_chars(number, end, value);
    if (ec != std::errc() || parsed != end) return;  // out of a double's range: as written
    char buffer[32];
    auto [written, ec2] = std::to_chars(buffer, buffer + sizeof buffer, value);
    if (ec2 != std::errc()) return;
    text.replace(from, text.size() - from, buffer, static_cast<size_t>(written - buffer));
}

}  // namespace xlsx
