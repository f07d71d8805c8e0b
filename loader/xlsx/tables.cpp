#include "tables.hpp"

#include <cstring>

#include "error.hpp"
#include "package.hpp"
#include "relationships.hpp"
#include "text.hpp"
#include "workbook.hpp"
#include "xml.hpp"

namespace xlsx {

namespace {

class TableHandler : public XmlHandler {
public:
    TableInfo table;
    std::string ref;
    void start(const char* local, const char** attrs) override {
        if (std::strcmp(local, "table") == 0) {
            const char* display = find_attr(attrs, "displayName");
            const char* name = find_attr(attrs, "name");
            table.name = display ? display : name ? name : "";
            decode_xstring_escapes(table.name, 0);
            if (const char* r = find_attr(attrs, "ref")) ref = r;
            table.header_rows = count(find_attr(attrs, "headerRowCount"), 1);
            table.totals_rows = count(find_attr(attrs, "totalsRowCount"), 0);
        } else if (std::strcmp(local, "tableColumn") == 0) {
            const char* name = find_attr(attrs, "name");
            std::string text = name ? name : "";
            decode_xstring_escapes(text, 0);
            table.columns.push_back(std::move(text));
        }
    }

private:
    static uint32_t count(const char* value, uint32_t fallback) {
        uint64_t n;
        return value && parse_uint(value, 1, n) ? static_cast<uint32_t>(n) : fallback;
    }
};

}  // namespace

CellRange TableInfo::load_range() const {
    CellRange rows = range;
    rows.last_row -= totals_rows;
    return rows;
}

std::vector<TableInfo> read_tables(const Package& package, const std::vector<SheetInfo>& sheets) {
    std::vector<TableInfo> tables;
    for (const SheetInfo& sheet : sheets) {
        if (!sheet.holds_cells() || sheet.part_missing) continue;
        for (const auto& [id, rel] : read_relationships(package, sheet.part)) {
            if (rel.type != "table" || rel.external) continue;
            std::string part = Package::resolve(sheet.part, rel.target);
            std::string what = "table " + id + " of sheet \"" + sheet.name + "\"";
            TableHandler handler;
            parse_part(package, package.require(part, what.c_str()), handler);
            TableInfo& table = handler.table;
            table.sheet = sheet.name;
            table.part = part;
            table.ref = handler.ref;
            auto range = parse_cell_range(handler.ref);
            if (!range || table.name.empty() ||
                range->last_row - range->first_row + 1 < table.header_rows + table.totals_rows)
                throw Error(ErrorKind::InvalidValue,
                            "table \"" + table.name + "\" has no valid name and ref (ref \"" +
                                handler.ref + "\")",
                            ErrorLocation{package.path(), part, sheet.name});
            table.range = *range;
            tables.push_back(std::move(table));
        }
    }
    return tables;
}

}  // namespace xlsx
