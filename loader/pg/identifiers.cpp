#include "identifiers.hpp"

#include <cctype>
#include <optional>
#include <unordered_set>

namespace pg {

namespace {

bool starts_identifier(unsigned char c) {
    return c >= 0x80 || std::isalpha(c) || c == '_';
}

bool continues_identifier(unsigned char c) {
    return starts_identifier(c) || std::isdigit(c) || c == '$';
}

}  // namespace

std::optional<std::vector<std::string>> parse_qualified_name(std::string_view s) {
    std::vector<std::string> parts;
    size_t i = 0;
    auto blanks = [&] {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
            ++i;
    };
    for (;;) {
        blanks();
        std::string part;
        if (i < s.size() && s[i] == '"') {
            for (++i;; ++i) {
                if (i >= s.size()) return std::nullopt;  // unterminated
                if (s[i] == '"' && (i + 1 == s.size() || s[i + 1] != '"')) break;
                if (s[i] == '"') ++i;  // "" is one quote
                part += s[i];
            }
            ++i;
            if (part.empty()) return std::nullopt;
        } else if (i < s.size() && starts_identifier(static_cast<unsigned char>(s[i]))) {
            for (; i < s.size() && continues_identifier(static_cast<unsigned char>(s[i])); ++i)
                part += static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
        } else {
            return std::nullopt;
        }
        parts.push_back(std::move(part));
        blanks();
        if (i == s.size()) return parts;
        if (s[i] != '.') return std::nullopt;
        ++i;
    }
}

std::string table_name_problem(std::string_view name, bool for_shell) {
    auto parts = parse_qualified_name(name);
    if (parts && parts->size() <= 2) return "";
    if (parts)
        return "table \"" + std::string(name) +
               "\" has more than two parts; give it as table or schema.table";
    std::string quoted = "\"";
    for (char c : name)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    quoted += '"';
    if (for_shell) {  // single quotes keep the double quotes from the shell
        std::string shell = "'";
        for (char c : quoted)
            shell += c == '\'' ? std::string("'\\''") : std::string(1, c);
        quoted = shell + "'";
    }
    return "table \"" + std::string(name) +
           "\" is not a valid SQL name. Names are read as SQL reads them (orders, "
           "public.orders); to name a table with blanks, capitals or other characters, quote "
           "it: " +
           quoted;
}

}  // namespace pg
