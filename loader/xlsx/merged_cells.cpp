#include "merged_cells.hpp"

#include <cstring>

#include "error.hpp"
#include "text.hpp"

namespace xlsx {

std::vector<CellRange> read_merged_cells(const Package& package, const PartInfo& part,
                                         const std::string& sheet_name) {
    static constexpr std::string_view kTag = "mergeCell";
    std::vector<CellRange> merges;
    auto stream = package.open(part);
    std::string buffer;
    std::vector<char> block(1 << 18);
    size_t scan = 0;
    bool end = false;
    while (!end) {
        size_t n = stream->read(block.data(), block.size());
        end = n == 0;
        buffer.append(block.data(), n);
        for (;;) {
            size_t at = buffer.find(kTag, scan);
            if (at == std::string::npos) {
                scan = buffer.size() > kTag.size() ? buffer.size() - kTag.size() : 0;
                break;
            }
            size_t after = at + kTag.size();
            if (after >= buffer.size() && !end) {
                scan = at;
                break;
            }
            // <mergeCell or <x:mergeCell, and not <mergeCells.
            size_t lt = buffer.rfind('<', at);
            bool tag =
                lt != std::string::npos && after < buffer.size() &&
                (is_xml_space(buffer[after]) || buffer[after] == '/' || buffer[after] == '>') &&
                buffer.find_first_of(" \t\r\n>\"'", lt) >= at;
            if (!tag) {
                scan = after;
                continue;
            }
            size_t close = buffer.find('>', after);
            if (close == std::string::npos) {
                if (end) break;
                scan = at;
                break;
            }
            std::string ref;
            if (xml_tag_attribute(std::string_view(buffer).substr(lt, close + 1 - lt), "ref",
                                  ref)) {
                auto range = parse_cell_range(ref);
                if (!range)
                    throw Error(ErrorKind::InvalidValue,
                                "merged cells \"" + ref + "\" are not a range",
                                ErrorLocation{package.path(), part.name, sheet_name});
                merges.push_back(*range);
            }
            scan = close + 1;
        }
        // Keep only what a tag cut by the block's end may still need.
        size_t keep_from = std::min(
            scan, buffer.rfind('<') == std::string::npos ? buffer.size() : buffer.rfind('<'));
        buffer.erase(0, keep_from);
        scan -= std::min(scan, keep_from);
    }
    return merges;
}

}  // namespace xlsx
