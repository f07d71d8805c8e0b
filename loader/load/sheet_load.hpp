// Inside a load of one sheet (loader.cpp): the state its steps share, and the two ways of
// writing the rows, staging (staging_load.cpp) and direct (direct_load.cpp), behind one face
// so that loader.cpp and JointCommit say only the order of the steps.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "column_plan.hpp"
#include "lock_watch.hpp"
#include "options.hpp"
#include "pipeline.hpp"
#include "progress.hpp"
#include "result.hpp"
#include "sheet_rows.hpp"

namespace load {

struct SheetLoadState {
    SheetLoadState(const LoadOptions& options, const xlsx::Workbook& workbook,
                   const xlsx::SheetInfo& sheet, Progress& progress);

    // A copy: a JointCommit keeps the load after the caller's options are gone.
    const LoadOptions o;
    const xlsx::Workbook& workbook;
    const xlsx::SheetInfo& sheet;
    Progress& progress;
    std::chrono::steady_clock::time_point started;
    pg::Connection conn;  // the ledger's and the merge's
    LockWatch lock_watch;
    RejectBudget budget;
    TargetTable target;
    ColumnPlan plan;
    std::vector<std::string> header;
    // A new table's types come from the cells as they are staged, not from a pass of their own.
    bool types_while_staging = false;
    // Set by a JointCommit: the load stops short of its commit, which the JointCommit makes.
    bool deferred = false;
    LoadResult result;

    // N more connections for the rows, each watched for lock waits.
    std::vector<std::unique_ptr<pg::Connection>> open_connections(size_t n);
    // A pass over the sheet for the types every value fits (--create).
    std::vector<std::string> infer_types();
    // One clock for the summary, --json and xlsx.stats: the run starts when this command
    // started on the sheet (a --create type pass included), not when its ledger row was written.
    void start_run_clock(int64_t run);
    // --max-rejects and --max-reject-ratio, for this many rows read.
    std::optional<uint64_t> reject_limit(uint64_t rows_read) const;
    // The failure's message with what the server's leaves out (failure_explanation.hpp).
    std::string message_of(const std::exception& e);
};

// Staging or direct: writes the rows and makes them visible, or leaves the target as it was.
class ModeLoad {
public:
    virtual ~ModeLoad() = default;
    // Every row written, and committed unless the load is deferred (then as far as the commit:
    // staged, or prepared). Throws LoadError after recording the failure in the ledger.
    virtual void load(SheetRows& rows) = 0;
    // A deferred load's commit, in the JointCommit's transaction on `c`.
    virtual void commit_in(pg::Connection& c) = 0;
    // After that transaction committed.
    virtual void after_commit(pg::Connection& c) = 0;
    // Another file failed: nothing of this one becomes visible.
    virtual void undo(const std::string& why) = 0;
};

std::unique_ptr<ModeLoad> make_staging_load(SheetLoadState& state);
std::unique_ptr<ModeLoad> make_direct_load(SheetLoadState& state);

void warn(const std::string& message);

}  // namespace load
