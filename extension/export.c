/*
 * Query results out as .xlsx, inside the server: xlsx.export (a bytea, for psql) and
 * xlsx.export_to_file (a server file, for roles with pg_write_server_files, as COPY TO asks).
 * The query runs through SPI with the caller's rights and is read through a cursor a batch at
 * a time; each value is printed by its type's output function (DateStyle ISO, IntervalStyle
 * postgres, shortest exact floats, set for the call only) and handed to the report writer
 * through its C API (loader/export/export_c_api.h), which decides each cell's type. The
 * workbook is written into the server's temporary-file space and removed whatever happens:
 * memory stays one batch of rows however many there are.
 */
#include "postgres.h"

#include <sys/stat.h>
#include <unistd.h>

#include "catalog/pg_authid.h"
#include "catalog/pg_tablespace_d.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "export/export_c_api.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "storage/fd.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "xlsx_source.h"

PG_FUNCTION_INFO_V1(pg_xlsx_export);
PG_FUNCTION_INFO_V1(pg_xlsx_export_to_file);

/* Rows fetched from the cursor at a time. */
#define EXPORT_BATCH_ROWS 1000

/* What must be undone whatever happens: the writer freed, the temporary workbook removed. */
typedef struct ExportCleanup {
    xlsx_export* writer;
    char temp_path[MAXPGPATH]; /* "" when there is nothing to remove */
} ExportCleanup;

static pg_noreturn void raise_writer_error(xlsx_status status, char* message) {
    int sqlstate;
    const char* kind;
    char* copy = pstrdup(message ? message : "unknown error");

    xlsx_free_string(message);
    xlsx_classify_status(status, &sqlstate, &kind);
    ereport(ERROR, (errcode(sqlstate), errmsg("%s", copy),
                    errdetail("The report writer refused it (error kind %s).", kind)));
}

/* Text in the database's encoding as UTF-8, which the workbook holds. */
static char* to_utf8(char* text) {
    return pg_server_to_any(text, (int)strlen(text), PG_UTF8);
}

/* Sets a GUC for the rest of this call (undone by AtEOXact_GUC at the nest level). */
static void set_for_call(const char* name, const char* value) {
    (void)set_config_option(name, value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                            false);
}

/*
 * Runs `query` and writes its rows as sheet `sheet` of a workbook at `path` (`label` in
 * messages); returns the number of rows. The caller removes `path` on error
 * (cleanup->temp_path).
 */
static uint64 export_query(const char* query, const char* sheet, const char* path,
                           const char* label, ExportCleanup* cleanup) {
    int nest_level = NewGUCNestLevel();
    char temp_dir[MAXPGPATH];
    xlsx_export_options options = {0};
    SPIPlanPtr plan;
    Portal portal;
    TupleDesc desc;
    xlsx_export_column* columns;
    xlsx_export_value* values;
    FmgrInfo* output;
    MemoryContext rows_context;
    xlsx_status status;
    char* message = NULL;
    uint64 rows;

    set_for_call("datestyle", "ISO, YMD");
    set_for_call("intervalstyle", "postgres");
    set_for_call("extra_float_digits", "1");

    /* libxlsxwriter's own temporary files go where the server keeps its own. */
    TempTablespacePath(temp_dir, DEFAULTTABLESPACE_OID);
    (void)MakePGDirectory(temp_dir); /* there already, or made now */
    options.overflow_to_new_sheet = 1;
    options.temp_dir = temp_dir;
    options.label = label;
    strlcpy(cleanup->temp_path, path, MAXPGPATH);
    status = xlsx_export_open(path, &options, &cleanup->writer, &message);
    if (status != XLSX_OK) raise_writer_error(status, message);

    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    plan = SPI_prepare(query, 0, NULL);
    if (plan == NULL)
        elog(ERROR, "cannot prepare the query: %s", SPI_result_code_string(SPI_result));
    portal = SPI_cursor_open(NULL, plan, NULL, NULL, false);
    desc = portal->tupDesc;

    columns = palloc0(sizeof(xlsx_export_column) * Max(desc->natts, 1));
    values = palloc0(sizeof(xlsx_export_value) * Max(desc->natts, 1));
    output = palloc0(sizeof(FmgrInfo) * Max(desc->natts, 1));
    for (int i = 0; i < desc->natts; i++) {
        Form_pg_attribute attr = TupleDescAttr(desc, i);
        Oid function;
        bool varlena;
        int32 typmod = attr->atttypmod;

        columns[i].name = to_utf8(NameStr(attr->attname));
        columns[i].type_oid = getBaseTypeAndTypmod(attr->atttypid, &typmod);
        columns[i].typmod = typmod;
        getTypeOutputInfo(attr->atttypid, &function, &varlena);
        fmgr_info(function, &output[i]);
        if (columns[i].type_oid == TIMESTAMPTZOID)
            ereport(NOTICE,
                    (errmsg("column \"%s\": timestamp with time zone, written as the wall time in "
                            "the session's time zone %s",
                            NameStr(attr->attname), pg_get_timezone_name(session_timezone))));
    }
    status = xlsx_export_begin_sheet(cleanup->writer, to_utf8(pstrdup(sheet)), columns,
                                     (size_t)desc->natts, &message);
    if (status != XLSX_OK) raise_writer_error(status, message);

    rows_context =
        AllocSetContextCreate(CurrentMemoryContext, "xlsx export row", ALLOCSET_DEFAULT_SIZES);
    for (;;) {
        SPI_cursor_fetch(portal, true, EXPORT_BATCH_ROWS);
        if (SPI_processed == 0) break;
        for (uint64 r = 0; r < SPI_processed; r++) {
            HeapTuple tuple = SPI_tuptable->vals[r];
            MemoryContext old;

            CHECK_FOR_INTERRUPTS();
            old = MemoryContextSwitchTo(rows_context);
            for (int c = 0; c < desc->natts; c++) {
                bool isnull;
                Datum datum = SPI_getbinval(tuple, desc, c + 1, &isnull);

                values[c].data = NULL;
                if (isnull) continue;
                values[c].data = to_utf8(OutputFunctionCall(&output[c], datum));
                values[c].size = strlen(values[c].data);
            }
            MemoryContextSwitchTo(old);
            status = xlsx_export_write_row(cleanup->writer, values, &message);
            MemoryContextReset(rows_context);
            if (status != XLSX_OK) raise_writer_error(status, message);
        }
        SPI_freetuptable(SPI_tuptable);
    }
    SPI_cursor_close(portal);

    status = xlsx_export_finish(cleanup->writer, &message);
    if (status != XLSX_OK) raise_writer_error(status, message);
    for (size_t i = 0; i < xlsx_export_note_count(cleanup->writer); i++) {
        char* note = xlsx_export_note(cleanup->writer, i);

        if (note) ereport(NOTICE, (errmsg("%s", note)));
        xlsx_free_string(note);
    }
    rows = xlsx_export_rows(cleanup->writer);
    xlsx_export_free(cleanup->writer);
    cleanup->writer = NULL;
    SPI_finish();
    AtEOXact_GUC(true, nest_level);
    return rows;
}

static void clean_up(ExportCleanup* cleanup) {
    if (cleanup->writer) xlsx_export_free(cleanup->writer);
    cleanup->writer = NULL;
    if (cleanup->temp_path[0] != '\0' && unlink(cleanup->temp_path) < 0 && errno != ENOENT)
        ereport(WARNING, (errcode_for_file_access(),
                          errmsg("could not remove file \"%s\": %m", cleanup->temp_path)));
    cleanup->temp_path[0] = '\0';
}

static char* text_arg(FunctionCallInfo fcinfo, int arg, const char* name) {
    if (PG_ARGISNULL(arg))
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be NULL", name)));
    return text_to_cstring(PG_GETARG_TEXT_PP(arg));
}

/* The bytes of the workbook at `path`. */
static bytea* read_workbook(const char* path) {
    struct stat st;
    bytea* result;
    FILE* file;

    if (stat(path, &st) < 0)
        ereport(ERROR, (errcode_for_file_access(), errmsg("could not stat file \"%s\": %m", path)));
    if ((Size)st.st_size > MaxAllocSize - VARHDRSZ)
        ereport(
            ERROR,
            (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
             errmsg("the workbook is %lld bytes, more than a bytea holds", (long long)st.st_size),
             errhint("Write it to a server file with xlsx.export_to_file, or export fewer rows "
                     "per call.")));
    result = palloc(VARHDRSZ + st.st_size);
    SET_VARSIZE(result, VARHDRSZ + st.st_size);
    file = AllocateFile(path, PG_BINARY_R);
    if (file == NULL)
        ereport(ERROR, (errcode_for_file_access(), errmsg("could not open file \"%s\": %m", path)));
    if (fread(VARDATA(result), 1, st.st_size, file) != (size_t)st.st_size)
        ereport(ERROR, (errcode_for_file_access(), errmsg("could not read file \"%s\": %m", path)));
    FreeFile(file);
    return result;
}

/* xlsx.export(query text, sheet text DEFAULT 'Sheet1') RETURNS bytea */
Datum pg_xlsx_export(PG_FUNCTION_ARGS) {
    static unsigned counter = 0;
    char* query = text_arg(fcinfo, 0, "query");
    char* sheet = text_arg(fcinfo, 1, "sheet");
    char temp_dir[MAXPGPATH];
    char path[MAXPGPATH];
    ExportCleanup cleanup = {0};
    bytea* result = NULL;

    /* Named as the server names its temporary files, so that a crash's leftovers go at the next
     * start. */
    TempTablespacePath(temp_dir, DEFAULTTABLESPACE_OID);
    snprintf(path, sizeof path, "%s/%s%d.xlsx.%u", temp_dir, PG_TEMP_FILE_PREFIX, MyProcPid,
             counter++);
    PG_TRY();
    {
        (void)export_query(query, sheet, path, "xlsx.export", &cleanup);
        result = read_workbook(path);
    }
    PG_FINALLY();
    { clean_up(&cleanup); }
    PG_END_TRY();
    PG_RETURN_BYTEA_P(result);
}

/* xlsx.export_to_file(query text, path text, sheet text DEFAULT 'Sheet1') RETURNS bigint */
Datum pg_xlsx_export_to_file(PG_FUNCTION_ARGS) {
    char* query = text_arg(fcinfo, 0, "query");
    char* path = text_arg(fcinfo, 1, "path");
    char* sheet = text_arg(fcinfo, 2, "sheet");
    char partial[MAXPGPATH];
    ExportCleanup cleanup = {0};
    uint64 rows = 0;

    if (!has_privs_of_role(GetUserId(), ROLE_PG_WRITE_SERVER_FILES))
        ereport(ERROR,
                (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                 errmsg("permission denied to export to a server file"),
                 errhint("Only roles with privileges of the \"pg_write_server_files\" role may "
                         "write server files, as COPY TO does; xlsx.export returns the workbook "
                         "as a bytea instead.")));
    if (!is_absolute_path(path))
        ereport(ERROR, (errcode(ERRCODE_INVALID_NAME),
                        errmsg("relative path not allowed for xlsx.export_to_file: \"%s\"", path)));
    /* Written beside the target and renamed over it: the file is whole or not there. */
    snprintf(partial, sizeof partial, "%s.%s%d", path, PG_TEMP_FILE_PREFIX, MyProcPid);
    PG_TRY();
    {
        rows = export_query(query, sheet, partial, path, &cleanup);
        (void)durable_rename(partial, path, ERROR);
        cleanup.temp_path[0] = '\0';
    }
    PG_FINALLY();
    { clean_up(&cleanup); }
    PG_END_TRY();
    PG_RETURN_INT64((int64)rows);
}
