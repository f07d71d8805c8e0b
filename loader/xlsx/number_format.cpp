#include "number_format.hpp"

#include <cctype>
#include <string>

namespace xlsx {

NumberKind builtin_format_kind(uint32_t id) {
    if (id >= 14 && id <= 17) return NumberKind::Date;
    if (id >= 18 && id <= 21) return NumberKind::Time;
    if (id == 22) return NumberKind::DateTime;
    if (id == 45 || id == 47) return NumberKind::Time;
    if (id == 46) return NumberKind::Duration;
    // East Asian locale dates (and their era forms) that Excel maps to built-in ids.
    if ((id >= 27 && id <= 36) || (id >= 50 && id <= 58)) return NumberKind::Date;
    return NumberKind::Number;
}

NumberKind classify_format(std::string_view code) {
    bool date = false, time = false, month_or_minute = false, elapsed = false;
    // Only the first section (positive numbers) decides; dates use one section.
    for (size_t i = 0; i < code.size(); ++i) {
        char c = code[i];
        char lc = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (c == ';') break;
        if (c == '"') {  // quoted literal
            size_t end = code.find('"', i + 1);
            if (end == std::string_view::npos) break;
            i = end;
            continue;
        }
        if (c == '\\' || c == '_' || c == '*') {  // escaped char, padding, fill
            ++i;
            continue;
        }
        if (c == '[') {
            size_t end = code.find(']', i + 1);
            if (end == std::string_view::npos) break;
            std::string inner(code.substr(i + 1, end - i - 1));
            for (char& ch : inner)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (!inner.empty() && inner.find_first_not_of(inner[0]) == std::string::npos &&
                (inner[0] == 'h' || inner[0] == 'm' || inner[0] == 's'))
                elapsed = true;
            i = end;
            continue;
        }
        if (lc == 'g' && code.substr(i).size() >= 7) {  // "General" is a number
            std::string word(code.substr(i, 7));
            for (char& ch : word)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (word == "general") {
                i += 6;
                continue;
            }
        }
        if (lc == 'a') {  // AM/PM or A/P make it a time of day
            std::string rest(code.substr(i, 5));
            for (char& ch : rest)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (rest.rfind("am/pm", 0) == 0) {
                time = true;
                i += 4;
                continue;
            }
            if (rest.rfind("a/p", 0) == 0) {
                time = true;
                i += 2;
                continue;
            }
        }
        if (lc == 'e') {
            // 0.00E+00 is scientific notation; a lone e is an era year.
            if (i + 1 < code.size() && (code[i + 1] == '+' || code[i + 1] == '-')) {
                ++i;
                continue;
            }
            date = true;
            continue;
        }
        if (lc == 'y' || lc == 'd' || lc == 'b')
            date = true;
        else if (lc == 'h' || lc == 's')
            time = true;
        else if (lc == 'm')
            month_or_minute = true;
    }
    if (elapsed) return NumberKind::Duration;
    // m is a minute next to h or s, a month otherwise; either way a date or time format.
    if (month_or_minute && !time) date = true;
    if (date && time) return NumberKind::DateTime;
    if (date) return NumberKind::Date;
    if (time) return NumberKind::Time;
    return NumberKind::Number;
}

}  // namespace xlsx
