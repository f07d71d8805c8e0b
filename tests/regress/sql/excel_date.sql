-- Excel serials in both date systems, with the 1900 leap-year quirk.
SET DateStyle = ISO;
CREATE EXTENSION pg_xlsx;

SELECT s, xlsx.excel_date(s) AS d1900, xlsx.excel_date(s, true) AS d1904
  FROM unnest(ARRAY[1, 59, 60, 61, 366, 45306]::float8[]) AS s;
SELECT xlsx.excel_timestamp(45306.5729166667) AS ts,
       xlsx.excel_time(0.75) AS t,
       xlsx.excel_time(0.0000115740740740741) AS one_second,
       xlsx.excel_timestamp(0.9999999999) AS rounds_to_next_day;
SELECT xlsx.excel_timestamp(2958465.999) AS last_excel_ms;
SELECT xlsx.excel_date(3000000);  -- ERROR
SELECT xlsx.excel_date('NaN');  -- ERROR
SELECT xlsx.excel_date(NULL) IS NULL AS strict_null;
