#include "chunk_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "pg/copy_text.hpp"

namespace load {

namespace {

constexpr size_t kCopyBufferBytes = 1 << 20;
constexpr size_t kMaxParameters = 65535;  // the protocol's limit per statement

// "COPY t, line 12, column name: ..." -> 12; 0 when there is no line.
size_t copy_line(const std::string& context) {
    size_t at = context.find(", line ");
    if (at == std::string::npos) return 0;
    return std::strtoull(context.c_str() + at + 7, nullptr, 10);
}

}  // namespace

ChunkWriter::ChunkWriter(pg::Connection& conn, const WriteTarget& target, Method method,
                         size_t batch_size)
    : conn_(conn), target_(target), method_(method) {
    size_t per_row = target.columns.size() + (target.sheet_row_column ? 1 : 0);
    batch_rows_ =
        method == Method::Insert ? 1 : std::clamp<size_t>(batch_size, 1, kMaxParameters / per_row);
    if (target.sheet_row_column) column_list_ = "xlsx_sheet_row";
    for (const std::string& column : target.columns) {
        if (!column_list_.empty()) column_list_ += ", ";
        column_list_ += pg::quote_ident(column);
    }
}

uint64_t ChunkWriter::write(const RowChunk& chunk, std::vector<Reject>& rejects) {
    if (chunk.rows() == 0) return 0;
    conn_.exec("SAVEPOINT xlsx2pg_chunk");
    try {
        send(chunk, 0, chunk.rows());
        conn_.exec("RELEASE SAVEPOINT xlsx2pg_chunk");
        return chunk.rows();
    } catch (const pg::PgError& e) {
        if (!e.is_data_error()) throw;
        conn_.exec("ROLLBACK TO SAVEPOINT xlsx2pg_chunk");
    }
    uint64_t written = method_ == Method::Copy ? write_copy_slowly(chunk, rejects)
                                               : write_rows_one_by_one(chunk, rejects);
    conn_.exec("RELEASE SAVEPOINT xlsx2pg_chunk");
    return written;
}

void ChunkWriter::send(const RowChunk& chunk, size_t begin, size_t end) {
    if (begin >= end) return;
    if (method_ == Method::Copy) {
        copy(chunk, begin, end);
    } else {
        for (size_t row = begin; row < end; row += batch_rows_)
            insert(chunk, row, std::min(end, row + batch_rows_));
    }
}

void ChunkWriter::copy(const RowChunk& chunk, size_t begin, size_t end) {
    conn_.start_copy(fmt::format("COPY {} ({}) FROM STDIN", target_.table, column_list_));
    buffer_.clear();
    for (size_t row = begin; row < end; ++row) {
        if (target_.sheet_row_column) {
            char digits[16];
            char* end = std::to_chars(digits, digits + sizeof digits, chunk.sheet_row(row)).ptr;
            buffer_.append(digits, end);
            buffer_ += '\t';
        }
        for (size_t column = 0; column < chunk.columns(); ++column) {
            if (column > 0) buffer_ += '\t';
            if (auto value = chunk.value(row, column))
                pg::append_copy_value(buffer_, *value);
            else
                pg::append_copy_null(buffer_);
        }
        buffer_ += '\n';
        if (buffer_.size() >= kCopyBufferBytes) {
            conn_.put_copy(buffer_.data(), buffer_.size());
            buffer_.clear();
        }
    }
    if (!buffer_.empty()) conn_.put_copy(buffer_.data(), buffer_.size());
    conn_.end_copy();
}

void ChunkWriter::insert(const RowChunk& chunk, size_t begin, size_t end) {
    std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ", target_.table, column_list_);
    std::vector<std::optional<std::string>> params;
    for (size_t row = begin; row < end; ++row) {
        sql += row == begin ? "(" : ", (";
        if (target_.sheet_row_column) {
            params.emplace_back(std::to_string(chunk.sheet_row(row)));
            sql += fmt::format("${}, ", params.size());
        }
        for (size_t column = 0; column < chunk.columns(); ++column) {
            auto value = chunk.value(row, column);
            params.emplace_back(value ? std::optional<std::string>(*value) : std::nullopt);
            sql += fmt::format("{}${}", column == 0 ? "" : ", ", params.size());
        }
        sql += ')';
    }
    conn_.exec(sql, params);
}

// COPY stops at the first bad line; the rows before it are good. Re-send those, reject the
// line, and go on from the next one under a new savepoint.
uint64_t ChunkWriter::write_copy_slowly(const RowChunk& chunk, std::vector<Reject>& rejects) {
    uint64_t written = 0;
    size_t begin = 0;
    while (begin < chunk.rows()) {
        conn_.exec("SAVEPOINT xlsx2pg_rows");
        try {
            copy(chunk, begin, chunk.rows());
            conn_.exec("RELEASE SAVEPOINT xlsx2pg_rows");
            return written + (chunk.rows() - begin);
        } catch (const pg::PgError& e) {
            if (!e.is_data_error()) throw;
            conn_.exec("ROLLBACK TO SAVEPOINT xlsx2pg_rows");
            size_t line = copy_line(e.context());
            if (line == 0 || begin + line > chunk.rows()) throw;  // not a row's fault after all
            size_t bad = begin + line - 1;
            rejects.push_back(reject_of(chunk, bad, e));
            copy(chunk, begin, bad);
            conn_.exec("RELEASE SAVEPOINT xlsx2pg_rows");
            written += bad - begin;
            begin = bad + 1;
        }
    }
    return written;
}

uint64_t ChunkWriter::write_rows_one_by_one(const RowChunk& chunk, std::vector<Reject>& rejects) {
    uint64_t written = 0;
    for (size_t row = 0; row < chunk.rows(); ++row) {
        conn_.exec("SAVEPOINT xlsx2pg_rows");
        try {
            insert(chunk, row, row + 1);
            conn_.exec("RELEASE SAVEPOINT xlsx2pg_rows");
            ++written;
        } catch (const pg::PgError& e) {
            if (!e.is_data_error()) throw;
            conn_.exec("ROLLBACK TO SAVEPOINT xlsx2pg_rows");
            rejects.push_back(reject_of(chunk, row, e));
        }
    }
    return written;
}

// The column comes from the error (NOT NULL violations) or from COPY's context
// ("..., column name: ..."); the longest of our column names that fits wins.
Reject ChunkWriter::reject_of(const RowChunk& chunk, size_t row, const pg::PgError& e) const {
    Reject reject{chunk.sheet_row(row), e.column(), "", "", e.primary()};
    int found = -1;
    for (size_t i = 0; i < target_.columns.size(); ++i) {
        const std::string& name = target_.columns[i];
        bool named =
            e.column() == name || e.context().find(", column " + name + ":") != std::string::npos;
        if (named && (found < 0 || name.size() > target_.columns[found].size()))
            found = static_cast<int>(i);
    }
    if (found >= 0) {
        reject.column = target_.columns[found];
        reject.target_type = target_.types[found];
        if (auto value = chunk.value(row, found)) reject.value = std::string(*value);
    }
    return reject;
}

}  // namespace load
