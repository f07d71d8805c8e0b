#include "c_api.h"

#include <algorithm>
#include <new>

#include "c_api_guard.hpp"
#include "column_names.hpp"
#include "column_plan.hpp"
#include "sheet_reader.hpp"
#include "type_inference.hpp"

struct xlsx_workbook {
    xlsx::Workbook workbook;
    // xlsx_workbook_tables' answer, made on its first call.
    std::optional<std::vector<xlsx_table_info>> tables = std::nullopt;
    std::vector<std::vector<const char*>> table_columns = {};
    std::vector<std::string> table_load_ranges = {};
};

struct xlsx_column_plan {
    xlsx::ColumnPlan plan;
};

namespace {
const uint32_t kMaxColumns = xlsx::Limits{}.max_column;
using xlsx::c_api::copy_string;
using xlsx::c_api::guarded;
using xlsx::c_api::set_error;
}  // namespace

struct xlsx_type_inference {
    xlsx::TypeInference types{kMaxColumns + 1};
};

struct xlsx_sheet_reader {
    xlsx::SheetReader reader;
    std::optional<xlsx::RowBatch> batch;
    size_t next_row = 0;
    std::vector<xlsx_cell> cells;
    // Copied once the first batch arrived: the splitter's thread wrote it before that.
    std::optional<std::string> dimension;
};

extern "C" {

xlsx_status xlsx_workbook_open(const char* path, unsigned threads, const char* password,
                               xlsx_workbook** out, char** error) {
    if (!out || !path) return XLSX_ERR_ARGUMENT;
    *out = nullptr;
    return guarded(error, [&] {
        xlsx::ReaderOptions options;
        options.threads = threads == 0 ? 1 : threads;
        if (password) options.password = password;
        *out = new xlsx_workbook{xlsx::Workbook(path, options)};
        return XLSX_OK;
    });
}

xlsx_status xlsx_workbook_open_memory(const void* data, size_t size, const char* label,
                                      unsigned threads, const char* password, xlsx_workbook** out,
                                      char** error) {
    if (!out || (!data && size > 0)) return XLSX_ERR_ARGUMENT;
    *out = nullptr;
    return guarded(error, [&] {
        xlsx::ReaderOptions options;
        options.threads = threads == 0 ? 1 : threads;
        if (password) options.password = password;
        xlsx::MemoryFile memory{static_cast<const unsigned char*>(data), size};
        *out = new xlsx_workbook{xlsx::Workbook(label ? label : "workbook", memory, options)};
        return XLSX_OK;
    });
}

void xlsx_workbook_close(xlsx_workbook* workbook) {
    delete workbook;
}

size_t xlsx_workbook_sheet_count(const xlsx_workbook* workbook) {
    return workbook ? workbook->workbook.sheets().size() : 0;
}

const char* xlsx_workbook_sheet_name(const xlsx_workbook* workbook, size_t i) {
    if (!workbook || i >= workbook->workbook.sheets().size()) return nullptr;
    return workbook->workbook.sheets()[i].name.c_str();
}

int xlsx_workbook_date1904(const xlsx_workbook* workbook) {
    return workbook && workbook->workbook.date1904() ? 1 : 0;
}

int xlsx_workbook_sheet_info(const xlsx_workbook* workbook, size_t i, xlsx_sheet_info* out) {
    if (!workbook || !out || i >= workbook->workbook.sheets().size()) return 0;
    const xlsx::SheetInfo& s = workbook->workbook.sheets()[i];
    auto part = s.part_missing ? std::nullopt : workbook->workbook.package().find(s.part);
    *out = xlsx_sheet_info{s.name.c_str(),         s.state.c_str(),
                           s.kind.c_str(),         s.part.c_str(),
                           s.part_missing ? 1 : 0, part ? part->uncompressed_size : 0,
                           s.holds_cells() ? 1 : 0};
    return 1;
}

xlsx_status xlsx_sheet_open(xlsx_workbook* workbook, const char* sheet, xlsx_sheet_reader** out,
                            char** error) {
    return xlsx_sheet_open_range(workbook, sheet, nullptr, out, error);
}

xlsx_status xlsx_sheet_open_range(xlsx_workbook* workbook, const char* sheet, const char* range,
                                  xlsx_sheet_reader** out, char** error) {
    return xlsx_sheet_open_shaped(workbook, sheet, range, nullptr, out, error);
}

xlsx_status xlsx_check_add_columns(const char* add_columns, char** error) {
    return guarded(error, [&] {
        if (!add_columns) throw std::invalid_argument("add_columns is NULL");
        (void)xlsx::parse_source_columns(add_columns);
        return XLSX_OK;
    });
}

xlsx_status xlsx_sheet_open_shaped(xlsx_workbook* workbook, const char* sheet, const char* range,
                                   const xlsx_sheet_shape* shape, xlsx_sheet_reader** out,
                                   char** error) {
    if (!out) return XLSX_ERR_ARGUMENT;
    *out = nullptr;
    return guarded(error, [&] {
        if (!workbook) throw std::invalid_argument("workbook is NULL");
        xlsx::CellRange cells;
        if (range) {
            auto parsed = xlsx::parse_cell_range(range);
            if (!parsed)
                throw std::invalid_argument(std::string("\"") + range +
                                            "\" is not a range such as A5:H200, A5:H or B:F");
            cells = *parsed;
        }
        const auto& info =
            sheet ? workbook->workbook.sheet(sheet) : workbook->workbook.first_sheet();
        xlsx::SheetShape how;
        if (shape) {
            how.fill_merged = shape->fill_merged != 0;
            how.header_row = shape->header_row;
            how.header_rows = std::max<uint32_t>(shape->header_rows, 1);
            if (shape->add_columns)
                how.source_columns = xlsx::parse_source_columns(shape->add_columns);
            if (shape->file_label) how.file_label = shape->file_label;
        }
        *out = new xlsx_sheet_reader{xlsx::SheetReader(workbook->workbook, info, true, cells, how),
                                     std::nullopt,
                                     0,
                                     {},
                                     std::nullopt};
        return XLSX_OK;
    });
}

xlsx_status xlsx_workbook_tables(xlsx_workbook* workbook, const xlsx_table_info** tables,
                                 size_t* count, char** error) {
    if (!workbook || !tables || !count) return XLSX_ERR_ARGUMENT;
    return guarded(error, [&] {
        if (!workbook->tables) {
            const auto& found = workbook->workbook.tables();
            workbook->table_columns.resize(found.size());
            workbook->table_load_ranges.resize(found.size());
            std::vector<xlsx_table_info> infos;
            for (size_t i = 0; i < found.size(); ++i) {
                const xlsx::TableInfo& t = found[i];
                for (const std::string& c : t.columns)
                    workbook->table_columns[i].push_back(c.c_str());
                workbook->table_load_ranges[i] = xlsx::cell_range_text(t.load_range());
                infos.push_back({t.name.c_str(), t.sheet.c_str(), t.ref.c_str(),
                                 workbook->table_load_ranges[i].c_str(), t.header_rows,
                                 t.totals_rows, t.columns.size(),
                                 workbook->table_columns[i].data()});
            }
            workbook->tables = std::move(infos);
        }
        *tables = workbook->tables->data();
        *count = workbook->tables->size();
        return XLSX_OK;
    });
}

xlsx_status xlsx_sheet_next_row(xlsx_sheet_reader* r, uint32_t* row_number, const xlsx_cell** cells,
                                size_t* count, char** error) {
    if (!r || !row_number || !cells || !count) return XLSX_ERR_ARGUMENT;
    return guarded(error, [&] {
        while (!r->batch || r->next_row >= r->batch->rows.size()) {
            r->batch = r->reader.next();
            r->next_row = 0;
            if (!r->dimension) r->dimension = r->reader.dimension_ref();
            if (!r->batch) return XLSX_END;
        }
        const xlsx::Row& row = r->batch->rows[r->next_row++];
        r->cells.clear();
        for (const xlsx::Cell& c : r->batch->cells_of(row))
            r->cells.push_back(
                xlsx_cell{c.data, c.size, c.column, static_cast<xlsx_cell_type>(c.type)});
        *row_number = row.number;
        *cells = r->cells.data();
        *count = r->cells.size();
        return XLSX_OK;
    });
}

void xlsx_sheet_close(xlsx_sheet_reader* reader) {
    delete reader;
}

const char* xlsx_sheet_name(const xlsx_sheet_reader* reader) {
    return reader ? reader->reader.sheet().name.c_str() : nullptr;
}

uint64_t xlsx_sheet_bytes_read(const xlsx_sheet_reader* reader) {
    return reader ? reader->reader.xml_bytes_read() : 0;
}

const char* xlsx_sheet_dimension(const xlsx_sheet_reader* reader) {
    return reader && reader->dimension && !reader->dimension->empty() ? reader->dimension->c_str()
                                                                      : nullptr;
}

uint64_t xlsx_sheet_part_size(const xlsx_sheet_reader* reader) {
    return reader ? reader->reader.source_bytes() : 0;
}

xlsx_type_inference* xlsx_types_new(void) {
    return new (std::nothrow) xlsx_type_inference;
}

void xlsx_types_add(xlsx_type_inference* t, uint32_t column, xlsx_cell_type type, const char* data,
                    size_t size) {
    if (!t || column > kMaxColumns) return;
    t->types.add(column, static_cast<xlsx::CellType>(type), std::string_view(data, size));
}

const char* xlsx_types_column(const xlsx_type_inference* t, uint32_t column) {
    if (!t || column > kMaxColumns) return "text";
    return t->types.type_of(column);
}

void xlsx_types_free(xlsx_type_inference* t) {
    delete t;
}

xlsx_status xlsx_column_names(const char* const* headers, const size_t* sizes, size_t count,
                              char** names, char** error) {
    if ((!headers || !sizes || !names) && count > 0) return XLSX_ERR_ARGUMENT;
    return guarded(error, [&] {
        std::vector<std::string> texts;
        for (size_t i = 0; i < count; ++i)
            texts.emplace_back(headers[i] ? headers[i] : "", headers[i] ? sizes[i] : 0);
        std::vector<std::string> made = xlsx::column_names_from_header(texts);
        for (size_t i = 0; i < count; ++i)
            names[i] = copy_string(made[i]);
        return XLSX_OK;
    });
}

int xlsx_plan_needs_types_first(const xlsx_plan_request* r) {
    return !r->table_exists && r->column_count == 0 && r->header_count == 0;
}

xlsx_status xlsx_plan_columns(const xlsx_plan_request* r, xlsx_column_plan** out,
                              xlsx_plan_problem* problem, char** error) {
    *out = nullptr;
    *problem = XLSX_PLAN_INVALID;
    auto strings = [](const char* const* list, size_t count, size_t first = 0) {
        std::vector<std::string> v(first);
        for (size_t i = 0; i < count; ++i)
            v.emplace_back(list[i] ? list[i] : "");
        return v;
    };
    return guarded(error, [&] {
        xlsx::PlanTarget target{r->table_name ? r->table_name : "", r->table_exists != 0,
                                strings(r->table_columns, r->table_column_count),
                                strings(r->table_types, r->table_column_count)};
        xlsx::PlanRequest request;
        if (r->header_count > 0) request.header = strings(r->header, r->header_count, 1);
        request.columns = strings(r->columns, r->column_count);
        request.all_text = r->all_text != 0;
        for (size_t i = 0; i < r->override_count; ++i)
            request.type_overrides.emplace_back(r->override_columns[i], r->override_types[i]);
        request.words = xlsx::kImportWords;
        request.selection = r->selection != 0;
        std::vector<std::string> inferred = strings(r->inferred, r->inferred_count, 1);
        try {
            auto plan = std::make_unique<xlsx_column_plan>();
            plan->plan = xlsx::plan_columns(target, request, inferred);
            if (!target.exists) xlsx::plan_new_table_types(plan->plan, request, inferred);
            *out = plan.release();
        } catch (const xlsx::PlanError& e) {
            using Kind = xlsx::PlanError::Kind;
            *problem = e.kind() == Kind::Mismatch        ? XLSX_PLAN_MISMATCH
                       : e.kind() == Kind::UnknownColumn ? XLSX_PLAN_UNKNOWN_COLUMN
                                                         : XLSX_PLAN_INVALID;
            throw;
        }
        return XLSX_OK;
    });
}

size_t xlsx_plan_width(const xlsx_column_plan* p) {
    return p->plan.width();
}

int xlsx_plan_slot(const xlsx_column_plan* p, uint32_t sheet_column) {
    return sheet_column >= 1 && sheet_column <= p->plan.width()
               ? p->plan.slot_of_sheet_column[sheet_column]
               : -1;
}

size_t xlsx_plan_count(const xlsx_column_plan* p) {
    return p->plan.names.size();
}

const char* xlsx_plan_name(const xlsx_column_plan* p, size_t slot) {
    return slot < p->plan.names.size() ? p->plan.names[slot].c_str() : nullptr;
}

const char* xlsx_plan_type(const xlsx_column_plan* p, size_t slot) {
    return slot < p->plan.types.size() ? p->plan.types[slot].c_str() : nullptr;
}

void xlsx_plan_free(xlsx_column_plan* p) {
    delete p;
}

void xlsx_free_string(char* s) {
    std::free(s);
}

}  // extern "C"
