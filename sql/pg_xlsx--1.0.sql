\echo Use "CREATE EXTENSION pg_xlsx" to load this file. \quit

-- pg_xlsx 1.0: the run ledger of xlsx2pg loads and Excel date conversion.
-- Privacy: each role sees and changes only its own runs (row-level security); members of
-- pg_read_all_stats see all. Grant xlsx_loader to the roles that run xlsx2pg.

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
                    CHECK (state IN ('running', 'staged', 'merged', 'failed', 'aborted')),
    rows_read       bigint NOT NULL DEFAULT 0,
    rows_loaded     bigint NOT NULL DEFAULT 0,
    rows_rejected   bigint NOT NULL DEFAULT 0,
    bytes_read      bigint NOT NULL DEFAULT 0,
    error_text      text
);
COMMENT ON TABLE xlsx.import_runs IS 'One row per xlsx2pg load: file, sheet, target, timings, counts and state';

CREATE TABLE xlsx.import_chunks (
    run_id      bigint NOT NULL REFERENCES xlsx.import_runs ON DELETE CASCADE,
    chunk_no    bigint NOT NULL,
    first_row   bigint NOT NULL,
    last_row    bigint NOT NULL,
    rows        bigint NOT NULL,
    run_owner   name NOT NULL DEFAULT current_user,
    committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (run_id, chunk_no)
);
COMMENT ON TABLE xlsx.import_chunks IS 'Ledger of committed chunks, written in the transaction of the chunk''s rows: a resumed run skips these';

CREATE TABLE xlsx.rejects (
    run_id       bigint NOT NULL REFERENCES xlsx.import_runs ON DELETE CASCADE,
    sheet_row    bigint NOT NULL,
    column_name  text,
    raw_value    text,
    target_type  text,
    reason       text NOT NULL,
    run_owner    name NOT NULL DEFAULT current_user
);
CREATE INDEX ON xlsx.rejects (run_id, sheet_row);
COMMENT ON TABLE xlsx.rejects IS 'Rows that did not convert, with the server''s own reason';

-- Each role sees its own runs only.
ALTER TABLE xlsx.import_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE xlsx.import_chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE xlsx.rejects ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_runs ON xlsx.import_runs
    USING (run_owner = current_user OR pg_has_role('pg_read_all_stats', 'USAGE'))
    WITH CHECK (run_owner = current_user);
CREATE POLICY own_chunks ON xlsx.import_chunks
    USING (run_owner = current_user OR pg_has_role('pg_read_all_stats', 'USAGE'))
    WITH CHECK (run_owner = current_user);
CREATE POLICY own_rejects ON xlsx.rejects
    USING (run_owner = current_user OR pg_has_role('pg_read_all_stats', 'USAGE'))
    WITH CHECK (run_owner = current_user);

GRANT USAGE ON SCHEMA xlsx TO xlsx_loader;
GRANT SELECT, INSERT, UPDATE ON xlsx.import_runs, xlsx.import_chunks, xlsx.rejects TO xlsx_loader;
GRANT DELETE ON xlsx.import_chunks, xlsx.rejects TO xlsx_loader;

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

CREATE FUNCTION xlsx.open_run(file_name text, sheet_name text, target_table text,
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
COMMENT ON FUNCTION xlsx.open_run(text, text, text, text, integer, bigint, text, text) IS 'Opens a run in the ledger and returns its id';

CREATE FUNCTION xlsx.record_chunk(run bigint, chunk_no bigint, first_row bigint, last_row bigint,
                                  rows bigint)
RETURNS void
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO xlsx.import_chunks (run_id, chunk_no, first_row, last_row, rows)
    VALUES (run, chunk_no, first_row, last_row, rows)
$$;
COMMENT ON FUNCTION xlsx.record_chunk(bigint, bigint, bigint, bigint, bigint) IS 'Records a committed chunk; call it in the transaction that writes the chunk''s rows';

CREATE FUNCTION xlsx.finish_run(run bigint, state text, rows_read bigint, rows_loaded bigint,
                                rows_rejected bigint, bytes_read bigint DEFAULT 0)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF state NOT IN ('staged', 'merged', 'aborted') THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('invalid run state "%s"', state),
            HINT = 'A run finishes as staged, merged or aborted; use xlsx.fail_run for failures.';
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
COMMENT ON FUNCTION xlsx.finish_run(bigint, text, bigint, bigint, bigint, bigint) IS 'Marks a run staged, merged or aborted with its final counts';

CREATE FUNCTION xlsx.fail_run(run bigint, error_text text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE xlsx.import_runs r
       SET state = 'failed', error_text = fail_run.error_text, finished_at = clock_timestamp()
     WHERE r.run_id = run
$$;
COMMENT ON FUNCTION xlsx.fail_run(bigint, text) IS 'Marks a run failed with its error; a failed staging run can be resumed';

-- Statistics -----------------------------------------------------------------------------

CREATE VIEW xlsx.import_stats WITH (security_barrier) AS
SELECT r.run_id, r.file_name, r.sheet_name, r.target_table, r.mode, r.state,
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
