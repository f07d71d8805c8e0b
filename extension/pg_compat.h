/*
 * What differs between the PostgreSQL versions pg_xlsx builds against (15 to 18), in one
 * place: each difference behind PG_VERSION_NUM, with the release that changed it.
 */
#ifndef PG_XLSX_COMPAT_H
#define PG_XLSX_COMPAT_H

#include "postgres.h"

#include "catalog/pg_namespace.h"
#include "miscadmin.h"
#include "parser/parse_type.h"
#include "utils/acl.h"
#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"
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

/* May the current user create objects in the schema? PostgreSQL 16 folded
 * pg_namespace_aclcheck into object_aclcheck. */
static inline bool compat_may_create_in(Oid namespace) {
#if PG_VERSION_NUM >= 160000
    return object_aclcheck(NamespaceRelationId, namespace, GetUserId(), ACL_CREATE) == ACLCHECK_OK;
#else
    return pg_namespace_aclcheck(namespace, GetUserId(), ACL_CREATE) == ACLCHECK_OK;
#endif
}

#endif
