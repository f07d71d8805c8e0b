#include "compound_writer.hpp"

#include <cstdint>
#include <stdexcept>

namespace testsupport {
namespace {

constexpr uint32_t kEndOfChain = 0xFFFFFFFE, kFree = 0xFFFFFFFF, kFatSector = 0xFFFFFFFD;

void put16(std::string& s, size_t at, uint16_t v) {
    s[at] = static_cast<char>(v & 0xFF);
    s[at + 1] = static_cast<char>(v >> 8);
}
void put32(std::string& s, size_t at, uint32_t v) {
    put16(s, at, static_cast<uint16_t>(v & 0xFFFF));
    put16(s, at + 2, static_cast<uint16_t>(v >> 16));
}

// A directory entry: its UTF-16 name, type, child and first sector.
void entry(std::string& dir, size_t at, const std::string& name, uint8_t type, uint32_t child,
           uint32_t start, uint32_t size) {
    for (size_t i = 0; i < name.size(); ++i)
        put16(dir, at + 2 * i, static_cast<uint8_t>(name[i]));
    put16(dir, at + 64, static_cast<uint16_t>(2 * (name.size() + 1)));
    dir[at + 66] = static_cast<char>(type);
    dir[at + 67] = 1;  // black
    put32(dir, at + 68, kFree);
    put32(dir, at + 72, kFree);
    put32(dir, at + 76, child);
    put32(dir, at + 116, start);
    put32(dir, at + 120, size);
}

}  // namespace

std::string compound_file(const std::string& name, std::string content) {
    if (content.size() < 4096) content.resize(4096, '\0');
    content.resize((content.size() + 511) / 512 * 512, '\0');
    const uint32_t data_sectors = static_cast<uint32_t>(content.size() / 512);
    if (data_sectors > 126) throw std::invalid_argument("compound_file: stream too large");

    std::string header(512, '\0');
    header.replace(0, 8, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
    put16(header, 24, 0x003E);
    put16(header, 26, 3);
    put16(header, 28, 0xFFFE);
    put16(header, 30, 9);  // 512-byte sectors
    put16(header, 32, 6);  // 64-byte mini sectors
    put32(header, 44, 1);  // one FAT sector
    put32(header, 48, 1);  // the directory in sector 1
    put32(header, 56, 4096);
    put32(header, 60, kEndOfChain);
    put32(header, 68, kEndOfChain);
    put32(header, 76, 0);  // the FAT in sector 0
    for (size_t i = 1; i < 109; ++i)
        put32(header, 76 + 4 * i, kFree);

    std::string fat(512, '\xFF');
    put32(fat, 0, kFatSector);
    put32(fat, 4, kEndOfChain);
    for (uint32_t i = 0; i < data_sectors; ++i)
        put32(fat, 4 * (2 + i), i + 1 == data_sectors ? kEndOfChain : 3 + i);

    std::string dir(512, '\0');
    entry(dir, 0, "Root Entry", 5, 1, kEndOfChain, 0);
    entry(dir, 128, name, 2, kFree, 2, static_cast<uint32_t>(content.size()));
    for (size_t at : {256u, 384u}) {
        put32(dir, at + 68, kFree);
        put32(dir, at + 72, kFree);
        put32(dir, at + 76, kFree);
    }
    return header + fat + dir + content;
}

}  // namespace testsupport
