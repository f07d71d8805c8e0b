// What can stop a command, as one table: each kind's name (in --json, serve's answers and the
// README), the exit code of `xlsx2pg load` and serve's HTTP status. A new kind is a new row
// here; the README's list is checked against the table by a unit test.
#pragma once

#include <exception>
#include <span>
#include <stdexcept>
#include <string>

#include "xlsx/error.hpp"

namespace load {

// The exit code of a command that failed and changed nothing (most kinds').
constexpr int kExitFailure = 2;
// A password that does not open the workbook: a script may ask for another.
constexpr int kExitWrongPassword = 4;

enum class ErrorKind {
    // The reader's (xlsx::ErrorKind), one for one.
    Io,
    NotWorkbook,
    LegacyXls,
    Encrypted,
    CorruptZip,
    MissingPart,
    MalformedXml,
    ForbiddenXml,
    LimitExceeded,
    MissingSheet,
    Unsupported,
    InvalidValue,
    WrongPassword,
    // The load's.
    InvalidInput,
    TooManyRejects,
    ForbiddenTarget,
    Database,
    Interrupted,
    Internal,  // anything else: a bug or the machine; no name in --json, as before kinds
};

struct ErrorKindInfo {
    ErrorKind kind;
    const char* name;  // "" for Internal
    int exit_code;     // Interrupted: 128 + the signal, 130 for SIGINT
    int http_status;
    const char* meaning;
};

// Every kind, in the enum's order.
std::span<const ErrorKindInfo> error_kinds();
const ErrorKindInfo& info_of(ErrorKind kind);

ErrorKind kind_of_reader_error(xlsx::ErrorKind kind);
// The kind of whatever was thrown: a reader error's own, a LoadError's, a server's (a data
// error, class 22/23, is the sheet's fault), an invalid_argument's (the options').
ErrorKind kind_of(const std::exception& e);

// A load that stopped, and what kind of thing stopped it. Reader errors stay xlsx::Error.
class LoadError : public std::runtime_error {
public:
    LoadError(ErrorKind kind, const std::string& message)
        : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const { return kind_; }

private:
    ErrorKind kind_;
};

}  // namespace load
