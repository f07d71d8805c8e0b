// Real workbooks for the loader tests, written with libxlsxwriter as Excel would store them:
// numbers as numbers, dates as styled serials, text as shared strings.
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace testsupport {

struct Date {
    int year, month, day;
    int hour = 0, minute = 0, second = 0;
    bool with_time = false;
};
struct Blank {};
using CellValue = std::variant<Blank, std::string, double, bool, Date>;
using SheetRowsData = std::vector<std::vector<CellValue>>;

// An Excel table (Insert > Table) over cells the sheet's rows hold: its first row is the
// header (the column names are those cells' texts), a totals row is added below when asked.
struct TableData {
    std::string name;
    int first_row, first_column, last_row, last_column;  // 0-based, inclusive, header included
    bool totals = false;
};

struct SheetData {
    std::string name;
    SheetRowsData rows;  // from row 1
    std::vector<TableData> tables = {};
    std::vector<std::string> merged = {};  // ranges to merge, such as "B2:C3"
};

void write_workbook(const std::string& path, const std::vector<SheetData>& sheets);

// A sheet "Data" with header id,name,amount and `rows` rows: i, "name i", i * 1.5.
void write_numbered_workbook(const std::string& path, int rows, int first_id = 1);

}  // namespace testsupport
