-- (Last of the suites, by its name: the runs it records change no other suite's numbers.)
-- The psql-only walk-through of the README: a workbook on the client sent with \lo_import, the
-- same on the server by path, its sheets, an import in each mode, and the ledger.
\getenv abs_srcdir PG_ABS_SRCDIR
\set book :abs_srcdir '/data/orders.xlsx'
\lo_import :book
\set lo :LASTOID
SELECT sheet_index, name, state, kind, rows, columns FROM xlsx.sheets(:lo);
-- Staging: the bad amount, a value past the header and a NUL are rejects with their sheet rows;
-- the noise digits of the writer's
-- printf are gone.
SELECT rows_read, loaded, inserted, updated, rejected FROM xlsx.import(:lo, 'orders', create_table => true, types => ARRAY['amount=numeric']);
SELECT * FROM orders ORDER BY id;
SELECT r.sheet_row, r.column_name, r.raw_value, r.reason
  FROM xlsx.rejects r JOIN xlsx.import_runs USING (run_id) WHERE target_table = 'public.orders'
 ORDER BY run_id, sheet_row;
-- Upsert on the key from the server's copy of the file.
ALTER TABLE orders ADD PRIMARY KEY (id);
SELECT rows_read, loaded, inserted, updated, rejected FROM xlsx.import(:'book', 'orders', upsert => '{id}');
-- Direct mode: the first bad value fails the import, naming the sheet row and the column.
SELECT * FROM xlsx.import(:lo, 'orders', mode => 'direct');  -- ERROR
SELECT count(*) FROM orders;
-- The other sheet, into a table of text.
SELECT rows_read, loaded FROM xlsx.import(:lo, 'notes', sheet => 'Notes', create_table => true);
SELECT * FROM notes;
SELECT regexp_replace(replace(file_name, :'abs_srcdir', ''), '\d+$', 'N') AS file_name,
       sheet_name, target_table, mode, state, total_records, loaded, rejected
  FROM xlsx.import_stats ORDER BY run_id;
SELECT lo_unlink(:lo) = 1 AS unlinked;
DROP TABLE orders, notes;
