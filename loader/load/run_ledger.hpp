// The run ledger, as the loader writes and reads it: every statement xlsx2pg sends about runs,
// chunks, rejects and the prepared transactions of direct mode, named after what it does.
// The tables and functions are pg_xlsx's (xlsx.import_runs, xlsx.import_chunks, xlsx.rejects,
// xlsx_internal.*); each call takes the connection whose transaction it belongs in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/connection.hpp"
#include "row_chunk.hpp"

namespace load::ledger {

// pg_xlsx's version in the database, or nullopt when it is not installed.
std::optional<std::string> extension_version(pg::Connection& conn);
// Throws a message that says what to run when pg_xlsx is missing or older than 1.3.
void require_extension(pg::Connection& conn);

// A new run, as xlsx_internal.open_run records it.
struct NewRun {
    std::string file;  // the name the ledger shows
    std::string sheet;
    std::string target;  // quoted and qualified
    std::string mode;    // "staging" or "direct"
    unsigned connections = 1;
    uint64_t file_size = 0;
    std::optional<std::string> file_checksum;  // staging: to find the run again on resume
    std::string loader_version;
};

// Opens a run holding its claim: claimed in the statement that inserts it, the run is never
// seen unclaimed (as abandoned, or free to resume by another loader).
int64_t open_claimed_run(pg::Connection& conn, const NewRun& run);
// A session advisory lock marks a run as taken for as long as its loader lives, so that a
// second loader of the same file does not resume it at the same time; a killed loader's
// session ends, and with it the claim. False when another session holds it.
bool claim_run(pg::Connection& conn, int64_t run);

// An unfinished staging run of the caller's with this id (--resume N), if there is one.
std::optional<int64_t> unfinished_staging_run(pg::Connection& conn, int64_t run);
// The latest unfinished staging run of the caller's for the same file contents, sheet and target.
std::optional<int64_t> resumable_run(pg::Connection& conn, const std::string& file_checksum,
                                     const std::string& sheet, const std::string& target);

// The run's start moved back to when the command began on the sheet (a type pass included).
void start_clock(pg::Connection& conn, int64_t run, double seconds_ago);
// From start to finish as the ledger has it (0 while unfinished).
double run_seconds(pg::Connection& conn, int64_t run);

// Staging: the run's staging table (created, or found on resume); its name.
std::string create_staging(pg::Connection& conn, int64_t run,
                           const std::vector<std::string>& columns);
// Citus: stages on the target's shards; false where the staging table stays on the coordinator.
bool colocate_staging(pg::Connection& conn, int64_t run);

struct ChunkRecord {
    uint64_t number = 0;
    uint64_t first_row = 0;
    uint64_t last_row = 0;
};
// Forgets chunks whose staged rows a crash lost (UNLOGGED staging); how many.
uint64_t forget_lost_chunks(pg::Connection& conn, int64_t run);
std::vector<ChunkRecord> committed_chunks(pg::Connection& conn, int64_t run);
// A chunk and the sheet rows it covered (loaded or rejected), in the chunk's transaction.
void record_chunk(pg::Connection& conn, int64_t run, const RowChunk& chunk, uint64_t rows);
void record_rejects(pg::Connection& conn, int64_t run, const std::vector<Reject>& rejects);
// "6 committed chunks (300000 sheet rows)", for the message of an interrupted run.
std::string committed_summary(pg::Connection& conn, int64_t run);
// Every row of a resumed run is staged already (it stopped in the merge).
bool all_staged(pg::Connection& conn, int64_t run);
// Each sheet column's type evidence over the run's chunks (index = column, bits OR-ed), or
// nullopt when a chunk has none (a run an older xlsx2pg began).
std::optional<std::vector<uint32_t>> type_evidence(pg::Connection& conn, int64_t run,
                                                   size_t columns);

struct Counts {
    uint64_t rows_read = 0;
    uint64_t rows_loaded = 0;
    uint64_t rows_rejected = 0;
    uint64_t bytes = 0;  // the ledger's bytes_read: what the load sent
};
// The staged rows and the distinct rejected rows of a staging run, from its chunks.
Counts staged_counts(pg::Connection& conn, int64_t run);
// Marks the run 'staged' or 'merged' with its counts.
void finish_run(pg::Connection& conn, int64_t run, const std::string& state, const Counts& counts);
Counts run_counts(pg::Connection& conn, int64_t run);
// A run stopped by a signal: unfinished, resumable. Never throws (the cancel may have reached
// this connection mid-statement, or the server went away).
void mark_interrupted(pg::Connection& conn, int64_t run, const std::string& why);
// A failed run, with its error; a staging run stays resumable. Never throws.
void mark_failed(pg::Connection& conn, int64_t run, const std::string& why);

struct MergeRequest {
    std::string target;
    std::string mode;  // insert, replace or upsert
    std::vector<std::string> upsert_keys;
    std::optional<uint64_t> max_rejects;  // left for the merge
    bool drop_staging = true;
};
struct MergeCounts {
    uint64_t inserted = 0;
    uint64_t updated = 0;
};
// xlsx.merge_run, in the transaction open on `conn`.
MergeCounts merge_run(pg::Connection& conn, int64_t run, const MergeRequest& merge);
// The first rejects of a run, in sheet-row order.
std::vector<Reject> first_rejects(pg::Connection& conn, int64_t run, int limit = 10);
// Every reject of a run the role may see, NULLs kept: sheet_row, column_name, raw_value,
// target_type, reason. `run` is the text a request gave (a bad number is the server's 22P02).
pg::Result all_rejects(pg::Connection& conn, const std::string& run);
// xlsx.stats of a run as a JSON object; nullopt when it does not exist or is not the role's.
std::optional<std::string> stats_json(pg::Connection& conn, const std::string& run);

// Direct mode's prepared transactions: named after their run, one per connection.
std::string prepared_name(int64_t run, size_t connection);
void prepare(pg::Connection& conn, const std::string& name);
void commit_prepared(pg::Connection& conn, const std::string& name);
// Rolls back what the run left prepared; never throws (settle_prepared_loads finishes later).
void rollback_prepared(pg::Connection& conn, int64_t run);
// Finishes what a killed direct load left prepared: committed when its run was marked merged
// (the decision), rolled back otherwise; a run a live loader holds is left alone. How many.
int settle_prepared_loads(pg::Connection& conn);

}  // namespace load::ledger
