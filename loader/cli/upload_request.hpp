// What an upload to serve brings: the workbook, kept in a temporary file that is removed
// whatever happens to the request, the client's name for it, and the load options of its
// query string.
#pragma once

#include <map>
#include <string>

#include "load/options.hpp"

namespace cli {

class TempUpload {
public:
    explicit TempUpload(const std::string& dir);
    ~TempUpload();
    TempUpload(const TempUpload&) = delete;
    TempUpload& operator=(const TempUpload&) = delete;
    // False when the disk refused the bytes.
    bool write(const char* data, size_t size);
    const std::string& path() const { return path_; }

private:
    std::string path_;
    int fd_ = -1;
};

// The last path component of the client's file name, without control characters: a label
// for the ledger, never a path.
std::string label_of(const std::string& filename);

// The query parameters of /upload into load options; "" or what is wrong with them.
std::string options_from_query(const std::multimap<std::string, std::string>& params,
                               load::LoadOptions& options);

}  // namespace cli
