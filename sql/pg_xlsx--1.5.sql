\echo Use "CREATE EXTENSION pg_xlsx" to load this file. \quit

-- pg_xlsx 1.5, the whole extension as it is at this version; the upgrade scripts beside it
-- take an installed 1.0, 1.1, 1.2 or 1.3 to the same catalog.
-- The ledger: each role changes only its own runs (row-level security), monitoring roles
-- (pg_read_all_stats) read all. Grant xlsx_loader to the roles that load workbooks.

-- Roles are cluster-wide: another database may be creating it at this very moment.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'xlsx_loader') THEN
        CREATE ROLE xlsx_loader NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- created concurrently
END
$$;

-- Internals, out of a DBA's listing of xlsx.*: what the extension's own functions call.
CREATE SCHEMA xlsx_internal;
COMMENT ON SCHEMA xlsx_internal IS 'Internals of pg_xlsx, called by its public functions in schema xlsx';
GRANT USAGE ON SCHEMA xlsx_internal TO PUBLIC;

CREATE TABLE xlsx.import_runs (
    run_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_owner       name NOT NULL DEFAULT current_user,
    file_name       text NOT NULL,
    file_size       bigint,
    file_checksum   text,
    sheet_name      text NOT NULL,
    target_table    text NOT NULL,
    staging_table   text,
    mode            text NOT NULL CHECK (mode IN ('staging', 'direct')),
    loader_version  text,
    connections     integer NOT NULL DEFAULT 1,
    started_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at     timestamptz,
    state           text NOT NULL DEFAULT 'running'
                    CHECK (state IN ('running', 'staged', 'merged', 'failed', 'interrupted', 'aborted')),
    rows_read       bigint NOT NULL DEFAULT 0,
    rows_loaded     bigint NOT NULL DEFAULT 0,
    rows_rejected   bigint NOT NULL DEFAULT 0,
    bytes_read      bigint NOT NULL DEFAULT 0,
    error_text      text,
    CONSTRAINT import_runs_run_id_run_owner_key UNIQUE (run_id, run_owner)
);
COMMENT ON TABLE xlsx.import_runs IS 'One row per xlsx2pg load: file, sheet, target, timings, counts and state';

-- A chunk or a reject belongs to a run of the same owner: nobody adds rows to another's run.
CREATE TABLE xlsx.import_chunks (
    run_id      bigint NOT NULL,
    chunk_no    bigint NOT NULL,
    first_row   bigint NOT NULL,
    last_row    bigint NOT NULL,
    rows        bigint NOT NULL,
    run_owner   name NOT NULL DEFAULT current_user,
    committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    type_evidence integer[],
    PRIMARY KEY (run_id, chunk_no),
    CONSTRAINT import_chunks_run_id_fkey FOREIGN KEY (run_id, run_owner)
        REFERENCES xlsx.import_runs (run_id, run_owner) ON DELETE CASCADE
);
COMMENT ON TABLE xlsx.import_chunks IS 'Ledger of committed chunks, written in the transaction of the chunk''s rows: a resumed run skips these';

-- Rows merged from a staging table not written by xlsx2pg have no sheet row.
CREATE TABLE xlsx.rejects (
    run_id       bigint NOT NULL,
    sheet_row    bigint,
    column_name  text,
    raw_value    text,
    target_type  text,
    reason       text NOT NULL,
    run_owner    name NOT NULL DEFAULT current_user,
    CONSTRAINT rejects_run_id_fkey FOREIGN KEY (run_id, run_owner)
        REFERENCES xlsx.import_runs (run_id, run_owner) ON DELETE CASCADE
);
CREATE INDEX ON xlsx.rejects (run_id, sheet_row);
COMMENT ON TABLE xlsx.rejects IS 'Rows that did not convert, with the server''s own reason';

ALTER TABLE xlsx.import_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE xlsx.import_chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE xlsx.rejects ENABLE ROW LEVEL SECURITY;
-- Reading is wide (the owner, and monitoring roles: pg_read_all_stats); inserting, updating and
-- deleting are the owner's. Superusers and the tables' owner are not subject to the policies.
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

GRANT USAGE ON SCHEMA xlsx TO xlsx_loader;
GRANT SELECT, INSERT, UPDATE, DELETE ON xlsx.import_runs, xlsx.import_chunks, xlsx.rejects TO xlsx_loader;

SELECT pg_catalog.pg_extension_config_dump('xlsx.import_runs', '');
SELECT pg_catalog.pg_extension_config_dump('xlsx.import_chunks', '');
SELECT pg_catalog.pg_extension_config_dump('xlsx.rejects', '');

-- Excel serials --------------------------------------------------------------------------

CREATE FUNCTION xlsx.excel_timestamp(serial float8, date1904 boolean DEFAULT false)
RETURNS timestamp
AS 'MODULE_PATHNAME', 'pg_xlsx_excel_timestamp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION xlsx.excel_timestamp(float8, boolean) IS 'Excel serial to timestamp in the 1900 (with its leap-year quirk) or 1904 date system';

CREATE FUNCTION xlsx.excel_date(serial float8, date1904 boolean DEFAULT false)
RETURNS date
AS 'MODULE_PATHNAME', 'pg_xlsx_excel_date'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION xlsx.excel_date(float8, boolean) IS 'Excel serial to date in the 1900 (with its leap-year quirk) or 1904 date system';

CREATE FUNCTION xlsx.excel_time(serial float8, date1904 boolean DEFAULT false)
RETURNS time
AS 'MODULE_PATHNAME', 'pg_xlsx_excel_time'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION xlsx.excel_time(float8, boolean) IS 'Time of day of an Excel serial, rounded to the millisecond';

-- The run ledger, as the loader drives it -----------------------------------------------

CREATE FUNCTION xlsx_internal.open_run(file_name text, sheet_name text, target_table text,
                              mode text DEFAULT 'staging', connections integer DEFAULT 1,
                              file_size bigint DEFAULT NULL, file_checksum text DEFAULT NULL,
                              loader_version text DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO xlsx.import_runs (file_name, sheet_name, target_table, mode, connections,
                                  file_size, file_checksum, loader_version)
    VALUES (file_name, sheet_name, target_table, mode, connections, file_size, file_checksum,
            loader_version)
    RETURNING run_id
$$;
COMMENT ON FUNCTION xlsx_internal.open_run(text, text, text, text, integer, bigint, text, text) IS 'Opens a run in the ledger and returns its id';

CREATE FUNCTION xlsx_internal.record_chunk(run bigint, chunk_no bigint, first_row bigint, last_row bigint,
                                  rows bigint)
RETURNS void
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO xlsx.import_chunks (run_id, chunk_no, first_row, last_row, rows)
    VALUES (run, chunk_no, first_row, last_row, rows)
$$;
COMMENT ON FUNCTION xlsx_internal.record_chunk(bigint, bigint, bigint, bigint, bigint) IS 'Records a committed chunk; call it in the transaction that writes the chunk''s rows';

CREATE FUNCTION xlsx_internal.finish_run(run bigint, state text, rows_read bigint, rows_loaded bigint,
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
COMMENT ON FUNCTION xlsx_internal.finish_run(bigint, text, bigint, bigint, bigint, bigint) IS 'Marks a run staged, merged or aborted with its final counts';

CREATE FUNCTION xlsx_internal.fail_run(run bigint, error_text text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE xlsx.import_runs r
       SET state = 'failed', error_text = fail_run.error_text, finished_at = clock_timestamp()
     WHERE r.run_id = run
$$;
COMMENT ON FUNCTION xlsx_internal.fail_run(bigint, text) IS 'Marks a run failed with its error; a failed staging run can be resumed';

-- Statistics -----------------------------------------------------------------------------

-- The ledger tells live runs from dead ones: a running run of xlsx2pg whose advisory lock
-- (0x786c7378, run) is free, its loader's session gone, shows as abandoned. (Imports inside
-- the server run in one transaction: nobody else sees them running.)
CREATE VIEW xlsx.import_stats WITH (security_barrier) AS
SELECT r.run_id, r.file_name, r.sheet_name, r.target_table, r.mode,
       CASE WHEN r.state = 'running' AND r.loader_version NOT LIKE 'pg_xlsx %'
                 AND NOT EXISTS (SELECT FROM pg_locks l
                                  WHERE l.locktype = 'advisory' AND l.classid = 2020373368
                                    AND l.objid = r.run_id AND l.objsubid = 2 AND l.granted)
            THEN 'abandoned' ELSE r.state END AS state,
       r.rows_read AS total_records,
       r.rows_loaded AS loaded,
       r.rows_rejected AS rejected,
       coalesce(r.finished_at, clock_timestamp()) - r.started_at AS duration,
       round(r.rows_loaded / nullif(extract(epoch FROM coalesce(r.finished_at, clock_timestamp()) - r.started_at), 0), 1) AS records_per_second,
       round(r.bytes_read / 1048576.0 / nullif(extract(epoch FROM coalesce(r.finished_at, clock_timestamp()) - r.started_at), 0), 2) AS mb_per_second,
       r.started_at, r.finished_at
  FROM xlsx.import_runs r;
COMMENT ON VIEW xlsx.import_stats IS 'Import statistics of every run the current role may see';
GRANT SELECT ON xlsx.import_stats TO xlsx_loader;

CREATE FUNCTION xlsx.stats(run bigint)
RETURNS SETOF xlsx.import_stats
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM xlsx.import_stats s WHERE s.run_id = run $$;
COMMENT ON FUNCTION xlsx.stats(bigint) IS 'Import statistics of one run: total, loaded, rejected, duration, records and MB per second';

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


-- Staging, merges, profiling and cleanup (1.1) ------------------------------------------------

-- Staging tables live in a schema of their own, so that loaders may create tables there
-- without being able to add objects (say, a better-matching overload) to schema xlsx.
CREATE SCHEMA xlsx_staging;
COMMENT ON SCHEMA xlsx_staging IS 'UNLOGGED staging tables of xlsx2pg runs, one per run';
GRANT USAGE, CREATE ON SCHEMA xlsx_staging TO xlsx_loader;

-- Run helpers for the loader ------------------------------------------------------------

CREATE FUNCTION xlsx_internal.create_staging(run bigint, column_names text[])
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    staging text := format('xlsx_staging.%I', 'run_' || run);
    existing text[];
BEGIN
    PERFORM FROM xlsx.import_runs r WHERE r.run_id = run;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found',
            MESSAGE = format('run %s does not exist', run),
            HINT = 'Runs are visible to the role that opened them only.';
    END IF;
    IF column_names IS NULL OR cardinality(column_names) = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'a staging table needs at least one column';
    END IF;
    IF to_regclass(staging) IS NULL THEN
        EXECUTE format('CREATE UNLOGGED TABLE %s (xlsx_sheet_row bigint NOT NULL, %s)', staging,
                       (SELECT string_agg(format('%I text', c), ', ' ORDER BY i)
                          FROM unnest(column_names) WITH ORDINALITY AS u(c, i)));
        UPDATE xlsx.import_runs r SET staging_table = staging WHERE r.run_id = run;
        RETURN staging;
    END IF;
    -- A resumed run finds its table: it must have the columns the loader would create now.
    SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO existing
      FROM pg_attribute a
     WHERE a.attrelid = staging::regclass AND a.attnum > 1 AND NOT a.attisdropped;
    IF existing IS DISTINCT FROM column_names THEN
        RAISE EXCEPTION USING ERRCODE = 'datatype_mismatch',
            MESSAGE = format('staging table %s has other columns than this load', staging),
            DETAIL = format('The table has (%s); the load has (%s).',
                            array_to_string(existing, ', '), array_to_string(column_names, ', ')),
            HINT = 'Resume with the command line of the first attempt, or start a new run.';
    END IF;
    RETURN staging;
END
$$;
COMMENT ON FUNCTION xlsx_internal.create_staging(bigint, text[]) IS 'Creates (or finds, on resume) the UNLOGGED staging table of a run: xlsx_sheet_row and one text column per sheet column';

CREATE FUNCTION xlsx_internal.verify_chunks(run bigint)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    staging regclass;
    ledger_rows bigint;
    held_rows bigint;
    lost record;
    forgotten integer := 0;
BEGIN
    SELECT to_regclass(r.staging_table) INTO staging FROM xlsx.import_runs r WHERE r.run_id = run;
    SELECT coalesce(sum(c.rows), 0) INTO ledger_rows FROM xlsx.import_chunks c WHERE c.run_id = run;
    IF staging IS NULL THEN
        held_rows := 0;
    ELSE
        EXECUTE format('SELECT count(*) FROM %s', staging) INTO held_rows;
    END IF;
    held_rows := held_rows + (SELECT count(*) FROM xlsx.rejects j WHERE j.run_id = run);
    IF held_rows = ledger_rows THEN
        RETURN 0;  -- the usual case: a loader was stopped, the server kept everything
    END IF;
    -- Crash recovery empties UNLOGGED tables; the ledger is logged and survives. Forget the
    -- chunks whose rows are gone, so that they are loaded again.
    FOR lost IN
        SELECT c.chunk_no, c.first_row, c.last_row, c.rows FROM xlsx.import_chunks c
         WHERE c.run_id = run ORDER BY c.chunk_no
    LOOP
        IF staging IS NULL THEN
            held_rows := 0;
        ELSE
            EXECUTE format('SELECT count(*) FROM %s WHERE xlsx_sheet_row BETWEEN $1 AND $2', staging)
               INTO held_rows USING lost.first_row, lost.last_row;
        END IF;
        held_rows := held_rows + (SELECT count(*) FROM xlsx.rejects j WHERE j.run_id = run
                                     AND j.sheet_row BETWEEN lost.first_row AND lost.last_row);
        CONTINUE WHEN held_rows = lost.rows;
        IF staging IS NOT NULL THEN
            EXECUTE format('DELETE FROM %s WHERE xlsx_sheet_row BETWEEN $1 AND $2', staging)
              USING lost.first_row, lost.last_row;
        END IF;
        DELETE FROM xlsx.rejects j WHERE j.run_id = run AND j.sheet_row BETWEEN lost.first_row AND lost.last_row;
        DELETE FROM xlsx.import_chunks c WHERE c.run_id = run AND c.chunk_no = lost.chunk_no;
        forgotten := forgotten + 1;
    END LOOP;
    RETURN forgotten;
END
$$;
COMMENT ON FUNCTION xlsx_internal.verify_chunks(bigint) IS 'Before a resume: forgets the ledger chunks whose staged rows are gone (crash recovery empties UNLOGGED tables) and returns how many';

-- The unfinished states, in one place for the functions below.
CREATE FUNCTION xlsx_internal.unfinished_states()
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ARRAY['running', 'staged', 'failed', 'interrupted'] $$;
COMMENT ON FUNCTION xlsx_internal.unfinished_states() IS 'The states of a run that can still be resumed or cleaned up as unfinished';

CREATE FUNCTION xlsx_internal.resumable_run(file_checksum text, sheet_name text, target_table text)
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
COMMENT ON FUNCTION xlsx_internal.resumable_run(text, text, text) IS 'The latest unfinished staging run of this role for the same file contents, sheet and target';

CREATE FUNCTION xlsx_internal.record_reject(run bigint, sheet_row bigint, column_name text, raw_value text,
                                   target_type text, reason text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO xlsx.rejects (run_id, sheet_row, column_name, raw_value, target_type, reason)
    VALUES (run, sheet_row, column_name, raw_value, target_type, reason)
$$;
COMMENT ON FUNCTION xlsx_internal.record_reject(bigint, bigint, text, text, text, text) IS 'Records a rejected row of a run (direct mode; merges record their own)';

-- Value checks and profiling ------------------------------------------------------------

CREATE FUNCTION xlsx.value_fits(value text, target regtype, typmod integer DEFAULT -1)
RETURNS boolean
AS 'MODULE_PATHNAME', 'pg_xlsx_value_fits'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION xlsx.value_fits(text, regtype, integer) IS 'Whether a text value surely converts to the type (a domain''s constraints included) as COPY would store it, checked without raising errors; false means "ask the server"';

CREATE TYPE xlsx.column_profile AS (
    nulls bigint,
    non_null bigint,
    distinct_estimate bigint,
    min_length integer,
    max_length integer,
    suggested_type text
);

CREATE FUNCTION xlsx_internal.profile_transition(internal, text)
RETURNS internal
AS 'MODULE_PATHNAME', 'pg_xlsx_profile_transition'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION xlsx_internal.profile_final(internal)
RETURNS xlsx.column_profile
AS 'MODULE_PATHNAME', 'pg_xlsx_profile_final'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE AGGREGATE xlsx_internal.profile_agg(text) (
    SFUNC = xlsx_internal.profile_transition,
    STYPE = internal,
    FINALFUNC = xlsx_internal.profile_final
);
COMMENT ON AGGREGATE xlsx_internal.profile_agg(text) IS 'Profile of one column: nulls, distinct estimate, lengths and the narrowest type every value converts to';

CREATE FUNCTION xlsx.profile(source regclass)
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
COMMENT ON FUNCTION xlsx.profile(regclass) IS 'Per column: nulls, distinct estimate, min and max length, and the narrowest type every non-null value converts to';

CREATE FUNCTION xlsx.suggest_ddl(source regclass, target_name text)
RETURNS text
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    qualified text;
BEGIN
    -- A possibly qualified name, as psql would take it: public."Orders 2024".
    SELECT string_agg(quote_ident(part), '.') INTO qualified FROM unnest(parse_ident(target_name)) AS part;
    RETURN format(E'CREATE TABLE %s (\n%s\n);', qualified,
                  (SELECT string_agg(format('    %I %s', p.column_name, p.suggested_type), E',\n')
                     FROM xlsx.profile(source) AS p));
END
$$;
COMMENT ON FUNCTION xlsx.suggest_ddl(regclass, text) IS 'A CREATE TABLE for the profiled types of a (staging) table';

-- Merges ---------------------------------------------------------------------------------

CREATE FUNCTION xlsx.merge(staging regclass, target regclass, mode text DEFAULT 'insert',
                           key_columns text[] DEFAULT NULL, column_map jsonb DEFAULT NULL,
                           reject_limit bigint DEFAULT NULL, run bigint DEFAULT NULL)
RETURNS TABLE (inserted bigint, updated bigint, rejected bigint)
AS 'MODULE_PATHNAME', 'pg_xlsx_merge'
LANGUAGE C VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION xlsx.merge(regclass, regclass, text, text[], jsonb, bigint, bigint) IS 'Casts a staging table''s text columns into the target''s types and inserts, upserts or replaces in one transaction; rows that do not convert go to xlsx.rejects';

CREATE FUNCTION xlsx.merge_run(run bigint, target regclass DEFAULT NULL, mode text DEFAULT 'insert',
                           key_columns text[] DEFAULT NULL, column_map jsonb DEFAULT NULL,
                           reject_limit bigint DEFAULT NULL, drop_staging boolean DEFAULT true)
RETURNS TABLE (inserted bigint, updated bigint, rejected bigint)
AS 'MODULE_PATHNAME', 'pg_xlsx_merge_run'
LANGUAGE C VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION xlsx.merge_run(bigint, regclass, text, text[], jsonb, bigint, boolean) IS 'Merges the staging table of an xlsx2pg run into its target (as xlsx.merge does), then drops the staging table';

-- Cleanup --------------------------------------------------------------------------------

-- A role cleans up its own runs; a superuser, everyone's.
CREATE FUNCTION xlsx.cleanup(older_than interval DEFAULT '7 days', include_unfinished boolean DEFAULT false,
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
COMMENT ON FUNCTION xlsx.cleanup(interval, boolean, boolean) IS 'Drops the staging tables and chunk ledger of the caller''s runs (a superuser''s: everyone''s) finished longer ago than older_than; with include_unfinished, abandons unfinished runs too; without keep_history, deletes the runs and their rejects';

-- Reading workbooks inside the server (1.2) ----------------------------------------------------
-- xlsx.import loads a sheet from a server file, a large object or a bytea through the server's
-- own COPY, records the run in the ledger as xlsx2pg does, and merges it (staging) or copies
-- typed rows (direct).

-- The reader, reached through its C API ----------------------------------------------------

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

-- The public functions: the same import from each kind of source, in C (import.c), which
-- reads the arguments by these names; the defaults live here alone. Reserved words (create,
-- null, trim) cannot be named arguments, hence create_table, null_values and trim_text. The
-- target is found under the caller's search_path, as the caller names it.
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
                            password text DEFAULT NULL,
                            fill_merged boolean DEFAULT false, header_rows integer DEFAULT 1,
                            add_columns text DEFAULT NULL)
RETURNS TABLE (run_id bigint, rows_read bigint, loaded bigint, inserted bigint, updated bigint,
               rejected bigint, seconds double precision, rows_per_second double precision)
AS 'MODULE_PATHNAME', 'pg_xlsx_import'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION xlsx.import(text, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text, boolean, integer, text) IS 'Imports a sheet of a workbook on the database server (needs pg_read_server_files) into a table';

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
                            password text DEFAULT NULL,
                            fill_merged boolean DEFAULT false, header_rows integer DEFAULT 1,
                            add_columns text DEFAULT NULL)
RETURNS TABLE (run_id bigint, rows_read bigint, loaded bigint, inserted bigint, updated bigint,
               rejected bigint, seconds double precision, rows_per_second double precision)
AS 'MODULE_PATHNAME', 'pg_xlsx_import'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION xlsx.import(oid, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text, boolean, integer, text) IS 'Imports a sheet of a workbook held in a large object (psql''s \lo_import; needs SELECT on it) into a table';

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
                            password text DEFAULT NULL,
                            fill_merged boolean DEFAULT false, header_rows integer DEFAULT 1,
                            add_columns text DEFAULT NULL)
RETURNS TABLE (run_id bigint, rows_read bigint, loaded bigint, inserted bigint, updated bigint,
               rejected bigint, seconds double precision, rows_per_second double precision)
AS 'MODULE_PATHNAME', 'pg_xlsx_import'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION xlsx.import(bytea, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text, boolean, integer, text) IS 'Imports a sheet of a workbook given as bytes (an application''s upload) into a table';

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

-- Server files are read only by roles allowed to read them: the C code checks
-- pg_read_server_files, and the functions that take a path are not for PUBLIC.
REVOKE ALL ON FUNCTION xlsx.import(text, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text, boolean, integer, text),
                       xlsx.sheets(text, integer, text), xlsx.tables(text, integer, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xlsx.import(text, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text, boolean, integer, text),
                          xlsx.sheets(text, integer, text), xlsx.tables(text, integer, text)
    TO pg_read_server_files;

-- Out again: a query's rows as an .xlsx report, in C (export.c), the query run with the
-- caller's rights. Values are typed cells only where the cell holds them exactly; the others
-- are text, and each such column is said in a NOTICE.
CREATE FUNCTION xlsx.export(query text, sheet text DEFAULT 'Sheet1')
RETURNS bytea
AS 'MODULE_PATHNAME', 'pg_xlsx_export'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY INVOKER;
COMMENT ON FUNCTION xlsx.export(text, text) IS 'A query''s rows as an .xlsx workbook (one sheet, a bold frozen header, typed cells), for psql: \copy (SELECT xlsx.export(...)) TO ... (format binary) or psql -At | xxd -r -p';
CREATE FUNCTION xlsx.export_to_file(query text, path text, sheet text DEFAULT 'Sheet1')
RETURNS bigint
AS 'MODULE_PATHNAME', 'pg_xlsx_export_to_file'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY INVOKER;
COMMENT ON FUNCTION xlsx.export_to_file(text, text, text) IS 'Writes a query''s rows as an .xlsx workbook to a server file (absolute path, replaced whole); needs pg_write_server_files, as COPY TO a file does; returns the rows written';
-- Server files are written only by roles allowed to write them (the C code checks too).
REVOKE ALL ON FUNCTION xlsx.export_to_file(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xlsx.export_to_file(text, text, text) TO pg_write_server_files;

-- The foreign data wrapper ------------------------------------------------------------------

CREATE FUNCTION xlsx_internal.fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME', 'pg_xlsx_fdw_handler'
LANGUAGE C STRICT;
COMMENT ON FUNCTION xlsx_internal.fdw_handler() IS 'The handler of xlsx_fdw';

CREATE FUNCTION xlsx_internal.fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME', 'pg_xlsx_fdw_validator'
LANGUAGE C STRICT;
COMMENT ON FUNCTION xlsx_internal.fdw_validator(text[], oid) IS 'The option validator of xlsx_fdw: filename (needs pg_read_server_files), sheet, header_row, skip_rows, threads';

CREATE FOREIGN DATA WRAPPER xlsx_fdw HANDLER xlsx_internal.fdw_handler VALIDATOR xlsx_internal.fdw_validator;
COMMENT ON FOREIGN DATA WRAPPER xlsx_fdw IS 'Worksheets of workbooks on the database server as foreign tables (IMPORT FOREIGN SCHEMA makes one per sheet)';

-- Interrupted and abandoned runs ------------------------------------------------------------

-- A loader stopped by SIGINT or SIGTERM marks its run interrupted: unfinished, resumable.
CREATE FUNCTION xlsx_internal.interrupt_run(run bigint, error_text text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE xlsx.import_runs r
       SET state = 'interrupted', error_text = interrupt_run.error_text, finished_at = clock_timestamp()
     WHERE r.run_id = run
$$;
COMMENT ON FUNCTION xlsx_internal.interrupt_run(bigint, text) IS 'Marks a run interrupted (its loader was stopped by a signal); a staging run can be resumed';

-- One pass for a new table in staging mode ---------------------------------------------------

-- What each chunk's values say of the columns' types (xlsx2pg's type evidence, one integer per
-- sheet column), so that a run decides its new table's types from the cells it staged, a
-- resumed run included.
CREATE FUNCTION xlsx_internal.record_chunk(run bigint, chunk_no bigint, first_row bigint, last_row bigint,
                                  rows bigint, type_evidence integer[])
RETURNS void
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO xlsx.import_chunks (run_id, chunk_no, first_row, last_row, rows, type_evidence)
    VALUES (run, chunk_no, first_row, last_row, rows, type_evidence)
$$;
COMMENT ON FUNCTION xlsx_internal.record_chunk(bigint, bigint, bigint, bigint, bigint, integer[]) IS 'Records a committed chunk with the type evidence of its values; call it in the transaction that writes the chunk''s rows';

-- Where Citus keeps a table's rows: NULL for a table of this server alone (or no Citus).
-- Dynamic SQL, so that nothing here needs Citus installed.
CREATE FUNCTION xlsx_internal.citus_placement(rel regclass, OUT kind text, OUT distribution_column text)
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RETURN;
    END IF;
    EXECUTE 'SELECT CASE WHEN p.partkey IS NOT NULL THEN ''distributed''
                         WHEN p.repmodel = ''t'' THEN ''reference'' ELSE ''local'' END,
                    CASE WHEN p.partkey IS NOT NULL THEN column_to_column_name(p.logicalrelid, p.partkey) END
               FROM pg_catalog.pg_dist_partition p WHERE p.logicalrelid = $1'
       INTO kind, distribution_column USING rel;
END
$$;
COMMENT ON FUNCTION xlsx_internal.citus_placement(regclass) IS 'Whether Citus distributes the table (and on which column), replicates it (reference) or keeps it on the coordinator (local); NULL for a table of this server alone';

-- Citus: a staging table distributed like its target, so that the merge's INSERT ... SELECT
-- runs on every shard at once instead of pulling each row through the coordinator.
CREATE FUNCTION xlsx_internal.colocate_staging(run bigint)
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
COMMENT ON FUNCTION xlsx_internal.colocate_staging(bigint) IS 'Citus: distributes a run''s empty staging table on its target''s distribution column, co-located with the target; returns that column, or NULL where the staging table stays on the coordinator';

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
GRANT EXECUTE ON FUNCTION xlsx.import(text, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text, boolean, integer, text),
                          xlsx.sheets(text, integer, text), xlsx.tables(text, integer, text)
    TO xlsx_loader;

-- Internals are for the extension's own functions and the roles that load (the schema is
-- open to all only so that xlsx.profile reaches its aggregate, which stays callable by all).
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA xlsx_internal FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA xlsx_internal TO xlsx_loader;
GRANT EXECUTE ON FUNCTION xlsx_internal.profile_agg(text) TO PUBLIC;
