// What each fuzz target does with its bytes. Shared by the libFuzzer targets (fuzz_*.cpp) and
// by the unit test that replays every saved regression input (regressions/<target>/*).
// An input may be refused with xlsx::Error; anything else escaping, a crash, a leak or
// undefined behaviour is a bug.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fuzz {

void package(const uint8_t* data, size_t size);         // the zip container
void workbook(const uint8_t* data, size_t size);        // a whole .xlsx, every sheet read
void sheet(const uint8_t* data, size_t size);           // sheet XML in a minimal workbook
void shared_strings(const uint8_t* data, size_t size);  // sharedStrings.xml
void styles(const uint8_t* data, size_t size);          // styles.xml
void encrypted(const uint8_t* data, size_t size);       // a password-protected workbook's OLE2
void legacy(const uint8_t* data, size_t size);          // a legacy .xls's BIFF records
void cells(const uint8_t* data, size_t size);  // a value as the server prints it, to a cell

// By target name ("package", "workbook", ...); false for an unknown name.
bool run(const std::string& target, const std::string& input);

}  // namespace fuzz
