-- What a DBA sees of the extension: at most twenty functions in schema xlsx (by name: the
-- variants of one function for a path, a large object and a bytea are one thing to learn),
-- each with a comment; every column of the ledger and of its views with one; the internals
-- apart, and none of them (but the profiling aggregate behind xlsx.profile) executable by PUBLIC.
SET search_path = pg_catalog;
SELECT count(DISTINCT proname) <= 20 AS at_most_twenty, count(DISTINCT proname) AS functions,
       count(*) AS variants
  FROM pg_proc WHERE pronamespace = 'xlsx'::regnamespace;
SELECT p.oid::regprocedure AS without_comment FROM pg_proc p
 WHERE p.pronamespace = 'xlsx'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL;
SELECT c.relname, a.attname AS column_without_comment
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = 'xlsx'::regnamespace AND c.relkind IN ('r', 'v')
   AND col_description(c.oid, a.attnum) IS NULL;
SELECT p.oid::regprocedure AS internal_for_public FROM pg_proc p
 WHERE p.pronamespace = 'xlsx_internal'::regnamespace
   AND has_function_privilege('public', p.oid, 'EXECUTE');
SELECT DISTINCT p.proname AS public_function FROM pg_proc p
 WHERE p.pronamespace = 'xlsx'::regnamespace ORDER BY 1;
RESET search_path;
