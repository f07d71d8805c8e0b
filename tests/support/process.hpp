// Runs a program (the xlsx2pg binary) the way a user would, capturing its output.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace testsupport {

struct ProcessResult {
    int exit_code = -1;  // -signal when killed
    std::string out;
    std::string err;
};

ProcessResult run_process(const std::vector<std::string>& argv);

// Started in the background with output to files; wait_process() collects it.
struct Background {
    pid_t pid = -1;
    std::string out_path, err_path;
};
Background start_process(const std::vector<std::string>& argv);
ProcessResult wait_process(const Background& process);

// The xlsx2pg binary under test, followed by `args`.
std::vector<std::string> xlsx2pg(std::vector<std::string> args);

}  // namespace testsupport
