#include "row_batch.hpp"

namespace xlsx {

const char* cell_type_name(CellType type) {
    switch (type) {
        case CellType::String:
            return "string";
        case CellType::Number:
            return "number";
        case CellType::Boolean:
            return "boolean";
        case CellType::Error:
            return "error";
        case CellType::Date:
            return "date";
        case CellType::Time:
            return "time";
        case CellType::DateTime:
            return "datetime";
        case CellType::Duration:
            return "duration";
    }
    return "unknown";
}

}  // namespace xlsx
