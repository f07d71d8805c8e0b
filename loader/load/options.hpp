// Everything a load is told: what to read, where to put it and how. Filled by the CLI (and by
// `xlsx2pg serve`); the loader reads nothing else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pg/connection.hpp"
#include "xlsx/cell_range.hpp"
#include "xlsx/sheet_shaper.hpp"
#include "xlsx/workbook.hpp"

namespace load {

enum class Mode { Staging, Direct };
enum class Method { Copy, Batch, Insert };

const char* mode_name(Mode mode);
const char* method_name(Method method);

// Which rows and values of a sheet are data.
struct RowOptions {
    uint32_t header_row = 1;  // sheet row of the header; 0: no header
    uint32_t skip_rows = 0;   // data rows to leave out after the header
    std::vector<std::string> null_tokens;
    bool trim = false;
    // --range (or an Excel table's): the cells read; its first column is column 1.
    xlsx::CellRange range;
    // An Excel table's column names: the header, whatever the sheet's header row holds.
    std::vector<std::string> header_names;
    bool stop_at_empty = false;  // the data ends at the first empty row after it began
    bool fill_merged = false;    // merged cells take their first cell's value
    uint32_t header_rows = 1;    // the header's rows from header_row on, joined into one
    // --add-columns: columns after the header's last saying where each row came from.
    std::vector<xlsx::SourceColumn> source_columns;
    std::string source_file;  // the file column's value (the run's file name)
};

struct LoadOptions {
    pg::ConnectOptions connect;
    std::string file;
    std::string file_label;           // the name the ledger and the summary show; default: file
    std::vector<std::string> sheets;  // names or 1-based indexes; empty: the first visible
    bool all_sheets = false;
    std::string table;        // as the user wrote it; empty: from the sheet name
    std::string excel_table;  // --table: an Excel table of the workbook, instead of a sheet
    RowOptions rows;
    std::vector<std::string> columns;  // --columns: a table column per sheet column, "-" skips

    bool create = false;
    bool all_text = false;
    bool truncate = false;
    std::vector<std::pair<std::string, std::string>> type_overrides;  // column -> type
    std::vector<std::string> upsert_keys;

    Mode mode = Mode::Staging;
    Method method = Method::Copy;
    size_t batch_size = 100;
    std::optional<uint64_t> max_rejects;     // unlimited when unset
    std::optional<double> max_reject_ratio;  // of the rows read
    unsigned connections = 2;
    uint32_t chunk_rows = 50000;  // sheet rows per ledger chunk (one transaction each)
    std::optional<int64_t> resume_run;
    bool new_run = false;  // do not resume an unfinished run of the same file and target
    bool keep_staging = false;
    // Citus: stage on the target's shards (co-located), so that the merge runs on each shard;
    // false stages on the coordinator.
    bool colocate_staging = true;
    // Schemas the target may be in (serve's --allow-schema); empty: any. xlsx and
    // xlsx_staging, the extension's own, never are.
    std::vector<std::string> allowed_schemas;
    bool report_lock_waits = true;  // a line on stderr when the load waits on a lock

    xlsx::ReaderOptions reader;
};

}  // namespace load
