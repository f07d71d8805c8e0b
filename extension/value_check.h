/*
 * Non-throwing checks of text values against column types: the fast path of xlsx.merge and
 * the heart of xlsx.profile. A check never raises an error. It may say "does not fit" for a
 * value that the server would accept (surrounding blanks, month names, time zone names): the
 * merge then asks the server itself, so a check only has to be exact when it says "fits".
 */
#ifndef PG_XLSX_VALUE_CHECK_H
#define PG_XLSX_VALUE_CHECK_H

#include "postgres.h"

/* The types the profiler chooses from, narrowest first. */
typedef enum ValueKind {
    VK_BOOLEAN,
    VK_SMALLINT,
    VK_INTEGER,
    VK_BIGINT,
    VK_NUMERIC,
    VK_DOUBLE,
    VK_DATE,
    VK_TIME,
    VK_TIMESTAMP,
    VK_TIMESTAMPTZ,
    VK_UUID,
    VK_COUNT /* text: every value fits */
} ValueKind;

#define VK_BIT(kind) (1u << (kind))
#define VK_ALL ((1u << VK_COUNT) - 1)

/* The kinds the value fits, as a mask of VK_BIT()s. */
extern uint32 value_kinds(const char* value, int len);

/* The SQL name of a kind; "text" for VK_COUNT. */
extern const char* value_kind_name(ValueKind kind);

/* What a check without the server can say of a value for a column type. */
typedef enum ValueVerdict {
    VALUE_FITS,       /* converts, to what COPY would store */
    VALUE_DOUBTFUL,   /* the type's check says it may not: ask the server */
    VALUE_NOT_CHECKED /* a type (or a domain's constraint) only the server checks */
} ValueVerdict;

extern ValueVerdict value_verdict(const char* value, int len, Oid type, int32 typmod);

/* The same for a type that is not a domain (a domain's base type and typmod, looked up once
 * by a caller that checks many values). */
extern ValueVerdict value_verdict_of_base(const char* value, int len, Oid base, int32 typmod);

/* Whether the value surely converts to the type with this typmod. */
extern bool value_fits(const char* value, int len, Oid type, int32 typmod);

#endif
