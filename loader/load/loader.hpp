// A load of one sheet into one table: plan the columns, open or resume the run, stream the
// rows over N connections, then make them visible at once (the merge of staging mode, or the
// two-phase commit of direct mode). Throws on failure, after recording it in the run ledger;
// the target is then unchanged.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "options.hpp"
#include "result.hpp"
#include "xlsx/workbook.hpp"

namespace load {

// A load that stopped, with what kind of thing stopped it: "invalid_input" (the sheet or the
// options do not fit the table), "too_many_rejects", "database" (the server refused or went
// away), or "" for anything else. Reader errors stay xlsx::Error with their own kinds.
class LoadError : public std::runtime_error {
public:
    LoadError(std::string kind, const std::string& message)
        : std::runtime_error(message), kind_(std::move(kind)) {}
    const std::string& kind() const { return kind_; }

private:
    std::string kind_;
};

// Live counters for a progress display; written by the load, read by anyone.
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

LoadResult load_sheet(const LoadOptions& options, const xlsx::Workbook& workbook,
                      const xlsx::SheetInfo& sheet, const std::string& table, Progress& progress);

// Loads made visible together: several files into one table, all or none. Each load() goes
// as far as its commit (staging: every row staged, the run 'staged'; direct: its transactions
// prepared), then commit() merges or commits them all in one transaction; should one fail,
// abort() (also called by commit() on failure, and by the destructor) leaves every target as
// it was: staged runs stay resumable, prepared transactions are rolled back. The workbooks
// must outlive the JointCommit.
class JointCommit {
public:
    explicit JointCommit(const pg::ConnectOptions& connect);
    ~JointCommit();
    LoadResult load(const LoadOptions& options, const xlsx::Workbook& workbook,
                    const xlsx::SheetInfo& sheet, const std::string& table, Progress& progress);
    std::vector<LoadResult> commit();
    void abort(const std::string& why);
    // Counters for one of its loads, which they must outlive as the loads do.
    Progress& new_progress();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The CREATE TABLE that --create would run for this sheet (reads the whole sheet).
std::string schema_of_sheet(const LoadOptions& options, const xlsx::Workbook& workbook,
                            const xlsx::SheetInfo& sheet, const std::string& table);

// Finishes two-phase commits that a killed direct load left prepared: committed when the run
// was marked done, rolled back otherwise. Returns how many it settled.
int settle_prepared_loads(pg::Connection& conn);

}  // namespace load
