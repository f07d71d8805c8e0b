#include "relationships.hpp"

#include <cstring>

#include "package.hpp"
#include "xml.hpp"

namespace xlsx {

namespace {

class RelsHandler : public XmlHandler {
public:
    std::map<std::string, Relationship> by_id;
    void start(const char* local, const char** attrs) override {
        if (std::strcmp(local, "Relationship") != 0) return;
        const char* id = find_attr(attrs, "Id");
        const char* type = find_attr(attrs, "Type");
        const char* target = find_attr(attrs, "Target");
        const char* mode = find_attr(attrs, "TargetMode");
        if (!id || !type || !target) return;
        std::string t = type;
        size_t slash = t.rfind('/');
        by_id[id] = {slash == std::string::npos ? t : t.substr(slash + 1), target,
                     mode && std::strcmp(mode, "External") == 0};
    }
};

std::string rels_part_of(const std::string& part) {
    size_t slash = part.rfind('/');
    std::string dir = slash == std::string::npos ? "" : part.substr(0, slash + 1);
    std::string file = slash == std::string::npos ? part : part.substr(slash + 1);
    return dir + "_rels/" + file + ".rels";
}

}  // namespace

std::map<std::string, Relationship> read_relationships(const Package& package,
                                                       const std::string& part) {
    RelsHandler h;
    if (auto rels = package.find(rels_part_of(part))) parse_part(package, *rels, h);
    return std::move(h.by_id);
}

}  // namespace xlsx
