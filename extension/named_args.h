/*
 * The arguments of an SQL-callable C function by the names its CREATE FUNCTION gives them, so
 * that C never counts positions and the defaults live in SQL alone. A NULL text or array is
 * "not given"; a NULL where SQL has a default of another kind is the caller's mistake.
 */
#ifndef PG_XLSX_NAMED_ARGS_H
#define PG_XLSX_NAMED_ARGS_H

#include "postgres.h"

#include "fmgr.h"

typedef struct NamedArgs {
    FunctionCallInfo fcinfo;
    int count;
    char** names;
} NamedArgs;

extern void named_args_init(NamedArgs* args, FunctionCallInfo fcinfo);
/* The argument's position; an error for a name the function does not have. */
extern int named_arg(const NamedArgs* args, const char* name);
extern bool named_arg_given(const NamedArgs* args, const char* name);
/* Whether the function has the argument (an older version's definition may not). */
extern bool named_arg_exists(const NamedArgs* args, const char* name);
/* NULL when not given. */
extern char* named_text(const NamedArgs* args, const char* name);
/* An error when NULL. */
extern bool named_bool(const NamedArgs* args, const char* name);
extern int32 named_int32(const NamedArgs* args, const char* name);
/* A text[]'s elements (NULL elements as ""); NULL and *count 0 when not given. */
extern char** named_text_array(const NamedArgs* args, const char* name, int* count);

#endif
