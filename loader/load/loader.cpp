#include "loader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>

#include "chunk_writer.hpp"
#include "chunker.hpp"
#include "column_plan.hpp"
#include "interrupt.hpp"
#include "lock_watch.hpp"
#include "pg/connection.hpp"
#include "pg/identifiers.hpp"
#include "pipeline.hpp"
#include "version.hpp"
#include "xlsx/type_inference.hpp"

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

namespace {

using Clock = std::chrono::steady_clock;

// Session advisory locks (class, run id) mark a run as taken by a live loader.
constexpr int32_t kRunLockClass = 0x786c7378;  // "xlsx"

std::string kind_of(const std::exception& e) {
    if (auto* load = dynamic_cast<const LoadError*>(&e)) return load->kind();
    // A data error (class 22/23, such as the merge's reject limit) is the sheet's fault.
    if (auto* pg = dynamic_cast<const pg::PgError*>(&e))
        return pg->is_data_error() ? "invalid_input" : "database";
    if (dynamic_cast<const std::invalid_argument*>(&e)) return "invalid_input";
    return "";
}
using Params = std::vector<std::optional<std::string>>;

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

void record_rejects(pg::Connection& conn, int64_t run, const std::vector<Reject>& rejects) {
    for (const Reject& r : rejects)
        conn.exec("SELECT xlsx_internal.record_reject($1, $2, $3, $4, $5, $6)",
                  {std::to_string(run), std::to_string(r.sheet_row), r.column, r.value,
                   r.target_type, r.reason});
}

std::vector<std::unique_ptr<pg::Connection>> open_connections(const LoadOptions& o, size_t n,
                                                              LockWatch& lock_watch) {
    std::vector<std::unique_ptr<pg::Connection>> conns;
    for (size_t i = 0; i < n; ++i) {
        conns.push_back(std::make_unique<pg::Connection>(o.connect));
        lock_watch.watch(conns.back()->backend_pid());
    }
    return conns;
}

std::optional<uint64_t> reject_limit(const LoadOptions& o, uint64_t rows_read) {
    std::optional<uint64_t> limit = o.max_rejects;
    if (o.max_reject_ratio) {
        auto by_ratio = static_cast<uint64_t>(std::floor(*o.max_reject_ratio * rows_read));
        limit = limit ? std::min(*limit, by_ratio) : by_ratio;
    }
    return limit;
}

std::vector<Reject> first_rejects_of_run(pg::Connection& conn, int64_t run) {
    pg::Result r = conn.exec(
        "SELECT coalesce(sheet_row, 0), coalesce(column_name, ''), coalesce(raw_value, ''), "
        "coalesce(target_type, ''), reason FROM xlsx.rejects WHERE run_id = $1 "
        "ORDER BY sheet_row, column_name LIMIT 10",
        {std::to_string(run)});
    std::vector<Reject> rejects;
    for (int i = 0; i < PQntuples(r.get()); ++i)
        rejects.push_back({static_cast<uint32_t>(std::stoul(PQgetvalue(r.get(), i, 0))),
                           PQgetvalue(r.get(), i, 1), PQgetvalue(r.get(), i, 2),
                           PQgetvalue(r.get(), i, 3), PQgetvalue(r.get(), i, 4)});
    return rejects;
}

class SheetLoad {
public:
    SheetLoad(const LoadOptions& o, const xlsx::Workbook& workbook, const xlsx::SheetInfo& sheet,
              const std::string& table, Progress& progress)
        : o_(o),
          workbook_(workbook),
          sheet_(sheet),
          table_(table),
          progress_(progress),
          started_(Clock::now()),
          conn_(o.connect),
          lock_watch_(o.connect, progress, o.report_lock_waits),
          budget_(o.max_rejects) {
        lock_watch_.watch(conn_.backend_pid());
        result_.file = o.file_label.empty() ? o.file : o.file_label;
        result_.sheet = sheet.name;
        result_.mode = mode_name(o.mode);
        result_.method = method_name(o.method);
    }

    LoadResult run() {
        require_extension();
        settle_prepared_loads(conn_);
        target_ = resolve_target(conn_, table_);
        result_.target = target_.name;
        result_.citus = target_.citus;
        result_.distribution_column = target_.distribution_column;
        check_schema_allowed();
        check_citus_upsert_key();
        if (!target_.exists && !o_.create)
            throw std::invalid_argument(
                fmt::format("table {} does not exist; add --create to create it from the sheet "
                            "(xlsx2pg schema shows the CREATE TABLE)",
                            target_.name));
        SheetRows rows(workbook_, sheet_, o_.rows);
        // A new table's types in staging mode come from the cells as they are staged (one
        // pass); without a header the staging table's width needs the types pass first.
        types_while_staging_ =
            o_.mode == Mode::Staging && !target_.exists && !o_.all_text && !rows.header().empty();
        header_ = rows.header();
        plan_ = plan_columns(o_, target_, header_, [&] {
            return types_while_staging_ ? std::vector<std::string>{} : infer_types();
        });
        if (o_.mode == Mode::Staging)
            load_staging(rows);
        else
            load_direct(rows);
        result_.bytes_read = rows.xml_bytes_read();
        result_.seconds = ledger_seconds(result_.run_id);
        return result_;
    }

private:
    // The ledger and the merge live in pg_xlsx; say so plainly when it is missing or old.
    void require_extension() {
        auto version =
            conn_.scalar("SELECT extversion FROM pg_extension WHERE extname = 'pg_xlsx'");
        if (!version || *version == "1.0" || *version == "1.1" || *version == "1.2")
            throw std::runtime_error(fmt::format(
                "xlsx2pg needs the pg_xlsx extension, version 1.3, in database {} ({}): as a "
                "superuser run {} there, and GRANT xlsx_loader TO the loading role",
                PQdb(conn_.raw()), version ? "it has " + *version : "it is not installed",
                version ? "ALTER EXTENSION pg_xlsx UPDATE" : "CREATE EXTENSION pg_xlsx"));
    }

    void check_schema_allowed() const {
        std::string schema = pg::parse_qualified_name(target_.name).value().front();
        if (schema == "xlsx" || schema == "xlsx_staging")
            throw LoadError("forbidden_target",
                            fmt::format("table {} is in the pg_xlsx extension's own schema {}, "
                                        "which is never a target",
                                        target_.name, schema));
        const auto& allowed = o_.allowed_schemas;
        if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), schema) == allowed.end())
            throw LoadError("forbidden_target",
                            fmt::format("table {} is in schema {}; this service may write into {}",
                                        target_.name, schema, fmt::join(allowed, ", ")));
    }

    // Citus finds the row an upsert updates on one shard only: by its distribution column.
    void check_citus_upsert_key() const {
        const auto& keys = o_.upsert_keys;
        const std::string& column = target_.distribution_column;
        if (keys.empty() || target_.citus != "distributed" ||
            std::find(keys.begin(), keys.end(), column) != keys.end())
            return;
        throw std::invalid_argument(fmt::format(
            "--upsert {0} cannot work on {1}: Citus distributes it by {2}, and an upsert key must "
            "include the distribution column (such as --upsert {2},{0}, a unique key of {1})",
            fmt::join(keys, ","), target_.name, column));
    }

    // A resumed run whose every row is staged already (it stopped in the merge) goes
    // straight to the merge, without reading the sheet again.
    bool all_staged(int64_t run) {
        if (!result_.resumed) return false;
        return conn_.scalar(
                   "SELECT r.rows_read > 0 AND r.rows_read = (SELECT coalesce(sum(c.rows), 0) "
                   "FROM xlsx.import_chunks c WHERE c.run_id = r.run_id) "
                   "FROM xlsx.import_runs r WHERE r.run_id = $1",
                   {std::to_string(run)}) == "t";
    }

    // The new table's types from the evidence each staged chunk left in the ledger (those of
    // an earlier attempt of a resumed run too); a chunk without it (a run an older xlsx2pg
    // began) sends the load back to a pass over the sheet.
    void plan_types_from_ledger(int64_t run) {
        std::string id = std::to_string(run);
        std::vector<std::string> types;
        if (conn_.scalar("SELECT count(*) FROM xlsx.import_chunks WHERE run_id = $1 AND "
                         "type_evidence IS NULL",
                         {id}) != "0") {
            types = infer_types();
        } else {
            // Each column's evidence over all chunks: the bits of every chunk's, OR-ed.
            pg::Result r = conn_.exec(
                "SELECT u.column_number - 1, bit_or(u.evidence) FROM xlsx.import_chunks c, "
                "unnest(c.type_evidence) WITH ORDINALITY AS u(evidence, column_number) "
                "WHERE c.run_id = $1 GROUP BY 1",
                {id});
            xlsx::TypeInference inference(plan_.width() + 1);
            for (int i = 0; i < PQntuples(r.get()); ++i) {
                size_t column = std::stoul(PQgetvalue(r.get(), i, 0));
                if (column >= 1 && column <= plan_.width())
                    inference.merge(column,
                                    static_cast<uint32_t>(std::stoul(PQgetvalue(r.get(), i, 1))));
            }
            types.assign(plan_.width() + 1, "");
            for (size_t column = 1; column <= plan_.width(); ++column)
                types[column] = inference.type_of(column);
        }
        plan_ = plan_columns(o_, target_, header_, [&] { return types; });
    }

    // A second pass over the sheet, for --create: the types every value fits.
    std::vector<std::string> infer_types() {
        SheetRows again(workbook_, sheet_, o_.rows);
        return infer_column_types(again);
    }

    // Staging: chunks committed one by one with their ledger rows, then one merge.
    void load_staging(SheetRows& rows) {
        std::string checksum = file_checksum(o_.file);
        int64_t run = find_run(checksum);
        std::string staging = conn_
                                  .scalar("SELECT xlsx_internal.create_staging($1, $2::text[])",
                                          {std::to_string(run), pg::array_literal(plan_.names)})
                                  .value();
        if (o_.colocate_staging && target_.citus == "distributed")
            result_.colocated_staging =
                conn_.scalar("SELECT xlsx_internal.colocate_staging($1)", {std::to_string(run)})
                    .has_value();
        WriteTarget target{staging, plan_.names, plan_.types, true};

        std::set<uint64_t> committed = committed_chunks(run);
        Chunker chunker(
            rows, plan_, o_.chunk_rows, [&](uint64_t n) { return committed.count(n) > 0; },
            types_while_staging_);
        size_t n = std::max(1u, o_.connections);
        auto conns = open_connections(o_, n, lock_watch_);
        std::vector<ChunkWriter> writers;
        for (auto& c : conns)
            writers.emplace_back(*c, target, o_.method, o_.batch_size);
        try {
            if (!all_staged(run))
                run_pipeline(chunker, rows, n, progress_, [&](size_t i, const Chunk& chunk) {
                    pg::Connection& c = *conns[i];
                    std::vector<Reject> rejects = chunk.rejects;
                    c.exec("BEGIN");
                    uint64_t written = writers[i].write(chunk, rejects);
                    record_rejects(c, run, rejects);
                    c.exec("SELECT xlsx_internal.record_chunk($1, $2, $3, $4, $5, $6::integer[])",
                           {std::to_string(run), std::to_string(chunk.number),
                            std::to_string(chunk.first_row), std::to_string(chunk.last_row),
                            std::to_string(written + rejects.size()),
                            chunk.type_evidence.empty()
                                ? std::nullopt
                                : std::optional(
                                      fmt::format("{{{}}}", fmt::join(chunk.type_evidence, ",")))});
                    c.exec("COMMIT");
                    progress_.rows += written;
                    progress_.bytes += chunk.bytes();
                    budget_.add(rejects);
                });
            throw_if_interrupted();
            if (deferred_)
                prepare_merge(run);  // the JointCommit merges it with the others
            else
                merge(run);
        } catch (const std::exception& e) {
            if (interrupted()) {
                mark_interrupted(run);
                throw LoadError(
                    "interrupted",
                    fmt::format("interrupted by SIG{}: the target is unchanged; run {} "
                                "keeps its {}: run the same command again (or add "
                                "--resume {}) to go on from there.",
                                sigabbrev_np(interrupted()), run, committed_summary(run), run));
            }
            std::string why = e.what() + explanation_of(e);
            fail_run(run, why);
            throw LoadError(kind_of(e), fmt::format("{}\nThe target is unchanged; run {} keeps "
                                                    "its committed chunks: run the same command "
                                                    "again to resume it.",
                                                    why, run));
        }
    }

    int64_t find_run(const std::string& checksum) {
        std::optional<std::string> run;
        if (o_.resume_run) {
            run = conn_.scalar(
                "SELECT run_id FROM xlsx.import_runs WHERE run_id = $1 AND mode = 'staging' "
                "AND state = ANY (xlsx_internal.unfinished_states())",
                {std::to_string(*o_.resume_run)});
            if (!run)
                throw std::runtime_error(fmt::format(
                    "run {} cannot be resumed: it does not exist, is not yours, is not a staging "
                    "run or is finished (see xlsx.import_runs)",
                    *o_.resume_run));
        } else if (!o_.new_run) {
            run = conn_.scalar("SELECT xlsx_internal.resumable_run($1, $2, $3)",
                               {checksum, sheet_.name, target_.name});
        }
        if (run && !claim_run(std::stoll(*run))) {
            if (o_.resume_run)
                throw std::runtime_error(
                    fmt::format("run {} is being loaded by another xlsx2pg right now", *run));
            run.reset();  // another loader is on it: this one starts its own
        }
        if (run) {
            result_.resumed = true;
            result_.run_id = progress_.run_id = std::stoll(*run);
            return result_.run_id;
        }
        result_.run_id = open_claimed_run(
            "xlsx_internal.open_run($1, $2, $3, $4, $5, $6, $7, $8)",
            {result_.file, sheet_.name, target_.name, mode_name(o_.mode),
             std::to_string(o_.connections), std::to_string(workbook_.package().file_size()),
             checksum, XLSX2PG_VERSION});
        start_run_clock(result_.run_id);
        progress_.run_id = result_.run_id;
        return result_.run_id;
    }

    // One clock for the summary, --json and xlsx.stats: the run starts when this command
    // started on the sheet (a --create type pass included), not when its ledger row was written.
    void start_run_clock(int64_t run) {
        double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
        conn_.exec(
            "UPDATE xlsx.import_runs SET started_at = clock_timestamp() - make_interval(secs => "
            "$2) "
            "WHERE run_id = $1",
            {std::to_string(run), fmt::format("{:.6f}", elapsed)});
    }

    // The run's time as the ledger has it, once it is finished; a resumed run counts from its
    // first attempt, as xlsx.stats does.
    double ledger_seconds(int64_t run) {
        return std::stod(conn_
                             .scalar("SELECT extract(epoch FROM finished_at - started_at) FROM "
                                     "xlsx.import_runs WHERE run_id = $1",
                                     {std::to_string(run)})
                             .value_or("0"));
    }

    // Opens a run (`open_call` is an xlsx_internal.open_run call) holding its lock: claimed in the
    // statement that inserts it, the run is never seen unclaimed (as abandoned, or free to
    // resume by another loader).
    int64_t open_claimed_run(const std::string& open_call, const Params& params) {
        return std::stoll(conn_
                              .scalar(fmt::format("SELECT o.run FROM (SELECT {} AS run) o, "
                                                  "LATERAL pg_advisory_lock({}, o.run::integer)",
                                                  open_call, kRunLockClass),
                                      params)
                              .value());
    }

    // A session advisory lock marks the run as taken for as long as this loader lives, so that
    // a second loader of the same file does not resume it at the same time; a killed loader's
    // session ends, and with it the lock.
    bool claim_run(int64_t run) {
        return conn_.scalar("SELECT pg_try_advisory_lock($1, $2)",
                            {std::to_string(kRunLockClass), std::to_string(run)}) == "t";
    }

    // Committed chunks of a resumed run; they must be the chunks this --chunk-rows makes.
    std::set<uint64_t> committed_chunks(int64_t run) {
        if (result_.resumed) {
            auto forgotten =
                conn_.scalar("SELECT xlsx_internal.verify_chunks($1)", {std::to_string(run)});
            if (forgotten && *forgotten != "0")
                warn(
                    fmt::format("run {}: {} committed chunks were lost by a server crash "
                                "(UNLOGGED staging); loading them again",
                                run, *forgotten));
        }
        pg::Result r = conn_.exec(
            "SELECT chunk_no, first_row, last_row FROM xlsx.import_chunks WHERE run_id = $1",
            {std::to_string(run)});
        std::set<uint64_t> chunks;
        for (int i = 0; i < PQntuples(r.get()); ++i) {
            uint64_t number = std::stoull(PQgetvalue(r.get(), i, 0));
            uint64_t first = std::stoull(PQgetvalue(r.get(), i, 1));
            uint64_t last = std::stoull(PQgetvalue(r.get(), i, 2));
            if (first != number * o_.chunk_rows + 1 || last != (number + 1) * o_.chunk_rows)
                throw std::runtime_error(fmt::format(
                    "run {} was loaded in chunks of {} rows; resume it with --chunk-rows {}", run,
                    last - first + 1, last - first + 1));
            chunks.insert(number);
        }
        return chunks;
    }

    // Staging's end: one transaction merges the staged rows into the target.
    void merge(int64_t run) {
        prepare_merge(run);
        conn_.exec("BEGIN");
        try {
            merge_rows(conn_);
            conn_.exec("COMMIT");
        } catch (...) {
            conn_.exec("ROLLBACK");
            throw;
        }
    }

    // Before the merge: the staged counts into the ledger, and the reject limit checked.
    void prepare_merge(int64_t run) {
        progress_.merging = true;
        auto totals = conn_.exec(
            "SELECT coalesce(sum(rows), 0), (SELECT count(DISTINCT sheet_row) FROM xlsx.rejects "
            "WHERE run_id = $1) FROM xlsx.import_chunks WHERE run_id = $1",
            {std::to_string(run)});
        uint64_t rows_read = std::stoull(PQgetvalue(totals.get(), 0, 0));
        uint64_t staged_rejects = std::stoull(PQgetvalue(totals.get(), 0, 1));
        conn_.exec("SELECT xlsx_internal.finish_run($1, 'staged', $2, 0, $3, $4)",
                   {std::to_string(run), std::to_string(rows_read), std::to_string(staged_rejects),
                    std::to_string(progress_.bytes.load())});
        merge_limit_ = reject_limit(o_, rows_read);
        if (merge_limit_ && staged_rejects > *merge_limit_) budget_.throw_too_many(*merge_limit_);
        staged_rejects_ = staged_rejects;
    }

    // The merge itself, in the transaction open on `c` (this load's or a JointCommit's).
    void merge_rows(pg::Connection& c) {
        std::string run = std::to_string(result_.run_id);
        const char* merge_mode = !o_.upsert_keys.empty() ? "upsert"
                                 : o_.truncate           ? "replace"
                                                         : "insert";
        // An earlier file of a JointCommit may have created the table in this transaction.
        if (!target_.exists && c.scalar("SELECT to_regclass($1) IS NULL", {target_.name}) == "t") {
            if (types_while_staging_) plan_types_from_ledger(result_.run_id);
            c.exec(create_table_sql(target_.name, plan_));
            result_.created = true;
        }
        pg::Result merged = c.exec(
            "SELECT inserted, updated, rejected FROM xlsx.merge_run($1, $2::regclass, $3, "
            "$4::text[], NULL, $5, $6)",
            {run, target_.name, merge_mode,
             o_.upsert_keys.empty() ? std::nullopt
                                    : std::optional(pg::array_literal(o_.upsert_keys)),
             merge_limit_ ? std::optional(std::to_string(*merge_limit_ - staged_rejects_))
                          : std::nullopt,
             o_.keep_staging ? "false" : "true"});
        result_.rows_inserted = std::stoull(PQgetvalue(merged.get(), 0, 0));
        result_.rows_updated = std::stoull(PQgetvalue(merged.get(), 0, 1));
        pg::Result r = c.exec(
            "SELECT rows_read, rows_loaded, rows_rejected FROM xlsx.import_runs WHERE run_id = $1",
            {run});
        result_.rows_read = std::stoull(PQgetvalue(r.get(), 0, 0));
        result_.rows_loaded = std::stoull(PQgetvalue(r.get(), 0, 1));
        result_.rows_rejected = std::stoull(PQgetvalue(r.get(), 0, 2));
        result_.first_rejects = first_rejects_of_run(c, result_.run_id);
        result_.connections = static_cast<unsigned>(std::max(1u, o_.connections));
    }

    // Direct: typed COPY into the target over N connections, each one transaction, made one
    // with two-phase commit; the run is marked merged before the prepared transactions commit,
    // which is the decision a restarted loader follows (settle_prepared_loads).
    void load_direct(SheetRows& rows) {
        size_t n = std::max(1u, o_.connections);
        // One COPY on a Citus coordinator is one distributed transaction that Citus commits on
        // every shard at once; Citus refuses the two-phase commit that joins several.
        if (!target_.citus.empty()) n = 1;
        if (deferred_ && !target_.citus.empty())
            throw LoadError("invalid_input",
                            fmt::format("direct mode commits several files together with "
                                        "two-phase commit, which Citus refuses ({} is a Citus "
                                        "table): load them in staging mode with --atomic",
                                        target_.name));
        if (n > 1 && o_.truncate) {
            warn("--truncate in direct mode locks the table: loading over one connection");
            n = 1;
        }
        if (n > 1 || deferred_) {
            int prepared = std::stoi(
                conn_.scalar("SELECT current_setting('max_prepared_transactions')").value());
            if (deferred_ && prepared < static_cast<int>(n))
                throw LoadError(
                    "invalid_input",
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
        result_.connections = static_cast<unsigned>(n);
        // Claimed, so that another loader's settle_prepared_loads leaves ours alone.
        result_.run_id =
            open_claimed_run("xlsx_internal.open_run($1, $2, $3, 'direct', $4, $5, NULL, $6)",
                             {result_.file, sheet_.name, target_.name, std::to_string(n),
                              std::to_string(workbook_.package().file_size()), XLSX2PG_VERSION});
        int64_t run = progress_.run_id = result_.run_id;
        start_run_clock(run);
        bool created = false;
        auto conns = open_connections(o_, n, lock_watch_);
        try {
            if (!target_.exists) {
                conn_.exec(create_table_sql(target_.name, plan_));
                created = result_.created = true;
            }
            WriteTarget target{target_.name, plan_.names, plan_.types, false};
            std::vector<ChunkWriter> writers;
            for (auto& c : conns) {
                c->exec("BEGIN");
                writers.emplace_back(*c, target, o_.method, o_.batch_size);
            }
            if (o_.truncate) conns[0]->exec("TRUNCATE " + target_.name);
            Chunker chunker(rows, plan_, o_.chunk_rows, [](uint64_t) { return false; });
            run_pipeline(chunker, rows, n, progress_, [&](size_t i, const Chunk& chunk) {
                std::vector<Reject> rejects = chunk.rejects;
                uint64_t written = writers[i].write(chunk, rejects);
                record_rejects(*conns[i], run, rejects);
                progress_.rows += written;
                progress_.bytes += chunk.bytes();
                loaded_ += written;
                budget_.add(rejects);
            });
            result_.rows_read = chunker.rows_read();
            result_.rows_rejected = budget_.count();
            result_.rows_loaded = result_.rows_inserted = loaded_;
            std::optional<uint64_t> limit = reject_limit(o_, result_.rows_read);
            if (limit && result_.rows_rejected > *limit) budget_.throw_too_many(*limit);
            throw_if_interrupted();
            commit_direct(conns, run);
        } catch (const std::exception& e) {
            conns.clear();  // closing a connection rolls its transaction back
            rollback_prepared(run);
            std::string why = interrupted() ? "" : e.what() + explanation_of(e);
            if (interrupted())
                mark_interrupted(run);
            else
                fail_run(run, why);
            if (created) conn_.exec("DROP TABLE IF EXISTS " + target_.name);
            if (interrupted())
                throw LoadError("interrupted",
                                fmt::format("interrupted by SIG{}: nothing was loaded (direct mode "
                                            "is all or nothing; run {} is marked interrupted).",
                                            sigabbrev_np(interrupted()), run));
            throw LoadError(kind_of(e), fmt::format("{}\nNothing was loaded (direct mode is "
                                                    "all or nothing; run {} is marked failed).",
                                                    why, run));
        }
        result_.first_rejects = budget_.first();
    }

    void commit_direct(std::vector<std::unique_ptr<pg::Connection>>& conns, int64_t run) {
        Params finish{std::to_string(run), std::to_string(result_.rows_read),
                      std::to_string(result_.rows_loaded), std::to_string(result_.rows_rejected),
                      std::to_string(progress_.bytes.load())};
        const char* finish_sql = "SELECT xlsx_internal.finish_run($1, 'merged', $2, $3, $4, $5)";
        if (deferred_) {  // prepared now; the JointCommit decides for every file at once
            for (size_t i = 0; i < conns.size(); ++i) {
                conns[i]->exec("PREPARE TRANSACTION " + pg::quote_literal(gid(run, i)));
                prepared_.push_back(gid(run, i));
            }
            finish_params_ = finish;
            return;
        }
        if (conns.size() == 1) {
            conns[0]->exec(finish_sql, finish);
            conns[0]->exec("COMMIT");
            return;
        }
        for (size_t i = 0; i < conns.size(); ++i)
            conns[i]->exec("PREPARE TRANSACTION " + pg::quote_literal(gid(run, i)));
        conn_.exec(finish_sql, finish);  // the decision: from here on, the load commits
        for (size_t i = 0; i < conns.size(); ++i)
            conn_.exec("COMMIT PREPARED " + pg::quote_literal(gid(run, i)));
    }

    void rollback_prepared(int64_t run) {
        try {
            pg::Result r = conn_.exec(
                "SELECT gid FROM pg_prepared_xacts WHERE gid LIKE $1 AND database = "
                "current_database()",
                {fmt::format("xlsx2pg_run_{}_%", run)});
            for (int i = 0; i < PQntuples(r.get()); ++i)
                conn_.exec("ROLLBACK PREPARED " + pg::quote_literal(PQgetvalue(r.get(), i, 0)));
        } catch (const pg::PgError&) {
            // The server is gone: settle_prepared_loads() finishes the job next time.
        }
    }

    static std::string gid(int64_t run, size_t connection) {
        return fmt::format("xlsx2pg_run_{}_{}", run, connection);
    }

    // What the server's message leaves out: for a load that gave up waiting on a lock
    // (--lock-timeout), which lock and whose; for a Citus target, the workers the coordinator
    // cannot reach (Citus passes a lost worker's libpq message on without naming the worker).
    std::string explanation_of(const std::exception& e) {
        auto* pg = dynamic_cast<const pg::PgError*>(&e);
        if (!pg) return "";
        std::string wait = lock_watch_.last_wait();
        if (pg->sqlstate() == "55P03" && !wait.empty()) return "\nIt waited for " + wait + ".";
        if (target_.citus.empty()) return "";
        std::string unreachable = unreachable_workers();
        if (unreachable.empty()) return "";
        return "\nCitus workers the coordinator cannot reach: " + unreachable + ".";
    }

    std::string unreachable_workers() {
        try {
            // A failed check raises a WARNING; the answer is the list. A worker that does not
            // answer at all costs at most the connect timeout.
            conn_.exec("BEGIN");
            conn_.exec("SET LOCAL client_min_messages = error");
            conn_.exec("SET LOCAL citus.node_connection_timeout = '5s'");
            auto nodes = conn_.scalar(
                "SELECT string_agg(nodename || ':' || nodeport, ', ' ORDER BY nodeid) "
                "FROM pg_dist_node WHERE isactive AND noderole = 'primary' AND groupid <> 0 "
                "AND NOT citus_check_connection_to_node(nodename, nodeport)");
            conn_.exec("COMMIT");
            return nodes.value_or("");
        } catch (const pg::PgError&) {
            try {
                conn_.exec("ROLLBACK");
            } catch (const pg::PgError&) {
                // The coordinator itself is gone.
            }
            return "";
        }
    }

    // The ledger's word for a run stopped by a signal: unfinished, resumable.
    void mark_interrupted(int64_t run) {
        try {
            conn_.exec("SELECT xlsx_internal.interrupt_run($1, $2)",
                       {std::to_string(run),
                        fmt::format("interrupted by SIG{}", sigabbrev_np(interrupted()))});
        } catch (const pg::PgError&) {
            // The cancel reached this connection mid-statement, or the server went away.
        }
    }

    std::string committed_summary(int64_t run) {
        try {
            pg::Result r = conn_.exec(
                "SELECT count(*), coalesce(sum(rows), 0) FROM xlsx.import_chunks WHERE run_id = $1",
                {std::to_string(run)});
            return fmt::format("{} committed chunks ({} sheet rows)", PQgetvalue(r.get(), 0, 0),
                               PQgetvalue(r.get(), 0, 1));
        } catch (const pg::PgError&) {
            return "committed chunks";
        }
    }

    void fail_run(int64_t run, const std::string& message) {
        try {
            conn_.exec("SELECT xlsx_internal.fail_run($1, $2)", {std::to_string(run), message});
        } catch (const pg::PgError&) {
            // The server went away; the run stays 'running' and can still be resumed.
        }
    }

    void warn(const std::string& message) {
        std::fprintf(stderr, "xlsx2pg: warning: %s\n", message.c_str());
    }

    // A copy: a JointCommit keeps the load after the caller's options are gone.
    const LoadOptions o_;
    const xlsx::Workbook& workbook_;
    const xlsx::SheetInfo& sheet_;
    std::string table_;
    Progress& progress_;
    Clock::time_point started_;
    pg::Connection conn_;
    LockWatch lock_watch_;
    RejectBudget budget_;
    TargetTable target_;
    ColumnPlan plan_;
    std::vector<std::string> header_;
    bool types_while_staging_ = false;
    std::atomic<uint64_t> loaded_{0};
    LoadResult result_;
    // Staging's merge, prepared: the reject limit left for it.
    std::optional<uint64_t> merge_limit_;
    uint64_t staged_rejects_ = 0;
    // Set by a JointCommit: the load stops short of its commit, which the JointCommit makes.
    bool deferred_ = false;
    std::vector<std::string> prepared_;  // direct: the prepared transactions
    Params finish_params_;               // direct: xlsx_internal.finish_run's, for the decision

public:
    // What a JointCommit does with the loads it holds (see loader.hpp).
    void defer_commit() { deferred_ = true; }
    const LoadResult& result() const { return result_; }
    // In the JointCommit's transaction on `c`: staging merges, direct records the decision.
    void commit_in(pg::Connection& c) {
        if (o_.mode == Mode::Staging)
            merge_rows(c);
        else
            c.exec("SELECT xlsx_internal.finish_run($1, 'merged', $2, $3, $4, $5)", finish_params_);
    }
    // After the decision committed: direct's prepared transactions follow it.
    void commit_prepared(pg::Connection& c) {
        for (const std::string& g : prepared_)
            c.exec("COMMIT PREPARED " + pg::quote_literal(g));
        prepared_.clear();
        result_.seconds = ledger_seconds(result_.run_id);
    }
    // Another file failed: nothing of this one becomes visible; a staged run stays resumable.
    void undo(const std::string& why) {
        if (o_.mode == Mode::Direct) {
            rollback_prepared(result_.run_id);
            if (result_.created) conn_.exec("DROP TABLE IF EXISTS " + target_.name);
        }
        fail_run(result_.run_id, why);
    }
};

}  // namespace

int settle_prepared_loads(pg::Connection& conn) {
    pg::Result r = conn.exec(
        "SELECT p.gid, coalesce(r.state = 'merged', false) FROM pg_prepared_xacts p "
        "LEFT JOIN xlsx.import_runs r ON r.run_id = "
        "  substring(p.gid FROM '^xlsx2pg_run_([0-9]+)_[0-9]+$')::bigint "
        "WHERE p.gid ~ '^xlsx2pg_run_[0-9]+_[0-9]+$' AND p.database = current_database() "
        "  AND p.owner = current_user");
    int settled = 0;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        std::string gid = PQgetvalue(r.get(), i, 0);
        bool commit = PQgetvalue(r.get(), i, 1)[0] == 't';
        // A live loader holds its run's lock while it prepares and commits: leave it alone.
        std::string run = gid.substr(12, gid.rfind('_') - 12);
        if (conn.scalar("SELECT pg_try_advisory_lock($1, $2)",
                        {std::to_string(kRunLockClass), run}) != "t")
            continue;
        conn.exec((commit ? "COMMIT PREPARED " : "ROLLBACK PREPARED ") + pg::quote_literal(gid));
        conn.exec("SELECT pg_advisory_unlock($1, $2)", {std::to_string(kRunLockClass), run});
        std::fprintf(stderr, "xlsx2pg: %s %s, left prepared by an interrupted direct load\n",
                     commit ? "committed" : "rolled back", gid.c_str());
        ++settled;
    }
    return settled;
}

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
        load->commit_prepared(c);
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

std::string schema_of_sheet(const LoadOptions& options, const xlsx::Workbook& workbook,
                            const xlsx::SheetInfo& sheet, const std::string& table) {
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
