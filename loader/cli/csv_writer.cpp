#include "csv_writer.hpp"

#include <cstring>
#include <stdexcept>

namespace cli {

void CsvWriter::field(std::string_view value, bool is_empty_string_value) {
    separate();
    if (value.empty()) {
        if (is_empty_string_value) buffer_ += "\"\"";
        return;
    }
    bool quote = false;
    for (char c : value)
        if (c == ',' || c == '"' || c == '\n' || c == '\r') {
            quote = true;
            break;
        }
    // A lone \. line would end COPY's CSV input early; quoting keeps it a value.
    if (value == "\\.") quote = true;
    if (!quote) {
        buffer_.append(value);
        return;
    }
    buffer_.push_back('"');
    for (char c : value) {
        if (c == '"') buffer_.push_back('"');
        buffer_.push_back(c);
    }
    buffer_.push_back('"');
}

void CsvWriter::flush() {
    if (buffer_.empty()) return;
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size())
        throw std::runtime_error(std::string("cannot write output: ") + std::strerror(errno));
    buffer_.clear();
}

}  // namespace cli
