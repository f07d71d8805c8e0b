// xlsx2pg sheets: the sheets of a workbook with their state and used range, and its Excel
// tables.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "reader_options.hpp"
#include "xlsx/sheet_reader.hpp"

namespace cli {
namespace {

struct UsedRange {
    uint32_t rows = 0, columns = 0;  // last row and column holding a value
    std::string dimension;           // as declared by the file, may be empty
};

UsedRange used_range(const xlsx::Workbook& workbook, const xlsx::SheetInfo& sheet) {
    UsedRange range;
    if (!sheet.holds_cells() || sheet.part_missing) return range;
    xlsx::SheetReader reader(workbook, sheet, false);
    while (auto batch = reader.next()) {
        for (const auto& row : batch->rows) {
            range.rows = std::max(range.rows, row.number);
            auto cells = batch->cells_of(row);
            if (!cells.empty()) range.columns = std::max(range.columns, cells.back().column);
        }
    }
    range.dimension = reader.dimension_ref();
    return range;
}

}  // namespace

nlohmann::json sheets_json(const xlsx::Workbook& workbook) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& sheet : workbook.sheets()) {
        UsedRange range = used_range(workbook, sheet);
        list.push_back({{"index", sheet.index},
                        {"name", sheet.name},
                        {"state", sheet.state},
                        {"kind", sheet.kind},
                        {"part", sheet.part},
                        {"part_missing", sheet.part_missing},
                        {"rows", range.rows},
                        {"columns", range.columns},
                        {"dimension", range.dimension}});
    }
    nlohmann::json tables = nlohmann::json::array();
    for (const auto& table : workbook.tables())
        tables.push_back({{"name", table.name},
                          {"sheet", table.sheet},
                          {"ref", table.ref},
                          {"header_rows", table.header_rows},
                          {"totals_rows", table.totals_rows},
                          {"columns", table.columns}});
    return {{"date1904", workbook.date1904()}, {"sheets", list}, {"tables", tables}};
}

Runner add_sheets_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("sheets", "List the sheets and Excel tables of a workbook");
    struct Args {
        std::string file;
        bool json = false;
        xlsx::ReaderOptions reader;
    };
    auto args = std::make_shared<Args>();
    cmd->add_option("file", args->file, "the workbook (.xlsx, .xlsm or .xls)")->required();
    cmd->add_flag("--json", args->json, "print one JSON object instead of a table");
    add_reader_options(*cmd, args->reader);

    return [cmd, args]() -> int {
        if (!cmd->parsed()) return -1;
        supply_password(args->reader, {args->file});
        xlsx::Workbook workbook(args->file, args->reader);
        warn_missing_parts(workbook, {});
        nlohmann::json listing = sheets_json(workbook);
        if (args->json) {
            listing["file"] = args->file;
            fmt::print("{}\n", listing.dump(2));
            return kSuccess;
        }
        fmt::print("{:>3}  {:<31}  {:<10}  {:<10}  {:>9}  {:>7}\n", "#", "sheet", "state", "kind",
                   "rows", "columns");
        for (const auto& sheet : listing["sheets"])
            fmt::print("{:>3}  {:<31}  {:<10}  {:<10}  {:>9}  {:>7}\n", sheet["index"].get<int>(),
                       sheet["name"].get<std::string>(), sheet["state"].get<std::string>(),
                       sheet["kind"].get<std::string>(), sheet["rows"].get<uint32_t>(),
                       sheet["columns"].get<uint32_t>());
        if (!listing["tables"].empty()) {
            fmt::print("\n{:<31}  {:<31}  {:<15}  {:>6}  {:>6}\n", "Excel table", "sheet", "ref",
                       "header", "totals");
            for (const auto& table : listing["tables"])
                fmt::print("{:<31}  {:<31}  {:<15}  {:>6}  {:>6}\n",
                           table["name"].get<std::string>(), table["sheet"].get<std::string>(),
                           table["ref"].get<std::string>(), table["header_rows"].get<uint32_t>(),
                           table["totals_rows"].get<uint32_t>());
        }
        return kSuccess;
    };
}

}  // namespace cli
