#include "sheet_shaper.hpp"

#include <algorithm>

#include "error.hpp"

namespace xlsx {
namespace {
constexpr size_t kRowsPerBatch = 4096;
constexpr uint64_t kMaxMergeCells = 10'000'000;
constexpr uint32_t kNone = UINT32_MAX;
}  // namespace

std::vector<SourceColumn> parse_source_columns(std::string_view spec) {
    std::vector<SourceColumn> columns;
    size_t start = 0;
    while (start <= spec.size()) {
        size_t comma = spec.find(',', start);
        std::string_view item = spec.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        size_t eq = item.find('=');
        std::string_view word = item.substr(0, eq);
        SourceColumn c{SourceColumn::What::File, std::string(word)};
        if (word == "sheet")
            c.what = SourceColumn::What::Sheet;
        else if (word == "row")
            c.what = SourceColumn::What::Row;
        else if (word != "file")
            throw std::invalid_argument("\"" + std::string(item) +
                                        "\": the source columns are file, sheet and row, each "
                                        "optionally =NAME (file=source_file)");
        if (eq != std::string_view::npos) c.name = item.substr(eq + 1);
        if (c.name.empty())
            throw std::invalid_argument("\"" + std::string(item) + "\" names no column");
        for (const SourceColumn& other : columns)
            if (other.what == c.what)
                throw std::invalid_argument("\"" + std::string(word) + "\" is given twice");
        columns.push_back(std::move(c));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return columns;
}

SheetShaper::SheetShaper(SheetShape shape, std::vector<CellRange> merges, const CellRange& range,
                         const ErrorLocation& where, std::string sheet_name)
    : shape_(std::move(shape)), range_(range), sheet_name_(std::move(sheet_name)) {
    for (const CellRange& m : merges) {
        uint64_t cells =
            uint64_t(m.last_row - m.first_row + 1) * (m.last_column - m.first_column + 1);
        if (cells < 2) continue;
        if (cells > kMaxMergeCells)
            throw Error(ErrorKind::LimitExceeded,
                        "merged cells " + cell_range_text(m) + " cover " + std::to_string(cells) +
                            " cells, more than the " + std::to_string(kMaxMergeCells) +
                            " a merge may fill",
                        where);
        Merge clipped;
        clipped.cells = m;
        clipped.cells.first_row = std::max(m.first_row, range.first_row);
        clipped.cells.last_row = std::min(m.last_row, range.last_row);
        uint32_t first = std::max(m.first_column, range.first_column);
        uint32_t last = std::min(m.last_column, range.last_column);
        if (clipped.cells.first_row > clipped.cells.last_row || first > last) continue;
        clipped.top_left_read =
            m.first_row >= range.first_row && m.first_column >= range.first_column;
        clipped.cells.first_column = first - range.first_column + 1;
        clipped.cells.last_column = last - range.first_column + 1;
        merges_.push_back(std::move(clipped));
    }
    std::stable_sort(merges_.begin(), merges_.end(), [](const Merge& a, const Merge& b) {
        return a.cells.first_row < b.cells.first_row;
    });
}

bool SheetShaper::fills(const Merge& m, uint32_t row) const {
    if (!m.captured || row < m.cells.first_row || row > m.cells.last_row) return false;
    if (shape_.fill_merged) return true;
    return shape_.header_rows > 1 && row >= shape_.header_row &&
           row < shape_.header_row + shape_.header_rows;
}

// The first row after `after` that a merge fills but the reader has not given.
uint32_t SheetShaper::next_gap_row(uint32_t after) const {
    uint32_t best = kNone;
    for (size_t i : active_) {
        const Merge& m = merges_[i];
        uint32_t row = std::max(after + 1, m.cells.first_row + 1);
        if (row < best && fills(m, row)) best = row;
    }
    return best;
}

std::optional<RowBatch> SheetShaper::next(const std::function<std::optional<RowBatch>()>& pull) {
    RowBatch out;
    out.seq = seq_++;
    // On the heap from the start: the cells point into it, and a short string's inline buffer
    // would move with the batch.
    out.arena.reserve(1024);
    while (out.rows.size() < kRowsPerBatch) {
        if ((!in_ || in_row_ == in_->rows.size()) && !in_done_) {
            in_ = pull();
            in_row_ = 0;
            if (in_) out.xml_bytes += in_->xml_bytes;
            in_done_ = !in_;
            continue;
        }
        uint32_t source = in_ && in_row_ < in_->rows.size() ? in_->rows[in_row_].number : kNone;
        uint32_t gap = next_gap_row(last_row_);
        if (gap < source) {
            emit_row(out, gap, {});
        } else if (source != kNone) {
            emit_row(out, source, in_->cells_of(in_->rows[in_row_]));
            ++in_row_;
        } else {
            break;
        }
    }
    if (in_done_ && header_open_) flush_header(out);
    if (out.rows.empty() && in_done_) return std::nullopt;
    // Offsets into the arena become pointers now that it no longer grows.
    for (Cell& c : out.cells)
        c.data = out.arena.data() + reinterpret_cast<uintptr_t>(c.data);
    return out;
}

void SheetShaper::emit_row(RowBatch& out, uint32_t number, std::span<const Cell> cells) {
    last_row_ = number;
    while (next_merge_ < merges_.size() && merges_[next_merge_].cells.first_row <= number)
        active_.push_back(next_merge_++);
    std::erase_if(active_, [&](size_t i) { return merges_[i].cells.last_row < number; });
    for (size_t i : active_) {
        Merge& m = merges_[i];
        if (m.captured || m.cells.first_row != number || !m.top_left_read) continue;
        for (const Cell& c : cells)
            if (c.column == m.cells.first_column) {
                m.value.assign(c.text());
                m.type = c.type;
                m.captured = true;
            }
    }
    // The row's cells with the merges' values in the cells they cover, in column order.
    std::vector<Cell> row;
    std::vector<std::string_view> texts;
    std::vector<bool> from_above;  // a merge's value repeated down from a row above
    std::vector<std::pair<uint32_t, const Merge*>> fill;  // by column; the first cell keeps its own
    for (size_t i : active_) {
        const Merge& m = merges_[i];
        if (!fills(m, number)) continue;
        for (uint32_t c = m.cells.first_column; c <= m.cells.last_column; ++c)
            if (number != m.cells.first_row || c != m.cells.first_column) fill.emplace_back(c, &m);
    }
    // Merges do not overlap in a valid sheet; where they do, the one that begins first wins.
    std::stable_sort(fill.begin(), fill.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    fill.erase(std::unique(fill.begin(), fill.end(),
                           [](const auto& a, const auto& b) { return a.first == b.first; }),
               fill.end());
    size_t f = 0;
    auto add_fill = [&] {
        const Merge& m = *fill[f].second;
        row.push_back(Cell{nullptr, 0, fill[f].first, m.type});
        texts.push_back(m.value);
        from_above.push_back(m.cells.first_row < number);
        ++f;
    };
    for (const Cell& c : cells) {
        while (f < fill.size() && fill[f].first < c.column)
            add_fill();
        if (f < fill.size() && fill[f].first == c.column) continue;  // the merge's value wins
        row.push_back(c);
        texts.push_back(c.text());
        from_above.push_back(false);
    }
    while (f < fill.size())
        add_fill();

    const uint32_t header_end = shape_.header_row + shape_.header_rows;  // exclusive
    if (shape_.header_rows > 1 && number >= shape_.header_row && number < header_end) {
        // A title merged down over the header's rows is said once ("Region", not twice).
        for (size_t i = 0; i < row.size(); ++i) {
            if (texts[i].empty() || from_above[i]) continue;
            std::string& text = header_[row[i].column];
            if (!text.empty()) text += ' ';
            text += texts[i];
        }
        header_open_ = true;
        if (number + 1 == header_end) flush_header(out);
        return;
    }
    if (header_open_) flush_header(out);
    if (!shape_.source_columns.empty() && !header_seen_ && shape_.header_row > 0 &&
        number > shape_.header_row) {  // no header row in the sheet: one of the names alone
        std::vector<Cell> names;
        std::vector<std::string_view> name_texts;
        add_source_columns(shape_.header_row, names, name_texts);
        add_row(out, shape_.header_row, names, name_texts);
    }
    add_source_columns(number, row, texts);
    add_row(out, number, row, texts);
}

// The header's names, or a data row's values, after the header's last column; a data row's
// cells past that column move right to make room (and are refused there as they would be).
void SheetShaper::add_source_columns(uint32_t number, std::vector<Cell>& cells,
                                     std::vector<std::string_view>& texts) {
    const auto& sources = shape_.source_columns;
    if (sources.empty() || shape_.header_row == 0 || number < shape_.header_row) return;
    if (number == shape_.header_row) {
        header_seen_ = true;
        // After a range's last column (an Excel table's), else after the header's last cell.
        header_width_ = range_.last_column != CellRange{}.last_column
                            ? range_.last_column - range_.first_column + 1
                        : cells.empty() ? 0
                                        : cells.back().column;
        for (size_t i = 0; i < sources.size(); ++i) {
            cells.push_back(
                Cell{nullptr, 0, header_width_ + 1 + static_cast<uint32_t>(i), CellType::String});
            texts.push_back(sources[i].name);
        }
        return;
    }
    const auto shift = static_cast<uint32_t>(sources.size());
    size_t insert_at = cells.size();
    for (size_t i = 0; i < cells.size(); ++i)
        if (cells[i].column > header_width_) {
            if (insert_at == cells.size()) insert_at = i;
            cells[i].column += shift;
        }
    row_text_ = std::to_string(number);
    for (size_t i = 0; i < sources.size(); ++i) {
        std::string_view value = sources[i].what == SourceColumn::What::File    ? shape_.file_label
                                 : sources[i].what == SourceColumn::What::Sheet ? sheet_name_
                                                                                : row_text_;
        CellType type =
            sources[i].what == SourceColumn::What::Row ? CellType::Number : CellType::String;
        cells.insert(cells.begin() + static_cast<std::ptrdiff_t>(insert_at + i),
                     Cell{nullptr, 0, header_width_ + 1 + static_cast<uint32_t>(i), type});
        texts.insert(texts.begin() + static_cast<std::ptrdiff_t>(insert_at + i), value);
    }
}

void SheetShaper::add_row(RowBatch& out, uint32_t number, const std::vector<Cell>& cells,
                          const std::vector<std::string_view>& texts) {
    if (cells.empty()) return;
    out.rows.push_back(
        Row{number, static_cast<uint32_t>(out.cells.size()), static_cast<uint32_t>(cells.size())});
    for (size_t i = 0; i < cells.size(); ++i) {
        out.cells.push_back(Cell{reinterpret_cast<const char*>(out.arena.size()),
                                 static_cast<uint32_t>(texts[i].size()), cells[i].column,
                                 cells[i].type});
        out.arena.append(texts[i]);
    }
}

void SheetShaper::flush_header(RowBatch& out) {
    header_open_ = false;
    std::vector<Cell> cells;
    std::vector<std::string_view> texts;
    for (const auto& [column, text] : header_) {
        cells.push_back(Cell{nullptr, 0, column, CellType::String});
        texts.push_back(text);
    }
    add_source_columns(shape_.header_row, cells, texts);
    add_row(out, shape_.header_row, cells, texts);
    header_.clear();
}

}  // namespace xlsx
