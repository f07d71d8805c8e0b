/*
 * Work that may fail on one row's data, run in a subtransaction so that the failure is a
 * reject and not the end of the statement: the merge's fast path and its rows one by one, a
 * value's conversion, the import's checked copy. The pattern is PL/pgSQL's exception block.
 */
#ifndef PG_XLSX_SUBTRANSACTION_H
#define PG_XLSX_SUBTRANSACTION_H

#include "postgres.h"

/* Whether an error is about the data of a row (class 22, class 23, or a row affected twice by
 * one upsert): the errors that make a reject. Cancels, lost connections and the like are not. */
extern bool is_row_error(const ErrorData* error);

/*
 * Runs work(arg) in a subtransaction. NULL when it succeeded (committed into the caller's
 * transaction); the error when it failed with a row error (the subtransaction rolled back,
 * the error copied into the caller's memory context); any other error is raised again.
 */
extern ErrorData* try_in_subtransaction(void (*work)(void* arg), void* arg);

#endif
