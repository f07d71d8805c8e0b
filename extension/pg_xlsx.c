/*
 * pg_xlsx: the server half of xlsx2pg. This file holds the module's magic block and the entry
 * points of earlier versions; each capability lives in its own file: excel_date.c (serials to
 * dates), value_check.c (the non-throwing type checks), column_input.c (values as COPY reads
 * them), profile.c (the profiling aggregate), xlsx_source.c (workbooks in the backend),
 * sheet_copy.c (rows through the server's COPY), import.c (xlsx.import), sheets.c (listings),
 * xlsx_fdw.c (the foreign data wrapper).
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;

/*
 * C functions of 1.2 that 1.3 dropped. Their symbols stay so that the scripts of 1.2 still run
 * on the way to 1.3 (CREATE EXTENSION ... VERSION '1.2', then ALTER EXTENSION ... UPDATE).
 */
PG_FUNCTION_INFO_V1(pg_xlsx_copy_sheet);
PG_FUNCTION_INFO_V1(pg_xlsx_sheet_header);

static Datum dropped_in_1_3(void) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("this function of pg_xlsx 1.2 is gone in 1.3"),
                    errhint("ALTER EXTENSION pg_xlsx UPDATE, then use xlsx.import.")));
    return (Datum)0;
}

Datum pg_xlsx_copy_sheet(PG_FUNCTION_ARGS) {
    return dropped_in_1_3();
}

Datum pg_xlsx_sheet_header(PG_FUNCTION_ARGS) {
    return dropped_in_1_3();
}
