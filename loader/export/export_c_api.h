/* A C API over the report writer, for the PostgreSQL extension: opaque handle, status codes
 * with messages (xlsx_status, xlsx_free_string from the reader's C API), no exception crosses
 * it. Values go in as the server prints them; the writer decides each cell's type. */
#ifndef XLSX_EXPORT_C_API_H
#define XLSX_EXPORT_C_API_H

#include <stddef.h>
#include <stdint.h>

#include "xlsx/c_api.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xlsx_export xlsx_export;

typedef struct {
    const char* name;
    uint32_t type_oid; /* the base type's, for a domain */
    int32_t typmod;
} xlsx_export_column;

typedef struct {
    const char* data; /* NULL: SQL NULL; else UTF-8 text, not NUL-terminated */
    size_t size;
} xlsx_export_value;

typedef struct {
    int truncate_long_text;    /* cut text over 32,767 characters instead of failing */
    int overflow_to_new_sheet; /* past 1,048,575 rows go on in "Name (2)" instead of failing */
    const char* temp_dir;      /* libxlsxwriter's temporary files; NULL for the system's */
    const char* label;         /* names the workbook in messages; NULL for the path */
} xlsx_export_options;

/* The workbook is written to `path` only by xlsx_export_finish. */
xlsx_status xlsx_export_open(const char* path, const xlsx_export_options* options,
                             xlsx_export** out, char** error);
xlsx_status xlsx_export_begin_sheet(xlsx_export* e, const char* name,
                                    const xlsx_export_column* columns, size_t count, char** error);
/* One value per column of the current sheet. */
xlsx_status xlsx_export_write_row(xlsx_export* e, const xlsx_export_value* values, char** error);
xlsx_status xlsx_export_finish(xlsx_export* e, char** error);
uint64_t xlsx_export_rows(const xlsx_export* e);
/* Notes on values written as text ("sheet "S" column "c": 3 values ..."); free each with
 * xlsx_free_string. */
size_t xlsx_export_note_count(const xlsx_export* e);
char* xlsx_export_note(const xlsx_export* e, size_t i);
/* Frees the handle; without a finish the workbook is discarded. */
void xlsx_export_free(xlsx_export* e);

#ifdef __cplusplus
}
#endif

#endif
