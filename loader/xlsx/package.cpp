#include "package.hpp"

#include <isa-l/igzip_lib.h>
#include <minizip/unzip.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <new>
#include <stdexcept>
#include <vector>

#include "compound_file.hpp"
#include "decryption.hpp"
#include "error.hpp"

namespace xlsx {
namespace {

constexpr unsigned char kOle2Signature[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// An OLE2 compound file is either a legacy .xls or an encrypted OOXML package; the latter has a
// stream named "EncryptionInfo" in its directory (stored as UTF-16LE). Scanning for the name
// is enough to tell them apart without a CFB parser. `read` fills a block, returning its size.
template <typename Read>
bool ole2_has_encryption_info(Read read) {
    static const std::string needle = [] {
        std::string n;
        for (char c : std::string("EncryptionInfo")) {
            n.push_back(c);
            n.push_back('\0');
        }
        return n;
    }();
    std::string window;
    std::vector<char> block(1 << 16);
    for (size_t got; (got = read(block.data(), block.size())) > 0;) {
        window.append(block.data(), got);
        if (window.find(needle) != std::string::npos) return true;
        window.erase(0, window.size() > needle.size() ? window.size() - needle.size() : 0);
    }
    return false;
}

enum class Container { Zip, Encrypted, Legacy };

// Refuses what is not a zip before minizip sees it: empty files, anything without the zip or
// OLE2 signature. An OLE2 file is an encrypted workbook or a legacy .xls, the caller's to open.
template <typename Read>
Container check_signature(uint64_t size, Read read, const ErrorLocation& where) {
    if (size == 0)
        throw Error(
            ErrorKind::NotWorkbook,
            "the file is empty (an Excel lock file \"~$...\" looks like this); not a workbook",
            where);
    unsigned char head[8] = {};
    size_t got = read(reinterpret_cast<char*>(head), sizeof head);
    if (got == 8 && std::memcmp(head, kOle2Signature, 8) == 0) {
        return ole2_has_encryption_info(read) ? Container::Encrypted : Container::Legacy;
    }
    if (got < 4 || head[0] != 'P' || head[1] != 'K')
        throw Error(ErrorKind::NotWorkbook, "not an .xlsx workbook (no zip signature)", where);
    return Container::Zip;
}

// minizip I/O over a MemoryFile: the "file name" minizip passes to open is the MemoryFile,
// and each open gets a cursor of its own.
struct MemoryCursor {
    const MemoryFile* file;
    uint64_t position = 0;
};

voidpf memory_open(voidpf, const void* file, int) {
    return new (std::nothrow) MemoryCursor{static_cast<const MemoryFile*>(file)};
}

uLong memory_read(voidpf, voidpf stream, void* buffer, uLong size) {
    auto* c = static_cast<MemoryCursor*>(stream);
    uint64_t n = std::min<uint64_t>(size, c->file->size - std::min(c->position, c->file->size));
    std::memcpy(buffer, c->file->data + c->position, n);
    c->position += n;
    return static_cast<uLong>(n);
}

uLong memory_write(voidpf, voidpf, const void*, uLong) {
    return 0;
}

ZPOS64_T memory_tell(voidpf, voidpf stream) {
    return static_cast<MemoryCursor*>(stream)->position;
}

long memory_seek(voidpf, voidpf stream, ZPOS64_T offset, int origin) {
    auto* c = static_cast<MemoryCursor*>(stream);
    uint64_t base = origin == ZLIB_FILEFUNC_SEEK_SET   ? 0
                    : origin == ZLIB_FILEFUNC_SEEK_CUR ? c->position
                                                       : c->file->size;
    if (offset > c->file->size - std::min(base, c->file->size)) return -1;
    c->position = base + offset;
    return 0;
}

int memory_close(voidpf, voidpf stream) {
    delete static_cast<MemoryCursor*>(stream);
    return 0;
}

int memory_error(voidpf, voidpf) {
    return 0;
}

}  // namespace

std::string Package::normalize(const std::string& name) {
    std::string n = name;
    std::replace(n.begin(), n.end(), '\\', '/');
    while (!n.empty() && n.front() == '/')
        n.erase(n.begin());
    return lower(n);
}

std::string Package::resolve(const std::string& source_part, const std::string& target) {
    std::string t = target;
    std::replace(t.begin(), t.end(), '\\', '/');
    std::vector<std::string> segments;
    if (t.empty() || t.front() != '/') {
        // Relative to the folder of the source part.
        std::string base = source_part;
        std::replace(base.begin(), base.end(), '\\', '/');
        size_t slash = base.rfind('/');
        base = slash == std::string::npos ? "" : base.substr(0, slash);
        size_t start = 0;
        while (start < base.size()) {
            size_t end = base.find('/', start);
            if (end == std::string::npos) end = base.size();
            if (end > start) segments.push_back(base.substr(start, end - start));
            start = end + 1;
        }
    }
    size_t start = 0;
    while (start <= t.size()) {
        size_t end = t.find('/', start);
        if (end == std::string::npos) end = t.size();
        std::string seg = t.substr(start, end - start);
        if (seg == "..") {
            if (!segments.empty()) segments.pop_back();
        } else if (!seg.empty() && seg != ".") {
            segments.push_back(seg);
        }
        start = end + 1;
    }
    std::string out;
    for (const auto& s : segments)
        out += (out.empty() ? "" : "/") + s;
    return out;
}

bool is_password_protected(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    unsigned char head[8] = {};
    if (!in.read(reinterpret_cast<char*>(head), sizeof head) ||
        std::memcmp(head, kOle2Signature, 8) != 0)
        return false;
    return ole2_has_encryption_info([&](char* buffer, size_t size) {
        in.read(buffer, static_cast<std::streamsize>(size));
        return static_cast<size_t>(in.gcount());
    });
}

void forget_password(std::optional<std::string>& password) {
    if (!password) return;
    OPENSSL_cleanse(password->data(), password->size());
    password.reset();
}

Package::Package(std::string path, Limits limits, const std::optional<std::string>& password)
    : path_(std::move(path)), limits_(limits) {
    ErrorLocation where{path_};
    std::ifstream in(path_, std::ios::binary | std::ios::ate);
    if (!in)
        throw Error(ErrorKind::Io, "cannot open file: " + std::string(std::strerror(errno)), where);
    file_size_ = static_cast<uint64_t>(in.tellg());
    in.seekg(0);
    Container container = check_signature(
        file_size_,
        [&](char* buffer, size_t size) {
            in.read(buffer, static_cast<std::streamsize>(size));
            return static_cast<size_t>(in.gcount());
        },
        where);
    if (container != Container::Zip) {
        if (file_size_ > limits_.max_part_bytes)
            throw Error(ErrorKind::LimitExceeded,
                        std::string(container == Container::Legacy ? "the .xls" : "the encrypted") +
                            " workbook is larger than --max-part-size",
                        where);
        std::vector<unsigned char> bytes(file_size_);
        in.clear();
        in.seekg(0);
        in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(file_size_));
        if (static_cast<uint64_t>(in.gcount()) != file_size_)
            throw Error(ErrorKind::Io, "the file could not be read whole", where);
        if (container == Container::Legacy) {
            open_legacy(bytes);
            return;
        }
        open_encrypted(bytes, password);
    }
    read_directory();
}

Package::Package(std::string label, MemoryFile memory, Limits limits,
                 const std::optional<std::string>& password)
    : path_(std::move(label)), memory_(memory), limits_(limits) {
    file_size_ = memory.size;
    uint64_t position = 0;
    Container container = check_signature(
        file_size_,
        [&](char* buffer, size_t size) {
            size_t n = static_cast<size_t>(std::min<uint64_t>(size, memory.size - position));
            std::memcpy(buffer, memory.data + position, n);
            position += n;
            return n;
        },
        ErrorLocation{path_});
    std::span<const unsigned char> bytes{memory.data, static_cast<size_t>(memory.size)};
    if (container == Container::Legacy) {
        open_legacy(bytes);
        return;
    }
    if (container == Container::Encrypted) open_encrypted(bytes, password);
    read_directory();
}

// A legacy .xls: only its workbook stream is kept, for LegacyWorkbook to read.
void Package::open_legacy(std::span<const unsigned char> container) {
    ErrorLocation where{path_};
    CompoundFile file(container, where);
    auto stream = file.stream("Workbook");  // BIFF8; BIFF5 calls it Book
    if (!stream) stream = file.stream("Book");
    if (!stream)
        throw Error(ErrorKind::NotWorkbook,
                    "an OLE2 compound file without a Workbook stream (a Word or other Office "
                    "document?); not a workbook",
                    where);
    legacy_stream_ = std::make_shared<const std::string>(std::move(*stream));
}

// A password-protected workbook: the package decrypted into memory, where it is read as any
// other package in memory.
void Package::open_encrypted(std::span<const unsigned char> container,
                             const std::optional<std::string>& password) {
    ErrorLocation where{path_};
    if (!password)
        throw Error(ErrorKind::Encrypted,
                    "the workbook is password protected; give its password (xlsx2pg: "
                    "--password-file FILE, XLSX2PG_PASSWORD or the prompt; xlsx.import: password "
                    "=>)",
                    where);
    CompoundFile file(container, where);
    decrypted_ =
        std::make_shared<const std::vector<unsigned char>>(decrypt_package(file, *password, where));
    if (decrypted_->size() < 4 || (*decrypted_)[0] != 'P' || (*decrypted_)[1] != 'K')
        throw Error(ErrorKind::NotWorkbook, "the decrypted package is not a zip", where);
    memory_ = MemoryFile{decrypted_->data(), decrypted_->size()};
}

void* Package::open_zip() const {
    if (!memory_) return unzOpen64(path_.c_str());
    zlib_filefunc64_def io{memory_open, memory_read,  memory_write, memory_tell,
                           memory_seek, memory_close, memory_error, nullptr};
    return unzOpen2_64(&*memory_, &io);
}

void Package::read_directory() {
    ErrorLocation where{path_};
    unzFile zip = open_zip();
    if (!zip)
        throw Error(ErrorKind::CorruptZip,
                    "the zip container is damaged (no readable central directory)", where);
    int rc = unzGoToFirstFile(zip);
    while (rc == UNZ_OK) {
        unz_file_info64 info;
        char name[4096];
        if (unzGetCurrentFileInfo64(zip, &info, name, sizeof name, nullptr, 0, nullptr, 0) !=
            UNZ_OK) {
            unzClose(zip);
            throw Error(ErrorKind::CorruptZip, "a central directory entry is damaged", where);
        }
        unz64_file_pos pos;
        unzGetFilePos64(zip, &pos);
        PartInfo part{name,
                      info.compressed_size,
                      info.uncompressed_size,
                      pos.pos_in_zip_directory,
                      pos.num_of_file,
                      static_cast<uint32_t>(info.crc),
                      static_cast<int>(info.compression_method),
                      (info.flag & 1) != 0};
        std::string key = normalize(part.name);
        // Directory entries carry no data. A duplicated name keeps its last entry, as
        // openpyxl and LibreOffice both do.
        if (!key.empty() && key.back() != '/') {
            auto [it, fresh] = by_key_.emplace(key, parts_.size());
            if (fresh)
                parts_.push_back(std::move(part));
            else
                parts_[it->second] = std::move(part);
        }
        rc = unzGoToNextFile(zip);
    }
    unzClose(zip);
    if (rc != UNZ_END_OF_LIST_OF_FILE)
        throw Error(ErrorKind::CorruptZip, "the zip central directory is damaged", where);
    if (parts_.empty()) throw Error(ErrorKind::CorruptZip, "the zip archive holds no parts", where);
}

std::optional<PartInfo> Package::find(const std::string& name) const {
    auto it = by_key_.find(normalize(name));
    if (it == by_key_.end()) return std::nullopt;
    return parts_[it->second];
}

PartInfo Package::require(const std::string& name, const char* needed_for) const {
    auto part = find(name);
    if (!part)
        throw Error(ErrorKind::MissingPart,
                    "the package has no part \"" + name + "\" (needed for " + needed_for + ")",
                    ErrorLocation{path_});
    return *part;
}

std::unique_ptr<PartStream> Package::open(const PartInfo& part) const {
    return std::make_unique<PartStream>(*this, part);
}

// A deflated entry's compressed bytes, from where its local header ends, inflated by ISA-L
// with the CRC-32 of the output computed on the way.
class DeflateReader {
public:
    DeflateReader(const Package& package, uint64_t offset, uint64_t compressed)
        : memory_(package.memory()), offset_(offset), left_(compressed) {
        if (!memory_) {
            file_.open(package.path(), std::ios::binary);
            file_.seekg(static_cast<std::streamoff>(offset));
            input_.resize(kInputBlock);
        }
        isal_inflate_init(&state_);
        state_.crc_flag = ISAL_GZIP_NO_HDR;
    }

    // Inflates into buffer; 0 at the end of the stream. Throws std::runtime_error on bad data.
    size_t read(char* buffer, size_t capacity) {
        state_.next_out = reinterpret_cast<uint8_t*>(buffer);
        state_.avail_out = static_cast<uint32_t>(std::min<size_t>(capacity, 1u << 30));
        uint32_t wanted = state_.avail_out;
        while (state_.avail_out > 0 && state_.block_state != ISAL_BLOCK_FINISH) {
            if (state_.avail_in == 0) next_input();
            if (isal_inflate(&state_) < 0) throw std::runtime_error("invalid deflate data");
        }
        return wanted - state_.avail_out;
    }
    uint32_t crc() const { return state_.crc; }

private:
    // The next block of compressed bytes: in place for a package in memory, else read.
    void next_input() {
        if (left_ == 0) throw std::runtime_error("the compressed data ends early");
        size_t n = static_cast<size_t>(std::min<uint64_t>(left_, kInputBlock));
        const char* from;
        if (memory_) {
            if (offset_ + n > memory_->size)
                throw std::runtime_error("the part runs past the file");
            from = reinterpret_cast<const char*>(memory_->data) + offset_;
        } else {
            file_.read(input_.data(), static_cast<std::streamsize>(n));
            if (static_cast<size_t>(file_.gcount()) != n)
                throw std::runtime_error("the file ends inside the part");
            from = input_.data();
        }
        offset_ += n;
        left_ -= n;
        state_.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(from));
        state_.avail_in = static_cast<uint32_t>(n);
    }

    static constexpr size_t kInputBlock = 256 * 1024;
    const MemoryFile* memory_;
    std::ifstream file_;
    uint64_t offset_, left_;
    std::vector<char> input_;
    inflate_state state_;
};

PartStream::PartStream(const Package& package, const PartInfo& part)
    : file_(package.path()),
      part_(part),
      limits_(package.limits()),
      text_([this](char* buffer, size_t capacity) { return read_raw(buffer, capacity); },
            ErrorLocation{file_, part_.name}) {
    zip_ = package.open_zip();
    if (!zip_) fail_zip("cannot reopen the zip container");
    // A throwing constructor runs no destructor: close the container here (found by fuzzing).
    try {
        unz64_file_pos pos{part_.pos_in_central_dir, part_.num_of_file};
        if (unzGoToFilePos64(zip_, &pos) != UNZ_OK) fail_zip("cannot find the part's entry");
        int rc = unzOpenCurrentFile(zip_);
        if (rc == UNZ_BADZIPFILE) {
            throw Error(ErrorKind::Unsupported,
                        "the part uses a compression method other than deflate",
                        ErrorLocation{file_, part_.name});
        }
        if (rc != UNZ_OK) fail_zip("the part's local header is damaged");
        if (part_.encrypted)
            throw Error(ErrorKind::Encrypted, "the part is encrypted (a zip password)",
                        ErrorLocation{file_, part_.name});
        if (part_.method == Z_DEFLATED) {
            deflate_ = std::make_unique<DeflateReader>(package, unzGetCurrentFileZStreamPos64(zip_),
                                                       part_.compressed_size);
            unzCloseCurrentFile(zip_);
            unzClose(zip_);
            zip_ = nullptr;
        }
    } catch (...) {
        unzClose(zip_);
        zip_ = nullptr;
        throw;
    }
}

PartStream::~PartStream() {
    if (zip_) {
        unzCloseCurrentFile(zip_);
        unzClose(zip_);
    }
}

void PartStream::fail_zip(const std::string& what) const {
    throw Error(ErrorKind::CorruptZip, "the zip container is damaged: " + what,
                ErrorLocation{file_, part_.name});
}

size_t PartStream::read_raw(char* buffer, size_t capacity) {
    if (finished_) return 0;
    if (deflate_) {
        size_t n;
        try {
            n = deflate_->read(buffer, capacity);
        } catch (const std::runtime_error& e) {
            fail_zip(std::string("inflate failed: ") + e.what());
        }
        if (n == 0) {
            finished_ = true;
            if (deflate_->crc() != part_.crc) fail_zip("CRC mismatch, the part is corrupt");
            return 0;
        }
        produced_ += n;
        check_bounds();
        return n;
    }
    unsigned int ask = static_cast<unsigned int>(std::min<size_t>(capacity, 1u << 30));
    int n = unzReadCurrentFile(zip_, buffer, ask);
    if (n < 0) fail_zip("inflate failed (error " + std::to_string(n) + ")");
    if (n == 0) {
        finished_ = true;
        if (unzCloseCurrentFile(zip_) == UNZ_CRCERROR) {
            unzClose(zip_);
            zip_ = nullptr;
            fail_zip("CRC mismatch, the part is corrupt");
        }
        unzClose(zip_);
        zip_ = nullptr;
        return 0;
    }
    produced_ += static_cast<uint64_t>(n);
    check_bounds();
    return static_cast<size_t>(n);
}

void PartStream::check_bounds() {
    ErrorLocation where{file_, part_.name};
    if (produced_ > limits_.max_part_bytes)
        throw Error(ErrorKind::LimitExceeded,
                    "the part inflates past the limit of " +
                        std::to_string(limits_.max_part_bytes) +
                        " bytes (raise it with --max-part-size if the file is trusted)",
                    where);
    if (produced_ > limits_.ratio_floor_bytes &&
        produced_ / std::max<uint64_t>(part_.compressed_size, 1) > limits_.max_expansion_ratio)
        throw Error(ErrorKind::LimitExceeded,
                    "the part expands more than " + std::to_string(limits_.max_expansion_ratio) +
                        ":1, which only a zip bomb does (raise it with --max-ratio if the file is "
                        "trusted)",
                    where);
}

}  // namespace xlsx
