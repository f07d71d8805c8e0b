// SIGINT and SIGTERM for a command that loads: the first asks the load to stop (its
// statements are cancelled, its run marked interrupted, and it says how to resume); a second
// ends the process at once. The signals are blocked in every thread and taken by a watcher
// thread with sigtimedwait, so no handler runs in the middle of libpq or the reader.
#pragma once

#include <atomic>
#include <csignal>
#include <thread>

namespace cli {

class SignalWatcher {
public:
    // Call before any other thread starts: they inherit the blocked signals.
    SignalWatcher();
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

private:
    sigset_t signals_;
    std::atomic<bool> done_{false};
    std::thread thread_;
};

// The exit code of a command stopped by `signal`: 130 for SIGINT, 143 for SIGTERM.
inline int exit_code_of_signal(int signal) {
    return 128 + signal;
}

}  // namespace cli
