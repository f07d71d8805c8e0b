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
        for (const std::string& range : sheet.merged) {
            lxw_row_t r1, r2;
            lxw_col_t c1, c2;
            r1 = lxw_name_to_row(range.c_str());
            c1 = lxw_name_to_col(range.c_str());
            r2 = lxw_name_to_row_2(range.c_str());
            c2 = lxw_name_to_col_2(range.c_str());
            // The merged area shows its first cell: that cell's text is written again.
            const auto* first = r1 < sheet.rows.size() && c1 < sheet.rows[r1].size()
                                    ? std::get_if<std::string>(&sheet.rows[r1][c1])
                                    : nullptr;
            worksheet_merge_range(ws, r1, c1, r2, c2, first ? first->c_str() : "", nullptr);
        }
        for (const TableData& table : sheet.tables) {
            // The header cells hold the column names already; libxlsxwriter writes them again
            // from the column options.
            std::vector<lxw_table_column> columns(table.last_column - table.first_column + 1);
            std::vector<lxw_table_column*> column_list;
            std::vector<std::string> headers;
            std::string total = "Total";
            for (int c = table.first_column; c <= table.last_column; ++c) {
                const auto* text = std::get_if<std::string>(&sheet.rows[table.first_row][c]);
                headers.push_back(text ? *text : "Column" + std::to_string(c + 1));
            }
            for (size_t i = 0; i < columns.size(); ++i) {
                columns[i] = lxw_table_column{};
                // libxlsxwriter's options take char* but only read them.
                columns[i].header = headers[i].data();
                if (table.totals && i == 0) columns[i].total_string = total.data();
                if (table.totals && i > 0) columns[i].total_function = LXW_TABLE_FUNCTION_SUM;
                column_list.push_back(&columns[i]);
            }
            column_list.push_back(nullptr);
            lxw_table_options options{};
            std::string name = table.name;
            options.name = name.data();
            options.total_row = table.totals ? LXW_TRUE : LXW_FALSE;
            options.columns = column_list.data();
            worksheet_add_table(ws, static_cast<lxw_row_t>(table.first_row),
                                static_cast<lxw_col_t>(table.first_column),
                                static_cast<lxw_row_t>(table.last_row + (table.totals ? 1 : 0)),
                                static_cast<lxw_col_t>(table.last_column), &options);
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
