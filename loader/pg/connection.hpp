// A libpq connection as the loader uses it: connect as psql would (conninfo or URI, PG*
// variables, .pgpass, sslmode, all through libpq), run parameterized statements, and turn a
// failed statement into a PgError that keeps the server's SQLSTATE, detail, hint and context.
// Nothing here ever formats the connection string, so a password cannot reach a message.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pg {

// Connection parameters as psql takes them; empty fields are left to libpq's defaults.
struct ConnectOptions {
    std::string dbname;  // a database name, a conninfo string or a URI
    std::string host;
    std::string port;
    std::string user;
    std::string application_name = "xlsx2pg";
    std::string lock_timeout;  // e.g. "5s"; empty: wait for locks as long as it takes
};

class PgError : public std::runtime_error {
public:
    PgError(std::string message, std::string sqlstate = {}, std::string detail = {},
            std::string hint = {}, std::string context = {}, std::string column = {});
    const std::string& sqlstate() const { return sqlstate_; }
    const std::string& primary() const { return primary_; }
    const std::string& detail() const { return detail_; }
    const std::string& hint() const { return hint_; }
    const std::string& context() const { return context_; }
    const std::string& column() const { return column_; }
    // Class 22 (data exception) or 23 (integrity constraint violation): the row's fault.
    bool is_data_error() const;
    // The connection itself is gone (class 08, admin shutdown, or no SQLSTATE at all).
    bool is_connection_lost() const;

private:
    std::string primary_, sqlstate_, detail_, hint_, context_, column_;
};

// The rows a statement returned, read as text: the one place that reads a PGresult.
class Result {
public:
    explicit Result(PGresult* result = nullptr) : result_(result) {}
    PGresult* get() const { return result_.get(); }
    explicit operator bool() const { return result_ != nullptr; }

    int rows() const { return PQntuples(get()); }
    bool is_null(int row, int column) const { return PQgetisnull(get(), row, column) != 0; }
    // The field's text ("" for NULL).
    std::string text(int row, int column) const { return PQgetvalue(get(), row, column); }
    int64_t integer(int row, int column) const { return std::stoll(text(row, column)); }
    uint64_t count(int row, int column) const { return std::stoull(text(row, column)); }
    bool boolean(int row, int column) const { return text(row, column) == "t"; }

private:
    struct Clear {
        void operator()(PGresult* r) const { PQclear(r); }
    };
    std::unique_ptr<PGresult, Clear> result_;
};

class Connection {
public:
    explicit Connection(const ConnectOptions& options);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    int backend_pid() const { return PQbackendPID(conn_); }
    std::string database() const { return PQdb(conn_); }

    // Runs a statement with text parameters (nullopt is NULL). Throws PgError on failure.
    Result exec(const std::string& sql, const std::vector<std::optional<std::string>>& params = {});
    // First column of the first row, or nullopt for no row or NULL.
    std::optional<std::string> scalar(const std::string& sql,
                                      const std::vector<std::optional<std::string>>& params = {});

    // COPY ... FROM STDIN: start, send data, end. end_copy() throws the server's error.
    void start_copy(const std::string& copy_sql);
    void put_copy(const char* data, size_t size);
    void end_copy();

    // The columns a statement would return, without running it (the unnamed prepared
    // statement). Throws PgError, also for several statements.
    Result describe(const std::string& sql);

    // COPY ... TO STDOUT: start, then rows until get_copy_data() returns -1, then
    // end_copy_out(), which throws the server's error. abandon_copy_out() cancels one not
    // read to its end.
    void start_copy_out(const std::string& copy_sql);
    int get_copy_data(char** buffer);
    void end_copy_out();
    void abandon_copy_out() noexcept;

    // The error of a failed result (or of the connection when there is none).
    PgError error_of(const PGresult* result) const;

private:
    PGconn* conn_ = nullptr;
    PGcancel* cancel_ = nullptr;  // registered for cancel_all_statements()
};

// "identifier" quoted as PostgreSQL requires, whatever it contains.
std::string quote_ident(const std::string& name);
// A text[] value for a parameter: {"a","b \"c\""}.
std::string array_literal(const std::vector<std::string>& items);
// A string literal, for the rare statement (COPY's options) that takes no parameters.
std::string quote_literal(const std::string& value);

}  // namespace pg
