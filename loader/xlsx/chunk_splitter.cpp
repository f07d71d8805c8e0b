#include "chunk_splitter.hpp"

#include <algorithm>
#include <cstring>

#include "text.hpp"

namespace xlsx {
namespace {

constexpr size_t kReadBlock = 256 * 1024;

bool is_delimiter(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' || c == '>';
}

}  // namespace

struct ChunkSplitter::Tag {
    enum Kind { NeedMore, Skip, Forbidden, Start, End } kind = NeedMore;
    size_t end = 0;  // index just past the construct (Start: past '>' for tags we care about)
    std::string_view local;
    bool self_closing = false;
    bool complete = false;  // Start: `end` and `self_closing` are known
};

ChunkSplitter::ChunkSplitter(std::unique_ptr<PartStream> stream, std::string container,
                             std::string item, bool track_row_numbers, size_t target_bytes,
                             const Limits& limits, ErrorLocation where)
    : stream_(std::move(stream)),
      container_(std::move(container)),
      item_(std::move(item)),
      track_rows_(track_row_numbers),
      target_(target_bytes),
      limits_(limits),
      where_(std::move(where)) {}

void ChunkSplitter::fail(ErrorKind kind, const std::string& detail, size_t at) const {
    ErrorLocation w = where_;
    w.line = line_;
    w.xml_column = column_;
    for (size_t i = 0; i < at && i < buf_.size(); ++i) {
        if (buf_[i] == '\n') {
            ++w.line;
            w.xml_column = 1;
        } else {
            ++w.xml_column;
        }
    }
    throw Error(kind, detail, w);
}

bool ChunkSplitter::fill() {
    if (eof_) return false;
    size_t old = buf_.size();
    buf_.resize(old + kReadBlock);
    size_t n = stream_->read(buf_.data() + old, kReadBlock);
    buf_.resize(old + n);
    if (n == 0) eof_ = true;
    return n > 0;
}

void ChunkSplitter::drop_front(size_t n) {
    for (size_t i = 0; i < n; ++i) {
        const char* nl = static_cast<const char*>(std::memchr(buf_.data() + i, '\n', n - i));
        if (!nl) {
            column_ += n - i;
            break;
        }
        ++line_;
        column_ = 1;
        i = static_cast<size_t>(nl - buf_.data());
    }
    buf_.erase(0, n);
    buf_offset_ += n;
    scan_ = scan_ >= n ? scan_ - n : 0;
}

bool ChunkSplitter::scan_tag(size_t at, Tag& tag) const {
    const size_t size = buf_.size();
    tag = Tag{};
    if (at + 1 >= size) return false;
    const char c = buf_[at + 1];
    auto find_from = [&](size_t from, const char* needle) -> size_t {
        size_t pos = buf_.find(needle, from);
        return pos == std::string::npos ? 0 : pos + std::strlen(needle);
    };
    if (c == '!') {
        if (size - at < 9) {
            // Could still become a comment or CDATA start.
            std::string_view have(buf_.data() + at, size - at);
            auto could_be = [&](std::string_view start) {
                size_t n = std::min(have.size(), start.size());
                return have.substr(0, n) == start.substr(0, n);
            };
            if (could_be("<!--") || could_be("<![CDATA[")) return false;
        }
        if (buf_.compare(at, 4, "<!--") == 0) {
            tag.end = find_from(at + 4, "-->");
            if (!tag.end) return false;
            tag.kind = Tag::Skip;
            return true;
        }
        if (buf_.compare(at, 9, "<![CDATA[") == 0) {
            tag.end = find_from(at + 9, "]]>");
            if (!tag.end) return false;
            tag.kind = Tag::Skip;
            return true;
        }
        tag.kind = Tag::Forbidden;
        return true;
    }
    if (c == '?') {
        tag.end = find_from(at + 2, "?>");
        if (!tag.end) return false;
        tag.kind = Tag::Skip;
        return true;
    }
    size_t name_start = at + (c == '/' ? 2 : 1);
    size_t p = name_start;
    while (p < size && !is_delimiter(buf_[p]))
        ++p;
    if (p >= size) return false;
    std::string_view name(buf_.data() + name_start, p - name_start);
    size_t colon = name.rfind(':');
    tag.local = colon == std::string_view::npos ? name : name.substr(colon + 1);
    if (c == '/') {
        tag.kind = Tag::End;
        tag.end = p;
        return true;
    }
    tag.kind = Tag::Start;
    tag.end = p;
    bool wanted = tag.local == item_ || tag.local == container_ ||
                  (state_ == State::Prolog && tag.local == "dimension");
    if (!wanted) return true;
    // Find the closing '>' outside attribute quotes ('>' may appear raw inside a value).
    char quote = 0;
    for (; p < size; ++p) {
        char ch = buf_[p];
        if (quote) {
            if (ch == quote) quote = 0;
        } else if (ch == '"' || ch == '\'') {
            quote = ch;
        } else if (ch == '>') {
            tag.end = p + 1;
            tag.self_closing = buf_[p - 1] == '/';
            tag.complete = true;
            return true;
        }
    }
    return false;
}

// Most tags inside the items are cells' <c>, <v>, <f>, <t> and their end tags: names of one
// letter, which are never the item or the container. Passing over them without classifying
// them is the splitter's hot path. (An attribute value cannot hold '<', so the next '<' is
// the next construct.)
bool ChunkSplitter::skip_one_letter_tag(size_t at) {
    if (at + 3 >= buf_.size()) return false;
    auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    const char* p = buf_.data() + at;
    if (letter(p[1]) && is_delimiter(p[2])) {
        scan_ = at + 2;
        return true;
    }
    if (p[1] == '/' && letter(p[2]) && p[3] == '>') {
        scan_ = at + 4;
        return true;
    }
    return false;
}

void ChunkSplitter::on_item_start(size_t at, const Tag& tag) {
    ++chunk_items_;
    if (!track_rows_) {
        ++last_index_;
        return;
    }
    std::string r;
    uint64_t number = last_index_ + 1;
    if (xml_tag_attribute(std::string_view(buf_).substr(at, tag.end - at), "r", r)) {
        if (!parse_uint(r, UINT32_MAX, number) || number == 0)
            fail(ErrorKind::InvalidValue, "row number \"" + std::string(r) + "\" is not valid", at);
        if (number <= last_index_) {
            ErrorLocation w = where_;
            w.row = number;
            throw Error(ErrorKind::InvalidValue,
                        "row " + std::to_string(number) + " comes after row " +
                            std::to_string(last_index_) +
                            "; rows out of order or repeated are refused, as Excel refuses them",
                        w);
        }
    }
    if (number > limits_.max_row) {
        ErrorLocation w = where_;
        w.row = number;
        throw Error(ErrorKind::LimitExceeded,
                    "row " + std::to_string(number) + " is beyond Excel's last row " +
                        std::to_string(limits_.max_row),
                    w);
    }
    last_index_ = number;
}

void ChunkSplitter::emit(Chunk& out, size_t cut) {
    out.seq = seq_++;
    out.part_offset = buf_offset_;
    out.first_line = line_;
    out.first_column = column_;
    out.base = chunk_base_;
    out.items = chunk_items_;
    // The next chunk's buffer, sized once: growing it read by read would copy it again and again.
    std::string rest;
    rest.reserve(target_ + 2 * kReadBlock);
    rest.assign(buf_, cut);
    buf_.resize(cut);
    // The next chunk's position in the part, for error messages. memchr jumps over the long
    // lines that sheet XML mostly is; this runs on the serial splitter thread.
    uint64_t newlines = 0;
    for (const char *p = buf_.data(), *end = p + cut;
         (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)))); ++p)
        ++newlines;
    if (newlines == 0) {
        column_ += cut;
    } else {
        line_ += newlines;
        const char* last_nl = static_cast<const char*>(memrchr(buf_.data(), '\n', cut));
        column_ = static_cast<uint64_t>(buf_.data() + cut - last_nl);
    }
    out.data = std::move(buf_);
    buf_ = std::move(rest);
    buf_offset_ += cut;
    scan_ = 0;
    chunk_base_ = last_index_;
    chunk_items_ = 0;
}

bool ChunkSplitter::next(Chunk& out) {
    if (state_ == State::Prolog && buf_offset_ == 0 && buf_.empty()) {
        fill();
        if (buf_.size() >= 3 && buf_.compare(0, 3, "\xEF\xBB\xBF") == 0) drop_front(3);
    }
    for (;;) {
        if (state_ == State::Done) {
            // Read to the end so that the CRC and size bounds are checked.
            buf_.clear();
            scan_ = 0;
            while (fill())
                buf_.clear();
            return false;
        }
        while (scan_ < buf_.size()) {
            const char* lt = static_cast<const char*>(
                std::memchr(buf_.data() + scan_, '<', buf_.size() - scan_));
            if (!lt) {
                scan_ = buf_.size();
                break;
            }
            size_t at = static_cast<size_t>(lt - buf_.data());
            if (state_ == State::Items && skip_one_letter_tag(at)) continue;
            Tag tag;
            if (!scan_tag(at, tag)) {
                scan_ = at;
                break;  // need more data
            }
            if (tag.kind == Tag::Skip) {
                scan_ = tag.end;
                continue;
            }
            if (tag.kind == Tag::Forbidden)
                fail(ErrorKind::ForbiddenXml,
                     "the XML declares a DOCTYPE or entities, which are refused (no entity is "
                     "ever expanded or fetched)",
                     at);
            if (state_ == State::Prolog) {
                if (tag.kind == Tag::Start && tag.local == "dimension" && tag.complete) {
                    std::string ref;
                    if (xml_tag_attribute(std::string_view(buf_).substr(at, tag.end - at), "ref",
                                          ref))
                        dimension_ref_ = ref;
                } else if (tag.kind == Tag::Start && tag.local == container_) {
                    if (tag.self_closing) {
                        state_ = State::Done;
                        break;
                    }
                    drop_front(tag.end);
                    state_ = State::Items;
                    continue;
                }
                scan_ = tag.end;
                continue;
            }
            // Items
            if (tag.kind == Tag::End && tag.local == container_) {
                state_ = State::Done;
                if (at > 0 || chunk_items_ > 0) {
                    emit(out, at);
                    return true;
                }
                break;
            }
            if (tag.kind == Tag::Start && tag.local == item_) {
                if (at >= target_ && chunk_items_ > 0) {
                    emit(out, at);
                    return true;
                }
                on_item_start(at, tag);
                scan_ = tag.end;
                continue;
            }
            scan_ = tag.end;
        }
        if (state_ == State::Done) continue;
        if (state_ == State::Prolog && scan_ > 0) drop_front(scan_);
        if (state_ == State::Items && buf_.size() > target_ + limits_.max_cell_bytes + kReadBlock)
            fail(ErrorKind::LimitExceeded,
                 "one " + item_ + " holds more than " + std::to_string(limits_.max_cell_bytes) +
                     " bytes of XML (raise --max-cell-size if the file is trusted)",
                 scan_);
        if (!fill()) {
            if (state_ == State::Prolog) {
                state_ = State::Done;  // no container: an empty sheet (or no strings)
                continue;
            }
            fail(ErrorKind::MalformedXml,
                 "the part ends inside <" + container_ + "> (truncated or malformed XML)",
                 buf_.size());
        }
    }
}

}  // namespace xlsx
