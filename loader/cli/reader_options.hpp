// Options every command that reads a workbook shares: threads, the safety bounds and a
// password-protected workbook's password.
#pragma once

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

#include "password.hpp"
#include "xlsx/workbook.hpp"

namespace cli {

inline unsigned default_threads() {
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 2 : n;
}

inline void add_reader_options(CLI::App& cmd, xlsx::ReaderOptions& o) {
    o.threads = default_threads();
    cmd.add_option("--threads,-j", o.threads, "XML parser threads (1: no threads)")
        ->capture_default_str()
        ->check(CLI::Range(1u, 256u));
    cmd.add_option("--chunk-size", o.chunk_bytes, "bytes of sheet XML per parallel chunk")
        ->capture_default_str()
        ->check(CLI::Range(size_t{4096}, size_t{1} << 30));
    cmd.add_option("--max-part-size", o.limits.max_part_bytes, "largest uncompressed part in bytes")
        ->capture_default_str();
    cmd.add_option("--max-ratio", o.limits.max_expansion_ratio,
                   "largest compression ratio of a part (zip bomb guard)")
        ->capture_default_str();
    cmd.add_option("--max-cell-size", o.limits.max_cell_bytes, "largest cell value in bytes")
        ->capture_default_str();
    cmd.add_option("--max-strings-size", o.limits.max_shared_strings_bytes,
                   "largest total of shared-string text in bytes")
        ->capture_default_str();
    add_password_option(cmd, o);
}

// A warning on stderr for each worksheet whose part is missing, other than those in `reading`
// (reading those fails with the same words).
inline void warn_missing_parts(const xlsx::Workbook& workbook,
                               const std::vector<const xlsx::SheetInfo*>& reading) {
    for (const auto& sheet : workbook.sheets())
        if (sheet.part_missing &&
            std::find(reading.begin(), reading.end(), &sheet) == reading.end())
            std::fprintf(stderr, "xlsx2pg: warning: %s: %s\n", workbook.path().c_str(),
                         xlsx::missing_part_message(sheet).c_str());
}

}  // namespace cli
