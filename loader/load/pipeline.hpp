// The moving parts between the reader and the connections: chunks handed from the reading
// thread to one writer thread per connection through a bounded queue, and the count of
// rejected rows against --max-rejects.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "chunker.hpp"
#include "errors.hpp"
#include "progress.hpp"
#include "row_chunk.hpp"

namespace load {

// The rejected rows of a load, counted against --max-rejects as they are found.
class RejectBudget {
public:
    explicit RejectBudget(std::optional<uint64_t> max) : max_(max) {}

    void add(const std::vector<Reject>& rejects) {
        if (rejects.empty()) return;
        std::lock_guard lock(mutex_);
        count_ += rejects.size();
        for (const Reject& r : rejects)
            first_.push_back(r);
        std::sort(first_.begin(), first_.end(),
                  [](const Reject& a, const Reject& b) { return a.sheet_row < b.sheet_row; });
        if (first_.size() > kKept) first_.resize(kKept);
        if (max_ && count_ > *max_) throw_too_many(*max_);
    }
    uint64_t count() const {
        std::lock_guard lock(mutex_);
        return count_;
    }
    std::vector<Reject> first() const {
        std::lock_guard lock(mutex_);
        return first_;
    }
    [[noreturn]] void throw_too_many(uint64_t limit) const {
        std::string first;
        if (!first_.empty()) {
            const Reject& r = first_.front();
            first = fmt::format("; the first is sheet row {}{}: {}", r.sheet_row,
                                r.column.empty() ? "" : ", column " + r.column, r.reason);
        }
        throw LoadError(ErrorKind::TooManyRejects,
                        fmt::format("more than {} rejected rows{}. Nothing was loaded; raise "
                                    "--max-rejects or fix the rows",
                                    limit, first));
    }

private:
    static constexpr size_t kKept = 10;
    mutable std::mutex mutex_;
    std::optional<uint64_t> max_;
    uint64_t count_ = 0;
    std::vector<Reject> first_;
};

// Chunks from the reading thread to the writers; bounded, so memory is too.
class ChunkQueue {
public:
    explicit ChunkQueue(size_t capacity) : capacity_(capacity) {}

    bool push(RowChunk chunk) {
        std::unique_lock lock(mutex_);
        not_full_.wait(lock, [&] { return queue_.size() < capacity_ || stopped_; });
        if (stopped_) return false;
        queue_.push_back(std::move(chunk));
        not_empty_.notify_one();
        return true;
    }
    std::optional<RowChunk> pop() {
        std::unique_lock lock(mutex_);
        not_empty_.wait(lock, [&] { return !queue_.empty() || closed_ || stopped_; });
        if (stopped_ || queue_.empty()) return std::nullopt;
        RowChunk chunk = std::move(queue_.front());
        queue_.erase(queue_.begin());
        not_full_.notify_one();
        return chunk;
    }
    void close() {
        std::lock_guard lock(mutex_);
        closed_ = true;
        not_empty_.notify_all();
    }
    void stop() {
        std::lock_guard lock(mutex_);
        stopped_ = true;
        not_empty_.notify_all();
        not_full_.notify_all();
    }

private:
    size_t capacity_;
    std::mutex mutex_;
    std::condition_variable not_full_, not_empty_;
    std::vector<RowChunk> queue_;
    bool closed_ = false, stopped_ = false;
};

// Reads the sheet on this thread and hands chunks to one writer thread per connection.
// `write_chunk(connection index, chunk)` runs on the writers; the first error stops everyone
// and is rethrown here.
void run_pipeline(Chunker& chunker, SheetRows& rows, size_t connections, Progress& progress,
                  const std::function<void(size_t, const RowChunk&)>& write_chunk);

}  // namespace load
