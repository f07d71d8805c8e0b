// A legacy Excel 97-2003 workbook (.xls): the BIFF8 records (and BIFF5's, Excel 5 and 95) of
// the compound file's Workbook stream, read by us. FreeXL, the C library Debian has, drops
// booleans, errors and every formula's cached value, gives date cells as text cut to the second
// and dates before 1900 wrong, so the records are read here: sheets (BOUNDSHEET), the date
// system (DATEMODE), number formats (FORMAT, XF) for dates, shared strings (SST and its
// CONTINUE records) and the cell records. Every length is checked against the record it is
// read from; a damaged file is an error naming the record, never a wild read.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cell_range.hpp"
#include "error.hpp"
#include "number_format.hpp"
#include "row_batch.hpp"

namespace xlsx {

struct LegacySheet {
    std::string name;
    std::string state;    // visible, hidden, veryHidden
    std::string kind;     // worksheet, macrosheet, chartsheet, vbmodule
    uint32_t offset = 0;  // of its BOF record in the stream
};

// One sheet's cells, in row and column order, their text in `arena`.
struct LegacySheetCells {
    struct Entry {
        uint32_t row, column;  // 1-based
        CellType type;
        uint32_t offset, size;  // in arena
    };
    std::vector<Entry> cells;
    std::string arena;
    std::vector<CellRange> merges;  // MERGEDCELLS
    uint64_t record_bytes = 0;      // of the sheet's records in the stream
};

class LegacyWorkbook {
public:
    // `stream`: the compound file's "Workbook" (BIFF8) or "Book" (BIFF5) stream. Throws Error
    // (LegacyXls for what is not read: BIFF2-4, an encrypted .xls; CorruptZip when damaged).
    LegacyWorkbook(std::shared_ptr<const std::string> stream, ErrorLocation where);

    const std::vector<LegacySheet>& sheets() const { return sheets_; }
    bool date1904() const { return date1904_; }
    // Reads the cells of sheet `index` (0-based); dates as their text, numbers as the shortest
    // text of their double. Safe to call from several threads.
    LegacySheetCells read_sheet(size_t index, const std::string& sheet_name) const;

private:
    void read_globals();

    std::shared_ptr<const std::string> stream_;
    ErrorLocation where_;
    bool biff8_ = true;
    bool date1904_ = false;
    std::string codepage_ = "CP1252";  // of BIFF5's byte strings
    std::vector<LegacySheet> sheets_;
    std::vector<std::string> strings_;  // the SST
    std::vector<NumberKind> xf_kinds_;  // by XF index
};

}  // namespace xlsx
