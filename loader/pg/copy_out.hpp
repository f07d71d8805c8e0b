// Rows out of the server: a query's columns (described without running it) and its rows as
// COPY (query) TO STDOUT sends them in text format, split into fields with COPY's escapes
// undone. Text COPY is the server's cheapest way out (no per-row protocol message, no
// PGresult per row), and each field arrives as the type's own output, which the report writer
// reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connection.hpp"

namespace pg {

struct QueryColumn {
    std::string name;
    uint32_t type_oid = 0;  // a domain's base type, as the server describes it
    int32_t typmod = -1;
};

// The columns the query returns. One statement only (the server refuses several in a
// prepared statement), and nothing is run.
std::vector<QueryColumn> describe_query(Connection& connection, const std::string& query);

// Streams the query's rows. While it lives the connection is busy with the COPY.
class CopyOutRows {
public:
    CopyOutRows(Connection& connection, const std::string& query, size_t columns);
    ~CopyOutRows();
    CopyOutRows(const CopyOutRows&) = delete;
    CopyOutRows& operator=(const CopyOutRows&) = delete;

    // The next row's fields (nullopt for NULL), valid until the next call; false at the end.
    // Throws PgError for the server's error.
    bool next(std::vector<std::optional<std::string_view>>& fields);
    uint64_t bytes() const { return bytes_; }

private:
    Connection& connection_;
    size_t columns_;
    char* buffer_ = nullptr;  // libpq's, freed with PQfreemem
    std::string decoded_;     // fields that held escapes
    uint64_t bytes_ = 0;
    bool done_ = false;
};

// COPY's text-format escapes undone (\t, \n, \\, \ooo, ...): exposed for tests.
void decode_copy_field(std::string_view field, std::string& out);

}  // namespace pg
