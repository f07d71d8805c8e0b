#include "pipeline.hpp"

#include "cancellation.hpp"

#include <thread>

namespace load {

void run_pipeline(Chunker& chunker, SheetRows& rows, size_t connections, Progress& progress,
                  const std::function<void(size_t, const RowChunk&)>& write_chunk) {
    ChunkQueue queue(connections + 1);
    std::mutex error_mutex;
    std::exception_ptr error;
    std::vector<std::thread> writers;
    for (size_t i = 0; i < connections; ++i) {
        writers.emplace_back([&, i] {
            try {
                while (auto chunk = queue.pop()) {
                    throw_if_interrupted();
                    write_chunk(i, *chunk);
                }
            } catch (...) {
                std::lock_guard lock(error_mutex);
                if (!error) error = std::current_exception();
                queue.stop();
            }
        });
    }
    try {
        while (auto chunk = chunker.next()) {
            throw_if_interrupted();
            // The reader runs ahead of the writers: estimate the total from what it has read.
            if (double read = rows.progress(); read > 0.01)
                progress.expected_rows = static_cast<uint64_t>(chunker.rows_read() / read);
            if (!queue.push(std::move(*chunk))) break;
        }
        queue.close();
    } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        queue.stop();
    }
    for (auto& t : writers)
        t.join();
    if (error) {
        throw_if_interrupted();  // a cancelled COPY's error is the interruption's
        std::rethrow_exception(error);
    }
    progress.expected_rows = chunker.rows_read();
}

}  // namespace load
