#include "error.hpp"

namespace xlsx {

const char* error_kind_name(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::Io:
            return "io";
        case ErrorKind::NotWorkbook:
            return "not_workbook";
        case ErrorKind::LegacyXls:
            return "legacy_xls";
        case ErrorKind::Encrypted:
            return "encrypted";
        case ErrorKind::CorruptZip:
            return "corrupt_zip";
        case ErrorKind::MissingPart:
            return "missing_part";
        case ErrorKind::MalformedXml:
            return "malformed_xml";
        case ErrorKind::ForbiddenXml:
            return "forbidden_xml";
        case ErrorKind::LimitExceeded:
            return "limit_exceeded";
        case ErrorKind::MissingSheet:
            return "missing_sheet";
        case ErrorKind::Unsupported:
            return "unsupported";
        case ErrorKind::InvalidValue:
            return "invalid_value";
        case ErrorKind::WrongPassword:
            return "wrong_password";
    }
    return "unknown";
}

std::string column_name(uint32_t column) {
    std::string name;
    while (column > 0) {
        uint32_t rem = (column - 1) % 26;
        name.insert(name.begin(), static_cast<char>('A' + rem));
        column = (column - 1) / 26;
    }
    return name;
}

Error::Error(ErrorKind kind, std::string detail, ErrorLocation where)
    : std::runtime_error(format(kind, detail, where)),
      kind_(kind),
      detail_(std::move(detail)),
      where_(std::move(where)) {}

std::string Error::format(ErrorKind, const std::string& detail, const ErrorLocation& w) {
    std::string out;
    if (!w.file.empty()) out += w.file;
    if (!w.part.empty()) out += (out.empty() ? "" : ": ") + std::string("part ") + w.part;
    if (w.line != 0) {
        out += " line " + std::to_string(w.line);
        if (w.xml_column != 0) out += " column " + std::to_string(w.xml_column);
    }
    if (!w.sheet.empty())
        out += (out.empty() ? "" : ": ") + std::string("sheet \"") + w.sheet + "\"";
    if (w.row != 0) {
        out += " cell ";
        out += w.column != 0 ? column_name(w.column) : std::string("row ");
        out += std::to_string(w.row);
    }
    if (!out.empty()) out += ": ";
    out += detail;
    return out;
}

}  // namespace xlsx
