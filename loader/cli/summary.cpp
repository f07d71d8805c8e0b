#include "summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace cli {

namespace {

std::string thousands(uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

double rate(uint64_t rows, double seconds) {
    return seconds > 0 ? rows / seconds : 0;
}

// ", into a Citus table distributed by id (staged on its shards)"
std::string citus_note(const load::LoadResult& r) {
    if (r.citus.empty()) return "";
    std::string note = ", into a Citus " + r.citus + " table";
    if (r.citus == "distributed") note += " by " + r.distribution_column;
    if (r.mode == "staging")
        note += r.colocated_staging ? " (staged on its shards)" : " (staged on the coordinator)";
    return note;
}

nlohmann::json citus_json(const load::LoadResult& r) {
    if (r.citus.empty()) return nullptr;
    nlohmann::json citus = {{"table", r.citus}};
    if (r.citus == "distributed") citus["distribution_column"] = r.distribution_column;
    if (r.mode == "staging") citus["staging"] = r.colocated_staging ? "colocated" : "coordinator";
    return citus;
}

}  // namespace

std::string summary_table(const std::vector<load::LoadResult>& results) {
    // Several files: each row names its file too ("jan.xlsx:Orders").
    bool several_files = std::any_of(results.begin(), results.end(),
                                     [&](const auto& r) { return r.file != results.front().file; });
    auto source_of = [&](const load::LoadResult& r) {
        if (!several_files) return r.sheet;
        return std::filesystem::path(r.file).filename().string() + ":" + r.sheet;
    };
    std::string out = fmt::format("{:<20} {:<28} {:>11} {:>11} {:>9} {:>9} {:>11} {:>7}\n",
                                  several_files ? "file:sheet" : "sheet", "target", "rows read",
                                  "loaded", "rejected", "time", "rows/s", "run");
    out += std::string(113, '-') + '\n';
    uint64_t read = 0, loaded = 0, rejected = 0;
    double seconds = 0;
    for (const auto& r : results) {
        out += fmt::format(
            "{:<20} {:<28} {:>11} {:>11} {:>9} {:>8.2f}s {:>11} {:>7}\n", source_of(r), r.target,
            thousands(r.rows_read), thousands(r.rows_loaded), thousands(r.rows_rejected), r.seconds,
            thousands(static_cast<uint64_t>(rate(r.rows_loaded, r.seconds))), r.run_id);
        read += r.rows_read;
        loaded += r.rows_loaded;
        rejected += r.rows_rejected;
        seconds += r.seconds;
    }
    if (results.size() > 1) {
        out += std::string(113, '-') + '\n';
        out += fmt::format("{:<49} {:>11} {:>11} {:>9} {:>8.2f}s {:>11}\n", "total",
                           thousands(read), thousands(loaded), thousands(rejected), seconds,
                           thousands(static_cast<uint64_t>(rate(loaded, seconds))));
    }
    for (const auto& r : results) {
        if (r.first_rejects.empty()) continue;
        out += fmt::format("\nrejected rows of {} (first {}; all in xlsx.rejects, run {}):\n",
                           r.sheet, r.first_rejects.size(), r.run_id);
        for (const auto& j : r.first_rejects)
            out += fmt::format("  row {}{}: {}\n", j.sheet_row,
                               j.column.empty() ? "" : ", column " + j.column, j.reason);
    }
    if (!results.empty()) {
        const auto& r = results.front();
        std::string file = several_files ? "several files" : "file " + r.file;
        out += fmt::format("\n{}, {} mode, {} over {} connection{}{}{}\n", file, r.mode, r.method,
                           r.connections, r.connections == 1 ? "" : "s",
                           r.resumed ? ", resumed" : "", citus_note(r));
    }
    return out;
}

nlohmann::json summary_json(const LoadReport& report) {
    const auto& results = report.results;
    nlohmann::json loads = nlohmann::json::array();
    uint64_t read = 0, loaded = 0, rejected = 0;
    double seconds = 0;
    for (const auto& r : results) {
        nlohmann::json rejects = nlohmann::json::array();
        for (const auto& j : r.first_rejects)
            rejects.push_back({{"sheet_row", j.sheet_row},
                               {"column", j.column},
                               {"value", j.value},
                               {"target_type", j.target_type},
                               {"reason", j.reason}});
        loads.push_back({{"file", r.file},
                         {"sheet", r.sheet},
                         {"target", r.target},
                         {"run_id", r.run_id},
                         {"mode", r.mode},
                         {"method", r.method},
                         {"connections", r.connections},
                         {"resumed", r.resumed},
                         {"citus", citus_json(r)},
                         {"created", r.created},
                         {"rows_read", r.rows_read},
                         {"rows_loaded", r.rows_loaded},
                         {"rows_inserted", r.rows_inserted},
                         {"rows_updated", r.rows_updated},
                         {"rows_rejected", r.rows_rejected},
                         {"bytes_read", r.bytes_read},
                         {"seconds", r.seconds},
                         {"rows_per_second", rate(r.rows_loaded, r.seconds)},
                         {"first_rejects", rejects}});
        read += r.rows_read;
        loaded += r.rows_loaded;
        rejected += r.rows_rejected;
        seconds += r.seconds;
    }
    nlohmann::json out = {{"file", report.file},
                          {"loads", loads},
                          {"rows_read", read},
                          {"rows_loaded", loaded},
                          {"rows_rejected", rejected},
                          {"seconds", seconds},
                          {"rows_per_second", rate(loaded, seconds)},
                          {"exit_code", report.exit_code}};
    if (!report.files.empty()) {
        out["files"] = report.files;
        nlohmann::json errors = nlohmann::json::array();
        for (const auto& e : report.errors)
            errors.push_back({{"file", e.file}, {"error", e.error}, {"error_kind", e.kind}});
        out["errors"] = errors;
    }
    if (!report.error.empty()) out["error"] = report.error;
    if (std::string kind = load::info_of(report.error_kind).name;
        !report.error.empty() && !kind.empty())
        out["error_kind"] = kind;
    return out;
}

}  // namespace cli
