#include "cancellation.hpp"

#include <atomic>
#include <csignal>
#include <cstring>

#include "errors.hpp"
#include "pg/cancel.hpp"

namespace load {
namespace {
std::atomic<int> stop_signal{0};
}

void interrupt(int signal) {
    stop_signal.store(signal);
    pg::cancel_all_statements();
}

int interrupted() {
    return stop_signal.load();
}

std::string interruption() {
    const char* name = sigabbrev_np(interrupted());  // NULL before any signal
    return std::string("interrupted") + (name ? std::string(" by SIG") + name : "");
}

void throw_if_interrupted() {
    if (interrupted()) throw LoadError(ErrorKind::Interrupted, interruption());
}

}  // namespace load
