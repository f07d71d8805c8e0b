// Cuts an inflating part into chunks of whole items (<row> in a sheet, <si> in the shared
// strings) so that each chunk can be parsed by its own expat parser inside a synthetic root.
// Boundaries are found by a light scan that skips comments, CDATA and processing instructions
// (text content cannot hold a raw '<', so any other '<' starts a tag). The scan also refuses
// DOCTYPE, keeps row numbers for rows without an r attribute, and counts lines so that XML
// errors found inside a chunk are reported at their line in the part.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "error.hpp"
#include "limits.hpp"
#include "package.hpp"

namespace xlsx {

struct Chunk {
    uint64_t seq = 0;
    std::string data;          // whole items, without the container element
    uint64_t part_offset = 0;  // byte offset of data[0] in the part
    uint64_t first_line = 1;   // line and column of data[0] in the part
    uint64_t first_column = 1;
    uint64_t base = 0;   // rows: number of the row before the chunk; si: index of its first item
    uint64_t items = 0;  // items that start in the chunk
};

class ChunkSplitter {
public:
    ChunkSplitter(std::unique_ptr<PartStream> stream, std::string container, std::string item,
                  bool track_row_numbers, size_t target_bytes, const Limits& limits,
                  ErrorLocation where);

    // Fills `out` with the next chunk; false when there are no more. Throws Error.
    bool next(Chunk& out);

    // The prolog's <dimension ref="A1:C3">, when the part had one.
    const std::string& dimension_ref() const { return dimension_ref_; }
    uint64_t bytes_read() const { return stream_->bytes_read(); }

private:
    enum class State { Prolog, Items, Done };
    struct Tag;  // what the scanner found at a '<'

    bool fill();
    void drop_front(size_t n);
    bool scan_tag(size_t at, Tag& tag) const;
    bool skip_one_letter_tag(size_t at);
    void on_item_start(size_t at, const Tag& tag);
    void emit(Chunk& out, size_t cut);
    [[noreturn]] void fail(ErrorKind kind, const std::string& detail, size_t at) const;

    std::unique_ptr<PartStream> stream_;
    std::string container_, item_;
    bool track_rows_;
    size_t target_;
    Limits limits_;
    ErrorLocation where_;

    State state_ = State::Prolog;
    std::string buf_;
    bool eof_ = false;
    size_t scan_ = 0;
    uint64_t buf_offset_ = 0;         // part offset of buf_[0]
    uint64_t line_ = 1, column_ = 1;  // of buf_[0]
    uint64_t seq_ = 0;
    uint64_t chunk_base_ = 0;  // base of the chunk being gathered
    uint64_t chunk_items_ = 0;
    uint64_t last_index_ = 0;  // rows: last row number; si: items so far
    std::string dimension_ref_;
};

}  // namespace xlsx
