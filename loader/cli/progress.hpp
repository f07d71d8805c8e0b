// The progress line on a terminal: rows, MB sent, rate and ETA, redrawn a few times a second
// on stderr. Nothing at all when stderr is not a terminal or with --quiet.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "load/loader.hpp"

namespace cli {

class ProgressBar {
public:
    ProgressBar(const load::Progress& progress, std::string label, bool enabled);
    ~ProgressBar();  // clears the line

private:
    void draw(std::chrono::steady_clock::time_point start);

    const load::Progress& progress_;
    std::string label_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace cli
