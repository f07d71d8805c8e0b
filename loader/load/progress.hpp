// Live counters of a load, for a progress display: written by the load, read by anyone.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace load {

struct Progress {
    std::atomic<uint64_t> rows{0};
    std::atomic<uint64_t> bytes{0};          // COPY data sent
    std::atomic<uint64_t> expected_rows{0};  // estimated from the share of the sheet read so far
    std::atomic<bool> merging{false};
    std::atomic<bool> started{false};  // reading has begun (after an upload has arrived)
    std::atomic<int64_t> run_id{0};    // once the run is open

    // The lock the load waits for right now, or "" (see LockWatch).
    std::string waiting() const {
        std::lock_guard lock(waiting_mutex_);
        return waiting_;
    }
    void set_waiting(std::string what) {
        std::lock_guard lock(waiting_mutex_);
        waiting_ = std::move(what);
    }

private:
    mutable std::mutex waiting_mutex_;
    std::string waiting_;
};

}  // namespace load
