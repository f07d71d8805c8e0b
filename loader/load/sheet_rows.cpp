#include "sheet_rows.hpp"

#include <algorithm>

namespace load {

SheetRows::SheetRows(const xlsx::Workbook& workbook, const xlsx::SheetInfo& sheet,
                     const RowOptions& options)
    : options_(options),
      reader_(workbook, sheet, true, options.range,
              xlsx::SheetShape{options.fill_merged, options.header_row, options.header_rows,
                               options.source_columns, options.source_file}) {}

std::optional<DataRow> SheetRows::next_row() {
    while (!batch_ || next_index_ == batch_->rows.size()) {
        batch_ = reader_.next();
        next_index_ = 0;
        if (!batch_) return std::nullopt;
    }
    const xlsx::Row& row = batch_->rows[next_index_++];
    return DataRow{row.number, batch_->cells_of(row)};
}

const std::vector<std::string>& SheetRows::header() {
    if (header_read_) return header_;
    header_read_ = true;
    while (auto row = next_row()) {
        if (options_.header_row == 0 || row->number > options_.header_row) {
            pending_ = row;  // no header, or the header row is empty: this is data
            break;
        }
        if (row->number < options_.header_row) continue;
        uint32_t width = row->cells.empty() ? 0 : row->cells.back().column;
        header_.assign(width + 1, std::string());
        for (const xlsx::Cell& cell : row->cells)
            header_[cell.column] = std::string(cell.text());
        break;
    }
    if (!options_.header_names.empty()) {
        header_.assign(1, std::string());
        header_.insert(header_.end(), options_.header_names.begin(), options_.header_names.end());
        for (const xlsx::SourceColumn& source : options_.source_columns)
            header_.push_back(source.name);  // after the table's columns, as the reader puts them
    }
    return header_;
}

std::optional<DataRow> SheetRows::next() {
    header();
    if (ended_) return std::nullopt;
    for (;;) {
        std::optional<DataRow> row = pending_ ? std::exchange(pending_, std::nullopt) : next_row();
        if (!row) return std::nullopt;
        if (options_.stop_at_empty && previous_row_ > 0 &&
            (row->number > previous_row_ + 1 || is_empty(*row))) {
            ended_ = true;  // the reader leaves empty rows out: a gap is one
            return std::nullopt;
        }
        previous_row_ = row->number;
        if (skipped_ < options_.skip_rows) {
            ++skipped_;
            continue;
        }
        return row;
    }
}

bool SheetRows::is_empty(const DataRow& row) const {
    return std::none_of(row.cells.begin(), row.cells.end(),
                        [&](const xlsx::Cell& cell) { return value(cell).has_value(); });
}

std::optional<std::string_view> SheetRows::value(const xlsx::Cell& cell) const {
    std::string_view text = cell.text();
    if (options_.trim && cell.type == xlsx::CellType::String) {
        auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
        while (!text.empty() && blank(text.front()))
            text.remove_prefix(1);
        while (!text.empty() && blank(text.back()))
            text.remove_suffix(1);
    }
    // An empty string is no value; Excel shows the two the same way.
    if (text.empty()) return std::nullopt;
    for (const std::string& token : options_.null_tokens)
        if (text == token) return std::nullopt;
    return text;
}

double SheetRows::progress() const {
    if (reader_.source_bytes() == 0) return 0.0;
    return std::min(1.0, static_cast<double>(reader_.xml_bytes_read()) / reader_.source_bytes());
}

}  // namespace load
