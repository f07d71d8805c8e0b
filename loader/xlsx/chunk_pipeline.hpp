// Runs a ChunkSplitter on its own thread and parses its chunks on K worker threads, handing
// results to one consumer in part order (or as they come). Memory is bounded: at most
// `max_in_flight` chunks exist at once, counting queued, parsing, parsed and the one the
// consumer holds. Errors reach the consumer at the chunk where they happened, so a consumer in
// order sees every row before the first bad one. With threads == 1 no thread is started.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "chunk_splitter.hpp"

namespace xlsx {

template <typename Result>
class ChunkPipeline {
public:
    // One parse function per worker (each owns its own expat parser).
    using Parse = std::function<Result(Chunk&)>;
    using ParseFactory = std::function<Parse()>;

    ChunkPipeline(ChunkSplitter& splitter, ParseFactory factory, unsigned threads,
                  size_t max_in_flight, bool ordered)
        : splitter_(splitter),
          ordered_(ordered),
          max_in_flight_(std::max<size_t>(max_in_flight, 2)) {
        if (threads <= 1) {
            inline_parse_ = factory();
            return;
        }
        producer_ = std::thread([this] { produce(); });
        for (unsigned i = 0; i < threads; ++i)
            workers_.emplace_back([this, p = factory()] { work(p); });
    }

    ~ChunkPipeline() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        space_.notify_all();
        work_ready_.notify_all();
        if (producer_.joinable()) producer_.join();
        for (auto& w : workers_)
            w.join();
    }

    ChunkPipeline(const ChunkPipeline&) = delete;
    ChunkPipeline& operator=(const ChunkPipeline&) = delete;

    // The next result, or nullopt at the end. Rethrows the first error. The previous result's
    // slot is given back here, so a consumer holds one chunk at a time.
    std::optional<Result> next() {
        if (inline_parse_) {
            Chunk chunk;
            if (!splitter_.next(chunk)) return std::nullopt;
            return inline_parse_(chunk);
        }
        std::unique_lock lock(mutex_);
        if (holding_) {
            holding_ = false;
            --in_flight_;
            space_.notify_one();
        }
        result_ready_.wait(lock, [&] {
            if (ordered_) return results_.count(next_seq_) > 0 || (done_ && next_seq_ >= total_);
            return !results_.empty() || (done_ && delivered_ >= total_);
        });
        if (results_.empty() || (ordered_ && !results_.count(next_seq_))) return std::nullopt;
        auto it = results_.begin();  // lowest seq: in order when ordered_
        Outcome outcome = std::move(it->second);
        results_.erase(it);
        ++next_seq_;
        ++delivered_;
        holding_ = true;
        if (outcome.error) {
            stopping_ = true;
            space_.notify_all();
            work_ready_.notify_all();
            std::rethrow_exception(outcome.error);
        }
        return std::move(outcome.result);
    }

private:
    struct Outcome {
        std::optional<Result> result;
        std::exception_ptr error;
    };

    void produce() {
        for (;;) {
            {
                std::unique_lock lock(mutex_);
                space_.wait(lock, [&] { return stopping_ || in_flight_ < max_in_flight_; });
                if (stopping_) return;
                ++in_flight_;
            }
            Chunk chunk;
            bool more = false;
            std::exception_ptr error;
            try {
                more = splitter_.next(chunk);
            } catch (...) {
                error = std::current_exception();
            }
            std::lock_guard lock(mutex_);
            if (error || !more) {
                if (error) {
                    results_[produced_] = Outcome{std::nullopt, error};
                    ++produced_;
                } else {
                    --in_flight_;
                }
                total_ = produced_;
                done_ = true;
                result_ready_.notify_all();
                work_ready_.notify_all();
                return;
            }
            chunk.seq = produced_++;
            queue_.push_back(std::move(chunk));
            work_ready_.notify_one();
        }
    }

    void work(const Parse& parse) {
        for (;;) {
            Chunk chunk;
            {
                std::unique_lock lock(mutex_);
                work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty() || done_; });
                if (stopping_ || queue_.empty()) return;
                chunk = std::move(queue_.front());
                queue_.pop_front();
            }
            const uint64_t seq = chunk.seq;
            Outcome outcome;
            try {
                outcome.result = parse(chunk);
            } catch (...) {
                outcome.error = std::current_exception();
            }
            chunk = Chunk{};  // free the XML before waiting on the consumer
            std::lock_guard lock(mutex_);
            results_[seq] = std::move(outcome);
            result_ready_.notify_all();
        }
    }

    ChunkSplitter& splitter_;
    bool ordered_;
    size_t max_in_flight_;
    Parse inline_parse_;
    std::thread producer_;
    std::vector<std::thread> workers_;

    std::mutex mutex_;
    std::condition_variable space_, work_ready_, result_ready_;
    std::deque<Chunk> queue_;
    std::map<uint64_t, Outcome> results_;
    size_t in_flight_ = 0;
    uint64_t produced_ = 0, total_ = 0, next_seq_ = 0, delivered_ = 0;
    bool done_ = false, stopping_ = false, holding_ = false;
};

}  // namespace xlsx
