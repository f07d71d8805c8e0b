// Cancelling every statement in flight at once, from any thread: what an interrupted load
// needs (SIGINT or SIGTERM cancels its COPYs and its merge, which then roll back). Each
// Connection registers its libpq cancel handle for as long as it lives.
#pragma once

#include <libpq-fe.h>

namespace pg {

void register_cancel(PGcancel* cancel);
void unregister_cancel(PGcancel* cancel);

// Sends a cancel request for each registered connection (a no-op for idle ones).
void cancel_all_statements();

}  // namespace pg
