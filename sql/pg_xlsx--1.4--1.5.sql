\echo Use "ALTER EXTENSION pg_xlsx UPDATE TO '1.5'" to load this file. \quit

-- pg_xlsx 1.5: the way back out. xlsx.export returns a query's rows as an .xlsx workbook
-- (bytea); xlsx.export_to_file writes one to a server file.

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
