// Errors of the reader. Exceptions are thrown at the edges (opening a part, a chunk that
// failed); the hot path returns codes. Every error names the file and, where known, the part,
// the sheet row and the column, so a user can find the cell in Excel.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace xlsx {

enum class ErrorKind {
    Io,             // the file cannot be opened or read
    NotWorkbook,    // empty file, or neither a zip nor an OLE2 container
    LegacyXls,      // a legacy .xls that is not read: before Excel 5 (BIFF2-4), or encrypted
    Encrypted,      // OLE2 container holding EncryptionInfo: password protected, none given
    CorruptZip,     // damaged central directory, local header or CRC
    MissingPart,    // a part the workbook needs is not in the package
    MalformedXml,   // expat refused the XML
    ForbiddenXml,   // DOCTYPE or entity declaration: never expanded
    LimitExceeded,  // a size or expansion bound was hit (zip bomb, huge cell)
    MissingSheet,   // the requested sheet is not in the workbook
    Unsupported,    // valid but not handled (UTF-16 parts, ...)
    InvalidValue,   // a cell whose value does not match its type
    WrongPassword,  // the password given does not open the encrypted workbook
};

const char* error_kind_name(ErrorKind kind);

// Where in the workbook an error happened. Fields left empty or 0 are unknown.
struct ErrorLocation {
    ErrorLocation() = default;
    explicit ErrorLocation(std::string file_name, std::string part_name = {},
                           std::string sheet_name = {})
        : file(std::move(file_name)), part(std::move(part_name)), sheet(std::move(sheet_name)) {}

    std::string file;
    std::string part;
    std::string sheet;
    uint64_t row = 0;     // sheet row, 1-based
    uint32_t column = 0;  // sheet column, 1-based
    uint64_t line = 0;    // XML line within the part, 1-based
    uint64_t xml_column = 0;
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, std::string detail, ErrorLocation where = {});

    ErrorKind kind() const { return kind_; }
    const std::string& detail() const { return detail_; }
    const ErrorLocation& where() const { return where_; }

private:
    static std::string format(ErrorKind kind, const std::string& detail, const ErrorLocation& w);
    ErrorKind kind_;
    std::string detail_;
    ErrorLocation where_;
};

// "A1"-style name of a 1-based column number.
std::string column_name(uint32_t column);

}  // namespace xlsx
