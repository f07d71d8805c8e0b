#include "text.hpp"

#include <cstring>

namespace xlsx {

bool parse_cell_ref(const char* ref, uint32_t& column, uint32_t& row) {
    uint64_t col = 0, r = 0;
    const char* p = ref;
    while (is_xml_space(*p))
        ++p;
    if (*p == '$') ++p;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
        col = col * 26 + static_cast<uint64_t>((*p | 0x20) - 'a' + 1);
        if (col > 0xFFFFFFF) return false;
        ++p;
    }
    if (*p == '$') ++p;
    while (*p >= '0' && *p <= '9') {
        r = r * 10 + static_cast<uint64_t>(*p - '0');
        if (r > 0xFFFFFFFF) return false;
        ++p;
    }
    while (is_xml_space(*p))
        ++p;
    if (*p != '\0' || (col == 0 && r == 0)) return false;
    column = static_cast<uint32_t>(col);
    row = static_cast<uint32_t>(r);
    return true;
}

bool parse_uint(std::string_view s, uint64_t max, uint64_t& out) {
    while (!s.empty() && is_xml_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_xml_space(s.back()))
        s.remove_suffix(1);
    if (s.empty()) return false;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<uint64_t>(c - '0');
        if (v > max) return false;
    }
    out = v;
    return true;
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

namespace {

// An attribute value as an XML parser gives it: character references and the predefined
// entities replaced (the value of r="&#49;2" is 12). Others cannot occur: DOCTYPE is refused.
std::string decode_references(std::string_view raw) {
    std::string out;
    for (size_t i = 0; i < raw.size(); ++i) {
        size_t semi = raw[i] == '&' ? raw.find(';', i) : std::string_view::npos;
        if (semi == std::string_view::npos) {
            out.push_back(raw[i]);
            continue;
        }
        std::string_view ref = raw.substr(i + 1, semi - i - 1);
        static constexpr std::pair<std::string_view, char> kNamed[] = {
            {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"apos", '\''}, {"quot", '"'}};
        bool known = false;
        for (auto [name, ch] : kNamed)
            if (ref == name) out.push_back(ch), known = true;
        if (!known && ref.size() > 1 && ref[0] == '#') {
            bool hex = ref[1] == 'x';
            uint64_t cp = 0;
            for (char c : ref.substr(hex ? 2 : 1)) {
                int d = c >= '0' && c <= '9'          ? c - '0'
                        : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                      : -1;
                if (d < 0 || cp > 0x10FFFF) {
                    cp = UINT64_MAX;
                    break;
                }
                cp = cp * (hex ? 16 : 10) + static_cast<uint64_t>(d);
            }
            if (cp <= 0x10FFFF) append_utf8(out, static_cast<uint32_t>(cp)), known = true;
        }
        if (!known) out.append(raw.substr(i, semi - i + 1));
        i = semi;
    }
    return out;
}

}  // namespace

bool xml_tag_attribute(std::string_view tag, std::string_view name, std::string& value) {
    const std::string_view buf = tag;
    const size_t end = tag.size();
    auto is_delimiter = [](char c) { return is_xml_space(c) || c == '/' || c == '>'; };
    size_t p = 1;
    while (p < end && !is_delimiter(buf[p]))
        ++p;  // element name
    while (p < end) {
        while (p < end && is_xml_space(buf[p]))
            ++p;
        size_t ns = p;
        while (p < end && buf[p] != '=' && !is_delimiter(buf[p]))
            ++p;
        std::string_view attr(buf.data() + ns, p - ns);
        while (p < end && is_xml_space(buf[p]))
            ++p;
        if (p >= end || buf[p] != '=') return false;
        ++p;
        while (p < end && is_xml_space(buf[p]))
            ++p;
        if (p >= end || (buf[p] != '"' && buf[p] != '\'')) return false;
        char q = buf[p++];
        size_t vs = p;
        while (p < end && buf[p] != q)
            ++p;
        if (attr == name) {
            value = decode_references(std::string_view(buf.data() + vs, p - vs));
            return true;
        }
        ++p;
    }
    return false;
}

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

bool is_xstring_escape(std::string_view text, size_t i) {
    if (i + 7 > text.size() || text[i] != '_' || (text[i + 1] != 'x' && text[i + 1] != 'X') ||
        text[i + 6] != '_')
        return false;
    for (size_t k = i + 2; k < i + 6; ++k)
        if (hex_value(text[k]) < 0) return false;
    return true;
}

namespace {
// The code point of the escape at text[i] (is_xstring_escape).
uint32_t escape_code(std::string_view text, size_t i) {
    uint32_t cp = 0;
    for (size_t k = i + 2; k < i + 6; ++k)
        cp = cp << 4 | static_cast<uint32_t>(hex_value(text[k]));
    return cp;
}
}  // namespace

void decode_xstring_escapes(std::string& text, size_t from) {
    if (text.size() < from + 7 || !std::memchr(text.data() + from, '_', text.size() - from)) return;
    std::string out;
    out.reserve(text.size() - from);
    size_t i = from;
    const size_t n = text.size();
    while (i < n) {
        if (is_xstring_escape(text, i)) {
            uint32_t cp = escape_code(text, i);
            // A UTF-16 surrogate pair written as two escapes.
            if (cp >= 0xD800 && cp <= 0xDBFF && is_xstring_escape(text, i + 7)) {
                uint32_t lo = escape_code(text, i + 7);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    append_utf8(out, 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
                    i += 14;
                    continue;
                }
            }
            if (cp < 0xD800 || cp > 0xDFFF) {
                append_utf8(out, cp);
                i += 7;
                continue;
            }
        }
        out.push_back(text[i++]);
    }
    text.resize(from);
    text += out;
}

}  // namespace xlsx
