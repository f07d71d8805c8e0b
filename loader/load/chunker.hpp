// Cuts a sheet's data rows into chunks of fixed sheet-row ranges (rows 1..R are chunk 0,
// R+1..2R chunk 1, ...), so that the same file always gives the same chunks and a resumed run
// can skip the ones its ledger holds. Maps sheet columns to target columns, and refuses a row
// the server could not store (a NUL character) or that would lose a value (a cell past the
// last column) as a reject naming the cell.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "row_chunk.hpp"
#include "sheet_rows.hpp"
#include "xlsx/column_plan.hpp"
#include "xlsx/type_inference.hpp"

namespace load {

// The sheet-to-table mapping, by the rules the loader shares with the extension.
using ColumnPlan = xlsx::ColumnPlan;

class Chunker {
public:
    // collect_types: each chunk carries the type evidence of its values (for --create in
    // staging mode, which decides the types from the cells it stages).
    Chunker(SheetRows& rows, const ColumnPlan& plan, uint32_t chunk_rows,
            std::function<bool(uint64_t chunk_no)> committed, bool collect_types = false);

    // The next chunk with rows (or rejects) that is not committed yet, or nullopt at the end.
    std::optional<RowChunk> next();

    uint64_t rows_read() const { return rows_read_; }        // data rows of the chunks handed out
    uint64_t rows_skipped() const { return rows_skipped_; }  // in chunks committed before

private:
    void add_row(RowChunk& chunk, const DataRow& row);
    RowChunk& finish(RowChunk& chunk);

    SheetRows& rows_;
    const ColumnPlan& plan_;
    uint32_t chunk_rows_;
    std::function<bool(uint64_t)> committed_;
    std::optional<DataRow> lookahead_;
    std::vector<std::optional<std::string_view>> slots_;
    std::vector<std::pair<const xlsx::Cell*, std::string_view>> typed_;  // for the types
    std::optional<xlsx::TypeInference> types_;
    uint64_t rows_read_ = 0;
    uint64_t rows_skipped_ = 0;
};

}  // namespace load
