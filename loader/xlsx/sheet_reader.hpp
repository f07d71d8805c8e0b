// Reads one sheet as a sequence of RowBatches: one thread inflates and cuts the part into
// chunks at <row> boundaries, K threads parse them, the caller takes batches in sheet order
// (or as they come). Memory: the shared strings plus `chunks_in_flight` chunks, whatever the
// number of rows. Several SheetReaders may run at once on one Workbook.
#pragma once

#include <memory>
#include <optional>

#include "chunk_pipeline.hpp"
#include "row_batch.hpp"
#include "sheet_parser.hpp"
#include "workbook.hpp"

namespace xlsx {

class SheetReader {
public:
    // Only the cells inside `range` are read (see SheetContext::range).
    SheetReader(const Workbook& workbook, const SheetInfo& sheet, bool ordered = true,
                const CellRange& range = {});

    // The next batch, or nullopt at the end (in order: also after the batch that reached a row
    // below the range). Throws Error at the first bad row (in order).
    std::optional<RowBatch> next();

    const SheetInfo& sheet() const { return sheet_; }
    // Uncompressed XML bytes read so far (for progress).
    uint64_t xml_bytes_read() const { return splitter_->bytes_read(); }
    // The <dimension ref> of the sheet, once the first batch has been read.
    const std::string& dimension_ref() const { return splitter_->dimension_ref(); }

private:
    SheetInfo sheet_;
    bool ordered_;
    bool past_range_ = false;
    SheetContext context_;
    std::unique_ptr<ChunkSplitter> splitter_;
    std::unique_ptr<ChunkPipeline<RowBatch>> pipeline_;
};

}  // namespace xlsx
