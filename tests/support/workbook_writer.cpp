#include "workbook_writer.hpp"

#include <xlsxwriter.h>

#include <stdexcept>

namespace testsupport {

void write_workbook(const std::string& path, const std::vector<SheetData>& sheets) {
    lxw_workbook* wb = workbook_new(path.c_str());
    if (!wb) throw std::runtime_error("cannot create " + path);
    lxw_format* date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    lxw_format* datetime = workbook_add_format(wb);
    format_set_num_format(datetime, "yyyy-mm-dd hh:mm:ss");
    for (const SheetData& sheet : sheets) {
        lxw_worksheet* ws = workbook_add_worksheet(wb, sheet.name.c_str());
        for (size_t r = 0; r < sheet.rows.size(); ++r) {
            for (size_t c = 0; c < sheet.rows[r].size(); ++c) {
                const CellValue& v = sheet.rows[r][c];
                auto row = static_cast<lxw_row_t>(r);
                auto col = static_cast<lxw_col_t>(c);
                if (auto* s = std::get_if<std::string>(&v)) {
                    worksheet_write_string(ws, row, col, s->c_str(), nullptr);
                } else if (auto* d = std::get_if<double>(&v)) {
                    worksheet_write_number(ws, row, col, *d, nullptr);
                } else if (auto* b = std::get_if<bool>(&v)) {
                    worksheet_write_boolean(ws, row, col, *b, nullptr);
                } else if (auto* t = std::get_if<Date>(&v)) {
                    lxw_datetime dt = {t->year, t->month,  t->day,
                                       t->hour, t->minute, static_cast<double>(t->second)};
                    worksheet_write_datetime(ws, row, col, &dt, t->with_time ? datetime : date);
                }
            }
        }
    }
    if (workbook_close(wb) != LXW_NO_ERROR) throw std::runtime_error("cannot write " + path);
}

void write_numbered_workbook(const std::string& path, int rows, int first_id) {
    SheetData sheet{"Data", {{std::string("id"), std::string("name"), std::string("amount")}}};
    sheet.rows.reserve(rows + 1);
    for (int i = first_id; i < first_id + rows; ++i)
        sheet.rows.push_back({static_cast<double>(i), "name " + std::to_string(i), i * 1.5});
    write_workbook(path, {sheet});
}

}  // namespace testsupport
