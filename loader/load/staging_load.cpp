// Staging mode: the rows go in chunks, each committed with its ledger row into the run's
// UNLOGGED staging table, and one transaction merges them into the target (xlsx.merge_run),
// which rejects the rows that do not fit it. A run that stops keeps its committed chunks; the
// same command finds it again by the file's checksum and goes on.
#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "cancellation.hpp"
#include "chunk_writer.hpp"
#include "chunker.hpp"
#include "run_ledger.hpp"
#include "sheet_load.hpp"
#include "version.hpp"
#include "xlsx/type_inference.hpp"

namespace load {

namespace {

// Identifies the file's contents, to find an unfinished run of the same file: CRC-32 and size.
std::string file_checksum(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> buffer(1 << 20);
    uLong crc = crc32(0L, Z_NULL, 0);
    uint64_t size = 0;
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        auto got = static_cast<uInt>(in.gcount());
        crc = crc32(crc, reinterpret_cast<const Bytef*>(buffer.data()), got);
        size += got;
    }
    return fmt::format("crc32:{:08x}:{}", crc, size);
}

class StagingLoad : public ModeLoad {
public:
    explicit StagingLoad(SheetLoadState& s) : s_(s) {}

    void load(SheetRows& rows) override {
        const LoadOptions& o = s_.o;
        int64_t run = find_run(file_checksum(o.file));
        std::string staging = ledger::create_staging(s_.conn, run, s_.plan.names);
        if (o.colocate_staging && s_.target.citus == "distributed")
            s_.result.colocated_staging = ledger::colocate_staging(s_.conn, run);
        WriteTarget target{staging, s_.plan.names, s_.plan.types, true};

        std::set<uint64_t> committed = committed_chunks(run);
        Chunker chunker(
            rows, s_.plan, o.chunk_rows, [&](uint64_t n) { return committed.count(n) > 0; },
            s_.types_while_staging);
        size_t n = std::max(1u, o.connections);
        auto conns = s_.open_connections(n);
        std::vector<ChunkWriter> writers;
        for (auto& c : conns)
            writers.emplace_back(*c, target, o.method, o.batch_size);
        try {
            if (!(s_.result.resumed && ledger::all_staged(s_.conn, run)))
                run_pipeline(chunker, rows, n, s_.progress, [&](size_t i, const RowChunk& chunk) {
                    pg::Connection& c = *conns[i];
                    std::vector<Reject> rejects = chunk.rejects;
                    c.exec("BEGIN");
                    uint64_t written = writers[i].write(chunk, rejects);
                    ledger::record_rejects(c, run, rejects);
                    ledger::record_chunk(c, run, chunk, written + rejects.size());
                    c.exec("COMMIT");
                    s_.progress.rows += written;
                    s_.progress.bytes += chunk.bytes();
                    s_.budget.add(rejects);
                });
            throw_if_interrupted();
            prepare_merge(run);
            if (!s_.deferred) merge();  // else the JointCommit merges it with the others
        } catch (const std::exception& e) {
            if (interrupted()) {
                ledger::mark_interrupted(s_.conn, run, interruption());
                throw LoadError(
                    ErrorKind::Interrupted,
                    fmt::format("{}: the target is unchanged; run {} "
                                "keeps its {}: run the same command again (or add "
                                "--resume {}) to go on from there.",
                                interruption(), run, ledger::committed_summary(s_.conn, run), run));
            }
            std::string why = s_.message_of(e);
            ledger::mark_failed(s_.conn, run, why);
            throw LoadError(kind_of(e), fmt::format("{}\nThe target is unchanged; run {} keeps "
                                                    "its committed chunks: run the same command "
                                                    "again to resume it.",
                                                    why, run));
        }
    }

    void commit_in(pg::Connection& c) override { merge_rows(c); }
    void after_commit(pg::Connection&) override {}
    // The staged run stays resumable.
    void undo(const std::string& why) override {
        ledger::mark_failed(s_.conn, s_.result.run_id, why);
    }

private:
    // The run to stage into: the one --resume names, an unfinished one of the same file
    // contents, sheet and target that no live loader holds, or a new one.
    int64_t find_run(const std::string& checksum) {
        const LoadOptions& o = s_.o;
        std::optional<int64_t> run;
        if (o.resume_run) {
            run = ledger::unfinished_staging_run(s_.conn, *o.resume_run);
            if (!run)
                throw std::runtime_error(fmt::format(
                    "run {} cannot be resumed: it does not exist, is not yours, is not a staging "
                    "run or is finished (see xlsx.import_runs)",
                    *o.resume_run));
        } else if (!o.new_run) {
            run = ledger::resumable_run(s_.conn, checksum, s_.sheet.name, s_.target.name);
        }
        if (run && !ledger::claim_run(s_.conn, *run)) {
            if (o.resume_run)
                throw std::runtime_error(
                    fmt::format("run {} is being loaded by another xlsx2pg right now", *run));
            run.reset();  // another loader is on it: this one starts its own
        }
        if (run) {
            s_.result.resumed = true;
        } else {
            run = ledger::open_claimed_run(
                s_.conn,
                {s_.result.file, s_.sheet.name, s_.target.name, mode_name(o.mode), o.connections,
                 s_.workbook.package().file_size(), checksum, XLSX2PG_VERSION});
            s_.start_run_clock(*run);
        }
        s_.result.run_id = s_.progress.run_id = *run;
        return *run;
    }

    // Committed chunks of a resumed run; they must be the chunks this --chunk-rows makes.
    std::set<uint64_t> committed_chunks(int64_t run) {
        if (s_.result.resumed)
            if (uint64_t lost = ledger::forget_lost_chunks(s_.conn, run))
                warn(
                    fmt::format("run {}: {} committed chunks were lost by a server crash "
                                "(UNLOGGED staging); loading them again",
                                run, lost));
        uint64_t size = s_.o.chunk_rows;
        std::set<uint64_t> chunks;
        for (const ledger::ChunkRecord& c : ledger::committed_chunks(s_.conn, run)) {
            if (c.first_row != c.number * size + 1 || c.last_row != (c.number + 1) * size)
                throw std::runtime_error(fmt::format(
                    "run {} was loaded in chunks of {} rows; resume it with --chunk-rows {}", run,
                    c.last_row - c.first_row + 1, c.last_row - c.first_row + 1));
            chunks.insert(c.number);
        }
        return chunks;
    }

    // Staging's end: one transaction merges the staged rows into the target.
    void merge() {
        s_.conn.exec("BEGIN");
        try {
            merge_rows(s_.conn);
            s_.conn.exec("COMMIT");
        } catch (...) {
            s_.conn.exec("ROLLBACK");
            throw;
        }
    }

    // Before the merge: the staged counts into the ledger, and the reject limit checked.
    void prepare_merge(int64_t run) {
        s_.progress.merging = true;
        ledger::Counts staged = ledger::staged_counts(s_.conn, run);
        staged.bytes = s_.progress.bytes.load();
        ledger::finish_run(s_.conn, run, "staged", staged);
        merge_limit_ = s_.reject_limit(staged.rows_read);
        if (merge_limit_ && staged.rows_rejected > *merge_limit_)
            s_.budget.throw_too_many(*merge_limit_);
        staged_rejects_ = staged.rows_rejected;
    }

    // The merge itself, in the transaction open on `c` (this load's or a JointCommit's).
    void merge_rows(pg::Connection& c) {
        const LoadOptions& o = s_.o;
        LoadResult& result = s_.result;
        // An earlier file of a JointCommit may have created the table in this transaction.
        if (!s_.target.exists &&
            c.scalar("SELECT to_regclass($1) IS NULL", {s_.target.name}) == "t") {
            if (s_.types_while_staging) plan_types_from_ledger(result.run_id);
            c.exec(create_table_sql(s_.target.name, s_.plan));
            result.created = true;
        }
        ledger::MergeRequest merge{s_.target.name,
                                   !o.upsert_keys.empty() ? "upsert"
                                   : o.truncate           ? "replace"
                                                          : "insert",
                                   o.upsert_keys, std::nullopt, !o.keep_staging};
        if (merge_limit_) merge.max_rejects = *merge_limit_ - staged_rejects_;
        ledger::MergeCounts merged = ledger::merge_run(c, result.run_id, merge);
        result.rows_inserted = merged.inserted;
        result.rows_updated = merged.updated;
        ledger::Counts counts = ledger::run_counts(c, result.run_id);
        result.rows_read = counts.rows_read;
        result.rows_loaded = counts.rows_loaded;
        result.rows_rejected = counts.rows_rejected;
        result.first_rejects = ledger::first_rejects(c, result.run_id);
        result.connections = std::max(1u, o.connections);
    }

    // The new table's types from the evidence each staged chunk left in the ledger (those of
    // an earlier attempt of a resumed run too); a chunk without it (a run an older xlsx2pg
    // began) sends the load back to a pass over the sheet.
    void plan_types_from_ledger(int64_t run) {
        std::vector<std::string> types;
        if (auto evidence = ledger::type_evidence(s_.conn, run, s_.plan.width())) {
            xlsx::TypeInference inference(s_.plan.width() + 1);
            for (size_t column = 1; column <= s_.plan.width(); ++column)
                inference.merge(column, (*evidence)[column]);
            types.assign(s_.plan.width() + 1, "");
            for (size_t column = 1; column <= s_.plan.width(); ++column)
                types[column] = inference.type_of(column);
        } else {
            types = s_.infer_types();
        }
        s_.plan = plan_columns(s_.o, s_.target, s_.header, [&] { return types; });
    }

    SheetLoadState& s_;
    std::optional<uint64_t> merge_limit_;  // the reject limit left for the merge
    uint64_t staged_rejects_ = 0;
};

}  // namespace

std::unique_ptr<ModeLoad> make_staging_load(SheetLoadState& state) {
    return std::make_unique<StagingLoad>(state);
}

}  // namespace load
