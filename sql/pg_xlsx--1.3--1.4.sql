\echo Use "ALTER EXTENSION pg_xlsx UPDATE TO '1.4'" to load this file. \quit

-- pg_xlsx 1.4: xlsx.import reads the shapes reports come in: merged cells filled
-- (fill_merged), a header over several rows (header_rows) and columns that say where each row
-- came from (add_columns). The three variants gain the arguments at their end.

DROP FUNCTION xlsx.import(text, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text);
DROP FUNCTION xlsx.import(oid, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text);
DROP FUNCTION xlsx.import(bytea, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text);

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

REVOKE ALL ON FUNCTION xlsx.import(text, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text, boolean, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xlsx.import(text, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text, boolean, integer, text) TO pg_read_server_files;
GRANT EXECUTE ON FUNCTION xlsx.import(text, text, text, integer, boolean, integer, text[], boolean, text[], boolean, boolean, text[], text, bigint, text[], boolean, integer, boolean, text, text, boolean, text, boolean, integer, text) TO xlsx_loader;
