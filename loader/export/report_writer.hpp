// Rows into an .xlsx report, streamed: libxlsxwriter in constant-memory mode keeps one row per
// sheet in memory and the rest in temporary files, so the memory an export needs does not grow
// with its rows. Each sheet gets a bold, frozen header with an autofilter, column widths from
// its first rows and a number format per column type (column_kind.hpp); values go through
// encode_cell, and those of a typed column written as text are counted for the column's note.
//
// The file appears only when finish() succeeds (libxlsxwriter writes the package at close);
// a writer destroyed before leaves nothing behind.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cell_encoding.hpp"
#include "column_kind.hpp"
#include "xlsx/error.hpp"

struct lxw_workbook;
struct lxw_worksheet;
struct lxw_format;

namespace xlsx_report {

// Rows under the header that fit in one sheet (Excel's 1,048,576 rows, the header's taken).
constexpr uint32_t kMaxDataRows = 1048575;

struct WriterOptions {
    // Text over Excel's 32,767 characters: cut (and noted) instead of an error.
    bool truncate_long_text = false;
    // Past a sheet's last row: go on in a new sheet "Name (2)" instead of an error.
    bool overflow_to_new_sheet = true;
    uint32_t rows_per_sheet = kMaxDataRows;  // tests make it small
    // Where libxlsxwriter keeps its temporary files ("" for the system's).
    std::string temp_dir;
};

struct ExportColumn {
    std::string name;
    ColumnType type;
};

// Values of a typed column that were written as text, and why: "amount: 3 values with more
// than 15 significant digits written as text (first at sheet row 17)".
struct ColumnNote {
    std::string sheet, column;
    const char* reason;
    uint64_t values = 0;
    uint64_t first_row = 0;  // sheet row
};

// A sheet name Excel takes, made from any name (a table's): characters it refuses
// ([ ] : * ? / \) become '_', an apostrophe at either end goes, at most 31 characters.
std::string sheet_name_from(std::string_view name);

// The note as one line: sheet "S" column "amount": 3 values written as text (more than 15
// significant digits), the first at row 17.
std::string note_text(const ColumnNote& note);

struct SheetSummary {
    std::string name;
    uint64_t rows = 0;  // data rows
};

class ReportWriter {
public:
    // `path` is where finish() writes the workbook; `label` names it in errors.
    ReportWriter(const std::string& path, WriterOptions options, std::string label = {});
    ~ReportWriter();
    ReportWriter(const ReportWriter&) = delete;
    ReportWriter& operator=(const ReportWriter&) = delete;

    // A new sheet, its header written. Throws xlsx::Error for a name Excel refuses.
    void begin_sheet(const std::string& name, std::vector<ExportColumn> columns);
    // One row of the current sheet; nullopt is NULL (an empty cell). Throws xlsx::Error
    // naming the sheet row and column for a value Excel cannot hold.
    void write_row(std::span<const std::optional<std::string_view>> values);
    // Writes the workbook. Throws xlsx::Error when it cannot.
    void finish();

    const std::vector<SheetSummary>& sheets() const { return sheets_; }
    const std::vector<ColumnNote>& notes() const { return notes_; }
    uint64_t rows() const { return total_rows_; }

private:
    struct Column {
        ExportColumn spec;
        ColumnKind kind;
        std::string number_format;  // "" for General
        lxw_format* format = nullptr;
        size_t width = 0;  // characters, from the header and the first rows
        std::vector<std::pair<const char*, size_t>> notes = {};  // reason -> index in notes_
    };

    void open_sheet(const std::string& name);
    void close_sheet();
    void note(size_t column, const char* reason, uint64_t sheet_row);
    xlsx::ErrorLocation cell_location(uint64_t sheet_row, size_t column) const;
    std::string overflow_name(unsigned part) const;

    WriterOptions options_;
    std::string label_;
    lxw_workbook* workbook_ = nullptr;
    lxw_format* header_format_ = nullptr;
    lxw_worksheet* sheet_ = nullptr;          // the one being written
    std::vector<lxw_worksheet*> worksheets_;  // all, to close their temporary files
    std::string base_name_;
    unsigned part_ = 0;        // 1 for the sheet itself, 2 for "Name (2)", ...
    uint32_t sheet_rows_ = 0;  // data rows in the current sheet
    std::vector<Column> columns_;
    std::vector<SheetSummary> sheets_;
    std::vector<ColumnNote> notes_;
    uint64_t total_rows_ = 0;
    std::string scratch_;    // encode_cell's
    std::string cell_text_;  // a string cell's text, NUL-terminated
};

}  // namespace xlsx_report
