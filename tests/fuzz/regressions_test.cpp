// Every input a fuzz run once crashed on (tests/fuzz/regressions/<target>/), replayed through
// the same code: it must now be read or refused with a reader error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz_entries.hpp"

namespace fs = std::filesystem;

TEST(FuzzRegressions, EverySavedInputIsReadOrRefused) {
    fs::path root = fs::path(XLSX_SOURCE_DIR) / "tests" / "fuzz" / "regressions";
    int replayed = 0;
    for (const auto& dir : fs::directory_iterator(root)) {
        if (!dir.is_directory()) continue;
        for (const auto& file : fs::directory_iterator(dir.path())) {
            std::ifstream in(file.path(), std::ios::binary);
            std::stringstream bytes;
            bytes << in.rdbuf();
            SCOPED_TRACE(file.path().string());
            EXPECT_TRUE(fuzz::run(dir.path().filename().string(), bytes.str()));
            ++replayed;
        }
    }
    EXPECT_GT(replayed, 0) << "no regression inputs under " << root;
}
