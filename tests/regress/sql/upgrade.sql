-- Installs the first version, records a run in it, and walks the upgrade chain to the
-- current version: the run survives and the new functions work on it.
SET client_min_messages = warning;
DROP EXTENSION pg_xlsx CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_xlsx VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'pg_xlsx';
SELECT xlsx.open_run('old.xlsx', 'Sheet1', 'public.t') AS run \gset
SELECT to_regproc('xlsx.merge') IS NULL AS no_merge_in_1_0;
ALTER EXTENSION pg_xlsx UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'pg_xlsx';
SELECT file_name, state FROM xlsx.import_runs WHERE run_id = :run;
CREATE TABLE t (n integer);
SELECT xlsx_internal.create_staging(:run, ARRAY['n']) AS staging;
INSERT INTO xlsx_staging.run_:run VALUES (2, '42');
SELECT * FROM xlsx.merge_run(:run);
SELECT * FROM t;
-- 1.2's server-side reading came along: its functions and the foreign data wrapper.
SELECT p.oid::regprocedure FROM pg_proc p
 WHERE p.pronamespace = 'xlsx'::regnamespace AND p.proname IN ('import', 'sheets')
 ORDER BY 1::text;
SELECT fdwname FROM pg_foreign_data_wrapper;
-- Dropping the extension takes its staging schema along.
DROP TABLE t;
