#include "upload_watchdog.hpp"

#include <dirent.h>
#include <fmt/format.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>

namespace cli {
namespace {

// The descriptor of this process's socket whose peer is addr:port, or -1.
int socket_of_peer(const std::string& addr, int port) {
    DIR* dir = opendir("/proc/self/fd");
    if (!dir) return -1;
    int found = -1;
    while (dirent* entry = readdir(dir)) {
        int fd = std::atoi(entry->d_name);
        sockaddr_storage peer;
        socklen_t size = sizeof peer;
        if (fd <= 2 || getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &size) != 0) continue;
        char host[NI_MAXHOST], service[NI_MAXSERV];
        if (getnameinfo(reinterpret_cast<sockaddr*>(&peer), size, host, sizeof host, service,
                        sizeof service, NI_NUMERICHOST | NI_NUMERICSERV) == 0 &&
            addr == host && std::atoi(service) == port) {
            found = fd;
            break;
        }
    }
    closedir(dir);
    return found;
}

}  // namespace

UploadWatchdog::UploadWatchdog(double timeout_seconds, uint64_t min_bytes_per_second)
    : timeout_(timeout_seconds), min_rate_(min_bytes_per_second), thread_([this] { run(); }) {}

UploadWatchdog::~UploadWatchdog() {
    stop_ = true;
    thread_.join();
}

std::shared_ptr<UploadWatchdog::Upload> UploadWatchdog::watch(const std::string& remote_addr,
                                                              int remote_port) {
    auto upload = std::make_shared<Upload>();
    upload->socket = socket_of_peer(remote_addr, remote_port);
    std::lock_guard lock(mutex_);
    uploads_.push_back(upload);
    return upload;
}

void UploadWatchdog::done(const std::shared_ptr<Upload>& upload) {
    std::lock_guard lock(mutex_);
    uploads_.erase(std::remove(uploads_.begin(), uploads_.end(), upload), uploads_.end());
}

void UploadWatchdog::run() {
    while (!stop_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        std::lock_guard lock(mutex_);
        for (const auto& upload : uploads_) {
            if (upload->dropped || upload->socket < 0) continue;
            double elapsed = std::chrono::duration<double>(Clock::now() - upload->start).count();
            uint64_t bytes = upload->bytes;
            std::string why;
            if (elapsed > timeout_)
                why = fmt::format(
                    "the upload took longer than the server's --upload-timeout of {} s", timeout_);
            else if (elapsed > kGraceSeconds && bytes < min_rate_ * elapsed)
                why = fmt::format(
                    "the upload arrived at {:.0f} bytes/s, below the server's "
                    "--min-upload-rate of {} bytes/s",
                    bytes / elapsed, min_rate_);
            if (why.empty()) continue;
            upload->why = why;
            upload->dropped = true;
            // The handler's next read ends; its answer can still be written.
            shutdown(upload->socket, SHUT_RD);
        }
    }
}

}  // namespace cli
