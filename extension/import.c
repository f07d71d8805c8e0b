/*
 * xlsx.import(path | lo | data, target, ...): a sheet into a table in one call, the way
 * xlsx2pg loads it. SQL declares the arguments and their defaults; this file does the work:
 *
 *   checks (the caller's roles, the target, INSERT and row-level security) before a byte is read
 *   -> the header -> the column plan (the reader's rules, shared with xlsx2pg and xlsx_fdw)
 *   -> staging: the rows as text into a staging table, recorded in the ledger, then the merge
 *      (xlsx.merge_run), which casts them as COPY would and quarantines bad rows
 *   -> direct: the rows typed into the target by the server's COPY, all or nothing
 *
 * The ledger is written through its SQL functions (SPI, with parameters), so that its rules
 * and row-level security hold for the import as for the client.
 */
#include "postgres.h"

#include <zlib.h>

#include <math.h>
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "storage/fd.h"
#include "utils/acl.h"
#include "utils/backend_progress.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

#include "import_progress.h"
#include "named_args.h"
#include "pg_compat.h"
#include "sheet_copy.h"

PG_FUNCTION_INFO_V1(pg_xlsx_import);

typedef struct ImportOptions {
    char* target;
    char* sheet;
    char* range;
    char* table_name;
    int header_row;
    bool no_header;
    int skip_rows;
    char** columns;
    int ncolumns;
    bool create_table;
    char** types;
    int ntypes;
    bool all_text;
    bool truncate;
    char** upsert;
    int nupsert;
    bool direct;
    bool has_reject_limit;
    int64 reject_limit;
    char** null_values;
    int nnull;
    bool trim_text;
    int threads;
    bool keep_staging;
    bool stop_at_empty;
} ImportOptions;

/* The header row's texts by sheet column, 1..width ([0] unused); NULL without a header. */
typedef struct SheetHeader {
    char** texts;
    size_t width;
} SheetHeader;

typedef struct ImportTarget {
    Oid relid; /* InvalidOid: created by the import */
    Oid namespace;
    char* relname;
    char* quoted; /* "schema"."table", as the ledger records it */
    int ncolumns;
    char** columns; /* an existing table's, without dropped and generated ones */
    char** types;
} ImportTarget;

static void invalid(const char* message) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s", message)));
}

static void read_options(FunctionCallInfo fcinfo, ImportOptions* o) {
    NamedArgs args;
    char* mode;

    named_args_init(&args, fcinfo);
    memset(o, 0, sizeof(*o));
    o->target = named_text(&args, "target");
    o->sheet = named_text(&args, "sheet");
    o->range = named_text(&args, "range");
    o->table_name = named_text(&args, "table_name");
    o->header_row = named_int32(&args, "header_row");
    o->no_header = named_bool(&args, "no_header");
    o->skip_rows = named_int32(&args, "skip_rows");
    o->columns = named_text_array(&args, "columns", &o->ncolumns);
    o->create_table = named_bool(&args, "create_table");
    o->types = named_text_array(&args, "types", &o->ntypes);
    o->all_text = named_bool(&args, "all_text");
    o->truncate = named_bool(&args, "truncate");
    o->upsert = named_text_array(&args, "upsert", &o->nupsert);
    mode = named_text(&args, "mode");
    o->has_reject_limit = named_arg_given(&args, "reject_limit");
    if (o->has_reject_limit)
        o->reject_limit = DatumGetInt64(fcinfo->args[named_arg(&args, "reject_limit")].value);
    o->null_values = named_text_array(&args, "null_values", &o->nnull);
    o->trim_text = named_bool(&args, "trim_text");
    o->threads = named_int32(&args, "threads");
    o->keep_staging = named_bool(&args, "keep_staging");
    o->stop_at_empty = named_bool(&args, "stop_at_empty");

    if (o->target == NULL) invalid("target must not be NULL");
    if (mode == NULL || (strcmp(mode, "staging") != 0 && strcmp(mode, "direct") != 0))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("invalid mode \"%s\"", mode ? mode : ""),
                        errhint("The modes are staging and direct.")));
    o->direct = strcmp(mode, "direct") == 0;
    if (o->upsert && o->direct)
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("upsert needs staging mode"),
                 errdetail("COPY cannot update rows.")));
    if (o->upsert && o->truncate) invalid("upsert and truncate do not go together");
    if (o->header_row < 1) invalid("header_row must be 1 or more");
    if (o->skip_rows < 0) invalid("skip_rows cannot be negative");
    if (o->table_name && (o->sheet || o->range))
        invalid("table_name names the sheet and the range: leave out sheet and range");
}

/* Importing writes the ledger, which is for the roles granted xlsx_loader. */
static void require_loader_role(void) {
    Oid loader = get_role_oid("xlsx_loader", true);

    if (!OidIsValid(loader) || !has_privs_of_role(GetUserId(), loader))
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                        errmsg("permission denied to import workbooks"),
                        errdetail("An import records its run in the ledger of pg_xlsx."),
                        errhint("A superuser can GRANT xlsx_loader TO %s;",
                                quote_identifier(GetUserNameFromId(GetUserId(), false)))));
}

static bool is_extension_schema(const char* schema) {
    return strcmp(schema, "xlsx") == 0 || strcmp(schema, "xlsx_staging") == 0 ||
           strcmp(schema, "xlsx_internal") == 0;
}

/*
 * The target as SQL names it, under the caller's search_path; refused before anything is read
 * when the caller could not insert into it (or create it), or row-level security is on.
 */
static void resolve_target(const ImportOptions* o, ImportTarget* t) {
    List* names = NIL;
    RangeVar* rv;
    Oid namespace;
    char* schema;
    char* relname;

    memset(t, 0, sizeof(*t));
    if (!SplitIdentifierString(pstrdup(o->target), '.', &names) || list_length(names) < 1 ||
        list_length(names) > 2)
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_NAME), errmsg("invalid table name \"%s\"", o->target),
                 errhint("A table is named as in SQL: table or schema.table, quoted where it "
                         "needs it, such as %s.",
                         quote_identifier(o->target))));
    rv = list_length(names) == 2 ? makeRangeVar(linitial(names), lsecond(names), -1)
                                 : makeRangeVar(NULL, linitial(names), -1);
    t->relid = RangeVarGetRelid(rv, NoLock, true);
    if (OidIsValid(t->relid)) {
        namespace = get_rel_namespace(t->relid);
        relname = get_rel_name(t->relid);
    } else {
        namespace = RangeVarGetCreationNamespace(rv);
        relname = rv->relname;
    }
    schema = get_namespace_name(namespace);
    t->namespace = namespace;
    t->relname = pstrdup(relname);
    if (is_extension_schema(schema))
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                        errmsg("cannot import into schema %s", schema),
                        errdetail("The extension's own schemas are never a target.")));
    t->quoted = psprintf("%s.%s", quote_identifier(schema), quote_identifier(relname));

    if (!OidIsValid(t->relid)) {
        if (!o->create_table)
            ereport(ERROR,
                    (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("table %s does not exist", t->quoted),
                     errhint("Pass create_table => true to create it from the sheet.")));
        if (!compat_may_create_in(namespace))
            aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_SCHEMA, schema);
        return;
    }
    if (pg_class_aclcheck(t->relid, GetUserId(), ACL_INSERT) != ACLCHECK_OK &&
        pg_attribute_aclcheck_all(t->relid, GetUserId(), ACL_INSERT, ACLMASK_ANY) != ACLCHECK_OK)
        aclcheck_error(ACLCHECK_NO_PRIV, get_relkind_objtype(get_rel_relkind(t->relid)), relname);
    if (check_enable_rls(t->relid, InvalidOid, false) == RLS_ENABLED)
        ereport(ERROR,
                (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                 errmsg("xlsx.import cannot load table %s: row-level security is enabled on it",
                        t->quoted),
                 errdetail("The import writes through COPY, which row-level security does not "
                           "allow."),
                 errhint("Import into another table and INSERT from it.")));
    {
        Relation rel = table_open(t->relid, AccessShareLock);
        TupleDesc desc = RelationGetDescr(rel);

        t->columns = palloc(sizeof(char*) * Max(desc->natts, 1));
        t->types = palloc(sizeof(char*) * Max(desc->natts, 1));
        for (int i = 0; i < desc->natts; i++) {
            Form_pg_attribute att = TupleDescAttr(desc, i);

            if (att->attisdropped || att->attgenerated) continue;
            t->columns[t->ncolumns] = pstrdup(NameStr(att->attname));
            t->types[t->ncolumns] = format_type_with_typemod(att->atttypid, att->atttypmod);
            t->ncolumns++;
        }
        table_close(rel, AccessShareLock);
    }
}

/* Each loaded column's INSERT privilege, once the plan names them (still before the data). */
static void check_column_privileges(const ImportTarget* t, const xlsx_column_plan* plan) {
    if (pg_class_aclcheck(t->relid, GetUserId(), ACL_INSERT) == ACLCHECK_OK) return;
    for (size_t k = 0; k < xlsx_plan_count(plan); k++) {
        const char* column = xlsx_plan_name(plan, k);
        AttrNumber attnum = get_attnum(t->relid, column);

        if (pg_attribute_aclcheck(t->relid, attnum, GetUserId(), ACL_INSERT) != ACLCHECK_OK)
            ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                            errmsg("permission denied to insert into column %s of table %s",
                                   quote_identifier(column), t->quoted)));
    }
}

/* The header row; returns the sheet's name. */
static const char* read_header(XlsxHandle* handle, const ImportOptions* o, SheetHeader* header) {
    uint32_t row;
    const xlsx_cell* cells;
    size_t count;
    char** texts = NULL;
    size_t* width = &header->width;
    const char* sheet_name;

    *width = 0;
    xlsx_handle_open_sheet(handle, o->sheet, o->range);
    sheet_name = pstrdup(handle->sheet_name);
    while (xlsx_handle_next_row(handle, &row, &cells, &count) && row <= (uint32_t)o->header_row) {
        CHECK_FOR_INTERRUPTS();
        if (row < (uint32_t)o->header_row || count == 0) continue;
        *width = cells[count - 1].column;
        texts = palloc0(sizeof(char*) * (*width + 1));
        for (size_t i = 1; i <= *width; i++)
            texts[i] = "";
        for (size_t i = 0; i < count; i++)
            texts[cells[i].column] = pnstrdup(cells[i].data, cells[i].size);
    }
    xlsx_handle_close_sheet(handle); /* the rest of the sheet is read by the copy */
    header->texts = texts;
    return sheet_name;
}

static void invalid_override(const char* override, const char* why) {
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
             errmsg("invalid type override \"%s\"", override), why ? errdetail("%s", why) : 0,
             errhint("Write COLUMN=TYPE, such as amount=numeric(12,2).")));
}

/* The type named in an override, InvalidOid when there is none; text that is no type name
 * (say, "numeric; DROP TABLE x") is an invalid override, not a syntax error of the call. */
static Oid type_of_override(const char* override, const char* name, int32* typmod) {
    MemoryContext caller = CurrentMemoryContext;
    volatile Oid type = InvalidOid;

    PG_TRY();
    { type = compat_parse_type(name, typmod); }
    PG_CATCH();
    {
        ErrorData* error;

        MemoryContextSwitchTo(caller);
        error = CopyErrorData();
        FlushErrorState();
        invalid_override(override, error->message);
    }
    PG_END_TRY();
    return type;
}

/* "amount=numeric(12,2)" -> amount and the type as the server writes it. */
static void parse_type_overrides(const ImportOptions* o, const char** columns, const char** types) {
    for (int i = 0; i < o->ntypes; i++) {
        char* eq = strchr(o->types[i], '=');
        int32 typmod;
        Oid type;

        if (eq == NULL || eq == o->types[i] || eq[1] == '\0') invalid_override(o->types[i], NULL);
        type = type_of_override(o->types[i], eq + 1, &typmod);
        if (!OidIsValid(type))
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                            errmsg("type \"%s\" of the override \"%s\" does not exist", eq + 1,
                                   o->types[i]),
                            errhint("Write COLUMN=TYPE with a type of this database, such as "
                                    "amount=numeric(12,2).")));
        columns[i] = pnstrdup(o->types[i], eq - o->types[i]);
        /* qualified: the table is created under the import's own search_path */
        types[i] = format_type_extended(type, typmod,
                                        FORMAT_TYPE_TYPEMOD_GIVEN | FORMAT_TYPE_FORCE_QUALIFY);
    }
}

/* The plan, by the reader's rules; a refusal becomes an error of its kind. */
static xlsx_column_plan* plan_columns(const ImportOptions* o, const ImportTarget* t,
                                      const SheetHeader* header, char** inferred,
                                      size_t inferred_width) {
    xlsx_plan_request r = {0};
    xlsx_column_plan* plan = NULL;
    xlsx_plan_problem problem;
    char* message = NULL;
    const char** override_columns = palloc0(sizeof(char*) * Max(o->ntypes, 1));
    const char** override_types = palloc0(sizeof(char*) * Max(o->ntypes, 1));
    xlsx_status status;

    parse_type_overrides(o, override_columns, override_types);
    r.table_name = t->quoted;
    r.table_exists = OidIsValid(t->relid);
    r.table_columns = (const char* const*)t->columns;
    r.table_types = (const char* const*)t->types;
    r.table_column_count = t->ncolumns;
    r.header = header->texts ? (const char* const*)header->texts + 1 : NULL;
    r.header_count = header->texts ? header->width : 0;
    r.columns = (const char* const*)o->columns;
    r.column_count = o->ncolumns;
    r.all_text = o->all_text;
    r.override_columns = override_columns;
    r.override_types = override_types;
    r.override_count = o->ntypes;
    r.inferred = inferred ? (const char* const*)inferred + 1 : NULL;
    r.inferred_count = inferred ? inferred_width : 0;
    status = xlsx_plan_columns(&r, &plan, &problem, &message);
    if (status != XLSX_OK) xlsx_raise_plan(NULL, problem, message);
    return plan;
}

/* The workbook's size and a checksum of its bytes, in the client's form: crc32:HEX:SIZE. */
static char* checksum_of(const XlsxSource* source, int64* size) {
    uLong crc = crc32(0L, Z_NULL, 0);

    if (source->path == NULL) {
        crc = crc32_z(crc, (const Bytef*)source->data, source->size);
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
            crc = crc32_z(crc, (const Bytef*)buffer, got);
            *size += (int64)got;
        }
        FreeFile(file);
        pfree(buffer);
    }
    return psprintf("crc32:%08lx:" INT64_FORMAT, crc, *size);
}

/* One statement through SPI; its first column of the first row, or NULL. */
static char* spi_text(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls) {
    int ret = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);

    if (ret < 0) elog(ERROR, "SPI failed (%d) on: %s", ret, sql);
    if (SPI_processed == 0 || SPI_tuptable == NULL) return NULL;
    return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

static Datum text_array_datum(char** items, int count) {
    Datum* elems = palloc(sizeof(Datum) * Max(count, 1));

    for (int i = 0; i < count; i++)
        elems[i] = CStringGetTextDatum(items[i]);
    return PointerGetDatum(construct_array(elems, count, TEXTOID, -1, false, TYPALIGN_INT));
}

static Datum plan_names_datum(const xlsx_column_plan* plan) {
    int count = (int)xlsx_plan_count(plan);
    char** names = palloc(sizeof(char*) * Max(count, 1));

    for (int k = 0; k < count; k++)
        names[k] = (char*)xlsx_plan_name(plan, k);
    return text_array_datum(names, count);
}

/* Opens the run; it counts from the statement's start, the header pass included. */
static int64 open_run(const XlsxSource* source, const char* sheet, const ImportTarget* t,
                      bool direct) {
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

static void finish_run(int64 run, const char* state, const SheetCopyResult* copied, int64 loaded,
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

/* CREATE TABLE from the plan: quoted names, types as the server wrote or inferred them. */
static Oid create_table_of_plan(const ImportTarget* t, const xlsx_column_plan* plan) {
    StringInfoData sql;

    initStringInfo(&sql);
    appendStringInfo(&sql, "CREATE TABLE %s (", t->quoted);
    for (size_t k = 0; k < xlsx_plan_count(plan); k++)
        appendStringInfo(&sql, "%s%s %s", k ? ", " : "", quote_identifier(xlsx_plan_name(plan, k)),
                         xlsx_plan_type(plan, k));
    appendStringInfoChar(&sql, ')');
    if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
        elog(ERROR, "cannot create table %s", t->quoted);
    CommandCounterIncrement();
    return get_relname_relid(t->relname, t->namespace);
}

/* The new target, typed by the values a pass over the sheet saw. */
static Oid create_target(const ImportOptions* o, const ImportTarget* t, const SheetHeader* header,
                         char** inferred, size_t inferred_width) {
    xlsx_column_plan* volatile typed = plan_columns(o, t, header, inferred, inferred_width);
    Oid relid = InvalidOid;

    PG_TRY();
    { relid = create_table_of_plan(t, typed); }
    PG_FINALLY();
    { xlsx_plan_free(typed); }
    PG_END_TRY();
    return relid;
}

/* The copy of the planned columns: target column names and their sheet columns. */
static void copy_columns(const xlsx_column_plan* plan, SheetCopyRequest* r) {
    size_t width = xlsx_plan_width(plan);

    r->ncolumns = (int)xlsx_plan_count(plan);
    r->column_names = palloc(sizeof(char*) * Max(r->ncolumns, 1));
    r->sheet_columns = palloc(sizeof(int) * Max(r->ncolumns, 1));
    for (uint32_t column = 1; column <= width; column++) {
        int slot = xlsx_plan_slot(plan, column);

        if (slot < 0) continue;
        r->column_names[slot] = (char*)xlsx_plan_name(plan, slot);
        r->sheet_columns[slot] = (int)column;
    }
    r->width_limit = (int)width;
}

/* The rows, the run and the result of one import. */
typedef struct ImportRun {
    int64 run;
    int64 inserted;
    int64 updated;
} ImportRun;

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
    copy->infer_types = !OidIsValid(t->relid) && !o->all_text;
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
        t->relid = create_target(o, t, header, copied.types, copied.width);
    {
        Oid types[6] = {INT8OID, OIDOID, TEXTOID, TEXTARRAYOID, INT8OID, BOOLOID};
        Datum values[6] = {run_value[0],
                           ObjectIdGetDatum(t->relid),
                           CStringGetTextDatum(o->upsert     ? "upsert"
                                               : o->truncate ? "replace"
                                                             : "insert"),
                           o->upsert ? text_array_datum(o->upsert, o->nupsert) : (Datum)0,
                           Int64GetDatum(o->reject_limit - rejected),
                           BoolGetDatum(!o->keep_staging)};
        char nulls[6] = {' ', ' ', ' ', o->upsert ? ' ' : 'n', o->has_reject_limit ? ' ' : 'n',
                         ' '};
        const int index[] = {PROGRESS_PHASE, PROGRESS_ROWS_EXPECTED, PROGRESS_EXPECTED_FROM};
        const int64 progress[] = {IMPORT_MERGING, (int64)copied.rows_copied, EXPECTED_FROM_STAGED};
        int ret;

        /* The merge is one INSERT ... SELECT: its report says so, and how many rows it takes. */
        pgstat_progress_start_command(PROGRESS_COMMAND_COPY, t->relid);
        pgstat_progress_update_multi_param(3, index, progress);
        ret = SPI_execute_with_args(
            "SELECT inserted, updated FROM xlsx.merge_run($1, $2::regclass, $3, $4, NULL, $5, $6)",
            6, types, values, nulls, false, 0);
        pgstat_progress_end_command();

        if (ret != SPI_OK_SELECT || SPI_processed != 1) elog(ERROR, "the merge returned no row");
        result->inserted =
            pg_strtoint64(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
        result->updated =
            pg_strtoint64(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2));
    }
}

static void import_direct(const ImportOptions* o, const XlsxSource* source, ImportTarget* t,
                          const SheetHeader* header, const xlsx_column_plan* plan,
                          SheetCopyRequest* copy, const char* sheet_name, ImportRun* result) {
    SheetCopyResult copied;
    Oid copy_into;
    Oid relid_type[1] = {OIDOID};
    Datum relid_value[1];
    char* citus;

    if (!OidIsValid(t->relid) && o->all_text) {
        t->relid = create_table_of_plan(t, plan);
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
    if (o->truncate) {
        char* sql = psprintf("TRUNCATE %s", t->quoted);

        if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
            elog(ERROR, "cannot truncate %s", t->quoted);
    }
    copy_into = t->relid;
    relid_value[0] = ObjectIdGetDatum(t->relid);
    citus = spi_text("SELECT kind FROM xlsx_internal.citus_placement($1)", 1, relid_type,
                     relid_value, NULL);
    if (citus) {
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

/* The run as the ledger has it: counts, and seconds from its start to its end. */
static void put_result(ReturnSetInfo* rsinfo, const ImportRun* result) {
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
    char** inferred = NULL;
    size_t inferred_width = 0;
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
    handle = xlsx_handle_open(&source, o.threads, context);
    if (o.table_name) {
        bool has_header;

        xlsx_handle_find_table(handle, o.table_name, &o.sheet, &o.range, &has_header);
        o.no_header = o.no_header || !has_header;
    }
    if (o.range) o.header_row = xlsx_range_first_row(o.range);
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
        inferred = scanned.types;
        inferred_width = scanned.width;
        if (inferred_width == 0)
            ereport(ERROR, (errcode(ERRCODE_NO_DATA_FOUND),
                            errmsg("sheet \"%s\" of %s has no data", sheet_name, source.label)));
    }
    plan = plan_columns(&o, &t, &header, inferred, inferred_width);
    PG_TRY();
    {
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
        else
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
