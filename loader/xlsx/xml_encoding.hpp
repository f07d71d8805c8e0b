// A part's XML in the encoding it declares, handed on as UTF-8. XML 1.0 lets a part be UTF-16
// (with or without a byte order mark) or declare any encoding; the parsers here read UTF-8
// only (expat is told so, and the chunk splitter cuts bytes), so anything else is converted
// on the way by iconv. A UTF-8 part passes through untouched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "error.hpp"

namespace xlsx {

class XmlEncodingConverter {
public:
    // Reads raw bytes into a buffer, returns how many; 0 at the end.
    using RawRead = std::function<size_t(char*, size_t)>;

    // Errors (an encoding this system cannot convert, bytes not valid in it) name `where`.
    XmlEncodingConverter(RawRead raw, ErrorLocation where);
    ~XmlEncodingConverter();
    XmlEncodingConverter(const XmlEncodingConverter&) = delete;
    XmlEncodingConverter& operator=(const XmlEncodingConverter&) = delete;

    // Up to `capacity` bytes of UTF-8; 0 at the end of the part.
    size_t read(char* buffer, size_t capacity);
    // The encoding found ("UTF-8" when nothing was converted).
    const std::string& encoding() const { return encoding_; }

private:
    void sniff();
    size_t convert(char* buffer, size_t capacity);
    void read_more();  // appends a block of raw bytes to what is pending

    RawRead raw_;
    ErrorLocation where_;
    std::string encoding_ = "UTF-8";
    std::string pending_;  // raw bytes read but not yet handed on (or converted)
    size_t pending_pos_ = 0;
    uint64_t raw_offset_ = 0;  // of pending_'s first byte in the part
    bool sniffed_ = false, raw_end_ = false;
    void* iconv_ = nullptr;  // iconv_t when converting
};

}  // namespace xlsx
