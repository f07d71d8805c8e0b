-- The ledger's rows belong to the role that opened the run: others may read them (monitoring
-- roles), only the owner and superusers change them, through the tables and through the
-- extension's functions alike.
SET client_min_messages = warning;
CREATE ROLE regress_owner LOGIN IN ROLE xlsx_loader;
CREATE ROLE regress_monitor LOGIN IN ROLE xlsx_loader, pg_read_all_stats;
CREATE ROLE regress_other LOGIN IN ROLE xlsx_loader;
CREATE ROLE regress_watcher LOGIN IN ROLE pg_read_all_stats;
RESET client_min_messages;
CREATE TABLE owned_target (id integer);
GRANT SELECT, INSERT ON owned_target TO regress_owner, regress_monitor, regress_other;

-- The owner's runs: one merged with its staging table kept, one unfinished with a chunk and a
-- reject.
SET ROLE regress_owner;
SELECT xlsx_internal.open_run('kept.xlsx', 'S', 'public.owned_target') AS kept_run \gset
SELECT xlsx_internal.create_staging(:kept_run, ARRAY['id']) IS NOT NULL AS staged;
INSERT INTO xlsx_staging.run_:kept_run VALUES (2, '1');
SELECT * FROM xlsx.merge_run(:kept_run, drop_staging => false);
SELECT xlsx_internal.open_run('open.xlsx', 'S', 'public.owned_target', file_checksum => 'sum') AS open_run \gset
SELECT xlsx_internal.create_staging(:open_run, ARRAY['id']) IS NOT NULL AS staged;
SELECT xlsx_internal.record_chunk(:open_run, 0, 2, 3, 1, NULL);
SELECT xlsx_internal.record_reject(:open_run, 3, 'id', 'x', 'integer', 'bad');
RESET ROLE;

-- What each role sees of the owner's runs, chunks and rejects.
CREATE FUNCTION pg_temp.seen() RETURNS TABLE (runs bigint, chunks bigint, rejects bigint)
LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM xlsx.import_runs WHERE run_owner = 'regress_owner'),
           (SELECT count(*) FROM xlsx.import_chunks WHERE run_owner = 'regress_owner'),
           (SELECT count(*) FROM xlsx.rejects WHERE run_owner = 'regress_owner')
$$;
SET ROLE regress_owner;   SELECT 'owner' AS role, * FROM pg_temp.seen();
SET ROLE regress_monitor; SELECT 'monitor' AS role, * FROM pg_temp.seen();
SET ROLE regress_watcher; SELECT 'watcher' AS role, * FROM pg_temp.seen();
SELECT count(*) AS watcher_stats FROM xlsx.import_stats WHERE file_name IN ('kept.xlsx', 'open.xlsx');
SET ROLE regress_other;   SELECT 'other loader' AS role, * FROM pg_temp.seen();
RESET ROLE;               SELECT 'superuser' AS role, * FROM pg_temp.seen();

-- A monitor who also loads reads everything and changes nothing of another's.
SET ROLE regress_monitor;
UPDATE xlsx.import_runs SET run_owner = current_user WHERE run_owner = 'regress_owner';
UPDATE xlsx.import_runs SET state = 'aborted' WHERE run_owner = 'regress_owner';
UPDATE xlsx.import_chunks SET rows = 0 WHERE run_owner = 'regress_owner';
UPDATE xlsx.rejects SET reason = 'changed' WHERE run_owner = 'regress_owner';
DELETE FROM xlsx.rejects WHERE run_owner = 'regress_owner';
DELETE FROM xlsx.import_chunks WHERE run_owner = 'regress_owner';
DELETE FROM xlsx.import_runs WHERE run_owner = 'regress_owner';
INSERT INTO xlsx.import_runs (file_name, sheet_name, target_table, mode, run_owner)
VALUES ('forged.xlsx', 'S', 't', 'staging', 'regress_owner');  -- ERROR
INSERT INTO xlsx.rejects (run_id, reason) VALUES (:open_run, 'forged');  -- ERROR
INSERT INTO xlsx.import_chunks (run_id, chunk_no, first_row, last_row, rows)
VALUES (:open_run, 9, 10, 11, 1);  -- ERROR
SELECT xlsx_internal.record_reject(:open_run, 4, 'id', 'y', 'integer', 'forged');  -- ERROR
SELECT * FROM xlsx.merge_run(:open_run);  -- ERROR
SELECT * FROM xlsx.merge('xlsx_staging.run_' || :open_run, 'owned_target', run => :open_run);  -- ERROR
SELECT xlsx_internal.resumable_run('sum', 'S', 'public.owned_target') AS resumed_by_monitor;
-- Its cleanup passes over the owner's runs and the staging table kept for one of them.
SELECT count(*) AS cleaned FROM xlsx.cleanup(interval '0', include_unfinished => true, keep_history => false);
RESET ROLE;
SELECT 'after the monitor' AS step, * FROM pg_temp.seen();
SELECT run_id = :kept_run AS kept, state, to_regclass(staging_table) IS NOT NULL AS staging_kept
  FROM xlsx.import_runs WHERE run_owner = 'regress_owner' ORDER BY run_id;

-- A monitor without the loader role only reads.
SET ROLE regress_watcher;
DELETE FROM xlsx.import_runs WHERE run_owner = 'regress_owner';  -- ERROR
RESET ROLE;

-- Another loader neither sees nor changes them.
SET ROLE regress_other;
DELETE FROM xlsx.import_runs;
UPDATE xlsx.rejects SET reason = 'changed';
SELECT count(*) AS cleaned FROM xlsx.cleanup(interval '0', include_unfinished => true, keep_history => false);
RESET ROLE;
SELECT 'after the other loader' AS step, * FROM pg_temp.seen();

-- The owner changes its own: resumes, updates, and cleans up with its staging table.
SET ROLE regress_owner;
SELECT xlsx_internal.resumable_run('sum', 'S', 'public.owned_target') = :open_run AS resumable_by_owner;
UPDATE xlsx.rejects SET reason = 'checked' WHERE run_id = :open_run;
INSERT INTO xlsx.import_chunks (run_id, chunk_no, first_row, last_row, rows, run_owner)
VALUES (:open_run, 1, 4, 5, 1, 'regress_other');  -- ERROR
SELECT state, staging_dropped IS NOT NULL AS dropped_staging
  FROM xlsx.cleanup(interval '0', include_unfinished => true, keep_history => false) ORDER BY run_id;
RESET ROLE;
SELECT 'after the owner' AS step, * FROM pg_temp.seen();

-- A superuser changes anyone's.
SET ROLE regress_other;
SELECT xlsx_internal.open_run('other.xlsx', 'S', 'public.owned_target') AS other_run \gset
RESET ROLE;
UPDATE xlsx.import_runs SET state = 'aborted', finished_at = now() - interval '1 day'
 WHERE run_id = :other_run;
SELECT count(*) AS cleaned_by_superuser FROM xlsx.cleanup(interval '1 hour', keep_history => false);
SELECT count(*) AS left_of_other FROM xlsx.import_runs WHERE run_owner = 'regress_other';

DROP TABLE owned_target;
SET client_min_messages = warning;
DROP OWNED BY regress_owner, regress_monitor, regress_other, regress_watcher CASCADE;
DROP ROLE regress_owner, regress_monitor, regress_other, regress_watcher;
