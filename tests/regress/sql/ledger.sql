-- The run ledger: open, record chunks, finish, statistics, and privacy between roles.
SET client_min_messages = warning;
CREATE ROLE regress_loader_a LOGIN IN ROLE xlsx_loader;
CREATE ROLE regress_loader_b LOGIN IN ROLE xlsx_loader;
RESET client_min_messages;

SET ROLE regress_loader_a;
SELECT xlsx_internal.open_run('orders.xlsx', 'Orders', 'public.orders', 'staging', 2) AS run \gset
SELECT xlsx_internal.record_chunk(:run, 0, 2, 1001, 1000);
SELECT xlsx_internal.record_chunk(:run, 1, 1002, 1500, 499);
SELECT xlsx_internal.record_chunk(:run, 1, 1002, 1500, 499);  -- ERROR
SELECT xlsx_internal.finish_run(:run, 'merged', 1499, 1497, 2, 1048576);
SELECT total_records, loaded, rejected, state, duration > interval '0' AS timed
  FROM xlsx.stats(:run);
SELECT xlsx_internal.finish_run(:run, 'bogus', 0, 0, 0);  -- ERROR
SELECT xlsx_internal.finish_run(-1, 'merged', 0, 0, 0);  -- ERROR

-- Another role sees nothing of it, and cannot touch it.
SET ROLE regress_loader_b;
SELECT count(*) AS visible FROM xlsx.import_runs;
SELECT count(*) AS visible_chunks FROM xlsx.import_chunks;
SELECT xlsx_internal.finish_run(:run, 'aborted', 0, 0, 0);  -- ERROR
SELECT xlsx_internal.fail_run(:run, 'not mine');
RESET ROLE;
SELECT state, error_text FROM xlsx.import_runs WHERE run_id = :run;

DROP OWNED BY regress_loader_a, regress_loader_b;
DROP ROLE regress_loader_a, regress_loader_b;
