// What a server's error leaves out, said after it: for a load that gave up waiting on a lock
// (--lock-timeout), which lock and whose; for a Citus target, the workers the coordinator
// cannot reach (Citus passes a lost worker's libpq message on without naming the worker).
#pragma once

#include <exception>
#include <string>

#include "column_plan.hpp"
#include "lock_watch.hpp"
#include "pg/connection.hpp"

namespace load {

// "" or lines to append to the error's message ("\nIt waited for ...").
std::string explanation_of(const std::exception& e, const LockWatch& lock_watch,
                           const TargetTable& target, pg::Connection& conn);

// "host:port, ..." of the active Citus workers the coordinator cannot reach, or "".
std::string unreachable_citus_workers(pg::Connection& conn);

}  // namespace load
