// A row chunk: the rows of one range of sheet rows, each with exactly one value (or NULL) per
// target column, and the rows the loader itself refused in that range. It is the unit of a
// transaction in staging mode (with its ledger row) and of a savepoint in direct mode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace load {

struct Reject {
    uint32_t sheet_row = 0;
    std::string column;
    std::string value;
    std::string target_type;
    std::string reason;
};

class RowChunk {
public:
    uint64_t number = 0;
    uint32_t first_row = 0;  // of the range, whether or not the rows hold data
    uint32_t last_row = 0;
    std::vector<Reject> rejects;
    // What its values say of each sheet column's type (TypeInference::evidence, [0] unused),
    // when the load decides the types of a new table while staging.
    std::vector<uint32_t> type_evidence;

    explicit RowChunk(size_t columns = 0) : columns_(columns) {}

    size_t columns() const { return columns_; }
    size_t rows() const { return sheet_rows_.size(); }
    uint32_t sheet_row(size_t row) const { return sheet_rows_[row]; }
    uint64_t bytes() const { return arena_.size(); }

    void begin_row(uint32_t sheet_row) { sheet_rows_.push_back(sheet_row); }
    void add(std::optional<std::string_view> value) {
        if (!value) {
            values_.push_back({0, kNull});
            return;
        }
        values_.push_back(
            {static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(value->size())});
        arena_.append(*value);
    }
    std::optional<std::string_view> value(size_t row, size_t column) const {
        const Ref& ref = values_[row * columns_ + column];
        if (ref.size == kNull) return std::nullopt;
        return std::string_view(arena_).substr(ref.offset, ref.size);
    }

private:
    static constexpr uint32_t kNull = UINT32_MAX;
    struct Ref {
        uint32_t offset;
        uint32_t size;
    };
    size_t columns_;
    std::vector<uint32_t> sheet_rows_;
    std::vector<Ref> values_;
    std::string arena_;
};

}  // namespace load
