// libFuzzer target: see fuzz_entries.hpp.
#include "fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::cells(data, size);
    return 0;
}
