#include "copy_out.hpp"

namespace pg {

std::vector<QueryColumn> describe_query(Connection& connection, const std::string& query) {
    Result described = connection.describe(query);
    std::vector<QueryColumn> columns;
    for (int i = 0; i < PQnfields(described.get()); ++i)
        columns.push_back(
            {PQfname(described.get(), i), PQftype(described.get(), i), PQfmod(described.get(), i)});
    return columns;
}

namespace {

// What is left of the query once trailing blanks and semicolons are gone, with a newline
// before COPY's closing parenthesis so that a trailing -- comment cannot swallow it.
std::string copy_statement(const std::string& query) {
    size_t end = query.find_last_not_of(" \t\r\n;");
    return "COPY (" + query.substr(0, end == std::string::npos ? 0 : end + 1) + "\n) TO STDOUT";
}

int octal(char c) {
    return c >= '0' && c <= '7' ? c - '0' : -1;
}

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

void decode_copy_field(std::string_view field, std::string& out) {
    for (size_t i = 0; i < field.size(); ++i) {
        char c = field[i];
        if (c != '\\' || i + 1 == field.size()) {
            out += c;
            continue;
        }
        char e = field[++i];
        switch (e) {
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'v':
                out += '\v';
                break;
            case 'x': {
                int value = 0, digits = 0;
                while (digits < 2 && i + 1 < field.size() && hex(field[i + 1]) >= 0) {
                    value = value * 16 + hex(field[++i]);
                    ++digits;
                }
                if (digits == 0)
                    out += 'x';
                else
                    out += static_cast<char>(value);
                break;
            }
            default:
                if (octal(e) >= 0) {
                    int value = octal(e), digits = 1;
                    while (digits < 3 && i + 1 < field.size() && octal(field[i + 1]) >= 0) {
                        value = value * 8 + octal(field[++i]);
                        ++digits;
                    }
                    out += static_cast<char>(value);
                } else {
                    out += e;  // \\ and any other escaped character
                }
        }
    }
}

CopyOutRows::CopyOutRows(Connection& connection, const std::string& query, size_t columns)
    : connection_(connection), columns_(columns) {
    connection_.start_copy_out(copy_statement(query));
}

CopyOutRows::~CopyOutRows() {
    if (buffer_) PQfreemem(buffer_);
    // Stopped early (an error in the writer): cancel the COPY and read it to its end, so that
    // the connection can roll back.
    if (!done_) connection_.abandon_copy_out();
}

bool CopyOutRows::next(std::vector<std::optional<std::string_view>>& fields) {
    if (buffer_) {
        PQfreemem(buffer_);
        buffer_ = nullptr;
    }
    if (done_) return false;
    int size = connection_.get_copy_data(&buffer_);
    if (size < 0) {
        done_ = true;
        connection_.end_copy_out();  // throws the server's error, if any
        return false;
    }
    bytes_ += static_cast<uint64_t>(size);
    std::string_view line(buffer_, static_cast<size_t>(size));
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    fields.assign(columns_, std::nullopt);
    decoded_.clear();
    // Fields that need decoding go into decoded_; reserve so that views into it stay valid.
    decoded_.reserve(line.size());
    size_t start = 0;
    for (size_t column = 0; column < columns_; ++column) {
        size_t tab = line.find('\t', start);
        std::string_view field =
            line.substr(start, tab == std::string_view::npos ? tab : tab - start);
        start = tab == std::string_view::npos ? line.size() : tab + 1;
        if (field == "\\N") continue;
        if (field.find('\\') == std::string_view::npos) {
            fields[column] = field;
        } else {
            size_t from = decoded_.size();
            decode_copy_field(field, decoded_);
            fields[column] = std::string_view(decoded_).substr(from);
        }
    }
    return true;
}

}  // namespace pg
