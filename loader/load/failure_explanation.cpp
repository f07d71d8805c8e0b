#include "failure_explanation.hpp"

namespace load {

std::string explanation_of(const std::exception& e, const LockWatch& lock_watch,
                           const TargetTable& target, pg::Connection& conn) {
    auto* pg = dynamic_cast<const pg::PgError*>(&e);
    if (!pg) return "";
    std::string wait = lock_watch.last_wait();
    if (pg->sqlstate() == "55P03" && !wait.empty()) return "\nIt waited for " + wait + ".";
    if (target.citus.empty()) return "";
    std::string unreachable = unreachable_citus_workers(conn);
    if (unreachable.empty()) return "";
    return "\nCitus workers the coordinator cannot reach: " + unreachable + ".";
}

std::string unreachable_citus_workers(pg::Connection& conn) {
    try {
        // A failed check raises a WARNING; the answer is the list. A worker that does not
        // answer at all costs at most the connect timeout.
        conn.exec("BEGIN");
        conn.exec("SET LOCAL client_min_messages = error");
        conn.exec("SET LOCAL citus.node_connection_timeout = '5s'");
        auto nodes = conn.scalar(
            "SELECT string_agg(nodename || ':' || nodeport, ', ' ORDER BY nodeid) "
            "FROM pg_dist_node WHERE isactive AND noderole = 'primary' AND groupid <> 0 "
            "AND NOT citus_check_connection_to_node(nodename, nodeport)");
        conn.exec("COMMIT");
        return nodes.value_or("");
    } catch (const pg::PgError&) {
        try {
            conn.exec("ROLLBACK");
        } catch (const pg::PgError&) {
            // The coordinator itself is gone.
        }
        return "";
    }
}

}  // namespace load
