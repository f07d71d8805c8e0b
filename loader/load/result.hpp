// What a load did, for the summary table, --json and `xlsx2pg serve`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "row_chunk.hpp"

namespace load {

struct LoadResult {
    std::string file;
    std::string sheet;
    std::string target;
    int64_t run_id = 0;
    std::string mode;
    std::string method;
    unsigned connections = 0;
    bool resumed = false;
    bool created = false;
    std::string citus;                // the target's Citus kind (TargetTable::citus), if any
    std::string distribution_column;  // of a distributed target
    bool colocated_staging = false;   // staged on the target's shards
    uint64_t rows_read = 0;
    uint64_t rows_loaded = 0;
    uint64_t rows_inserted = 0;
    uint64_t rows_updated = 0;
    uint64_t rows_rejected = 0;
    uint64_t bytes_read = 0;  // uncompressed sheet XML
    double seconds = 0;
    std::vector<Reject> first_rejects;  // the first few, in sheet-row order
};

}  // namespace load
