// Parses one chunk of <row> elements into a RowBatch: the hot path. One instance per worker
// thread; it keeps its expat parser and reuses it for every chunk.
#pragma once

#include "cell_range.hpp"
#include "chunk_splitter.hpp"
#include "row_batch.hpp"
#include "xml.hpp"

namespace xlsx {

class Styles;
class SharedStrings;

struct SheetContext {
    const Styles* styles;
    const SharedStrings* strings;
    bool date1904;
    Limits limits;
    ErrorLocation where;  // file, part, sheet
    // Only cells inside it are decoded; their columns count from its first (so that the
    // range's first column is column 1 downstream).
    CellRange range;
};

class SheetChunkParser {
public:
    explicit SheetChunkParser(const SheetContext& context);
    RowBatch parse(Chunk& chunk);

private:
    static void XMLCALL on_start(void* d, const XML_Char* name, const XML_Char** attrs);
    static void XMLCALL on_end(void* d, const XML_Char* name);
    static void XMLCALL on_text(void* d, const XML_Char* s, int len);

    void start_row(const XML_Char** attrs);
    void start_cell(const XML_Char** attrs);
    void finish_cell();
    void finish_row();
    uint32_t loaded_column() const { return column_ - ctx_.range.first_column + 1; }
    void fail(ErrorKind kind, const std::string& detail);

    const SheetContext& ctx_;
    ExpatParser parser_;
    RowBatch batch_;
    std::exception_ptr error_;

    // Position and state of the element being parsed.
    uint64_t row_ = 0;
    uint32_t column_ = 0;
    char cell_type_ = 'n';  // first letter of t=: s, n, b, e, d, i(nlineStr), S (str)
    uint64_t style_ = 0;
    size_t value_start_ = 0;
    bool in_cell_ = false, capture_ = false, in_inline_ = false, has_inline_ = false;
    bool outside_rows_ = false;  // the row is outside the range: its cells are skipped
    int phonetic_depth_ = 0;
    std::string scratch_;
};

}  // namespace xlsx
