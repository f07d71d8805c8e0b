// Bounds on how long a client may take to send an upload: a deadline for the whole body and
// a minimum rate once its first seconds have passed. httplib has neither (its read timeout
// is per read: a byte every few seconds keeps a request alive forever), so a watchdog thread
// looks at every upload in progress and shuts the slow ones' sockets for reading; the handler
// then sees the body end early and answers 408.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cli {

class UploadWatchdog {
public:
    using Clock = std::chrono::steady_clock;
    struct Upload {
        int socket = -1;  // the client's; -1 when it could not be found (then only counted)
        Clock::time_point start = Clock::now();
        std::atomic<uint64_t> bytes{0};  // body bytes handed to the handler so far
        std::atomic<bool> dropped{false};
        std::string why;  // set before dropped
    };

    UploadWatchdog(double timeout_seconds, uint64_t min_bytes_per_second);
    ~UploadWatchdog();

    // Watches the upload of the client at remote_addr:remote_port (as httplib names it).
    std::shared_ptr<Upload> watch(const std::string& remote_addr, int remote_port);
    void done(const std::shared_ptr<Upload>& upload);

    static constexpr double kGraceSeconds = 5;

private:
    void run();

    double timeout_;
    uint64_t min_rate_;
    std::mutex mutex_;
    std::vector<std::shared_ptr<Upload>> uploads_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace cli
