// Test support: connections to the harness's throwaway server (tests/harness/pg_harness.sh),
// found through the env file named by XLSX_TEST_PGENV. Each test suite gets a database of its
// own, dropped at the end.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

namespace testsupport {

struct PgResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

class PgConnection {
public:
    explicit PgConnection(const std::string& conninfo);
    ~PgConnection();
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    PGconn* get() const { return conn_; }
    // Runs SQL and fails the test (throws) unless it succeeds.
    PgResult exec(const std::string& sql);
    // Runs SQL expected to fail; returns the SQLSTATE.
    std::string exec_error(const std::string& sql);
    // The first column of the first row as text.
    std::string scalar(const std::string& sql);

private:
    PGconn* conn_;
};

// The whole error message (with DETAIL and HINT) of SQL expected to fail; "" if it succeeds.
std::string error_message(PgConnection& db, const std::string& sql);

// Conninfo of the harness server (host, port, user) for `database`.
std::string harness_conninfo(const std::string& database = "postgres");
// Puts PGHOST, PGPORT and PGUSER of the harness into this process's environment, for the
// programs the tests start.
void export_harness_env();
// Creates a fresh database with pg_xlsx installed and returns its name.
std::string create_test_database(const std::string& prefix);
void drop_test_database(const std::string& name);

}  // namespace testsupport
