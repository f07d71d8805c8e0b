#include "process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace testsupport {

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string temp_name(const char* what) {
    static std::atomic<int> counter{0};
    return "/tmp/xlsx2pg-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "." +
           what;
}

}  // namespace

Background start_process(const std::vector<std::string>& argv) {
    Background b{-1, temp_name("out"), temp_name("err")};
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int out = open(b.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(b.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(out, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    b.pid = pid;
    return b;
}

ProcessResult wait_process(const Background& b) {
    int status = 0;
    waitpid(b.pid, &status, 0);
    ProcessResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    r.out = slurp(b.out_path);
    r.err = slurp(b.err_path);
    unlink(b.out_path.c_str());
    unlink(b.err_path.c_str());
    return r;
}

ProcessResult run_process(const std::vector<std::string>& argv) {
    return wait_process(start_process(argv));
}

bool wait_until(const std::function<bool()>& ready, double seconds,
                std::chrono::milliseconds poll) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        if (ready()) return true;
        std::this_thread::sleep_for(poll);
    }
    return false;
}

std::chrono::milliseconds time_open(const std::vector<std::string>& argv,
                                    const std::function<bool()>& opened) {
    Background process = start_process(argv);
    wait_until(opened, 30, std::chrono::milliseconds(2));
    auto start = std::chrono::steady_clock::now();
    ProcessResult r = wait_process(process);
    if (r.exit_code != 0) throw std::runtime_error("the timed load failed: " + r.err);
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
}

void kill_while_open(const std::vector<std::string>& argv, const std::function<bool()>& opened,
                     std::chrono::milliseconds open_for, std::mt19937& random) {
    Background process = start_process(argv);
    wait_until(opened, 30, std::chrono::milliseconds(2));
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % (open_for.count() + 1)));
    kill(process.pid, SIGKILL);
    wait_process(process);
}

std::vector<std::string> xlsx2pg(std::vector<std::string> args) {
    // XLSX2PG overrides the binary built beside the tests.
    const char* binary = std::getenv("XLSX2PG");
    if (!binary) binary = XLSX2PG_BINARY;
    args.insert(args.begin(), binary);
    return args;
}

}  // namespace testsupport
