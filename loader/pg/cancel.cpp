#include "cancel.hpp"

#include <algorithm>
#include <mutex>
#include <vector>

namespace pg {
namespace {

std::mutex registry_mutex;
std::vector<PGcancel*>& registry() {
    static std::vector<PGcancel*> cancels;
    return cancels;
}

}  // namespace

void register_cancel(PGcancel* cancel) {
    if (!cancel) return;
    std::lock_guard lock(registry_mutex);
    registry().push_back(cancel);
}

void unregister_cancel(PGcancel* cancel) {
    std::lock_guard lock(registry_mutex);
    auto& all = registry();
    all.erase(std::remove(all.begin(), all.end(), cancel), all.end());
}

void cancel_all_statements() {
    std::lock_guard lock(registry_mutex);
    char error[256];
    for (PGcancel* cancel : registry())
        PQcancel(cancel, error, sizeof error);
}

}  // namespace pg
