#include "biff_records.hpp"

#include <iconv.h>

#include <algorithm>
#include <cstring>

#include "text.hpp"

namespace xlsx::biff {

[[noreturn]] void damaged(const ErrorLocation& where, const std::string& what) {
    throw Error(ErrorKind::CorruptZip, "the .xls workbook is damaged: " + what, where);
}

bool Records::next(Record& r) {
    if (pos_ + 4 > stream_.size()) return false;
    auto* p = reinterpret_cast<const unsigned char*>(stream_.data() + pos_);
    r.type = static_cast<uint16_t>(p[0] | p[1] << 8);
    size_t length = static_cast<size_t>(p[2] | p[3] << 8);
    if (pos_ + 4 + length > stream_.size())
        damaged(where_, "a record runs past the end of the stream");
    r.data = std::string_view(stream_.data() + pos_ + 4, length);
    pos_ += 4 + length;
    return true;
}

uint16_t Records::peek_type() const {
    if (pos_ + 4 > stream_.size()) return 0;
    auto* p = reinterpret_cast<const unsigned char*>(stream_.data() + pos_);
    return static_cast<uint16_t>(p[0] | p[1] << 8);
}

bool Cursor::at_end() {
    while (segment_ < segments_.size() && pos_ == segments_[segment_].size())
        ++segment_, pos_ = 0;
    return segment_ == segments_.size();
}

uint8_t Cursor::u8() {
    if (at_end()) damaged(where_, std::string("a ") + record_ + " record is cut short");
    return static_cast<uint8_t>(segments_[segment_][pos_++]);
}

double Cursor::f64() {
    uint64_t bits = u32();
    bits |= static_cast<uint64_t>(u32()) << 32;
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
}

void Cursor::skip(uint64_t n) {
    while (n > 0) {
        if (at_end()) damaged(where_, std::string("a ") + record_ + " record is cut short");
        size_t step = static_cast<size_t>(std::min<uint64_t>(n, segments_[segment_].size() - pos_));
        pos_ += step;
        n -= step;
    }
}

void Cursor::chars(size_t count, bool high, std::string& out) {
    uint32_t pending_high = 0;  // a high surrogate waiting for its pair
    for (size_t i = 0; i < count; ++i) {
        if (pos_ == segments_[segment_].size() && segment_ + 1 < segments_.size()) {
            ++segment_, pos_ = 0;
            high = (u8() & 1) != 0;
        }
        uint32_t unit = high ? u16() : u8();
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            if (pending_high) append_utf8(out, 0xFFFD);
            pending_high = unit;
            continue;
        }
        if (unit >= 0xDC00 && unit <= 0xDFFF && pending_high) {
            append_utf8(out, 0x10000 + ((pending_high - 0xD800) << 10) + (unit - 0xDC00));
            pending_high = 0;
            continue;
        }
        if (pending_high) append_utf8(out, 0xFFFD), pending_high = 0;
        append_utf8(out, unit >= 0xD800 && unit <= 0xDFFF ? 0xFFFD : unit);
    }
    if (pending_high) append_utf8(out, 0xFFFD);
}

std::string unicode_string(Cursor& c, bool short_length) {
    size_t count = short_length ? c.u8() : c.u16();
    uint8_t flags = c.u8();
    uint16_t runs = flags & 0x08 ? c.u16() : 0;
    uint32_t phonetic = flags & 0x04 ? c.u32() : 0;
    std::string out;
    c.chars(count, (flags & 0x01) != 0, out);
    c.skip(4ull * runs);
    c.skip(phonetic);
    return out;
}

std::string byte_string(Cursor& c, bool short_length, const std::string& codepage,
                        const ErrorLocation& where) {
    size_t count = short_length ? c.u8() : c.u16();
    std::string raw;
    for (size_t i = 0; i < count; ++i)
        raw.push_back(static_cast<char>(c.u8()));
    if (std::all_of(raw.begin(), raw.end(), [](char ch) { return (ch & 0x80) == 0; })) return raw;
    iconv_t cd = iconv_open("UTF-8", codepage.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1))
        throw Error(ErrorKind::Unsupported,
                    "the .xls workbook's code page " + codepage + " cannot be converted here",
                    where);
    std::string out(raw.size() * 4, '\0');
    char* in = raw.data();
    char* to = out.data();
    size_t in_left = raw.size(), out_left = out.size();
    size_t rc = iconv(cd, &in, &in_left, &to, &out_left);
    iconv_close(cd);
    if (rc == static_cast<size_t>(-1)) damaged(where, "a string is not valid " + codepage);
    out.resize(out.size() - out_left);
    return out;
}

double rk_value(uint32_t rk) {
    double v;
    if (rk & 0x02) {
        v = static_cast<double>(static_cast<int32_t>(rk) >> 2);
    } else {
        uint64_t bits = static_cast<uint64_t>(rk & 0xFFFFFFFCu) << 32;
        std::memcpy(&v, &bits, sizeof v);
    }
    return rk & 0x01 ? v / 100 : v;
}

const char* error_text(uint8_t code) {
    switch (code) {
        case 0x00:
            return "#NULL!";
        case 0x07:
            return "#DIV/0!";
        case 0x0F:
            return "#VALUE!";
        case 0x17:
            return "#REF!";
        case 0x1D:
            return "#NAME?";
        case 0x24:
            return "#NUM!";
        case 0x2A:
            return "#N/A";
        default:
            return "#GETTING_DATA";
    }
}

std::string codepage_name(uint16_t id) {
    switch (id) {
        case 367:
            return "ASCII";
        case 1200:
            return "UTF-16LE";
        case 10000:
        case 32768:
            return "MACINTOSH";
        case 32769:
            return "CP1252";
        default:
            return "CP" + std::to_string(id);
    }
}

}  // namespace xlsx::biff
