/*
 * What a workbook holds, for psql: xlsx.sheets (each sheet with its state, kind and used
 * range, as xlsx2pg sheets prints them) and xlsx_internal.sheet_header (a header row's texts and the
 * column names create_table makes of them, the same names as xlsx2pg --create).
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
PG_FUNCTION_INFO_V1(pg_xlsx_sheet_header);
PG_FUNCTION_INFO_V1(pg_xlsx_tables);

/*
 * The opening of the listing functions, whose arguments are (path, lo, data, threads): a
 * materialized result, and the workbook open in a context of its own.
 */
static XlsxHandle* open_listed_workbook(FunctionCallInfo fcinfo) {
    XlsxSource source;

    xlsx_source_from_args(fcinfo, &source);
    InitMaterializedSRF(fcinfo, 0);
    return xlsx_handle_open(
        &source, PG_ARGISNULL(3) ? 2 : PG_GETARG_INT32(3),
        AllocSetContextCreate(CurrentMemoryContext, "xlsx listing", ALLOCSET_DEFAULT_SIZES));
}

/* xlsx_internal.tables_of(path, lo, data, threads) -> (name, sheet, ref, load_range, header_rows,
 * totals_rows, columns): the Excel tables; load_range is the ref without the totals row. */
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

        if (strcmp(info.kind, "worksheet") == 0 && !info.part_missing) {
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

/* xlsx_internal.sheet_header(path, lo, data, sheet, header_row, threads, range)
 *   -> (sheet_name, header, names); with a range, its columns count from the range's first */
Datum pg_xlsx_sheet_header(PG_FUNCTION_ARGS) {
    XlsxSource source;
    XlsxHandle* handle;
    TupleDesc tupdesc;
    MemoryContext scan_context;
    int header_row = PG_ARGISNULL(4) ? 1 : PG_GETARG_INT32(4);
    uint32_t row;
    const xlsx_cell* cells;
    size_t count;
    char** texts = NULL;
    size_t* sizes = NULL;
    uint32_t width = 0;
    Datum result[3];
    bool nulls[3] = {false};

    if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "xlsx_internal.sheet_header must return a record");
    if (header_row < 1)
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("header_row must be 1 or more")));
    xlsx_source_from_args(fcinfo, &source);
    scan_context =
        AllocSetContextCreate(CurrentMemoryContext, "xlsx header", ALLOCSET_DEFAULT_SIZES);
    handle = xlsx_handle_open(&source, PG_ARGISNULL(5) ? 2 : PG_GETARG_INT32(5), scan_context);
    xlsx_handle_open_sheet(handle, PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3)),
                           PG_ARGISNULL(6) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(6)));
    result[0] = CStringGetTextDatum(handle->sheet_name);
    while (xlsx_handle_next_row(handle, &row, &cells, &count) && row <= (uint32_t)header_row) {
        CHECK_FOR_INTERRUPTS();
        if (row < (uint32_t)header_row || count == 0) continue;
        width = cells[count - 1].column;
        texts = palloc0(sizeof(char*) * width);
        sizes = palloc0(sizeof(size_t) * width);
        for (size_t i = 0; i < count; i++) {
            texts[cells[i].column - 1] = pnstrdup(cells[i].data, cells[i].size);
            sizes[cells[i].column - 1] = cells[i].size;
        }
    }
    xlsx_handle_close(handle); /* the rest of the sheet is not needed */

    if (width == 0) {
        nulls[1] = nulls[2] = true;
    } else {
        Datum* header = palloc(sizeof(Datum) * width);
        Datum* names = palloc(sizeof(Datum) * width);
        char** made = palloc0(sizeof(char*) * width);
        char* message = NULL;
        xlsx_status status =
            xlsx_column_names((const char* const*)texts, sizes, width, made, &message);

        if (status != XLSX_OK) xlsx_raise(NULL, status, message);
        for (uint32_t i = 0; i < width; i++) {
            header[i] = CStringGetTextDatum(texts[i] ? texts[i] : "");
            names[i] = CStringGetTextDatum(made[i]);
            xlsx_free_string(made[i]);
        }
        result[1] =
            PointerGetDatum(construct_array(header, (int)width, TEXTOID, -1, false, TYPALIGN_INT));
        result[2] =
            PointerGetDatum(construct_array(names, (int)width, TEXTOID, -1, false, TYPALIGN_INT));
    }
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), result, nulls)));
}
