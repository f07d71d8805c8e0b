/*
 * Workbooks inside the backend: sources and reader handles (see xlsx_source.h).
 */
#include "postgres.h"

#include <pthread.h>
#include <signal.h>

#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "xlsx_source.h"

/* A server file: as COPY FROM 'file' asks. */
static void source_from_path(text* path, XlsxSource* source) {
    if (!has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                        errmsg("permission denied to read server files"),
                        errhint("Only roles with privileges of the \"pg_read_server_files\" "
                                "role may read a workbook on the server; others can send it "
                                "with \\lo_import or as a bytea.")));
    source->path = text_to_cstring(path);
    source->label = source->path;
}

static void source_from_bytes(bytea* bytes, const char* label, XlsxSource* source) {
    source->data = VARDATA_ANY(bytes);
    source->size = VARSIZE_ANY_EXHDR(bytes);
    source->label = label;
}

/* A large object through the server's own lo_get: SELECT on it, as lo_get asks. */
static void source_from_lo(Oid lo, XlsxSource* source) {
    source_from_bytes(DatumGetByteaPP(DirectFunctionCall1(be_lo_get, ObjectIdGetDatum(lo))),
                      psprintf("large object %u", lo), source);
}

void xlsx_source_from_args(FunctionCallInfo fcinfo, XlsxSource* source) {
    int given = !PG_ARGISNULL(0) + !PG_ARGISNULL(1) + !PG_ARGISNULL(2);

    memset(source, 0, sizeof(*source));
    if (given != 1)
        ereport(
            ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
             errmsg(
                 "a workbook needs exactly one source: a server file, a large object or a bytea")));
    if (!PG_ARGISNULL(0))
        source_from_path(PG_GETARG_TEXT_PP(0), source);
    else if (!PG_ARGISNULL(1))
        source_from_lo(PG_GETARG_OID(1), source);
    else
        source_from_bytes(PG_GETARG_BYTEA_PP(2), "bytea", source);
}

void xlsx_source_from_value(Oid type, Datum value, bool isnull, XlsxSource* source) {
    memset(source, 0, sizeof(*source));
    if (isnull)
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("the workbook must not be NULL")));
    if (type == TEXTOID)
        source_from_path(DatumGetTextPP(value), source);
    else if (type == OIDOID)
        source_from_lo(DatumGetObjectId(value), source);
    else if (type == BYTEAOID)
        source_from_bytes(DatumGetByteaPP(value), "bytea", source);
    else
        elog(ERROR, "a workbook is a path, a large object or a bytea, not type %u", type);
}

/* The reset callback: whatever an error left open is closed with its context. */
static void close_on_reset(void* arg) {
    xlsx_handle_close((XlsxHandle*)arg);
}

/*
 * Runs with every signal blocked, so that threads the reader starts inherit a full mask and
 * each signal reaches the backend's own thread, whose handlers set the server's flags.
 */
typedef struct {
    sigset_t saved;
} SignalBlock;

static void block_signals(SignalBlock* block) {
    sigset_t all;

    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &block->saved);
}

static void restore_signals(SignalBlock* block) {
    pthread_sigmask(SIG_SETMASK, &block->saved, NULL);
}

XlsxHandle* xlsx_handle_open(const XlsxSource* source, int threads, MemoryContext owner) {
    XlsxHandle* handle = MemoryContextAllocZero(owner, sizeof(XlsxHandle));
    SignalBlock block;
    xlsx_status status;
    char* message = NULL;

    if (threads < 1 || threads > 64)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("threads must be between 1 and 64")));
    handle->label = MemoryContextStrdup(owner, source->label);
    handle->on_reset.func = close_on_reset;
    handle->on_reset.arg = handle;
    MemoryContextRegisterResetCallback(owner, &handle->on_reset);

    block_signals(&block);
    if (source->path)
        status = xlsx_workbook_open(source->path, (unsigned)threads, source->password,
                                    &handle->workbook, &message);
    else
        status =
            xlsx_workbook_open_memory(source->data, source->size, source->label, (unsigned)threads,
                                      source->password, &handle->workbook, &message);
    restore_signals(&block);
    if (status != XLSX_OK) xlsx_raise(handle, status, message);
    return handle;
}

void xlsx_handle_open_sheet(XlsxHandle* handle, const char* sheet, const char* range) {
    SignalBlock block;
    xlsx_status status;
    char* message = NULL;

    xlsx_handle_close_sheet(handle);
    /* The sheet reader starts the splitter and parser threads (and parses shared strings). */
    block_signals(&block);
    status = xlsx_sheet_open_shaped(handle->workbook, sheet, range, &handle->shape, &handle->reader,
                                    &message);
    restore_signals(&block);
    if (status != XLSX_OK) xlsx_raise(handle, status, message);
    /* A copy: messages name the sheet after the reader is closed. */
    handle->sheet_name =
        MemoryContextStrdup(GetMemoryChunkContext(handle), xlsx_sheet_name(handle->reader));
}

bool xlsx_handle_next_row(XlsxHandle* handle, uint32_t* row, const xlsx_cell** cells,
                          size_t* count) {
    char* message = NULL;
    xlsx_status status;

    if (handle->has_unread) {
        handle->has_unread = false;
        *row = handle->unread_row;
        *cells = handle->unread_cells;
        *count = handle->unread_count;
        return true;
    }
    status = xlsx_sheet_next_row(handle->reader, row, cells, count, &message);
    if (status == XLSX_OK) return true;
    if (status == XLSX_END) return false;
    xlsx_raise(handle, status, message);
}

void xlsx_handle_unread_row(XlsxHandle* handle, uint32_t row, const xlsx_cell* cells,
                            size_t count) {
    handle->has_unread = true;
    handle->unread_row = row;
    handle->unread_cells = cells;
    handle->unread_count = count;
}

void xlsx_handle_close_sheet(XlsxHandle* handle) {
    if (handle->reader) xlsx_sheet_close(handle->reader); /* stops and joins its threads */
    handle->reader = NULL;
    handle->has_unread = false;
}

void xlsx_handle_close(XlsxHandle* handle) {
    xlsx_handle_close_sheet(handle);
    if (handle->workbook) xlsx_workbook_close(handle->workbook);
    handle->workbook = NULL;
}

/* The reader's error kinds as SQLSTATEs and as the names xlsx2pg prints. */
void xlsx_classify_status(xlsx_status status, int* sqlstate, const char** kind) {
    switch (status) {
        case XLSX_ERR_IO:
            *sqlstate = ERRCODE_IO_ERROR, *kind = "io";
            break;
        case XLSX_ERR_NOT_WORKBOOK:
            *sqlstate = ERRCODE_INVALID_BINARY_REPRESENTATION, *kind = "not_workbook";
            break;
        case XLSX_ERR_LEGACY_XLS:
            *sqlstate = ERRCODE_FEATURE_NOT_SUPPORTED, *kind = "legacy_xls";
            break;
        case XLSX_ERR_ENCRYPTED:
            *sqlstate = ERRCODE_FEATURE_NOT_SUPPORTED, *kind = "encrypted";
            break;
        case XLSX_ERR_CORRUPT_ZIP:
            *sqlstate = ERRCODE_DATA_CORRUPTED, *kind = "corrupt_zip";
            break;
        case XLSX_ERR_MISSING_PART:
            *sqlstate = ERRCODE_DATA_CORRUPTED, *kind = "missing_part";
            break;
        case XLSX_ERR_MALFORMED_XML:
            *sqlstate = ERRCODE_INVALID_XML_DOCUMENT, *kind = "malformed_xml";
            break;
        case XLSX_ERR_FORBIDDEN_XML:
            *sqlstate = ERRCODE_INVALID_XML_DOCUMENT, *kind = "forbidden_xml";
            break;
        case XLSX_ERR_LIMIT:
            *sqlstate = ERRCODE_PROGRAM_LIMIT_EXCEEDED, *kind = "limit_exceeded";
            break;
        case XLSX_ERR_MISSING_SHEET:
            *sqlstate = ERRCODE_UNDEFINED_OBJECT, *kind = "missing_sheet";
            break;
        case XLSX_ERR_UNSUPPORTED:
            *sqlstate = ERRCODE_FEATURE_NOT_SUPPORTED, *kind = "unsupported";
            break;
        case XLSX_ERR_INVALID_VALUE:
            *sqlstate = ERRCODE_INVALID_TEXT_REPRESENTATION, *kind = "invalid_value";
            break;
        case XLSX_ERR_WRONG_PASSWORD:
            *sqlstate = ERRCODE_INVALID_PASSWORD, *kind = "wrong_password";
            break;
        case XLSX_ERR_ARGUMENT:
            *sqlstate = ERRCODE_INVALID_PARAMETER_VALUE, *kind = "argument";
            break;
        default:
            *sqlstate = ERRCODE_INTERNAL_ERROR, *kind = "internal";
    }
}

void xlsx_raise(XlsxHandle* handle, xlsx_status status, char* message) {
    int sqlstate;
    const char* kind;
    char* copy = pstrdup(message ? message : "unknown reader error");

    xlsx_free_string(message);
    if (handle) xlsx_handle_close(handle); /* threads joined before the error leaves */
    xlsx_classify_status(status, &sqlstate, &kind);
    ereport(
        ERROR,
        (errcode(sqlstate), errmsg("%s", copy),
         errdetail("The workbook was refused by the reader (error kind %s), as xlsx2pg refuses it.",
                   kind)));
}

void xlsx_handle_find_table(XlsxHandle* handle, const char* name, char** sheet, char** range,
                            bool* has_header) {
    const xlsx_table_info* tables;
    size_t count;
    char* message = NULL;
    xlsx_status status = xlsx_workbook_tables(handle->workbook, &tables, &count, &message);
    StringInfoData names;

    if (status != XLSX_OK) xlsx_raise(handle, status, message);
    initStringInfo(&names);
    for (size_t i = 0; i < count; i++) {
        if (pg_strcasecmp(tables[i].name, name) == 0) {
            *sheet = pstrdup(tables[i].sheet);
            *range = pstrdup(tables[i].load_range);
            *has_header = tables[i].header_rows > 0;
            return;
        }
        appendStringInfo(&names, "%s%s", i ? ", " : "", tables[i].name);
    }
    xlsx_handle_close(handle);
    ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                    errmsg("no Excel table named \"%s\" in %s", name, handle->label),
                    count ? errdetail("Its tables are: %s.", names.data)
                          : errdetail("It has no Excel tables.")));
}

int xlsx_range_first_row(const char* range) {
    const char* p = range;

    if (*p == '$') p++;
    while (isalpha((unsigned char)*p))
        p++;
    if (*p == '$') p++;
    return isdigit((unsigned char)*p) ? atoi(p) : 1;
}

void xlsx_raise_plan(XlsxHandle* handle, xlsx_plan_problem problem, char* message) {
    char* text = pstrdup(message ? message : "the sheet's columns cannot be mapped");

    xlsx_free_string(message);
    if (handle) xlsx_handle_close(handle);
    ereport(ERROR,
            (errcode(problem == XLSX_PLAN_MISMATCH         ? ERRCODE_DATATYPE_MISMATCH
                     : problem == XLSX_PLAN_UNKNOWN_COLUMN ? ERRCODE_UNDEFINED_COLUMN
                                                           : ERRCODE_INVALID_PARAMETER_VALUE),
             errmsg("%s", text)));
}

char* xlsx_column_letters(uint32_t column) {
    char buffer[8];
    int n = 0;
    char* out = palloc(8);

    for (; column > 0; column = (column - 1) / 26)
        buffer[n++] = (char)('A' + (column - 1) % 26);
    for (int i = 0; i < n; i++)
        out[i] = buffer[n - 1 - i];
    out[n] = '\0';
    return out;
}
