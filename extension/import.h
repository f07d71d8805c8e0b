/*
 * xlsx.import's pieces (import.c runs them in order): the checks made before a byte is read
 * (import_checks.c), the sheet-to-table plan and a new table (import_plan.c), the ledger
 * through its SQL functions (import_ledger.c).
 */
#ifndef PG_XLSX_IMPORT_H
#define PG_XLSX_IMPORT_H

#include "postgres.h"

#include "funcapi.h"
#include "sheet_copy.h"
#include "xlsx/c_api.h"

typedef struct ImportOptions {
    char* target;
    char* sheet;
    char* range;
    char* table_name;
    int header_row;
    bool no_header;
    int skip_rows;
    char** columns;
    int ncolumns;
    bool create_table;
    char** types;
    int ntypes;
    bool all_text;
    bool truncate;
    char** upsert;
    int nupsert;
    bool direct;
    bool has_reject_limit;
    int64 reject_limit;
    char** null_values;
    int nnull;
    bool trim_text;
    int threads;
    bool keep_staging;
    bool stop_at_empty;
    bool fill_merged;  /* merged cells take their first cell's value */
    int header_rows;   /* the header's rows from header_row on, joined into one */
    char* add_columns; /* source columns after the header's last: file, sheet, row */
    char* password;    /* a password-protected workbook's; wiped once the workbook is open */
} ImportOptions;

/* The header row's texts by sheet column, 1..width ([0] unused); NULL without a header. */
typedef struct SheetHeader {
    char** texts;
    size_t width;
    /* Without a header, the scan that found the width took the types too ([0] unused): no
     * later pass infers them again. */
    char** scanned_types;
    size_t scanned_width;
} SheetHeader;

typedef struct ImportTarget {
    Oid relid; /* InvalidOid: created by the import */
    Oid namespace;
    char* relname;
    char* quoted; /* "schema"."table", as the ledger records it */
    int ncolumns;
    char** columns; /* an existing table's, without dropped and generated ones */
    char** types;
} ImportTarget;

/* The rows, the run and the result of one import. */
typedef struct ImportRun {
    int64 run;
    int64 inserted;
    int64 updated;
} ImportRun;

/* import_checks.c */
extern void read_options(FunctionCallInfo fcinfo, ImportOptions* o);
extern void require_loader_role(void);
extern void resolve_target(const ImportOptions* o, ImportTarget* t);
extern void check_column_privileges(const ImportTarget* t, const xlsx_column_plan* plan);

/* import_plan.c */
extern const char* read_header(XlsxHandle* handle, const ImportOptions* o, SheetHeader* header);
extern xlsx_column_plan* plan_columns(const ImportOptions* o, const ImportTarget* t,
                                      const SheetHeader* header, char** inferred,
                                      size_t inferred_width);
extern void copy_columns(const xlsx_column_plan* plan, SheetCopyRequest* r);
extern Oid create_table_of_plan(const ImportTarget* t, const xlsx_column_plan* plan);
extern Oid create_target(const ImportOptions* o, const ImportTarget* t, const SheetHeader* header,
                         char** inferred, size_t inferred_width);

/* import_ledger.c (inside SPI_connect) */
extern char* spi_text(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls);
extern Datum text_array_datum(char** items, int count);
extern Datum plan_names_datum(const xlsx_column_plan* plan);
extern int64 open_run(const XlsxSource* source, const char* sheet, const ImportTarget* t,
                      bool direct);
extern void finish_run(int64 run, const char* state, const SheetCopyResult* copied, int64 loaded,
                       int64 rejected);
extern void put_result(ReturnSetInfo* rsinfo, const ImportRun* result);

#endif
