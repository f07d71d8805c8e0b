/*
 * What xlsx.import refuses before it reads a byte of the workbook: its arguments (read by
 * name), a caller without xlsx_loader, a target that is not SQL name syntax, lies in the
 * extension's schemas, is missing, cannot be inserted into (or created), or has row-level
 * security.
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/varlena.h"

#include "import.h"
#include "named_args.h"
#include "pg_compat.h"

static void invalid(const char* message) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s", message)));
}

void read_options(FunctionCallInfo fcinfo, ImportOptions* o) {
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
    o->password = named_text(&args, "password");
    /* 1.4's arguments; an installed 1.3 whose library is already 1.4's has none of them. */
    o->header_rows = 1;
    if (named_arg_exists(&args, "fill_merged")) {
        o->fill_merged = named_bool(&args, "fill_merged");
        o->header_rows = named_int32(&args, "header_rows");
        o->add_columns = named_text(&args, "add_columns");
    }

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
    if (o->header_rows < 1 || o->header_rows > 10) invalid("header_rows must be from 1 to 10");
    if (o->add_columns) {
        char* message = NULL;

        if (xlsx_check_add_columns(o->add_columns, &message) != XLSX_OK) {
            char* reason = pstrdup(message);

            xlsx_free_string(message);
            ereport(ERROR,
                    (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("add_columns %s", reason)));
        }
    }
    if ((o->header_rows > 1 || o->add_columns) && o->no_header)
        invalid("header_rows and add_columns need a header row: leave out no_header");
    if (o->table_name && (o->sheet || o->range))
        invalid("table_name names the sheet and the range: leave out sheet and range");
}

/* Importing writes the ledger, which is for the roles granted xlsx_loader. */
void require_loader_role(void) {
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
void resolve_target(const ImportOptions* o, ImportTarget* t) {
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
void check_column_privileges(const ImportTarget* t, const xlsx_column_plan* plan) {
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
