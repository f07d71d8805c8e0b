/* A C API over the reader, for callers that cannot take C++ (the PostgreSQL extension, other
 * languages). Opaque handles, error codes with messages, no exception crosses it, no global
 * state. The thread count is a parameter: 1 reads on the caller's thread only. */
#ifndef XLSX_C_API_H
#define XLSX_C_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xlsx_workbook xlsx_workbook;
typedef struct xlsx_sheet_reader xlsx_sheet_reader;

typedef enum {
    XLSX_OK = 0,
    XLSX_END = 1, /* no more rows */
    XLSX_ERR_IO = -1,
    XLSX_ERR_NOT_WORKBOOK = -2,
    XLSX_ERR_LEGACY_XLS = -3,
    XLSX_ERR_ENCRYPTED = -4,
    XLSX_ERR_CORRUPT_ZIP = -5,
    XLSX_ERR_MISSING_PART = -6,
    XLSX_ERR_MALFORMED_XML = -7,
    XLSX_ERR_FORBIDDEN_XML = -8,
    XLSX_ERR_LIMIT = -9,
    XLSX_ERR_MISSING_SHEET = -10,
    XLSX_ERR_UNSUPPORTED = -11,
    XLSX_ERR_INVALID_VALUE = -12,
    XLSX_ERR_ARGUMENT = -13,
    XLSX_ERR_INTERNAL = -14
} xlsx_status;

typedef enum {
    XLSX_CELL_STRING = 0,
    XLSX_CELL_NUMBER,
    XLSX_CELL_BOOLEAN,
    XLSX_CELL_ERROR,
    XLSX_CELL_DATE,
    XLSX_CELL_TIME,
    XLSX_CELL_DATETIME,
    XLSX_CELL_DURATION
} xlsx_cell_type;

typedef struct {
    const char* data; /* not NUL-terminated; valid until the next xlsx_sheet_next_row */
    size_t size;
    uint32_t column; /* 1-based */
    xlsx_cell_type type;
} xlsx_cell;

/* On failure *out is NULL and, when error is not NULL, *error holds a message to free with
 * xlsx_free_string. */
xlsx_status xlsx_workbook_open(const char* path, unsigned threads, xlsx_workbook** out,
                               char** error);
void xlsx_workbook_close(xlsx_workbook* workbook);
size_t xlsx_workbook_sheet_count(const xlsx_workbook* workbook);
/* Name of the sheet at 0-based position i, or NULL. Owned by the workbook. */
const char* xlsx_workbook_sheet_name(const xlsx_workbook* workbook, size_t i);
int xlsx_workbook_date1904(const xlsx_workbook* workbook);

/* sheet: a name, or NULL for the first visible worksheet. */
xlsx_status xlsx_sheet_open(xlsx_workbook* workbook, const char* sheet, xlsx_sheet_reader** out,
                            char** error);
/* Next row with values: XLSX_OK with *row_number, *cells and *count set, XLSX_END at the end,
 * or an error code with *error set. */
xlsx_status xlsx_sheet_next_row(xlsx_sheet_reader* reader, uint32_t* row_number,
                                const xlsx_cell** cells, size_t* count, char** error);
void xlsx_sheet_close(xlsx_sheet_reader* reader);

void xlsx_free_string(char* s);

#ifdef __cplusplus
}
#endif

#endif
