#include "lock_watch.hpp"

#include <chrono>
#include <cstdio>

namespace load {

LockWatch::LockWatch(const pg::ConnectOptions& connect, Progress& progress, bool announce)
    : progress_(progress), announce_(announce), thread_([this, connect] { run(connect); }) {}

LockWatch::~LockWatch() {
    stop_ = true;
    thread_.join();
    progress_.set_waiting("");
}

void LockWatch::watch(int backend_pid) {
    std::lock_guard lock(mutex_);
    pids_.push_back(backend_pid);
}

std::string LockWatch::last_wait() const {
    std::lock_guard lock(mutex_);
    return last_wait_;
}

void LockWatch::run(const pg::ConnectOptions& connect) {
    std::unique_ptr<pg::Connection> conn;
    try {
        conn = std::make_unique<pg::Connection>(connect);
    } catch (const pg::PgError&) {
        return;  // only the explanation is lost; the load goes on
    }
    std::string announced;
    while (!stop_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        std::string pids;
        {
            std::lock_guard lock(mutex_);
            for (int pid : pids_)
                pids += (pids.empty() ? "{" : ",") + std::to_string(pid);
        }
        if (pids.empty()) continue;
        std::optional<std::string> wait;
        try {
            wait = conn->scalar(
                "SELECT format('%s on %s, held by backend %s (%s)', l.mode, "
                "  coalesce(l.relation::regclass::text, l.locktype), b.pid, "
                "  concat_ws(', ', 'user ' || b.usename, nullif(b.application_name, ''), "
                "            'since ' || to_char(b.xact_start, 'HH24:MI:SS'), left(b.query, 60))) "
                "FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted "
                "LEFT JOIN pg_stat_activity b ON b.pid = (pg_blocking_pids(a.pid))[1] "
                "WHERE a.pid = ANY ($1::int[]) AND a.wait_event_type = 'Lock' LIMIT 1",
                {pids + "}"});
        } catch (const pg::PgError&) {
            return;
        }
        progress_.set_waiting(wait.value_or(""));
        if (!wait) continue;
        {
            std::lock_guard lock(mutex_);
            last_wait_ = *wait;
        }
        if (announce_ && *wait != announced) {
            std::fprintf(stderr, "\nxlsx2pg: waiting for %s\n", wait->c_str());
            announced = *wait;
        }
    }
}

}  // namespace load
