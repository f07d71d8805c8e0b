// xl/styles.xml reduced to what values need: for each cell style index (cellXfs), the kind of
// value its number format makes of a number.
#pragma once

#include <vector>

#include "number_format.hpp"

namespace xlsx {

class Package;
struct PartInfo;

class Styles {
public:
    Styles() = default;
    Styles(const Package& package, const PartInfo& part);

    // Unknown, negative or out-of-range indexes read as General, which is what Excel shows.
    NumberKind kind(uint64_t style_index) const {
        return style_index < kinds_.size() ? kinds_[style_index] : NumberKind::Number;
    }
    size_t size() const { return kinds_.size(); }

private:
    std::vector<NumberKind> kinds_;
};

}  // namespace xlsx
