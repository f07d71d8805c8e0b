#include "sheet_reader.hpp"

namespace xlsx {

SheetReader::SheetReader(const Workbook& workbook, const SheetInfo& sheet, bool ordered,
                         const CellRange& range)
    : sheet_(sheet), ordered_(ordered) {
    ErrorLocation where{workbook.path(), sheet.part, sheet.name};
    if (!sheet.holds_cells())
        throw Error(ErrorKind::Unsupported,
                    "sheet \"" + sheet.name + "\" is a " + sheet.kind + ", which holds no cells",
                    ErrorLocation{workbook.path()});
    if (sheet.part_missing)
        throw Error(ErrorKind::MissingPart, missing_part_message(sheet),
                    ErrorLocation{workbook.path()});
    PartInfo part =
        workbook.package().require(sheet.part, ("sheet \"" + sheet.name + "\"").c_str());
    const ReaderOptions& options = workbook.options();
    context_ = SheetContext{&workbook.styles(),
                            &workbook.shared_strings(),
                            workbook.date1904(),
                            options.limits,
                            where,
                            range};
    splitter_ = std::make_unique<ChunkSplitter>(workbook.package().open(part), "sheetData", "row",
                                                true, options.chunk_bytes, options.limits, where);
    pipeline_ = std::make_unique<ChunkPipeline<RowBatch>>(
        *splitter_,
        [this] {
            auto parser = std::make_shared<SheetChunkParser>(context_);
            return [parser](Chunk& c) { return parser->parse(c); };
        },
        options.threads, options.chunks_in_flight, ordered);
}

std::optional<RowBatch> SheetReader::next() {
    if (past_range_) return std::nullopt;
    std::optional<RowBatch> batch = pipeline_->next();
    // In sheet order, nothing after a row below the range is wanted: the rest is not read.
    past_range_ = ordered_ && batch && batch->past_range;
    return batch;
}

}  // namespace xlsx
