// Small text helpers of the hot path: cell references and OOXML string escapes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace xlsx {

inline bool is_xml_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// "BC12" -> column 55, row 12 (1-based). Returns false for anything else. Either part may be
// absent in the reference ("BC" or "12"), leaving that output 0.
bool parse_cell_ref(const char* ref, uint32_t& column, uint32_t& row);

// The value of attribute `name` (unprefixed) in `tag`, the text from '<' to '>' of a start
// tag, as an XML parser gives it: whitespace may surround '=', references are replaced
// (r="&#49;2" is 12). False when the tag has no such attribute.
bool xml_tag_attribute(std::string_view tag, std::string_view name, std::string& value);

// Parses an unsigned decimal; false on anything else or overflow of `max`.
bool parse_uint(std::string_view s, uint64_t max, uint64_t& out);

// Whether text[i..] reads as an ST_Xstring escape, _xHHHH_ ('x' and the hex digits in either
// case). The writer escapes the underscore of such text (_x005F_) so that it reads back as written.
bool is_xstring_escape(std::string_view text, size_t i);

// Decodes the _xHHHH_ escapes of ST_Xstring in place, from byte `from` on ("_x000D_" is a
// carriage return, "_x005F_" a literal underscore). Cheap when the text has no underscore.
void decode_xstring_escapes(std::string& text, size_t from);

void append_utf8(std::string& out, uint32_t code_point);

}  // namespace xlsx
