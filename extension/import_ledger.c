/*
 * xlsx.import's runs in the ledger, written through the ledger's own SQL functions (SPI, with
 * parameters) so that its rules and row-level security hold as for the client: the run with
 * the file's size and checksum, its end, and the result row read back from it.
 */
#include "postgres.h"

#include <isa-l/crc.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "import.h"

/* The workbook's size and a checksum of its bytes, in the client's form: crc32:HEX:SIZE (ISA-L's
 * gzip CRC is zlib's crc32, four times as fast). */
static char* checksum_of(const XlsxSource* source, int64* size) {
    uint32 crc = 0;

    if (source->path == NULL) {
        crc = crc32_gzip_refl(crc, (const unsigned char*)source->data, source->size);
        *size = (int64)source->size;
    } else {
        FILE* file = AllocateFile(source->path, PG_BINARY_R);
        char* buffer = palloc(1 << 20);
        size_t got;

        if (file == NULL)
            ereport(ERROR, (errcode_for_file_access(),
                            errmsg("could not open file \"%s\": %m", source->path)));
        *size = 0;
        while ((got = fread(buffer, 1, 1 << 20, file)) > 0) {
            CHECK_FOR_INTERRUPTS();
            crc = crc32_gzip_refl(crc, (const unsigned char*)buffer, got);
            *size += (int64)got;
        }
        FreeFile(file);
        pfree(buffer);
    }
    return psprintf("crc32:%08x:" INT64_FORMAT, crc, *size);
}

/* One statement through SPI; its first column of the first row, or NULL. */
char* spi_text(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls) {
    int ret = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);

    if (ret < 0) elog(ERROR, "SPI failed (%d) on: %s", ret, sql);
    if (SPI_processed == 0 || SPI_tuptable == NULL) return NULL;
    return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

Datum text_array_datum(char** items, int count) {
    Datum* elems = palloc(sizeof(Datum) * Max(count, 1));

    for (int i = 0; i < count; i++)
        elems[i] = CStringGetTextDatum(items[i]);
    return PointerGetDatum(construct_array(elems, count, TEXTOID, -1, false, TYPALIGN_INT));
}

Datum plan_names_datum(const xlsx_column_plan* plan) {
    int count = (int)xlsx_plan_count(plan);
    char** names = palloc(sizeof(char*) * Max(count, 1));

    for (int k = 0; k < count; k++)
        names[k] = (char*)xlsx_plan_name(plan, k);
    return text_array_datum(names, count);
}

/* Opens the run; it counts from the statement's start, the header pass included. */
int64 open_run(const XlsxSource* source, const char* sheet, const ImportTarget* t, bool direct) {
    int64 size;
    char* checksum = checksum_of(source, &size);
    Oid types[7] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT8OID, TEXTOID, TEXTOID};
    Datum values[7] = {CStringGetTextDatum(source->label),
                       CStringGetTextDatum(sheet),
                       CStringGetTextDatum(t->quoted),
                       CStringGetTextDatum(direct ? "direct" : "staging"),
                       Int64GetDatum(size),
                       CStringGetTextDatum(checksum),
                       CStringGetTextDatum(psprintf(
                           "pg_xlsx %s", spi_text("SELECT extversion FROM pg_catalog.pg_extension "
                                                  "WHERE extname OPERATOR(pg_catalog.=) 'pg_xlsx'",
                                                  0, NULL, NULL, NULL)))};
    Oid start_types[2] = {INT8OID, TIMESTAMPTZOID};
    Datum start[2];
    int64 run;

    run = pg_strtoint64(spi_text("SELECT xlsx_internal.open_run($1, $2, $3, $4, 1, $5, $6, $7)", 7,
                                 types, values, NULL));
    start[0] = Int64GetDatum(run);
    start[1] = TimestampTzGetDatum(GetCurrentStatementStartTimestamp());
    spi_text("UPDATE xlsx.import_runs SET started_at = $2 WHERE run_id OPERATOR(pg_catalog.=) $1",
             2, start_types, start, NULL);
    return run;
}

void finish_run(int64 run, const char* state, const SheetCopyResult* copied, int64 loaded,
                int64 rejected) {
    Oid types[6] = {INT8OID, TEXTOID, INT8OID, INT8OID, INT8OID, INT8OID};
    Datum values[6] = {Int64GetDatum(run),
                       CStringGetTextDatum(state),
                       Int64GetDatum(copied->rows_read),
                       Int64GetDatum(loaded),
                       Int64GetDatum(rejected),
                       Int64GetDatum((int64)copied->bytes_read)};

    spi_text("SELECT xlsx_internal.finish_run($1, $2, $3, $4, $5, $6)", 6, types, values, NULL);
}

/* The run as the ledger has it: counts, and seconds from its start to its end. */
void put_result(ReturnSetInfo* rsinfo, const ImportRun* result) {
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(result->run)};
    Datum row[8];
    bool nulls[8] = {false};
    bool isnull;
    int ret = SPI_execute_with_args(
        "SELECT rows_read, rows_loaded, rows_rejected, started_at, finished_at "
        "FROM xlsx.import_runs WHERE run_id OPERATOR(pg_catalog.=) $1",
        1, types, values, NULL, false, 0);
    HeapTuple tuple;
    TupleDesc desc;
    double seconds;

    if (ret != SPI_OK_SELECT || SPI_processed != 1)
        elog(ERROR, "run " INT64_FORMAT " is not in the ledger", result->run);
    tuple = SPI_tuptable->vals[0];
    desc = SPI_tuptable->tupdesc;
    row[0] = Int64GetDatum(result->run);
    row[1] = SPI_getbinval(tuple, desc, 1, &isnull);
    row[2] = SPI_getbinval(tuple, desc, 2, &isnull);
    row[3] = Int64GetDatum(result->inserted);
    row[4] = Int64GetDatum(result->updated);
    row[5] = SPI_getbinval(tuple, desc, 3, &isnull);
    seconds = (double)(DatumGetTimestampTz(SPI_getbinval(tuple, desc, 5, &isnull)) -
                       DatumGetTimestampTz(SPI_getbinval(tuple, desc, 4, &isnull))) /
              USECS_PER_SEC;
    row[6] = Float8GetDatum(seconds);
    /* as xlsx.import_stats rounds it */
    if (seconds > 0)
        row[7] = Float8GetDatum(round(10.0 * (double)DatumGetInt64(row[2]) / seconds) / 10.0);
    else
        nulls[7] = true;
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row, nulls);
}
