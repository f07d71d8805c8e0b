#include "xml_encoding.hpp"

#include <iconv.h>

#include <cerrno>
#include <cstring>

namespace xlsx {
namespace {

constexpr size_t kRawBlock = 1 << 16;
// Enough to hold any XML declaration a writer emits.
constexpr size_t kSniffBytes = 512;

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

bool starts_with(const std::string& s, const char* bytes, size_t n) {
    return s.size() >= n && std::memcmp(s.data(), bytes, n) == 0;
}

// The encoding named by an XML declaration at the start of `head`, or "" when there is none.
std::string declared_encoding(const std::string& head) {
    if (head.compare(0, 5, "<?xml") != 0) return "";
    size_t end = head.find("?>");
    std::string decl = head.substr(0, end);
    size_t at = decl.find("encoding");
    if (at == std::string::npos) return "";
    at = decl.find_first_of("\"'", at);
    if (at == std::string::npos) return "";
    size_t close = decl.find(decl[at], at + 1);
    if (close == std::string::npos) return "";
    return decl.substr(at + 1, close - at - 1);
}

bool is_utf8_compatible(const std::string& name) {
    std::string n = lower(name);
    return n.empty() || n == "utf-8" || n == "utf8" || n == "us-ascii" || n == "ascii";
}

}  // namespace

XmlEncodingConverter::XmlEncodingConverter(RawRead raw, ErrorLocation where)
    : raw_(std::move(raw)), where_(std::move(where)) {}

XmlEncodingConverter::~XmlEncodingConverter() {
    if (iconv_) iconv_close(static_cast<iconv_t>(iconv_));
}

void XmlEncodingConverter::sniff() {
    sniffed_ = true;
    while (pending_.size() < kSniffBytes && !raw_end_)
        read_more();
    // XML 1.0 appendix F: the byte order mark, or the first characters "<?", tell the width.
    std::string from;
    size_t bom = 0;
    if (starts_with(pending_, "\x00\x00\xFE\xFF", 4)) {
        from = "UTF-32BE", bom = 4;
    } else if (starts_with(pending_, "\xFF\xFE\x00\x00", 4)) {
        from = "UTF-32LE", bom = 4;
    } else if (starts_with(pending_, "\xFE\xFF", 2)) {
        from = "UTF-16BE", bom = 2;
    } else if (starts_with(pending_, "\xFF\xFE", 2)) {
        from = "UTF-16LE", bom = 2;
    } else if (starts_with(pending_, "\x00\x3C\x00\x3F", 4)) {
        from = "UTF-16BE";
    } else if (starts_with(pending_, "\x3C\x00\x3F\x00", 4)) {
        from = "UTF-16LE";
    } else if (!starts_with(pending_, "\xEF\xBB\xBF", 3)) {
        std::string declared = declared_encoding(pending_);
        // A declaration of UTF-16 over 8-bit bytes is read as what the bytes are.
        if (!is_utf8_compatible(declared) && lower(declared).rfind("utf-16", 0) != 0)
            from = declared;
    }
    if (from.empty()) return;
    iconv_t cd = iconv_open("UTF-8", from.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1))
        throw Error(ErrorKind::Unsupported,
                    "the part is encoded as " + from + ", which this system cannot convert",
                    where_);
    iconv_ = cd;
    encoding_ = from;
    pending_pos_ = bom;
}

size_t XmlEncodingConverter::read(char* buffer, size_t capacity) {
    if (!sniffed_) sniff();
    if (iconv_) return convert(buffer, capacity);
    if (pending_pos_ < pending_.size()) {
        size_t n = std::min(capacity, pending_.size() - pending_pos_);
        std::memcpy(buffer, pending_.data() + pending_pos_, n);
        pending_pos_ += n;
        if (pending_pos_ == pending_.size()) {
            pending_.clear();
            pending_.shrink_to_fit();
            pending_pos_ = 0;
        }
        return n;
    }
    return raw_end_ ? 0 : raw_(buffer, capacity);
}

size_t XmlEncodingConverter::convert(char* buffer, size_t capacity) {
    auto cd = static_cast<iconv_t>(iconv_);
    char* out = buffer;
    size_t out_left = capacity;
    for (;;) {
        // A character is at most 4 bytes: with 8 in hand none is cut by the block's end.
        if (pending_.size() - pending_pos_ < 8 && !raw_end_) read_more();
        char* in = pending_.data() + pending_pos_;
        size_t in_left = pending_.size() - pending_pos_;
        if (in_left == 0) {
            iconv(cd, nullptr, nullptr, &out, &out_left);  // the end of a stateful encoding
            return capacity - out_left;
        }
        size_t rc = iconv(cd, &in, &in_left, &out, &out_left);
        pending_pos_ = static_cast<size_t>(in - pending_.data());
        if (rc != static_cast<size_t>(-1)) continue;
        if (errno == E2BIG && out_left < capacity) return capacity - out_left;
        throw Error(ErrorKind::MalformedXml,
                    errno == EINVAL
                        ? "the part ends inside a " + encoding_ + " character"
                        : "the part holds bytes that are not valid " + encoding_ + " (after " +
                              std::to_string(raw_offset_ + pending_pos_) + " bytes)",
                    where_);
    }
}

void XmlEncodingConverter::read_more() {
    raw_offset_ += pending_pos_;
    pending_.erase(0, pending_pos_);
    pending_pos_ = 0;
    size_t old = pending_.size();
    pending_.resize(old + kRawBlock);
    size_t n = raw_(pending_.data() + old, kRawBlock);
    pending_.resize(old + n);
    raw_end_ = n == 0;
}

}  // namespace xlsx
