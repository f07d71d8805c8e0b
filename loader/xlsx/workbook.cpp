#include "workbook.hpp"

#include <cstring>
#include <map>

#include "error.hpp"
#include "relationships.hpp"
#include "tables.hpp"
#include "text.hpp"
#include "xml.hpp"

namespace xlsx {
namespace {

class WorkbookHandler : public XmlHandler {
public:
    struct Entry {
        std::string name, state, rel_id;
    };
    std::vector<Entry> sheets;
    bool date1904 = false;
    void start(const char* local, const char** attrs) override {
        if (std::strcmp(local, "sheet") == 0) {
            const char* name = find_attr(attrs, "name");
            const char* state = find_attr(attrs, "state");
            const char* rid = find_attr(attrs, "id", true);
            std::string text = name ? name : "";
            decode_xstring_escapes(text, 0);  // a name is an ST_Xstring, as cell text is
            sheets.push_back({std::move(text), state ? state : "visible", rid ? rid : ""});
        } else if (std::strcmp(local, "workbookPr") == 0) {
            // Extensions repeat the element (<x15:workbookPr>) without the attribute.
            if (const char* v = find_attr(attrs, "date1904")) {
                std::string_view flag = v;  // xsd:boolean, whitespace collapsed
                while (!flag.empty() && is_xml_space(flag.front()))
                    flag.remove_prefix(1);
                while (!flag.empty() && is_xml_space(flag.back()))
                    flag.remove_suffix(1);
                date1904 = flag == "1" || flag == "true";
            }
        }
    }
};

// The sheet's kind from its relationship's type; the two macro sheet types (Excel 4.0 macros,
// international or not) are one kind.
std::string kind_of(const std::string& relationship_type) {
    if (relationship_type == "xlMacrosheet" || relationship_type == "xlIntlMacrosheet")
        return "macrosheet";
    return relationship_type;
}

std::string lower(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

Workbook::Workbook(const std::string& path, ReaderOptions options)
    : Workbook(Package(path, options.limits, options.password), options) {}

Workbook::Workbook(const std::string& label, MemoryFile memory, ReaderOptions options)
    : Workbook(Package(label, memory, options.limits, options.password), options) {}

Workbook::Workbook(Package package, ReaderOptions options)
    : package_(std::move(package)), options_(std::move(options)) {
    forget_password(options_.password);
    if (options_.threads == 0) options_.threads = 1;
    if (options_.chunks_in_flight == 0) options_.chunks_in_flight = 2 * options_.threads + 2;
    if (package_.legacy_stream()) {
        open_legacy();
        return;
    }

    // The package relationships name the workbook part; writers that omit them use the default.
    workbook_part_ = "xl/workbook.xml";
    for (const auto& [id, rel] : read_relationships(package_, "")) {
        if (rel.type == "officeDocument" && !rel.external) {
            workbook_part_ = Package::resolve("", rel.target);
            break;
        }
    }
    // Kept as a resolved name (not as stored, which may use backslashes) to resolve rels.
    PartInfo wb_part = package_.require(workbook_part_, "the sheet list");
    WorkbookHandler wb;
    parse_part(package_, wb_part, wb);
    date1904_ = wb.date1904;

    auto rels = read_relationships(package_, workbook_part_);
    std::string styles_part;
    for (const auto& [id, rel] : rels) {
        if (rel.type == "styles") styles_part = Package::resolve(workbook_part_, rel.target);
        if (rel.type == "sharedStrings")
            shared_strings_part_ = Package::resolve(workbook_part_, rel.target);
    }
    // Without relationships, fall back to the parts every writer uses for these two.
    if (styles_part.empty() && package_.has("xl/styles.xml")) styles_part = "xl/styles.xml";
    if (shared_strings_part_.empty() && package_.has("xl/sharedStrings.xml"))
        shared_strings_part_ = "xl/sharedStrings.xml";
    if (!styles_part.empty())
        if (auto p = package_.find(styles_part)) styles_ = Styles(package_, *p);

    uint32_t index = 0;
    for (auto& entry : wb.sheets) {
        SheetInfo info;
        info.index = ++index;
        info.name = entry.name;
        info.state = entry.state;
        info.kind = "worksheet";
        auto it = rels.find(entry.rel_id);
        if (it != rels.end() && !it->second.external) {
            info.kind = kind_of(it->second.type);
            info.part = Package::resolve(workbook_part_, it->second.target);
        }
        info.part_missing = info.holds_cells() && (info.part.empty() || !package_.has(info.part));
        sheets_.push_back(std::move(info));
    }
}

void Workbook::open_legacy() {
    legacy_ =
        std::make_unique<LegacyWorkbook>(package_.legacy_stream(), ErrorLocation{package_.path()});
    date1904_ = legacy_->date1904();
    uint32_t index = 0;
    for (const LegacySheet& s : legacy_->sheets()) {
        SheetInfo info;
        info.index = ++index;
        info.name = s.name;
        info.state = s.state;
        info.kind = s.kind;
        sheets_.push_back(std::move(info));
    }
}

std::string missing_part_message(const SheetInfo& sheet) {
    if (sheet.part.empty())
        return "sheet \"" + sheet.name + "\" has no relationship to a worksheet part";
    return "sheet \"" + sheet.name + "\" is in the sheet list, but its part " + sheet.part +
           " is not in the file";
}

const SharedStrings& Workbook::shared_strings() const {
    std::call_once(strings_once_, [&] {
        auto part =
            shared_strings_part_.empty() ? std::nullopt : package_.find(shared_strings_part_);
        strings_ = part ? std::make_unique<SharedStrings>(package_, *part, options_.threads,
                                                          ErrorLocation{package_.path()})
                        : std::make_unique<SharedStrings>();
    });
    return *strings_;
}

const std::vector<TableInfo>& Workbook::tables() const {
    std::call_once(tables_once_, [&] { tables_ = read_tables(package_, sheets_); });
    return tables_;
}

const TableInfo& Workbook::table(const std::string& name) const {
    for (const auto& t : tables())
        if (lower(t.name) == lower(name)) return t;  // Excel's table names ignore case
    std::string names;
    for (const auto& t : tables())
        names += (names.empty() ? "\"" : ", \"") + t.name + "\"";
    throw Error(ErrorKind::MissingSheet,
                "no Excel table named \"" + name + "\"; the workbook has " +
                    (names.empty() ? std::string("no tables") : "the tables " + names),
                ErrorLocation{package_.path()});
}

const SheetInfo& Workbook::sheet(const std::string& name_or_index) const {
    for (const auto& s : sheets_)
        if (s.name == name_or_index) return s;
    for (const auto& s : sheets_)
        if (lower(s.name) == lower(name_or_index)) return s;
    uint64_t n;
    if (parse_uint(name_or_index, sheets_.size(), n) && n >= 1) return sheets_[n - 1];
    std::string names;
    for (const auto& s : sheets_)
        names += (names.empty() ? "\"" : ", \"") + s.name + "\"";
    throw Error(ErrorKind::MissingSheet,
                "no sheet named \"" + name_or_index + "\"; the workbook has " +
                    (names.empty() ? std::string("no sheets") : names),
                ErrorLocation{package_.path()});
}

const SheetInfo& Workbook::first_sheet() const {
    for (const auto& s : sheets_)
        if (s.state == "visible" && s.kind == "worksheet") return s;
    for (const auto& s : sheets_)
        if (s.kind == "worksheet") return s;
    throw Error(ErrorKind::MissingSheet, "the workbook has no worksheet",
                ErrorLocation{package_.path()});
}

}  // namespace xlsx
