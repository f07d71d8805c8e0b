#include "progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace cli {

ProgressBar::ProgressBar(const load::Progress& progress, std::string label, bool enabled)
    : progress_(progress), label_(std::move(label)) {
    if (!enabled || !isatty(STDERR_FILENO)) return;
    thread_ = std::thread([this] {
        auto start = std::chrono::steady_clock::now();
        while (!stop_) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            draw(start);
        }
    });
}

ProgressBar::~ProgressBar() {
    if (!thread_.joinable()) return;
    stop_ = true;
    thread_.join();
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
}

void ProgressBar::draw(std::chrono::steady_clock::time_point start) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    uint64_t rows = progress_.rows;
    double mb = progress_.bytes / 1048576.0;
    uint64_t expected = progress_.expected_rows;
    double rate = seconds > 0 ? rows / seconds : 0;
    std::string eta;
    if (std::string waiting = progress_.waiting(); !waiting.empty())
        eta = "waiting for " + waiting;
    else if (progress_.merging)
        eta = "merging";
    else if (expected > 0 && rate > 0 && rows <= expected)
        eta =
            fmt::format("{:3.0f}%  ETA {:.0f}s", 100.0 * rows / expected, (expected - rows) / rate);
    std::fprintf(stderr, "\r\033[K%s: %s rows  %.1f MB  %s rows/s  %s", label_.c_str(),
                 fmt::format("{:L}", rows).c_str(), mb, fmt::format("{:.0f}", rate).c_str(),
                 eta.c_str());
    std::fflush(stderr);
}

}  // namespace cli
