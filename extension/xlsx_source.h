/*
 * Workbooks inside the backend: where the bytes come from (a server file, a large object, a
 * bytea) and the reader's handles around them. The reader is reached only through its C API
 * (loader/xlsx/c_api.h); its threads never call the server. Every handle is closed (its threads
 * stopped and joined) before an error leaves this file, and a memory-context reset callback
 * closes what an error elsewhere left open.
 */
#ifndef PG_XLSX_SOURCE_H
#define PG_XLSX_SOURCE_H

#include "postgres.h"

#include "fmgr.h"
#include "pg_compat.h"
#include "xlsx/c_api.h"

typedef struct XlsxSource {
    const char* label; /* the path, "large object N" or "bytea": for messages */
    const char* path;  /* a server file, or NULL for bytes in memory */
    const char* data;
    size_t size;
    const char* password; /* a password-protected workbook's, or NULL; never in a message */
} XlsxSource;

/*
 * The source named by the first three arguments of an SQL function (path text, lo oid,
 * data bytea; exactly one not NULL). A path needs the privileges of pg_read_server_files, a
 * large object SELECT on it, as COPY FROM and lo_get ask.
 */
extern void xlsx_source_from_args(FunctionCallInfo fcinfo, XlsxSource* source);

/* The same from one argument: a path (text), a large object (oid) or the bytes (bytea). */
extern void xlsx_source_from_value(Oid type, Datum value, bool isnull, XlsxSource* source);

typedef struct XlsxHandle {
    xlsx_workbook* workbook;
    xlsx_sheet_reader* reader;
    const char* label;
    const char* sheet_name; /* of the open sheet */
    /* How the next sheet opened is shaped (merged cells, header rows, source columns): set by
     * the caller before xlsx_handle_open_sheet; zero leaves sheets as they are. */
    xlsx_sheet_shape shape;
    /* A row handed out and given back (xlsx_handle_unread_row): the next to hand out. Its
     * cells stay valid, since the reader is not asked again until it is taken. */
    bool has_unread;
    uint32_t unread_row;
    const xlsx_cell* unread_cells;
    size_t unread_count;
    MemoryContextCallback on_reset;
} XlsxHandle;

/*
 * Opens the workbook with `threads` parser threads; the handle lives in `owner`, whose
 * reset or deletion closes it.
 */
extern XlsxHandle* xlsx_handle_open(const XlsxSource* source, int threads, MemoryContext owner);

/* Opens a sheet by name or 1-based index (NULL: the first visible worksheet). */
extern void xlsx_handle_open_sheet(XlsxHandle* handle, const char* sheet, const char* range);

/* The next row with values; false at the end. Raises the reader's error, handle closed. */
extern bool xlsx_handle_next_row(XlsxHandle* handle, uint32_t* row, const xlsx_cell** cells,
                                 size_t* count);

/* Gives the row last handed out back, to be handed out again next. */
extern void xlsx_handle_unread_row(XlsxHandle* handle, uint32_t row, const xlsx_cell* cells,
                                   size_t count);

/* Stops and joins the open sheet's threads; the workbook stays open for another pass. */
extern void xlsx_handle_close_sheet(XlsxHandle* handle);

/* Stops and joins the reader's threads and frees it; safe to call twice. */
extern void xlsx_handle_close(XlsxHandle* handle);

/* A reader or writer status as an SQLSTATE and the kind's name xlsx2pg prints. */
extern void xlsx_classify_status(xlsx_status status, int* sqlstate, const char** kind);

/* Closes the handle (may be NULL), then raises the reader's error as an ereport. */
pg_noreturn extern void xlsx_raise(XlsxHandle* handle, xlsx_status status, char* message);

/*
 * The sheet, the range (without a totals row) and whether there is a header row of the Excel
 * table called `name` (matched ignoring case, as Excel does); an error listing the workbook's
 * tables when it has none of that name.
 */
extern void xlsx_handle_find_table(XlsxHandle* handle, const char* name, char** sheet, char** range,
                                   bool* has_header);

/* A range's first row, its header: "$B$4:D9" is 4, "B:F" 1. */
extern int xlsx_range_first_row(const char* range);

/* A column plan the reader's rules refused, as an error of its kind; the handle (may be NULL)
 * closed first. */
pg_noreturn extern void xlsx_raise_plan(XlsxHandle* handle, xlsx_plan_problem problem,
                                        char* message);

/* A sheet column's letters: 1 is "A", 28 is "AB". */
extern char* xlsx_column_letters(uint32_t column);

#endif
