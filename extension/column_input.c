/*
 * A staged text value as COPY reads it into a column: the column type's input function with
 * the column's typmod. The merge converts through this instead of a cast, because an explicit
 * cast changes values where COPY refuses them: it cuts text to varchar(n) and char(n), pads or
 * cuts bit(n), and a domain over such a type does the same. Through the input function a
 * domain checks its base type's typmod and its constraints (NULL included) as COPY does, and
 * a value that does not fit is an error the merge turns into a reject.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(pg_xlsx_column_input);

/* The input function of the last type asked for, kept across the calls of one expression. */
typedef struct ColumnInput {
    Oid type;
    FmgrInfo input;
    Oid io_param;
} ColumnInput;

static ColumnInput* column_input_of(FunctionCallInfo fcinfo, Oid type) {
    ColumnInput* cached = fcinfo->flinfo->fn_extra;
    Oid input_function;

    if (cached != NULL && cached->type == type) return cached;
    if (cached == NULL) {
        cached = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ColumnInput));
        fcinfo->flinfo->fn_extra = cached;
    }
    getTypeInputInfo(type, &input_function, &cached->io_param);
    fmgr_info_cxt(input_function, &cached->input, fcinfo->flinfo->fn_mcxt);
    cached->type = type;
    return cached;
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
    ColumnInput* input;
    Datum result;

    if (PG_ARGISNULL(1))
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("target type must not be null")));
    input = column_input_of(fcinfo, PG_GETARG_OID(1));
    result = InputFunctionCall(&input->input, value, input->io_param, typmod);
    if (value == NULL) PG_RETURN_NULL();
    PG_RETURN_DATUM(result);
}
