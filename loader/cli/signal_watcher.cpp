#include "signal_watcher.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "load/cancellation.hpp"

namespace cli {

SignalWatcher::SignalWatcher() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    thread_ = std::thread([this] {
        const timespec tick{0, 100 * 1000 * 1000};
        while (!done_) {
            int signal = sigtimedwait(&signals_, nullptr, &tick);
            if (signal <= 0) continue;
            if (load::interrupted()) {
                // The second one: the user does not want to wait for the rollback.
                static const char message[] = "xlsx2pg: stopped at once\n";
                (void)!write(STDERR_FILENO, message, sizeof message - 1);
                _exit(exit_code_of_signal(signal));
            }
            std::fprintf(stderr,
                         "\nxlsx2pg: SIG%s: stopping (press Ctrl-C again to quit at once)\n",
                         sigabbrev_np(signal));
            load::interrupt(signal);
        }
    });
}

SignalWatcher::~SignalWatcher() {
    done_ = true;
    thread_.join();
    pthread_sigmask(SIG_UNBLOCK, &signals_, nullptr);
}

}  // namespace cli
