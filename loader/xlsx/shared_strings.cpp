#include "shared_strings.hpp"

#include <cstring>

#include "chunk_pipeline.hpp"
#include "package.hpp"
#include "text.hpp"
#include "xml.hpp"

namespace xlsx {
namespace {

constexpr size_t kChunkBytes = 4 << 20;

struct ParsedStrings {
    uint64_t seq = 0;
    std::string arena;
    std::vector<std::pair<size_t, size_t>> spans;  // offset, length in arena
};

// One worker's parser of <si> chunks.
class StringChunkParser {
public:
    StringChunkParser(const Limits& limits, ErrorLocation where)
        : limits_(limits), where_(std::move(where)) {
        parser_.user = this;
    }

    ParsedStrings parse(Chunk& chunk) {
        parser_.reset();
        parser_.user = this;
        XML_SetElementHandler(parser_.parser, on_start, on_end);
        XML_SetCharacterDataHandler(parser_.parser, on_text);
        out_ = ParsedStrings{};
        out_.seq = chunk.seq;
        out_.arena.reserve(chunk.data.size() / 2);
        out_.spans.reserve(chunk.items);
        depth_rph_ = 0;
        capture_ = false;
        if (!parse_chunk(parser_, chunk.data)) {
            if (error_) std::rethrow_exception(error_);
            throw chunk_error(parser_, where_, chunk.first_line, chunk.first_column);
        }
        return std::move(out_);
    }

private:
    static void XMLCALL on_start(void* d, const XML_Char* name, const XML_Char**) {
        auto* self = user_of<StringChunkParser>(d);
        const char* local = local_name(name);
        if (std::strcmp(local, "si") == 0) {
            self->start_ = self->out_.arena.size();
        } else if (std::strcmp(local, "t") == 0) {
            self->capture_ = self->depth_rph_ == 0;
        } else if (std::strcmp(local, "rPh") == 0) {
            ++self->depth_rph_;
        }
    }
    static void XMLCALL on_end(void* d, const XML_Char* name) {
        auto* self = user_of<StringChunkParser>(d);
        const char* local = local_name(name);
        if (std::strcmp(local, "t") == 0) {
            self->capture_ = false;
        } else if (std::strcmp(local, "rPh") == 0) {
            --self->depth_rph_;
        } else if (std::strcmp(local, "si") == 0) {
            decode_xstring_escapes(self->out_.arena, self->start_);
            self->out_.spans.emplace_back(self->start_, self->out_.arena.size() - self->start_);
        }
    }
    static void XMLCALL on_text(void* d, const XML_Char* s, int len) {
        auto* self = user_of<StringChunkParser>(d);
        if (!self->capture_) return;
        self->out_.arena.append(s, static_cast<size_t>(len));
        if (self->out_.arena.size() - self->start_ > self->limits_.max_cell_bytes) {
            self->error_ = std::make_exception_ptr(
                Error(ErrorKind::LimitExceeded,
                      "shared string " + std::to_string(self->out_.spans.size()) +
                          " is longer than " + std::to_string(self->limits_.max_cell_bytes) +
                          " bytes (raise --max-cell-size if the file is trusted)",
                      self->where_));
            XML_StopParser(self->parser_.parser, XML_FALSE);
        }
    }

    Limits limits_;
    ErrorLocation where_;
    ExpatParser parser_;
    ParsedStrings out_;
    size_t start_ = 0;
    int depth_rph_ = 0;
    bool capture_ = false;
    std::exception_ptr error_;
};

}  // namespace

SharedStrings::SharedStrings(const Package& package, const PartInfo& part, unsigned threads,
                             const ErrorLocation& where) {
    ErrorLocation w = where;
    w.part = part.name;
    const Limits& limits = package.limits();
    ChunkSplitter splitter(package.open(part), "sst", "si", false, kChunkBytes, limits, w);
    ChunkPipeline<ParsedStrings> pipeline(
        splitter,
        [&] {
            auto parser = std::make_shared<StringChunkParser>(limits, w);
            return [parser](Chunk& c) { return parser->parse(c); };
        },
        threads, threads * 2 + 1, true);
    std::vector<std::vector<std::pair<size_t, size_t>>> spans;
    while (auto parsed = pipeline.next()) {
        bytes_ += parsed->arena.size();
        if (bytes_ > limits.max_shared_strings_bytes)
            throw Error(ErrorKind::LimitExceeded,
                        "the shared strings hold more than " +
                            std::to_string(limits.max_shared_strings_bytes) +
                            " bytes of text (raise --max-strings-size if the file is trusted)",
                        w);
        arenas_.push_back(std::move(parsed->arena));
        spans.push_back(std::move(parsed->spans));
    }
    // Views are taken once every arena has its final address.
    size_t count = 0;
    for (const auto& s : spans)
        count += s.size();
    strings_.reserve(count);
    for (size_t i = 0; i < arenas_.size(); ++i)
        for (auto [offset, length] : spans[i])
            strings_.emplace_back(arenas_[i].data() + offset, length);
}

}  // namespace xlsx
