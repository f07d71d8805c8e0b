\echo Use "ALTER EXTENSION pg_xlsx UPDATE TO '1.1'" to load this file. \quit

-- pg_xlsx 1.1: staging tables, merges into typed targets with rejects, type profiling, cleanup.
-- A fresh CREATE EXTENSION runs 1.0 and then this script; there is no separate 1.1 script.

-- Staging tables live in a schema of their own, so that loaders may create tables there
-- without being able to add objects (say, a better-matching overload) to schema xlsx.
CREATE SCHEMA xlsx_staging;
COMMENT ON SCHEMA xlsx_staging IS 'UNLOGGED staging tables of xlsx2pg runs, one per run';
GRANT USAGE, CREATE ON SCHEMA xlsx_staging TO xlsx_loader;

-- Rows merged from a staging table not written by xlsx2pg have no sheet row.
ALTER TABLE xlsx.rejects ALTER COLUMN sheet_row DROP NOT NULL;

-- Run helpers for the loader ------------------------------------------------------------

CREATE FUNCTION xlsx.create_staging(run bigint, column_names text[])
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
COMMENT ON FUNCTION xlsx.create_staging(bigint, text[]) IS 'Creates (or finds, on resume) the UNLOGGED staging table of a run: xlsx_sheet_row and one text column per sheet column';

CREATE FUNCTION xlsx.verify_chunks(run bigint)
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
COMMENT ON FUNCTION xlsx.verify_chunks(bigint) IS 'Before a resume: forgets the ledger chunks whose staged rows are gone (crash recovery empties UNLOGGED tables) and returns how many';

CREATE FUNCTION xlsx.resumable_run(file_checksum text, sheet_name text, target_table text)
RETURNS bigint
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.run_id FROM xlsx.import_runs r
     WHERE r.file_checksum = resumable_run.file_checksum
       AND r.sheet_name = resumable_run.sheet_name
       AND r.target_table = resumable_run.target_table
       AND r.mode = 'staging' AND r.state IN ('running', 'failed', 'staged')
       AND r.run_owner = current_user
     ORDER BY r.run_id DESC LIMIT 1
$$;
COMMENT ON FUNCTION xlsx.resumable_run(text, text, text) IS 'The latest unfinished staging run of this role for the same file contents, sheet and target';

CREATE FUNCTION xlsx.record_reject(run bigint, sheet_row bigint, column_name text, raw_value text,
                                   target_type text, reason text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO xlsx.rejects (run_id, sheet_row, column_name, raw_value, target_type, reason)
    VALUES (run, sheet_row, column_name, raw_value, target_type, reason)
$$;
COMMENT ON FUNCTION xlsx.record_reject(bigint, bigint, text, text, text, text) IS 'Records a rejected row of a run (direct mode; merges record their own)';

-- Value checks and profiling ------------------------------------------------------------

CREATE FUNCTION xlsx.value_fits(value text, target regtype, typmod integer DEFAULT -1)
RETURNS boolean
AS 'MODULE_PATHNAME', 'pg_xlsx_value_fits'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION xlsx.value_fits(text, regtype, integer) IS 'Whether a text value surely converts to the type, checked without raising errors; false means "ask the server"';

CREATE TYPE xlsx.column_profile AS (
    nulls bigint,
    non_null bigint,
    distinct_estimate bigint,
    min_length integer,
    max_length integer,
    suggested_type text
);

CREATE FUNCTION xlsx.profile_transition(internal, text)
RETURNS internal
AS 'MODULE_PATHNAME', 'pg_xlsx_profile_transition'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION xlsx.profile_final(internal)
RETURNS xlsx.column_profile
AS 'MODULE_PATHNAME', 'pg_xlsx_profile_final'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE AGGREGATE xlsx.profile_agg(text) (
    SFUNC = xlsx.profile_transition,
    STYPE = internal,
    FINALFUNC = xlsx.profile_final
);
COMMENT ON AGGREGATE xlsx.profile_agg(text) IS 'Profile of one column: nulls, distinct estimate, lengths and the narrowest type every value converts to';

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
           string_agg(format('xlsx.profile_agg(%I::text)', a.attname), ', ' ORDER BY a.attnum)
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
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    unmatched text;
    unknown_keys text;
    sources text[];          -- staging columns taking part, in order
    targets text[];          -- their target columns
    type_names text[];       -- the targets' types, as format_type gives them
    casts text[];            -- the cast of each value in the INSERT's SELECT list
    checks text[];           -- the same conversion of one value $1, for a reject's reason
    has_sheet_row boolean;
    insert_sql text;         -- INSERT ... SELECT from staging s; a WHERE clause is appended
    row_values text;         -- ARRAY[s.col::text, ...] for the rejects
    fits text;               -- the non-throwing check of a whole row
    pending text;            -- rows that neither merged nor were rejected yet
    suspects text;           -- which pending rows go one by one
    n_inserted bigint := 0;
    n_updated bigint := 0;
    n_rejected bigint := 0;
    rows_in bigint;
    rows_up bigint;
    bad boolean;
    error_column text;
    item record;
BEGIN
    IF mode NOT IN ('insert', 'upsert', 'replace') THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('invalid merge mode "%s"', mode),
            HINT = 'The modes are insert, upsert and replace.';
    END IF;
    IF mode = 'upsert' AND coalesce(cardinality(key_columns), 0) = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'upsert needs key columns',
            HINT = 'Pass key_columns => ARRAY[''id''], the columns of a unique index of the target.';
    END IF;
    IF column_map IS NOT NULL AND jsonb_typeof(column_map) <> 'object' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'column_map must be a JSON object',
            HINT = 'Map staging columns to target columns: ''{"Customer Name": "customer"}''; null skips a column.';
    END IF;
    IF run IS NULL THEN
        run := xlsx.open_run(staging::text, '', target::text, 'staging');
    END IF;

    -- Staging column -> target column, by name unless column_map says otherwise.
    SELECT string_agg(k, ', ') INTO unknown_keys
      FROM jsonb_object_keys(coalesce(column_map, '{}')) AS k
     WHERE NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = staging AND a.attname = k
                          AND a.attnum > 0 AND NOT a.attisdropped);
    IF unknown_keys IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_column',
            MESSAGE = format('column_map names columns that %s does not have', staging),
            DETAIL = format('Unknown: %s.', unknown_keys);
    END IF;
    WITH wanted AS (
        SELECT s.attnum, s.attname::text AS source,
               CASE WHEN column_map ? s.attname THEN column_map ->> s.attname::text
                    ELSE s.attname::text END AS target_column
          FROM pg_attribute s
         WHERE s.attrelid = staging AND s.attnum > 0 AND NOT s.attisdropped
           AND s.attname <> 'xlsx_sheet_row')
    SELECT string_agg(quote_ident(w.source), ', ') FILTER (WHERE t.attname IS NULL AND w.target_column IS NOT NULL),
           array_agg(w.source ORDER BY w.attnum) FILTER (WHERE t.attname IS NOT NULL),
           array_agg(t.attname::text ORDER BY w.attnum) FILTER (WHERE t.attname IS NOT NULL),
           array_agg(format_type(t.atttypid, t.atttypmod) ORDER BY w.attnum) FILTER (WHERE t.attname IS NOT NULL),
           array_agg(format('%I.%I::%s', 's', w.source, conv.cast_type) ORDER BY w.attnum) FILTER (WHERE t.attname IS NOT NULL),
           array_agg(conv.check_expr ORDER BY w.attnum) FILTER (WHERE t.attname IS NOT NULL),
           string_agg(CASE WHEN t.attnotnull
                           THEN format('%I.%I IS NOT NULL AND ', 's', w.source) ELSE '' END
                      || format('xlsx.value_fits(%I.%I, %s::oid::regtype, %s)', 's', w.source, t.atttypid, t.atttypmod),
                      ' AND ') FILTER (WHERE t.attname IS NOT NULL)
      INTO unmatched, sources, targets, type_names, casts, checks, fits
      FROM wanted w
      LEFT JOIN pg_attribute t ON t.attrelid = target AND t.attname = w.target_column
                              AND t.attnum > 0 AND NOT t.attisdropped
      -- An explicit cast to varchar(n) truncates silently. Where a type has a length
      -- coercion, cast to the bare type and let the INSERT apply the length as an assignment,
      -- which refuses what does not fit; a reject's reason calls that coercion the same way.
      LEFT JOIN LATERAL (
          SELECT coalesce(format_type(t.atttypid, NULL), '') AS cast_type,
                 format('%s($1::%s, %s, false)', c.castfunc::regproc, format_type(t.atttypid, NULL),
                        t.atttypmod) AS check_expr
            FROM pg_cast c JOIN pg_proc p ON p.oid = c.castfunc
           WHERE t.atttypmod >= 0 AND c.castsource = t.atttypid AND c.casttarget = t.atttypid
             AND p.pronargs = 3
          UNION ALL
          SELECT format_type(t.atttypid, t.atttypmod), format('$1::%s', format_type(t.atttypid, t.atttypmod))
          LIMIT 1) AS conv ON true;
    IF unmatched IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_column',
            MESSAGE = format('staging columns without a match in %s', target),
            DETAIL = format('Not in the target: %s.', unmatched),
            HINT = 'Map them with column_map => ''{"staging name": "target name"}'', or skip them with null.';
    END IF;
    IF sources IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_column',
            MESSAGE = format('no column of %s maps to %s', staging, target);
    END IF;
    IF mode = 'upsert' AND NOT key_columns <@ targets THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_column',
            MESSAGE = 'key columns must be merged columns of the target',
            DETAIL = format('Keys: %s; merged columns: %s.', array_to_string(key_columns, ', '),
                            array_to_string(targets, ', '));
    END IF;
    has_sheet_row := EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = staging
                               AND a.attname = 'xlsx_sheet_row' AND NOT a.attisdropped);

    insert_sql := format('INSERT INTO %s AS t (%s) SELECT %s FROM %s AS s', target,
        (SELECT string_agg(quote_ident(c), ', ') FROM unnest(targets) AS c),
        array_to_string(casts, ', '),
        staging);
    row_values := (SELECT format('ARRAY[%s]', string_agg(format('%I.%I::text', 's', c), ', '))
                     FROM unnest(sources) AS c);
    pending := 'NOT EXISTS (SELECT FROM pg_temp.xlsx_merge_done d WHERE d.row_id = s.ctid)';

    IF mode = 'replace' THEN
        EXECUTE format('TRUNCATE %s', target);
    END IF;

    -- Fast path: every row in one statement. A bad value aborts it; then go row by row below.
    BEGIN
        SELECT * INTO n_inserted, n_updated FROM xlsx.merge_insert(insert_sql, '', mode, key_columns, targets);
    EXCEPTION WHEN data_exception OR integrity_constraint_violation OR cardinality_violation THEN
        n_inserted := -1;
    END;

    IF n_inserted < 0 THEN
        n_inserted := 0;
        CREATE TEMP TABLE xlsx_merge_done (row_id tid PRIMARY KEY) ON COMMIT DROP;
        -- First the rows the checks doubt, one by one; then the rest in one statement. Should
        -- the server still refuse one of those, every remaining row goes one by one.
        suspects := format('NOT (%s)', fits);
        LOOP
            FOR item IN EXECUTE format('SELECT s.ctid AS row_id, %s AS sheet_row, %s AS vals FROM %s AS s WHERE %s AND %s ORDER BY 2',
                                       CASE WHEN has_sheet_row THEN 's.xlsx_sheet_row' ELSE 'NULL::bigint' END,
                                       row_values, staging, pending, suspects)
            LOOP
                bad := false;
                -- Each value alone, so that the reject names its column and the server's reason.
                FOR i IN 1 .. cardinality(sources) LOOP
                    CONTINUE WHEN item.vals[i] IS NULL;
                    BEGIN
                        EXECUTE 'SELECT ' || checks[i] USING item.vals[i];
                    EXCEPTION WHEN data_exception THEN
                        INSERT INTO xlsx.rejects (run_id, sheet_row, column_name, raw_value, target_type, reason)
                        VALUES (run, item.sheet_row, sources[i], item.vals[i], type_names[i], SQLERRM);
                        bad := true;
                    END;
                END LOOP;
                IF NOT bad THEN
                    -- The values convert; the row may still break a constraint.
                    BEGIN
                        SELECT * INTO rows_in, rows_up
                          FROM xlsx.merge_insert(insert_sql, ' WHERE s.ctid = $1', mode, key_columns, targets, item.row_id);
                        n_inserted := n_inserted + rows_in;
                        n_updated := n_updated + rows_up;
                    EXCEPTION WHEN data_exception OR integrity_constraint_violation OR cardinality_violation THEN
                        GET STACKED DIAGNOSTICS error_column = COLUMN_NAME;
                        INSERT INTO xlsx.rejects (run_id, sheet_row, column_name, raw_value, target_type, reason)
                        VALUES (run, item.sheet_row, nullif(error_column, ''),
                                item.vals[array_position(targets, nullif(error_column, ''))],
                                type_names[array_position(targets, nullif(error_column, ''))], SQLERRM);
                        bad := true;
                    END;
                END IF;
                INSERT INTO pg_temp.xlsx_merge_done VALUES (item.row_id);
                IF bad THEN
                    n_rejected := n_rejected + 1;
                    IF n_rejected > reject_limit THEN
                        RAISE EXCEPTION USING ERRCODE = 'data_exception',
                            MESSAGE = format('more than %s rejected rows merging %s into %s', reject_limit, staging, target),
                            DETAIL = (SELECT format('Sheet row %s, column %s: %s', r.sheet_row, r.column_name, r.reason)
                                        FROM xlsx.rejects r WHERE r.run_id = run ORDER BY r.sheet_row LIMIT 1),
                            HINT = 'Nothing was merged. Fix the rows, or raise reject_limit.';
                    END IF;
                END IF;
            END LOOP;
            BEGIN
                SELECT * INTO rows_in, rows_up
                  FROM xlsx.merge_insert(insert_sql, ' WHERE ' || pending, mode, key_columns, targets);
                n_inserted := n_inserted + rows_in;
                n_updated := n_updated + rows_up;
                EXIT;
            EXCEPTION WHEN data_exception OR integrity_constraint_violation OR cardinality_violation THEN
                IF suspects = 'true' THEN
                    RAISE;  -- cannot happen: every row was handled one by one
                END IF;
                suspects := 'true';
            END;
        END LOOP;
        DROP TABLE pg_temp.xlsx_merge_done;
    END IF;

    UPDATE xlsx.import_runs r
       -- The loader may have rejected rows before staging them (xlsx.finish_run 'staged').
       SET state = 'merged',
           rows_read = greatest(r.rows_read, r.rows_rejected + n_inserted + n_updated + n_rejected),
           rows_loaded = n_inserted + n_updated, rows_rejected = r.rows_rejected + n_rejected,
           finished_at = clock_timestamp(), error_text = NULL
     WHERE r.run_id = run;
    RETURN QUERY SELECT n_inserted, n_updated, n_rejected;
END
$$;
COMMENT ON FUNCTION xlsx.merge(regclass, regclass, text, text[], jsonb, bigint, bigint) IS 'Casts a staging table''s text columns into the target''s types and inserts, upserts or replaces in one transaction; rows that do not convert go to xlsx.rejects';

-- Runs one INSERT of a merge (with ON CONFLICT for upserts) and counts what it did. It
-- executes the text it is given, as the caller: it can do nothing the caller could not.
CREATE FUNCTION xlsx.merge_insert(insert_sql text, where_clause text, mode text,
                                  key_columns text[], targets text[], row_id tid DEFAULT NULL,
                                  OUT inserted bigint, OUT updated bigint)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF mode <> 'upsert' THEN
        EXECUTE insert_sql || where_clause USING row_id;
        GET DIAGNOSTICS inserted = ROW_COUNT;
        updated := 0;
        RETURN;
    END IF;
    -- xmax is 0 in a freshly inserted row and set in one that ON CONFLICT updated.
    EXECUTE format('WITH w AS (%s%s ON CONFLICT (%s) %s RETURNING (t.xmax = 0) AS fresh) '
                   'SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh) FROM w',
                   insert_sql, where_clause,
                   (SELECT string_agg(quote_ident(k), ', ') FROM unnest(key_columns) AS k),
                   coalesce('DO UPDATE SET ' || (SELECT string_agg(format('%I = EXCLUDED.%I', c, c), ', ')
                                                   FROM unnest(targets) AS c WHERE c <> ALL (key_columns)),
                            'DO NOTHING'))
       INTO inserted, updated USING row_id;
END
$$;
COMMENT ON FUNCTION xlsx.merge_insert(text, text, text, text[], text[], tid) IS 'Internal to xlsx.merge: runs one of its INSERTs, as the caller';

CREATE FUNCTION xlsx.merge_run(run bigint, target regclass DEFAULT NULL, mode text DEFAULT 'insert',
                           key_columns text[] DEFAULT NULL, column_map jsonb DEFAULT NULL,
                           reject_limit bigint DEFAULT NULL, drop_staging boolean DEFAULT true)
RETURNS TABLE (inserted bigint, updated bigint, rejected bigint)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    found_run xlsx.import_runs;
BEGIN
    -- Locking the run makes a second merge of it wait, then find it merged.
    SELECT * INTO found_run FROM xlsx.import_runs r WHERE r.run_id = run FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found',
            MESSAGE = format('run %s does not exist', run),
            HINT = 'Runs are visible to the role that opened them only.';
    END IF;
    IF found_run.state NOT IN ('running', 'staged', 'failed') OR found_run.staging_table IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
            MESSAGE = format('run %s cannot be merged', run),
            DETAIL = format('The run is %s%s.', found_run.state,
                            CASE WHEN found_run.staging_table IS NULL THEN ' and has no staging table' ELSE '' END);
    END IF;
    RETURN QUERY SELECT * FROM xlsx.merge(found_run.staging_table::regclass,
                                          coalesce(target, found_run.target_table::regclass),
                                          mode, key_columns, column_map, reject_limit, run);
    IF drop_staging THEN
        EXECUTE format('DROP TABLE %s', found_run.staging_table::regclass);
    END IF;
END
$$;
COMMENT ON FUNCTION xlsx.merge_run(bigint, regclass, text, text[], jsonb, bigint, boolean) IS 'Merges the staging table of an xlsx2pg run into its target (as xlsx.merge does), then drops the staging table';

-- Cleanup --------------------------------------------------------------------------------

CREATE FUNCTION xlsx.cleanup(older_than interval DEFAULT '7 days', include_unfinished boolean DEFAULT false,
                             keep_history boolean DEFAULT true)
RETURNS TABLE (run_id bigint, state text, staging_dropped text)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    old record;
BEGIN
    FOR old IN
        SELECT r.run_id, r.state, r.staging_table FROM xlsx.import_runs r
         WHERE coalesce(r.finished_at, r.started_at) < clock_timestamp() - older_than
           AND (r.state IN ('merged', 'aborted')
                OR (include_unfinished AND r.state IN ('running', 'staged', 'failed')))
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
COMMENT ON FUNCTION xlsx.cleanup(interval, boolean, boolean) IS 'Drops the staging tables and chunk ledger of runs finished longer ago than older_than; with include_unfinished, abandons unfinished runs too; without keep_history, deletes the runs and their rejects';

-- xlsx.cleanup(keep_history => false) deletes the caller's own runs (row-level security).
GRANT DELETE ON xlsx.import_runs TO xlsx_loader;
CREATE POLICY own_runs_delete ON xlsx.import_runs FOR DELETE USING (run_owner = current_user);
