// A load of one sheet into one table: plan the columns, open or resume the run, stream the
// rows over N connections, then make them visible at once (the merge of staging mode, or the
// two-phase commit of direct mode). Throws on failure, after recording it in the run ledger;
// the target is then unchanged.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "errors.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "result.hpp"
#include "xlsx/workbook.hpp"

namespace load {

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

}  // namespace load
