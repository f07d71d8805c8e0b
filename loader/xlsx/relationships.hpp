// A part's relationships (its _rels/NAME.rels part): by id, the kind of part and where it is.
#pragma once

#include <map>
#include <string>

namespace xlsx {

class Package;

struct Relationship {
    std::string type;  // last path segment of the Type URI: worksheet, styles, table, ...
    std::string target;
    bool external = false;
};

// The relationships of `part` ("" for the package's own); empty when it has none.
std::map<std::string, Relationship> read_relationships(const Package& package,
                                                       const std::string& part);

}  // namespace xlsx
