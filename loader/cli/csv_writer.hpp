// RFC 4180 CSV in the form PostgreSQL's COPY ... (FORMAT csv) reads: a field is quoted when it
// holds a comma, quote, CR or LF, and an empty string is written "" so that it stays distinct
// from an empty cell (NULL).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace cli {

class CsvWriter {
public:
    explicit CsvWriter(std::FILE* out) : out_(out) { buffer_.reserve(1 << 20); }
    ~CsvWriter() { flush(); }

    void field(std::string_view value, bool is_empty_string_value);
    void empty_field() { separate(); }
    void end_row() {
        buffer_.push_back('\n');
        first_ = true;
        if (buffer_.size() >= (1 << 20)) flush();
    }
    void flush();

private:
    void separate() {
        if (!first_) buffer_.push_back(',');
        first_ = false;
    }
    std::FILE* out_;
    std::string buffer_;
    bool first_ = true;
};

}  // namespace cli
