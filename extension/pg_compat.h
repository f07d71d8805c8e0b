/*
 * What differs between the PostgreSQL versions pg_xlsx builds against (15 to 18), in one
 * place: each difference behind PG_VERSION_NUM, with the release that changed it.
 */
#ifndef PG_XLSX_COMPAT_H
#define PG_XLSX_COMPAT_H

#include "postgres.h"

#include "catalog/pg_namespace.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "optimizer/pathnode.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "parser/parse_type.h"
#include "storage/fd.h"
#include "utils/acl.h"
#include "utils/datetime.h"
#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"
#endif
/* PostgreSQL 18 moved ExplainState and the ExplainProperty functions out of explain.h. */
#if PG_VERSION_NUM >= 180000
#include "commands/explain_format.h"
#include "commands/explain_state.h"
#endif

/* The prefix of the server's temporary files: PostgreSQL 17 moved it from storage/fd.h to
 * common/file_utils.h. */
#ifndef PG_TEMP_FILE_PREFIX
#include "common/file_utils.h"
#endif

/*
 * A function that never returns: PostgreSQL 18 replaced pg_attribute_noreturn(), written after
 * the declaration, with pg_noreturn, written before it (C11's _Noreturn).
 */
#if PG_VERSION_NUM < 180000
#define pg_noreturn pg_attribute_noreturn()
#endif

/*
 * A type name's OID and typmod, InvalidOid when no such type exists (a malformed name is still
 * an error). PostgreSQL 16 turned parseTypeString's missing_ok into a soft-error context.
 */
static inline Oid compat_parse_type(const char* name, int32* typmod) {
    Oid type = InvalidOid;
#if PG_VERSION_NUM >= 160000
    ErrorSaveContext missing = {T_ErrorSaveContext};

    if (!parseTypeString(name, &type, typmod, (Node*)&missing)) return InvalidOid;
#else
    parseTypeString(name, &type, typmod, true);
#endif
    return type;
}

/* Whether input functions report bad values without raising (PostgreSQL 16 and later). */
#define COMPAT_SOFT_INPUT_ERRORS (PG_VERSION_NUM >= 160000)

/*
 * Why an input function refuses a value, through its soft errors: PostgreSQL 16 let input
 * functions report bad input without raising (a hard error still raises). NULL when the value
 * converts, and always before 16, where only a subtransaction could ask.
 */
static inline char* compat_input_soft_refusal(FmgrInfo* input, char* value, Oid io_param,
                                              int32 typmod) {
#if PG_VERSION_NUM >= 160000
    ErrorSaveContext refusal = {T_ErrorSaveContext};
    Datum result;

    refusal.details_wanted = true;
    if (InputFunctionCallSafe(input, value, io_param, typmod, (Node*)&refusal, &result))
        return NULL;
    return refusal.error_data->message;
#else
    return NULL;
#endif
}

/* May the current user create objects in the schema? PostgreSQL 16 folded
 * pg_namespace_aclcheck into object_aclcheck. */
static inline bool compat_may_create_in(Oid namespace) {
#if PG_VERSION_NUM >= 160000
    return object_aclcheck(NamespaceRelationId, namespace, GetUserId(), ACL_CREATE) == ACLCHECK_OK;
#else
    return pg_namespace_aclcheck(namespace, GetUserId(), ACL_CREATE) == ACLCHECK_OK;
#endif
}

/*
 * The server's date/time decoders, which the type checks call. PostgreSQL 16 gave both an
 * extra argument for the details of a failure (DateTimeErrorExtra); the checks need only the
 * verdict.
 */
static inline int compat_decode_date_time(char** field, int* ftype, int nf, int* dtype,
                                          struct pg_tm* tm, fsec_t* fsec, int* tzp) {
#if PG_VERSION_NUM >= 160000
    DateTimeErrorExtra extra = {0};

    return DecodeDateTime(field, ftype, nf, dtype, tm, fsec, tzp, &extra);
#else
    return DecodeDateTime(field, ftype, nf, dtype, tm, fsec, tzp);
#endif
}

static inline int compat_decode_time_only(char** field, int* ftype, int nf, int* dtype,
                                          struct pg_tm* tm, fsec_t* fsec, int* tzp) {
#if PG_VERSION_NUM >= 160000
    DateTimeErrorExtra extra = {0};

    return DecodeTimeOnly(field, ftype, nf, dtype, tm, fsec, tzp, &extra);
#else
    return DecodeTimeOnly(field, ftype, nf, dtype, tm, fsec, tzp);
#endif
}

/*
 * The INSERT privilege on a table and on the columns loaded, checked as COPY FROM checks it
 * (ereports when missing). PostgreSQL 16 moved a range table entry's permissions into
 * RTEPermissionInfo and renamed ExecCheckRTPerms to ExecCheckPermissions.
 */
static inline void compat_check_insert_permission(ParseState* pstate, ParseNamespaceItem* nsitem,
                                                  List* attnums) {
    ListCell* lc;
#if PG_VERSION_NUM >= 160000
    RTEPermissionInfo* perminfo = nsitem->p_perminfo;

    perminfo->requiredPerms = ACL_INSERT;
    foreach (lc, attnums)
        perminfo->insertedCols = bms_add_member(
            perminfo->insertedCols, lfirst_int(lc) - FirstLowInvalidHeapAttributeNumber);
    ExecCheckPermissions(pstate->p_rtable, list_make1(perminfo), true);
#else
    RangeTblEntry* rte = nsitem->p_rte;

    rte->requiredPerms = ACL_INSERT;
    foreach (lc, attnums)
        rte->insertedCols =
            bms_add_member(rte->insertedCols, lfirst_int(lc) - FirstLowInvalidHeapAttributeNumber);
    ExecCheckRTPerms(pstate->p_rtable, true);
#endif
}

/*
 * The foreign scan's one path: no pathkeys, no outer rels, no private data. PostgreSQL 17
 * added the restriction clauses a path checks (fdw_restrictinfo), 18 the count of disabled
 * nodes beneath it.
 */
static inline ForeignPath* compat_create_foreignscan_path(PlannerInfo* root, RelOptInfo* rel,
                                                          double rows, Cost startup, Cost total) {
#if PG_VERSION_NUM >= 180000
    return create_foreignscan_path(root, rel, NULL, rows, 0, startup, total, NIL, NULL, NULL, NIL,
                                   NIL);
#elif PG_VERSION_NUM >= 170000
    return create_foreignscan_path(root, rel, NULL, rows, startup, total, NIL, NULL, NULL, NIL,
                                   NIL);
#else
    return create_foreignscan_path(root, rel, NULL, rows, startup, total, NIL, NULL, NULL, NIL);
#endif
}

#endif
