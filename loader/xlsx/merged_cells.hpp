// A worksheet's merged cells (<mergeCell ref="B2:D2"/>). They come after <sheetData>, so filling
// them while rows stream needs them first: a pass over the part that only looks for these tags
// (no XML parse of the rows; the part is inflated a second time).
#pragma once

#include <vector>

#include "cell_range.hpp"
#include "package.hpp"

namespace xlsx {

// The merged ranges of the sheet part, in the order the part lists them. A ref that is not a
// range is an InvalidValue error naming the part.
std::vector<CellRange> read_merged_cells(const Package& package, const PartInfo& part,
                                         const std::string& sheet_name);

}  // namespace xlsx
