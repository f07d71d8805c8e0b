// The data rows of a sheet, in order: the header row read apart, the rows before it and the
// skipped ones left out, empty and format-only rows never seen (the reader drops them), and
// each cell's value after --null and --trim. With a range only its cells (columns counted from
// its first); with --stop-at-empty nothing after the first empty row.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"
#include "xlsx/sheet_reader.hpp"

namespace load {

struct DataRow {
    uint32_t number = 0;  // sheet row
    std::span<const xlsx::Cell> cells;
};

class SheetRows {
public:
    SheetRows(const xlsx::Workbook& workbook, const xlsx::SheetInfo& sheet,
              const RowOptions& options);

    // The header's cell texts by sheet column (1-based, index 0 unused: column A is [1]);
    // empty without a header. Reads up to the header row on the first call.
    const std::vector<std::string>& header();

    // The next data row, or nullopt at the end. The cells stay valid until the next call.
    std::optional<DataRow> next();

    // The value of a cell as it will be loaded: nullopt is NULL.
    std::optional<std::string_view> value(const xlsx::Cell& cell) const;

    // Fraction of the sheet's XML read so far, for progress and ETA.
    double progress() const;
    uint64_t xml_bytes_read() const { return reader_.xml_bytes_read(); }

private:
    std::optional<DataRow> next_row();
    bool is_empty(const DataRow& row) const;  // no cell with a value after --null and --trim

    RowOptions options_;
    xlsx::SheetReader reader_;
    std::optional<xlsx::RowBatch> batch_;
    size_t next_index_ = 0;
    bool header_read_ = false;
    std::vector<std::string> header_;
    std::optional<DataRow> pending_;  // the first data row, read while looking for the header
    uint32_t skipped_ = 0;
    uint32_t previous_row_ = 0;  // the last data row handed out (for --stop-at-empty)
    bool ended_ = false;         // --stop-at-empty found the end
};

}  // namespace load
