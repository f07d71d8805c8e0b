// COPY's text format, the one the loader streams: tab-separated, \N for NULL, and backslash,
// tab, newline and carriage return escaped. Values arrive as valid UTF-8 without NUL (the
// row source rejects a NUL, which PostgreSQL text cannot hold).
#pragma once

#include <string>
#include <string_view>

namespace pg {

inline void append_copy_null(std::string& out) {
    out += "\\N";
}

inline void append_copy_value(std::string& out, std::string_view value) {
    size_t start = 0;
    for (size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (static_cast<unsigned char>(c) > '\r' && c != '\\') continue;  // most bytes
        const char* escape = c == '\\'   ? "\\\\"
                             : c == '\t' ? "\\t"
                             : c == '\n' ? "\\n"
                             : c == '\r' ? "\\r"
                                         : nullptr;
        if (!escape) continue;
        out.append(value.data() + start, i - start);
        out += escape;
        start = i + 1;
    }
    out.append(value.data() + start, value.size() - start);
}

}  // namespace pg
