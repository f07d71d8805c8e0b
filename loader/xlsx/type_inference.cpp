#include "type_inference.hpp"

#include <charconv>

namespace xlsx {

namespace {

constexpr uint32_t bit(CellType type) {
    return 1u << static_cast<unsigned>(type);
}

}  // namespace

void TypeInference::add(size_t column, CellType type, std::string_view value) {
    Seen& seen = seen_[column];
    seen.kinds |= bit(type);
    if (type != CellType::Number || seen.fractional) return;
    int64_t whole = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), whole);
    if (end != value.data() + value.size() ||
        (ec != std::errc() && ec != std::errc::result_out_of_range)) {
        seen.fractional = true;  // a point or an exponent: numeric
        return;
    }
    if (ec == std::errc::result_out_of_range) {
        seen.beyond_bigint = true;
    } else if (whole < INT32_MIN || whole > INT32_MAX) {
        seen.beyond_integer = true;
    }
}

namespace {
constexpr uint32_t kFractional = 1u << 16, kBeyondInteger = 1u << 17, kBeyondBigint = 1u << 18;
}

uint32_t TypeInference::evidence(size_t column) const {
    const Seen& seen = seen_[column];
    return seen.kinds | (seen.fractional ? kFractional : 0) |
           (seen.beyond_integer ? kBeyondInteger : 0) | (seen.beyond_bigint ? kBeyondBigint : 0);
}

void TypeInference::merge(size_t column, uint32_t evidence) {
    Seen& seen = seen_[column];
    seen.kinds |= evidence & 0xffff;
    seen.fractional |= (evidence & kFractional) != 0;
    seen.beyond_integer |= (evidence & kBeyondInteger) != 0;
    seen.beyond_bigint |= (evidence & kBeyondBigint) != 0;
}

const char* TypeInference::type_of(size_t column) const {
    const Seen& seen = seen_[column];
    switch (seen.kinds) {
        case bit(CellType::Number):
            if (seen.fractional || seen.beyond_bigint) return "numeric";
            return seen.beyond_integer ? "bigint" : "integer";
        case bit(CellType::Boolean):
            return "boolean";
        case bit(CellType::Date):
            return "date";
        case bit(CellType::Date) | bit(CellType::DateTime):
        case bit(CellType::DateTime):
            return "timestamp";
        case bit(CellType::Time):
            return "time";
        case bit(CellType::Duration):
        case bit(CellType::Duration) | bit(CellType::Time):
            return "interval";
        default:
            return "text";
    }
}

}  // namespace xlsx
