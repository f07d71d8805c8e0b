/*
 * Excel serial numbers to date, time and timestamp, in the workbook's date system. The 1900
 * system counts Excel's fictitious 1900-02-29 (serial 60): serials 1..59 are shifted a day so
 * that serial 1 is 1900-01-01, and 60 lands on 1900-02-28. Fractions of a second are rounded
 * to the millisecond, as Excel rounds them. The loader's reader follows the same rules.
 */
#include "postgres.h"

#include <math.h>

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(pg_xlsx_excel_timestamp);
PG_FUNCTION_INFO_V1(pg_xlsx_excel_date);
PG_FUNCTION_INFO_V1(pg_xlsx_excel_time);

#define MS_PER_DAY INT64CONST(86400000)

/* Days of 1899-12-30 and 1904-01-01 relative to PostgreSQL's epoch 2000-01-01. */
static int32 epoch_days(bool date1904) {
    return date1904 ? date2j(1904, 1, 1) - POSTGRES_EPOCH_JDATE
                    : date2j(1899, 12, 30) - POSTGRES_EPOCH_JDATE;
}

static void serial_parts(float8 serial, bool date1904, int32* days, int64* millis) {
    float8 whole;

    if (isnan(serial) || isinf(serial) || serial < -693593.0 || serial >= 2958466.0)
        ereport(ERROR,
                (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                 errmsg("Excel serial %g is out of range", serial),
                 errdetail("Excel dates run from serial 1 (1900-01-01) to 2958465 (9999-12-31).")));
    whole = floor(serial);
    *days = (int32)whole;
    *millis = (int64)llround((serial - whole) * (float8)MS_PER_DAY);
    if (*millis >= MS_PER_DAY) {
        *days += 1;
        *millis -= MS_PER_DAY;
    }
    if (!date1904 && serial >= 1 && serial < 60) *days += 1;
    *days += epoch_days(date1904);
}

Datum pg_xlsx_excel_timestamp(PG_FUNCTION_ARGS) {
    int32 days;
    int64 millis;

    serial_parts(PG_GETARG_FLOAT8(0), PG_GETARG_BOOL(1), &days, &millis);
    PG_RETURN_TIMESTAMP((Timestamp)days * USECS_PER_DAY + millis * 1000);
}

Datum pg_xlsx_excel_date(PG_FUNCTION_ARGS) {
    int32 days;
    int64 millis;

    serial_parts(PG_GETARG_FLOAT8(0), PG_GETARG_BOOL(1), &days, &millis);
    PG_RETURN_DATEADT((DateADT)days);
}

Datum pg_xlsx_excel_time(PG_FUNCTION_ARGS) {
    int32 days;
    int64 millis;

    serial_parts(PG_GETARG_FLOAT8(0), PG_GETARG_BOOL(1), &days, &millis);
    PG_RETURN_TIMEADT((TimeADT)millis * 1000);
}
