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
ALTER FUNCTION xlsx.merge_insert(text,text,text,text[],text[],tid) SET SCHEMA xlsx_internal;
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

CREATE OR REPLACE FUNCTION xlsx.merge(staging regclass, target regclass, mode text DEFAULT 'insert',
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
    casts text[];            -- the conversion of each value in the INSERT's SELECT list
    checks text[];           -- the same conversion of one value $1, for a reject's reason
    has_sheet_row boolean;
    insert_head text;        -- INSERT ... SELECT ... FROM, without the source
    insert_sql text;         -- INSERT ... SELECT from staging s; a WHERE clause is appended
    rows_of regclass := staging;  -- where the rows are read (a copy, when going one by one on Citus)
    placement record;        -- xlsx_internal.citus_placement of the target
    check_first boolean;     -- Citus: check doubtful values before writing anything
    citus_reads text;
    truncate_first boolean;  -- replace mode, before the first row is written
    row_values text;         -- ARRAY[s.col::text, ...] for the rejects
    fits text;               -- the non-throwing check of a whole row: no value doubtful
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
        run := xlsx_internal.open_run(staging::text, '', target::text, 'staging');
    ELSE
        -- Only the run's owner (or a superuser) may record a merge of it.
        PERFORM FROM xlsx.import_runs r WHERE r.run_id = run FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'no_data_found',
                MESSAGE = format('run %s does not exist or belongs to another role', run),
                HINT = 'A run is merged by the role that opened it.';
        END IF;
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
        SELECT s.attnum, s.attname::text AS source, s.atttypid, s.atttypmod,
               CASE WHEN column_map ? s.attname THEN column_map ->> s.attname::text
                    ELSE s.attname::text END AS target_column
          FROM pg_attribute s
         WHERE s.attrelid = staging AND s.attnum > 0 AND NOT s.attisdropped
           AND s.attname <> 'xlsx_sheet_row')
    SELECT string_agg(quote_ident(w.source), ', ') FILTER (WHERE t.attname IS NULL AND w.target_column IS NOT NULL),
           array_agg(w.source ORDER BY w.attnum) FILTER (WHERE t.attname IS NOT NULL),
           array_agg(t.attname::text ORDER BY w.attnum) FILTER (WHERE t.attname IS NOT NULL),
           array_agg(format_type(t.atttypid, t.atttypmod) ORDER BY w.attnum) FILTER (WHERE t.attname IS NOT NULL),
           -- A staging column of the target's own type (Citus: the distribution column of a
           -- co-located staging table, converted when it was staged) goes in as it is, which
           -- also lets Citus push the INSERT ... SELECT down to the shards.
           array_agg(CASE WHEN (w.atttypid, w.atttypmod) = (t.atttypid, t.atttypmod)
                          THEN format('%I.%I', 's', w.source)
                          ELSE format('xlsx_internal.column_input(%I.%I::text', 's', w.source) || conv.input_args END
                     ORDER BY w.attnum) FILTER (WHERE t.attname IS NOT NULL),
           array_agg('xlsx_internal.column_input($1' || conv.input_args ORDER BY w.attnum) FILTER (WHERE t.attname IS NOT NULL),
           string_agg(CASE WHEN t.attnotnull
                           THEN format('%I.%I IS NOT NULL AND ', 's', w.source) ELSE '' END
                      || format('NOT xlsx_internal.value_doubtful(%I.%I::text, %s::oid::regtype, %s)', 's', w.source, t.atttypid, t.atttypmod),
                      ' AND ') FILTER (WHERE t.attname IS NOT NULL)
      INTO unmatched, sources, targets, type_names, casts, checks, fits
      FROM wanted w
      LEFT JOIN pg_attribute t ON t.attrelid = target AND t.attname = w.target_column
                              AND t.attnum > 0 AND NOT t.attisdropped
      -- Each value is read by its column type's input function with the column's typmod, as
      -- COPY reads it: a cast would cut text to varchar(n) or char(n), pad bit(n), and do
      -- the same behind a domain. A reject's reason comes from the same conversion of $1.
      -- The result's type is the domain's base type (NULL::domain would be checked itself);
      -- the INSERT's assignment to the column makes it the domain again.
      LEFT JOIN LATERAL (
          WITH RECURSIVE chain (type_oid, base_oid) AS (
              SELECT ty.oid, ty.typbasetype FROM pg_type ty WHERE ty.oid = t.atttypid
              UNION ALL
              SELECT ty.oid, ty.typbasetype FROM chain JOIN pg_type ty ON ty.oid = chain.base_oid)
          SELECT format(', %s::oid::regtype, %s, NULL::%s)', t.atttypid, t.atttypmod,
                        format_type(c.type_oid, NULL)) AS input_args
            FROM chain c WHERE c.base_oid = 0
          ) AS conv ON true;
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
    -- Citus takes an upsert only on a key that places each row on one shard.
    placement := xlsx_internal.citus_placement(target);
    IF mode = 'upsert' AND placement.kind = 'distributed' AND placement.distribution_column <> ALL (key_columns) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('the upsert key of the Citus distributed table %s must include its distribution column %s',
                             target, placement.distribution_column),
            DETAIL = format('The key is (%s).', array_to_string(key_columns, ', ')),
            HINT = format('Upsert on a unique key that contains %s.', placement.distribution_column);
    END IF;
    -- An upsert names its key by columns: a unique index on exactly those must exist.
    IF mode = 'upsert' AND NOT EXISTS (
        SELECT FROM pg_index i
         WHERE i.indrelid = target AND i.indisunique AND i.indisvalid
           AND i.indpred IS NULL AND i.indexprs IS NULL
           AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a
                 WHERE a.attrelid = target AND a.attnum = ANY (i.indkey))
               = (SELECT array_agg(DISTINCT k ORDER BY k) FROM unnest(key_columns) AS k)) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_column_reference',
            MESSAGE = format('an upsert on (%s) needs a unique index of %s on exactly those columns',
                             array_to_string(key_columns, ', '), target),
            DETAIL = coalesce('Its unique keys: ' || (
                SELECT string_agg(format('(%s)', (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                                                     FROM pg_attribute a
                                                    WHERE a.attrelid = target AND a.attnum = ANY (i.indkey))), ', ')
                  FROM pg_index i WHERE i.indrelid = target AND i.indisunique AND i.indexprs IS NULL) || '.',
                format('%s has no unique index.', target)),
            HINT = format('Upsert on the columns of a unique key, or CREATE UNIQUE INDEX ON %s (%s).', target,
                          (SELECT string_agg(quote_ident(k), ', ') FROM unnest(key_columns) AS k));
    END IF;
    has_sheet_row := EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = staging
                               AND a.attname = 'xlsx_sheet_row' AND NOT a.attisdropped);

    insert_head := format('INSERT INTO %s AS t (%s) SELECT %s FROM ', target,
        (SELECT string_agg(quote_ident(c), ', ') FROM unnest(targets) AS c),
        array_to_string(casts, ', '));
    insert_sql := insert_head || rows_of::text || ' AS s';
    row_values := (SELECT format('ARRAY[%s]', string_agg(format('%I.%I::text', 's', c), ', '))
                     FROM unnest(sources) AS c);
    pending := 'NOT EXISTS (SELECT FROM pg_temp.xlsx_merge_done d WHERE d.row_id = s.ctid)';

    -- A Citus staging table with rows the checks doubt goes row by row from a copy on the
    -- coordinator (a ctid names one row per shard). Once a transaction has written to Citus
    -- shards, Citus repeats each subtransaction (one per value checked) on every worker
    -- connection; so the copy is read without opening the workers' transactions and the
    -- values are checked before anything is written.
    IF (xlsx_internal.citus_placement(staging)).kind IS NOT NULL THEN
        citus_reads := current_setting('citus.select_opens_transaction_block');
        PERFORM set_config('citus.select_opens_transaction_block', 'off', true);
        EXECUTE format('SELECT true FROM %s AS s WHERE NOT (%s) LIMIT 1', staging, fits) INTO check_first;
        IF check_first THEN
            EXECUTE format('CREATE TEMP TABLE xlsx_merge_rows ON COMMIT DROP AS SELECT * FROM %s', staging);
            rows_of := 'pg_temp.xlsx_merge_rows'::regclass;
            insert_sql := insert_head || rows_of::text || ' AS s';
        END IF;
        PERFORM set_config('citus.select_opens_transaction_block', citus_reads, true);
    END IF;

    -- Fast path: every row in one statement. A bad value aborts it; then go row by row below.
    check_first := coalesce(check_first, false);
    truncate_first := mode = 'replace';
    IF truncate_first AND NOT check_first THEN
        EXECUTE format('TRUNCATE %s', target);
        truncate_first := false;
    END IF;
    IF check_first THEN
        n_inserted := -1;
    ELSE
        BEGIN
            SELECT * INTO n_inserted, n_updated FROM xlsx_internal.merge_insert(insert_sql, '', mode, key_columns, targets);
        EXCEPTION WHEN data_exception OR integrity_constraint_violation OR cardinality_violation THEN
            n_inserted := -1;
        END;
    END IF;

    IF n_inserted < 0 THEN
        n_inserted := 0;
        CREATE TEMP TABLE xlsx_merge_done (row_id tid PRIMARY KEY) ON COMMIT DROP;
        -- First the rows the checks doubt, one by one; then the rest in one statement. Should
        -- the server still refuse one of those, every remaining row goes one by one.
        suspects := format('NOT (%s)', fits);
        LOOP
            FOR item IN EXECUTE format('SELECT s.ctid AS row_id, %s AS sheet_row, %s AS vals FROM %s AS s WHERE %s AND %s ORDER BY 2',
                                       CASE WHEN has_sheet_row THEN 's.xlsx_sheet_row' ELSE 'NULL::bigint' END,
                                       row_values, rows_of, pending, suspects)
            LOOP
                bad := false;
                -- Each value alone, so that the reject names its column and the server's reason
                -- (a NULL too: a domain may refuse it).
                FOR i IN 1 .. cardinality(sources) LOOP
                    BEGIN
                        EXECUTE 'SELECT ' || checks[i] USING item.vals[i];
                    EXCEPTION WHEN data_exception OR integrity_constraint_violation THEN
                        INSERT INTO xlsx.rejects (run_id, sheet_row, column_name, raw_value, target_type, reason)
                        VALUES (run, item.sheet_row, sources[i], item.vals[i], type_names[i], SQLERRM);
                        bad := true;
                    END;
                END LOOP;
                IF NOT bad AND check_first THEN
                    CONTINUE;  -- its values convert: it goes with the rest, in one statement
                ELSIF NOT bad THEN
                    -- The values convert; the row may still break a constraint.
                    BEGIN
                        SELECT * INTO rows_in, rows_up
                          FROM xlsx_internal.merge_insert(insert_sql, ' WHERE s.ctid = $1', mode, key_columns, targets, item.row_id);
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
            IF truncate_first THEN
                EXECUTE format('TRUNCATE %s', target);
                truncate_first := false;
            END IF;
            BEGIN
                SELECT * INTO rows_in, rows_up
                  FROM xlsx_internal.merge_insert(insert_sql, ' WHERE ' || pending, mode, key_columns, targets);
                n_inserted := n_inserted + rows_in;
                n_updated := n_updated + rows_up;
                EXIT;
            EXCEPTION WHEN data_exception OR integrity_constraint_violation OR cardinality_violation THEN
                IF suspects = 'true' THEN
                    RAISE;  -- cannot happen: every row was handled one by one
                END IF;
                suspects := 'true';
                check_first := false;
            END;
        END LOOP;
        DROP TABLE pg_temp.xlsx_merge_done;
        IF rows_of <> staging THEN
            DROP TABLE pg_temp.xlsx_merge_rows;
        END IF;
    END IF;

    UPDATE xlsx.import_runs r
       -- The loader may have rejected rows before staging them (xlsx_internal.finish_run 'staged').
       SET state = 'merged',
           rows_read = greatest(r.rows_read, r.rows_rejected + n_inserted + n_updated + n_rejected),
           rows_loaded = n_inserted + n_updated, rows_rejected = r.rows_rejected + n_rejected,
           finished_at = clock_timestamp(), error_text = NULL
     WHERE r.run_id = run;
    RETURN QUERY SELECT n_inserted, n_updated, n_rejected;
END
$$;

CREATE OR REPLACE FUNCTION xlsx.merge_run(run bigint, target regclass DEFAULT NULL, mode text DEFAULT 'insert',
                           key_columns text[] DEFAULT NULL, column_map jsonb DEFAULT NULL,
                           reject_limit bigint DEFAULT NULL, drop_staging boolean DEFAULT true)
RETURNS TABLE (inserted bigint, updated bigint, rejected bigint)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    found_run xlsx.import_runs;
BEGIN
    -- Locking the run makes a second merge of it wait, then find it merged; the lock is the
    -- owner's to take (a superuser's too).
    SELECT * INTO found_run FROM xlsx.import_runs r WHERE r.run_id = run FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found',
            MESSAGE = format('run %s does not exist or belongs to another role', run),
            HINT = 'A run is merged by the role that opened it.';
    END IF;
    IF found_run.state <> ALL (xlsx_internal.unfinished_states()) OR found_run.staging_table IS NULL THEN
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

CREATE OR REPLACE FUNCTION xlsx.import(path text, target text, sheet text DEFAULT NULL,
                            header_row integer DEFAULT 1, no_header boolean DEFAULT false,
                            skip_rows integer DEFAULT 0, columns text[] DEFAULT NULL,
                            create_table boolean DEFAULT false, types text[] DEFAULT NULL,
                            all_text boolean DEFAULT false, truncate boolean DEFAULT false,
                            upsert text[] DEFAULT NULL, mode text DEFAULT 'staging',
                            reject_limit bigint DEFAULT NULL, null_values text[] DEFAULT NULL,
                            trim_text boolean DEFAULT false, threads integer DEFAULT 2,
                            keep_staging boolean DEFAULT false, range text DEFAULT NULL,
                            table_name text DEFAULT NULL, stop_at_empty boolean DEFAULT false)
RETURNS TABLE (run_id bigint, rows_read bigint, loaded bigint, inserted bigint, updated bigint,
               rejected bigint, seconds double precision, rows_per_second double precision)
AS 'MODULE_PATHNAME', 'pg_xlsx_import'
LANGUAGE C VOLATILE;

CREATE OR REPLACE FUNCTION xlsx.import(lo oid, target text, sheet text DEFAULT NULL,
                            header_row integer DEFAULT 1, no_header boolean DEFAULT false,
                            skip_rows integer DEFAULT 0, columns text[] DEFAULT NULL,
                            create_table boolean DEFAULT false, types text[] DEFAULT NULL,
                            all_text boolean DEFAULT false, truncate boolean DEFAULT false,
                            upsert text[] DEFAULT NULL, mode text DEFAULT 'staging',
                            reject_limit bigint DEFAULT NULL, null_values text[] DEFAULT NULL,
                            trim_text boolean DEFAULT false, threads integer DEFAULT 2,
                            keep_staging boolean DEFAULT false, range text DEFAULT NULL,
                            table_name text DEFAULT NULL, stop_at_empty boolean DEFAULT false)
RETURNS TABLE (run_id bigint, rows_read bigint, loaded bigint, inserted bigint, updated bigint,
               rejected bigint, seconds double precision, rows_per_second double precision)
AS 'MODULE_PATHNAME', 'pg_xlsx_import'
LANGUAGE C VOLATILE;

CREATE OR REPLACE FUNCTION xlsx.import(data bytea, target text, sheet text DEFAULT NULL,
                            header_row integer DEFAULT 1, no_header boolean DEFAULT false,
                            skip_rows integer DEFAULT 0, columns text[] DEFAULT NULL,
                            create_table boolean DEFAULT false, types text[] DEFAULT NULL,
                            all_text boolean DEFAULT false, truncate boolean DEFAULT false,
                            upsert text[] DEFAULT NULL, mode text DEFAULT 'staging',
                            reject_limit bigint DEFAULT NULL, null_values text[] DEFAULT NULL,
                            trim_text boolean DEFAULT false, threads integer DEFAULT 2,
                            keep_staging boolean DEFAULT false, range text DEFAULT NULL,
                            table_name text DEFAULT NULL, stop_at_empty boolean DEFAULT false)
RETURNS TABLE (run_id bigint, rows_read bigint, loaded bigint, inserted bigint, updated bigint,
               rejected bigint, seconds double precision, rows_per_second double precision)
AS 'MODULE_PATHNAME', 'pg_xlsx_import'
LANGUAGE C VOLATILE;

CREATE OR REPLACE FUNCTION xlsx.tables(path text, threads integer DEFAULT 2)
RETURNS TABLE (name text, sheet text, ref text, header_rows integer, totals_rows integer, columns text[])
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT t.name, t.sheet, t.ref, t.header_rows, t.totals_rows, t.columns FROM xlsx_internal.tables_of(path, NULL, NULL, threads) t $$;

CREATE OR REPLACE FUNCTION xlsx.tables(lo oid, threads integer DEFAULT 2)
RETURNS TABLE (name text, sheet text, ref text, header_rows integer, totals_rows integer, columns text[])
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT t.name, t.sheet, t.ref, t.header_rows, t.totals_rows, t.columns FROM xlsx_internal.tables_of(NULL, lo, NULL, threads) t $$;

CREATE OR REPLACE FUNCTION xlsx.tables(data bytea, threads integer DEFAULT 2)
RETURNS TABLE (name text, sheet text, ref text, header_rows integer, totals_rows integer, columns text[])
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT t.name, t.sheet, t.ref, t.header_rows, t.totals_rows, t.columns FROM xlsx_internal.tables_of(NULL, NULL, data, threads) t $$;

CREATE OR REPLACE FUNCTION xlsx.sheets(path text, threads integer DEFAULT 2)
RETURNS TABLE (sheet_index integer, name text, state text, kind text, rows integer,
               columns integer, part_missing boolean)
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM xlsx_internal.sheets_of(path, NULL, NULL, threads) $$;

CREATE OR REPLACE FUNCTION xlsx.sheets(lo oid, threads integer DEFAULT 2)
RETURNS TABLE (sheet_index integer, name text, state text, kind text, rows integer,
               columns integer, part_missing boolean)
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM xlsx_internal.sheets_of(NULL, lo, NULL, threads) $$;

CREATE OR REPLACE FUNCTION xlsx.sheets(data bytea, threads integer DEFAULT 2)
RETURNS TABLE (sheet_index integer, name text, state text, kind text, rows integer,
               columns integer, part_missing boolean)
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM xlsx_internal.sheets_of(NULL, NULL, data, threads) $$;

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
GRANT EXECUTE ON FUNCTION xlsx.import(text, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean),
                          xlsx.sheets(text, integer), xlsx.tables(text, integer)
    TO xlsx_loader;

-- Internals are for the extension's own functions and the roles that load (the schema is
-- open to all only so that xlsx.profile reaches its aggregate, which stays callable by all).
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA xlsx_internal FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA xlsx_internal TO xlsx_loader;
GRANT EXECUTE ON FUNCTION xlsx_internal.profile_agg(text) TO PUBLIC;
