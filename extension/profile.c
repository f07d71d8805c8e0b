/*
 * xlsx_internal.profile_agg(text): one column's profile in a single pass. Per value: null or not,
 * its length in characters, a HyperLogLog sketch of its hash for the distinct estimate, and the set
 * of types every value so far converts to (value_check.c, which never raises an error). The final
 * function picks the narrowest surviving type. xlsx.profile() runs one of these per column in one
 * scan of the table.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/hyperloglog.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "value_check.h"

PG_FUNCTION_INFO_V1(pg_xlsx_profile_transition);
PG_FUNCTION_INFO_V1(pg_xlsx_profile_final);

/* 2^10 registers: about 3% standard error, 1 kB per column. */
#define PROFILE_HLL_BWIDTH 10

typedef struct ColumnProfile {
    int64 nulls;
    int64 values;
    int32 min_length;
    int32 max_length;
    uint32 kinds; /* types every non-null value so far fits */
    hyperLogLogState distinct;
} ColumnProfile;

/* Zip codes, account numbers, phone numbers: leading zeros are data, so the value is text. */
static bool has_leading_zero(const char* value, int len) {
    int i = (len > 0 && (value[0] == '-' || value[0] == '+')) ? 1 : 0;
    return i + 1 < len && value[i] == '0' && isdigit((unsigned char)value[i + 1]);
}

static uint32 profile_kinds(const char* value, int len) {
    uint32 kinds = value_kinds(value, len);
    if (has_leading_zero(value, len))
        kinds &= ~(VK_BIT(VK_SMALLINT) | VK_BIT(VK_INTEGER) | VK_BIT(VK_BIGINT) |
                   VK_BIT(VK_NUMERIC) | VK_BIT(VK_DOUBLE));
    return kinds;
}

/* Characters in a value: in UTF-8, the bytes that do not continue a sequence. */
static int32 character_length(const char* data, int len) {
    int32 continuation = 0;

    if (GetDatabaseEncoding() != PG_UTF8) return pg_mbstrlen_with_len(data, len);
    for (int i = 0; i < len; i++)
        continuation += ((unsigned char)data[i] & 0xC0) == 0x80;
    return len - continuation;
}

Datum pg_xlsx_profile_transition(PG_FUNCTION_ARGS) {
    MemoryContext aggregate_context;
    ColumnProfile* profile;

    if (!AggCheckCallContext(fcinfo, &aggregate_context))
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("xlsx_internal.profile_agg called in a non-aggregate context")));
    if (PG_ARGISNULL(0)) {
        MemoryContext old = MemoryContextSwitchTo(aggregate_context);
        profile = palloc0(sizeof(ColumnProfile));
        profile->min_length = PG_INT32_MAX;
        profile->kinds = VK_ALL;
        initHyperLogLog(&profile->distinct, PROFILE_HLL_BWIDTH);
        MemoryContextSwitchTo(old);
    } else {
        profile = (ColumnProfile*)PG_GETARG_POINTER(0);
    }

    if (PG_ARGISNULL(1)) {
        profile->nulls++;
    } else {
        text* value = PG_GETARG_TEXT_PP(1);
        const char* data = VARDATA_ANY(value);
        int len = VARSIZE_ANY_EXHDR(value);
        int32 chars = character_length(data, len);

        profile->values++;
        profile->min_length = Min(profile->min_length, chars);
        profile->max_length = Max(profile->max_length, chars);
        addHyperLogLog(&profile->distinct, hash_bytes((const unsigned char*)data, len));
        if (profile->kinds != 0) profile->kinds &= profile_kinds(data, len);
    }
    PG_RETURN_POINTER(profile);
}

static ValueKind narrowest_kind(uint32 kinds) {
    for (int kind = 0; kind < VK_COUNT; kind++)
        if (kinds & VK_BIT(kind)) return (ValueKind)kind;
    return VK_COUNT;
}

/* Returns xlsx.column_profile; an all-null or empty column is profiled as text. */
Datum pg_xlsx_profile_final(PG_FUNCTION_ARGS) {
    ColumnProfile* profile = PG_ARGISNULL(0) ? NULL : (ColumnProfile*)PG_GETARG_POINTER(0);
    TupleDesc descriptor;
    Datum values[6];
    bool nulls[6] = {false};
    int64 distinct = 0;

    if (get_call_result_type(fcinfo, NULL, &descriptor) != TYPEFUNC_COMPOSITE)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("function returning record called in context "
                               "that cannot accept type record")));
    descriptor = BlessTupleDesc(descriptor);
    if (profile == NULL) PG_RETURN_NULL();

    if (profile->values > 0) {
        /* The sketch is approximate; it never claims more distinct values than values. */
        distinct = (int64)(estimateHyperLogLog(&profile->distinct) + 0.5);
        distinct = Max(1, Min(distinct, profile->values));
    }
    values[0] = Int64GetDatum(profile->nulls);
    values[1] = Int64GetDatum(profile->values);
    values[2] = Int64GetDatum(distinct);
    values[3] = Int32GetDatum(profile->min_length);
    values[4] = Int32GetDatum(profile->max_length);
    nulls[3] = nulls[4] = profile->values == 0;
    values[5] = CStringGetTextDatum(
        value_kind_name(profile->values == 0 ? VK_COUNT : narrowest_kind(profile->kinds)));
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(descriptor, values, nulls)));
}
