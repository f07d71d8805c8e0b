/*
 * xlsx_fdw: a worksheet as a foreign table, read in place. Options: filename (a server file,
 * gated like file_fdw's), sheet, range, table_name (an Excel table), header_row, no_header,
 * skip_rows, threads, as xlsx.import takes them. IMPORT FOREIGN SCHEMA makes a table per
 * worksheet with the header's column names and the types xlsx2pg --create would choose. The
 * table's columns find their sheet columns by the rules xlsx2pg and xlsx.import use (a column
 * that no header names is an error when the scan starts). Scans stream rows from the reader
 * (nothing is materialised); quals are left to the executor; a rescan reads the sheet again.
 */
#include "postgres.h"

#include "access/reloptions.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/varlena.h"
#include "xlsx_source.h"

PG_FUNCTION_INFO_V1(pg_xlsx_fdw_handler);
PG_FUNCTION_INFO_V1(pg_xlsx_fdw_validator);

typedef struct FdwOptions {
    char* filename;
    char* sheet;      /* NULL: the first visible worksheet */
    char* range;      /* NULL: the whole sheet; its first row is the header */
    char* table_name; /* an Excel table: its sheet, range and header */
    int header_row;   /* 0: no header */
    bool no_header;
    int skip_rows;
    int threads;
    bool fill_merged;  /* merged cells take their first cell's value */
    int header_rows;   /* the header's rows from header_row on, joined into one */
    char* add_columns; /* source columns after the header's last: file, sheet, row */
    char* password;    /* from the current user's user mapping (or PUBLIC's), never a table's */
} FdwOptions;

static const char* const option_names[] = {"filename",    "sheet",       "range",      "table_name",
                                           "header_row",  "no_header",   "skip_rows",  "threads",
                                           "fill_merged", "header_rows", "add_columns"};

static int int_option(DefElem* def, int min, int max) {
    char* value = defGetString(def);
    char* end;
    long n = strtol(value, &end, 10);

    if (*value == '\0' || *end != '\0' || n < min || n > max)
        ereport(ERROR, (errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
                        errmsg("invalid value for option \"%s\": \"%s\"", def->defname, value),
                        errhint("Give a whole number from %d to %d.", min, max)));
    return (int)n;
}

static void apply_option(FdwOptions* o, DefElem* def) {
    if (strcmp(def->defname, "filename") == 0)
        o->filename = defGetString(def);
    else if (strcmp(def->defname, "sheet") == 0)
        o->sheet = defGetString(def);
    else if (strcmp(def->defname, "range") == 0)
        o->range = defGetString(def);
    else if (strcmp(def->defname, "table_name") == 0)
        o->table_name = defGetString(def);
    else if (strcmp(def->defname, "no_header") == 0)
        o->no_header = defGetBoolean(def);
    else if (strcmp(def->defname, "header_row") == 0)
        o->header_row = int_option(def, 0, 1048576);
    else if (strcmp(def->defname, "skip_rows") == 0)
        o->skip_rows = int_option(def, 0, 1048576);
    else if (strcmp(def->defname, "threads") == 0)
        o->threads = int_option(def, 1, 64);
    else if (strcmp(def->defname, "fill_merged") == 0)
        o->fill_merged = defGetBoolean(def);
    else if (strcmp(def->defname, "header_rows") == 0)
        o->header_rows = int_option(def, 1, 10);
    else if (strcmp(def->defname, "add_columns") == 0) {
        char* message = NULL;

        o->add_columns = defGetString(def);
        if (xlsx_check_add_columns(o->add_columns, &message) != XLSX_OK) {
            char* reason = pstrdup(message);

            xlsx_free_string(message);
            ereport(ERROR, (errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
                            errmsg("invalid value for option \"add_columns\": %s", reason)));
        }
    }
}

/* The shape the options ask of the sheet: its merges, header rows and source columns. */
static void shape_sheet(XlsxHandle* handle, const FdwOptions* o, int header_row) {
    handle->shape.fill_merged = o->fill_merged;
    handle->shape.header_row = (uint32_t)header_row;
    handle->shape.header_rows = (uint32_t)Max(o->header_rows, 1);
    handle->shape.add_columns = o->add_columns;
    handle->shape.file_label = o->filename;
}

/* The password of the current user's user mapping of the server, else PUBLIC's; NULL without. */
static char* mapped_password(Oid serverid) {
    Oid users[2] = {GetUserId(), InvalidOid};

    for (int i = 0; i < 2; i++) {
        HeapTuple tuple = SearchSysCache2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(users[i]),
                                          ObjectIdGetDatum(serverid));
        char* password = NULL;
        bool isnull;
        Datum options;
        ListCell* lc;

        if (!HeapTupleIsValid(tuple)) continue;
        options =
            SysCacheGetAttr(USERMAPPINGUSERSERVER, tuple, Anum_pg_user_mapping_umoptions, &isnull);
        if (!isnull)
            foreach (lc, untransformRelOptions(options)) {
                DefElem* def = lfirst(lc);

                if (strcmp(def->defname, "password") == 0) password = defGetString(def);
            }
        ReleaseSysCache(tuple);
        return password;
    }
    return NULL;
}

static void options_of(Oid foreigntableid, FdwOptions* o) {
    ForeignTable* table = GetForeignTable(foreigntableid);
    ForeignServer* server = GetForeignServer(table->serverid);
    List* all = list_concat(list_copy(server->options), table->options);
    ListCell* lc;

    memset(o, 0, sizeof(*o));
    o->header_row = 1;
    o->threads = 2;
    foreach (lc, all)
        apply_option(o, lfirst(lc));
    o->password = mapped_password(server->serverid);
    if (!o->filename)
        ereport(ERROR, (errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
                        errmsg("foreign table \"%s\" has no filename option",
                               get_rel_name(foreigntableid))));
}

static void require_file_privilege(void) {
    if (!has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
        ereport(ERROR,
                (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                 errmsg("only superuser or a role with privileges of the pg_read_server_files role "
                        "may specify the filename option of an xlsx_fdw foreign table")));
}

Datum pg_xlsx_fdw_validator(PG_FUNCTION_ARGS) {
    List* options = untransformRelOptions(PG_GETARG_DATUM(0));
    Oid catalog = PG_GETARG_OID(1);
    FdwOptions o;
    ListCell* lc;

    memset(&o, 0, sizeof(o));
    foreach (lc, options) {
        DefElem* def = lfirst(lc);
        bool known = false;

        /* A password-protected workbook's password is a secret: user mappings hide their
         * options from other roles, foreign tables and servers do not. */
        if ((strcmp(def->defname, "password") == 0) != (catalog == UserMappingRelationId))
            ereport(ERROR,
                    (errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
                     catalog == UserMappingRelationId
                         ? errmsg("user mappings of xlsx_fdw take only the option \"password\"")
                         : errmsg("option \"password\" belongs to a user mapping"),
                     errhint("CREATE USER MAPPING FOR CURRENT_USER SERVER ... OPTIONS (password "
                             "'...') gives a password-protected workbook's password.")));
        if (catalog == UserMappingRelationId) continue;

        for (size_t i = 0; i < lengthof(option_names); i++)
            known |= strcmp(def->defname, option_names[i]) == 0;
        if (known && catalog != ForeignTableRelationId && strcmp(def->defname, "threads") != 0)
            ereport(ERROR, (errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
                            errmsg("option \"%s\" belongs to a foreign table", def->defname),
                            errhint("Servers take threads only; filename, sheet, range, "
                                    "table_name, header_row, no_header, skip_rows, fill_merged, "
                                    "header_rows and add_columns go on each foreign table.")));
        if (!known) {
            const char* closest = NULL;
            int best = 3;

            for (size_t i = 0; i < lengthof(option_names); i++) {
                int d = varstr_levenshtein(def->defname, strlen(def->defname), option_names[i],
                                           strlen(option_names[i]), 1, 1, 1, false);

                if (d < best) best = d, closest = option_names[i];
            }
            ereport(ERROR, (errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
                            errmsg("invalid option \"%s\"", def->defname),
                            closest ? errhint("Perhaps you meant the option \"%s\".", closest)
                                    : errhint("Foreign tables take filename, sheet, range, "
                                              "table_name, header_row, no_header, skip_rows, "
                                              "fill_merged, header_rows, add_columns and "
                                              "threads; servers take threads.")));
        }
        if (strcmp(def->defname, "filename") == 0) require_file_privilege();
        apply_option(&o, def);
    }
    if (catalog == ForeignTableRelationId && !o.filename)
        ereport(ERROR, (errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
                        errmsg("an xlsx_fdw foreign table needs the filename option")));
    if (o.table_name && (o.sheet || o.range))
        ereport(ERROR, (errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
                        errmsg("table_name names the sheet and the range: leave out sheet and "
                               "range")));
    PG_RETURN_VOID();
}

/* Planning --------------------------------------------------------------------------------- */

static void get_rel_size(PlannerInfo* root, RelOptInfo* baserel, Oid foreigntableid) {
    FdwOptions o;
    XlsxSource source = {0};
    XlsxHandle* handle;
    xlsx_sheet_info info;
    uint64_t bytes = 0;
    MemoryContext cxt =
        AllocSetContextCreate(CurrentMemoryContext, "xlsx_fdw plan", ALLOCSET_SMALL_SIZES);

    options_of(foreigntableid, &o);
    source.path = source.label = o.filename;
    source.password = o.password;
    /* The sheet part's size, from the zip's directory: about 12 bytes of XML per cell. */
    handle = xlsx_handle_open(&source, 1, cxt);
    for (size_t i = 0; xlsx_workbook_sheet_info(handle->workbook, i, &info); i++)
        if (o.sheet ? strcmp(info.name, o.sheet) == 0 : strcmp(info.kind, "worksheet") == 0) {
            bytes = info.part_size;
            break;
        }
    xlsx_handle_close(handle);
    MemoryContextDelete(cxt);
    baserel->rows = Max(1.0, (double)bytes / (20.0 + 40.0 * Max(1, baserel->reltarget->width / 8)));
    baserel->fdw_private = (void*)(uintptr_t)bytes;
}

static void get_paths(PlannerInfo* root, RelOptInfo* baserel, Oid foreigntableid) {
    /* Parsing XML costs about what a sequential scan of its bytes does, times a few. */
    double bytes = (double)(uintptr_t)baserel->fdw_private;
    Cost startup = 10;
    Cost total = startup + bytes / BLCKSZ * seq_page_cost * 4 + baserel->rows * cpu_tuple_cost;

    add_path(baserel,
             (Path*)compat_create_foreignscan_path(root, baserel, baserel->rows, startup, total));
}

static ForeignScan* get_plan(PlannerInfo* root, RelOptInfo* baserel, Oid foreigntableid,
                             ForeignPath* best_path, List* tlist, List* scan_clauses,
                             Plan* outer_plan) {
    List* bytes =
        list_make1(makeString(psprintf(UINT64_FORMAT, (uint64)(uintptr_t)baserel->fdw_private)));

    scan_clauses = extract_actual_clauses(scan_clauses, false);
    return make_foreignscan(tlist, scan_clauses, baserel->relid, NIL, bytes, NIL, NIL, outer_plan);
}

/* Scanning --------------------------------------------------------------------------------- */

typedef struct SheetScan {
    FdwOptions options;
    Relation relation;
    XlsxHandle* handle;
    MemoryContext row_context; /* reset per row */
    AttInMetadata* attinmeta;
    int natts;
    int* sheet_column; /* per attribute; 0: not in the sheet (always NULL) */
    const xlsx_cell** by_column;
    int skipped;
    /* the first data row, read while looking for the header */
    bool pending;
    uint32_t pending_row;
    const xlsx_cell* pending_cells;
    size_t pending_count;
    uint32_t current_row; /* for error context */
    int current_att;
} SheetScan;

static void scan_error_context(void* arg) {
    SheetScan* s = arg;

    if (s->current_row > 0)
        errcontext("sheet \"%s\" row %u, column %s of %s",
                   s->handle->sheet_name ? s->handle->sheet_name : "", s->current_row,
                   s->current_att >= 0 && s->sheet_column[s->current_att] > 0
                       ? xlsx_column_letters(s->sheet_column[s->current_att])
                       : "?",
                   s->options.filename);
}

/* The foreign table's columns and where each is in the sheet, by the reader's rules: by the
 * header's names (as written, or as IMPORT FOREIGN SCHEMA names them), else by position. */
static void map_columns(SheetScan* s, TupleDesc tupdesc, const xlsx_cell* header,
                        size_t header_count) {
    xlsx_plan_request r = {0};
    xlsx_column_plan* plan = NULL;
    xlsx_plan_problem problem;
    char* message = NULL;
    const char** columns = palloc0(sizeof(char*) * Max(1, s->natts));
    int* attribute_of = palloc0(sizeof(int) * Max(1, s->natts));
    uint32_t width = header_count ? header[header_count - 1].column : 0;
    const char** texts = palloc0(sizeof(char*) * Max(1, width));

    for (int a = 0; a < s->natts; a++) {
        Form_pg_attribute att = TupleDescAttr(tupdesc, a);

        s->sheet_column[a] = 0;
        if (att->attisdropped) continue;
        attribute_of[r.table_column_count] = a;
        columns[r.table_column_count++] = NameStr(att->attname);
    }
    for (uint32_t i = 0; i < width; i++)
        texts[i] = "";
    for (size_t i = 0; i < header_count; i++)
        texts[header[i].column - 1] = pnstrdup(header[i].data, header[i].size);
    r.table_name = get_rel_name(RelationGetRelid(s->relation));
    r.table_exists = 1;
    r.table_columns = columns;
    r.table_types = columns; /* not needed: the types are the foreign table's */
    r.header = texts;
    r.header_count = width;
    r.selection = 1;
    if (xlsx_plan_columns(&r, &plan, &problem, &message) != XLSX_OK)
        xlsx_raise_plan(s->handle, problem, message);
    for (uint32_t column = 1; column <= xlsx_plan_width(plan); column++) {
        int slot = xlsx_plan_slot(plan, column);

        for (size_t k = 0; slot >= 0 && k < r.table_column_count; k++)
            if (strcmp(columns[k], xlsx_plan_name(plan, slot)) == 0)
                s->sheet_column[attribute_of[k]] = (int)column;
    }
    xlsx_plan_free(plan);
}

/* Opens the sheet, reads its header and maps the columns. */
static void open_scan(SheetScan* s, TupleDesc tupdesc) {
    uint32_t row;
    const xlsx_cell* cells;
    size_t count;
    const xlsx_cell* header = NULL;
    size_t header_count = 0;
    int header_row = s->options.header_row;

    if (s->options.table_name) {
        bool has_header;

        xlsx_handle_find_table(s->handle, s->options.table_name, &s->options.sheet,
                               &s->options.range, &has_header);
        s->options.no_header = s->options.no_header || !has_header;
        s->options.table_name = NULL; /* a rescan opens the same sheet and range */
    }
    if (s->options.range) header_row = xlsx_range_first_row(s->options.range);
    if (s->options.no_header) header_row = 0;
    if (header_row == 0 && (s->options.header_rows > 1 || s->options.add_columns))
        ereport(ERROR, (errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
                        errmsg("header_rows and add_columns need a header row")));
    shape_sheet(s->handle, &s->options, header_row);
    xlsx_handle_open_sheet(s->handle, s->options.sheet, s->options.range);
    s->pending = false;
    s->skipped = 0;
    while (xlsx_handle_next_row(s->handle, &row, &cells, &count)) {
        if (header_row > 0 && row < (uint32_t)header_row) continue;
        if (header_row > 0 && row == (uint32_t)header_row) {
            header = cells;
            header_count = count;
            break;
        }
        s->pending = true; /* no header, or it is empty: this is data */
        s->pending_row = row, s->pending_cells = cells, s->pending_count = count;
        break;
    }
    map_columns(s, tupdesc, header, header_count);
}

static void begin_scan(ForeignScanState* node, int eflags) {
    SheetScan* s;
    XlsxSource source = {0};
    EState* estate = node->ss.ps.state;
    TupleDesc tupdesc = RelationGetDescr(node->ss.ss_currentRelation);
    MemoryContext old;

    if (eflags & EXEC_FLAG_EXPLAIN_ONLY) return;
    old = MemoryContextSwitchTo(estate->es_query_cxt);
    s = palloc0(sizeof(SheetScan));
    options_of(RelationGetRelid(node->ss.ss_currentRelation), &s->options);
    s->relation = node->ss.ss_currentRelation;
    s->natts = tupdesc->natts;
    s->sheet_column = palloc0(sizeof(int) * Max(1, s->natts));
    s->by_column = palloc0(sizeof(xlsx_cell*) * (XLSX_MAX_COLUMNS + 1));
    s->attinmeta = TupleDescGetAttInMetadata(tupdesc);
    s->row_context =
        AllocSetContextCreate(estate->es_query_cxt, "xlsx_fdw row", ALLOCSET_DEFAULT_SIZES);
    source.path = source.label = s->options.filename;
    source.password = s->options.password;
    /* Owned by the query's context: an error anywhere closes the reader with it. */
    s->handle = xlsx_handle_open(&source, s->options.threads, estate->es_query_cxt);
    open_scan(s, tupdesc);
    node->fdw_state = s;
    MemoryContextSwitchTo(old);
}

static TupleTableSlot* iterate_scan(ForeignScanState* node) {
    SheetScan* s = node->fdw_state;
    TupleTableSlot* slot = node->ss.ss_ScanTupleSlot;
    uint32_t row;
    const xlsx_cell* cells;
    size_t count;
    char** values;
    ErrorContextCallback callback;
    MemoryContext old;

    ExecClearTuple(slot);
    for (;;) {
        CHECK_FOR_INTERRUPTS();
        if (s->pending) {
            s->pending = false;
            row = s->pending_row, cells = s->pending_cells, count = s->pending_count;
        } else if (!s->handle->reader || !xlsx_handle_next_row(s->handle, &row, &cells, &count))
            return slot;
        if (s->skipped < s->options.skip_rows) {
            s->skipped++;
            continue;
        }
        break;
    }

    MemoryContextReset(s->row_context);
    old = MemoryContextSwitchTo(s->row_context);
    values = palloc0(sizeof(char*) * s->natts);
    for (size_t i = 0; i < count; i++)
        s->by_column[cells[i].column] = &cells[i];
    for (int a = 0; a < s->natts; a++) {
        const xlsx_cell* cell = s->sheet_column[a] > 0 ? s->by_column[s->sheet_column[a]] : NULL;

        if (cell && cell->size > 0) /* an empty string is NULL, as in an import */
            values[a] = pnstrdup(cell->data, cell->size);
    }
    for (size_t i = 0; i < count; i++)
        s->by_column[cells[i].column] = NULL;

    s->current_row = row;
    s->current_att = -1;
    callback.callback = scan_error_context;
    callback.arg = s;
    callback.previous = error_context_stack;
    error_context_stack = &callback;
    PG_TRY();
    {
        Datum* datums = slot->tts_values;
        bool* nulls = slot->tts_isnull;

        for (int a = 0; a < s->natts; a++) {
            s->current_att = a;
            nulls[a] = values[a] == NULL;
            if (TupleDescAttr(slot->tts_tupleDescriptor, a)->attisdropped) {
                datums[a] = (Datum)0;
                continue;
            }
            datums[a] =
                InputFunctionCall(&s->attinmeta->attinfuncs[a], values[a],
                                  s->attinmeta->attioparams[a], s->attinmeta->atttypmods[a]);
        }
    }
    PG_CATCH();
    {
        error_context_stack = callback.previous;
        xlsx_handle_close(s->handle); /* threads joined before the error leaves */
        PG_RE_THROW();
    }
    PG_END_TRY();
    error_context_stack = callback.previous;
    MemoryContextSwitchTo(old);
    return ExecStoreVirtualTuple(slot);
}

static void rescan(ForeignScanState* node) {
    SheetScan* s = node->fdw_state;

    if (!s->handle->workbook) {
        XlsxSource source = {0};

        source.path = source.label = s->options.filename;
        source.password = s->options.password;
        source.password = s->options.password;
        s->handle = xlsx_handle_open(&source, s->options.threads, node->ss.ps.state->es_query_cxt);
    }
    open_scan(s, RelationGetDescr(node->ss.ss_currentRelation));
}

static void end_scan(ForeignScanState* node) {
    SheetScan* s = node->fdw_state;

    if (s) xlsx_handle_close(s->handle);
}

static void explain_scan(ForeignScanState* node, ExplainState* es) {
    FdwOptions o;

    options_of(RelationGetRelid(node->ss.ss_currentRelation), &o);
    ExplainPropertyText("Workbook", o.filename, es);
    ExplainPropertyText("Sheet", o.sheet ? o.sheet : "(first visible worksheet)", es);
    if (es->costs) {
        List* bytes = ((ForeignScan*)node->ss.ps.plan)->fdw_private;

        ExplainPropertyInteger("Sheet XML Size", "bytes",
                               (int64)strtoull(strVal(linitial(bytes)), NULL, 10), es);
    }
}

/* IMPORT FOREIGN SCHEMA ----------------------------------------------------------------------- */

static List* import_schema(ImportForeignSchemaStmt* stmt, Oid serverOid) {
    FdwOptions o;
    ListCell* lc;
    XlsxSource source = {0};
    XlsxHandle* handle;
    xlsx_sheet_info info;
    List* commands = NIL;
    ForeignServer* server = GetForeignServer(serverOid);
    MemoryContext cxt =
        AllocSetContextCreate(CurrentMemoryContext, "xlsx_fdw import", ALLOCSET_DEFAULT_SIZES);

    memset(&o, 0, sizeof(o));
    o.header_row = 1;
    o.threads = 2;
    foreach (lc, stmt->options) {
        DefElem* def = lfirst(lc);

        if (strcmp(def->defname, "filename") != 0 && strcmp(def->defname, "header_row") != 0 &&
            strcmp(def->defname, "threads") != 0 && strcmp(def->defname, "fill_merged") != 0 &&
            strcmp(def->defname, "header_rows") != 0 && strcmp(def->defname, "add_columns") != 0)
            ereport(ERROR,
                    (errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
                     errmsg("invalid option \"%s\"", def->defname),
                     errhint("IMPORT FOREIGN SCHEMA takes filename, header_row, fill_merged, "
                             "header_rows, add_columns and threads.")));
        apply_option(&o, def);
    }
    if (!o.filename)
        ereport(ERROR, (errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
                        errmsg("IMPORT FOREIGN SCHEMA needs the filename option")));
    require_file_privilege();
    source.path = source.label = o.filename;
    source.password = mapped_password(serverOid);
    handle = xlsx_handle_open(&source, o.threads, cxt);
    for (size_t i = 0; xlsx_workbook_sheet_info(handle->workbook, i, &info); i++) {
        StringInfoData sql;
        bool wanted = stmt->list_type == FDW_IMPORT_SCHEMA_ALL;
        bool listed = false;
        uint32_t header_width = 0;
        xlsx_type_inference* types;
        char* table_name;
        char** names = NULL;
        uint32_t width = 0;
        uint32_t row;
        const xlsx_cell* cells;
        size_t count;
        char* message = NULL;
        const char* header_text[1];
        size_t header_size[1];

        if (strcmp(info.kind, "worksheet") != 0 || info.part_missing) continue;
        /* The table's name is the sheet's made an identifier, as create_table makes it. */
        header_text[0] = info.name;
        header_size[0] = strlen(info.name);
        {
            char* made[1];

            if (xlsx_column_names(header_text, header_size, 1, made, &message) != XLSX_OK)
                xlsx_raise(handle, XLSX_ERR_INTERNAL, message);
            table_name = pstrdup(made[0]);
            xlsx_free_string(made[0]);
        }
        /* LIMIT TO and EXCEPT name tables (the server filters on them too); a sheet name is
         * taken as well. */
        foreach (lc, stmt->table_list) {
            const char* name = ((RangeVar*)lfirst(lc))->relname;

            listed |= strcmp(name, table_name) == 0 || strcmp(name, info.name) == 0;
        }
        wanted |= (stmt->list_type == FDW_IMPORT_SCHEMA_LIMIT_TO && listed) ||
                  (stmt->list_type == FDW_IMPORT_SCHEMA_EXCEPT && !listed);
        if (!wanted) continue;

        /* The header's names and the types every value fits: one pass over the sheet. */
        types = xlsx_types_new();
        shape_sheet(handle, &o, o.header_row);
        xlsx_handle_open_sheet(handle, info.name, NULL);
        while (xlsx_handle_next_row(handle, &row, &cells, &count)) {
            CHECK_FOR_INTERRUPTS();
            if (o.header_row > 0 && row < (uint32_t)o.header_row) continue;
            if (o.header_row > 0 && row == (uint32_t)o.header_row && count > 0) {
                const char** texts;
                size_t* sizes;

                header_width = cells[count - 1].column;
                width = Max(width, header_width);
                texts = palloc(sizeof(char*) * header_width);
                sizes = palloc0(sizeof(size_t) * header_width);
                for (uint32_t c = 0; c < header_width; c++)
                    texts[c] = "";
                for (size_t k = 0; k < count; k++)
                    texts[cells[k].column - 1] = cells[k].data,
                                            sizes[cells[k].column - 1] = cells[k].size;
                names = palloc0(sizeof(char*) * header_width);
                if (xlsx_column_names(texts, sizes, header_width, names, &message) != XLSX_OK)
                    xlsx_raise(handle, XLSX_ERR_INTERNAL, message);
                continue;
            }
            if (o.header_row > 0 && row <= (uint32_t)o.header_row) continue;
            for (size_t k = 0; k < count; k++) {
                if (cells[k].size == 0) continue;
                xlsx_types_add(types, cells[k].column, cells[k].type, cells[k].data, cells[k].size);
                width = Max(width, cells[k].column);
            }
        }
        if (width == 0) {
            xlsx_types_free(types);
            continue; /* an empty sheet makes no table */
        }

        initStringInfo(&sql);
        appendStringInfo(&sql, "CREATE FOREIGN TABLE %s (", quote_identifier(table_name));
        for (uint32_t c = 1; c <= width; c++) {
            char* column = c <= header_width ? names[c - 1] : psprintf("column_%u", c);

            appendStringInfo(&sql, "%s%s %s", c > 1 ? ", " : "", quote_identifier(column),
                             xlsx_types_column(types, c));
        }
        appendStringInfo(&sql, ") SERVER %s OPTIONS (filename %s, sheet %s, header_row '%d'",
                         quote_identifier(server->servername), quote_literal_cstr(o.filename),
                         quote_literal_cstr(info.name), o.header_row);
        if (o.fill_merged) appendStringInfoString(&sql, ", fill_merged 'true'");
        if (o.header_rows > 1) appendStringInfo(&sql, ", header_rows '%d'", o.header_rows);
        if (o.add_columns)
            appendStringInfo(&sql, ", add_columns %s", quote_literal_cstr(o.add_columns));
        appendStringInfoChar(&sql, ')');
        commands = lappend(commands, sql.data);
        xlsx_types_free(types);
        for (uint32_t c = 0; c < header_width; c++)
            xlsx_free_string(names[c]);
    }
    xlsx_handle_close(handle);
    return commands;
}

Datum pg_xlsx_fdw_handler(PG_FUNCTION_ARGS) {
    FdwRoutine* routine = makeNode(FdwRoutine);

    routine->GetForeignRelSize = get_rel_size;
    routine->GetForeignPaths = get_paths;
    routine->GetForeignPlan = get_plan;
    routine->BeginForeignScan = begin_scan;
    routine->IterateForeignScan = iterate_scan;
    routine->ReScanForeignScan = rescan;
    routine->EndForeignScan = end_scan;
    routine->ExplainForeignScan = explain_scan;
    routine->ImportForeignSchema = import_schema;
    PG_RETURN_POINTER(routine);
}
