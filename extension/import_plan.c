/*
 * xlsx.import's plan: the header row, the type overrides as the server writes them, the
 * columns by the reader's rules (shared with xlsx2pg and xlsx_fdw), and a new target table.
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "import.h"
#include "pg_compat.h"

/* The header row; returns the sheet's name. The sheet stays open at the first row after the
 * header, for the import's first pass over the data (sheet_copy), which then reads on instead
 * of starting the reader again. */
const char* read_header(XlsxHandle* handle, const ImportOptions* o, SheetHeader* header) {
    uint32_t row;
    const xlsx_cell* cells;
    size_t count;
    char** texts = NULL;
    size_t* width = &header->width;
    const char* sheet_name;

    *width = 0;
    xlsx_handle_open_sheet(handle, o->sheet, o->range);
    sheet_name = pstrdup(handle->sheet_name);
    while (xlsx_handle_next_row(handle, &row, &cells, &count)) {
        CHECK_FOR_INTERRUPTS();
        if (row > (uint32_t)o->header_row) {
            xlsx_handle_unread_row(handle, row, cells, count);
            break;
        }
        if (row < (uint32_t)o->header_row || count == 0) continue;
        *width = cells[count - 1].column;
        texts = palloc0(sizeof(char*) * (*width + 1));
        for (size_t i = 1; i <= *width; i++)
            texts[i] = "";
        for (size_t i = 0; i < count; i++)
            texts[cells[i].column] = pnstrdup(cells[i].data, cells[i].size);
    }
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
xlsx_column_plan* plan_columns(const ImportOptions* o, const ImportTarget* t,
                               const SheetHeader* header, char** inferred, size_t inferred_width) {
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

/* CREATE TABLE from the plan: quoted names, types as the server wrote or inferred them. */
Oid create_table_of_plan(const ImportTarget* t, const xlsx_column_plan* plan) {
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
Oid create_target(const ImportOptions* o, const ImportTarget* t, const SheetHeader* header,
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
void copy_columns(const xlsx_column_plan* plan, SheetCopyRequest* r) {
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
