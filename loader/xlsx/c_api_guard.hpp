// What every C API function does at its edge: no exception crosses it; each becomes a status
// and a message (malloc'd, freed with xlsx_free_string). Shared by the reader's and the
// writer's C APIs.
#pragma once

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include "c_api.h"
#include "error.hpp"

namespace xlsx::c_api {

inline xlsx_status status_of(xlsx::ErrorKind kind) {
    using K = xlsx::ErrorKind;
    switch (kind) {
        case K::Io:
            return XLSX_ERR_IO;
        case K::NotWorkbook:
            return XLSX_ERR_NOT_WORKBOOK;
        case K::LegacyXls:
            return XLSX_ERR_LEGACY_XLS;
        case K::Encrypted:
            return XLSX_ERR_ENCRYPTED;
        case K::CorruptZip:
            return XLSX_ERR_CORRUPT_ZIP;
        case K::MissingPart:
            return XLSX_ERR_MISSING_PART;
        case K::MalformedXml:
            return XLSX_ERR_MALFORMED_XML;
        case K::ForbiddenXml:
            return XLSX_ERR_FORBIDDEN_XML;
        case K::LimitExceeded:
            return XLSX_ERR_LIMIT;
        case K::MissingSheet:
            return XLSX_ERR_MISSING_SHEET;
        case K::Unsupported:
            return XLSX_ERR_UNSUPPORTED;
        case K::InvalidValue:
            return XLSX_ERR_INVALID_VALUE;
        case K::WrongPassword:
            return XLSX_ERR_WRONG_PASSWORD;
    }
    return XLSX_ERR_INTERNAL;
}

inline char* copy_string(const std::string& s) {
    char* copy = static_cast<char*>(std::malloc(s.size() + 1));
    if (!copy) throw std::bad_alloc();
    std::memcpy(copy, s.c_str(), s.size() + 1);
    return copy;
}

inline void set_error(char** error, const char* message) {
    if (!error) return;
    *error = static_cast<char*>(std::malloc(std::strlen(message) + 1));
    if (*error) std::strcpy(*error, message);
}

// Runs `body`, turning every exception into a status and a message.
template <typename F>
xlsx_status guarded(char** error, F&& body) {
    if (error) *error = nullptr;
    try {
        return body();
    } catch (const xlsx::Error& e) {
        set_error(error, e.what());
        return status_of(e.kind());
    } catch (const std::bad_alloc&) {
        set_error(error, "out of memory");
        return XLSX_ERR_INTERNAL;
    } catch (const std::invalid_argument& e) {
        set_error(error, e.what());
        return XLSX_ERR_ARGUMENT;
    } catch (const std::exception& e) {
        set_error(error, e.what());
        return XLSX_ERR_INTERNAL;
    } catch (...) {
        set_error(error, "unknown error");
        return XLSX_ERR_INTERNAL;
    }
}

}  // namespace xlsx::c_api
