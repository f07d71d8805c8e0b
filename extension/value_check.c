/*
 * Non-throwing value checks (see value_check.h). Numbers, booleans and UUIDs are scanned by
 * hand; dates and times go through the server's own ParseDateTime/DecodeDateTime, which report
 * bad input as return codes. Their one throwing path, a named time zone, needs letters and a
 * '/' or a zone word, so values with letters other than the ISO 'T' and 'Z' are not checked
 * as dates here and fall to the server.
 */
#include "postgres.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "pg_compat.h"
#include "value_check.h"

PG_FUNCTION_INFO_V1(pg_xlsx_value_fits);
PG_FUNCTION_INFO_V1(pg_xlsx_value_doubtful);

#define NUMBER_MAX_LEN 127
#define EXPONENT_MAX 1000

static const char* const kind_names[VK_COUNT + 1] = {"boolean",   "smallint",
                                                     "integer",   "bigint",
                                                     "numeric",   "double precision",
                                                     "date",      "time",
                                                     "timestamp", "timestamp with time zone",
                                                     "uuid",      "text"};

const char* value_kind_name(ValueKind kind) {
    return kind_names[kind];
}

static bool equals_ci(const char* value, int len, const char* word) {
    return (int)strlen(word) == len && pg_strncasecmp(value, word, len) == 0;
}

static bool is_boolean(const char* value, int len) {
    static const char* const words[] = {"true", "false", "t", "f", "yes", "no", "on", "off"};
    for (int i = 0; i < (int)lengthof(words); i++)
        if (equals_ci(value, len, words[i])) return true;
    return false;
}

/* Shape of a decimal number: [sign] digits [. digits] [e [sign] digits]. */
typedef struct NumberShape {
    bool valid;
    bool integral;      /* no point and no exponent */
    int integer_digits; /* without leading zeros */
    int fraction_digits;
    int exponent;
} NumberShape;

static NumberShape scan_number(const char* value, int len) {
    NumberShape shape = {0};
    int i = 0;
    int digits = 0;

    if (len == 0 || len > NUMBER_MAX_LEN) return shape;
    if (value[i] == '+' || value[i] == '-') i++;
    for (; i < len && isdigit((unsigned char)value[i]); i++, digits++)
        if (shape.integer_digits > 0 || value[i] != '0') shape.integer_digits++;
    shape.integral = true;
    if (i < len && value[i] == '.') {
        shape.integral = false;
        for (i++; i < len && isdigit((unsigned char)value[i]); i++, digits++)
            shape.fraction_digits++;
    }
    if (digits == 0) return shape;
    if (i < len && (value[i] == 'e' || value[i] == 'E')) {
        bool negative = false;
        int exp_digits = 0;

        shape.integral = false;
        i++;
        if (i < len && (value[i] == '+' || value[i] == '-')) negative = value[i++] == '-';
        for (; i < len && isdigit((unsigned char)value[i]); i++, exp_digits++) {
            shape.exponent = shape.exponent * 10 + (value[i] - '0');
            if (shape.exponent > EXPONENT_MAX) return shape;
        }
        if (exp_digits == 0) return shape;
        if (negative) shape.exponent = -shape.exponent;
    }
    shape.valid = i == len;
    return shape;
}

/* The integer kinds an integral number fits. */
static uint32 integer_kinds(const char* value, int len) {
    bool negative = value[0] == '-';
    uint64 magnitude = 0;

    for (int i = (value[0] == '+' || negative) ? 1 : 0; i < len; i++) {
        if (magnitude > (PG_UINT64_MAX - 9) / 10) return 0;
        magnitude = magnitude * 10 + (value[i] - '0');
    }
    if (magnitude <= (negative ? (uint64)PG_INT16_MAX + 1 : (uint64)PG_INT16_MAX))
        return VK_BIT(VK_SMALLINT) | VK_BIT(VK_INTEGER) | VK_BIT(VK_BIGINT);
    if (magnitude <= (negative ? (uint64)PG_INT32_MAX + 1 : (uint64)PG_INT32_MAX))
        return VK_BIT(VK_INTEGER) | VK_BIT(VK_BIGINT);
    if (magnitude <= (negative ? (uint64)PG_INT64_MAX + 1 : (uint64)PG_INT64_MAX))
        return VK_BIT(VK_BIGINT);
    return 0;
}

/* strtod's verdict, which is float8in's: finite and not an underflow to zero. */
static bool fits_double(const char* value, int len, double max) {
    char buffer[NUMBER_MAX_LEN + 1];
    double parsed;

    memcpy(buffer, value, len);
    buffer[len] = '\0';
    errno = 0;
    parsed = strtod(buffer, NULL);
    return errno == 0 && isfinite(parsed) && fabs(parsed) <= max;
}

static uint32 number_kinds(const char* value, int len) {
    NumberShape shape = scan_number(value, len);
    uint32 kinds;

    if (!shape.valid) return 0;
    kinds = VK_BIT(VK_NUMERIC);
    if (shape.integral) kinds |= integer_kinds(value, len);
    if (fits_double(value, len, DBL_MAX)) kinds |= VK_BIT(VK_DOUBLE);
    return kinds;
}

static bool is_hex_run(const char* value, int len) {
    for (int i = 0; i < len; i++)
        if (!isxdigit((unsigned char)value[i])) return false;
    return true;
}

/* The canonical 8-4-4-4-12 form, or 32 hex digits. */
static bool is_uuid(const char* value, int len) {
    if (len == 32) return is_hex_run(value, 32);
    if (len != 36) return false;
    return is_hex_run(value, 8) && value[8] == '-' && is_hex_run(value + 9, 4) &&
           value[13] == '-' && is_hex_run(value + 14, 4) && value[18] == '-' &&
           is_hex_run(value + 19, 4) && value[23] == '-' && is_hex_run(value + 24, 12);
}

/* Digits, separators, and the ISO 8601 'T' and 'Z' only: see the file comment. */
static bool looks_temporal(const char* value, int len, bool* has_time, bool* has_date) {
    *has_time = *has_date = false;
    if (len == 0 || len >= MAXDATELEN) return false;
    if (!isdigit((unsigned char)value[0])) return false;
    for (int i = 0; i < len; i++) {
        char c = value[i];
        if (c == ':')
            *has_time = true;
        else if (c == '-' || c == '/')
            *has_date = true;
        else if (!isdigit((unsigned char)c) && c != ' ' && c != '.' && c != '+' && c != 'T' &&
                 c != 'Z' && c != 't' && c != 'z')
            return false;
    }
    /* A date needs separators; bare digit strings are numbers, not compact dates. */
    if (!*has_date && !*has_time) return false;
    return true;
}

static uint32 temporal_kinds(const char* value, int len) {
    char text[MAXDATELEN + 1];
    char workbuf[MAXDATELEN + MAXDATEFIELDS];
    char* field[MAXDATEFIELDS];
    int ftype[MAXDATEFIELDS];
    int nf, dtype, tz;
    struct pg_tm tm;
    fsec_t fsec;
    bool has_time, has_date;
    Timestamp ts;

    if (!looks_temporal(value, len, &has_time, &has_date)) return 0;
    memcpy(text, value, len);
    text[len] = '\0';
    if (ParseDateTime(text, workbuf, sizeof(workbuf), field, ftype, MAXDATEFIELDS, &nf) != 0)
        return 0;

    if (!has_date) {
        if (compat_decode_time_only(field, ftype, nf, &dtype, &tm, &fsec, &tz) != 0 ||
            dtype != DTK_TIME)
            return 0;
        return VK_BIT(VK_TIME);
    }
    /* Without a zone, DecodeDateTime refuses a zone field when tzp is NULL. */
    if (compat_decode_date_time(field, ftype, nf, &dtype, &tm, &fsec, NULL) == 0) {
        if (dtype != DTK_DATE || tm2timestamp(&tm, fsec, NULL, &ts) != 0) return 0;
        if (has_time) return VK_BIT(VK_TIMESTAMP) | VK_BIT(VK_TIMESTAMPTZ);
        return VK_BIT(VK_DATE) | VK_BIT(VK_TIMESTAMP) | VK_BIT(VK_TIMESTAMPTZ);
    }
    if (ParseDateTime(text, workbuf, sizeof(workbuf), field, ftype, MAXDATEFIELDS, &nf) != 0 ||
        compat_decode_date_time(field, ftype, nf, &dtype, &tm, &fsec, &tz) != 0 ||
        dtype != DTK_DATE || tm2timestamp(&tm, fsec, &tz, &ts) != 0)
        return 0;
    return VK_BIT(VK_TIMESTAMPTZ);
}

uint32 value_kinds(const char* value, int len) {
    uint32 kinds = 0;

    if (len == 0) return 0;
    if (is_boolean(value, len)) return VK_BIT(VK_BOOLEAN);
    kinds |= number_kinds(value, len);
    if (kinds != 0) return kinds;
    if (is_uuid(value, len)) return VK_BIT(VK_UUID);
    return temporal_kinds(value, len);
}

/* numeric(p, s): the integer digits fit, and rounding to s places cannot carry over. */
static bool fits_numeric_typmod(const char* value, int len, int32 typmod) {
    NumberShape shape = scan_number(value, len);
    int precision, scale;

    if (typmod < (int32)VARHDRSZ) return true;
    if (shape.exponent != 0) return false;
    precision = ((typmod - VARHDRSZ) >> 16) & 0xffff;
    scale = (typmod - VARHDRSZ) & 0xffff;
    if (shape.integer_digits < precision - scale) return true;
    return shape.integer_digits == precision - scale && shape.fraction_digits <= scale;
}

static bool fits_length(const char* value, int len, int32 typmod) {
    if (typmod < (int32)VARHDRSZ) return true;
    return pg_mbstrlen_with_len(value, len) <= typmod - (int32)VARHDRSZ;
}

/* The profiler's kind that decides a type, or -1 for a type checked otherwise or not at all. */
static int kind_of_type(Oid type) {
    switch (type) {
        case BOOLOID:
            return VK_BOOLEAN;
        case INT2OID:
            return VK_SMALLINT;
        case INT4OID:
            return VK_INTEGER;
        case INT8OID:
            return VK_BIGINT;
        case NUMERICOID:
            return VK_NUMERIC;
        case FLOAT8OID:
            return VK_DOUBLE;
        case DATEOID:
            return VK_DATE;
        case TIMEOID:
            return VK_TIME;
        case TIMESTAMPOID:
            return VK_TIMESTAMP;
        case TIMESTAMPTZOID:
            return VK_TIMESTAMPTZ;
        case UUIDOID:
            return VK_UUID;
        default:
            return -1;
    }
}

ValueVerdict value_verdict_of_base(const char* value, int len, Oid type, int32 typmod) {
    int kind;

    if (type == TEXTOID) return VALUE_FITS;
    if (type == VARCHAROID || type == BPCHAROID)
        return fits_length(value, len, typmod) ? VALUE_FITS : VALUE_DOUBTFUL;
    if (type == FLOAT4OID)
        return scan_number(value, len).valid && fits_double(value, len, FLT_MAX) ? VALUE_FITS
                                                                                 : VALUE_DOUBTFUL;
    kind = kind_of_type(type);
    if (kind < 0) return VALUE_NOT_CHECKED;
    if ((value_kinds(value, len) & VK_BIT(kind)) == 0) return VALUE_DOUBTFUL;
    if (type == NUMERICOID && !fits_numeric_typmod(value, len, typmod)) return VALUE_DOUBTFUL;
    return VALUE_FITS;
}

ValueVerdict value_verdict(const char* value, int len, Oid type, int32 typmod) {
    Oid base = getBaseTypeAndTypmod(type, &typmod);
    ValueVerdict verdict = value_verdict_of_base(value, len, base, typmod);

    /* A domain's constraints are the server's to evaluate. */
    if (verdict == VALUE_FITS && base != type && DomainHasConstraints(type))
        return VALUE_NOT_CHECKED;
    return verdict;
}

bool value_fits(const char* value, int len, Oid type, int32 typmod) {
    return value_verdict(value, len, type, typmod) == VALUE_FITS;
}

static ValueVerdict verdict_of_args(FunctionCallInfo fcinfo) {
    text* value;

    if (PG_ARGISNULL(1))
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("target type must not be null")));
    value = PG_GETARG_TEXT_PP(0);
    return value_verdict(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value), PG_GETARG_OID(1),
                         PG_ARGISNULL(2) ? -1 : PG_GETARG_INT32(2));
}

/*
 * xlsx.value_fits(value text, target regtype, typmod integer): true when the value surely
 * converts, to what COPY would store. NULL is for the column's constraints to judge.
 */
Datum pg_xlsx_value_fits(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0)) PG_RETURN_BOOL(true);
    PG_RETURN_BOOL(verdict_of_args(fcinfo) == VALUE_FITS);
}

/*
 * xlsx_internal.value_doubtful(value text, target regtype, typmod integer): whether a check
 * of the value's type says it may not convert. The merge takes these rows one by one first;
 * values of types nobody checks here are found by the server when the rest is inserted.
 */
Datum pg_xlsx_value_doubtful(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0)) PG_RETURN_BOOL(false);
    PG_RETURN_BOOL(verdict_of_args(fcinfo) == VALUE_DOUBTFUL);
}
