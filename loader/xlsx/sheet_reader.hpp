// Reads one sheet as a sequence of RowBatches: one thread inflates and cuts the part into
// chunks at <row> boundaries, K threads parse them, the caller takes batches in sheet order
// (or as they come). Memory: the shared strings plus `chunks_in_flight` chunks, whatever the
// number of rows. Several SheetReaders may run at once on one Workbook. A legacy .xls sheet
// (at most 65,536 rows, bounded by the file's size) is decoded whole, then handed out in
// batches the same way.
#pragma once

#include <memory>
#include <optional>

#include "chunk_pipeline.hpp"
#include "row_batch.hpp"
#include "sheet_parser.hpp"
#include "sheet_shaper.hpp"
#include "workbook.hpp"

namespace xlsx {

class SheetReader {
public:
    // Only the cells inside `range` are read (see SheetContext::range). A `shape` that fills
    // merged cells or joins header rows reads the sheet's merges first, and keeps sheet order.
    SheetReader(const Workbook& workbook, const SheetInfo& sheet, bool ordered = true,
                const CellRange& range = {}, const SheetShape& shape = {});

    // The next batch, or nullopt at the end (in order: also after the batch that reached a row
    // below the range). Throws Error at the first bad row (in order).
    std::optional<RowBatch> next();

    const SheetInfo& sheet() const { return sheet_; }
    // Uncompressed XML bytes read so far, of source_bytes() (for progress); of a legacy .xls,
    // the share of its records handed out.
    uint64_t xml_bytes_read() const;
    uint64_t source_bytes() const { return source_bytes_; }
    // The <dimension ref> of the sheet, once the first batch has been read.
    const std::string& dimension_ref() const;

private:
    std::optional<RowBatch> next_batch();
    std::optional<RowBatch> next_legacy();

    SheetInfo sheet_;
    bool ordered_;
    CellRange range_;
    uint64_t source_bytes_ = 0;
    std::unique_ptr<LegacySheetCells> legacy_;
    size_t legacy_next_ = 0;  // the next of legacy_'s cells to hand out
    uint64_t legacy_seq_ = 0;
    bool past_range_ = false;
    SheetContext context_;
    std::unique_ptr<ChunkSplitter> splitter_;
    std::unique_ptr<ChunkPipeline<RowBatch>> pipeline_;
    std::unique_ptr<SheetShaper> shaper_;
};

}  // namespace xlsx
