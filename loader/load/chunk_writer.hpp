// Writes a chunk's rows into a table over one connection, inside the caller's transaction:
// COPY (text format), or multi-row or single-row INSERTs for servers and proxies without COPY.
// A row the server refuses for its data (class 22 or 23) does not sink the chunk: it becomes a
// reject with the server's own message, and the other rows go in. With COPY the row is found
// from the error's context ("COPY t, line 12, column n: ..."), and each row is sent at most
// twice; with INSERTs the chunk is retried one row at a time.
#pragma once

#include <string>
#include <vector>

#include "options.hpp"
#include "pg/connection.hpp"
#include "row_chunk.hpp"

namespace load {

struct WriteTarget {
    std::string table;                 // quoted and qualified
    std::vector<std::string> columns;  // target column names, unquoted
    std::vector<std::string> types;
    bool sheet_row_column = false;  // staging tables begin with xlsx_sheet_row
};

class ChunkWriter {
public:
    ChunkWriter(pg::Connection& conn, const WriteTarget& target, Method method, size_t batch_size);

    // The rows written; rejects are appended to `rejects`.
    uint64_t write(const RowChunk& chunk, std::vector<Reject>& rejects);

private:
    void send(const RowChunk& chunk, size_t begin, size_t end);
    void copy(const RowChunk& chunk, size_t begin, size_t end);
    void insert(const RowChunk& chunk, size_t begin, size_t end);
    uint64_t write_copy_slowly(const RowChunk& chunk, std::vector<Reject>& rejects);
    uint64_t write_rows_one_by_one(const RowChunk& chunk, std::vector<Reject>& rejects);
    Reject reject_of(const RowChunk& chunk, size_t row, const pg::PgError& error) const;

    pg::Connection& conn_;
    const WriteTarget& target_;
    Method method_;
    size_t batch_rows_;
    std::string column_list_;
    std::string buffer_;
};

}  // namespace load
