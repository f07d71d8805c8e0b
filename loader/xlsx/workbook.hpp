// The workbook: its sheets (in workbook order, with state and part resolved through the
// relationships), the date system, styles and shared strings. Opening reads the small parts;
// shared strings are parsed (in parallel) the first time a sheet needs them.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "legacy_xls.hpp"
#include "limits.hpp"
#include "package.hpp"
#include "shared_strings.hpp"
#include "styles.hpp"
#include "tables.hpp"

namespace xlsx {

struct SheetInfo {
    uint32_t index = 0;  // 1-based position in the workbook (in a legacy .xls too)
    std::string name;
    std::string state;  // visible, hidden, veryHidden
    std::string kind;   // worksheet, chartsheet, dialogsheet, macrosheet
    std::string part;   // resolved part name, empty if the relationship is missing
    // A worksheet whose part is not in the file (or has no relationship): reading it fails.
    bool part_missing = false;
    // Worksheets and macro sheets have cells; chart and dialog sheets have none.
    bool holds_cells() const { return kind == "worksheet" || kind == "macrosheet"; }
};

// What is wrong with a sheet whose part is missing, naming the sheet and the part.
std::string missing_part_message(const SheetInfo& sheet);

struct ReaderOptions {
    unsigned threads = 2;          // parser threads; 1 runs everything on the caller's thread
    size_t chunk_bytes = 4 << 20;  // target size of a chunk of sheet XML
    size_t chunks_in_flight = 0;   // 0: 2 * threads + 2
    Limits limits;
    // Opens a password-protected workbook (UTF-8). The Workbook keeps no copy of it.
    std::optional<std::string> password;
};

class Workbook {
public:
    Workbook(const std::string& path, ReaderOptions options = {});
    // A workbook in memory (see MemoryFile); `label` names it in errors.
    Workbook(const std::string& label, MemoryFile memory, ReaderOptions options = {});

    const std::string& path() const { return package_.path(); }
    const Package& package() const { return package_; }
    const ReaderOptions& options() const { return options_; }
    const std::vector<SheetInfo>& sheets() const { return sheets_; }
    bool date1904() const { return date1904_; }
    // A legacy .xls workbook's records, or nullptr for an .xlsx.
    const LegacyWorkbook* legacy() const { return legacy_.get(); }
    const Styles& styles() const { return styles_; }
    // Parsed on first use; safe to call from several threads.
    const SharedStrings& shared_strings() const;

    // By name (exact, then case-insensitive) or by 1-based position given as digits.
    // Throws MissingSheet listing the sheets there are.
    const SheetInfo& sheet(const std::string& name_or_index) const;
    // The first visible worksheet.
    const SheetInfo& first_sheet() const;

    // The Excel tables of every worksheet, read on first use (safe from several threads).
    const std::vector<TableInfo>& tables() const;
    // By name, ignoring case as Excel does; throws MissingSheet listing the tables there are.
    const TableInfo& table(const std::string& name) const;

private:
    Workbook(Package package, ReaderOptions options);
    void open_legacy();

    Package package_;
    std::unique_ptr<LegacyWorkbook> legacy_;
    ReaderOptions options_;
    std::string workbook_part_;
    std::vector<SheetInfo> sheets_;
    bool date1904_ = false;
    Styles styles_;
    std::string shared_strings_part_;
    mutable std::once_flag strings_once_;
    mutable std::unique_ptr<SharedStrings> strings_;
    mutable std::once_flag tables_once_;
    mutable std::vector<TableInfo> tables_;
};

}  // namespace xlsx
