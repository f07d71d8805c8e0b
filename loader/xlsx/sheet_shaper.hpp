// Reshapes a sheet's rows as they stream, for the shapes reports come in:
// - fill merged cells: the cells a merge covers take the value of its first cell, rows the
//   merge spans but the XML leaves out included, so a grouped report loads without blanks;
// - a header over several rows (a merged group title over column names): the header rows
//   become one row, at the first one's number, each column's texts joined by a space ("Q1"
//   over "Units" reads "Q1 Units", which the --create rules make q1_units), with the merges
//   across the header filled whether or not the data's are;
// - source columns: after the header's last column, columns that say where each row came
//   from (the file, the sheet, the sheet row), named in the header like any other, so every
//   column plan (a new table's or an existing one's) takes them as it takes the sheet's.
// Batches go in sheet order; only the rows that change are copied.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cell_range.hpp"
#include "error.hpp"
#include "row_batch.hpp"

namespace xlsx {

struct SourceColumn {
    enum class What { File, Sheet, Row } what;
    std::string name;  // the header text it gets
};

// "file,sheet,row", each optionally "=NAME" (file=source_file); the default names are the
// words. Throws std::invalid_argument saying what is wrong.
std::vector<SourceColumn> parse_source_columns(std::string_view spec);

struct SheetShape {
    bool fill_merged = false;
    uint32_t header_row = 0;   // 0: no header
    uint32_t header_rows = 1;  // the rows from header_row on that make the header
    // Only with a header (the columns go after its last).
    std::vector<SourceColumn> source_columns;
    std::string file_label;  // the file column's value: the file as the run names it
    bool active() const {
        return fill_merged || (header_row > 0 && (header_rows > 1 || !source_columns.empty()));
    }
};

class SheetShaper {
public:
    // `merges` in sheet coordinates; `range` the cells read (columns of the batches count from
    // its first); `sheet_name` the sheet column's value. Throws LimitExceeded (naming `where`) for
    // a merge of more cells than a sheet row holds times 65,536 rows, which no report needs.
    SheetShaper(SheetShape shape, std::vector<CellRange> merges, const CellRange& range,
                const ErrorLocation& where, std::string sheet_name);

    // The next reshaped batch, pulling the reader's batches through `pull`; nullopt at the end.
    std::optional<RowBatch> next(const std::function<std::optional<RowBatch>()>& pull);

private:
    struct Merge {
        CellRange cells;     // clipped to the range, in loaded columns
        bool top_left_read;  // the range holds its first cell
        std::string value;   // the first cell's text, once its row was read
        CellType type = CellType::String;
        bool captured = false;
    };

    bool fills(const Merge& m, uint32_t row) const;
    uint32_t next_gap_row(uint32_t after) const;
    void emit_row(RowBatch& out, uint32_t number, std::span<const Cell> cells);
    void add_row(RowBatch& out, uint32_t number, const std::vector<Cell>& cells,
                 const std::vector<std::string_view>& texts);
    void flush_header(RowBatch& out);
    void add_source_columns(uint32_t number, std::vector<Cell>& cells,
                            std::vector<std::string_view>& texts);

    SheetShape shape_;
    CellRange range_;
    std::vector<Merge> merges_;  // by first row
    size_t next_merge_ = 0;      // merges_[.. next_merge_) have begun
    std::vector<size_t> active_;
    std::optional<RowBatch> in_;
    size_t in_row_ = 0;
    bool in_done_ = false;
    uint32_t last_row_ = 0;  // the last row handed on (or taken into the header)
    uint64_t seq_ = 0;
    // The header's texts by loaded column while its rows go by.
    std::map<uint32_t, std::string> header_;
    bool header_open_ = false;
    std::string sheet_name_;
    uint32_t header_width_ = 0;  // the header's last column, once it went by
    bool header_seen_ = false;
    std::string row_text_;  // the row column's value for the row being added
};

}  // namespace xlsx
