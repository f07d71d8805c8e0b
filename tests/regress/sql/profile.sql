-- Type profiling: nulls, distinct estimates, lengths and the narrowest type per column.
SET DateStyle = ISO;
CREATE TABLE sheet (xlsx_sheet_row bigint, small text, big text, decimal text, zip text,
                    flag text, day text, clock text, moment text, zoned text, id text,
                    words text, empty text, mixed text);
INSERT INTO sheet
SELECT g, g::text, (g * 10000000000)::text, (g / 4.0)::text, lpad(g::text, 5, '0'),
       CASE WHEN g % 2 = 0 THEN 'true' ELSE 'FALSE' END,
       ('2024-01-01'::date + g)::text, '10:' || lpad((g % 60)::text, 2, '0'),
       ('2024-01-01 08:00'::timestamp + g * interval '1 hour')::text,
       '2024-01-01 08:00:00+02', md5(g::text)::uuid::text, 'word ' || g, NULL,
       CASE WHEN g = 500 THEN 'n/a' ELSE g::text END
  FROM generate_series(1, 1000) AS g;
SELECT column_name, nulls, non_null, distinct_estimate BETWEEN 900 AND 1100 AS about_1000,
       min_length, max_length, suggested_type
  FROM xlsx.profile('sheet');

-- Values at the edges of each type.
CREATE TABLE edge (v text);
CREATE FUNCTION narrowest(VARIADIC vals text[]) RETURNS text LANGUAGE sql AS $$
    SELECT (xlsx_internal.profile_agg(v)).suggested_type FROM unnest(vals) AS v
$$;
SELECT narrowest('32767', '-32768') AS smallint_edge,
       narrowest('32768') AS past_smallint,
       narrowest('2147483648') AS past_integer,
       narrowest('9223372036854775808') AS past_bigint,
       narrowest('1.5', '2') AS mixed_numbers,
       narrowest('007') AS leading_zero,
       narrowest('0', '-0', '0.5') AS zero_is_a_number,
       narrowest('2024-02-29') AS leap_day,
       narrowest('2023-02-29') AS not_a_day,
       narrowest('2024-01-01', '2024-01-01 10:00') AS date_and_timestamp,
       narrowest('24:00:00') AS end_of_day,
       narrowest('true', 'No', 'on') AS booleans,
       narrowest('1', '0') AS ones_and_zeros,
       narrowest('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11') AS uuid_upper,
       narrowest(' 1') AS blank_before,
       narrowest(NULL, NULL) AS only_nulls;

-- Suggested DDL, with a qualified and quoted target name.
SELECT xlsx.suggest_ddl('sheet', 'public."Sheet 1"');
SELECT xlsx.suggest_ddl('sheet', 'bad"name');  -- ERROR

-- Errors.
CREATE TABLE nothing (xlsx_sheet_row bigint);
SELECT * FROM xlsx.profile('nothing');  -- ERROR
SELECT * FROM xlsx.profile('no_such_table');  -- ERROR
SELECT * FROM xlsx.profile('edge');

DROP TABLE sheet, edge, nothing;
DROP FUNCTION narrowest;

-- The merge's checks (numeric(5,2), varchar(5)): "fits" must be sure; "does not fit" may be cautious.
SELECT v, t::regtype, xlsx.value_fits(v, t::regtype, m) AS fits
  FROM (VALUES ('12', 'integer', -1), ('99999999999', 'integer', -1), ('007', 'integer', -1),
               ('1e5', 'integer', -1), ('999.99', 'numeric', 327686), ('999.999', 'numeric', 327686),
               ('1000.00', 'numeric', 327686), ('abcde', 'varchar', 9), ('abcdef', 'varchar', 9),
               ('2024-02-29', 'date', -1), ('2023-02-29', 'date', -1), ('2024-01-02 10:00', 'date', -1),
               ('2024-01-02T10:00:00Z', 'timestamptz', -1), ('2024-01-02T10:00:00Z', 'timestamp', -1),
               ('25:00', 'time', -1), ('maybe', 'boolean', -1), ('on', 'boolean', -1),
               ('3.4e39', 'real', -1), ('anything', 'json', -1), (NULL, 'integer', -1)) AS x(v, t, m);
