/*
 * xlsx.import(path | lo | data, target, ...): a sheet into a table in one call, the way
 * xlsx2pg loads it. SQL declares the arguments and their defaults; this file runs the import,
 * in order:
 *
 *   checks (the caller's roles, the target, INSERT and row-level security) before a byte is
 *   read (import_checks.c) -> the header -> the column plan, by the reader's rules shared with
 *   xlsx2pg and xlsx_fdw (import_plan.c)
 *   -> staging into an existing table: first the checked copy, the rows typed into the target
 *      by the server's COPY with each value checked on the way (a value the checks refuse
 *      makes its row a reject), in a subtransaction; should COPY still refuse a row (a
 *      constraint, a trigger), it rolls back and the import takes the way below
 *   -> staging: the rows as text into a staging table, recorded in the ledger
 *      (import_ledger.c), then the merge (merge.c), which reads them as COPY would and
 *      quarantines bad rows
 *   -> direct: the rows typed into the target by the server's COPY, all or nothing
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "nodes/makefuncs.h"
#include "utils/backend_progress.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "import.h"
#include "import_progress.h"
#include "merge.h"
#include "subtransaction.h"

PG_FUNCTION_INFO_V1(pg_xlsx_import);

/* Citus keeps the table's rows on its workers: COPY inside the server would fill the
 * coordinator's empty shell. */
static bool is_citus_table(Oid relid) {
    Oid type[1] = {OIDOID};
    Datum value[1] = {ObjectIdGetDatum(relid)};

    return spi_text("SELECT kind FROM xlsx_internal.citus_placement($1)", 1, type, value, NULL) !=
           NULL;
}

static void truncate_target(const ImportTarget* t) {
    if (SPI_execute(psprintf("TRUNCATE %s", t->quoted), false, 0) != SPI_OK_UTILITY)
        elog(ERROR, "cannot truncate %s", t->quoted);
}

/* The checked copy's state: what it needs, and what it did. */
typedef struct CheckedCopy {
    const ImportOptions* o;
    const XlsxSource* source;
    const ImportTarget* t;
    SheetCopyRequest* copy;
    const char* sheet_name;
    ImportRun* result;
    SheetCopyResult copied;
} CheckedCopy;

static void copy_checked(void* arg) {
    CheckedCopy* cc = arg;

    cc->result->run = open_run(cc->source, cc->sheet_name, cc->t, false);
    if (cc->o->truncate) truncate_target(cc->t);
    cc->copy->target = cc->t->relid;
    cc->copy->with_sheet_row = false;
    cc->copy->run = cc->result->run;
    cc->copy->infer_types = false;
    cc->copy->check_values = true;
    cc->copy->has_reject_limit = cc->o->has_reject_limit;
    cc->copy->reject_limit = cc->o->reject_limit;
    sheet_copy(cc->copy, &cc->copied);
}

/*
 * Staging mode's fast path into an existing table: the rows go straight into the target as
 * in direct mode, each value checked first, a refused value a reject with the server's
 * message, as the merge would make it. No staging table, one write of each row. An upsert, a
 * kept staging table and a Citus target need the staging table; a row COPY refuses all the
 * same (a table constraint, a trigger, a domain's CHECK before PostgreSQL 16) rolls the copy
 * back. False in these cases: the staging path does the import.
 */
static bool import_checked(const ImportOptions* o, const XlsxSource* source, ImportTarget* t,
                           SheetCopyRequest* copy, const char* sheet_name, ImportRun* result) {
    CheckedCopy cc = {o, source, t, copy, sheet_name, result};
    ErrorData* refused;

    if (!OidIsValid(t->relid) || o->upsert || o->keep_staging || is_citus_table(t->relid))
        return false;
    refused = try_in_subtransaction(copy_checked, &cc);
    if (refused) {
        /* A reader's error closed the workbook: it would only fail again. */
        if (copy->handle->workbook == NULL) ReThrowError(refused);
        copy->check_values = false;
        return false;
    }
    if (cc.copied.over_reject_limit) {
        Oid type[1] = {INT8OID};
        Datum run[1] = {Int64GetDatum(result->run)};

        ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                        errmsg("more than " INT64_FORMAT " rejected rows importing %s into %s",
                               o->reject_limit, source->label, t->quoted),
                        errdetail("%s", spi_text("SELECT format('Sheet row %s, column %s: %s', "
                                                 "r.sheet_row, r.column_name, r.reason) FROM "
                                                 "xlsx.rejects r WHERE r.run_id = $1 ORDER BY "
                                                 "r.sheet_row LIMIT 1",
                                                 1, type, run, NULL)),
                        errhint("Nothing was imported. Fix the rows, or raise reject_limit.")));
    }
    result->inserted = (int64)cc.copied.rows_copied;
    finish_run(result->run, "merged", &cc.copied, result->inserted, (int64)cc.copied.rows_rejected);
    return true;
}

static void import_staging(const ImportOptions* o, const XlsxSource* source, ImportTarget* t,
                           const SheetHeader* header, const xlsx_column_plan* plan,
                           SheetCopyRequest* copy, const char* sheet_name, ImportRun* result) {
    SheetCopyResult copied;
    Datum run_value[1];
    int64 rejected;

    result->run = open_run(source, sheet_name, t, false);
    run_value[0] = Int64GetDatum(result->run);
    {
        Oid types[2] = {INT8OID, TEXTARRAYOID};
        Datum values[2] = {Int64GetDatum(result->run), plan_names_datum(plan)};

        copy->target = DatumGetObjectId(DirectFunctionCall1(
            regclassin, CStringGetDatum(spi_text("SELECT xlsx_internal.create_staging($1, $2)", 2,
                                                 types, values, NULL))));
    }
    copy->with_sheet_row = true;
    copy->run = result->run;
    copy->infer_types = !OidIsValid(t->relid) && !o->all_text && header->scanned_types == NULL;
    sheet_copy(copy, &copied);
    rejected = (int64)copied.rows_rejected;
    if (copied.rows_read > 0) {
        Oid types[5] = {INT8OID, INT8OID, INT8OID, INT8OID, INT8OID};
        Datum values[5] = {run_value[0], Int64GetDatum(0), Int64GetDatum(copied.first_row),
                           Int64GetDatum(copied.last_row), Int64GetDatum(copied.rows_read)};

        spi_text("SELECT xlsx_internal.record_chunk($1, $2, $3, $4, $5)", 5, types, values, NULL);
    }
    finish_run(result->run, "staged", &copied, 0, rejected);
    if (o->has_reject_limit && rejected > o->reject_limit)
        ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                        errmsg(INT64_FORMAT
                               " rows were rejected, more than the reject limit of " INT64_FORMAT,
                               rejected, o->reject_limit)));
    if (!OidIsValid(t->relid) && o->all_text)
        t->relid = create_table_of_plan(t, plan);
    else if (!OidIsValid(t->relid)) /* typed by the cells as they were staged */
        t->relid = header->scanned_types
                       ? create_target(o, t, header, header->scanned_types, header->scanned_width)
                       : create_target(o, t, header, copied.types, copied.width);
    {
        const int index[] = {PROGRESS_PHASE, PROGRESS_ROWS_EXPECTED, PROGRESS_EXPECTED_FROM};
        const int64 progress[] = {IMPORT_MERGING, (int64)copied.rows_copied, EXPECTED_FROM_STAGED};
        MergeRequest merge = {.target = t->relid,
                              .mode = o->upsert     ? "upsert"
                                      : o->truncate ? "replace"
                                                    : "insert",
                              .key_columns = o->upsert,
                              .nkeys = o->nupsert,
                              .has_reject_limit = o->has_reject_limit,
                              .reject_limit = o->reject_limit - rejected,
                              .run = result->run,
                              .drop_staging = !o->keep_staging};
        MergeResult merged;

        /* The merge is one INSERT ... SELECT: its report says so, and how many rows it takes. */
        pgstat_progress_start_command(PROGRESS_COMMAND_COPY, t->relid);
        pgstat_progress_update_multi_param(3, index, progress);
        merge_run(&merge, &merged);
        pgstat_progress_end_command();
        result->inserted = merged.inserted;
        result->updated = merged.updated;
    }
}

static void import_direct(const ImportOptions* o, const XlsxSource* source, ImportTarget* t,
                          const SheetHeader* header, const xlsx_column_plan* plan,
                          SheetCopyRequest* copy, const char* sheet_name, ImportRun* result) {
    SheetCopyResult copied;
    Oid copy_into;

    if (!OidIsValid(t->relid) && o->all_text) {
        t->relid = create_table_of_plan(t, plan);
    } else if (!OidIsValid(t->relid) && header->scanned_types) {
        t->relid = create_target(o, t, header, header->scanned_types, header->scanned_width);
    } else if (!OidIsValid(t->relid)) {
        /* Direct mode reads the sheet twice: the types first. */
        SheetCopyRequest scan = *copy;
        SheetCopyResult scanned;

        scan.target = InvalidOid;
        scan.infer_types = true;
        sheet_copy(&scan, &scanned);
        t->relid = create_target(o, t, header, scanned.types, scanned.width);
    }
    result->run = open_run(source, sheet_name, t, true);
    if (o->truncate) truncate_target(t);
    copy_into = t->relid;
    if (is_citus_table(t->relid)) {
        /* COPY inside the server would fill a Citus table's empty shell on the coordinator:
         * the rows go into a typed temporary table, then Citus distributes an INSERT ... SELECT. */
        if (SPI_execute(psprintf("CREATE TEMP TABLE xlsx_import_rows (LIKE %s INCLUDING DEFAULTS) "
                                 "ON COMMIT DROP",
                                 t->quoted),
                        false, 0) != SPI_OK_UTILITY)
            elog(ERROR, "cannot create the import's temporary table");
        copy_into =
            RangeVarGetRelid(makeRangeVar("pg_temp", "xlsx_import_rows", -1), NoLock, false);
    }
    copy->target = copy_into;
    copy->with_sheet_row = false;
    copy->run = 0;
    copy->infer_types = false;
    sheet_copy(copy, &copied);
    if (copy_into != t->relid) {
        StringInfoData columns;

        initStringInfo(&columns);
        for (int k = 0; k < copy->ncolumns; k++)
            appendStringInfo(&columns, "%s%s", k ? ", " : "",
                             quote_identifier(copy->column_names[k]));
        if (SPI_execute(psprintf("INSERT INTO %s (%s) SELECT %s FROM pg_temp.xlsx_import_rows",
                                 t->quoted, columns.data, columns.data),
                        false, 0) != SPI_OK_INSERT)
            elog(ERROR, "cannot insert into %s", t->quoted);
        SPI_execute("DROP TABLE pg_temp.xlsx_import_rows", false, 0);
    }
    result->inserted = (int64)copied.rows_copied;
    finish_run(result->run, "merged", &copied, (int64)copied.rows_copied, 0);
}

Datum pg_xlsx_import(PG_FUNCTION_ARGS) {
    ReturnSetInfo* rsinfo = (ReturnSetInfo*)fcinfo->resultinfo;
    ImportOptions o;
    ImportTarget t;
    XlsxSource source;
    XlsxHandle* handle;
    MemoryContext context;
    SheetHeader header = {0};
    const char* volatile sheet_name = NULL;
    int guc_level;
    xlsx_column_plan* volatile plan = NULL;
    SheetCopyRequest copy = {0};
    ImportRun result = {0};

    InitMaterializedSRF(fcinfo, 0);
    read_options(fcinfo, &o);
    require_loader_role();
    xlsx_source_from_value(get_fn_expr_argtype(fcinfo->flinfo, 0), PG_GETARG_DATUM(0),
                           PG_ARGISNULL(0), &source);
    resolve_target(&o, &t);

    context = AllocSetContextCreate(CurrentMemoryContext, "xlsx import", ALLOCSET_DEFAULT_SIZES);
    source.password = o.password;
    handle = xlsx_handle_open(&source, o.threads, context);
    if (o.password) explicit_bzero(o.password, strlen(o.password)); /* the workbook is open */
    source.password = o.password = NULL;
    /* From the header pass on the sheet's reader may run: every error below leaves after its
     * threads are joined (PG_FINALLY). */
    PG_TRY();
    {
        if (o.table_name) {
            bool has_header;

            xlsx_handle_find_table(handle, o.table_name, &o.sheet, &o.range, &has_header);
            o.no_header = o.no_header || !has_header;
        }
        if (o.range) o.header_row = xlsx_range_first_row(o.range);
        handle->shape.fill_merged = o.fill_merged;
        handle->shape.header_row = o.no_header ? 0 : (uint32_t)o.header_row;
        handle->shape.header_rows = (uint32_t)o.header_rows;
        handle->shape.add_columns = o.add_columns;
        handle->shape.file_label = handle->label;
        if (!o.no_header) sheet_name = read_header(handle, &o, &header);

        copy.handle = handle;
        copy.sheet = o.sheet;
        copy.range = o.range;
        copy.header_row = o.no_header ? 0 : o.header_row;
        copy.skip_rows = o.skip_rows;
        copy.null_values = o.null_values;
        copy.null_count = o.nnull;
        copy.trim = o.trim_text;
        copy.stop_at_empty = o.stop_at_empty;
        copy.progress_relid = t.relid;
        if (!OidIsValid(t.relid) && o.ncolumns == 0 && header.width == 0) {
            /* No header: the widest data row decides (one scan, which takes the types too). */
            SheetCopyResult scanned;

            copy.infer_types = true;
            sheet_copy(&copy, &scanned);
            sheet_name = scanned.sheet_name;
            header.scanned_types = scanned.types;
            header.scanned_width = scanned.width;
            if (scanned.width == 0)
                ereport(ERROR,
                        (errcode(ERRCODE_NO_DATA_FOUND),
                         errmsg("sheet \"%s\" of %s has no data", sheet_name, source.label)));
        }
        plan = plan_columns(&o, &t, &header, header.scanned_types, header.scanned_width);
        if (OidIsValid(t.relid)) check_column_privileges(&t, plan);
        copy_columns(plan, &copy);
        if (sheet_name == NULL) {
            xlsx_handle_open_sheet(handle, o.sheet, o.range); /* no header was read: its name */
            sheet_name = pstrdup(handle->sheet_name);
            xlsx_handle_close_sheet(handle);
        }
        /* The statements below name only what they mean, whatever the caller's path. */
        guc_level = NewGUCNestLevel();
        (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
                                GUC_ACTION_SAVE, true, 0, false);
        SPI_connect();
        if (o.direct)
            import_direct(&o, &source, &t, &header, plan, &copy, sheet_name, &result);
        else if (!import_checked(&o, &source, &t, &copy, sheet_name, &result))
            import_staging(&o, &source, &t, &header, plan, &copy, sheet_name, &result);
        put_result(rsinfo, &result);
        SPI_finish();
        AtEOXact_GUC(true, guc_level);
    }
    PG_FINALLY();
    {
        xlsx_plan_free(plan);
        xlsx_handle_close(handle);
    }
    PG_END_TRY();
    MemoryContextDelete(context);
    return (Datum)0;
}
