// The OPC package: a zip read with minizip. Part names are matched case-insensitively (as OPC
// requires) and with backslashes read as slashes (as some writers store them). Parts are only
// ever streamed; each stream has its own zip handle so that several threads can read at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "limits.hpp"
#include "xml_encoding.hpp"

namespace xlsx {

struct PartInfo {
    std::string name;  // as stored in the zip
    uint64_t compressed_size = 0;
    uint64_t uncompressed_size = 0;  // as claimed by the central directory
    uint64_t pos_in_central_dir = 0;
    uint64_t num_of_file = 0;
    uint32_t crc = 0;  // CRC-32 of the uncompressed bytes
    int method = 0;    // 0 stored, 8 deflate
    bool encrypted = false;
};

class PartStream;

// Bytes of a whole .xlsx held by the caller (a bytea, a large object read into memory); they
// must outlive the Package and every stream of it.
struct MemoryFile {
    const unsigned char* data = nullptr;
    uint64_t size = 0;
};

// Whether the file is a password-protected workbook (an OLE2 container holding
// EncryptionInfo); false for anything else, an unreadable file included.
bool is_password_protected(const std::string& path);

// Zeroes and drops a password once it has done its work.
void forget_password(std::optional<std::string>& password);

class Package {
public:
    // Throws Error (NotWorkbook, Encrypted, WrongPassword, CorruptZip, Io). A
    // password-protected workbook is decrypted into memory with `password`; of a legacy .xls
    // only the workbook stream is kept (legacy_stream()).
    Package(std::string path, Limits limits = {},
            const std::optional<std::string>& password = std::nullopt);
    // The same over bytes in memory; `label` stands for the file in error messages.
    Package(std::string label, MemoryFile memory, Limits limits = {},
            const std::optional<std::string>& password = std::nullopt);

    // The file's path, or the label of a package in memory.
    const std::string& path() const { return path_; }
    // Opens the zip container again (each stream has its own handle); nullptr when unreadable.
    void* open_zip() const;
    // The bytes of a package in memory (a decrypted one too), or nullptr for a file.
    const MemoryFile* memory() const { return memory_ ? &*memory_ : nullptr; }
    // Whether it was decrypted with a password.
    bool decrypted() const { return decrypted_ != nullptr; }
    // A legacy .xls has no parts: its BIFF workbook stream, else nullptr.
    const std::shared_ptr<const std::string>& legacy_stream() const { return legacy_stream_; }
    const Limits& limits() const { return limits_; }
    uint64_t file_size() const { return file_size_; }

    // The part, or nullopt. `name` may start with '/', any case.
    std::optional<PartInfo> find(const std::string& name) const;
    bool has(const std::string& name) const { return find(name).has_value(); }
    // Throws MissingPart naming what it was needed for.
    PartInfo require(const std::string& name, const char* needed_for) const;
    std::unique_ptr<PartStream> open(const PartInfo& part) const;
    const std::vector<PartInfo>& parts() const { return parts_; }

    // "xl/worksheets/../foo.xml" style resolution of a relationship target found in `source_part`.
    static std::string resolve(const std::string& source_part, const std::string& target);
    static std::string normalize(const std::string& name);

private:
    void open_encrypted(std::span<const unsigned char> container,
                        const std::optional<std::string>& password);
    void open_legacy(std::span<const unsigned char> container);
    void read_directory();

    std::string path_;
    std::optional<MemoryFile> memory_;
    std::shared_ptr<const std::vector<unsigned char>> decrypted_;  // what memory_ points into
    std::shared_ptr<const std::string> legacy_stream_;
    Limits limits_;
    uint64_t file_size_ = 0;
    std::vector<PartInfo> parts_;
    std::unordered_map<std::string, size_t> by_key_;  // normalized lower-case name -> index
};

class DeflateReader;

// One part, inflated as it is read. Checks the CRC at the end and the size bounds throughout.
// minizip finds the entry and checks its local header; a deflated entry's bytes are then
// inflated by ISA-L (several times faster than zlib on sheet XML, the CRC computed on the way),
// a stored one is read through minizip.
class PartStream {
public:
    PartStream(const Package& package, const PartInfo& part);
    ~PartStream();
    PartStream(const PartStream&) = delete;
    PartStream& operator=(const PartStream&) = delete;

    // Reads up to `capacity` bytes of the part's XML as UTF-8 (see xml_encoding.hpp);
    // returns 0 at the end of the part. Throws Error.
    size_t read(char* buffer, size_t capacity) { return text_.read(buffer, capacity); }
    // Bytes of the part as stored, inflated.
    uint64_t bytes_read() const { return produced_; }
    const std::string& name() const { return part_.name; }
    const std::string& file() const { return file_; }

private:
    size_t read_raw(char* buffer, size_t capacity);
    [[noreturn]] void fail_zip(const std::string& what) const;
    void check_bounds();
    std::string file_;
    PartInfo part_;
    Limits limits_;
    void* zip_ = nullptr;  // unzFile
    std::unique_ptr<DeflateReader> deflate_;
    uint64_t produced_ = 0;
    bool finished_ = false;
    XmlEncodingConverter text_;
};

}  // namespace xlsx
