// Says what a load waits for when it waits on a lock (another session holding the target, a
// long transaction): a watcher thread with its own connection looks at the load's backends
// in pg_stat_activity and pg_locks, and names the lock and the backend that holds it
// (pg_blocking_pids), on the progress line and once on stderr.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pg/connection.hpp"
#include "progress.hpp"

namespace load {

class LockWatch {
public:
    LockWatch(const pg::ConnectOptions& connect, Progress& progress, bool announce);
    ~LockWatch();
    LockWatch(const LockWatch&) = delete;
    LockWatch& operator=(const LockWatch&) = delete;

    void watch(int backend_pid);
    // The last lock wait seen, or "": for the error of a load that gave up (--lock-timeout).
    std::string last_wait() const;

private:
    void run(const pg::ConnectOptions& connect);

    Progress& progress_;
    bool announce_;
    mutable std::mutex mutex_;
    std::vector<int> pids_;
    std::string last_wait_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace load
