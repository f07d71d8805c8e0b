#include "sheet_parser.hpp"

#include <charconv>
#include <cstring>

#include "dates.hpp"
#include "number_text.hpp"
#include "shared_strings.hpp"
#include "styles.hpp"
#include "text.hpp"

namespace xlsx {
namespace {

// Element names are compared on their local part; these are the few the hot path needs.
enum class Element { Other, Row, Cell, Value, InlineString, Text, Phonetic };

inline Element classify(const char* qname) {
    const char* n = local_name(qname);
    switch (n[0]) {
        case 'c':
            return n[1] == 0 ? Element::Cell : Element::Other;
        case 'v':
            return n[1] == 0 ? Element::Value : Element::Other;
        case 't':
            return n[1] == 0 ? Element::Text : Element::Other;
        case 'r':
            if (n[1] == 'o' && n[2] == 'w' && n[3] == 0) return Element::Row;
            if (n[1] == 'P' && n[2] == 'h' && n[3] == 0) return Element::Phonetic;
            return Element::Other;
        case 'i':
            return n[1] == 's' && n[2] == 0 ? Element::InlineString : Element::Other;
        default:
            return Element::Other;
    }
}

constexpr char kTrue[] = "true";
constexpr char kFalse[] = "false";

// Marks a cell whose data is an offset into the arena until the batch is complete.
constexpr uint8_t kArenaFlag = 0x80;

}  // namespace

SheetChunkParser::SheetChunkParser(const SheetContext& context) : ctx_(context) {}

void SheetChunkParser::fail(ErrorKind kind, const std::string& detail) {
    if (!error_) {
        ErrorLocation w = ctx_.where;
        w.row = row_;
        w.column = column_;
        error_ = std::make_exception_ptr(Error(kind, detail, w));
    }
    XML_StopParser(parser_.parser, XML_FALSE);
}

RowBatch SheetChunkParser::parse(Chunk& chunk) {
    parser_.reset();
    parser_.user = this;
    XML_SetElementHandler(parser_.parser, on_start, on_end);
    XML_SetCharacterDataHandler(parser_.parser, on_text);
    batch_ = RowBatch{};
    batch_.seq = chunk.seq;
    batch_.xml_bytes = chunk.data.size();
    // About one cell per 40 bytes of XML, one row per 15 cells: enough to avoid regrowth.
    batch_.cells.reserve(chunk.data.size() / 40 + 16);
    batch_.rows.reserve(chunk.items + 1);
    batch_.arena.reserve(chunk.data.size() / 3 + 64);
    row_ = chunk.base;
    column_ = 0;
    in_cell_ = capture_ = in_inline_ = outside_rows_ = false;
    phonetic_depth_ = 0;
    error_ = nullptr;

    if (!parse_chunk(parser_, chunk.data)) {
        if (error_) std::rethrow_exception(error_);
        ErrorLocation where = ctx_.where;
        where.row = row_;
        throw chunk_error(parser_, where, chunk.first_line, chunk.first_column);
    }
    // Arena offsets become pointers now that the arena no longer grows.
    const char* base = batch_.arena.data();
    for (Cell& c : batch_.cells) {
        if (static_cast<uint8_t>(c.type) & kArenaFlag) {
            c.data = base + reinterpret_cast<uintptr_t>(c.data);
            c.type = static_cast<CellType>(static_cast<uint8_t>(c.type) & ~kArenaFlag);
        }
    }
    return std::move(batch_);
}

void XMLCALL SheetChunkParser::on_start(void* d, const XML_Char* name, const XML_Char** attrs) {
    auto* self = user_of<SheetChunkParser>(d);
    switch (classify(name)) {
        case Element::Row:
            self->start_row(attrs);
            break;
        case Element::Cell:
            self->start_cell(attrs);
            break;
        case Element::Value:
            // A <v> after an inline string (seen from some writers) does not replace it.
            if (self->in_cell_ && !self->has_inline_) self->capture_ = true;
            break;
        case Element::InlineString:
            if (self->in_cell_) {
                self->in_inline_ = true;
                self->has_inline_ = true;
                self->batch_.arena.resize(self->value_start_);
            }
            break;
        case Element::Text:
            if (self->in_inline_ && self->phonetic_depth_ == 0) self->capture_ = true;
            break;
        case Element::Phonetic:
            ++self->phonetic_depth_;
            break;
        case Element::Other:
            break;
    }
}

void XMLCALL SheetChunkParser::on_end(void* d, const XML_Char* name) {
    auto* self = user_of<SheetChunkParser>(d);
    switch (classify(name)) {
        case Element::Value:
        case Element::Text:
            self->capture_ = false;
            break;
        case Element::InlineString:
            self->in_inline_ = false;
            break;
        case Element::Phonetic:
            --self->phonetic_depth_;
            break;
        case Element::Cell:
            if (self->in_cell_) self->finish_cell();
            break;
        case Element::Row:
            self->finish_row();
            break;
        case Element::Other:
            break;
    }
}

void XMLCALL SheetChunkParser::on_text(void* d, const XML_Char* s, int len) {
    auto* self = user_of<SheetChunkParser>(d);
    if (!self->capture_) return;
    self->batch_.arena.append(s, static_cast<size_t>(len));
    if (self->batch_.arena.size() - self->value_start_ > self->ctx_.limits.max_cell_bytes)
        self->fail(ErrorKind::LimitExceeded,
                   "the cell holds more than " + std::to_string(self->ctx_.limits.max_cell_bytes) +
                       " bytes (raise --max-cell-size if the file is trusted)");
}

void SheetChunkParser::start_row(const XML_Char** attrs) {
    // The splitter has checked r (order and range); rows without r follow the previous one.
    const char* r = nullptr;
    for (const char** a = attrs; *a; a += 2)
        if (a[0][0] == 'r' && a[0][1] == 0) r = a[1];
    uint64_t number = row_ + 1;
    if (r) parse_uint(r, UINT32_MAX, number);
    row_ = number;
    column_ = 0;
    outside_rows_ = row_ < ctx_.range.first_row || row_ > ctx_.range.last_row;
    if (row_ > ctx_.range.last_row) batch_.past_range = true;
    if (outside_rows_) return;
    batch_.rows.push_back(
        Row{static_cast<uint32_t>(row_), static_cast<uint32_t>(batch_.cells.size()), 0});
}

void SheetChunkParser::start_cell(const XML_Char** attrs) {
    const char* ref = nullptr;
    const char* type = nullptr;
    const char* style = nullptr;
    for (const char** a = attrs; *a; a += 2) {
        const char* n = a[0];
        if (n[1] == 0) {
            if (n[0] == 'r')
                ref = a[1];
            else if (n[0] == 't')
                type = a[1];
            else if (n[0] == 's')
                style = a[1];
        }
    }
    uint32_t column = column_ + 1;
    if (ref) {
        uint32_t col = 0, row = 0;
        if (!parse_cell_ref(ref, col, row) || col == 0) {
            fail(ErrorKind::InvalidValue,
                 std::string("cell reference \"") + ref + "\" is not valid");
            return;
        }
        column = col;
    }
    if (column <= column_) {
        fail(ErrorKind::InvalidValue,
             "cell " + column_name(column) + std::to_string(row_) + " comes after column " +
                 column_name(column_) +
                 "; cells out of order or repeated are refused, as Excel refuses them");
        return;
    }
    if (column > ctx_.limits.max_column) {
        column_ = column;
        fail(ErrorKind::LimitExceeded, "column " + std::to_string(column) +
                                           " is beyond Excel's last column XFD (" +
                                           std::to_string(ctx_.limits.max_column) + ")");
        return;
    }
    column_ = column;
    // Outside the range: not decoded at all (no value, no shared-string lookup).
    if (outside_rows_ || column < ctx_.range.first_column || column > ctx_.range.last_column)
        return;
    style_ = 0;
    if (style && !parse_uint(style, UINT32_MAX, style_)) style_ = 0;
    // Remember the type by a distinguishing letter: "str" and "s" share the first one.
    cell_type_ = 'n';
    if (type) {
        cell_type_ = type[0];
        if (type[0] == 's' && type[1] == 't') cell_type_ = 'S';
    }
    in_cell_ = true;
    has_inline_ = false;
    in_inline_ = false;
    value_start_ = batch_.arena.size();
}

void SheetChunkParser::finish_cell() {
    in_cell_ = false;
    capture_ = false;
    std::string& arena = batch_.arena;
    const size_t start = value_start_;
    size_t length = arena.size() - start;
    CellType type;
    const char* fixed = nullptr;  // static text instead of arena text
    if (has_inline_) cell_type_ = 'i';
    // Whitespace around a number, an index or a boolean (an indented <v>) is not part of it;
    // around text it is.
    if (length > 0 && cell_type_ != 'i' && cell_type_ != 'S' &&
        (is_xml_space(arena[start]) || is_xml_space(arena.back()))) {
        size_t first = start;
        while (first < arena.size() && is_xml_space(arena[first]))
            ++first;
        while (arena.size() > first && is_xml_space(arena.back()))
            arena.pop_back();
        arena.erase(start, first - start);
        length = arena.size() - start;
    }
    switch (cell_type_) {
        case 's': {
            uint64_t index;
            std::string_view raw(arena.data() + start, length);
            if (length == 0) return;
            if (!parse_uint(raw, UINT64_MAX, index) || index >= ctx_.strings->size()) {
                fail(ErrorKind::InvalidValue,
                     "shared string index " + std::string(raw) + " is past the " +
                         std::to_string(ctx_.strings->size()) + " strings of the workbook");
                return;
            }
            arena.resize(start);
            std::string_view s = (*ctx_.strings)[index];
            batch_.cells.push_back(
                Cell{s.data(), static_cast<uint32_t>(s.size()), loaded_column(), CellType::String});
            return;
        }
        case 'i':  // inlineStr
        case 'S':  // str: a formula's string result
            if (length == 0 && !has_inline_ && cell_type_ == 'i') return;
            decode_xstring_escapes(arena, start);
            type = CellType::String;
            break;
        case 'b':
            if (length == 0) return;
            type = CellType::Boolean;
            fixed = (length == 1 && arena[start] == '0') ||
                            std::string_view(arena.data() + start, length) == "false"
                        ? kFalse
                        : kTrue;
            break;
        case 'e':
            if (length == 0) return;
            type = CellType::Error;
            break;
        case 'd': {
            if (length == 0) return;
            scratch_.assign(arena, start, length);
            arena.resize(start);
            if (!append_iso_datetime(arena, scratch_)) {
                fail(ErrorKind::InvalidValue, "ISO date \"" + scratch_ + "\" is not valid");
                return;
            }
            std::string_view v(arena.data() + start, arena.size() - start);
            type = v.size() == 10                 ? CellType::Date
                   : v.size() > 10 && v[4] == '-' ? CellType::DateTime
                                                  : CellType::Time;
            break;
        }
        default: {  // a number
            if (length == 0) return;
            type = CellType::Number;
            NumberKind kind = ctx_.styles->kind(style_);
            if (kind != NumberKind::Number) {
                double serial;
                const char* first = arena.data() + start;
                auto [end, ec] = std::from_chars(first, first + length, serial);
                if (ec == std::errc() && end == first + length) {
                    scratch_.assign(arena, start, length);
                    arena.resize(start);
                    kind = append_serial(arena, serial, kind, ctx_.date1904);
                    if (kind != NumberKind::Number) {
                        type = kind == NumberKind::Date       ? CellType::Date
                               : kind == NumberKind::Time     ? CellType::Time
                               : kind == NumberKind::Duration ? CellType::Duration
                                                              : CellType::DateTime;
                    } else {
                        arena += scratch_;  // out of Excel's date range: Excel shows ####
                    }
                }
            }
            if (type == CellType::Number) canonicalize_number(arena, start);
        }
    }
    if (fixed) {
        arena.resize(start);
        batch_.cells.push_back(
            Cell{fixed, static_cast<uint32_t>(std::strlen(fixed)), loaded_column(), type});
        return;
    }
    length = arena.size() - start;
    batch_.cells.push_back(Cell{reinterpret_cast<const char*>(static_cast<uintptr_t>(start)),
                                static_cast<uint32_t>(length), loaded_column(),
                                static_cast<CellType>(static_cast<uint8_t>(type) | kArenaFlag)});
}

void SheetChunkParser::finish_row() {
    if (outside_rows_ || batch_.rows.empty()) return;
    Row& row = batch_.rows.back();
    row.cell_count = static_cast<uint32_t>(batch_.cells.size()) - row.first_cell;
    if (row.cell_count == 0) batch_.rows.pop_back();  // format-only rows hold no values
}

}  // namespace xlsx
