#include "report_writer.hpp"

#include <xlsxwriter.h>

#include <algorithm>
#include <cstdio>

#include "xlsx/error.hpp"

namespace xlsx_report {

namespace {

// Column widths come from the header and this many rows: enough to see a column's shape,
// and a cost paid once.
constexpr uint32_t kWidthRows = 1000;
constexpr size_t kMinWidth = 6, kMaxWidth = 60;
constexpr size_t kMaxSheetName = 31;  // Excel's limit, in characters
constexpr const char* kCutText = "cut to the 32,767 characters a cell holds";

// How wide a value shows: its text for strings and numbers, its format for dates.
size_t display_width(const Cell& cell, std::string_view value, const std::string& format) {
    if (cell.type == Cell::Type::Boolean) return 5;
    if (cell.type == Cell::Type::String) return std::min(utf8_length(cell.text), kMaxWidth);
    if (!format.empty() && format.find('#') == std::string::npos) return format.size();
    return value.size() + (format.empty() ? 0 : value.size() / 3);  // thousands separators
}

}  // namespace

ReportWriter::ReportWriter(const std::string& path, WriterOptions options, std::string label)
    : options_(std::move(options)), label_(label.empty() ? path : std::move(label)) {
    lxw_workbook_options lxw_options{};
    lxw_options.constant_memory = LXW_TRUE;
    lxw_options.use_zip64 = LXW_TRUE;  // sheets past 4 GB uncompressed stay readable
    lxw_options.tmpdir = options_.temp_dir.empty() ? nullptr : options_.temp_dir.data();
    workbook_ = workbook_new_opt(path.c_str(), &lxw_options);
    if (!workbook_)
        throw xlsx::Error(xlsx::ErrorKind::Io, "cannot start the workbook",
                          xlsx::ErrorLocation{label_});
    header_format_ = workbook_add_format(workbook_);
    format_set_bold(header_format_);
}

ReportWriter::~ReportWriter() {
    if (!workbook_) return;
    // Not finished: nothing is written and the file never appears. lxw_workbook_free leaves
    // constant-memory mode's temporary files open (one per sheet), which in a server backend
    // would pile up with each failed export: they are closed here.
    for (lxw_worksheet* sheet : worksheets_) {
        if (sheet->optimize_tmpfile) std::fclose(sheet->optimize_tmpfile);
        sheet->optimize_tmpfile = nullptr;
    }
    lxw_workbook_free(workbook_);
}

std::string ReportWriter::overflow_name(unsigned part) const {
    if (part == 1) return base_name_;
    std::string suffix = " (" + std::to_string(part) + ")";
    return std::string(utf8_prefix(base_name_, kMaxSheetName - suffix.size())) + suffix;
}

void ReportWriter::open_sheet(const std::string& name) {
    if (lxw_error e = workbook_validate_sheet_name(workbook_, name.c_str()); e != LXW_NO_ERROR)
        throw xlsx::Error(xlsx::ErrorKind::InvalidValue,
                          "sheet name \"" + name + "\": " + lxw_strerror(e),
                          xlsx::ErrorLocation{label_});
    sheet_ = workbook_add_worksheet(workbook_, name.c_str());
    if (!sheet_)
        throw xlsx::Error(xlsx::ErrorKind::Io, "cannot add sheet \"" + name + "\"",
                          xlsx::ErrorLocation{label_});
    worksheets_.push_back(sheet_);
    sheets_.push_back({name, 0});
    sheet_rows_ = 0;
    for (size_t c = 0; c < columns_.size(); ++c) {
        Cell header = encode_cell(ColumnKind::Text, columns_[c].spec.name, scratch_);
        worksheet_write_string(sheet_, 0, static_cast<lxw_col_t>(c),
                               std::string(header.text).c_str(), header_format_);
    }
    worksheet_freeze_panes(sheet_, 1, 0);
}

void ReportWriter::close_sheet() {
    if (!sheet_) return;
    if (!columns_.empty())
        worksheet_autofilter(sheet_, 0, 0, sheet_rows_,
                             static_cast<lxw_col_t>(columns_.size() - 1));
    for (size_t c = 0; c < columns_.size(); ++c) {
        double width = static_cast<double>(std::clamp(columns_[c].width + 2, kMinWidth, kMaxWidth));
        worksheet_set_column(sheet_, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), width,
                             nullptr);
    }
    sheet_ = nullptr;
}

void ReportWriter::begin_sheet(const std::string& name, std::vector<ExportColumn> columns) {
    close_sheet();
    if (columns.empty() || columns.size() > LXW_COL_MAX)
        throw xlsx::Error(xlsx::ErrorKind::InvalidValue,
                          "sheet \"" + name + "\": " + std::to_string(columns.size()) +
                              " columns (a sheet holds 1 to 16384)",
                          xlsx::ErrorLocation{label_});
    columns_.clear();
    for (auto& spec : columns) {
        Column column{std::move(spec), ColumnKind::Text, "", nullptr, 0, {}};
        column.kind = column_kind_of(column.spec.type);
        column.width = utf8_length(column.spec.name) + 3;  // the autofilter's button
        column.number_format = number_format_of(column.spec.type);
        if (!column.number_format.empty()) {
            column.format = workbook_add_format(workbook_);
            format_set_num_format(column.format, column.number_format.c_str());
        }
        columns_.push_back(std::move(column));
    }
    base_name_ = name;
    part_ = 1;
    open_sheet(name);
}

std::string sheet_name_from(std::string_view name) {
    std::string out;
    for (char c : name)
        out += std::string_view("[]:*?/\\").find(c) == std::string_view::npos ? c : '_';
    while (!out.empty() && out.front() == '\'')
        out.erase(0, 1);
    out = std::string(utf8_prefix(out, kMaxSheetName));
    while (!out.empty() && out.back() == '\'')
        out.pop_back();
    return out.empty() ? "Sheet" : out;
}

std::string note_text(const ColumnNote& n) {
    return "sheet \"" + n.sheet + "\" column \"" + n.column + "\": " + std::to_string(n.values) +
           (n.values == 1 ? " value" : " values") + " written as text (" + n.reason +
           "), the first at row " + std::to_string(n.first_row);
}

void ReportWriter::note(size_t column, const char* reason, uint64_t sheet_row) {
    // Per value of a column that is all text: the reasons are static strings, so a pointer
    // comparison finds the note.
    for (auto [known, index] : columns_[column].notes) {
        if (known == reason) {
            ++notes_[index].values;
            return;
        }
    }
    columns_[column].notes.emplace_back(reason, notes_.size());
    notes_.push_back({base_name_, columns_[column].spec.name, reason, 1, sheet_row});
}

xlsx::ErrorLocation ReportWriter::cell_location(uint64_t sheet_row, size_t column) const {
    xlsx::ErrorLocation where{label_, "", sheets_.back().name};
    where.row = sheet_row;
    where.column = static_cast<uint32_t>(column + 1);
    return where;
}

void ReportWriter::write_row(std::span<const std::optional<std::string_view>> values) {
    if (!sheet_) throw std::logic_error("write_row before begin_sheet");
    if (values.size() != columns_.size())
        throw std::logic_error("write_row: a value for each column");
    if (sheet_rows_ == options_.rows_per_sheet) {
        if (!options_.overflow_to_new_sheet)
            throw xlsx::Error(xlsx::ErrorKind::LimitExceeded,
                              "more than " + std::to_string(options_.rows_per_sheet) +
                                  " rows, what a sheet holds under its header (overflow to "
                                  "a new sheet goes on in \"" +
                                  overflow_name(part_ + 1) + "\")",
                              xlsx::ErrorLocation{label_, "", sheets_.back().name});
        close_sheet();
        open_sheet(overflow_name(++part_));
    }
    const auto row = static_cast<lxw_row_t>(sheet_rows_ + 1);
    const bool measure = sheet_rows_ < kWidthRows;
    for (size_t c = 0; c < values.size(); ++c) {
        if (!values[c]) continue;  // NULL: an empty cell
        Column& column = columns_[c];
        const auto col = static_cast<lxw_col_t>(c);
        Cell cell = encode_cell(column.kind, *values[c], scratch_);
        if (cell.text_reason) note(c, cell.text_reason, row + 1);
        lxw_error e = LXW_NO_ERROR;
        switch (cell.type) {
            case Cell::Type::Number:
                e = worksheet_write_number(sheet_, row, col, cell.number, column.format);
                break;
            case Cell::Type::Boolean:
                e = worksheet_write_boolean(sheet_, row, col, cell.boolean, nullptr);
                break;
            case Cell::Type::String: {
                // Characters are counted only when the bytes could be too many.
                size_t characters = cell.text.size() > kMaxCellCharacters ? utf8_length(cell.text)
                                                                          : cell.text.size();
                if (characters > kMaxCellCharacters) {
                    if (!options_.truncate_long_text)
                        throw xlsx::Error(xlsx::ErrorKind::InvalidValue,
                                          "column \"" + column.spec.name + "\": text of " +
                                              std::to_string(characters) +
                                              " characters, more than a cell holds (32,767)",
                                          cell_location(row + 1, c));
                    cell.text = utf8_prefix(cell.text, kMaxCellCharacters);
                    note(c, kCutText, row + 1);
                }
                // libxlsxwriter takes a C string; the value is not NUL-terminated.
                cell_text_.assign(cell.text);
                e = worksheet_write_string(sheet_, row, col, cell_text_.c_str(), nullptr);
                break;
            }
        }
        if (e != LXW_NO_ERROR)
            throw xlsx::Error(xlsx::ErrorKind::Io, lxw_strerror(e), cell_location(row + 1, c));
        if (measure)
            column.width =
                std::max(column.width, display_width(cell, *values[c], column.number_format));
    }
    ++sheet_rows_;
    ++sheets_.back().rows;
    ++total_rows_;
}

void ReportWriter::finish() {
    close_sheet();
    if (sheets_.empty()) throw std::logic_error("finish without a sheet");
    lxw_workbook* workbook = workbook_;
    workbook_ = nullptr;  // workbook_close frees it, whatever it returns
    if (lxw_error e = workbook_close(workbook); e != LXW_NO_ERROR)
        throw xlsx::Error(xlsx::ErrorKind::Io, std::string("cannot write: ") + lxw_strerror(e),
                          xlsx::ErrorLocation{label_});
}

}  // namespace xlsx_report
