/*
 * A text value as COPY reads it into a column: the column type's input function with the
 * column's typmod (a domain's input checks its base type's typmod and its constraints, NULL
 * included). The merge converts through this instead of a cast, which would change values
 * where COPY refuses them.
 */
#ifndef PG_XLSX_COLUMN_INPUT_H
#define PG_XLSX_COLUMN_INPUT_H

#include "postgres.h"

#include "fmgr.h"

typedef struct ColumnReader {
    Oid type;
    int32 typmod;
    FmgrInfo input;
    Oid io_param;
} ColumnReader;

extern void column_reader_init(ColumnReader* reader, Oid type, int32 typmod, MemoryContext context);

/* NULL when the value (NULL: none) converts; else the server's message of why not. */
extern char* column_reader_refusal(ColumnReader* reader, const char* value);

/* The same without a subtransaction, through the input function's soft errors (PostgreSQL 16
 * and later; a hard error is raised as it is). Before 16 it says nothing: NULL. */
extern char* column_reader_soft_refusal(ColumnReader* reader, const char* value);

#endif
