/*
 * xlsx.merge: a staging table's text columns into a typed target in one transaction (insert,
 * upsert on a key, or replace), each value read by its column type's input function as COPY
 * reads it (column_input.h). A row that does not fit is a reject with the server's message,
 * never a changed value. In order:
 *
 *   the plan: staging column -> target column (by name, or column_map), the mode, the upsert
 *     key (a unique index on exactly it; on Citus, containing the distribution column)
 *   -> the fast path: every row in one INSERT ... SELECT, in a subtransaction
 *   -> when the server refuses a row: the rows the non-throwing checks doubt (value_check.h),
 *      one by one, each value converted alone for the reject's reason; then the rest in one
 *      statement again; should the server still refuse one, every remaining row one by one.
 *
 * The INSERT is SQL made here from catalog names (quoted) and type OIDs, never from values;
 * it runs as the caller, through SPI.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/itemptr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "column_input.h"
#include "merge.h"
#include "named_args.h"
#include "subtransaction.h"

PG_FUNCTION_INFO_V1(pg_xlsx_merge);
PG_FUNCTION_INFO_V1(pg_xlsx_merge_run);

/* Suspect rows are fetched from their cursor this many at a time. */
#define SUSPECT_BATCH 200

typedef struct MergeColumn {
    char* source;    /* the staging column */
    char* target;    /* the target column it goes into */
    char* type_name; /* the target column's type, as format_type shows it */
    ColumnReader reader;
} MergeColumn;

typedef struct Merge {
    const MergeRequest* request;
    bool upsert;
    int64 run;
    char* staging_name; /* regclass text: schema-qualified, quoted */
    char* target_name;
    const char* rows_of; /* where rows are read: the staging table, or a copy of it (Citus) */
    MergeColumn* columns;
    int ncolumns;
    bool has_sheet_row;
    char* insert_head; /* INSERT INTO target AS t (...) SELECT ... FROM */
    char* conflict;    /* an upsert's ON CONFLICT clause */
    char* fits;        /* SQL: no value of row s is doubtful */
    SPIPlanPtr reject_plan;
    SPIPlanPtr done_plan;
    MergeResult* result;
} Merge;

static char* regclass_text(Oid relid) {
    return DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(relid)));
}

static void spi_run(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls) {
    if (SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0) < 0)
        elog(ERROR, "SPI failed on: %s", sql);
}

/* The first column of the statement's first row; NULL for no row or a NULL. */
static char* spi_value(const char* sql, int nargs, Oid* types, Datum* values) {
    spi_run(sql, nargs, types, values, NULL);
    if (SPI_processed == 0) return NULL;
    return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

static void check_request(const MergeRequest* r) {
    if (strcmp(r->mode, "insert") != 0 && strcmp(r->mode, "upsert") != 0 &&
        strcmp(r->mode, "replace") != 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("invalid merge mode \"%s\"", r->mode),
                        errhint("The modes are insert, upsert and replace.")));
    if (strcmp(r->mode, "upsert") == 0 && r->nkeys == 0)
        ereport(
            ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("upsert needs key columns"),
             errhint(
                 "Pass key_columns => ARRAY['id'], the columns of a unique index of the target.")));
    if (r->has_column_map && !JB_ROOT_IS_OBJECT(DatumGetJsonbP(r->column_map)))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("column_map must be a JSON object"),
                        errhint("Map staging columns to target columns: '{\"Customer Name\": "
                                "\"customer\"}'; null skips a column.")));
}

/* The run the merge records itself in: the given one, locked (its owner's to take), or a new
 * one named after the staging table. */
static int64 merge_run_id(const Merge* m) {
    Oid types[2] = {TEXTOID, TEXTOID};
    Datum values[2];

    if (m->request->run != 0) {
        Oid run_type[1] = {INT8OID};
        Datum run_value[1] = {Int64GetDatum(m->request->run)};

        if (spi_value("SELECT 1 FROM xlsx.import_runs r WHERE r.run_id = $1 FOR UPDATE", 1,
                      run_type, run_value) == NULL)
            ereport(ERROR, (errcode(ERRCODE_NO_DATA_FOUND),
                            errmsg("run " INT64_FORMAT " does not exist or belongs to another role",
                                   m->request->run),
                            errhint("A run is merged by the role that opened it.")));
        return m->request->run;
    }
    values[0] = CStringGetTextDatum(m->staging_name);
    values[1] = CStringGetTextDatum(m->target_name);
    return pg_strtoint64(
        spi_value("SELECT xlsx_internal.open_run($1, '', $2, 'staging')", 2, types, values));
}

/* column_map's entries, as names: key[i] -> value[i] (NULL skips the column). */
typedef struct ColumnMap {
    int count;
    char** keys;
    char** values;
} ColumnMap;

static ColumnMap read_column_map(const MergeRequest* r) {
    ColumnMap map = {0};
    Oid type[1] = {JSONBOID};
    Datum value[1] = {r->column_map};

    if (!r->has_column_map) return map;
    spi_run("SELECT key, value FROM pg_catalog.jsonb_each_text($1)", 1, type, value, NULL);
    map.count = (int)SPI_processed;
    map.keys = palloc(sizeof(char*) * Max(map.count, 1));
    map.values = palloc(sizeof(char*) * Max(map.count, 1));
    for (int i = 0; i < map.count; i++) {
        map.keys[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
        map.values[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
    }
    return map;
}

static Form_pg_attribute find_column(TupleDesc desc, const char* name) {
    for (int i = 0; i < desc->natts; i++) {
        Form_pg_attribute a = TupleDescAttr(desc, i);

        if (!a->attisdropped && strcmp(NameStr(a->attname), name) == 0) return a;
    }
    return NULL;
}

static void append_list_item(StringInfo list, const char* item) {
    appendStringInfo(list, "%s%s", list->len > 0 ? ", " : "", item);
}

/* Staging column -> target column, by name unless column_map says otherwise; refused when a
 * staging column has no target column or column_map names columns staging lacks. */
static void plan_columns(Merge* m, TupleDesc staging, TupleDesc target) {
    ColumnMap map = read_column_map(m->request);
    StringInfoData unknown, unmatched;

    initStringInfo(&unknown);
    for (int i = 0; i < map.count; i++)
        if (find_column(staging, map.keys[i]) == NULL) append_list_item(&unknown, map.keys[i]);
    if (unknown.len > 0)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                        errmsg("column_map names columns that %s does not have", m->staging_name),
                        errdetail("Unknown: %s.", unknown.data)));

    initStringInfo(&unmatched);
    m->columns = palloc0(sizeof(MergeColumn) * Max(staging->natts, 1));
    for (int i = 0; i < staging->natts; i++) {
        Form_pg_attribute s = TupleDescAttr(staging, i);
        const char* name = NameStr(s->attname);
        char* target_name = pstrdup(name);
        Form_pg_attribute t;
        MergeColumn* c;

        if (s->attisdropped) continue;
        if (strcmp(name, "xlsx_sheet_row") == 0) {
            m->has_sheet_row = true;
            continue;
        }
        for (int k = 0; k < map.count; k++)
            if (strcmp(map.keys[k], name) == 0) target_name = map.values[k];
        if (target_name == NULL) continue; /* skipped by column_map */
        t = find_column(target, target_name);
        if (t == NULL) {
            append_list_item(&unmatched, quote_identifier(name));
            continue;
        }
        c = &m->columns[m->ncolumns++];
        c->source = pstrdup(name);
        c->target = pstrdup(NameStr(t->attname));
        c->type_name = format_type_with_typemod(t->atttypid, t->atttypmod);
        column_reader_init(&c->reader, t->atttypid, t->atttypmod, CurrentMemoryContext);
    }
    if (unmatched.len > 0)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                        errmsg("staging columns without a match in %s", m->target_name),
                        errdetail("Not in the target: %s.", unmatched.data),
                        errhint("Map them with column_map => '{\"staging name\": \"target "
                                "name\"}', or skip them with null.")));
    if (m->ncolumns == 0)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                        errmsg("no column of %s maps to %s", m->staging_name, m->target_name)));
}

static bool is_merged_column(const Merge* m, const char* name) {
    for (int i = 0; i < m->ncolumns; i++)
        if (strcmp(m->columns[i].target, name) == 0) return true;
    return false;
}

static bool is_key(const Merge* m, const char* name) {
    for (int k = 0; k < m->request->nkeys; k++)
        if (strcmp(m->request->key_columns[k], name) == 0) return true;
    return false;
}

/* The key columns of a unique index (no expressions), in attribute order, as SQL names. */
static char* unique_index_columns(Relation target, Form_pg_index index) {
    StringInfoData columns;

    initStringInfo(&columns);
    for (AttrNumber attnum = 1; attnum <= RelationGetDescr(target)->natts; attnum++)
        for (int k = 0; k < index->indnkeyatts; k++)
            if (index->indkey.values[k] == attnum)
                append_list_item(&columns, quote_identifier(get_attname(RelationGetRelid(target),
                                                                        attnum, false)));
    return columns.data;
}

/* Whether a unique index covers exactly the key columns (each named once or more). */
static bool index_is_the_key(const Merge* m, Relation target, Form_pg_index index) {
    for (int k = 0; k < index->indnkeyatts; k++)
        if (index->indkey.values[k] == 0 ||
            !is_key(m, get_attname(RelationGetRelid(target), index->indkey.values[k], false)))
            return false;
    for (int k = 0; k < m->request->nkeys; k++) {
        bool covered = false;

        for (int j = 0; j < index->indnkeyatts && !covered; j++)
            covered = index->indkey.values[j] != 0 &&
                      strcmp(get_attname(RelationGetRelid(target), index->indkey.values[j], false),
                             m->request->key_columns[k]) == 0;
        if (!covered) return false;
    }
    return true;
}

/* An upsert's key: merged columns, with the distribution column on Citus, and a unique index
 * on exactly those columns (ON CONFLICT names them). */
static void check_upsert_key(const Merge* m, Relation target) {
    Oid relid_type[1] = {OIDOID};
    Datum relid_value[1] = {ObjectIdGetDatum(RelationGetRelid(target))};
    StringInfoData keys, merged, unique_keys;
    char* kind;
    List* indexes;
    ListCell* lc;
    bool found = false;

    initStringInfo(&keys);
    initStringInfo(&merged);
    for (int k = 0; k < m->request->nkeys; k++)
        append_list_item(&keys, m->request->key_columns[k]);
    for (int i = 0; i < m->ncolumns; i++)
        append_list_item(&merged, m->columns[i].target);
    for (int k = 0; k < m->request->nkeys; k++)
        if (!is_merged_column(m, m->request->key_columns[k]))
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                            errmsg("key columns must be merged columns of the target"),
                            errdetail("Keys: %s; merged columns: %s.", keys.data, merged.data)));

    /* Citus finds an upserted row on one shard by its distribution column. */
    spi_run("SELECT kind, distribution_column FROM xlsx_internal.citus_placement($1)", 1,
            relid_type, relid_value, NULL);
    kind = SPI_processed ? SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) : NULL;
    if (kind && strcmp(kind, "distributed") == 0) {
        char* column = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

        if (!is_key(m, column))
            ereport(ERROR,
                    (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                     errmsg("the upsert key of the Citus distributed table %s must include its "
                            "distribution column %s",
                            m->target_name, column),
                     errdetail("The key is (%s).", keys.data),
                     errhint("Upsert on a unique key that contains %s.", column)));
    }

    initStringInfo(&unique_keys);
    indexes = RelationGetIndexList(target);
    foreach (lc, indexes) {
        HeapTuple tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
        Form_pg_index index;

        if (!HeapTupleIsValid(tuple)) continue;
        index = (Form_pg_index)GETSTRUCT(tuple);
        if (index->indisunique && heap_attisnull(tuple, Anum_pg_index_indexprs, NULL)) {
            appendStringInfo(&unique_keys, "%s(%s)", unique_keys.len ? ", " : "",
                             unique_index_columns(target, index));
            if (index->indisvalid && heap_attisnull(tuple, Anum_pg_index_indpred, NULL) &&
                index_is_the_key(m, target, index))
                found = true;
        }
        ReleaseSysCache(tuple);
    }
    if (!found) {
        StringInfoData quoted_keys;

        initStringInfo(&quoted_keys);
        for (int k = 0; k < m->request->nkeys; k++)
            append_list_item(&quoted_keys, quote_identifier(m->request->key_columns[k]));
        ereport(
            ERROR,
            (errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
             errmsg("an upsert on (%s) needs a unique index of %s on exactly those columns",
                    keys.data, m->target_name),
             unique_keys.len ? errdetail("Its unique keys: %s.", unique_keys.data)
                             : errdetail("%s has no unique index.", m->target_name),
             errhint("Upsert on the columns of a unique key, or CREATE UNIQUE INDEX ON %s (%s).",
                     m->target_name, quoted_keys.data)));
    }
}

/*
 * The INSERT's head (to which the rows' source is appended), an upsert's ON CONFLICT, and the
 * SQL test that no value of a row is doubtful. A staging column already of the target's type
 * (Citus: the distribution column of a co-located staging table, converted when staged) goes
 * in as it is, which also lets Citus push the INSERT ... SELECT down to the shards. The
 * conversion's result is the domain's base type (NULL::domain would itself be checked); the
 * assignment to the column makes it the domain again.
 */
static void build_statements(Merge* m, TupleDesc staging, TupleDesc target) {
    StringInfoData targets, conversions, fits;

    initStringInfo(&targets);
    initStringInfo(&conversions);
    initStringInfo(&fits);
    for (int i = 0; i < m->ncolumns; i++) {
        MergeColumn* c = &m->columns[i];
        Form_pg_attribute s = find_column(staging, c->source);
        Form_pg_attribute t = find_column(target, c->target);
        const char* source = quote_identifier(c->source);

        append_list_item(&targets, quote_identifier(c->target));
        if (s->atttypid == t->atttypid && s->atttypmod == t->atttypmod)
            append_list_item(&conversions, psprintf("s.%s", source));
        else
            append_list_item(&conversions,
                             psprintf("xlsx_internal.column_input(s.%s::text, %u::oid::regtype, "
                                      "%d, NULL::%s)",
                                      source, t->atttypid, t->atttypmod,
                                      format_type_be(getBaseType(t->atttypid))));
        appendStringInfo(
            &fits, "%s%sNOT xlsx_internal.value_doubtful(s.%s::text, %u::oid::regtype, %d)",
            i ? " AND " : "", t->attnotnull ? psprintf("s.%s IS NOT NULL AND ", source) : "",
            source, t->atttypid, t->atttypmod);
    }
    m->insert_head = psprintf("INSERT INTO %s AS t (%s) SELECT %s FROM ", m->target_name,
                              targets.data, conversions.data);
    m->fits = fits.data;
    if (m->upsert) {
        StringInfoData keys, updates;

        initStringInfo(&keys);
        initStringInfo(&updates);
        for (int k = 0; k < m->request->nkeys; k++)
            append_list_item(&keys, quote_identifier(m->request->key_columns[k]));
        for (int i = 0; i < m->ncolumns; i++)
            if (!is_key(m, m->columns[i].target)) {
                const char* column = quote_identifier(m->columns[i].target);

                append_list_item(&updates, psprintf("%s = EXCLUDED.%s", column, column));
            }
        m->conflict = psprintf(" ON CONFLICT (%s) %s%s", keys.data,
                               updates.len ? "DO UPDATE SET " : "DO NOTHING", updates.data);
    }
}

/* One INSERT of the merge: where (a WHERE clause, or "") of the rows, $1 a row's ctid. */
typedef struct Insert {
    Merge* m;
    const char* where;
    ItemPointer row;
    int64 inserted;
    int64 updated;
} Insert;

static void run_insert(void* arg) {
    Insert* in = arg;
    Merge* m = in->m;
    char* insert = psprintf("%s%s AS s%s", m->insert_head, m->rows_of, in->where);
    Oid types[1] = {TIDOID};
    Datum values[1] = {PointerGetDatum(in->row)};
    int nargs = in->row ? 1 : 0;

    if (!m->upsert) {
        spi_run(insert, nargs, types, values, NULL);
        in->inserted = (int64)SPI_processed;
        in->updated = 0;
        return;
    }
    /* xmax is 0 in a freshly inserted row and set in one that ON CONFLICT updated. */
    spi_run(psprintf("WITH w AS (%s%s RETURNING (t.xmax = 0) AS fresh) SELECT count(*) FILTER "
                     "(WHERE fresh), count(*) FILTER (WHERE NOT fresh) FROM w",
                     insert, m->conflict),
            nargs, types, values, NULL);
    in->inserted = pg_strtoint64(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
    in->updated = pg_strtoint64(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2));
}

/* Runs an INSERT in a subtransaction and counts it; the row error that refused it, or NULL. */
static ErrorData* try_insert(Merge* m, const char* where, ItemPointer row) {
    Insert in = {m, where, row, 0, 0};
    ErrorData* error = try_in_subtransaction(run_insert, &in);

    if (error == NULL) {
        m->result->inserted += in.inserted;
        m->result->updated += in.updated;
    }
    return error;
}

static void truncate_target(const Merge* m) {
    spi_run(psprintf("TRUNCATE %s", m->target_name), 0, NULL, NULL, NULL);
}

static void record_reject(Merge* m, Datum sheet_row, bool has_sheet_row, const char* column,
                          const char* value, const char* type_name, const char* reason) {
    Datum values[6] = {Int64GetDatum(m->run),
                       sheet_row,
                       column ? CStringGetTextDatum(column) : (Datum)0,
                       value ? CStringGetTextDatum(value) : (Datum)0,
                       type_name ? CStringGetTextDatum(type_name) : (Datum)0,
                       CStringGetTextDatum(reason)};
    char nulls[6] = {' ',
                     has_sheet_row ? ' ' : 'n',
                     column ? ' ' : 'n',
                     value ? ' ' : 'n',
                     type_name ? ' ' : 'n',
                     ' '};

    if (SPI_execute_plan(m->reject_plan, values, nulls, false, 0) != SPI_OK_INSERT)
        elog(ERROR, "cannot record a reject of run " INT64_FORMAT, m->run);
}

static void check_reject_limit(Merge* m) {
    Oid type[1] = {INT8OID};
    Datum run[1] = {Int64GetDatum(m->run)};

    if (!m->request->has_reject_limit || m->result->rejected <= m->request->reject_limit) return;
    ereport(ERROR,
            (errcode(ERRCODE_DATA_EXCEPTION),
             errmsg("more than " INT64_FORMAT " rejected rows merging %s into %s",
                    m->request->reject_limit, m->staging_name, m->target_name),
             errdetail("%s", spi_value("SELECT format('Sheet row %s, column %s: %s', r.sheet_row, "
                                       "r.column_name, r.reason) FROM xlsx.rejects r WHERE "
                                       "r.run_id = $1 ORDER BY r.sheet_row LIMIT 1",
                                       1, type, run)),
             errhint("Nothing was merged. Fix the rows, or raise reject_limit.")));
}

/*
 * One row taken alone: each value converted for its own reject (a NULL too: a domain may
 * refuse it); then, unless `checks_only`, the row inserted by itself, which may still break a
 * constraint. A row whose values all convert is left for the rest when `checks_only`.
 */
static void merge_row(Merge* m, HeapTuple tuple, TupleDesc desc, bool checks_only) {
    bool isnull;
    ItemPointerData row = *(ItemPointer)DatumGetPointer(SPI_getbinval(tuple, desc, 1, &isnull));
    Datum sheet_row = SPI_getbinval(tuple, desc, 2, &isnull);
    bool has_sheet_row = !isnull;
    char** values = palloc(sizeof(char*) * m->ncolumns);
    bool bad = false;
    Datum done[1] = {PointerGetDatum(&row)};

    for (int i = 0; i < m->ncolumns; i++) {
        MergeColumn* c = &m->columns[i];
        char* reason;

        values[i] = SPI_getvalue(tuple, desc, 3 + i);
        reason = column_reader_refusal(&c->reader, values[i]);
        if (reason) {
            record_reject(m, sheet_row, has_sheet_row, c->source, values[i], c->type_name, reason);
            bad = true;
        }
    }
    if (!bad && checks_only) return;
    if (!bad) {
        ErrorData* error = try_insert(m, " WHERE s.ctid = $1", &row);

        if (error) {
            int column = -1;

            for (int i = 0; error->column_name && i < m->ncolumns; i++)
                if (strcmp(m->columns[i].target, error->column_name) == 0) column = i;
            record_reject(m, sheet_row, has_sheet_row,
                          error->column_name && *error->column_name ? error->column_name : NULL,
                          column >= 0 ? values[column] : NULL,
                          column >= 0 ? m->columns[column].type_name : NULL, error->message);
            bad = true;
        }
    }
    if (SPI_execute_plan(m->done_plan, done, NULL, false, 0) != SPI_OK_INSERT)
        elog(ERROR, "cannot note a merged row");
    if (bad) {
        m->result->rejected++;
        check_reject_limit(m);
    }
}

/* The rows `suspects` selects among those not yet merged or rejected, in sheet order. */
static void merge_rows_alone(Merge* m, const char* pending, const char* suspects, bool checks_only,
                             MemoryContext row_context) {
    StringInfoData query;
    Portal cursor;

    initStringInfo(&query);
    appendStringInfo(&query, "SELECT s.ctid, %s",
                     m->has_sheet_row ? "s.xlsx_sheet_row::bigint" : "NULL::bigint");
    for (int i = 0; i < m->ncolumns; i++)
        appendStringInfo(&query, ", s.%s::text", quote_identifier(m->columns[i].source));
    appendStringInfo(&query, " FROM %s AS s WHERE %s AND %s ORDER BY 2", m->rows_of, pending,
                     suspects);
    /* Not read-only: a fresh snapshot sees the rows an earlier pass noted as done. */
    cursor = SPI_cursor_open_with_args(NULL, query.data, 0, NULL, NULL, NULL, false, 0);
    for (;;) {
        SPITupleTable* batch;
        uint64 count;

        SPI_cursor_fetch(cursor, true, SUSPECT_BATCH);
        if (SPI_processed == 0) break;
        batch = SPI_tuptable;
        count = SPI_processed; /* merge_row runs statements of its own */
        for (uint64 r = 0; r < count; r++) {
            MemoryContext caller = MemoryContextSwitchTo(row_context);

            CHECK_FOR_INTERRUPTS();
            merge_row(m, batch->vals[r], batch->tupdesc, checks_only);
            MemoryContextSwitchTo(caller);
            MemoryContextReset(row_context);
        }
        SPI_freetuptable(batch);
    }
    SPI_cursor_close(cursor);
}

/*
 * The server refused a row of the fast path. First the rows the checks doubt, one by one;
 * then the rest in one statement. Should the server still refuse one of those, every
 * remaining row goes one by one. `checks_only` (Citus, nothing written yet): the doubtful
 * rows' values are only converted, and those that convert go with the rest.
 */
static void merge_slowly(Merge* m, bool checks_only, bool truncate_first) {
    const char* pending =
        "NOT EXISTS (SELECT FROM pg_temp.xlsx_merge_done d WHERE d.row_id = s.ctid)";
    const char* suspects = psprintf("NOT (%s)", m->fits);
    MemoryContext row_context =
        AllocSetContextCreate(CurrentMemoryContext, "xlsx merge row", ALLOCSET_DEFAULT_SIZES);
    Oid tid_type[1] = {TIDOID};

    spi_run("CREATE TEMP TABLE xlsx_merge_done (row_id tid PRIMARY KEY) ON COMMIT DROP", 0, NULL,
            NULL, NULL);
    m->done_plan = SPI_prepare("INSERT INTO pg_temp.xlsx_merge_done VALUES ($1)", 1, tid_type);
    for (;;) {
        ErrorData* error;

        merge_rows_alone(m, pending, suspects, checks_only, row_context);
        if (truncate_first) {
            truncate_target(m);
            truncate_first = false;
        }
        error = try_insert(m, psprintf(" WHERE %s", pending), NULL);
        if (error == NULL) break;
        if (strcmp(suspects, "true") == 0) ReThrowError(error); /* every row went alone */
        suspects = "true";
        checks_only = false;
    }
    spi_run("DROP TABLE pg_temp.xlsx_merge_done", 0, NULL, NULL, NULL);
    MemoryContextDelete(row_context);
}

/*
 * Citus: a staging table with rows the checks doubt goes row by row from a copy on the
 * coordinator (a ctid names one row per shard). Once a transaction has written to Citus
 * shards, Citus repeats each subtransaction (one per value checked) on every worker
 * connection; so the copy is read without opening the workers' transactions and the values
 * are checked before anything is written. True when that is the case.
 */
static bool check_citus_rows_first(Merge* m) {
    Oid relid_type[1] = {OIDOID};
    Datum relid_value[1] = {ObjectIdGetDatum(m->request->staging)};
    char* reads;
    bool doubtful;

    if (spi_value("SELECT kind FROM xlsx_internal.citus_placement($1)", 1, relid_type,
                  relid_value) == NULL)
        return false;
    reads =
        spi_value("SELECT current_setting('citus.select_opens_transaction_block')", 0, NULL, NULL);
    spi_run("SELECT set_config('citus.select_opens_transaction_block', 'off', true)", 0, NULL, NULL,
            NULL);
    doubtful = spi_value(psprintf("SELECT true FROM %s AS s WHERE NOT (%s) LIMIT 1",
                                  m->staging_name, m->fits),
                         0, NULL, NULL) != NULL;
    if (doubtful) {
        spi_run(psprintf("CREATE TEMP TABLE xlsx_merge_rows ON COMMIT DROP AS SELECT * FROM %s",
                         m->staging_name),
                0, NULL, NULL, NULL);
        m->rows_of = "pg_temp.xlsx_merge_rows";
    }
    {
        Oid type[1] = {TEXTOID};
        Datum value[1] = {CStringGetTextDatum(reads)};

        spi_run("SELECT set_config('citus.select_opens_transaction_block', $1, true)", 1, type,
                value, NULL);
    }
    return doubtful;
}

static void finish_merge(const Merge* m) {
    Oid types[4] = {INT8OID, INT8OID, INT8OID, INT8OID};
    Datum values[4] = {Int64GetDatum(m->run), Int64GetDatum(m->result->inserted),
                       Int64GetDatum(m->result->updated), Int64GetDatum(m->result->rejected)};

    /* The loader may have rejected rows before staging them (finish_run 'staged'). */
    spi_run(
        "UPDATE xlsx.import_runs r SET state = 'merged', "
        "rows_read = greatest(r.rows_read, r.rows_rejected + $2 + $3 + $4), "
        "rows_loaded = $2 + $3, rows_rejected = r.rows_rejected + $4, "
        "finished_at = clock_timestamp(), error_text = NULL WHERE r.run_id = $1",
        4, types, values, NULL);
}

/* The merge reads the staging table and inserts into the target: a caller who may do neither
 * is refused before either is locked. */
static void check_privilege(Oid relid, AclMode mode) {
    if (pg_class_aclcheck(relid, GetUserId(), mode) != ACLCHECK_OK &&
        pg_attribute_aclcheck_all(relid, GetUserId(), mode, ACLMASK_ANY) != ACLCHECK_OK)
        aclcheck_error(ACLCHECK_NO_PRIV, get_relkind_objtype(get_rel_relkind(relid)),
                       get_rel_name(relid));
}

void merge_staging(const MergeRequest* request, MergeResult* result) {
    Merge m = {0};
    Relation staging, target;
    bool replace = strcmp(request->mode, "replace") == 0;
    bool checks_first;
    Oid reject_types[6] = {INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};

    check_request(request);
    memset(result, 0, sizeof(*result));
    m.request = request;
    m.result = result;
    m.upsert = strcmp(request->mode, "upsert") == 0;
    SPI_connect();
    m.staging_name = regclass_text(request->staging);
    m.target_name = regclass_text(request->target);
    m.rows_of = m.staging_name;
    m.run = merge_run_id(&m);

    check_privilege(request->staging, ACL_SELECT);
    check_privilege(request->target, ACL_INSERT);
    if (replace) check_privilege(request->target, ACL_TRUNCATE);
    /* replace truncates: its lock from the start, not an upgrade later */
    target = table_open(request->target, replace ? AccessExclusiveLock : RowExclusiveLock);
    staging = table_open(request->staging, AccessShareLock);
    plan_columns(&m, RelationGetDescr(staging), RelationGetDescr(target));
    if (m.upsert) check_upsert_key(&m, target);
    build_statements(&m, RelationGetDescr(staging), RelationGetDescr(target));
    table_close(staging, NoLock);
    table_close(target, NoLock);
    m.reject_plan = SPI_prepare(
        "INSERT INTO xlsx.rejects (run_id, sheet_row, column_name, "
        "raw_value, target_type, reason) VALUES ($1, $2, $3, $4, $5, $6)",
        6, reject_types);

    /* The fast path: every row in one statement; a bad value aborts it. */
    checks_first = check_citus_rows_first(&m);
    if (checks_first)
        merge_slowly(&m, true, replace);
    else {
        if (replace) truncate_target(&m);
        if (try_insert(&m, "", NULL) != NULL) merge_slowly(&m, false, false);
    }
    if (m.rows_of != m.staging_name)
        spi_run("DROP TABLE pg_temp.xlsx_merge_rows", 0, NULL, NULL, NULL);
    finish_merge(&m);
    SPI_finish();
}

void merge_run(const MergeRequest* request, MergeResult* result) {
    MergeRequest r = *request;
    Oid run_type[1] = {INT8OID};
    Datum run_value[1] = {Int64GetDatum(request->run)};
    char* state;
    bool unfinished, has_staging;
    char* staging_table;
    char* target_table;

    SPI_connect();
    /* Locking the run makes a second merge of it wait, then find it merged. */
    spi_run(
        "SELECT r.state, r.state = ANY (xlsx_internal.unfinished_states()), "
        "r.staging_table, r.target_table FROM xlsx.import_runs r WHERE r.run_id = $1 FOR UPDATE",
        1, run_type, run_value, NULL);
    if (SPI_processed == 0)
        ereport(ERROR,
                (errcode(ERRCODE_NO_DATA_FOUND),
                 errmsg("run " INT64_FORMAT " does not exist or belongs to another role", r.run),
                 errhint("A run is merged by the role that opened it.")));
    state = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
    unfinished = strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2), "t") == 0;
    staging_table = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
    target_table = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4);
    has_staging = staging_table != NULL;
    if (!unfinished || !has_staging)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("run " INT64_FORMAT " cannot be merged", r.run),
                        errdetail("The run is %s%s.", state,
                                  has_staging ? "" : " and has no staging table")));
    r.staging = DatumGetObjectId(DirectFunctionCall1(regclassin, CStringGetDatum(staging_table)));
    if (!OidIsValid(r.target))
        r.target = DatumGetObjectId(DirectFunctionCall1(regclassin, CStringGetDatum(target_table)));
    merge_staging(&r, result);
    if (r.drop_staging)
        spi_run(psprintf("DROP TABLE %s", regclass_text(r.staging)), 0, NULL, NULL, NULL);
    SPI_finish();
}

/* The arguments xlsx.merge and xlsx.merge_run share, by their SQL names. */
static void read_merge_args(const NamedArgs* args, MergeRequest* r) {
    NullableDatum* map = &args->fcinfo->args[named_arg(args, "column_map")];
    NullableDatum* limit = &args->fcinfo->args[named_arg(args, "reject_limit")];

    r->mode = named_text(args, "mode");
    if (r->mode == NULL)
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("mode must not be NULL"),
                        errhint("Leave the argument out for its default, insert.")));
    r->key_columns = named_text_array(args, "key_columns", &r->nkeys);
    r->has_column_map = !map->isnull;
    r->column_map = map->value;
    r->has_reject_limit = !limit->isnull;
    r->reject_limit = limit->isnull ? 0 : DatumGetInt64(limit->value);
}

static Oid regclass_arg(const NamedArgs* args, const char* name, bool required) {
    NullableDatum* arg = &args->fcinfo->args[named_arg(args, name)];

    if (arg->isnull && required)
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be NULL", name)));
    return arg->isnull ? InvalidOid : DatumGetObjectId(arg->value);
}

static void return_result(FunctionCallInfo fcinfo, const MergeResult* result) {
    ReturnSetInfo* rsinfo = (ReturnSetInfo*)fcinfo->resultinfo;
    Datum values[3] = {Int64GetDatum(result->inserted), Int64GetDatum(result->updated),
                       Int64GetDatum(result->rejected)};
    bool nulls[3] = {false, false, false};

    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/* xlsx.merge(staging, target, mode, key_columns, column_map, reject_limit, run) */
Datum pg_xlsx_merge(PG_FUNCTION_ARGS) {
    NamedArgs args;
    MergeRequest request = {0};
    MergeResult result;
    NullableDatum* run;

    InitMaterializedSRF(fcinfo, 0);
    named_args_init(&args, fcinfo);
    request.staging = regclass_arg(&args, "staging", true);
    request.target = regclass_arg(&args, "target", true);
    read_merge_args(&args, &request);
    run = &fcinfo->args[named_arg(&args, "run")];
    request.run = run->isnull ? 0 : DatumGetInt64(run->value);
    merge_staging(&request, &result);
    return_result(fcinfo, &result);
    return (Datum)0;
}

/* xlsx.merge_run(run, target, mode, key_columns, column_map, reject_limit, drop_staging) */
Datum pg_xlsx_merge_run(PG_FUNCTION_ARGS) {
    NamedArgs args;
    MergeRequest request = {0};
    MergeResult result;
    NullableDatum* run;

    InitMaterializedSRF(fcinfo, 0);
    named_args_init(&args, fcinfo);
    run = &fcinfo->args[named_arg(&args, "run")];
    if (run->isnull)
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("run must not be NULL")));
    request.run = DatumGetInt64(run->value);
    request.target = regclass_arg(&args, "target", false);
    read_merge_args(&args, &request);
    request.drop_staging = named_bool(&args, "drop_staging");
    merge_run(&request, &result);
    return_result(fcinfo, &result);
    return (Datum)0;
}
