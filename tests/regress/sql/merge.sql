-- Merges from a staging table into a typed target: fast path, rejects with the server's reasons,
-- upsert, replace, column mapping, the reject limit, runs, and every argument error.
SET DateStyle = ISO;
SET client_min_messages = warning;

CREATE TABLE staging (xlsx_sheet_row bigint, id text, name text, born text, amount text,
                      zip text, active text);
INSERT INTO staging VALUES
    (2, '1', 'Ada', '1815-12-10', '10.5', '01234', 'true'),
    (3, '2', 'Grace', NULL, '2', '12345', 'false'),
    (4, '3', 'Linus', '1969-12-28', '3e2', '99999', NULL);
CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL, born date,
                     amount numeric(6,2), zip text, active boolean,
                     loaded_at timestamptz DEFAULT '2000-01-01');

-- Clean rows: one statement, nothing rejected, defaults for unmapped target columns.
SELECT * FROM xlsx.merge('staging', 'people');
SELECT * FROM people ORDER BY id;

-- Bad values: each bad cell is a reject with the server's own reason; the good rows go in.
INSERT INTO staging VALUES
    (5, 'x', 'Bad id', NULL, NULL, NULL, NULL),
    (6, '6', 'Bad many', '1999-13-01', '12345678', NULL, 'maybe'),
    (7, '7', NULL, NULL, NULL, NULL, NULL),
    (8, '8', 'Fine', '2001-02-03', '-0.5', '00000', 'no');
SELECT * FROM xlsx.merge('staging', 'people', 'replace');
SELECT * FROM people ORDER BY id;
SELECT sheet_row, column_name, raw_value, target_type, reason
  FROM xlsx.rejects r JOIN xlsx.import_runs USING (run_id)
 WHERE r.run_id = (SELECT max(run_id) FROM xlsx.import_runs)
 ORDER BY sheet_row, column_name;
SELECT state, total_records, loaded, rejected FROM xlsx.import_stats ORDER BY run_id;

-- The reject limit: above it nothing is merged, and the first reject is named.
SELECT * FROM xlsx.merge('staging', 'people', 'replace', reject_limit => 2);  -- ERROR
SELECT count(*) AS still_there FROM people;
SELECT * FROM xlsx.merge('staging', 'people', 'replace', reject_limit => 0);  -- ERROR

-- Upsert on the key: changed rows are updated, new ones inserted; a key seen twice keeps
-- the later sheet row.
DELETE FROM staging WHERE xlsx_sheet_row >= 5;
UPDATE staging SET name = name || ' (new)' WHERE id = '2';
INSERT INTO staging VALUES (9, '9', 'Nine', NULL, NULL, NULL, NULL),
                           (10, '1', 'Ada again', NULL, NULL, NULL, NULL);
SELECT * FROM xlsx.merge('staging', 'people', 'upsert', ARRAY['id']);
SELECT id, name FROM people ORDER BY id;

-- Column mapping: rename one column, skip another.
CREATE TABLE contacts (person_id bigint, full_name varchar(5));
SELECT * FROM xlsx.merge('staging', 'contacts',
    column_map => '{"id": "person_id", "name": "full_name", "born": null, "amount": null,
                    "zip": null, "active": null}');
SELECT * FROM contacts ORDER BY person_id;
SELECT column_name, raw_value, target_type, reason FROM xlsx.rejects
 WHERE run_id = (SELECT max(run_id) FROM xlsx.import_runs) ORDER BY sheet_row;

-- Argument errors.
SELECT * FROM xlsx.merge('staging', 'contacts');  -- ERROR
SELECT * FROM xlsx.merge('staging', 'people', 'merge');  -- ERROR
SELECT * FROM xlsx.merge('staging', 'people', 'upsert');  -- ERROR
SELECT * FROM xlsx.merge('staging', 'people', 'upsert', ARRAY['nope']);  -- ERROR
SELECT * FROM xlsx.merge('staging', 'people', column_map => '[1]');  -- ERROR
SELECT * FROM xlsx.merge('staging', 'people', column_map => '{"ghost": "id"}');  -- ERROR
SELECT * FROM xlsx.merge('staging', 'no_such_table');  -- ERROR
SELECT * FROM xlsx.merge('staging', 'people', 'upsert', ARRAY['name']);  -- ERROR

-- Runs: the loader's path. A staging table per run, merged once, then dropped.
SELECT xlsx_internal.open_run('people.xlsx', 'Sheet1', 'public.people', 'staging', 2, 1000, 'sha256:ab') AS run \gset
SELECT xlsx_internal.create_staging(:run, ARRAY['id', 'name', 'Odd "name"']);
SELECT xlsx_internal.create_staging(:run, ARRAY['id', 'name', 'Odd "name"']) AS again;
SELECT xlsx_internal.create_staging(:run, ARRAY['id']);  -- ERROR
SELECT xlsx_internal.create_staging(-1, ARRAY['id']);  -- ERROR
SELECT xlsx_internal.resumable_run('sha256:ab', 'Sheet1', 'public.people') = :run AS resumable;
INSERT INTO xlsx_staging.run_:run VALUES (2, '20', 'Twenty', 'x'), (3, 'oops', 'Bad', 'y');
SELECT * FROM xlsx.merge_run(:run, column_map => '{"Odd \"name\"": null}');
SELECT to_regclass('xlsx_staging.run_' || :run) AS staging_after_merge;
SELECT state, rows_read, rows_loaded, rows_rejected FROM xlsx.import_runs WHERE run_id = :run;
SELECT xlsx_internal.resumable_run('sha256:ab', 'Sheet1', 'public.people') AS resumable_after_merge;
SELECT * FROM xlsx.merge_run(:run);  -- ERROR
SELECT * FROM xlsx.merge_run(-1);  -- ERROR

-- A resumed run first checks that its committed chunks are still staged: crash recovery
-- empties UNLOGGED tables, and a chunk whose rows are gone is forgotten, to be loaded again.
SELECT xlsx_internal.open_run('crashed.xlsx', 'S', 'public.people') AS crashed \gset
SELECT xlsx_internal.create_staging(:crashed, ARRAY['id']) IS NOT NULL AS created;
INSERT INTO xlsx_staging.run_:crashed VALUES (2, '1'), (3, '2'), (12, '11');
SELECT xlsx_internal.record_chunk(:crashed, 0, 1, 10, 2), xlsx_internal.record_chunk(:crashed, 1, 11, 20, 2);
SELECT xlsx_internal.verify_chunks(:crashed) AS forgotten;
SELECT chunk_no FROM xlsx.import_chunks WHERE run_id = :crashed;
SELECT count(*) AS staged_after FROM xlsx_staging.run_:crashed;
TRUNCATE xlsx_staging.run_:crashed;
SELECT xlsx_internal.verify_chunks(:crashed) AS forgotten_after_reset;
SELECT xlsx_internal.fail_run(:crashed, 'test');

-- Cleanup: finished runs lose their staging table and chunk ledger; unfinished ones stay
-- unless asked.
SELECT xlsx_internal.open_run('old.xlsx', 'S', 'public.people') AS old_run \gset
SELECT xlsx_internal.create_staging(:old_run, ARRAY['id']) IS NOT NULL AS created;
SELECT xlsx_internal.record_chunk(:old_run, 0, 2, 2, 1);
SELECT count(*) AS cleaned FROM xlsx.cleanup(interval '0');
SELECT to_regclass('xlsx_staging.run_' || :old_run) IS NOT NULL AS unfinished_kept;
SELECT state, staging_dropped IS NOT NULL AS dropped
  FROM xlsx.cleanup(interval '0', include_unfinished => true) WHERE run_id = :old_run;
SELECT to_regclass('xlsx_staging.run_' || :old_run) AS staging_after_cleanup,
       (SELECT count(*) FROM xlsx.import_chunks WHERE run_id = :old_run) AS chunks_after_cleanup;
SELECT count(*) > 0 AS pruned FROM xlsx.cleanup(interval '0', keep_history => false);
SELECT count(*) AS runs_left FROM xlsx.import_runs;

DROP TABLE staging, people, contacts;
