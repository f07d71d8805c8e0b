#include "chunker.hpp"

#include <fmt/format.h>

namespace load {

Chunker::Chunker(SheetRows& rows, const ColumnPlan& plan, uint32_t chunk_rows,
                 std::function<bool(uint64_t)> committed, bool collect_types)
    : rows_(rows),
      plan_(plan),
      chunk_rows_(chunk_rows),
      committed_(std::move(committed)),
      slots_(plan.names.size()) {
    if (collect_types) types_.emplace(plan.width() + 1);
}

RowChunk& Chunker::finish(RowChunk& chunk) {
    if (types_) {
        chunk.type_evidence.resize(plan_.width() + 1);
        for (size_t column = 1; column <= plan_.width(); ++column)
            chunk.type_evidence[column] = types_->evidence(column);
        types_.emplace(plan_.width() + 1);  // the next chunk's start afresh
    }
    return chunk;
}

std::optional<RowChunk> Chunker::next() {
    std::optional<RowChunk> chunk;
    for (;;) {
        std::optional<DataRow> row =
            lookahead_ ? std::exchange(lookahead_, std::nullopt) : rows_.next();
        if (!row) {
            if (chunk) finish(*chunk);
            return chunk;
        }
        uint64_t number = (row->number - 1) / chunk_rows_;
        if (chunk && number != chunk->number) {
            lookahead_ = row;  // the cells stay valid: next() has not been called since
            finish(*chunk);
            return chunk;
        }
        if (committed_(number)) {
            ++rows_skipped_;
            continue;
        }
        if (!chunk) {
            chunk.emplace(plan_.names.size());
            chunk->number = number;
            chunk->first_row = static_cast<uint32_t>(number * chunk_rows_ + 1);
            chunk->last_row = static_cast<uint32_t>((number + 1) * chunk_rows_);
        }
        add_row(*chunk, *row);
    }
}

void Chunker::add_row(RowChunk& chunk, const DataRow& row) {
    ++rows_read_;
    std::fill(slots_.begin(), slots_.end(), std::nullopt);
    typed_.clear();
    for (const xlsx::Cell& cell : row.cells) {
        std::optional<std::string_view> value = rows_.value(cell);
        if (!value) continue;
        // Named only for a reject: not on the path of every cell.
        auto cell_name = [&] {
            return xlsx::column_name(cell.column) + std::to_string(row.number);
        };
        if (cell.column > plan_.width()) {
            chunk.rejects.push_back({row.number, cell_name(), std::string(*value), "",
                                     fmt::format("cell {} is past the last loaded column {}",
                                                 cell_name(), xlsx::column_name(plan_.width()))});
            return;
        }
        int slot = plan_.slot_of_sheet_column[cell.column];
        if (slot < 0) continue;
        if (value->find('\0') != std::string_view::npos) {
            std::string shown;  // a NUL written as \x00, as the extension's imports show it
            for (char c : *value)
                shown += c == '\0' ? std::string("\\x00") : std::string(1, c);
            chunk.rejects.push_back({row.number, plan_.names[slot], shown, plan_.types[slot],
                                     fmt::format("cell {} holds a NUL character, which "
                                                 "PostgreSQL text cannot store",
                                                 cell_name())});
            return;
        }
        slots_[slot] = value;
        if (types_) typed_.emplace_back(&cell, *value);
    }
    chunk.begin_row(row.number);
    for (const auto& value : slots_)
        chunk.add(value);
    for (const auto& [cell, value] : typed_)  // only rows that are loaded say what the types are
        types_->add(cell->column, cell->type, value);
}

}  // namespace load
