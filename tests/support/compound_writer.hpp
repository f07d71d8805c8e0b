// Test support: an OLE2 compound file (MS-CFB, version 3) holding one stream, for legacy .xls
// workbooks written record by record in the tests, as no library here writes them.
#pragma once

#include <string>

namespace testsupport {

// The bytes of a compound file whose only stream is `name` with `content` (padded to 4096
// bytes, so it lives in regular sectors).
std::string compound_file(const std::string& name, std::string content);

}  // namespace testsupport
