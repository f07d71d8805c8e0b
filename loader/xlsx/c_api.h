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

/* Excel's last column, XFD: cells never have a larger column. */
#define XLSX_MAX_COLUMNS 16384

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
    XLSX_ERR_INTERNAL = -14,
    XLSX_ERR_WRONG_PASSWORD = -15
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
 * xlsx_free_string. `password` (UTF-8, NULL for none) opens a password-protected workbook; the
 * reader keeps no copy of it. */
xlsx_status xlsx_workbook_open(const char* path, unsigned threads, const char* password,
                               xlsx_workbook** out, char** error);
/* The same over a whole .xlsx in memory (a bytea, a large object read by the caller): `data`
 * must stay valid and unchanged until xlsx_workbook_close. `label` names it in messages. */
xlsx_status xlsx_workbook_open_memory(const void* data, size_t size, const char* label,
                                      unsigned threads, const char* password, xlsx_workbook** out,
                                      char** error);
void xlsx_workbook_close(xlsx_workbook* workbook);
size_t xlsx_workbook_sheet_count(const xlsx_workbook* workbook);
/* Name of the sheet at 0-based position i, or NULL. Owned by the workbook. */
const char* xlsx_workbook_sheet_name(const xlsx_workbook* workbook, size_t i);
int xlsx_workbook_date1904(const xlsx_workbook* workbook);

typedef struct {
    const char* name;
    const char* state;  /* visible, hidden, veryHidden */
    const char* kind;   /* worksheet, chartsheet, dialogsheet, macrosheet */
    const char* part;   /* "" without a relationship */
    int part_missing;   /* a worksheet whose part is not in the file: reading it fails */
    uint64_t part_size; /* uncompressed bytes of its XML, as the zip claims (for estimates) */
    int holds_cells;    /* a worksheet or a macro sheet; chart and dialog sheets have none */
} xlsx_sheet_info;

/* The sheet at 0-based position i; strings owned by the workbook. 0 when i is out of range. */
int xlsx_workbook_sheet_info(const xlsx_workbook* workbook, size_t i, xlsx_sheet_info* out);

/* sheet: a name, or NULL for the first visible worksheet. */
xlsx_status xlsx_sheet_open(xlsx_workbook* workbook, const char* sheet, xlsx_sheet_reader** out,
                            char** error);
/* The same, reading only the cells of `range` ("A5:H200", "A5:H" to the last row, "B:F"; NULL
 * for the whole sheet), their columns counted from the range's first; nothing below it is
 * read. XLSX_ERR_ARGUMENT for text that is not a range. */
xlsx_status xlsx_sheet_open_range(xlsx_workbook* workbook, const char* sheet, const char* range,
                                  xlsx_sheet_reader** out, char** error);

/* The shapes reports come in (see sheet_shaper.hpp): merged cells filled with their first
 * cell's value; a header of header_rows rows from header_row on read as one row, each column's
 * texts joined by a space, at header_row's number. */
typedef struct {
    int fill_merged;
    uint32_t header_row;     /* 0: no header */
    uint32_t header_rows;    /* 0 or 1: the header is one row */
    const char* add_columns; /* "file,sheet,row", each optionally =NAME; NULL: none */
    const char* file_label;  /* the file column's value */
} xlsx_sheet_shape;

/* Whether `add_columns` is a list of source columns; XLSX_ERR_ARGUMENT with the reason if not. */
xlsx_status xlsx_check_add_columns(const char* add_columns, char** error);

/* xlsx_sheet_open_range with a shape (NULL: as the sheet is). XLSX_ERR_ARGUMENT for an
 * add_columns that is not a list of source columns. */
xlsx_status xlsx_sheet_open_shaped(xlsx_workbook* workbook, const char* sheet, const char* range,
                                   const xlsx_sheet_shape* shape, xlsx_sheet_reader** out,
                                   char** error);

/* An Excel table (Insert > Table). Strings owned by the workbook. */
typedef struct {
    const char* name; /* its display name; matched ignoring case, as Excel does */
    const char* sheet;
    const char* ref;        /* "B3:E20", header and totals rows included */
    const char* load_range; /* the ref without its totals row: what a load reads */
    uint32_t header_rows;   /* 0 or 1 */
    uint32_t totals_rows;   /* 0 or 1 */
    size_t column_count;
    const char* const* columns; /* its column names */
} xlsx_table_info;
/* The Excel tables of every worksheet, read on the first call (an error for a bad table
 * part). */
xlsx_status xlsx_workbook_tables(xlsx_workbook* workbook, const xlsx_table_info** tables,
                                 size_t* count, char** error);

/* Next row with values: XLSX_OK with *row_number, *cells and *count set, XLSX_END at the end,
 * or an error code with *error set. */
xlsx_status xlsx_sheet_next_row(xlsx_sheet_reader* reader, uint32_t* row_number,
                                const xlsx_cell** cells, size_t* count, char** error);
void xlsx_sheet_close(xlsx_sheet_reader* reader);

/* The name of the sheet being read; owned by the reader. */
const char* xlsx_sheet_name(const xlsx_sheet_reader* reader);
/* Bytes of the sheet read so far, and all it has (progress): its XML inflated and the part's
 * size the zip claims, or the share of a legacy .xls sheet's records. */
uint64_t xlsx_sheet_bytes_read(const xlsx_sheet_reader* reader);
uint64_t xlsx_sheet_part_size(const xlsx_sheet_reader* reader);
/* The sheet's <dimension ref> ("A1:H100001"), known once a row was asked for; NULL without. */
const char* xlsx_sheet_dimension(const xlsx_sheet_reader* reader);

/* The column types of xlsx2pg --create: feed every loaded value, then ask per column. */
typedef struct xlsx_type_inference xlsx_type_inference;
xlsx_type_inference* xlsx_types_new(void); /* NULL when out of memory */
void xlsx_types_add(xlsx_type_inference* types, uint32_t column, xlsx_cell_type type,
                    const char* data, size_t size);
/* "integer", "bigint", "numeric", "boolean", "date", "timestamp", "time", "interval" or
 * "text" (also for a column without values); a static string. */
const char* xlsx_types_column(const xlsx_type_inference* types, uint32_t column);
void xlsx_types_free(xlsx_type_inference* types);

/* The column names xlsx2pg --create makes of a header: lower-case identifiers, unique, at most
 * 63 bytes. headers[i] (sizes[i] bytes) is the text of the i-th column; names[i] receives a
 * string to free with xlsx_free_string. */
xlsx_status xlsx_column_names(const char* const* headers, const size_t* sizes, size_t count,
                              char** names, char** error);

/* The rules that map a sheet onto a table, shared with xlsx2pg (column_plan.hpp). Strings are
 * NUL-terminated; arrays of `count` entries. */
typedef struct {
    const char* table_name; /* as messages show it */
    int table_exists;
    const char* const* table_columns; /* an existing table's columns and their types */
    const char* const* table_types;
    size_t table_column_count;
    const char* const* header; /* texts of sheet columns 1..header_count; 0: no header */
    size_t header_count;
    const char* const* columns; /* a target column per sheet column, "-" skips; 0: by header */
    size_t column_count;
    int all_text;                        /* a new table's columns all text */
    const char* const* override_columns; /* type overrides: column and type */
    const char* const* override_types;
    size_t override_count;
    const char* const* inferred; /* a type per sheet column 1..inferred_count, NULL for none */
    size_t inferred_count;
    int selection; /* a foreign table: its columns are a selection of the sheet's */
} xlsx_plan_request;

typedef enum {
    XLSX_PLAN_MISMATCH = 1,   /* the header or column list does not fit the table */
    XLSX_PLAN_UNKNOWN_COLUMN, /* a column the table (or the load) does not have */
    XLSX_PLAN_INVALID
} xlsx_plan_problem;

typedef struct xlsx_column_plan xlsx_column_plan;

/* 1 when the inferred types set the width and must be given: no header, no column list, no
 * table. */
int xlsx_plan_needs_types_first(const xlsx_plan_request* request);
/* The columns, and their types (an existing table's; for a new one those inferred, else
 * text, then the overrides). XLSX_ERR_ARGUMENT with *problem and *error for a request the
 * rules refuse; the messages name xlsx.import's arguments. */
xlsx_status xlsx_plan_columns(const xlsx_plan_request* request, xlsx_column_plan** out,
                              xlsx_plan_problem* problem, char** error);
/* Sheet columns the plan covers (1..width). */
size_t xlsx_plan_width(const xlsx_column_plan* plan);
/* The load slot of a sheet column, -1 when it is skipped or past the width. */
int xlsx_plan_slot(const xlsx_column_plan* plan, uint32_t sheet_column);
size_t xlsx_plan_count(const xlsx_column_plan* plan);
const char* xlsx_plan_name(const xlsx_column_plan* plan, size_t slot);
const char* xlsx_plan_type(const xlsx_column_plan* plan, size_t slot);
void xlsx_plan_free(xlsx_column_plan* plan);

void xlsx_free_string(char* s);

#ifdef __cplusplus
}
#endif

#endif
