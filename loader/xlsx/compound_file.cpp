#include "compound_file.hpp"

#include <cstring>

namespace xlsx {
namespace {

constexpr unsigned char kSignature[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
constexpr uint32_t kEndOfChain = 0xFFFFFFFE;
constexpr uint32_t kFreeSector = 0xFFFFFFFF;
constexpr uint32_t kHeaderDifatEntries = 109;
constexpr size_t kDirectoryEntryBytes = 128;

uint16_t le16(const unsigned char* p) {
    return static_cast<uint16_t>(p[0] | p[1] << 8);
}

uint32_t le32(const unsigned char* p) {
    return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
           static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

uint64_t le64(const unsigned char* p) {
    return le32(p) | static_cast<uint64_t>(le32(p + 4)) << 32;
}

}  // namespace

void CompoundFile::fail(const std::string& what) const {
    throw Error(ErrorKind::NotWorkbook, "the OLE2 container is damaged: " + what, where_);
}

// A sector's bytes; the last may be cut short by the end of the file (some writers do that).
std::span<const unsigned char> CompoundFile::sector(uint32_t n) const {
    if (n >= sector_count_) fail("a sector number points past the end of the file");
    uint64_t at = (static_cast<uint64_t>(n) + 1) * sector_size_;
    return bytes_.subspan(at, std::min<uint64_t>(sector_size_, bytes_.size() - at));
}

// A sector read as a table (FAT, DIFAT, mini FAT), which must be whole.
std::span<const unsigned char> CompoundFile::whole_sector(uint32_t n) const {
    auto s = sector(n);
    if (s.size() < sector_size_) fail("a table sector is cut short by the end of the file");
    return s;
}

// The sectors of a chain in `table` from `start`; at most `limit` of them (a longer chain
// loops or lies about its size).
std::vector<uint32_t> CompoundFile::chain(const std::vector<uint32_t>& table, uint32_t start,
                                          size_t limit) const {
    std::vector<uint32_t> sectors;
    for (uint32_t n = start; n != kEndOfChain; n = table[n]) {
        if (n >= table.size() || n == kFreeSector) fail("a sector chain is broken");
        if (sectors.size() == limit) fail("a sector chain is longer than its stream");
        sectors.push_back(n);
    }
    return sectors;
}

std::string CompoundFile::read_chain(uint32_t start, uint64_t size) const {
    if (size > bytes_.size()) fail("a stream is larger than the file");
    std::string out;
    out.reserve(size);
    for (uint32_t n : chain(fat_, start, (size + sector_size_ - 1) / sector_size_)) {
        auto s = sector(n);
        out.append(reinterpret_cast<const char*>(s.data()),
                   std::min<uint64_t>(s.size(), size - out.size()));
    }
    return out;  // a chain that ends early gives what it holds, as olefile reads it
}

std::string CompoundFile::read_mini_chain(uint32_t start, uint64_t size) const {
    std::string out;
    out.reserve(size);
    for (uint32_t n : chain(mini_fat_, start, (size + mini_sector_size_ - 1) / mini_sector_size_)) {
        uint64_t at = static_cast<uint64_t>(n) * mini_sector_size_;
        if (at + mini_sector_size_ > mini_stream_.size()) fail("a mini sector is out of range");
        out.append(mini_stream_, at, std::min<uint64_t>(mini_sector_size_, size - out.size()));
    }
    return out;
}

CompoundFile::CompoundFile(std::span<const unsigned char> bytes, ErrorLocation where)
    : bytes_(bytes), where_(std::move(where)) {
    if (bytes_.size() < 512 || std::memcmp(bytes_.data(), kSignature, 8) != 0)
        fail("no compound file header");
    const unsigned char* h = bytes_.data();
    uint16_t sector_shift = le16(h + 30), mini_shift = le16(h + 32);
    if (le16(h + 28) != 0xFFFE || (sector_shift != 9 && sector_shift != 12) || mini_shift != 6)
        fail("an unknown byte order or sector size");
    sector_size_ = 1u << sector_shift;
    mini_sector_size_ = 1u << mini_shift;
    mini_cutoff_ = le32(h + 56);
    sector_count_ = static_cast<uint32_t>(
        std::min<uint64_t>((bytes_.size() + sector_size_ - 1) / sector_size_ - 1, kFreeSector - 1));

    // The FAT's own sectors: the header's first 109, then the DIFAT chain.
    uint32_t fat_sectors = le32(h + 44);
    if (fat_sectors > sector_count_) fail("more FAT sectors than the file has");
    std::vector<uint32_t> fat_sector_numbers;
    for (uint32_t i = 0; i < kHeaderDifatEntries && fat_sector_numbers.size() < fat_sectors; ++i)
        fat_sector_numbers.push_back(le32(h + 76 + 4 * i));
    uint32_t per_sector = sector_size_ / 4;
    for (uint32_t n = le32(h + 68), hops = 0;
         fat_sector_numbers.size() < fat_sectors && n != kEndOfChain && n != kFreeSector; ++hops) {
        if (hops > sector_count_) fail("the DIFAT chain loops");
        auto s = whole_sector(n);
        for (uint32_t i = 0; i + 1 < per_sector && fat_sector_numbers.size() < fat_sectors; ++i)
            fat_sector_numbers.push_back(le32(s.data() + 4 * i));
        n = le32(s.data() + 4 * (per_sector - 1));
    }
    if (fat_sector_numbers.size() < fat_sectors) fail("the FAT is incomplete");
    for (uint32_t n : fat_sector_numbers) {
        auto s = whole_sector(n);
        for (uint32_t i = 0; i < per_sector; ++i)
            fat_.push_back(le32(s.data() + 4 * i));
    }

    // The directory, then the mini stream (the root entry's) and its FAT.
    std::string directory;
    for (uint32_t n : chain(fat_, le32(h + 48), sector_count_)) {
        auto s = sector(n);
        directory.append(reinterpret_cast<const char*>(s.data()), s.size());
    }
    for (size_t at = 0; at + kDirectoryEntryBytes <= directory.size(); at += kDirectoryEntryBytes) {
        const auto* e = reinterpret_cast<const unsigned char*>(directory.data() + at);
        Entry entry;
        uint16_t name_bytes = std::min<uint16_t>(le16(e + 64), 64);
        for (uint16_t i = 0; i + 2 < name_bytes; i += 2)  // the last unit is the NUL
            entry.name.push_back(static_cast<char>(e[i]));
        entry.type = e[66];
        entry.start = le32(e + 116);
        entry.size = sector_size_ == 512 ? le32(e + 120) : le64(e + 120);
        entries_.push_back(std::move(entry));
    }
    if (entries_.empty() || entries_[0].type != 5) fail("no root entry");
    uint32_t mini_fat_start = le32(h + 60);
    if (mini_fat_start != kEndOfChain && mini_fat_start != kFreeSector) {
        for (uint32_t n : chain(fat_, mini_fat_start, sector_count_)) {
            auto s = whole_sector(n);
            for (uint32_t i = 0; i < per_sector; ++i)
                mini_fat_.push_back(le32(s.data() + 4 * i));
        }
        if (entries_[0].size > 0) mini_stream_ = read_chain(entries_[0].start, entries_[0].size);
    }
}

bool CompoundFile::has_stream(const std::string& name) const {
    for (const Entry& e : entries_)
        if (e.type == 2 && e.name == name) return true;
    return false;
}

std::optional<std::string> CompoundFile::stream(const std::string& name) const {
    for (const Entry& e : entries_) {
        if (e.type != 2 || e.name != name) continue;
        return e.size < mini_cutoff_ ? read_mini_chain(e.start, e.size)
                                     : read_chain(e.start, e.size);
    }
    return std::nullopt;
}

}  // namespace xlsx
