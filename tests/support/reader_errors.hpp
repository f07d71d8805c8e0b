// Test support: the kind of the reader error a call throws (and its message), or a failure
// when it throws none.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "xlsx/error.hpp"

namespace testsupport {

inline xlsx::ErrorKind error_of(const std::function<void()>& f, std::string* message = nullptr) {
    try {
        f();
    } catch (const xlsx::Error& e) {
        if (message) *message = e.what();
        return e.kind();
    }
    ADD_FAILURE() << "no error";
    return xlsx::ErrorKind::Io;
}

}  // namespace testsupport
