-- xlsx.import and xlsx_fdw refuse bad arguments and options before they read anything, and
-- server files are for roles that may read them.
SELECT * FROM xlsx.import('/tmp/book.xlsx', 't', mode => 'fast');  -- ERROR
SELECT * FROM xlsx.import('/tmp/book.xlsx', 't', mode => 'direct', upsert => '{id}');  -- ERROR
SELECT * FROM xlsx.import('/tmp/book.xlsx', 't', truncate => true, upsert => '{id}');  -- ERROR
SELECT * FROM xlsx.import('/tmp/book.xlsx', 'a.b.c');  -- ERROR
SELECT * FROM xlsx.import('/tmp/book.xlsx', 'xlsx.import_runs');  -- ERROR
SELECT * FROM xlsx.import('/tmp/book.xlsx', 'no_such_table');  -- ERROR
SELECT * FROM xlsx.import(NULL::text, 't');  -- ERROR
SELECT * FROM xlsx.import('\x00'::bytea, 't', create_table => true);  -- ERROR
SELECT * FROM xlsx.import('\xd0cf11e0a1b11ae1'::bytea, 't', create_table => true);  -- ERROR
SELECT * FROM xlsx.sheets('PK'::bytea);  -- ERROR
SELECT * FROM xlsx.sheets(2147483647::oid);  -- ERROR

-- Roles without pg_read_server_files may not name a server file.
CREATE ROLE regress_no_files;
GRANT xlsx_loader TO regress_no_files;
SET ROLE regress_no_files;
SELECT * FROM xlsx.import('/etc/passwd', 't', create_table => true);  -- ERROR
SELECT * FROM xlsx.sheets('/etc/passwd');  -- ERROR
SELECT * FROM xlsx_internal.sheets_of('/etc/passwd', NULL, NULL);  -- ERROR
RESET ROLE;

-- The foreign data wrapper's options.
CREATE SERVER regress_books FOREIGN DATA WRAPPER xlsx_fdw;
CREATE SERVER regress_bad FOREIGN DATA WRAPPER xlsx_fdw OPTIONS (filename '/tmp/x.xlsx');  -- ERROR
CREATE FOREIGN TABLE regress_ft (a int) SERVER regress_books;  -- ERROR
CREATE FOREIGN TABLE regress_ft (a int) SERVER regress_books OPTIONS (filname '/tmp/x.xlsx');  -- ERROR
CREATE FOREIGN TABLE regress_ft (a int) SERVER regress_books OPTIONS (filename '/tmp/x.xlsx', header_row '-1');  -- ERROR
CREATE FOREIGN TABLE regress_ft (a int) SERVER regress_books OPTIONS (filename '/tmp/x.xlsx', sheet 'Data', skip_rows '2');
SELECT ftoptions FROM pg_foreign_table WHERE ftrelid = 'regress_ft'::regclass;
SELECT * FROM regress_ft;  -- ERROR
IMPORT FOREIGN SCHEMA x FROM SERVER regress_books INTO public;  -- ERROR
IMPORT FOREIGN SCHEMA x FROM SERVER regress_books INTO public OPTIONS (filename '/tmp/x.xlsx', sheet 'A');  -- ERROR
GRANT USAGE ON FOREIGN SERVER regress_books TO regress_no_files;
GRANT CREATE ON SCHEMA public TO regress_no_files;
SET ROLE regress_no_files;
CREATE FOREIGN TABLE regress_ft2 (a int) SERVER regress_books OPTIONS (filename '/etc/passwd');  -- ERROR
IMPORT FOREIGN SCHEMA x FROM SERVER regress_books INTO public OPTIONS (filename '/etc/passwd');  -- ERROR
RESET ROLE;
DROP FOREIGN TABLE regress_ft;
DROP SERVER regress_books;
REVOKE CREATE ON SCHEMA public FROM regress_no_files;
DROP ROLE regress_no_files;
