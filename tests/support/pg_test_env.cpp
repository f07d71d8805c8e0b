#include "pg_test_env.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>

namespace testsupport {

namespace {
std::map<std::string, std::string> read_env() {
    const char* path = std::getenv("XLSX_TEST_PGENV");
    if (!path) throw std::runtime_error("XLSX_TEST_PGENV is not set: run the tests through ctest");
    std::ifstream in(path);
    if (!in) throw std::runtime_error(std::string("cannot read ") + path + " (is the harness up?)");
    std::map<std::string, std::string> env;
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return env;
}
}  // namespace

void export_harness_env() {
    for (const auto& [key, value] : read_env())
        setenv(key.c_str(), value.c_str(), 1);
}

std::string harness_conninfo(const std::string& database) {
    auto env = read_env();
    return "host=" + env["PGHOST"] + " port=" + env["PGPORT"] + " user=" + env["PGUSER"] +
           " dbname=" + database;
}

PgConnection::PgConnection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string message = PQerrorMessage(conn_);
        PQfinish(conn_);
        throw std::runtime_error("cannot connect: " + message);
    }
    exec("SET client_min_messages = warning");
}

PgConnection::~PgConnection() {
    PQfinish(conn_);
}

PgResult PgConnection::exec(const std::string& sql) {
    PgResult r(PQexec(conn_, sql.c_str()));
    auto status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        throw std::runtime_error("SQL failed: " + sql + ": " + PQerrorMessage(conn_));
    return r;
}

std::string PgConnection::exec_error(const std::string& sql) {
    PgResult r(PQexec(conn_, sql.c_str()));
    auto status = PQresultStatus(r.get());
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        throw std::runtime_error("SQL was expected to fail: " + sql);
    const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
    return state ? state : "";
}

std::string error_message(PgConnection& db, const std::string& sql) {
    PgResult r(PQexec(db.get(), sql.c_str()));
    return PQresultErrorMessage(r.get());
}

std::string PgConnection::scalar(const std::string& sql) {
    auto r = exec(sql);
    if (PQntuples(r.get()) < 1 || PQnfields(r.get()) < 1)
        throw std::runtime_error("no value: " + sql);
    return PQgetisnull(r.get(), 0, 0) ? "<null>" : PQgetvalue(r.get(), 0, 0);
}

std::string create_test_database(const std::string& prefix) {
    std::string name = prefix + "_" + std::to_string(getpid());
    PgConnection admin(harness_conninfo());
    admin.exec("DROP DATABASE IF EXISTS " + name);
    // template0 never has sessions, so tests running in parallel can copy it at once.
    admin.exec("CREATE DATABASE " + name + " TEMPLATE template0");
    PgConnection db(harness_conninfo(name));
    db.exec("CREATE EXTENSION pg_xlsx");
    return name;
}

void drop_test_database(const std::string& name) {
    PgConnection admin(harness_conninfo());
    admin.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

}  // namespace testsupport
