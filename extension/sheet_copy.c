/*
 * A sheet's data rows into a table through the server's own COPY (BeginCopyFrom with a data
 * source callback, then CopyFrom: multi-insert buffers, indexes, triggers, constraints,
 * partition routing and pg_stat_progress_copy all come from the server). The callback pulls
 * rows from the reader on the backend's thread and writes them as COPY text. xlsx.import
 * (import.c) drives it: into a staging table of text columns with the sheet row first, or
 * typed into the target (direct mode), where a bad value is an error naming the sheet row and
 * column, or typed into the target with its values checked first (staging mode's fast path),
 * where a value the checks refuse makes its row a reject. With no target it only scans, for
 * the width and types of a new table.
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_type.h"
#include "column_input.h"
#include "commands/copy.h"
#include "commands/progress.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "import_progress.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "pg_compat.h"
#include "sheet_copy.h"
#include "tcop/utility.h"
#include "utils/array.h"
#include "utils/backend_progress.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/typcache.h"
#include "value_check.h"

/* COPY text is handed to the server in pieces of about this size. */
#define COPY_PIECE_BYTES (64 * 1024)

/* Checked copies hold their rejects until the copy ends: past this many rows the sheet is
 * more bad than good, and the staging path takes it (see CHECKED_COPY_GAVE_UP). */
#define CHECKED_REJECTS_HELD 10000

typedef struct Reject {
    uint32_t sheet_row;
    char* column;
    char* value;
    const char* type_name; /* of the target column; NULL when the row was refused as a whole */
    const char* reason;
} Reject;

/* What a value must pass, in a checked copy, before COPY sees it. */
typedef struct ColumnCheck {
    Oid base_type; /* the type, or a domain's base type, and its typmod */
    int32 base_typmod;
    bool domain_checked; /* a domain with constraints (NOT NULL included) */
    bool not_null;       /* the column's own NOT NULL */
    char* type_name;
    ColumnReader reader; /* the column's type with its typmod, as COPY reads it */
} ColumnCheck;

/* Where a COPY line's sheet row changes by more than one: line -> sheet row. */
typedef struct LineBreak {
    uint64 line;
    uint32_t sheet_row;
} LineBreak;

/* A cell's value as it loads (trimmed, not a null token), pointing into the reader's row. */
typedef struct RowValue {
    const xlsx_cell* cell;
    const char* data;
    size_t size;
} RowValue;

typedef struct SheetCopy {
    XlsxHandle* handle;
    /* the rows */
    int header_row; /* 0: no header */
    int skip_rows;
    int skipped;
    int width_limit;    /* a value past this sheet column is refused; 0: none */
    bool stop_at_empty; /* the data ends at the first empty row after it began */
    uint32_t previous_row;
    char** null_values;
    int null_count;
    bool trim;
    /* the columns written: for each, its sheet column (1-based) */
    int ncolumns;
    int* sheet_columns;
    char** column_names; /* of the target, for messages */
    bool with_sheet_row;
    bool staging;                    /* bad rows become rejects instead of errors */
    ColumnCheck* checks;             /* a checked copy's, by target column; NULL otherwise */
    const char* relname;             /* the target's, for the not-null message */
    MemoryContext row_context;       /* the checks' scratch, reset after each row */
    const RowValue** checked_values; /* the row's value per target column */
    bool has_reject_limit;
    int64 reject_limit;
    bool over_reject_limit;
    uint64 rows_rejected;
    RowValue* row_values; /* this row's values, in cell order */
    RowValue** by_column; /* the same by sheet column (with a target only) */
    /* what was seen */
    uint64 rows_read;
    uint32_t first_row;
    uint32_t last_row;
    uint32_t width;
    xlsx_type_inference* types;
    List* rejects;
    /* the COPY text and its line map */
    StringInfoData text;
    int text_pos;
    bool at_end;
    uint64 lines;
    LineBreak* breaks;
    int nbreaks;
    int max_breaks;
    uint32_t last_line_row;
    bool in_reader;        /* an error now is the reader's or ours, not COPY's */
    MemoryContext context; /* ours: the callback runs in COPY's short-lived contexts */
} SheetCopy;

/* The callback has no argument: the one copy in progress in this backend. */
static SheetCopy* active_copy = NULL;

/* The value a cell loads as, after trim_text and null_values; false for NULL. */
static bool cell_value(SheetCopy* c, const xlsx_cell* cell, const char** data, size_t* size) {
    const char* d = cell->data;
    size_t n = cell->size;

    if (c->trim && cell->type == XLSX_CELL_STRING) {
        while (n > 0 && (d[0] == ' ' || d[0] == '\t' || d[0] == '\n' || d[0] == '\r'))
            d++, n--;
        while (n > 0 &&
               (d[n - 1] == ' ' || d[n - 1] == '\t' || d[n - 1] == '\n' || d[n - 1] == '\r'))
            n--;
    }
    if (n == 0) return false; /* an empty string is no value, as Excel shows it */
    for (int i = 0; i < c->null_count; i++)
        if (strlen(c->null_values[i]) == n && memcmp(c->null_values[i], d, n) == 0) return false;
    *data = d;
    *size = n;
    return true;
}

/* No cell with a value after null_values and trim_text. */
static bool row_is_empty(SheetCopy* c, const xlsx_cell* cells, size_t count) {
    const char* data;
    size_t size;

    for (size_t i = 0; i < count; i++)
        if (cell_value(c, &cells[i], &data, &size)) return false;
    return true;
}

/* COPY text's escapes: the bytes that take a backslash, and the letter after it. */
static const char copy_escapes[256] = {['\\'] = '\\', ['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r'};

/* The value as COPY text, written straight into the buffer (the hot loop of every import). */
static void append_copy_value(StringInfo out, const char* data, size_t size) {
    char* to;

    enlargeStringInfo(out, (int)(2 * size));
    to = out->data + out->len;
    for (size_t i = 0; i < size; i++) {
        char escape = copy_escapes[(unsigned char)data[i]];

        if (escape) {
            *to++ = '\\';
            *to++ = escape;
        } else
            *to++ = data[i];
    }
    *to = '\0';
    out->len = (int)(to - out->data);
}

/* A value for a reject's raw_value: a NUL (which text cannot hold) written as \x00. */
static char* printable_value(const char* data, size_t size) {
    StringInfoData out;

    initStringInfo(&out);
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\0')
            appendStringInfoString(&out, "\\x00");
        else
            appendStringInfoChar(&out, data[i]);
    }
    return out.data;
}

/* The target column a sheet column goes into, or the cell's name when none does. */
static char* column_of(SheetCopy* c, uint32_t row, uint32_t column) {
    for (int k = 0; k < c->ncolumns; k++)
        if (c->sheet_columns[k] == (int)column) return c->column_names[k];
    return psprintf("%s%u", xlsx_column_letters(column), row);
}

/* A row that cannot be sent: a reject in staging, an error in direct mode. */
static bool refuse_row(SheetCopy* c, uint32_t row, uint32_t column, const char* data, size_t size,
                       const char* reason) {
    Reject* r;

    if (!c->staging) {
        xlsx_handle_close(c->handle);
        ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
                        errmsg("sheet \"%s\" row %u, column %s: %s",
                               c->handle->sheet_name ? c->handle->sheet_name : "", row,
                               xlsx_column_letters(column), reason)));
    }
    r = palloc(sizeof(Reject));
    r->sheet_row = row;
    r->column = column_of(c, row, column);
    r->value = printable_value(data, size);
    r->type_name = NULL;
    r->reason = reason;
    c->rejects = lappend(c->rejects, r);
    c->rows_rejected++;
    return false;
}

/* A value of the row being checked (NULL: none), as a C string. */
static char* value_text(const RowValue* v) {
    return v ? pnstrdup(v->data, v->size) : NULL;
}

static char* not_null_refusal(SheetCopy* c, const char* column) {
    return psprintf(
        _("null value in column \"%s\" of relation \"%s\" violates not-null constraint"), column,
        c->relname);
}

/* Whether a checked copy may send a column's value (v NULL: none) to COPY: the type's
 * non-throwing check, and where it doubts, the type's input function; for a type it cannot
 * check or a domain's constraints, the input function's soft errors (PostgreSQL 16 and later;
 * before, COPY decides); the column's NOT NULL. */
static bool value_passes(SheetCopy* c, ColumnCheck* check, const RowValue* v) {
    ValueVerdict verdict = VALUE_FITS;

    if (v == NULL && check->not_null && !check->domain_checked) return false;
    if (v != NULL)
        verdict =
            value_verdict_of_base(v->data, (int)v->size, check->base_type, check->base_typmod);
    if (verdict == VALUE_DOUBTFUL)
        return column_reader_refusal(&check->reader, value_text(v)) == NULL;
    if (COMPAT_SOFT_INPUT_ERRORS && (verdict == VALUE_NOT_CHECKED || check->domain_checked))
        return column_reader_soft_refusal(&check->reader, value_text(v)) == NULL;
    return true;
}

/* A reject, kept in the copy's context until the copy ends (the checks run in a row's). */
static void add_reject(SheetCopy* c, uint32_t row, int k, const RowValue* v, const char* reason) {
    MemoryContext row_context = MemoryContextSwitchTo(c->context);
    Reject* r = palloc(sizeof(Reject));

    r->sheet_row = row;
    r->column = c->column_names[k];
    r->value = v ? printable_value(v->data, v->size) : NULL;
    r->type_name = c->checks[k].type_name;
    r->reason = pstrdup(reason);
    c->rejects = lappend(c->rejects, r);
    MemoryContextSwitchTo(row_context);
}

/*
 * A checked copy's row. When a value does not pass, the row is a reject with the reasons the
 * merge would give: every value converted alone by its type's input function (a subtransaction
 * each), and only when all of them convert, the column's NOT NULL.
 */
static bool row_passes_checks(SheetCopy* c, uint32_t row) {
    MemoryContext outer = MemoryContextSwitchTo(c->row_context);
    const RowValue** values = c->checked_values;
    bool passes = true;
    int refusals = 0;

    for (int k = 0; k < c->ncolumns; k++) {
        values[k] = c->sheet_columns[k] > 0 ? c->by_column[c->sheet_columns[k]] : NULL;
        passes = passes && value_passes(c, &c->checks[k], values[k]);
    }
    for (int k = 0; !passes && k < c->ncolumns; k++) {
        char* reason = values[k] || c->checks[k].domain_checked
                           ? column_reader_refusal(&c->checks[k].reader, value_text(values[k]))
                           : NULL;

        if (reason) add_reject(c, row, k, values[k], reason), refusals++;
    }
    for (int k = 0; !passes && refusals == 0 && k < c->ncolumns; k++)
        if (values[k] == NULL && c->checks[k].not_null && !c->checks[k].domain_checked) {
            add_reject(c, row, k, NULL, not_null_refusal(c, c->column_names[k]));
            refusals++; /* the server names the first */
            break;
        }
    MemoryContextSwitchTo(outer);
    MemoryContextReset(c->row_context);
    if (refusals == 0) return true;
    c->rows_rejected++;
    if (c->has_reject_limit && (int64)c->rows_rejected > c->reject_limit) {
        c->over_reject_limit = true; /* the import fails: no need to read on */
        c->at_end = true;
    } else if (c->rows_rejected > CHECKED_REJECTS_HELD)
        ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg(CHECKED_COPY_GAVE_UP)));
    return false;
}

/* Remembers the sheet row of the next COPY line where it does not follow the last one. */
static void note_line(SheetCopy* c, uint32_t row) {
    c->lines++;
    if (c->nbreaks > 0 && row == c->last_line_row + 1) {
        c->last_line_row = row;
        return;
    }
    if (c->nbreaks == c->max_breaks) {
        c->max_breaks = c->max_breaks ? 2 * c->max_breaks : 64;
        c->breaks = c->breaks ? repalloc_huge(c->breaks, c->max_breaks * sizeof(LineBreak))
                              : palloc(c->max_breaks * sizeof(LineBreak));
    }
    c->breaks[c->nbreaks].line = c->lines;
    c->breaks[c->nbreaks].sheet_row = row;
    c->nbreaks++;
    c->last_line_row = row;
}

static uint32_t sheet_row_of_line(SheetCopy* c, uint64 line) {
    int lo = 0, hi = c->nbreaks - 1;

    if (c->nbreaks == 0) return 0;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;

        if (c->breaks[mid].line <= line)
            lo = mid;
        else
            hi = mid - 1;
    }
    return c->breaks[lo].sheet_row + (uint32_t)(line - c->breaks[lo].line);
}

/* One data row: checked, fed to the type inference, and (with a target) written as COPY text. */
static void add_row(SheetCopy* c, uint32_t row, const xlsx_cell* cells, size_t count) {
    size_t nvalues = 0;

    c->rows_read++;
    if (c->first_row == 0) c->first_row = row;
    c->last_row = row;
    /* Each cell's value once (after trim_text and null_values); a bad one refuses the row. */
    for (size_t i = 0; i < count; i++) {
        RowValue* v = &c->row_values[nvalues];

        if (!cell_value(c, &cells[i], &v->data, &v->size)) continue;
        if (c->width_limit > 0 && cells[i].column > (uint32_t)c->width_limit) {
            refuse_row(c, row, cells[i].column, v->data, v->size,
                       "a value past the last column of the header");
            return;
        }
        if (memchr(v->data, '\0', v->size)) {
            refuse_row(c, row, cells[i].column, v->data, v->size,
                       "the value holds a NUL character, which PostgreSQL text cannot store");
            return;
        }
        v->cell = &cells[i];
        nvalues++;
        if (cells[i].column > c->width) c->width = cells[i].column;
    }
    if (c->types)
        for (size_t j = 0; j < nvalues; j++)
            xlsx_types_add(c->types, c->row_values[j].cell->column, c->row_values[j].cell->type,
                           c->row_values[j].data, c->row_values[j].size);
    if (c->ncolumns == 0) return;

    for (size_t j = 0; j < nvalues; j++)
        c->by_column[c->row_values[j].cell->column] = &c->row_values[j];
    if (c->checks && !row_passes_checks(c, row)) {
        for (size_t j = 0; j < nvalues; j++)
            c->by_column[c->row_values[j].cell->column] = NULL;
        return;
    }
    if (c->with_sheet_row) appendStringInfo(&c->text, "%u", row);
    for (int k = 0; k < c->ncolumns; k++) {
        int column = c->sheet_columns[k];
        const RowValue* v = column > 0 ? c->by_column[column] : NULL;

        if (k > 0 || c->with_sheet_row) appendStringInfoCharMacro(&c->text, '\t');
        if (v)
            append_copy_value(&c->text, v->data, v->size);
        else
            appendBinaryStringInfo(&c->text, "\\N", 2);
    }
    appendStringInfoCharMacro(&c->text, '\n');
    for (size_t j = 0; j < nvalues; j++)
        c->by_column[c->row_values[j].cell->column] = NULL;
    note_line(c, row);
}

/* Data rows the sheet will have: from its dimension's last row when it has one, else the rows
 * so far scaled by the XML still to read. */
static int64 rows_expected(SheetCopy* c, uint64 read, uint64 total, int64* from) {
    const char* dimension = xlsx_sheet_dimension(c->handle->reader);
    const char* last = dimension ? strchr(dimension, ':') : NULL;

    if (last) {
        int64 first_data_row = (int64)c->header_row + 1 + c->skip_rows;

        *from = EXPECTED_FROM_DIMENSION;
        return Max(0, (int64)xlsx_range_first_row(last + 1) - first_data_row + 1);
    }
    *from = EXPECTED_FROM_XML;
    return read > 0 ? (int64)((double)c->rows_read * (double)total / (double)read) : 0;
}

static void report_progress(SheetCopy* c) {
    const int index[] = {PROGRESS_XML_BYTES_READ,
                         PROGRESS_XML_BYTES_TOTAL,
                         PROGRESS_SHEET_ROW,
                         PROGRESS_PHASE,
                         PROGRESS_ROWS_EXPECTED,
                         PROGRESS_EXPECTED_FROM,
                         PROGRESS_COPY_TUPLES_PROCESSED};
    uint64 read = xlsx_sheet_bytes_read(c->handle->reader);
    uint64 total = xlsx_sheet_part_size(c->handle->reader);
    int64 from;
    int64 value[7] = {(int64)read,
                      (int64)total,
                      (int64)c->last_row,
                      c->ncolumns == 0    ? IMPORT_READING
                      : c->with_sheet_row ? IMPORT_STAGING
                                          : IMPORT_COPYING,
                      rows_expected(c, read, total, &from),
                      0,
                      (int64)c->rows_read};

    value[5] = from;
    /* While copying, COPY counts the rows itself. */
    pgstat_progress_update_multi_param(c->ncolumns > 0 ? 6 : 7, index, value);
}

/* Reads rows until COPY_PIECE_BYTES of text are ready or the sheet ends. */
static void read_rows(SheetCopy* c, Size until) {
    uint32_t row;
    const xlsx_cell* cells;
    size_t count;

    while (!c->at_end && (Size)c->text.len < until) {
        CHECK_FOR_INTERRUPTS();
        if (!xlsx_handle_next_row(c->handle, &row, &cells, &count)) {
            c->at_end = true;
            break;
        }
        if (c->header_row > 0 && row <= (uint32_t)c->header_row)
            continue; /* the header and what is above it */
        /* The reader leaves empty rows out: a gap is one. */
        if (c->stop_at_empty && c->previous_row > 0 &&
            (row > c->previous_row + 1 || row_is_empty(c, cells, count))) {
            c->at_end = true;
            break;
        }
        c->previous_row = row;
        if (c->skipped < c->skip_rows) {
            c->skipped++;
            continue;
        }
        add_row(c, row, cells, count);
    }
    report_progress(c);
}

static int copy_source(void* outbuf, int minread, int maxread) {
    SheetCopy* c = active_copy;
    int written = 0;

    while (written < maxread) {
        if (c->text_pos < c->text.len) {
            int n = Min(maxread - written, c->text.len - c->text_pos);

            memcpy((char*)outbuf + written, c->text.data + c->text_pos, n);
            c->text_pos += n;
            written += n;
            continue;
        }
        if (c->at_end) break;
        resetStringInfo(&c->text);
        c->text_pos = 0;
        c->in_reader = true;
        {
            MemoryContext copy_context = MemoryContextSwitchTo(c->context);

            read_rows(c, COPY_PIECE_BYTES);
            MemoryContextSwitchTo(copy_context);
        }
        c->in_reader = false;
    }
    return written;
}

/*
 * The range table CopyFrom needs (as DoCopy and logical replication's table sync build it),
 * and the checks DoCopy makes before a COPY FROM, which CopyFrom itself does not.
 */
static ParseState* prepare_copy(Relation rel, List* attnums) {
    ParseState* pstate = make_parsestate(NULL);
    ParseNamespaceItem* nsitem =
        addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, NULL, false, false);

    pstate->p_sourcetext = "xlsx.import";
    compat_check_insert_permission(pstate, nsitem, attnums);
    if (check_enable_rls(RelationGetRelid(rel), InvalidOid, false) == RLS_ENABLED)
        ereport(ERROR,
                (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                 errmsg("xlsx.import cannot load a table with row-level security enabled"),
                 errdetail(
                     "COPY FROM, which the import uses, is not supported with row-level security."),
                 errhint("Import in staging mode into another table and INSERT from it.")));
    if (XactReadOnly && !rel->rd_islocaltemp) PreventCommandIfReadOnly("xlsx.import");
    PreventCommandIfParallelMode("xlsx.import");
    return pstate;
}

/* "COPY t, line 12, column qty: ..." -> 12; 0 when the context names no line. */
static uint64 copy_line_of(const char* context) {
    const char* at = context ? strstr(context, ", line ") : NULL;

    return at ? strtoull(at + 7, NULL, 10) : 0;
}

static const char* copy_column_of(const char* context) {
    const char* at = context ? strstr(context, ", column ") : NULL;
    char* name;
    char* end;

    if (!at) return NULL;
    name = pstrdup(at + 9);
    end = strchr(name, ':');
    if (end) *end = '\0';
    return name;
}

/* Runs the COPY; a data error is raised again naming the sheet row and column. */
static uint64 run_copy(SheetCopy* c, ParseState* pstate, Relation rel, List* attnames) {
    List* options = list_make1(makeDefElem("encoding", (Node*)makeString("UTF8"), -1));
    MemoryContext caller = CurrentMemoryContext;
    CopyFromState cstate;
    uint64 copied = 0;

    if (active_copy)
        ereport(ERROR,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                 errmsg("an xlsx import is already running in this session"),
                 errdetail(
                     "xlsx.import cannot be called from inside another import (a trigger, say).")));
    active_copy = c;
    PG_TRY();
    {
        cstate = BeginCopyFrom(pstate, rel, NULL, NULL, false, copy_source, attnames, options);
        copied = CopyFrom(cstate);
        EndCopyFrom(cstate);
    }
    PG_CATCH();
    {
        MemoryContext error_context;
        ErrorData* edata;
        uint64 line;

        active_copy = NULL;
        /* Its threads joined before the error leaves; the workbook stays open for another
         * pass (the reader's own errors close it). */
        xlsx_handle_close_sheet(c->handle);
        error_context = MemoryContextSwitchTo(caller);
        edata = CopyErrorData();
        line = copy_line_of(edata->context);
        if (line == 0 || c->in_reader || edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
            edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN) {
            MemoryContextSwitchTo(error_context);
            PG_RE_THROW();
        }
        FlushErrorState();
        {
            const char* column = copy_column_of(edata->context);
            const char* letters = NULL;

            for (int k = 0; column && k < c->ncolumns; k++)
                if (strcmp(c->column_names[k], column) == 0 && c->sheet_columns[k] > 0)
                    letters = xlsx_column_letters(c->sheet_columns[k]);
            ereport(ERROR,
                    (errcode(edata->sqlerrcode), errmsg("%s", edata->message),
                     errdetail("%s%sIn %s, sheet \"%s\" row %u%s%s%s%s.",
                               edata->detail ? edata->detail : "", edata->detail ? " " : "",
                               c->handle->label, c->handle->sheet_name ? c->handle->sheet_name : "",
                               sheet_row_of_line(c, line), letters ? ", column " : "",
                               letters ? letters : "", column ? " (table column " : "",
                               column ? psprintf("%s)", column) : ""),
                     edata->hint ? errhint("%s", edata->hint) : 0));
        }
    }
    PG_END_TRY();
    active_copy = NULL;
    return copied;
}

static void record_rejects(SheetCopy* c, int64 run) {
    ListCell* lc;
    Oid types[6] = {INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};

    if (c->rejects == NIL) return;
    SPI_connect();
    foreach (lc, c->rejects) {
        Reject* r = lfirst(lc);
        Datum values[6] = {Int64GetDatum(run),
                           Int64GetDatum(r->sheet_row),
                           CStringGetTextDatum(r->column),
                           r->value ? CStringGetTextDatum(r->value) : (Datum)0,
                           r->type_name ? CStringGetTextDatum(r->type_name) : (Datum)0,
                           CStringGetTextDatum(r->reason)};
        char nulls[6] = {' ', ' ', ' ', r->value ? ' ' : 'n', r->type_name ? ' ' : 'n', ' '};

        CHECK_FOR_INTERRUPTS();
        if (SPI_execute_with_args("SELECT xlsx_internal.record_reject($1, $2, $3, $4, $5, $6)", 6,
                                  types, values, nulls, false, 0) != SPI_OK_SELECT)
            elog(ERROR, "cannot record a reject of run " INT64_FORMAT, run);
    }
    SPI_finish();
}

static void init_check(ColumnCheck* check, Form_pg_attribute attribute) {
    check->base_typmod = attribute->atttypmod;
    check->base_type = getBaseTypeAndTypmod(attribute->atttypid, &check->base_typmod);
    check->domain_checked =
        check->base_type != attribute->atttypid && DomainHasConstraints(attribute->atttypid);
    check->not_null = attribute->attnotnull;
    check->type_name = format_type_with_typemod(attribute->atttypid, attribute->atttypmod);
    column_reader_init(&check->reader, attribute->atttypid, attribute->atttypmod,
                       CurrentMemoryContext);
}

void sheet_copy(const SheetCopyRequest* request, SheetCopyResult* result) {
    SheetCopy c;
    MemoryContext copy_context;
    MemoryContext old;
    volatile uint64 copied = 0;

    copy_context =
        AllocSetContextCreate(CurrentMemoryContext, "xlsx sheet copy", ALLOCSET_DEFAULT_SIZES);
    old = MemoryContextSwitchTo(copy_context);
    memset(&c, 0, sizeof(c));
    memset(result, 0, sizeof(*result));
    c.context = copy_context;
    c.handle = request->handle;
    c.header_row = request->header_row;
    c.skip_rows = request->skip_rows;
    c.width_limit = request->width_limit;
    c.with_sheet_row = request->with_sheet_row;
    c.null_values = request->null_values;
    c.null_count = request->null_count;
    c.trim = request->trim;
    c.stop_at_empty = request->stop_at_empty;
    c.staging = request->run != 0;
    if (OidIsValid(request->target)) {
        c.ncolumns = request->ncolumns;
        c.column_names = request->column_names;
        c.sheet_columns = request->sheet_columns;
        c.by_column = palloc0(sizeof(RowValue*) * (XLSX_MAX_COLUMNS + 1));
    }
    c.row_values = palloc(sizeof(RowValue) * XLSX_MAX_COLUMNS); /* a row has at most this many */
    if (request->infer_types) {
        c.types = xlsx_types_new();
        if (!c.types) ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
    }
    initStringInfo(&c.text);

    PG_TRY();
    {
        /* The header pass may have left the sheet open at its first data row. */
        if (c.handle->reader == NULL)
            xlsx_handle_open_sheet(c.handle, request->sheet, request->range);
        if (OidIsValid(request->target)) {
            Relation rel = table_open(request->target, RowExclusiveLock);
            List* attnames = NIL;
            List* attnums = NIL;

            if (request->check_values) {
                c.checks = palloc0(sizeof(ColumnCheck) * Max(c.ncolumns, 1));
                c.row_context =
                    AllocSetContextCreate(copy_context, "xlsx checked row", ALLOCSET_SMALL_SIZES);
                c.checked_values = palloc(sizeof(RowValue*) * Max(c.ncolumns, 1));
                c.relname = pstrdup(RelationGetRelationName(rel));
                c.has_reject_limit = request->has_reject_limit;
                c.reject_limit = request->reject_limit;
            }
            if (c.with_sheet_row) /* the staging table's first column */
            {
                attnames = list_make1(makeString("xlsx_sheet_row"));
                attnums = list_make1_int(attnameAttNum(rel, "xlsx_sheet_row", false));
            }
            for (int k = 0; k < c.ncolumns; k++) {
                AttrNumber attnum = attnameAttNum(rel, c.column_names[k], false);

                if (attnum == InvalidAttrNumber)
                    ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                                    errmsg("column \"%s\" of relation \"%s\" does not exist",
                                           c.column_names[k], RelationGetRelationName(rel))));
                attnames = lappend(attnames, makeString(c.column_names[k]));
                attnums = lappend_int(attnums, attnum);
                if (request->check_values)
                    init_check(&c.checks[k], TupleDescAttr(RelationGetDescr(rel), attnum - 1));
            }
            copied = run_copy(&c, prepare_copy(rel, attnums), rel, attnames);
            table_close(rel, NoLock);
        } else {
            /* Only reading: a progress report of the import's own, under COPY's name. */
            pgstat_progress_start_command(PROGRESS_COMMAND_COPY, request->progress_relid);
            while (!c.at_end) {
                read_rows(&c, COPY_PIECE_BYTES);
                resetStringInfo(&c.text);
            }
            pgstat_progress_end_command();
        }
        result->bytes_read = xlsx_sheet_bytes_read(c.handle->reader);
    }
    PG_FINALLY();
    {
        active_copy = NULL;
        xlsx_handle_close_sheet(c.handle); /* its threads joined, also before an error leaves */
        if (!c.at_end && c.types)          /* an error: nothing will ask for the types */
        {
            xlsx_types_free(c.types);
            c.types = NULL;
        }
    }
    PG_END_TRY();

    MemoryContextSwitchTo(old);
    if (c.staging) record_rejects(&c, request->run);
    result->sheet_name = pstrdup(c.handle->sheet_name);
    result->rows_read = c.rows_read;
    result->rows_copied = copied;
    result->rows_rejected = c.rows_rejected;
    result->over_reject_limit = c.over_reject_limit;
    result->first_row = c.first_row;
    result->last_row = c.last_row;
    result->width = c.width;
    if (c.types) {
        result->types = palloc0(sizeof(char*) * (c.width + 1));
        for (uint32_t col = 1; col <= c.width; col++)
            result->types[col] = pstrdup(xlsx_types_column(c.types, col));
        xlsx_types_free(c.types);
    }
    MemoryContextDelete(copy_context);
}
