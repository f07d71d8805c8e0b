// Test support: writes a zip of given parts with minizip, for workbooks no library would write
// (hand-made XML, hostile content, odd entry names).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "temp_files.hpp"

namespace testsupport {

struct ZipEntry {
    std::string name;
    std::string content;
    bool stored = false;  // true: no compression
};

void write_zip(const std::string& path, const std::vector<ZipEntry>& entries);

// A minimal valid workbook around the given sheet XML (and optional shared strings / styles).
std::vector<ZipEntry> minimal_workbook(const std::string& sheet_xml,
                                       const std::string& shared_strings_xml = "",
                                       const std::string& styles_xml = "",
                                       const std::string& workbook_pr = "");

}  // namespace testsupport
