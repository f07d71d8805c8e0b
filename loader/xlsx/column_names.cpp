#include "column_names.hpp"

#include <unordered_set>

namespace xlsx {

namespace {

// Cuts to at most `bytes` without splitting a UTF-8 sequence.
std::string cut_utf8(std::string s, size_t bytes) {
    if (s.size() <= bytes) return s;
    size_t end = bytes;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80)
        --end;
    s.resize(end);
    return s;
}

}  // namespace

std::string normalize_identifier(std::string_view header, size_t position) {
    std::string out;
    bool pending_separator = false;
    for (char c : header) {
        auto u = static_cast<unsigned char>(c);
        bool keep = (u >= 0x80) || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    (c >= 'A' && c <= 'Z') || c == '_';
        if (!keep) {
            pending_separator = true;
            continue;
        }
        if (pending_separator && !out.empty()) out += '_';
        pending_separator = false;
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    while (!out.empty() && out.back() == '_')
        out.pop_back();
    if (out.empty()) return "column_" + std::to_string(position);
    return cut_utf8(out, kMaxIdentifierBytes);
}

std::vector<std::string> column_names_from_header(const std::vector<std::string>& headers) {
    std::vector<std::string> names;
    std::unordered_set<std::string> taken;
    for (size_t i = 0; i < headers.size(); ++i) {
        std::string base = normalize_identifier(headers[i], i + 1);
        std::string name = base;
        for (int n = 2; taken.count(name); ++n) {
            std::string suffix = "_" + std::to_string(n);
            name = cut_utf8(base, kMaxIdentifierBytes - suffix.size()) + suffix;
        }
        taken.insert(name);
        names.push_back(name);
    }
    return names;
}

}  // namespace xlsx
