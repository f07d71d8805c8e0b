// Test support: where a test writes its files. ctest runs tests side by side, so each test
// gets a folder of its own, removed when the test passes (kept for a look when it fails).
#pragma once

#include <string>

namespace testsupport {

// NAME in the running test's own folder.
std::string temp_path(const std::string& name);

// NAME in a folder of this test process, for a file several tests of it share (a large
// workbook made once); removed when the process ends.
std::string process_temp_path(const std::string& name);

}  // namespace testsupport
