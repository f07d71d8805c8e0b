// Runs a program (the xlsx2pg binary) the way a user would, capturing its output.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <random>
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

// Polls `ready` every `poll` until it is true (true) or `seconds` have passed (false). The
// default is generous: a starved machine may take long to reach the state a test waits for.
bool wait_until(const std::function<bool()>& ready, double seconds = 120,
                std::chrono::milliseconds poll = std::chrono::milliseconds(20));

// For the tests that kill loads at random moments: runs `argv` to its end and returns how
// long it ran after `opened` (its run is in the ledger) became true, so that kill points can
// be spread over the time a run is open, whatever its start-up costs (as under ASan).
std::chrono::milliseconds time_open(const std::vector<std::string>& argv,
                                    const std::function<bool()>& opened);
// Starts `argv`, waits for `opened`, and SIGKILLs it at a random moment of `open_for` later.
void kill_while_open(const std::vector<std::string>& argv, const std::function<bool()>& opened,
                     std::chrono::milliseconds open_for, std::mt19937& random);

// The xlsx2pg binary under test, followed by `args`.
std::vector<std::string> xlsx2pg(std::vector<std::string> args);

}  // namespace testsupport
