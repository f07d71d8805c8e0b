// The order of a sheet's load: the extension and the target checked, the columns planned,
// the rows written in staging or direct mode, the result read back from the ledger.
#include "loader.hpp"

#include <cmath>
#include <cstdio>

#include "failure_explanation.hpp"
#include "run_ledger.hpp"
#include "sheet_load.hpp"
#include "target_checks.hpp"

namespace load {

const char* mode_name(Mode mode) {
    return mode == Mode::Staging ? "staging" : "direct";
}

const char* method_name(Method method) {
    switch (method) {
        case Method::Copy:
            return "copy";
        case Method::Batch:
            return "batch";
        case Method::Insert:
            return "insert";
    }
    return "?";
}

void warn(const std::string& message) {
    std::fprintf(stderr, "xlsx2pg: warning: %s\n", message.c_str());
}

namespace {
// The file column of --add-columns names the file as the run does.
LoadOptions with_source_file(LoadOptions o) {
    o.rows.source_file = o.file_label.empty() ? o.file : o.file_label;
    return o;
}
}  // namespace

SheetLoadState::SheetLoadState(const LoadOptions& options, const xlsx::Workbook& workbook,
                               const xlsx::SheetInfo& sheet, Progress& progress)
    : o(with_source_file(options)),
      workbook(workbook),
      sheet(sheet),
      progress(progress),
      started(std::chrono::steady_clock::now()),
      conn(options.connect),
      lock_watch(options.connect, progress, options.report_lock_waits),
      budget(options.max_rejects) {
    lock_watch.watch(conn.backend_pid());
    result.file = o.file_label.empty() ? o.file : o.file_label;
    result.sheet = sheet.name;
    result.mode = mode_name(o.mode);
    result.method = method_name(o.method);
}

std::vector<std::unique_ptr<pg::Connection>> SheetLoadState::open_connections(size_t n) {
    std::vector<std::unique_ptr<pg::Connection>> conns;
    for (size_t i = 0; i < n; ++i) {
        conns.push_back(std::make_unique<pg::Connection>(o.connect));
        lock_watch.watch(conns.back()->backend_pid());
    }
    return conns;
}

std::vector<std::string> SheetLoadState::infer_types() {
    SheetRows again(workbook, sheet, o.rows);
    return infer_column_types(again);
}

void SheetLoadState::start_run_clock(int64_t run) {
    ledger::start_clock(
        conn, run,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

std::optional<uint64_t> SheetLoadState::reject_limit(uint64_t rows_read) const {
    std::optional<uint64_t> limit = o.max_rejects;
    if (o.max_reject_ratio) {
        auto by_ratio = static_cast<uint64_t>(std::floor(*o.max_reject_ratio * rows_read));
        limit = limit ? std::min(*limit, by_ratio) : by_ratio;
    }
    return limit;
}

std::string SheetLoadState::message_of(const std::exception& e) {
    return e.what() + explanation_of(e, lock_watch, target, conn);
}

namespace {

class SheetLoad {
public:
    SheetLoad(const LoadOptions& o, const xlsx::Workbook& workbook, const xlsx::SheetInfo& sheet,
              std::string table, Progress& progress)
        : s_(o, workbook, sheet, progress), table_(std::move(table)) {}

    // What a JointCommit does with the loads it holds (see loader.hpp).
    void defer_commit() { s_.deferred = true; }

    LoadResult run() {
        ledger::require_extension(s_.conn);
        ledger::settle_prepared_loads(s_.conn);
        s_.target = resolve_target(s_.conn, table_);
        s_.result.target = s_.target.name;
        s_.result.citus = s_.target.citus;
        s_.result.distribution_column = s_.target.distribution_column;
        check_schema_allowed(s_.target, s_.o);
        check_citus_upsert_key(s_.target, s_.o);
        check_target_exists(s_.target, s_.o);

        SheetRows rows(s_.workbook, s_.sheet, s_.o.rows);
        // A new table's types in staging mode come from the cells as they are staged (one
        // pass); without a header the staging table's width needs the types pass first.
        s_.header = rows.header();
        s_.types_while_staging =
            s_.o.mode == Mode::Staging && !s_.target.exists && !s_.o.all_text && !s_.header.empty();
        s_.plan = plan_columns(s_.o, s_.target, s_.header, [&] {
            return s_.types_while_staging ? std::vector<std::string>{} : s_.infer_types();
        });
        mode_ = s_.o.mode == Mode::Staging ? make_staging_load(s_) : make_direct_load(s_);
        mode_->load(rows);
        s_.result.bytes_read = rows.xml_bytes_read();
        s_.result.seconds = ledger::run_seconds(s_.conn, s_.result.run_id);
        return s_.result;
    }

    const LoadResult& result() const { return s_.result; }
    void commit_in(pg::Connection& c) { mode_->commit_in(c); }
    void after_commit(pg::Connection& c) {
        mode_->after_commit(c);
        s_.result.seconds = ledger::run_seconds(s_.conn, s_.result.run_id);
    }
    void undo(const std::string& why) { mode_->undo(why); }

private:
    SheetLoadState s_;
    std::string table_;
    std::unique_ptr<ModeLoad> mode_;
};

}  // namespace

LoadResult load_sheet(const LoadOptions& options, const xlsx::Workbook& workbook,
                      const xlsx::SheetInfo& sheet, const std::string& table, Progress& progress) {
    return SheetLoad(options, workbook, sheet, table, progress).run();
}

struct JointCommit::Impl {
    pg::ConnectOptions connect;
    std::vector<std::unique_ptr<Progress>> progress;  // before the loads: they outlive them
    std::vector<std::unique_ptr<SheetLoad>> loads;
};

Progress& JointCommit::new_progress() {
    return *impl_->progress.emplace_back(std::make_unique<Progress>());
}

JointCommit::JointCommit(const pg::ConnectOptions& connect) : impl_(std::make_unique<Impl>()) {
    impl_->connect = connect;
}

JointCommit::~JointCommit() {
    if (impl_->loads.empty()) return;
    try {
        abort("the command stopped before the files were committed");
    } catch (const std::exception&) {
        // The server is gone: settle_prepared_loads() rolls back what is left, next time.
    }
}

LoadResult JointCommit::load(const LoadOptions& options, const xlsx::Workbook& workbook,
                             const xlsx::SheetInfo& sheet, const std::string& table,
                             Progress& progress) {
    auto load = std::make_unique<SheetLoad>(options, workbook, sheet, table, progress);
    load->defer_commit();
    LoadResult result = load->run();
    impl_->loads.push_back(std::move(load));
    return result;
}

std::vector<LoadResult> JointCommit::commit() {
    pg::Connection c(impl_->connect);
    c.exec("BEGIN");
    try {
        for (auto& load : impl_->loads)
            load->commit_in(c);
        c.exec("COMMIT");  // the decision for every file: from here on, they all commit
    } catch (const std::exception& e) {
        c.exec("ROLLBACK");
        abort(e.what());
        throw;
    }
    std::vector<LoadResult> results;
    for (auto& load : impl_->loads) {
        load->after_commit(c);
        results.push_back(load->result());
    }
    impl_->loads.clear();
    return results;
}

void JointCommit::abort(const std::string& why) {
    for (auto& load : impl_->loads)
        load->undo("not committed: " + why);
    impl_->loads.clear();
}

std::string schema_of_sheet(const LoadOptions& given, const xlsx::Workbook& workbook,
                            const xlsx::SheetInfo& sheet, const std::string& table) {
    LoadOptions options = with_source_file(given);
    SheetRows rows(workbook, sheet, options.rows);
    TargetTable target;  // as if it did not exist yet
    target.name = table;
    ColumnPlan plan = plan_columns(options, target, rows.header(), [&] {
        SheetRows again(workbook, sheet, options.rows);
        return infer_column_types(again);
    });
    return create_table_sql(table, plan);
}

}  // namespace load
