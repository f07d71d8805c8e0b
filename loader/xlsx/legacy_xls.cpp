#include "legacy_xls.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <string_view>

#include "biff_records.hpp"
#include "dates.hpp"

namespace xlsx {
namespace {

using namespace biff;

// Record types ([MS-XLS] 2.3).
enum : uint16_t {
    kFormula = 0x0006,
    kEof = 0x000A,
    kDateMode = 0x0022,
    kFilePass = 0x002F,
    kContinue = 0x003C,
    kCodePage = 0x0042,
    kBoundSheet = 0x0085,
    kMulRk = 0x00BD,
    kMergedCells = 0x00E5,
    kRString = 0x00D6,
    kXf = 0x00E0,
    kSst = 0x00FC,
    kLabelSst = 0x00FD,
    kNumber = 0x0203,
    kLabel = 0x0204,
    kBoolErr = 0x0205,
    kString = 0x0207,
    kRk = 0x027E,
    kFormat = 0x041E,
    kBof = 0x0809,
};

// The cells of one sheet as they are decoded.
class SheetCellsBuilder {
public:
    SheetCellsBuilder(LegacySheetCells& out, const std::vector<NumberKind>& xf_kinds, bool date1904)
        : out_(out), xf_kinds_(xf_kinds), date1904_(date1904) {}

    void text(uint16_t row, uint16_t column, CellType type, std::string_view value) {
        size_t start = out_.arena.size();
        out_.arena.append(value);
        push(row, column, type, start);
    }
    void number(uint16_t row, uint16_t column, uint16_t xf, double value) {
        size_t start = out_.arena.size();
        NumberKind kind = xf < xf_kinds_.size() ? xf_kinds_[xf] : NumberKind::Number;
        if (kind != NumberKind::Number) kind = append_serial(out_.arena, value, kind, date1904_);
        CellType type = kind == NumberKind::Date       ? CellType::Date
                        : kind == NumberKind::Time     ? CellType::Time
                        : kind == NumberKind::Duration ? CellType::Duration
                        : kind == NumberKind::DateTime ? CellType::DateTime
                                                       : CellType::Number;
        if (type == CellType::Number) {
            char buffer[32];
            auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
            out_.arena.append(buffer, static_cast<size_t>(end - buffer));
        }
        push(row, column, type, start);
    }

private:
    void push(uint16_t row, uint16_t column, CellType type, size_t start) {
        out_.cells.push_back({row + 1u, column + 1u, type, static_cast<uint32_t>(start),
                              static_cast<uint32_t>(out_.arena.size() - start)});
    }
    LegacySheetCells& out_;
    const std::vector<NumberKind>& xf_kinds_;
    bool date1904_;
};

}  // namespace

LegacyWorkbook::LegacyWorkbook(std::shared_ptr<const std::string> stream, ErrorLocation where)
    : stream_(std::move(stream)), where_(std::move(where)) {
    read_globals();
}

void LegacyWorkbook::read_globals() {
    Records records(*stream_, 0, where_);
    Record r;
    if (!records.next(r) || r.type != kBof || r.data.size() < 4)
        throw Error(ErrorKind::LegacyXls,
                    "this .xls is older than Excel 5 (BIFF2 to BIFF4), which is not read; save "
                    "it as .xlsx and try again",
                    where_);
    uint16_t version = static_cast<uint16_t>(static_cast<uint8_t>(r.data[0]) |
                                             static_cast<uint8_t>(r.data[1]) << 8);
    biff8_ = version == 0x0600;
    if (!biff8_ && version != 0x0500)
        throw Error(ErrorKind::LegacyXls,
                    "the .xls workbook has an unknown BIFF version; save it as .xlsx and try again",
                    where_);
    std::map<uint16_t, NumberKind> formats;
    std::vector<uint16_t> xf_formats;
    while (records.next(r) && r.type != kEof) {
        Cursor c(r.data, where_, "workbook");
        switch (r.type) {
            case kFilePass:
                throw Error(ErrorKind::LegacyXls,
                            "the .xls workbook is encrypted with a password, which is read only "
                            "for .xlsx; open it in Excel or LibreOffice and save it as .xlsx",
                            where_);
            case kCodePage:
                codepage_ = codepage_name(c.u16());
                break;
            case kDateMode:
                date1904_ = c.u16() == 1;
                break;
            case kFormat: {
                uint16_t id = c.u16();
                std::string code =
                    biff8_ ? unicode_string(c, false) : byte_string(c, true, codepage_, where_);
                formats[id] = classify_format(code);
                break;
            }
            case kXf:
                c.skip(2);
                xf_formats.push_back(c.u16());
                break;
            case kBoundSheet: {
                LegacySheet sheet;
                sheet.offset = c.u32();
                uint8_t state = c.u8(), type = c.u8();
                sheet.state = (state & 3) == 1   ? "hidden"
                              : (state & 3) == 2 ? "veryHidden"
                                                 : "visible";
                sheet.kind = type == 0   ? "worksheet"
                             : type == 1 ? "macrosheet"
                             : type == 2 ? "chartsheet"
                                         : "vbmodule";
                sheet.name =
                    biff8_ ? unicode_string(c, true) : byte_string(c, true, codepage_, where_);
                sheets_.push_back(std::move(sheet));
                break;
            }
            case kSst: {
                while (records.peek_type() == kContinue) {
                    Record more;
                    records.next(more);
                    c.add(more.data);
                }
                c.skip(4);
                uint32_t unique = c.u32();
                // Each string takes 3 bytes at least: a count past the record is damage.
                if (unique > stream_->size() / 3)
                    damaged(where_, "the shared string table counts more strings than it holds");
                strings_.reserve(unique);
                for (uint32_t i = 0; i < unique; ++i)
                    strings_.push_back(unicode_string(c, false));
                break;
            }
            default:
                break;
        }
    }
    xf_kinds_.reserve(xf_formats.size());
    for (uint16_t id : xf_formats) {
        auto it = formats.find(id);
        xf_kinds_.push_back(it != formats.end() ? it->second : builtin_format_kind(id));
    }
}

LegacySheetCells LegacyWorkbook::read_sheet(size_t index, const std::string& sheet_name) const {
    ErrorLocation where = where_;
    where.sheet = sheet_name;
    LegacySheetCells out;
    SheetCellsBuilder cells(out, xf_kinds_, date1904_);
    const size_t start = sheets_.at(index).offset;
    Records records(*stream_, start, where);
    Record r;
    if (!records.next(r) || r.type != kBof)
        damaged(where, "the sheet's records do not start where the sheet list says");
    int depth = 1;  // a chart inside a sheet nests its own BOF ... EOF
    bool string_pending = false;
    uint16_t string_row = 0, string_column = 0;
    while (depth > 0 && records.next(r)) {
        if (r.type == kBof) ++depth;
        if (r.type == kEof) --depth;
        if (depth != 1) continue;
        Cursor c(r.data, where, "cell");
        switch (r.type) {
            case kNumber: {
                uint16_t row = c.u16(), col = c.u16(), xf = c.u16();
                cells.number(row, col, xf, c.f64());
                break;
            }
            case kRk: {
                uint16_t row = c.u16(), col = c.u16(), xf = c.u16();
                cells.number(row, col, xf, rk_value(c.u32()));
                break;
            }
            case kMulRk: {
                uint16_t row = c.u16(), col = c.u16();
                for (size_t n = (r.data.size() - 6) / 6; n > 0; --n, ++col) {
                    uint16_t xf = c.u16();
                    cells.number(row, col, xf, rk_value(c.u32()));
                }
                break;
            }
            case kLabelSst: {
                uint16_t row = c.u16(), col = c.u16();
                c.skip(2);
                uint32_t i = c.u32();
                if (i >= strings_.size())
                    damaged(where, "shared string " + std::to_string(i) + " is past the " +
                                       std::to_string(strings_.size()) + " strings");
                cells.text(row, col, CellType::String, strings_[i]);
                break;
            }
            case kLabel:
            case kRString: {
                uint16_t row = c.u16(), col = c.u16();
                c.skip(2);
                cells.text(
                    row, col, CellType::String,
                    biff8_ ? unicode_string(c, false) : byte_string(c, false, codepage_, where));
                break;
            }
            case kBoolErr: {
                uint16_t row = c.u16(), col = c.u16();
                c.skip(2);
                uint8_t value = c.u8(), is_error = c.u8();
                if (is_error)
                    cells.text(row, col, CellType::Error, error_text(value));
                else
                    cells.text(row, col, CellType::Boolean, value ? "true" : "false");
                break;
            }
            case kFormula: {  // its cached value; a string one follows in a STRING record
                uint16_t row = c.u16(), col = c.u16(), xf = c.u16();
                if (r.data.size() < 14) damaged(where, "a FORMULA record is cut short");
                auto byte = [&](size_t i) { return static_cast<uint8_t>(r.data[6 + i]); };
                if (byte(6) != 0xFF || byte(7) != 0xFF) {
                    cells.number(row, col, xf, c.f64());
                } else if (byte(0) == 0) {
                    string_pending = true, string_row = row, string_column = col;
                } else if (byte(0) == 1) {
                    cells.text(row, col, CellType::Boolean, byte(2) ? "true" : "false");
                } else if (byte(0) == 2) {
                    cells.text(row, col, CellType::Error, error_text(byte(2)));
                }  // 3: an empty string, no value
                break;
            }
            case kMergedCells:
                for (uint16_t n = c.u16(); n > 0; --n) {
                    CellRange m;
                    m.first_row = c.u16() + 1u;
                    m.last_row = c.u16() + 1u;
                    m.first_column = c.u16() + 1u;
                    m.last_column = c.u16() + 1u;
                    if (m.first_row <= m.last_row && m.first_column <= m.last_column)
                        out.merges.push_back(m);
                }
                break;
            case kString:
                if (!string_pending) break;
                while (records.peek_type() == kContinue) {
                    Record more;
                    records.next(more);
                    c.add(more.data);
                }
                cells.text(
                    string_row, string_column, CellType::String,
                    biff8_ ? unicode_string(c, false) : byte_string(c, false, codepage_, where));
                string_pending = false;
                break;
            default:
                break;
        }
    }
    out.record_bytes = records.position() - start;
    // Cells come row block by row block, in order; sort to be sure, the last of a repeat wins.
    std::stable_sort(out.cells.begin(), out.cells.end(), [](const auto& a, const auto& b) {
        return a.row != b.row ? a.row < b.row : a.column < b.column;
    });
    auto last = std::unique(out.cells.rbegin(), out.cells.rend(), [](const auto& a, const auto& b) {
        return a.row == b.row && a.column == b.column;
    });
    out.cells.erase(out.cells.begin(), last.base());
    return out;
}

}  // namespace xlsx
