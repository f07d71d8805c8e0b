#include "upload_request.hpp"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "commands.hpp"
#include "pg/identifiers.hpp"
#include "xlsx/cell_range.hpp"
#include "xlsx/sheet_shaper.hpp"
#include "xlsx/text.hpp"

namespace cli {

TempUpload::TempUpload(const std::string& dir) : path_(dir + "/xlsx2pg-upload-XXXXXX.xlsx") {
    fd_ = mkstemps(path_.data(), 5);
    if (fd_ < 0) throw std::runtime_error("cannot create a temporary file in " + dir);
}

TempUpload::~TempUpload() {
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
}

bool TempUpload::write(const char* data, size_t size) {
    while (size > 0) {
        ssize_t n = ::write(fd_, data, size);
        if (n <= 0) return false;
        data += n;
        size -= static_cast<size_t>(n);
    }
    return true;
}

std::string label_of(const std::string& filename) {
    std::string base = filename.substr(
        filename.find_last_of("/\\") == std::string::npos ? 0 : filename.find_last_of("/\\") + 1);
    std::string out;
    for (char c : base)
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
    return out.substr(0, 255);
}

std::string options_from_query(const std::multimap<std::string, std::string>& params,
                               load::LoadOptions& o) {
    for (const auto& [key, value] : params) {
        if (key == "table") {
            if (std::string problem = pg::table_name_problem(value, false); !problem.empty())
                return "parameter table: " + problem;
            o.table = value;
        } else if (key == "sheet") {
            o.sheets.push_back(value);
        } else if (key == "mode") {
            if (value != "staging" && value != "direct") return "mode must be staging or direct";
            o.mode = value == "direct" ? load::Mode::Direct : load::Mode::Staging;
        } else if (key == "method") {
            if (value == "copy")
                o.method = load::Method::Copy;
            else if (value == "batch" || value == "concurrent")
                o.method = load::Method::Batch;
            else if (value == "insert" || value == "sequential")
                o.method = load::Method::Insert;
            else
                return "method must be copy, batch or insert";
        } else if (key == "create") {
            if (value != "true" && value != "false") return "create must be true or false";
            o.create = value == "true";
        } else if (key == "upsert") {
            if (value.empty()) return "upsert needs key columns: upsert=id";
            o.upsert_keys = split_list(value);
        } else if (key == "range") {
            auto range = xlsx::parse_cell_range(value);
            if (!range) return "range must be a range such as A5:H200, A5:H or B:F";
            o.rows.range = *range;
            o.rows.header_row = range->first_row;
        } else if (key == "table_name") {
            o.excel_table = value;  // an Excel table of the workbook
        } else if (key == "stop_at_empty") {
            if (value != "true" && value != "false") return "stop_at_empty must be true or false";
            o.rows.stop_at_empty = value == "true";
        } else if (key == "fill_merged") {
            if (value != "true" && value != "false") return "fill_merged must be true or false";
            o.rows.fill_merged = value == "true";
        } else if (key == "header_rows") {
            uint64_t n = 0;
            if (!xlsx::parse_uint(value, 10, n) || n == 0)
                return "header_rows must be a number from 1 to 10";
            o.rows.header_rows = static_cast<uint32_t>(n);
        } else if (key == "add_columns") {
            try {
                o.rows.source_columns = xlsx::parse_source_columns(value);
            } catch (const std::invalid_argument& e) {
                return std::string("add_columns ") + e.what();
            }
        } else if (key != "upload_id") {
            return "unknown parameter \"" + key +
                   "\"; the parameters are table, sheet, mode, method, create, upsert, range, "
                   "table_name, stop_at_empty, fill_merged, header_rows, add_columns, upload_id";
        }
    }
    if (!o.upsert_keys.empty() && o.mode == load::Mode::Direct) return "upsert needs mode=staging";
    if (o.rows.header_rows > 1 && !o.excel_table.empty())
        return "header_rows is for a sheet: an Excel table has its own header";
    if (!o.excel_table.empty() && (!o.sheets.empty() || !o.rows.range.whole_sheet()))
        return "table_name names the sheet and the range: leave out sheet and range";
    return "";
}

}  // namespace cli
