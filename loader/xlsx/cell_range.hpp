// A rectangle of a sheet, as --range and Excel tables name one: "A5:H200", open-ended "A5:H"
// (to the last row) and whole columns "B:F". Bounds are inclusive and 1-based.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "limits.hpp"

namespace xlsx {

struct CellRange {
    uint32_t first_column = 1;
    uint32_t last_column = Limits{}.max_column;
    uint32_t first_row = 1;
    uint32_t last_row = Limits{}.max_row;

    bool whole_sheet() const { return *this == CellRange{}; }
    bool operator==(const CellRange&) const = default;
};

// Parses "A5:H200", "A5:H", "B:F" or a single cell "C3"; nullopt for anything else, for a
// reversed range and for one beyond Excel's grid (XFD1048576).
std::optional<CellRange> parse_cell_range(std::string_view text);

// "A5:H200" again ("B:F" for whole columns, "A5:H" when it runs to the last row).
std::string cell_range_text(const CellRange& range);

}  // namespace xlsx
