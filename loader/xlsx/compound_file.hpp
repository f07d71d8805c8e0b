// The OLE2 compound file (MS-CFB) that holds a password-protected workbook: its streams by
// name, read from bytes in memory. Every sector number, chain and size is checked against the
// file before it is followed, so a damaged or hostile file is an error, never a wild read or
// an endless loop.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "error.hpp"

namespace xlsx {

class CompoundFile {
public:
    // Throws Error (NotWorkbook) for bytes that are not a compound file, naming `where`.
    CompoundFile(std::span<const unsigned char> bytes, ErrorLocation where);

    // A stream's bytes, by name (as stored, compared exactly), or nullopt. A stream whose sector
    // chain ends before its stated size gives the bytes it has: its reader checks lengths.
    std::optional<std::string> stream(const std::string& name) const;
    bool has_stream(const std::string& name) const;

private:
    struct Entry {
        std::string name;  // UTF-16 names read as their low bytes (the names used here are ASCII)
        uint8_t type = 0;  // 1 storage, 2 stream, 5 root
        uint32_t start = 0;
        uint64_t size = 0;
    };

    [[noreturn]] void fail(const std::string& what) const;
    std::span<const unsigned char> sector(uint32_t n) const;
    std::span<const unsigned char> whole_sector(uint32_t n) const;
    std::vector<uint32_t> chain(const std::vector<uint32_t>& table, uint32_t start,
                                size_t limit) const;
    std::string read_chain(uint32_t start, uint64_t size) const;
    std::string read_mini_chain(uint32_t start, uint64_t size) const;

    std::span<const unsigned char> bytes_;
    ErrorLocation where_;
    uint32_t sector_size_ = 512;
    uint32_t mini_sector_size_ = 64;
    uint32_t mini_cutoff_ = 4096;
    uint32_t sector_count_ = 0;
    std::vector<uint32_t> fat_;
    std::vector<uint32_t> mini_fat_;
    std::string mini_stream_;
    std::vector<Entry> entries_;
};

}  // namespace xlsx
