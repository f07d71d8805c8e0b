// Rows as the reader hands them out: a batch per chunk, cells as views into the batch's arena
// (or into the shared-string arena), so that no cell owns memory of its own.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xlsx {

enum class CellType : uint8_t {
    String,    // shared, inline or formula string, escapes decoded
    Number,    // the number's text exactly as the file stores it
    Boolean,   // "true" / "false"
    Error,     // "#N/A", "#DIV/0!", ...
    Date,      // "2024-01-15"
    Time,      // "13:45:00.25"
    DateTime,  // "2024-01-15 13:45:00"
    Duration,  // "255:10:10" ([h]:mm:ss formats), as a PostgreSQL interval
};

const char* cell_type_name(CellType type);

struct Cell {
    const char* data;
    uint32_t size;
    uint32_t column;  // 1-based
    CellType type;
    std::string_view text() const { return {data, size}; }
};

struct Row {
    uint32_t number;  // sheet row, 1-based
    uint32_t first_cell;
    uint32_t cell_count;
};

// Rows of one chunk, in sheet order; only rows with at least one value are present.
struct RowBatch {
    uint64_t seq = 0;
    uint64_t xml_bytes = 0;  // uncompressed XML the batch came from
    std::vector<Row> rows;
    std::vector<Cell> cells;
    std::string arena;
    bool past_range = false;  // a row below the range was seen: nothing after it is read

    std::span<const Cell> cells_of(const Row& row) const {
        return {cells.data() + row.first_cell, row.cell_count};
    }
};

}  // namespace xlsx
