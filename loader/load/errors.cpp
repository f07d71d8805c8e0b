#include "errors.hpp"

#include "pg/connection.hpp"

namespace load {

namespace {

constexpr ErrorKindInfo kKinds[] = {
    {ErrorKind::Io, "io", kExitFailure, 500, "the file cannot be opened or read"},
    {ErrorKind::NotWorkbook, "not_workbook", kExitFailure, 422,
     "empty, or neither a zip package nor an OLE2 file"},
    {ErrorKind::LegacyXls, "legacy_xls", kExitFailure, 422,
     "a legacy .xls not read (before Excel 5, or encrypted)"},
    {ErrorKind::Encrypted, "encrypted", kExitFailure, 422,
     "a password-protected workbook and no password, or an encryption not read"},
    {ErrorKind::CorruptZip, "corrupt_zip", kExitFailure, 422,
     "a damaged zip: central directory, local header or CRC"},
    {ErrorKind::MissingPart, "missing_part", kExitFailure, 422,
     "a part the workbook needs is not in the package"},
    {ErrorKind::MalformedXml, "malformed_xml", kExitFailure, 422, "a part is not well-formed XML"},
    {ErrorKind::ForbiddenXml, "forbidden_xml", kExitFailure, 422,
     "a DOCTYPE or entity declaration (never expanded)"},
    {ErrorKind::LimitExceeded, "limit_exceeded", kExitFailure, 422,
     "a size, expansion or time bound was hit"},
    {ErrorKind::MissingSheet, "missing_sheet", kExitFailure, 422, "no such sheet or Excel table"},
    {ErrorKind::Unsupported, "unsupported", kExitFailure, 422,
     "valid, but not read (a chart sheet, an encoding iconv lacks)"},
    {ErrorKind::InvalidValue, "invalid_value", kExitFailure, 422,
     "a cell whose value does not match its type"},
    {ErrorKind::WrongPassword, "wrong_password", kExitWrongPassword, 422,
     "the password does not open the workbook"},
    {ErrorKind::InvalidInput, "invalid_input", kExitFailure, 422,
     "the sheet or the options do not fit the table"},
    {ErrorKind::TooManyRejects, "too_many_rejects", kExitFailure, 422,
     "more rejected rows than --max-rejects or --max-reject-ratio allow"},
    {ErrorKind::ForbiddenTarget, "forbidden_target", kExitFailure, 403,
     "the table is in a schema the load may not write into"},
    {ErrorKind::Database, "database", kExitFailure, 503, "the server refused or went away"},
    {ErrorKind::Interrupted, "interrupted", 130, 503,
     "stopped by SIGINT (exit code 130) or SIGTERM (143)"},
    {ErrorKind::Internal, "", kExitFailure, 500, "anything else"},
};

static_assert(std::size(kKinds) == static_cast<size_t>(ErrorKind::Internal) + 1);

}  // namespace

std::span<const ErrorKindInfo> error_kinds() {
    return kKinds;
}

const ErrorKindInfo& info_of(ErrorKind kind) {
    return kKinds[static_cast<size_t>(kind)];
}

// The reader's kinds come first, in the reader's order (unit.ErrorKinds checks every name).
static_assert(static_cast<int>(ErrorKind::Io) == static_cast<int>(xlsx::ErrorKind::Io));
static_assert(static_cast<int>(ErrorKind::WrongPassword) ==
              static_cast<int>(xlsx::ErrorKind::WrongPassword));

ErrorKind kind_of_reader_error(xlsx::ErrorKind kind) {
    return static_cast<ErrorKind>(static_cast<int>(kind));
}

ErrorKind kind_of(const std::exception& e) {
    if (auto* reader = dynamic_cast<const xlsx::Error*>(&e))
        return kind_of_reader_error(reader->kind());
    if (auto* load = dynamic_cast<const LoadError*>(&e)) return load->kind();
    if (auto* server = dynamic_cast<const pg::PgError*>(&e))
        return server->is_data_error() ? ErrorKind::InvalidInput : ErrorKind::Database;
    if (dynamic_cast<const std::invalid_argument*>(&e)) return ErrorKind::InvalidInput;
    return ErrorKind::Internal;
}

}  // namespace load
