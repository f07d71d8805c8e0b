#include "sheet_reader.hpp"

#include "merged_cells.hpp"

namespace xlsx {

SheetReader::SheetReader(const Workbook& workbook, const SheetInfo& sheet, bool ordered,
                         const CellRange& range, const SheetShape& shape)
    : sheet_(sheet), ordered_(ordered || shape.active()), range_(range) {
    ErrorLocation where{workbook.path(), sheet.part, sheet.name};
    if (!sheet.holds_cells())
        throw Error(ErrorKind::Unsupported,
                    "sheet \"" + sheet.name + "\" is a " + sheet.kind + ", which holds no cells",
                    ErrorLocation{workbook.path()});
    if (sheet.part_missing)
        throw Error(ErrorKind::MissingPart, missing_part_message(sheet),
                    ErrorLocation{workbook.path()});
    if (const LegacyWorkbook* legacy = workbook.legacy()) {
        legacy_ =
            std::make_unique<LegacySheetCells>(legacy->read_sheet(sheet.index - 1, sheet.name));
        source_bytes_ = legacy_->record_bytes;
        if (shape.active())
            shaper_ =
                std::make_unique<SheetShaper>(shape, legacy_->merges, range, where, sheet.name);
        return;
    }
    PartInfo part =
        workbook.package().require(sheet.part, ("sheet \"" + sheet.name + "\"").c_str());
    source_bytes_ = part.uncompressed_size;
    if (shape.active())
        shaper_ = std::make_unique<SheetShaper>(
            shape, read_merged_cells(workbook.package(), part, sheet.name), range, where,
            sheet.name);
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
        options.threads, options.chunks_in_flight, ordered_);
}

uint64_t SheetReader::xml_bytes_read() const {
    if (!legacy_) return splitter_->bytes_read();
    if (legacy_->cells.empty()) return source_bytes_;
    return source_bytes_ * legacy_next_ / legacy_->cells.size();
}

const std::string& SheetReader::dimension_ref() const {
    static const std::string none;
    return legacy_ ? none : splitter_->dimension_ref();
}

// Up to kLegacyBatchRows rows of the range, their text copied into the batch's arena.
std::optional<RowBatch> SheetReader::next_legacy() {
    constexpr size_t kLegacyBatchRows = 4096;
    const auto& cells = legacy_->cells;
    RowBatch batch;
    batch.seq = legacy_seq_++;
    batch.arena.reserve(1024);  // on the heap: the cells point into it, and the batch moves
    size_t first = legacy_next_;
    for (; legacy_next_ < cells.size(); ++legacy_next_) {
        const auto& cell = cells[legacy_next_];
        if (cell.row > range_.last_row) {
            batch.past_range = true;
            legacy_next_ = cells.size();
            break;
        }
        if (cell.row < range_.first_row || cell.column < range_.first_column ||
            cell.column > range_.last_column)
            continue;
        if (batch.rows.empty() || batch.rows.back().number != cell.row) {
            if (batch.rows.size() == kLegacyBatchRows) break;
            batch.rows.push_back(Row{cell.row, static_cast<uint32_t>(batch.cells.size()), 0});
        }
        batch.cells.push_back(Cell{reinterpret_cast<const char*>(batch.arena.size()), cell.size,
                                   cell.column - range_.first_column + 1, cell.type});
        batch.arena.append(legacy_->arena, cell.offset, cell.size);
        ++batch.rows.back().cell_count;
    }
    if (legacy_next_ == first) return std::nullopt;
    for (Cell& c : batch.cells)  // offsets become pointers once the arena is complete
        c.data = batch.arena.data() + reinterpret_cast<uintptr_t>(c.data);
    batch.xml_bytes = source_bytes_ * (legacy_next_ - first) / std::max<size_t>(cells.size(), 1);
    return batch;
}

std::optional<RowBatch> SheetReader::next() {
    if (shaper_) return shaper_->next([this] { return next_batch(); });
    return next_batch();
}

std::optional<RowBatch> SheetReader::next_batch() {
    if (past_range_) return std::nullopt;
    if (legacy_) return next_legacy();
    std::optional<RowBatch> batch = pipeline_->next();
    // In sheet order, nothing after a row below the range is wanted: the rest is not read.
    past_range_ = ordered_ && batch && batch->past_range;
    return batch;
}

}  // namespace xlsx
