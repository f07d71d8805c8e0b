#include "connection.hpp"

#include "cancel.hpp"

#include <fmt/format.h>

namespace pg {

PgError::PgError(std::string message, std::string sqlstate, std::string detail, std::string hint,
                 std::string context, std::string column)
    : std::runtime_error([&] {
          std::string text = message;
          if (!detail.empty()) text += "\nDETAIL: " + detail;
          if (!hint.empty()) text += "\nHINT: " + hint;
          return text;
      }()),
      primary_(std::move(message)),
      sqlstate_(std::move(sqlstate)),
      detail_(std::move(detail)),
      hint_(std::move(hint)),
      context_(std::move(context)),
      column_(std::move(column)) {}

bool PgError::is_data_error() const {
    return sqlstate_.rfind("22", 0) == 0 || sqlstate_.rfind("23", 0) == 0;
}

bool PgError::is_connection_lost() const {
    return sqlstate_.empty() || sqlstate_.rfind("08", 0) == 0 || sqlstate_ == "57P01" ||
           sqlstate_ == "57P02" || sqlstate_ == "57P03";
}

namespace {

std::string trimmed(const char* text) {
    std::string s = text ? text : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

std::string field(const PGresult* r, int code) {
    const char* value = r ? PQresultErrorField(r, code) : nullptr;
    return value ? value : "";
}

}  // namespace

Connection::Connection(const ConnectOptions& o) {
    // The pairs own their strings until PQconnectdbParams has copied them (found by ASan).
    const std::pair<const char*, std::string> given[] = {{"dbname", o.dbname},
                                                         {"host", o.host},
                                                         {"port", o.port},
                                                         {"user", o.user},
                                                         {"application_name", o.application_name},
                                                         {"client_encoding", "UTF8"}};
    std::vector<const char*> keys, values;
    for (const auto& [key, value] : given) {
        if (value.empty()) continue;
        keys.push_back(key);
        values.push_back(value.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    // expand_dbname = 1: dbname may be a conninfo string or a URI, as in psql -d.
    conn_ = PQconnectdbParams(keys.data(), values.data(), 1);
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string message = trimmed(PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
        throw PgError("cannot connect to PostgreSQL: " + message, "08001");
    }
    if (!o.lock_timeout.empty()) {
        try {
            exec("SELECT set_config('lock_timeout', $1, false)", {o.lock_timeout});
        } catch (...) {
            PQfinish(conn_);  // a throwing constructor runs no destructor
            throw;
        }
    }
    cancel_ = PQgetCancel(conn_);
    register_cancel(cancel_);
}

Connection::~Connection() {
    unregister_cancel(cancel_);
    if (cancel_) PQfreeCancel(cancel_);
    if (conn_) PQfinish(conn_);
}

PgError Connection::error_of(const PGresult* r) const {
    std::string primary = field(r, PG_DIAG_MESSAGE_PRIMARY);
    if (primary.empty()) primary = trimmed(PQerrorMessage(conn_));
    if (primary.empty()) primary = "the server connection was lost";
    return PgError(primary, field(r, PG_DIAG_SQLSTATE), field(r, PG_DIAG_MESSAGE_DETAIL),
                   field(r, PG_DIAG_MESSAGE_HINT), field(r, PG_DIAG_CONTEXT),
                   field(r, PG_DIAG_COLUMN_NAME));
}

Result Connection::exec(const std::string& sql,
                        const std::vector<std::optional<std::string>>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params)
        values.push_back(p ? p->c_str() : nullptr);
    Result r(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), nullptr, nullptr, 0));
    ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw error_of(r.get());
    return r;
}

std::optional<std::string> Connection::scalar(
    const std::string& sql, const std::vector<std::optional<std::string>>& params) {
    Result r = exec(sql, params);
    if (PQntuples(r.get()) == 0 || PQgetisnull(r.get(), 0, 0)) return std::nullopt;
    return std::string(PQgetvalue(r.get(), 0, 0));
}

void Connection::start_copy(const std::string& copy_sql) {
    Result r(PQexec(conn_, copy_sql.c_str()));
    if (!r || PQresultStatus(r.get()) != PGRES_COPY_IN) throw error_of(r.get());
}

void Connection::put_copy(const char* data, size_t size) {
    // A failed put means the connection broke; the server's reason comes with end_copy().
    if (PQputCopyData(conn_, data, static_cast<int>(size)) != 1) end_copy();
}

void Connection::end_copy() {
    if (PQputCopyEnd(conn_, nullptr) != 1) throw error_of(nullptr);
    std::optional<PgError> failure;
    while (PGresult* raw = PQgetResult(conn_)) {
        Result r(raw);
        if (PQresultStatus(raw) != PGRES_COMMAND_OK && !failure) failure = error_of(raw);
    }
    if (failure) throw *failure;
}

Result Connection::describe(const std::string& sql) {
    Result prepared(PQprepare(conn_, "", sql.c_str(), 0, nullptr));
    if (!prepared || PQresultStatus(prepared.get()) != PGRES_COMMAND_OK)
        throw error_of(prepared.get());
    Result described(PQdescribePrepared(conn_, ""));
    if (!described || PQresultStatus(described.get()) != PGRES_COMMAND_OK)
        throw error_of(described.get());
    return described;
}

void Connection::start_copy_out(const std::string& copy_sql) {
    Result r(PQexec(conn_, copy_sql.c_str()));
    if (!r || PQresultStatus(r.get()) != PGRES_COPY_OUT) throw error_of(r.get());
}

int Connection::get_copy_data(char** buffer) {
    int size = PQgetCopyData(conn_, buffer, 0);
    if (size == -2) throw error_of(nullptr);
    return size;
}

void Connection::end_copy_out() {
    std::optional<PgError> failure;
    while (PGresult* raw = PQgetResult(conn_)) {
        Result r(raw);
        if (PQresultStatus(raw) != PGRES_COMMAND_OK && !failure) failure = error_of(raw);
    }
    if (failure) throw *failure;
}

void Connection::abandon_copy_out() noexcept {
    if (cancel_) {
        char message[256];
        PQcancel(cancel_, message, sizeof message);
    }
    char* buffer = nullptr;
    while (PQgetCopyData(conn_, &buffer, 0) >= 0)
        PQfreemem(buffer);
    while (PGresult* raw = PQgetResult(conn_))
        PQclear(raw);
}

std::string quote_ident(const std::string& name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

std::string array_literal(const std::vector<std::string>& items) {
    std::string out = "{";
    for (const std::string& item : items) {
        if (out.size() > 1) out += ',';
        out += '"';
        for (char c : item) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + '}';
}

std::string quote_literal(const std::string& value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'') out += '\'';
        out += c;
    }
    return out + '\'';
}

}  // namespace pg
