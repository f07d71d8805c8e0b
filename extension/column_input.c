/*
 * Values as COPY reads them (column_input.h), for the merge in C and, through
 * xlsx_internal.column_input, in the one INSERT ... SELECT of its fast path.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "column_input.h"
#include "pg_compat.h"
#include "subtransaction.h"

PG_FUNCTION_INFO_V1(pg_xlsx_column_input);

void column_reader_init(ColumnReader* reader, Oid type, int32 typmod, MemoryContext context) {
    Oid input_function;

    getTypeInputInfo(type, &input_function, &reader->io_param);
    fmgr_info_cxt(input_function, &reader->input, context);
    reader->type = type;
    reader->typmod = typmod;
}

typedef struct Conversion {
    ColumnReader* reader;
    char* value;
} Conversion;

static void convert(void* arg) {
    Conversion* c = arg;

    (void)InputFunctionCall(&c->reader->input, c->value, c->reader->io_param, c->reader->typmod);
}

char* column_reader_refusal(ColumnReader* reader, const char* value) {
    Conversion c = {reader, (char*)value};
    ErrorData* error = try_in_subtransaction(convert, &c);

    return error ? error->message : NULL;
}

char* column_reader_soft_refusal(ColumnReader* reader, const char* value) {
    return compat_input_soft_refusal(&reader->input, (char*)value, reader->io_param,
                                     reader->typmod);
}

/*
 * xlsx_internal.column_input(value text, target regtype, typmod integer, sample anyelement)
 * RETURNS anyelement: the value read as target with typmod; sample, NULL::target, only gives
 * the result its type. The target comes apart from the sample because a domain passed as
 * anyelement arrives as its base type. Not strict: a domain may refuse NULL.
 */
Datum pg_xlsx_column_input(PG_FUNCTION_ARGS) {
    char* value = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
    int32 typmod = PG_ARGISNULL(2) ? -1 : PG_GETARG_INT32(2);
    ColumnReader* reader = fcinfo->flinfo->fn_extra; /* kept across the calls of one expression */
    Datum result;

    if (PG_ARGISNULL(1))
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("target type must not be null")));
    if (reader == NULL || reader->type != PG_GETARG_OID(1)) {
        if (reader == NULL)
            fcinfo->flinfo->fn_extra = reader =
                MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ColumnReader));
        column_reader_init(reader, PG_GETARG_OID(1), typmod, fcinfo->flinfo->fn_mcxt);
    }
    result = InputFunctionCall(&reader->input, value, reader->io_param, typmod);
    if (value == NULL) PG_RETURN_NULL();
    PG_RETURN_DATUM(result);
}
