#include "export_c_api.h"

#include <optional>
#include <string_view>
#include <vector>

#include "report_writer.hpp"
#include "xlsx/c_api_guard.hpp"

using xlsx::c_api::copy_string;
using xlsx::c_api::guarded;

struct xlsx_export {
    xlsx_export(const char* path, const xlsx_report::WriterOptions& options, const char* label)
        : writer(path, options, label ? label : "") {}
    xlsx_report::ReportWriter writer;
    std::vector<std::optional<std::string_view>> row = {};
};

extern "C" {

xlsx_status xlsx_export_open(const char* path, const xlsx_export_options* options,
                             xlsx_export** out, char** error) {
    *out = nullptr;
    return guarded(error, [&] {
        xlsx_report::WriterOptions o;
        if (options) {
            o.truncate_long_text = options->truncate_long_text != 0;
            o.overflow_to_new_sheet = options->overflow_to_new_sheet != 0;
            if (options->temp_dir) o.temp_dir = options->temp_dir;
        }
        *out = new xlsx_export(path, o, options ? options->label : nullptr);
        return XLSX_OK;
    });
}

xlsx_status xlsx_export_begin_sheet(xlsx_export* e, const char* name,
                                    const xlsx_export_column* columns, size_t count, char** error) {
    return guarded(error, [&] {
        std::vector<xlsx_report::ExportColumn> specs;
        for (size_t i = 0; i < count; ++i)
            specs.push_back({columns[i].name, {columns[i].type_oid, columns[i].typmod}});
        e->writer.begin_sheet(name, std::move(specs));
        e->row.assign(count, std::nullopt);
        return XLSX_OK;
    });
}

xlsx_status xlsx_export_write_row(xlsx_export* e, const xlsx_export_value* values, char** error) {
    return guarded(error, [&] {
        for (size_t i = 0; i < e->row.size(); ++i)
            e->row[i] = values[i].data ? std::optional<std::string_view>(
                                             std::string_view(values[i].data, values[i].size))
                                       : std::nullopt;
        e->writer.write_row(e->row);
        return XLSX_OK;
    });
}

xlsx_status xlsx_export_finish(xlsx_export* e, char** error) {
    return guarded(error, [&] {
        e->writer.finish();
        return XLSX_OK;
    });
}

uint64_t xlsx_export_rows(const xlsx_export* e) {
    return e->writer.rows();
}

size_t xlsx_export_note_count(const xlsx_export* e) {
    return e->writer.notes().size();
}

char* xlsx_export_note(const xlsx_export* e, size_t i) {
    try {
        return copy_string(xlsx_report::note_text(e->writer.notes().at(i)));
    } catch (...) {
        return nullptr;
    }
}

void xlsx_export_free(xlsx_export* e) {
    delete e;
}

}  // extern "C"
