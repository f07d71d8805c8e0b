// Direct mode: typed COPY into the target over N connections, each one transaction, made one
// with two-phase commit. The run is marked merged before the prepared transactions commit:
// that is the decision a restarted loader follows (ledger::settle_prepared_loads).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>

#include "cancellation.hpp"
#include "chunk_writer.hpp"
#include "chunker.hpp"
#include "run_ledger.hpp"
#include "sheet_load.hpp"
#include "version.hpp"

namespace load {

namespace {

class DirectLoad : public ModeLoad {
public:
    explicit DirectLoad(SheetLoadState& s) : s_(s) {}

    void load(SheetRows& rows) override {
        const LoadOptions& o = s_.o;
        LoadResult& result = s_.result;
        size_t n = connections();
        result.connections = static_cast<unsigned>(n);
        // Claimed, so that another loader's settle_prepared_loads leaves ours alone.
        int64_t run = ledger::open_claimed_run(
            s_.conn,
            {result.file, s_.sheet.name, s_.target.name, "direct", static_cast<unsigned>(n),
             s_.workbook.package().file_size(), std::nullopt, XLSX2PG_VERSION});
        result.run_id = s_.progress.run_id = run;
        s_.start_run_clock(run);
        bool created = false;
        auto conns = s_.open_connections(n);
        try {
            if (!s_.target.exists) {
                s_.conn.exec(create_table_sql(s_.target.name, s_.plan));
                created = result.created = true;
            }
            WriteTarget target{s_.target.name, s_.plan.names, s_.plan.types, false};
            std::vector<ChunkWriter> writers;
            for (auto& c : conns) {
                c->exec("BEGIN");
                writers.emplace_back(*c, target, o.method, o.batch_size);
            }
            if (o.truncate) conns[0]->exec("TRUNCATE " + s_.target.name);
            Chunker chunker(rows, s_.plan, o.chunk_rows, [](uint64_t) { return false; });
            std::atomic<uint64_t> loaded{0};
            run_pipeline(chunker, rows, n, s_.progress, [&](size_t i, const RowChunk& chunk) {
                std::vector<Reject> rejects = chunk.rejects;
                uint64_t written = writers[i].write(chunk, rejects);
                ledger::record_rejects(*conns[i], run, rejects);
                s_.progress.rows += written;
                s_.progress.bytes += chunk.bytes();
                loaded += written;
                s_.budget.add(rejects);
            });
            result.rows_read = chunker.rows_read();
            result.rows_rejected = s_.budget.count();
            result.rows_loaded = result.rows_inserted = loaded;
            std::optional<uint64_t> limit = s_.reject_limit(result.rows_read);
            if (limit && result.rows_rejected > *limit) s_.budget.throw_too_many(*limit);
            throw_if_interrupted();
            commit(conns, run);
        } catch (const std::exception& e) {
            conns.clear();  // closing a connection rolls its transaction back
            ledger::rollback_prepared(s_.conn, run);
            bool stopped = interrupted() != 0;
            std::string why = stopped ? interruption() : s_.message_of(e);
            if (stopped)
                ledger::mark_interrupted(s_.conn, run, why);
            else
                ledger::mark_failed(s_.conn, run, why);
            if (created) s_.conn.exec("DROP TABLE IF EXISTS " + s_.target.name);
            if (stopped)
                throw LoadError(ErrorKind::Interrupted,
                                fmt::format("{}: nothing was loaded (direct mode is all or "
                                            "nothing; run {} is marked interrupted).",
                                            why, run));
            throw LoadError(kind_of(e), fmt::format("{}\nNothing was loaded (direct mode is "
                                                    "all or nothing; run {} is marked failed).",
                                                    why, run));
        }
        result.first_rejects = s_.budget.first();
    }

    // The decision, in the JointCommit's transaction.
    void commit_in(pg::Connection& c) override {
        ledger::finish_run(c, s_.result.run_id, "merged", finish_);
    }

    // After the decision committed: the prepared transactions follow it.
    void after_commit(pg::Connection& c) override {
        for (const std::string& name : prepared_)
            ledger::commit_prepared(c, name);
        prepared_.clear();
    }

    void undo(const std::string& why) override {
        ledger::rollback_prepared(s_.conn, s_.result.run_id);
        if (s_.result.created) s_.conn.exec("DROP TABLE IF EXISTS " + s_.target.name);
        ledger::mark_failed(s_.conn, s_.result.run_id, why);
    }

private:
    // How many connections can commit as one.
    size_t connections() {
        const LoadOptions& o = s_.o;
        size_t n = std::max(1u, o.connections);
        // One COPY on a Citus coordinator is one distributed transaction that Citus commits on
        // every shard at once; Citus refuses the two-phase commit that joins several.
        if (!s_.target.citus.empty()) n = 1;
        if (s_.deferred && !s_.target.citus.empty())
            throw LoadError(ErrorKind::InvalidInput,
                            fmt::format("direct mode commits several files together with "
                                        "two-phase commit, which Citus refuses ({} is a Citus "
                                        "table): load them in staging mode with --atomic",
                                        s_.target.name));
        if (n > 1 && o.truncate) {
            warn("--truncate in direct mode locks the table: loading over one connection");
            n = 1;
        }
        if (n > 1 || s_.deferred) {
            int prepared = std::stoi(
                s_.conn.scalar("SELECT current_setting('max_prepared_transactions')").value());
            if (s_.deferred && prepared < static_cast<int>(n))
                throw LoadError(
                    ErrorKind::InvalidInput,
                    fmt::format("direct mode commits several files together with two-phase "
                                "commit, and max_prepared_transactions is {}: raise it to the "
                                "files times --connections, or use staging mode with --atomic",
                                prepared));
            if (prepared < static_cast<int>(n)) {
                warn(
                    fmt::format("max_prepared_transactions is {}, and {} connections need as many "
                                "to commit as one: loading over one connection",
                                prepared, n));
                n = 1;
            }
        }
        return n;
    }

    void commit(std::vector<std::unique_ptr<pg::Connection>>& conns, int64_t run) {
        const LoadResult& r = s_.result;
        finish_ = {r.rows_read, r.rows_loaded, r.rows_rejected, s_.progress.bytes.load()};
        if (conns.size() == 1 && !s_.deferred) {
            ledger::finish_run(*conns[0], run, "merged", finish_);
            conns[0]->exec("COMMIT");
            return;
        }
        for (size_t i = 0; i < conns.size(); ++i) {
            prepared_.push_back(ledger::prepared_name(run, i));
            ledger::prepare(*conns[i], prepared_.back());
        }
        if (s_.deferred) return;  // the JointCommit decides for every file at once
        commit_in(s_.conn);       // the decision: from here on, the load commits
        after_commit(s_.conn);
    }

    SheetLoadState& s_;
    ledger::Counts finish_;              // the run's counts, for the decision
    std::vector<std::string> prepared_;  // the prepared transactions
};

}  // namespace

std::unique_ptr<ModeLoad> make_direct_load(SheetLoadState& state) {
    return std::make_unique<DirectLoad>(state);
}

}  // namespace load
