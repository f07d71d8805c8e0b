\echo Use "ALTER EXTENSION pg_xlsx UPDATE TO '1.3'" to load this file. \quit

-- pg_xlsx 1.3: no value changed on the way in (a domain's typmod and constraints hold as COPY
-- holds them), and a ledger in which each role changes only its own runs.

-- Internals, out of a DBA's listing of xlsx.*: what the extension's own functions call.
CREATE SCHEMA xlsx_internal;
COMMENT ON SCHEMA xlsx_internal IS 'Internals of pg_xlsx, called by its public functions in schema xlsx';
GRANT USAGE ON SCHEMA xlsx_internal TO PUBLIC;

-- Every internal moves out of xlsx into xlsx_internal; the functions that call them are
-- redefined below with the new names.
ALTER FUNCTION xlsx.open_run(text,text,text,text,integer,bigint,text,text) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.record_chunk(bigint,bigint,bigint,bigint,bigint) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.finish_run(bigint,text,bigint,bigint,bigint,bigint) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.fail_run(bigint,text) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.create_staging(bigint,text[]) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.verify_chunks(bigint) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.resumable_run(text,text,text) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.record_reject(bigint,bigint,text,text,text,text) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.profile_transition(internal,text) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.profile_final(internal) SET SCHEMA xlsx_internal;
ALTER AGGREGATE xlsx.profile_agg(text) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.sheets_of(text,oid,bytea,integer) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.tables_of(text,oid,bytea,integer) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.sheet_header(text,oid,bytea,text,integer,integer,text) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.copy_sheet(text,oid,bytea,text,regclass,text[],integer[],integer,integer,integer,boolean,text[],boolean,integer,boolean,bigint,text,boolean) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.import_workbook(text,oid,bytea,text,regclass,text,text,integer,boolean,integer,text[],boolean,text[],boolean,boolean,text[],text,bigint,text[],boolean,integer,boolean,text,text,boolean) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.column_letters(integer) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.fdw_handler() SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.fdw_validator(text[],oid) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.interrupt_run(bigint,text) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.unfinished_states() SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.record_chunk(bigint,bigint,bigint,bigint,bigint,integer[]) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.citus_placement(regclass) SET SCHEMA xlsx_internal;
ALTER FUNCTION xlsx.colocate_staging(bigint) SET SCHEMA xlsx_internal;

-- Values as COPY reads them --------------------------------------------------------------------

CREATE FUNCTION xlsx_internal.column_input(value text, target regtype, typmod integer, sample anyelement)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'pg_xlsx_column_input'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION xlsx_internal.column_input(text, regtype, integer, anyelement) IS 'A text value read by the input function of target with typmod, as COPY reads it into a column (sample: NULL::target)';

CREATE FUNCTION xlsx_internal.value_doubtful(value text, target regtype, typmod integer)
RETURNS boolean
AS 'MODULE_PATHNAME', 'pg_xlsx_value_doubtful'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION xlsx_internal.value_doubtful(text, regtype, integer) IS 'Whether the check of the type says the value may not convert (the merge takes such rows one by one first)';

COMMENT ON FUNCTION xlsx.value_fits(text, regtype, integer) IS 'Whether a text value surely converts to the type (a domain''s constraints included) as COPY would store it, checked without raising errors; false means "ask the server"';

-- Functions that call internals, as the full script defines them: the merge converts each
-- value as COPY does (a domain's constraint makes a reject), merge_run and cleanup act on the
-- caller's runs only.
CREATE OR REPLACE FUNCTION xlsx_internal.finish_run(run bigint, state text, rows_read bigint, rows_loaded bigint,
                                rows_rejected bigint, bytes_read bigint DEFAULT 0)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF state NOT IN ('staged', 'merged', 'aborted') THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('invalid run state "%s"', state),
            HINT = 'A run finishes as staged, merged or aborted; use xlsx_internal.fail_run for failures.';
    END IF;
    UPDATE xlsx.import_runs r
       SET state = finish_run.state, rows_read = finish_run.rows_read,
           rows_loaded = finish_run.rows_loaded, rows_rejected = finish_run.rows_rejected,
           bytes_read = finish_run.bytes_read, finished_at = clock_timestamp(), error_text = NULL
     WHERE r.run_id = run;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found',
            MESSAGE = format('run %s does not exist', run),
            HINT = 'Runs are visible to the role that opened them only.';
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION xlsx_internal.resumable_run(file_checksum text, sheet_name text, target_table text)
RETURNS bigint
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.run_id FROM xlsx.import_runs r
     WHERE r.file_checksum = resumable_run.file_checksum
       AND r.sheet_name = resumable_run.sheet_name
       AND r.target_table = resumable_run.target_table
       AND r.mode = 'staging' AND r.state = ANY (xlsx_internal.unfinished_states())
       AND r.run_owner = current_user
     ORDER BY r.run_id DESC LIMIT 1
$$;

CREATE OR REPLACE FUNCTION xlsx.profile(source regclass)
RETURNS TABLE (column_name name, nulls bigint, non_null bigint, distinct_estimate bigint,
               min_length integer, max_length integer, suggested_type text)
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    names name[];
    aggregates text;
    profiles xlsx.column_profile[];
BEGIN
    SELECT array_agg(a.attname ORDER BY a.attnum),
           string_agg(format('xlsx_internal.profile_agg(%I::text)', a.attname), ', ' ORDER BY a.attnum)
      INTO names, aggregates
      FROM pg_attribute a
     WHERE a.attrelid = source AND a.attnum > 0 AND NOT a.attisdropped
       AND a.attname <> 'xlsx_sheet_row';
    IF names IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_column',
            MESSAGE = format('relation %s has no columns to profile', source);
    END IF;
    -- One scan, every column's aggregate in it.
    EXECUTE format('SELECT ARRAY[%s]::xlsx.column_profile[] FROM %s', aggregates, source)
       INTO profiles;
    RETURN QUERY
        SELECT names[i], coalesce((profiles[i]).nulls, 0), coalesce((profiles[i]).non_null, 0),
               coalesce((profiles[i]).distinct_estimate, 0), (profiles[i]).min_length,
               (profiles[i]).max_length, coalesce((profiles[i]).suggested_type, 'text')
          FROM generate_subscripts(names, 1) AS i
         ORDER BY i;
END
$$;

-- The merge is C (merge.c); its PL/pgSQL helper goes.
DROP FUNCTION xlsx.merge_insert(text, text, text, text[], text[], tid);
CREATE OR REPLACE FUNCTION xlsx.merge(staging regclass, target regclass, mode text DEFAULT 'insert',
                           key_columns text[] DEFAULT NULL, column_map jsonb DEFAULT NULL,
                           reject_limit bigint DEFAULT NULL, run bigint DEFAULT NULL)
RETURNS TABLE (inserted bigint, updated bigint, rejected bigint)
AS 'MODULE_PATHNAME', 'pg_xlsx_merge'
LANGUAGE C VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION xlsx.merge(regclass, regclass, text, text[], jsonb, bigint, bigint) IS 'Casts a staging table''s text columns into the target''s types and inserts, upserts or replaces in one transaction; rows that do not convert go to xlsx.rejects';

CREATE OR REPLACE FUNCTION xlsx.merge_run(run bigint, target regclass DEFAULT NULL, mode text DEFAULT 'insert',
                           key_columns text[] DEFAULT NULL, column_map jsonb DEFAULT NULL,
                           reject_limit bigint DEFAULT NULL, drop_staging boolean DEFAULT true)
RETURNS TABLE (inserted bigint, updated bigint, rejected bigint)
AS 'MODULE_PATHNAME', 'pg_xlsx_merge_run'
LANGUAGE C VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION xlsx.merge_run(bigint, regclass, text, text[], jsonb, bigint, boolean) IS 'Merges the staging table of an xlsx2pg run into its target (as xlsx.merge does), then drops the staging table';

CREATE OR REPLACE FUNCTION xlsx.cleanup(older_than interval DEFAULT '7 days', include_unfinished boolean DEFAULT false,
                             keep_history boolean DEFAULT true)
RETURNS TABLE (run_id bigint, state text, staging_dropped text)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    old record;
    everyone boolean := (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user);
BEGIN
    FOR old IN
        SELECT r.run_id, r.state, r.staging_table FROM xlsx.import_runs r
         WHERE coalesce(r.finished_at, r.started_at) < clock_timestamp() - older_than
           AND (r.state IN ('merged', 'aborted')
                OR (include_unfinished AND r.state = ANY (xlsx_internal.unfinished_states())))
           AND (r.run_owner = current_user OR everyone)
         ORDER BY r.run_id
           FOR UPDATE SKIP LOCKED
    LOOP
        staging_dropped := NULL;
        IF old.staging_table IS NOT NULL AND to_regclass(old.staging_table) IS NOT NULL THEN
            EXECUTE format('DROP TABLE %s', old.staging_table::regclass);
            staging_dropped := old.staging_table;
        END IF;
        IF old.state NOT IN ('merged', 'aborted') THEN
            UPDATE xlsx.import_runs r SET state = 'aborted', finished_at = clock_timestamp()
             WHERE r.run_id = old.run_id;
        END IF;
        DELETE FROM xlsx.import_chunks c WHERE c.run_id = old.run_id;
        IF NOT keep_history THEN
            DELETE FROM xlsx.import_runs r WHERE r.run_id = old.run_id;
        END IF;
        run_id := old.run_id;
        state := CASE WHEN old.state IN ('merged', 'aborted') THEN old.state ELSE 'aborted' END;
        RETURN NEXT;
    END LOOP;
END
$$;

DROP FUNCTION xlsx.import(text, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean);
CREATE FUNCTION xlsx.import(path text, target text, sheet text DEFAULT NULL,
                            header_row integer DEFAULT 1, no_header boolean DEFAULT false,
                            skip_rows integer DEFAULT 0, columns text[] DEFAULT NULL,
                            create_table boolean DEFAULT false, types text[] DEFAULT NULL,
                            all_text boolean DEFAULT false, truncate boolean DEFAULT false,
                            upsert text[] DEFAULT NULL, mode text DEFAULT 'staging',
                            reject_limit bigint DEFAULT NULL, null_values text[] DEFAULT NULL,
                            trim_text boolean DEFAULT false, threads integer DEFAULT 2,
                            keep_staging boolean DEFAULT false, range text DEFAULT NULL,
                            table_name text DEFAULT NULL, stop_at_empty boolean DEFAULT false,
                            password text DEFAULT NULL)
RETURNS TABLE (run_id bigint, rows_read bigint, loaded bigint, inserted bigint, updated bigint,
               rejected bigint, seconds double precision, rows_per_second double precision)
AS 'MODULE_PATHNAME', 'pg_xlsx_import'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION xlsx.import(text, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text) IS 'Imports a sheet of a workbook on the database server (needs pg_read_server_files) into a table';
REVOKE ALL ON FUNCTION xlsx.import(text, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xlsx.import(text, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text) TO pg_read_server_files;

DROP FUNCTION xlsx.import(oid, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean);
CREATE FUNCTION xlsx.import(lo oid, target text, sheet text DEFAULT NULL,
                            header_row integer DEFAULT 1, no_header boolean DEFAULT false,
                            skip_rows integer DEFAULT 0, columns text[] DEFAULT NULL,
                            create_table boolean DEFAULT false, types text[] DEFAULT NULL,
                            all_text boolean DEFAULT false, truncate boolean DEFAULT false,
                            upsert text[] DEFAULT NULL, mode text DEFAULT 'staging',
                            reject_limit bigint DEFAULT NULL, null_values text[] DEFAULT NULL,
                            trim_text boolean DEFAULT false, threads integer DEFAULT 2,
                            keep_staging boolean DEFAULT false, range text DEFAULT NULL,
                            table_name text DEFAULT NULL, stop_at_empty boolean DEFAULT false,
                            password text DEFAULT NULL)
RETURNS TABLE (run_id bigint, rows_read bigint, loaded bigint, inserted bigint, updated bigint,
               rejected bigint, seconds double precision, rows_per_second double precision)
AS 'MODULE_PATHNAME', 'pg_xlsx_import'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION xlsx.import(oid, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text) IS 'Imports a sheet of a workbook held in a large object (psql''s \lo_import; needs SELECT on it) into a table';

DROP FUNCTION xlsx.import(bytea, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean);
CREATE FUNCTION xlsx.import(data bytea, target text, sheet text DEFAULT NULL,
                            header_row integer DEFAULT 1, no_header boolean DEFAULT false,
                            skip_rows integer DEFAULT 0, columns text[] DEFAULT NULL,
                            create_table boolean DEFAULT false, types text[] DEFAULT NULL,
                            all_text boolean DEFAULT false, truncate boolean DEFAULT false,
                            upsert text[] DEFAULT NULL, mode text DEFAULT 'staging',
                            reject_limit bigint DEFAULT NULL, null_values text[] DEFAULT NULL,
                            trim_text boolean DEFAULT false, threads integer DEFAULT 2,
                            keep_staging boolean DEFAULT false, range text DEFAULT NULL,
                            table_name text DEFAULT NULL, stop_at_empty boolean DEFAULT false,
                            password text DEFAULT NULL)
RETURNS TABLE (run_id bigint, rows_read bigint, loaded bigint, inserted bigint, updated bigint,
               rejected bigint, seconds double precision, rows_per_second double precision)
AS 'MODULE_PATHNAME', 'pg_xlsx_import'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION xlsx.import(bytea, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text) IS 'Imports a sheet of a workbook given as bytes (an application''s upload) into a table';

-- The listings take a password-protected workbook's password: new signatures.
DROP FUNCTION xlsx.tables(text, integer), xlsx.tables(oid, integer), xlsx.tables(bytea, integer),
              xlsx.sheets(text, integer), xlsx.sheets(oid, integer), xlsx.sheets(bytea, integer),
              xlsx_internal.sheets_of(text, oid, bytea, integer),
              xlsx_internal.tables_of(text, oid, bytea, integer);
CREATE FUNCTION xlsx_internal.sheets_of(path text, lo oid, data bytea, threads integer DEFAULT 2,
                                        password text DEFAULT NULL)
RETURNS TABLE (sheet_index integer, name text, state text, kind text, rows integer,
               columns integer, part_missing boolean)
AS 'MODULE_PATHNAME', 'pg_xlsx_sheets'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION xlsx_internal.sheets_of(text, oid, bytea, integer, text) IS 'Internal: the sheets of a workbook given by one of path, lo or data';

CREATE FUNCTION xlsx_internal.tables_of(path text, lo oid, data bytea, threads integer DEFAULT 2,
                                        password text DEFAULT NULL)
RETURNS TABLE (name text, sheet text, ref text, load_range text, header_rows integer,
               totals_rows integer, columns text[])
AS 'MODULE_PATHNAME', 'pg_xlsx_tables'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION xlsx_internal.tables_of(text, oid, bytea, integer, text) IS 'Internal: the Excel tables of a workbook given by one of path, lo or data';

CREATE FUNCTION xlsx.tables(path text, threads integer DEFAULT 2, password text DEFAULT NULL)
RETURNS TABLE (name text, sheet text, ref text, header_rows integer, totals_rows integer, columns text[])
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT t.name, t.sheet, t.ref, t.header_rows, t.totals_rows, t.columns FROM xlsx_internal.tables_of(path, NULL, NULL, threads, password) t $$;
COMMENT ON FUNCTION xlsx.tables(text, integer, text) IS 'The Excel tables of a workbook on the database server: name, sheet, ref, header and totals rows, column names';
CREATE FUNCTION xlsx.tables(lo oid, threads integer DEFAULT 2, password text DEFAULT NULL)
RETURNS TABLE (name text, sheet text, ref text, header_rows integer, totals_rows integer, columns text[])
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT t.name, t.sheet, t.ref, t.header_rows, t.totals_rows, t.columns FROM xlsx_internal.tables_of(NULL, lo, NULL, threads, password) t $$;
COMMENT ON FUNCTION xlsx.tables(oid, integer, text) IS 'The Excel tables of a workbook held in a large object';
CREATE FUNCTION xlsx.tables(data bytea, threads integer DEFAULT 2, password text DEFAULT NULL)
RETURNS TABLE (name text, sheet text, ref text, header_rows integer, totals_rows integer, columns text[])
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT t.name, t.sheet, t.ref, t.header_rows, t.totals_rows, t.columns FROM xlsx_internal.tables_of(NULL, NULL, data, threads, password) t $$;
COMMENT ON FUNCTION xlsx.tables(bytea, integer, text) IS 'The Excel tables of a workbook given as bytes';

CREATE FUNCTION xlsx.sheets(path text, threads integer DEFAULT 2, password text DEFAULT NULL)
RETURNS TABLE (sheet_index integer, name text, state text, kind text, rows integer,
               columns integer, part_missing boolean)
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM xlsx_internal.sheets_of(path, NULL, NULL, threads, password) $$;
COMMENT ON FUNCTION xlsx.sheets(text, integer, text) IS 'The sheets of a workbook on the database server: name, state, kind, used rows and columns';

CREATE FUNCTION xlsx.sheets(lo oid, threads integer DEFAULT 2, password text DEFAULT NULL)
RETURNS TABLE (sheet_index integer, name text, state text, kind text, rows integer,
               columns integer, part_missing boolean)
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM xlsx_internal.sheets_of(NULL, lo, NULL, threads, password) $$;
COMMENT ON FUNCTION xlsx.sheets(oid, integer, text) IS 'The sheets of a workbook held in a large object';

CREATE FUNCTION xlsx.sheets(data bytea, threads integer DEFAULT 2, password text DEFAULT NULL)
RETURNS TABLE (sheet_index integer, name text, state text, kind text, rows integer,
               columns integer, part_missing boolean)
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM xlsx_internal.sheets_of(NULL, NULL, data, threads, password) $$;
COMMENT ON FUNCTION xlsx.sheets(bytea, integer, text) IS 'The sheets of a workbook given as bytes';
REVOKE ALL ON FUNCTION xlsx.sheets(text, integer, text), xlsx.tables(text, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xlsx.sheets(text, integer, text), xlsx.tables(text, integer, text) TO pg_read_server_files;

CREATE OR REPLACE FUNCTION xlsx_internal.colocate_staging(run bigint)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    found_run xlsx.import_runs;
    target regclass;
    staging regclass;
    placement record;
    column_type text;
    holds_rows boolean;
BEGIN
    SELECT * INTO found_run FROM xlsx.import_runs r WHERE r.run_id = run;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found', MESSAGE = format('run %s does not exist', run);
    END IF;
    target := to_regclass(found_run.target_table);
    staging := to_regclass(found_run.staging_table);
    IF target IS NULL OR staging IS NULL THEN
        RETURN NULL;
    END IF;
    placement := xlsx_internal.citus_placement(staging);
    IF placement.kind = 'distributed' THEN
        RETURN placement.distribution_column;  -- a resumed run's, distributed already
    END IF;
    placement := xlsx_internal.citus_placement(target);
    -- Only a hash-distributed target whose distribution column is loaded, into a staging table
    -- that holds nothing yet (a resumed run keeps the placement it began with).
    IF placement.kind IS DISTINCT FROM 'distributed'
       OR NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = staging
                        AND a.attname = placement.distribution_column AND NOT a.attisdropped) THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT FROM %s)', staging) INTO holds_rows;
    IF holds_rows THEN
        RETURN NULL;
    END IF;
    -- Co-location needs the distribution columns of one type: the staging column takes the
    -- target's, and a value that does not convert is a reject of the chunk it arrives in.
    SELECT format_type(a.atttypid, a.atttypmod) INTO column_type FROM pg_attribute a
     WHERE a.attrelid = target AND a.attname = placement.distribution_column;
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE %s USING %I::%s', staging,
                   placement.distribution_column, column_type, placement.distribution_column, column_type);
    EXECUTE 'SELECT create_distributed_table($1, $2, colocate_with => $3)'
      USING staging, placement.distribution_column, target::text;
    RETURN placement.distribution_column;
END
$$;
COMMENT ON FUNCTION xlsx.cleanup(interval, boolean, boolean) IS 'Drops the staging tables and chunk ledger of the caller''s runs (a superuser''s: everyone''s) finished longer ago than older_than; with include_unfinished, abandons unfinished runs too; without keep_history, deletes the runs and their rejects';

-- The import is C now (import.c): its PL/pgSQL body and the SQL entry points it called go.
DROP FUNCTION xlsx_internal.import_workbook(text, oid, bytea, text, regclass, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean);
DROP FUNCTION xlsx_internal.copy_sheet(text, oid, bytea, text, regclass, text[], integer[], integer, integer, integer, boolean, text[], boolean, integer, boolean, bigint, text, boolean);
DROP FUNCTION xlsx_internal.sheet_header(text, oid, bytea, text, integer, integer, text);
DROP FUNCTION xlsx_internal.column_letters(integer);

-- xlsx.import_progress describes rows and phases now, not XML read ahead.
DROP VIEW xlsx.import_progress;
-- An import in progress: what it is doing, rows done of rows expected (and whence the
-- expectation), from slots of the COPY progress report (import_progress.h). While it only reads
-- or merges, the import keeps a COPY report of its own.
CREATE VIEW xlsx.import_progress WITH (security_barrier) AS
SELECT p.pid, d.datname, p.relid::regclass AS target,
       CASE p.param14 WHEN 1 THEN 'reading' WHEN 2 THEN 'staging' WHEN 3 THEN 'copying'
                      WHEN 4 THEN 'merging' END AS phase,
       p.param3 AS rows_done,
       nullif(p.param15, 0) AS rows_expected,
       CASE p.param16 WHEN 1 THEN 'dimension' WHEN 2 THEN 'estimate' WHEN 3 THEN 'staged rows' END
           AS expected_from,
       CASE WHEN p.param14 <> 4
            THEN least(round(100.0 * p.param3 / nullif(p.param15, 0), 1), 100.0) END AS percent,
       nullif(p.param13, 0) AS sheet_row,
       p.param11 AS xml_bytes_read, p.param12 AS xml_bytes_total
  FROM pg_stat_get_progress_info('COPY') p
  LEFT JOIN pg_database d ON d.oid = p.datid
 WHERE p.param14 > 0;
COMMENT ON VIEW xlsx.import_progress IS 'Imports running now: their phase (reading, staging, copying, merging), rows done of rows expected, the sheet row reached and the sheet XML read';
GRANT SELECT ON xlsx.import_progress TO xlsx_loader;

-- The ledger: each role changes only its own runs -------------------------------------------

-- Reading is wide (the owner, and monitoring roles: pg_read_all_stats); inserting, updating and
-- deleting are the owner's. Superusers and the tables' owner are not subject to the policies.
DROP POLICY own_runs ON xlsx.import_runs;
DROP POLICY own_runs_delete ON xlsx.import_runs;
DROP POLICY own_chunks ON xlsx.import_chunks;
DROP POLICY own_rejects ON xlsx.rejects;

CREATE POLICY read_runs ON xlsx.import_runs FOR SELECT
    USING (run_owner = current_user OR pg_has_role('pg_read_all_stats', 'USAGE'));
CREATE POLICY insert_own_runs ON xlsx.import_runs FOR INSERT
    WITH CHECK (run_owner = current_user);
CREATE POLICY update_own_runs ON xlsx.import_runs FOR UPDATE
    USING (run_owner = current_user) WITH CHECK (run_owner = current_user);
CREATE POLICY delete_own_runs ON xlsx.import_runs FOR DELETE
    USING (run_owner = current_user);

CREATE POLICY read_chunks ON xlsx.import_chunks FOR SELECT
    USING (run_owner = current_user OR pg_has_role('pg_read_all_stats', 'USAGE'));
CREATE POLICY insert_own_chunks ON xlsx.import_chunks FOR INSERT
    WITH CHECK (run_owner = current_user);
CREATE POLICY update_own_chunks ON xlsx.import_chunks FOR UPDATE
    USING (run_owner = current_user) WITH CHECK (run_owner = current_user);
CREATE POLICY delete_own_chunks ON xlsx.import_chunks FOR DELETE
    USING (run_owner = current_user);

CREATE POLICY read_rejects ON xlsx.rejects FOR SELECT
    USING (run_owner = current_user OR pg_has_role('pg_read_all_stats', 'USAGE'));
CREATE POLICY insert_own_rejects ON xlsx.rejects FOR INSERT
    WITH CHECK (run_owner = current_user);
CREATE POLICY update_own_rejects ON xlsx.rejects FOR UPDATE
    USING (run_owner = current_user) WITH CHECK (run_owner = current_user);
CREATE POLICY delete_own_rejects ON xlsx.rejects FOR DELETE
    USING (run_owner = current_user);

-- A chunk or a reject belongs to a run of the same owner: nobody adds rows to another's run.
UPDATE xlsx.import_chunks c SET run_owner = r.run_owner
  FROM xlsx.import_runs r WHERE r.run_id = c.run_id AND c.run_owner <> r.run_owner;
UPDATE xlsx.rejects j SET run_owner = r.run_owner
  FROM xlsx.import_runs r WHERE r.run_id = j.run_id AND j.run_owner <> r.run_owner;
ALTER TABLE xlsx.import_runs ADD CONSTRAINT import_runs_run_id_run_owner_key UNIQUE (run_id, run_owner);
ALTER TABLE xlsx.import_chunks DROP CONSTRAINT import_chunks_run_id_fkey;
ALTER TABLE xlsx.import_chunks ADD CONSTRAINT import_chunks_run_id_fkey FOREIGN KEY (run_id, run_owner)
    REFERENCES xlsx.import_runs (run_id, run_owner) ON DELETE CASCADE;
ALTER TABLE xlsx.rejects DROP CONSTRAINT rejects_run_id_fkey;
ALTER TABLE xlsx.rejects ADD CONSTRAINT rejects_run_id_fkey FOREIGN KEY (run_id, run_owner)
    REFERENCES xlsx.import_runs (run_id, run_owner) ON DELETE CASCADE;

-- Monitoring roles read the ledger without being loaders. The schema is open to all (its
-- tables are not), so that a role without xlsx_loader calling xlsx.import is told what it lacks.
GRANT USAGE ON SCHEMA xlsx TO PUBLIC;
GRANT SELECT ON xlsx.import_runs, xlsx.import_chunks, xlsx.rejects, xlsx.import_stats,
                xlsx.import_progress TO pg_read_all_stats;

-- What every column of the ledger and its views holds.
COMMENT ON COLUMN xlsx.import_runs.run_id IS 'The run''s number, also its staging table''s (xlsx_staging.run_N)';
COMMENT ON COLUMN xlsx.import_runs.run_owner IS 'The role that opened the run: the only one (besides superusers) that may change it';
COMMENT ON COLUMN xlsx.import_runs.file_name IS 'The workbook as the loader named it: a path, "large object N" or "bytea"';
COMMENT ON COLUMN xlsx.import_runs.file_size IS 'The workbook''s size in bytes';
COMMENT ON COLUMN xlsx.import_runs.file_checksum IS 'A checksum of the workbook''s bytes: a run is resumed only for the same contents';
COMMENT ON COLUMN xlsx.import_runs.sheet_name IS 'The sheet loaded';
COMMENT ON COLUMN xlsx.import_runs.target_table IS 'The table loaded into, schema-qualified and quoted as SQL names it';
COMMENT ON COLUMN xlsx.import_runs.staging_table IS 'The run''s UNLOGGED staging table in schema xlsx_staging (staging mode), until it is dropped';
COMMENT ON COLUMN xlsx.import_runs.mode IS 'staging (text into a staging table, then one merge) or direct (typed COPY into the target)';
COMMENT ON COLUMN xlsx.import_runs.loader_version IS 'What loaded: "xlsx2pg VERSION" or "pg_xlsx VERSION" for an import inside the server';
COMMENT ON COLUMN xlsx.import_runs.connections IS 'Connections the loader wrote through';
COMMENT ON COLUMN xlsx.import_runs.started_at IS 'When the load began work on the sheet (a resumed run: its first attempt)';
COMMENT ON COLUMN xlsx.import_runs.finished_at IS 'When the run reached its last state; NULL while running';
COMMENT ON COLUMN xlsx.import_runs.state IS 'running, staged, merged, failed, interrupted or aborted (xlsx.import_stats also shows abandoned)';
COMMENT ON COLUMN xlsx.import_runs.rows_read IS 'Data rows read from the sheet';
COMMENT ON COLUMN xlsx.import_runs.rows_loaded IS 'Rows inserted or updated in the target';
COMMENT ON COLUMN xlsx.import_runs.rows_rejected IS 'Rows rejected, each in xlsx.rejects';
COMMENT ON COLUMN xlsx.import_runs.bytes_read IS 'Bytes of sheet XML read';
COMMENT ON COLUMN xlsx.import_runs.error_text IS 'Why a failed or interrupted run stopped';
COMMENT ON COLUMN xlsx.import_chunks.run_id IS 'The run the chunk belongs to';
COMMENT ON COLUMN xlsx.import_chunks.chunk_no IS 'The chunk''s number within its run, from 0';
COMMENT ON COLUMN xlsx.import_chunks.first_row IS 'The first sheet row of the chunk';
COMMENT ON COLUMN xlsx.import_chunks.last_row IS 'The last sheet row of the chunk';
COMMENT ON COLUMN xlsx.import_chunks.rows IS 'Data rows in the chunk, staged or rejected';
COMMENT ON COLUMN xlsx.import_chunks.run_owner IS 'The run''s owner (the same as the run''s)';
COMMENT ON COLUMN xlsx.import_chunks.committed_at IS 'When the chunk''s rows and this row committed together';
COMMENT ON COLUMN xlsx.import_chunks.type_evidence IS 'What the chunk''s values say of each sheet column''s type, for a table the run creates';
COMMENT ON COLUMN xlsx.rejects.run_id IS 'The run that rejected the row';
COMMENT ON COLUMN xlsx.rejects.sheet_row IS 'The row''s number in the sheet, as Excel shows it; NULL for staging tables not written by a loader';
COMMENT ON COLUMN xlsx.rejects.column_name IS 'The column whose value did not fit; NULL when the row as a whole was refused';
COMMENT ON COLUMN xlsx.rejects.raw_value IS 'The value as the sheet holds it';
COMMENT ON COLUMN xlsx.rejects.target_type IS 'The type of the column it was to go into';
COMMENT ON COLUMN xlsx.rejects.reason IS 'The server''s own message';
COMMENT ON COLUMN xlsx.rejects.run_owner IS 'The run''s owner (the same as the run''s)';
COMMENT ON COLUMN xlsx.import_stats.run_id IS 'The run';
COMMENT ON COLUMN xlsx.import_stats.file_name IS 'The workbook';
COMMENT ON COLUMN xlsx.import_stats.sheet_name IS 'The sheet';
COMMENT ON COLUMN xlsx.import_stats.target_table IS 'The table loaded into';
COMMENT ON COLUMN xlsx.import_stats.mode IS 'staging or direct';
COMMENT ON COLUMN xlsx.import_stats.state IS 'The run''s state; abandoned: running, but its loader''s session is gone';
COMMENT ON COLUMN xlsx.import_stats.total_records IS 'Data rows read';
COMMENT ON COLUMN xlsx.import_stats.loaded IS 'Rows inserted or updated';
COMMENT ON COLUMN xlsx.import_stats.rejected IS 'Rows rejected';
COMMENT ON COLUMN xlsx.import_stats.duration IS 'From start to finish, or to now while running';
COMMENT ON COLUMN xlsx.import_stats.records_per_second IS 'Rows loaded per second of the duration';
COMMENT ON COLUMN xlsx.import_stats.mb_per_second IS 'MB of sheet XML read per second of the duration';
COMMENT ON COLUMN xlsx.import_stats.started_at IS 'When the run started';
COMMENT ON COLUMN xlsx.import_stats.finished_at IS 'When it finished; NULL while running';
COMMENT ON COLUMN xlsx.import_progress.pid IS 'The backend importing';
COMMENT ON COLUMN xlsx.import_progress.datname IS 'Its database';
COMMENT ON COLUMN xlsx.import_progress.target IS 'The table written: the staging table while staging, the target while copying or merging';
COMMENT ON COLUMN xlsx.import_progress.phase IS 'reading (a pass for a new table''s width or types), staging, copying (direct mode) or merging';
COMMENT ON COLUMN xlsx.import_progress.rows_done IS 'Data rows read (reading) or copied (staging, copying) so far';
COMMENT ON COLUMN xlsx.import_progress.rows_expected IS 'Data rows expected in all: from the sheet''s dimension, an estimate from the XML read, or the rows staged (merging)';
COMMENT ON COLUMN xlsx.import_progress.expected_from IS 'Whence rows_expected: dimension, estimate or staged rows';
COMMENT ON COLUMN xlsx.import_progress.percent IS 'rows_done of rows_expected; NULL while merging (one statement)';
COMMENT ON COLUMN xlsx.import_progress.sheet_row IS 'The sheet row reached';
COMMENT ON COLUMN xlsx.import_progress.xml_bytes_read IS 'Bytes of the sheet''s XML read so far (the reader reads ahead of the rows done)';
COMMENT ON COLUMN xlsx.import_progress.xml_bytes_total IS 'Bytes of the sheet''s XML in all';

-- The path variants check pg_read_server_files themselves (as COPY FROM 'file' does), with a
-- hint; loaders may call them, to be told what they lack.
GRANT EXECUTE ON FUNCTION xlsx.import(text, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text),
                          xlsx.sheets(text, integer, text), xlsx.tables(text, integer, text)
    TO xlsx_loader;

-- Internals are for the extension's own functions and the roles that load (the schema is
-- open to all only so that xlsx.profile reaches its aggregate, which stays callable by all).
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA xlsx_internal FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA xlsx_internal TO xlsx_loader;
GRANT EXECUTE ON FUNCTION xlsx_internal.profile_agg(text) TO PUBLIC;
