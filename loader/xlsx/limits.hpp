// Bounds on what a workbook may make the reader do. Every bound is checked while inflating
// or parsing, against what is actually produced, never against sizes the file claims.
#pragma once

#include <cstdint>

namespace xlsx {

struct Limits {
    // Largest uncompressed part. A full 1,048,576 x 16,384 sheet does not fit, but every real
    // workbook does; the default lets a 50-million-cell sheet through.
    uint64_t max_part_bytes = 16ull << 30;
    // Largest ratio of uncompressed to compressed bytes, checked once a part passes
    // ratio_floor_bytes. Deflate cannot exceed ~1032:1; XML from real writers stays under ~150.
    uint32_t max_expansion_ratio = 400;
    uint64_t ratio_floor_bytes = 32ull << 20;
    // Total decoded shared-string text held in memory.
    uint64_t max_shared_strings_bytes = 2ull << 30;
    // Largest single cell value or string (Excel itself stops at 32,767 characters).
    uint32_t max_cell_bytes = 32u << 20;
    // Rows and columns beyond Excel's grid are refused.
    uint32_t max_row = 1048576;
    uint32_t max_column = 16384;
};

}  // namespace xlsx
