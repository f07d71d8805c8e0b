#include "named_args.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/syscache.h"

void named_args_init(NamedArgs* args, FunctionCallInfo fcinfo) {
    HeapTuple proc = SearchSysCache1(PROCOID, ObjectIdGetDatum(fcinfo->flinfo->fn_oid));
    Oid* types;
    char modes_unused = 0;
    char* modes = &modes_unused;

    if (!HeapTupleIsValid(proc))
        elog(ERROR, "cache lookup failed for function %u", fcinfo->flinfo->fn_oid);
    args->fcinfo = fcinfo;
    args->count = get_func_arg_info(proc, &types, &args->names, &modes);
    ReleaseSysCache(proc);
    if (args->names == NULL) elog(ERROR, "function %u names no arguments", fcinfo->flinfo->fn_oid);
}

int named_arg(const NamedArgs* args, const char* name) {
    for (int i = 0; i < args->count && i < args->fcinfo->nargs; i++)
        if (args->names[i] && strcmp(args->names[i], name) == 0) return i;
    elog(ERROR, "function %u has no argument %s", args->fcinfo->flinfo->fn_oid, name);
}

bool named_arg_exists(const NamedArgs* args, const char* name) {
    for (int i = 0; i < args->count && i < args->fcinfo->nargs; i++)
        if (args->names[i] && strcmp(args->names[i], name) == 0) return true;
    return false;
}

bool named_arg_given(const NamedArgs* args, const char* name) {
    return !args->fcinfo->args[named_arg(args, name)].isnull;
}

static Datum value_of(const NamedArgs* args, const char* name) {
    NullableDatum* arg = &args->fcinfo->args[named_arg(args, name)];

    if (arg->isnull)
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be NULL", name),
                 errhint("Leave the argument out for its default.")));
    return arg->value;
}

char* named_text(const NamedArgs* args, const char* name) {
    return named_arg_given(args, name) ? TextDatumGetCString(value_of(args, name)) : NULL;
}

bool named_bool(const NamedArgs* args, const char* name) {
    return DatumGetBool(value_of(args, name));
}

int32 named_int32(const NamedArgs* args, const char* name) {
    return DatumGetInt32(value_of(args, name));
}

char** named_text_array(const NamedArgs* args, const char* name, int* count) {
    Datum* elems;
    bool* nulls;
    char** out;

    *count = 0;
    if (!named_arg_given(args, name)) return NULL;
    deconstruct_array(DatumGetArrayTypeP(value_of(args, name)), TEXTOID, -1, false, TYPALIGN_INT,
                      &elems, &nulls, count);
    out = palloc(sizeof(char*) * (*count + 1));
    for (int i = 0; i < *count; i++)
        out[i] = nulls[i] ? pstrdup("") : TextDatumGetCString(elems[i]);
    out[*count] = NULL;
    return out;
}
