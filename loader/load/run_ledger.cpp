#include "run_ledger.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>

namespace load::ledger {

namespace {

// Session advisory locks (class, run id) mark a run as taken by a live loader.
constexpr int32_t kRunLockClass = 0x786c7378;  // "xlsx"
// A prepared transaction's name: the prefix, the run, the connection (xlsx2pg_run_42_0).
constexpr const char* kPreparedPrefix = "xlsx2pg_run_";
constexpr const char* kPreparedPattern = "^xlsx2pg_run_([0-9]+)_[0-9]+$";

std::string id(int64_t run) {
    return std::to_string(run);
}

}  // namespace

std::optional<std::string> extension_version(pg::Connection& conn) {
    return conn.scalar("SELECT extversion FROM pg_extension WHERE extname = 'pg_xlsx'");
}

void require_extension(pg::Connection& conn) {
    std::optional<std::string> version = extension_version(conn);
    if (!version || *version == "1.0" || *version == "1.1" || *version == "1.2")
        throw std::runtime_error(fmt::format(
            "xlsx2pg needs the pg_xlsx extension, version 1.3, in database {} ({}): as a "
            "superuser run {} there, and GRANT xlsx_loader TO the loading role",
            conn.database(), version ? "it has " + *version : "it is not installed",
            version ? "ALTER EXTENSION pg_xlsx UPDATE" : "CREATE EXTENSION pg_xlsx"));
}

int64_t open_claimed_run(pg::Connection& conn, const NewRun& run) {
    return std::stoll(
        conn.scalar(fmt::format("SELECT o.run FROM (SELECT xlsx_internal.open_run($1, $2, $3, $4, "
                                "$5, $6, $7, $8) AS run) o, "
                                "LATERAL pg_advisory_lock({}, o.run::integer)",
                                kRunLockClass),
                    {run.file, run.sheet, run.target, run.mode, std::to_string(run.connections),
                     std::to_string(run.file_size), run.file_checksum, run.loader_version})
            .value());
}

bool claim_run(pg::Connection& conn, int64_t run) {
    return conn.scalar("SELECT pg_try_advisory_lock($1, $2)",
                       {std::to_string(kRunLockClass), id(run)}) == "t";
}

std::optional<int64_t> unfinished_staging_run(pg::Connection& conn, int64_t run) {
    auto found = conn.scalar(
        "SELECT run_id FROM xlsx.import_runs WHERE run_id = $1 AND mode = 'staging' "
        "AND state = ANY (xlsx_internal.unfinished_states())",
        {id(run)});
    if (!found) return std::nullopt;
    return std::stoll(*found);
}

std::optional<int64_t> resumable_run(pg::Connection& conn, const std::string& file_checksum,
                                     const std::string& sheet, const std::string& target) {
    auto found = conn.scalar("SELECT xlsx_internal.resumable_run($1, $2, $3)",
                             {file_checksum, sheet, target});
    if (!found) return std::nullopt;
    return std::stoll(*found);
}

void start_clock(pg::Connection& conn, int64_t run, double seconds_ago) {
    conn.exec(
        "UPDATE xlsx.import_runs SET started_at = clock_timestamp() - make_interval(secs => $2) "
        "WHERE run_id = $1",
        {id(run), fmt::format("{:.6f}", seconds_ago)});
}

double run_seconds(pg::Connection& conn, int64_t run) {
    return std::stod(conn.scalar("SELECT extract(epoch FROM finished_at - started_at) FROM "
                                 "xlsx.import_runs WHERE run_id = $1",
                                 {id(run)})
                         .value_or("0"));
}

std::string create_staging(pg::Connection& conn, int64_t run,
                           const std::vector<std::string>& columns) {
    return conn
        .scalar("SELECT xlsx_internal.create_staging($1, $2::text[])",
                {id(run), pg::array_literal(columns)})
        .value();
}

bool colocate_staging(pg::Connection& conn, int64_t run) {
    return conn.scalar("SELECT xlsx_internal.colocate_staging($1)", {id(run)}).has_value();
}

uint64_t forget_lost_chunks(pg::Connection& conn, int64_t run) {
    return std::stoull(
        conn.scalar("SELECT xlsx_internal.verify_chunks($1)", {id(run)}).value_or("0"));
}

std::vector<ChunkRecord> committed_chunks(pg::Connection& conn, int64_t run) {
    pg::Result r = conn.exec(
        "SELECT chunk_no, first_row, last_row FROM xlsx.import_chunks WHERE run_id = $1 "
        "ORDER BY chunk_no",
        {id(run)});
    std::vector<ChunkRecord> chunks;
    for (int i = 0; i < r.rows(); ++i)
        chunks.push_back({r.count(i, 0), r.count(i, 1), r.count(i, 2)});
    return chunks;
}

void record_chunk(pg::Connection& conn, int64_t run, const RowChunk& chunk, uint64_t rows) {
    std::optional<std::string> evidence;
    if (!chunk.type_evidence.empty())
        evidence = fmt::format("{{{}}}", fmt::join(chunk.type_evidence, ","));
    conn.exec("SELECT xlsx_internal.record_chunk($1, $2, $3, $4, $5, $6::integer[])",
              {id(run), std::to_string(chunk.number), std::to_string(chunk.first_row),
               std::to_string(chunk.last_row), std::to_string(rows), evidence});
}

void record_rejects(pg::Connection& conn, int64_t run, const std::vector<Reject>& rejects) {
    for (const Reject& r : rejects)
        conn.exec(
            "SELECT xlsx_internal.record_reject($1, $2, $3, $4, $5, $6)",
            {id(run), std::to_string(r.sheet_row), r.column, r.value, r.target_type, r.reason});
}

std::string committed_summary(pg::Connection& conn, int64_t run) {
    try {
        pg::Result r = conn.exec(
            "SELECT count(*), coalesce(sum(rows), 0) FROM xlsx.import_chunks WHERE run_id = $1",
            {id(run)});
        return fmt::format("{} committed chunks ({} sheet rows)", r.text(0, 0), r.text(0, 1));
    } catch (const pg::PgError&) {
        return "committed chunks";
    }
}

bool all_staged(pg::Connection& conn, int64_t run) {
    return conn.scalar(
               "SELECT r.rows_read > 0 AND r.rows_read = (SELECT coalesce(sum(c.rows), 0) "
               "FROM xlsx.import_chunks c WHERE c.run_id = r.run_id) "
               "FROM xlsx.import_runs r WHERE r.run_id = $1",
               {id(run)}) == "t";
}

std::optional<std::vector<uint32_t>> type_evidence(pg::Connection& conn, int64_t run,
                                                   size_t columns) {
    if (conn.scalar("SELECT count(*) FROM xlsx.import_chunks WHERE run_id = $1 AND "
                    "type_evidence IS NULL",
                    {id(run)}) != "0")
        return std::nullopt;
    pg::Result r = conn.exec(
        "SELECT u.column_number - 1, bit_or(u.evidence) FROM xlsx.import_chunks c, "
        "unnest(c.type_evidence) WITH ORDINALITY AS u(evidence, column_number) "
        "WHERE c.run_id = $1 GROUP BY 1",
        {id(run)});
    std::vector<uint32_t> evidence(columns + 1, 0);
    for (int i = 0; i < r.rows(); ++i) {
        uint64_t column = r.count(i, 0);
        if (column >= 1 && column <= columns)
            evidence[column] = static_cast<uint32_t>(r.count(i, 1));
    }
    return evidence;
}

Counts staged_counts(pg::Connection& conn, int64_t run) {
    pg::Result r = conn.exec(
        "SELECT coalesce(sum(rows), 0), (SELECT count(DISTINCT sheet_row) FROM xlsx.rejects "
        "WHERE run_id = $1) FROM xlsx.import_chunks WHERE run_id = $1",
        {id(run)});
    Counts counts;
    counts.rows_read = r.count(0, 0);
    counts.rows_rejected = r.count(0, 1);
    return counts;
}

void finish_run(pg::Connection& conn, int64_t run, const std::string& state, const Counts& c) {
    conn.exec("SELECT xlsx_internal.finish_run($1, $2, $3, $4, $5, $6)",
              {id(run), state, std::to_string(c.rows_read), std::to_string(c.rows_loaded),
               std::to_string(c.rows_rejected), std::to_string(c.bytes)});
}

Counts run_counts(pg::Connection& conn, int64_t run) {
    pg::Result r = conn.exec(
        "SELECT rows_read, rows_loaded, rows_rejected, bytes_read FROM xlsx.import_runs "
        "WHERE run_id = $1",
        {id(run)});
    return {r.count(0, 0), r.count(0, 1), r.count(0, 2), r.count(0, 3)};
}

void mark_interrupted(pg::Connection& conn, int64_t run, const std::string& why) {
    try {
        conn.exec("SELECT xlsx_internal.interrupt_run($1, $2)", {id(run), why});
    } catch (const pg::PgError&) {
        // The cancel reached this connection mid-statement, or the server went away.
    }
}

void mark_failed(pg::Connection& conn, int64_t run, const std::string& why) {
    try {
        conn.exec("SELECT xlsx_internal.fail_run($1, $2)", {id(run), why});
    } catch (const pg::PgError&) {
        // The server went away; the run stays 'running' and can still be resumed.
    }
}

MergeCounts merge_run(pg::Connection& conn, int64_t run, const MergeRequest& m) {
    pg::Result r = conn.exec(
        "SELECT inserted, updated FROM xlsx.merge_run($1, $2::regclass, $3, $4::text[], NULL, "
        "$5, $6)",
        {id(run), m.target, m.mode,
         m.upsert_keys.empty() ? std::nullopt : std::optional(pg::array_literal(m.upsert_keys)),
         m.max_rejects ? std::optional(std::to_string(*m.max_rejects)) : std::nullopt,
         m.drop_staging ? "true" : "false"});
    return {r.count(0, 0), r.count(0, 1)};
}

std::vector<Reject> first_rejects(pg::Connection& conn, int64_t run, int limit) {
    pg::Result r = conn.exec(
        "SELECT coalesce(sheet_row, 0), coalesce(column_name, ''), coalesce(raw_value, ''), "
        "coalesce(target_type, ''), reason FROM xlsx.rejects WHERE run_id = $1 "
        "ORDER BY sheet_row, column_name LIMIT $2",
        {id(run), std::to_string(limit)});
    std::vector<Reject> rejects;
    for (int i = 0; i < r.rows(); ++i)
        rejects.push_back({static_cast<uint32_t>(r.count(i, 0)), r.text(i, 1), r.text(i, 2),
                           r.text(i, 3), r.text(i, 4)});
    return rejects;
}

pg::Result all_rejects(pg::Connection& conn, const std::string& run) {
    return conn.exec(
        "SELECT sheet_row, column_name, raw_value, target_type, reason FROM xlsx.rejects "
        "WHERE run_id = $1::bigint ORDER BY sheet_row, column_name",
        {run});
}

std::optional<std::string> stats_json(pg::Connection& conn, const std::string& run) {
    return conn.scalar("SELECT row_to_json(s)::text FROM xlsx.stats($1::bigint) AS s", {run});
}

std::string prepared_name(int64_t run, size_t connection) {
    return fmt::format("{}{}_{}", kPreparedPrefix, run, connection);
}

void prepare(pg::Connection& conn, const std::string& name) {
    conn.exec("PREPARE TRANSACTION " + pg::quote_literal(name));
}

void commit_prepared(pg::Connection& conn, const std::string& name) {
    conn.exec("COMMIT PREPARED " + pg::quote_literal(name));
}

void rollback_prepared(pg::Connection& conn, int64_t run) {
    try {
        pg::Result r = conn.exec(
            "SELECT gid FROM pg_prepared_xacts WHERE gid LIKE $1 AND database = "
            "current_database()",
            {fmt::format("{}{}\\_%", kPreparedPrefix, run)});
        for (int i = 0; i < r.rows(); ++i)
            conn.exec("ROLLBACK PREPARED " + pg::quote_literal(r.text(i, 0)));
    } catch (const pg::PgError&) {
        // The server is gone: settle_prepared_loads() finishes the job next time.
    }
}

int settle_prepared_loads(pg::Connection& conn) {
    pg::Result r = conn.exec(
        "SELECT p.gid, s.run, coalesce(r.state = 'merged', false) FROM pg_prepared_xacts p "
        "CROSS JOIN LATERAL (SELECT substring(p.gid FROM $1)::bigint AS run) s "
        "LEFT JOIN xlsx.import_runs r ON r.run_id = s.run "
        "WHERE p.gid ~ $1 AND p.database = current_database() AND p.owner = current_user",
        {kPreparedPattern});
    int settled = 0;
    for (int i = 0; i < r.rows(); ++i) {
        std::string gid = r.text(i, 0);
        int64_t run = r.integer(i, 1);
        bool commit = r.boolean(i, 2);
        // A live loader holds its run's claim while it prepares and commits: leave it alone.
        if (!claim_run(conn, run)) continue;
        conn.exec((commit ? "COMMIT PREPARED " : "ROLLBACK PREPARED ") + pg::quote_literal(gid));
        conn.exec("SELECT pg_advisory_unlock($1, $2)", {std::to_string(kRunLockClass), id(run)});
        std::fprintf(stderr, "xlsx2pg: %s %s, left prepared by an interrupted direct load\n",
                     commit ? "committed" : "rolled back", gid.c_str());
        ++settled;
    }
    return settled;
}

}  // namespace load::ledger
