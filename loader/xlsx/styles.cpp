#include "styles.hpp"

#include <cstring>
#include <string>
#include <unordered_map>

#include "package.hpp"
#include "text.hpp"
#include "xml.hpp"

namespace xlsx {
namespace {

class StylesHandler : public XmlHandler {
public:
    std::unordered_map<uint64_t, NumberKind> custom;
    std::vector<uint64_t> xf_formats;

    void start(const char* local, const char** attrs) override {
        // mc:AlternateContent (Hancom) repeats the styles in a Fallback; read the Choice only.
        if (std::strcmp(local, "Fallback") == 0) ++skip_;
        if (skip_) return;
        if (std::strcmp(local, "numFmt") == 0) {
            const char* id = find_attr(attrs, "numFmtId");
            const char* code = find_attr(attrs, "formatCode");
            uint64_t n;
            if (id && code && parse_uint(id, UINT32_MAX, n)) custom[n] = classify_format(code);
        } else if (std::strcmp(local, "cellXfs") == 0) {
            in_cell_xfs_ = true;
        } else if (in_cell_xfs_ && std::strcmp(local, "xf") == 0) {
            const char* id = find_attr(attrs, "numFmtId");
            uint64_t n = 0;
            if (!id || !parse_uint(id, UINT32_MAX, n)) n = 0;
            xf_formats.push_back(n);
        }
    }
    void end(const char* local) override {
        if (std::strcmp(local, "Fallback") == 0 && skip_) --skip_;
        if (std::strcmp(local, "cellXfs") == 0) in_cell_xfs_ = false;
    }

private:
    bool in_cell_xfs_ = false;
    int skip_ = 0;
};

}  // namespace

Styles::Styles(const Package& package, const PartInfo& part) {
    StylesHandler h;
    parse_part(package, part, h);
    kinds_.reserve(h.xf_formats.size());
    for (uint64_t id : h.xf_formats) {
        // A custom format may reuse a built-in id; the custom code wins, as in Excel.
        auto it = h.custom.find(id);
        kinds_.push_back(it != h.custom.end() ? it->second
                                              : builtin_format_kind(static_cast<uint32_t>(id)));
    }
}

}  // namespace xlsx
