-- Hostile identifiers, roles without privileges, and a hostile search_path.
SET DateStyle = ISO;
SET client_min_messages = warning;
CREATE ROLE regress_merger LOGIN IN ROLE xlsx_loader;
CREATE ROLE regress_outsider LOGIN IN ROLE xlsx_loader;
RESET client_min_messages;

-- Names with quotes, semicolons, backslashes, unicode and keywords round-trip as data.
CREATE SCHEMA "we""ird; schema";
CREATE TABLE "we""ird; schema"."select; DROP TABLE x; --" (
    "a""b" integer, "Ünïcødé 名前" text, "user" date, "back\slash" text);
CREATE TABLE "stage ""1""" (xlsx_sheet_row bigint, "a""b" text, "Ünïcødé 名前" text,
                            "user" text, "back\slash" text);
INSERT INTO "stage ""1""" VALUES (2, '1', 'Ω', '2024-01-01', 'c:\temp'),
                                 (3, 'nope''); DROP TABLE "stage ""1"""; --', 'x', NULL, NULL);
SELECT * FROM xlsx.merge('"stage ""1"""', '"we""ird; schema"."select; DROP TABLE x; --"');
SELECT * FROM "we""ird; schema"."select; DROP TABLE x; --";
SELECT column_name, raw_value, reason FROM xlsx.rejects
 WHERE run_id = (SELECT max(run_id) FROM xlsx.import_runs);
SELECT xlsx.suggest_ddl('"stage ""1"""', 'x"; DROP TABLE y; --');  -- ERROR
SELECT xlsx.suggest_ddl('"stage ""1"""', '"x""; DROP TABLE y; --"');
SELECT xlsx_internal.create_staging(xlsx_internal.open_run('f', 's', 't'), ARRAY['a"); DROP TABLE x; --', 'ok']);

-- A hostile search_path: look-alike functions and operators do not reach the extension.
CREATE SCHEMA regress_evil;
CREATE FUNCTION regress_evil.quote_ident(text) RETURNS text LANGUAGE sql
    AS $$ SELECT 'hijacked' $$;
CREATE FUNCTION regress_evil.format(text, text) RETURNS text LANGUAGE sql
    AS $$ SELECT 'hijacked' $$;
CREATE FUNCTION regress_evil.text(integer) RETURNS text LANGUAGE sql
    AS $$ SELECT 'hijacked' $$;
SET search_path = regress_evil, public;
SELECT * FROM xlsx.merge('"stage ""1"""', '"we""ird; schema"."select; DROP TABLE x; --"',
                         'replace');
RESET search_path;

-- A role without INSERT on the target cannot merge into it through the extension.
CREATE TABLE guarded (id integer);
CREATE TABLE guarded_stage (id text);
INSERT INTO guarded_stage VALUES ('1');
GRANT SELECT ON guarded, guarded_stage TO regress_merger;
SET ROLE regress_merger;
SELECT * FROM xlsx.merge('guarded_stage', 'guarded');  -- ERROR
RESET ROLE;
GRANT INSERT ON guarded TO regress_merger;
SET ROLE regress_merger;
SELECT * FROM xlsx.merge('guarded_stage', 'guarded');
SELECT * FROM xlsx.merge('guarded_stage', 'guarded', 'replace');  -- ERROR
RESET ROLE;

-- Another role neither sees nor merges someone else's run, nor reads their staging table.
SET ROLE regress_merger;
SELECT xlsx_internal.open_run('private.xlsx', 'S', 'public.guarded') AS private_run \gset
SELECT xlsx_internal.create_staging(:private_run, ARRAY['id']) AS private_stage \gset
SET ROLE regress_outsider;
SELECT * FROM xlsx.merge_run(:private_run);  -- ERROR
SELECT count(*) FROM xlsx_staging.run_:private_run;  -- ERROR
SELECT count(*) AS cleaned FROM xlsx.cleanup(interval '0', include_unfinished => true);
RESET ROLE;
SELECT state FROM xlsx.import_runs WHERE run_id = :private_run;

-- Someone without the xlsx_loader role cannot stage at all.
SET client_min_messages = warning;
CREATE ROLE regress_stranger LOGIN;
RESET client_min_messages;
SET ROLE regress_stranger;
SELECT xlsx_internal.open_run('f', 's', 't');  -- ERROR
RESET ROLE;

DROP SCHEMA "we""ird; schema" CASCADE;
DROP SCHEMA regress_evil CASCADE;
DROP TABLE "stage ""1""", guarded, guarded_stage;
SET client_min_messages = warning;
DROP OWNED BY regress_merger, regress_outsider, regress_stranger CASCADE;
DROP ROLE regress_merger, regress_outsider, regress_stranger;
