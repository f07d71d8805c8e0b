#include "cell_range.hpp"

#include "error.hpp"
#include "text.hpp"

namespace xlsx {

namespace {

// One end of a range: letters, digits, or both. Zero means "not given".
bool parse_end(std::string_view text, uint32_t& column, uint32_t& row) {
    std::string copy(text);
    return !copy.empty() && parse_cell_ref(copy.c_str(), column, row);
}

}  // namespace

std::optional<CellRange> parse_cell_range(std::string_view text) {
    const Limits grid;
    size_t colon = text.find(':');
    uint32_t c1 = 0, r1 = 0, c2 = 0, r2 = 0;
    if (!parse_end(text.substr(0, colon), c1, r1)) return std::nullopt;
    if (colon == std::string_view::npos) {
        c2 = c1, r2 = r1;  // one cell
    } else if (!parse_end(text.substr(colon + 1), c2, r2)) {
        return std::nullopt;
    }
    // Both ends name columns; the rows may be left out ("B:F"), the last one alone ("A5:H").
    if (c1 == 0 || c2 == 0 || (r1 == 0 && r2 != 0)) return std::nullopt;
    CellRange range{c1, c2, r1 == 0 ? 1 : r1, r2 == 0 ? grid.max_row : r2};
    if (range.first_column > range.last_column || range.first_row > range.last_row ||
        range.last_column > grid.max_column || range.last_row > grid.max_row)
        return std::nullopt;
    return range;
}

std::string cell_range_text(const CellRange& range) {
    const Limits grid;
    std::string first = column_name(range.first_column), last = column_name(range.last_column);
    if (range.first_row == 1 && range.last_row == grid.max_row) return first + ":" + last;
    first += std::to_string(range.first_row);
    if (range.last_row != grid.max_row) last += std::to_string(range.last_row);
    return first + ":" + last;
}

}  // namespace xlsx
