-- xlsx.export and xlsx.export_to_file: a query's rows as a workbook, read back by xlsx.import
-- in the same statement; what becomes text and why (NOTICEs); what is refused.
SET client_min_messages = notice;
CREATE TABLE export_src (id int, amount numeric(12,2), ratio float8, day date, at timestamp,
                         flag boolean, note text);
INSERT INTO export_src VALUES
    (1, 1234.50, 0.1, '2024-01-15', '2024-01-15 10:20:30.123', true, '0012'),
    (2, -0.01, 0.30000000000000004, '1899-12-31', '2024-01-15 10:20:30.123456', false, '_x0041_'),
    (3, NULL, 'NaN', NULL, NULL, NULL, NULL);
CREATE TABLE export_back (LIKE export_src);
SELECT loaded, rejected FROM xlsx.import(xlsx.export('SELECT * FROM export_src ORDER BY id', 'Out'),
                                         'export_back', sheet => 'Out');
(TABLE export_src EXCEPT ALL TABLE export_back) UNION ALL (TABLE export_back EXCEPT ALL TABLE export_src);

-- The workbook is a zip (PK\003\004) of a few kilobytes, and nothing stays in the temp space.
SELECT substr(xlsx.export('SELECT 1 AS one'), 1, 4) = '\x504b0304'::bytea AS is_zip;
SELECT count(*) AS temp_files FROM pg_ls_tmpdir();

-- Refusals: each names what is wrong.
SELECT xlsx.export(NULL);
SELECT xlsx.export('SELECT 1', 'a/b');
SELECT xlsx.export('SELECT repeat(''x'', 32768) AS body');
SELECT xlsx.export('SELECT 1; SELECT 2');
SELECT xlsx.export('CREATE TABLE nope (a int)');
SELECT xlsx.export('SELECT no_such_column FROM export_src');
SELECT xlsx.export_to_file('SELECT 1', 'relative.xlsx');

-- Server files are written only by roles allowed to write them.
CREATE ROLE regress_export_reader;
GRANT SELECT ON export_src TO regress_export_reader;
SET ROLE regress_export_reader;
SELECT xlsx.export_to_file('SELECT 1', '/tmp/never.xlsx');
SELECT length(xlsx.export('TABLE export_src')) > 0 AS exported;
RESET ROLE;
DROP OWNED BY regress_export_reader;
DROP ROLE regress_export_reader;
DROP TABLE export_src, export_back;
