-- A fresh CREATE EXTENSION (the full script of the current version) and 1.0 updated along the
-- chain of upgrade scripts must give the same catalog: functions with their bodies, tables and
-- columns with their defaults, constraints, indexes, views, policies, grants and comments.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_xlsx CASCADE;
RESET client_min_messages;
SET search_path = pg_catalog;  -- names print schema-qualified

-- Privileges as sorted "grantee:privilege" lists, independent of the order of the GRANTs.
CREATE FUNCTION pg_temp.privileges(acl aclitem[]) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
                      || ':' || a.privilege_type, ', ' ORDER BY 1)
      FROM aclexplode(acl) a
$$;

CREATE FUNCTION pg_temp.extension_catalog() RETURNS TABLE (kind text, name text, detail text)
LANGUAGE sql AS $$
    WITH schemas AS (
        SELECT n.oid, n.nspname FROM pg_namespace n
         WHERE n.nspname IN ('xlsx', 'xlsx_internal', 'xlsx_staging'))
    SELECT 'schema', s.nspname,
           concat_ws(' | ', pg_temp.privileges(n.nspacl), obj_description(s.oid, 'pg_namespace'))
      FROM schemas s JOIN pg_namespace n ON n.oid = s.oid
    UNION ALL
    SELECT 'function', p.oid::regprocedure::text,
           concat_ws(' | ', CASE WHEN p.prokind = 'a'
                                 THEN format('aggregate %s %s %s', a.aggtransfn, a.aggfinalfn, a.aggtranstype::regtype)
                                 ELSE pg_get_functiondef(p.oid) END,
                     pg_temp.privileges(p.proacl), obj_description(p.oid, 'pg_proc'))
      FROM pg_proc p JOIN schemas s ON s.oid = p.pronamespace
      LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
    UNION ALL
    SELECT 'relation', c.oid::regclass::text,
           concat_ws(' | ', c.relkind, c.relpersistence, c.relrowsecurity, c.reloptions::text,
                     pg_temp.privileges(c.relacl), obj_description(c.oid, 'pg_class'),
                     CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END)
      FROM pg_class c JOIN schemas s ON s.oid = c.relnamespace
    UNION ALL
    SELECT 'column', c.oid::regclass::text || '.' || a.attname,
           concat_ws(' | ', a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                     a.attidentity, pg_get_expr(d.adbin, d.adrelid),
                     col_description(c.oid, a.attnum))
      FROM pg_class c JOIN schemas s ON s.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
    UNION ALL
    SELECT 'constraint', c.conrelid::regclass::text || '.' || c.conname, pg_get_constraintdef(c.oid)
      FROM pg_constraint c JOIN schemas s ON s.oid = c.connamespace
     WHERE c.contype <> 'n'  -- NOT NULL, a constraint row of its own since 18: attnotnull above
    UNION ALL
    SELECT 'index', i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN schemas s ON s.oid = c.relnamespace
    UNION ALL
    SELECT 'policy', p.schemaname || '.' || p.tablename || '.' || p.policyname,
           concat_ws(' | ', p.permissive, p.roles::text, p.cmd, p.qual, p.with_check)
      FROM pg_policies p JOIN schemas s ON s.nspname = p.schemaname
    UNION ALL
    SELECT 'type', t.oid::regtype::text, concat_ws(' | ', t.typtype, obj_description(t.oid, 'pg_type'))
      FROM pg_type t JOIN schemas s ON s.oid = t.typnamespace
     WHERE t.typtype <> 'b' OR t.typelem = 0  -- not the array types made alongside
    UNION ALL
    SELECT 'foreign data wrapper', w.fdwname,
           concat_ws(' | ', w.fdwhandler::regproc, w.fdwvalidator::regproc,
                     pg_temp.privileges(w.fdwacl), obj_description(w.oid, 'pg_foreign_data_wrapper'))
      FROM pg_foreign_data_wrapper w WHERE w.fdwname = 'xlsx_fdw'
    UNION ALL
    SELECT 'member', pg_describe_object(d.classid, d.objid, d.objsubid), ''
      FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
     WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname = 'pg_xlsx'
       -- the row and array types made alongside a table or type: members themselves since 18
       AND NOT EXISTS (SELECT FROM pg_type t LEFT JOIN pg_class r ON r.oid = t.typrelid
                        WHERE d.classid = 'pg_type'::regclass AND t.oid = d.objid
                          AND (t.typelem <> 0 OR r.relkind <> 'c'))
    UNION ALL
    SELECT 'dumped table', x.config::regclass::text, ''
      FROM pg_extension e, unnest(e.extconfig) AS x(config) WHERE e.extname = 'pg_xlsx'
$$;

CREATE EXTENSION pg_xlsx;
SELECT extversion AS fresh FROM pg_extension WHERE extname = 'pg_xlsx';
CREATE TEMP TABLE fresh AS SELECT * FROM pg_temp.extension_catalog();

SET client_min_messages = warning;
DROP EXTENSION pg_xlsx CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_xlsx VERSION '1.0';
ALTER EXTENSION pg_xlsx UPDATE;
SELECT extversion AS updated FROM pg_extension WHERE extname = 'pg_xlsx';
CREATE TEMP TABLE updated AS SELECT * FROM pg_temp.extension_catalog();

-- The comparison saw the whole catalog, not an empty one.
SELECT kind, count(*) FROM fresh GROUP BY kind ORDER BY kind;
-- No difference either way.
(SELECT 'only fresh' AS side, * FROM fresh EXCEPT ALL SELECT 'only fresh', * FROM updated)
UNION ALL
(SELECT 'only updated', * FROM updated EXCEPT ALL SELECT 'only updated', * FROM fresh)
ORDER BY kind, name, side;
RESET search_path;
