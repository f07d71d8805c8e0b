// The column types --create and `xlsx2pg schema` choose: the narrowest type that holds every
// value of the column as the reader gives it. Excel's own cell types lead: a text cell keeps
// the column text (so "00123" stays "00123"), dates stay dates; numbers become integer,
// bigint or numeric (exact, never a binary float); anything mixed is text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "row_batch.hpp"

namespace xlsx {

class TypeInference {
public:
    explicit TypeInference(size_t columns) : seen_(columns) {}

    void add(size_t column, CellType type, std::string_view value);
    // A SQL type name (a static string); "text" for a column without values.
    const char* type_of(size_t column) const;

    // What was seen in a column, as one word: kept apart (a load's ledger keeps it per chunk)
    // and merged, it gives the same types as one pass over every value.
    uint32_t evidence(size_t column) const;
    void merge(size_t column, uint32_t evidence);
    size_t columns() const { return seen_.size(); }

private:
    struct Seen {
        uint32_t kinds = 0;  // bit per CellType
        bool fractional = false;
        bool beyond_integer = false;
        bool beyond_bigint = false;
    };
    std::vector<Seen> seen_;
};

}  // namespace xlsx
