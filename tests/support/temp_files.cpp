#include "temp_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace testsupport {
namespace {

namespace fs = std::filesystem;

fs::path root() {
    return fs::temp_directory_path() / "xlsx2pg-tests";
}

// The pid keeps two runs of one test (two builds' suites at once) apart.
fs::path folder_of(const testing::TestInfo& test) {
    std::string name = std::string(test.test_suite_name()) + "." + test.name();
    for (char& c : name)
        if (c == '/') c = '_';  // parameterized tests
    return root() / (name + "-" + std::to_string(getpid()));
}

fs::path process_folder() {
    return root() / ("process-" + std::to_string(getpid()));
}

fs::path made(fs::path dir) {
    fs::create_directories(dir);
    return dir;
}

class RemoveFoldersOfPassedTests : public testing::EmptyTestEventListener {
    void OnTestEnd(const testing::TestInfo& test) override {
        std::error_code ignored;
        if (test.result()->Passed()) fs::remove_all(folder_of(test), ignored);
    }
    void OnTestProgramEnd(const testing::UnitTest&) override {
        std::error_code ignored;
        fs::remove_all(process_folder(), ignored);
    }
};

// Registered before main runs the tests; gtest owns the listener from then on.
const bool registered = [] {
    testing::UnitTest::GetInstance()->listeners().Append(new RemoveFoldersOfPassedTests);
    return true;
}();

}  // namespace

std::string temp_path(const std::string& name) {
    const testing::TestInfo* test = testing::UnitTest::GetInstance()->current_test_info();
    fs::path dir = test ? folder_of(*test) : process_folder();
    return (made(dir) / name).string();
}

std::string process_temp_path(const std::string& name) {
    return (made(process_folder()) / name).string();
}

}  // namespace testsupport
