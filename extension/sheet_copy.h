/*
 * A sheet's data rows into a table through the server's own COPY, or only scanned (for the
 * width and types of a new table). See sheet_copy.c.
 */
#ifndef PG_XLSX_SHEET_COPY_H
#define PG_XLSX_SHEET_COPY_H

#include "postgres.h"

#include "xlsx_source.h"

typedef struct SheetCopyRequest {
    XlsxHandle* handle; /* an open workbook: the sheet is opened, and closed again, here */
    const char* sheet;  /* NULL: the first visible worksheet */
    const char* range;  /* NULL: the whole sheet */
    int header_row;     /* rows up to this one are not data; 0: no header */
    int skip_rows;      /* data rows to leave out after it */
    int width_limit;    /* a value past this sheet column is refused; 0: none */
    char** null_values; /* texts that load as NULL */
    int null_count;
    bool trim;          /* strings lose surrounding blanks */
    bool stop_at_empty; /* the data ends at the first empty row after it began */
    Oid target;         /* InvalidOid: scan only */
    int ncolumns;       /* the target's columns written, with the sheet column of each */
    char** column_names;
    int* sheet_columns;
    bool with_sheet_row;   /* a staging table: the sheet row comes first */
    int64 run;             /* staging: a bad row is a reject of this run; 0: an error */
    bool check_values;     /* typed target, staging semantics: a value the checks refuse makes its
                            * row a reject with the server's message instead of stopping COPY */
    bool has_reject_limit; /* check_values: reading stops past this many rejected rows */
    int64 reject_limit;
    bool infer_types;   /* feed every value to the --create type rules */
    Oid progress_relid; /* scan only: the table the progress report names, if any */
} SheetCopyRequest;

typedef struct SheetCopyResult {
    const char* sheet_name;
    uint64 rows_read;
    uint64 rows_copied;
    uint64 rows_rejected;   /* staging: rows recorded in xlsx.rejects */
    bool over_reject_limit; /* check_values: reading stopped past the reject limit */
    uint32 first_row;
    uint32 last_row;
    uint32 width;      /* the last sheet column holding a value */
    uint64 bytes_read; /* of the sheet's XML */
    char** types;      /* with infer_types: by sheet column 1..width ([0] unused) */
} SheetCopyResult;

/* The message of the error a checked copy raises when it holds too many rejects to go on: the
 * import then takes the staging path (a row error, so its subtransaction rolls back). */
#define CHECKED_COPY_GAVE_UP "too many rejected rows for a checked copy"

extern void sheet_copy(const SheetCopyRequest* request, SheetCopyResult* result);

#endif
