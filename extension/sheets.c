/*
 * What a workbook holds, for psql: xlsx.sheets (each sheet with its state, kind and used
 * range, as xlsx2pg sheets prints them) and xlsx.tables (its Excel tables).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "xlsx_source.h"

PG_FUNCTION_INFO_V1(pg_xlsx_sheets);
PG_FUNCTION_INFO_V1(pg_xlsx_tables);

/*
 * The opening of the listing functions, whose arguments are (path, lo, data, threads,
 * password): a materialized result, and the workbook open in a context of its own.
 */
static XlsxHandle* open_listed_workbook(FunctionCallInfo fcinfo) {
    XlsxSource source;
    XlsxHandle* handle;

    xlsx_source_from_args(fcinfo, &source);
    InitMaterializedSRF(fcinfo, 0);
    source.password = PG_ARGISNULL(4) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(4));
    handle = xlsx_handle_open(
        &source, PG_ARGISNULL(3) ? 2 : PG_GETARG_INT32(3),
        AllocSetContextCreate(CurrentMemoryContext, "xlsx listing", ALLOCSET_DEFAULT_SIZES));
    if (source.password) explicit_bzero((char*)source.password, strlen(source.password));
    return handle;
}

/* xlsx_internal.tables_of(path, lo, data, threads, password) -> (name, sheet, ref, load_range,
 * header_rows, totals_rows, columns): the Excel tables; load_range is the ref without the totals
 * row. */
Datum pg_xlsx_tables(PG_FUNCTION_ARGS) {
    ReturnSetInfo* rsinfo = (ReturnSetInfo*)fcinfo->resultinfo;
    XlsxHandle* handle = open_listed_workbook(fcinfo);
    const xlsx_table_info* tables;
    size_t count;
    char* message = NULL;
    xlsx_status status;

    status = xlsx_workbook_tables(handle->workbook, &tables, &count, &message);
    if (status != XLSX_OK) xlsx_raise(handle, status, message);
    for (size_t i = 0; i < count; i++) {
        const xlsx_table_info* t = &tables[i];
        Datum values[7];
        bool nulls[7] = {false};
        Datum* columns = palloc(sizeof(Datum) * Max(t->column_count, 1));

        for (size_t k = 0; k < t->column_count; k++)
            columns[k] = CStringGetTextDatum(t->columns[k]);
        values[0] = CStringGetTextDatum(t->name);
        values[1] = CStringGetTextDatum(t->sheet);
        values[2] = CStringGetTextDatum(t->ref);
        values[3] = CStringGetTextDatum(t->load_range);
        values[4] = Int32GetDatum((int32)t->header_rows);
        values[5] = Int32GetDatum((int32)t->totals_rows);
        values[6] = PointerGetDatum(
            construct_array(columns, (int)t->column_count, TEXTOID, -1, false, TYPALIGN_INT));
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    xlsx_handle_close(handle);
    return (Datum)0;
}

/* xlsx.sheets(path, lo, data, threads) -> (sheet_index, name, state, kind, rows, columns,
 * part_missing) */
Datum pg_xlsx_sheets(PG_FUNCTION_ARGS) {
    ReturnSetInfo* rsinfo = (ReturnSetInfo*)fcinfo->resultinfo;
    XlsxHandle* handle = open_listed_workbook(fcinfo);
    xlsx_sheet_info info;

    for (size_t i = 0; xlsx_workbook_sheet_info(handle->workbook, i, &info); i++) {
        Datum values[7];
        bool nulls[7] = {false};
        uint32_t last_row = 0, last_column = 0;

        if (info.holds_cells && !info.part_missing) {
            uint32_t row;
            const xlsx_cell* cells;
            size_t count;

            xlsx_handle_open_sheet(handle, info.name, NULL);
            while (xlsx_handle_next_row(handle, &row, &cells, &count)) {
                CHECK_FOR_INTERRUPTS();
                last_row = row;
                if (count > 0 && cells[count - 1].column > last_column)
                    last_column = cells[count - 1].column;
            }
        }
        values[0] = Int32GetDatum((int32)(i + 1));
        values[1] = CStringGetTextDatum(info.name);
        values[2] = CStringGetTextDatum(info.state);
        values[3] = CStringGetTextDatum(info.kind);
        values[4] = Int32GetDatum((int32)last_row);
        values[5] = Int32GetDatum((int32)last_column);
        values[6] = BoolGetDatum(info.part_missing != 0);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    xlsx_handle_close(handle);
    return (Datum)0;
}
