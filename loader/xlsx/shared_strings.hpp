// xl/sharedStrings.xml as one arena per chunk and a view per string. Parsed in parallel on
// <si> boundaries; rich-text runs are joined, phonetic runs (<rPh>) skipped, escapes decoded.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "limits.hpp"

namespace xlsx {

class Package;
struct PartInfo;
struct ErrorLocation;

class SharedStrings {
public:
    SharedStrings() = default;
    SharedStrings(const Package& package, const PartInfo& part, unsigned threads,
                  const ErrorLocation& where);

    size_t size() const { return strings_.size(); }
    uint64_t bytes() const { return bytes_; }
    // Caller checks the index against size().
    std::string_view operator[](size_t i) const { return strings_[i]; }

private:
    std::vector<std::string> arenas_;
    std::vector<std::string_view> strings_;
    uint64_t bytes_ = 0;
};

}  // namespace xlsx
