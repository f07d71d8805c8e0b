// Excel tables (Insert > Table): a named rectangle of a sheet with a header row of column
// names and perhaps a totals row, each in a table part (xl/tables/tableN.xml) that the sheet's
// relationships name.
#pragma once

#include <string>
#include <vector>

#include "cell_range.hpp"

namespace xlsx {

class Package;
struct SheetInfo;

struct TableInfo {
    std::string name;  // the display name, as formulas and Excel's Name Manager show it
    std::string sheet;
    std::string part;
    std::string ref;  // "B3:E20", header and totals rows included
    CellRange range;
    uint32_t header_rows = 1;  // 0 or 1
    uint32_t totals_rows = 0;  // 0 or 1
    std::vector<std::string> columns;

    // What a load reads: the ref without its totals row (the header row is the first).
    CellRange load_range() const;
};

// The tables of every worksheet, in sheet order. Throws Error for a table part that is
// missing, malformed or whose ref is not a range.
std::vector<TableInfo> read_tables(const Package& package, const std::vector<SheetInfo>& sheets);

}  // namespace xlsx
