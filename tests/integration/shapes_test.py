#!/usr/bin/env python3
"""Reports as they come, loaded through the client, xlsx.import and xlsx_fdw against the
harness's server: merged cells filled, a two-row header joined, source columns added; the same
from the report as .xlsx (libxlsxwriter) and as .xls (LibreOffice, MERGEDCELLS records).

Usage: shapes_test.py XLSX2PG PG_ENV_FILE WORK_DIR
"""
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pg_helpers  # noqa: E402

XLSX2PG, ENV_FILE, WORK = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
DATABASE = "shapes_test"
COLUMNS = "region|q1_units|q1_revenue|q2_units|q2_revenue|source_file|sheet|row"
TYPES = "text,integer,integer,integer,integer,text,text,integer"


def psql(sql, variables=()):
    args = ["psql", "-XAtq", "-v", "ON_ERROR_STOP=1"]
    for name, value in variables:
        args += ["-v", f"{name}={value}"]
    env = dict(pg_helpers.pg_env(ENV_FILE), PGDATABASE=DATABASE)
    out = subprocess.run(args, input=sql, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError(out.stderr)
    return out.stdout.strip()


def expected_rows(file):
    rows = []
    for row, region in [(3, "North"), (4, "North"), (5, "North"), (6, "South"), (7, "South")]:
        rows.append("|".join([region] + [str(row * 10 + c - 10) for c in range(1, 5)] +
                             [file, "Report", str(row)]))
    return rows


class Shapes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        os.chmod(WORK, 0o755)  # the server reads the workbooks from here
        cls.books = {}
        for name in ["report.xlsx", os.path.join("xls", "report.xls")]:
            path = os.path.join(WORK, os.path.basename(name))
            shutil.copy(os.path.join(DATA, name), path)
            os.chmod(path, 0o644)
            cls.books[os.path.splitext(name)[1]] = path
        pg_helpers.psql(ENV_FILE, f"DROP DATABASE IF EXISTS {DATABASE}", "postgres")
        pg_helpers.psql(ENV_FILE, f"CREATE DATABASE {DATABASE} TEMPLATE template0", "postgres")
        psql("CREATE EXTENSION pg_xlsx")

    def table(self, name):
        header = psql(f"SELECT string_agg(attname, '|' ORDER BY attnum) FROM pg_attribute "
                      f"WHERE attrelid = '{name}'::regclass AND attnum > 0")
        types = psql(f"SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attnum) "
                     f"FROM pg_attribute WHERE attrelid = '{name}'::regclass AND attnum > 0")
        rows = psql(f"SELECT * FROM {name} ORDER BY row").splitlines()
        return header, types, rows

    def test_client(self):
        for ext, path in self.books.items():
            table = "client" + ext.replace(".", "_")
            r = subprocess.run([XLSX2PG, "load", path, table, "--create", "--fill-merged",
                                "--header-rows", "2", "--add-columns", "file=source_file,sheet,row",
                                "-q"], env=dict(pg_helpers.pg_env(ENV_FILE), PGDATABASE=DATABASE),
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(self.table(table), (COLUMNS, TYPES, expected_rows(path)), ext)

    def test_client_without_filling_keeps_the_blanks(self):
        r = subprocess.run([XLSX2PG, "cat", self.books[".xlsx"]], capture_output=True, text=True)
        self.assertEqual(r.stdout.splitlines()[3], ",31,32,33,34")
        r = subprocess.run([XLSX2PG, "cat", "--fill-merged", self.books[".xls"]],
                           capture_output=True, text=True)
        self.assertEqual(r.stdout.splitlines()[:2],
                         ["Region,Q1,Q1,Q2,Q2", "Region,Units,Revenue,Units,Revenue"])
        # Into an existing table the joined header matches the columns by name.
        psql("CREATE TABLE existing (region text, q1_units int, q1_revenue int, q2_units int, "
             "q2_revenue int, row int)")
        r = subprocess.run([XLSX2PG, "load", self.books[".xlsx"], "existing", "--fill-merged",
                            "--header-rows", "2", "--add-columns", "row", "-q"],
                           env=dict(pg_helpers.pg_env(ENV_FILE), PGDATABASE=DATABASE),
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(psql("SELECT string_agg(region || ':' || row, ',' ORDER BY row) FROM existing"),
                         "North:3,North:4,North:5,South:6,South:7")

    def test_server_import(self):
        for ext, path in self.books.items():
            table = "server" + ext.replace(".", "_")
            loaded = psql(f"SELECT loaded FROM xlsx.import(:'book', '{table}', create_table => true, "
                          "fill_merged => true, header_rows => 2, "
                          "add_columns => 'file=source_file,sheet,row')", [("book", path)])
            self.assertEqual(loaded, "5")
            self.assertEqual(self.table(table), (COLUMNS, TYPES, expected_rows(path)), ext)
        # As bytes, the file column names what the server was given.
        psql("SELECT loaded FROM xlsx.import(pg_read_binary_file(:'book'), 'from_bytes', "
             "create_table => true, fill_merged => true, header_rows => 2, "
             "add_columns => 'file=source_file,sheet,row')", [("book", self.books[".xlsx"])])
        self.assertEqual(self.table("from_bytes")[2], expected_rows("bytea"))
        with self.assertRaisesRegex(AssertionError, "the source columns are file, sheet and row"):
            psql("SELECT * FROM xlsx.import(:'book', 'bad', create_table => true, "
                 "add_columns => 'file,colour')", [("book", self.books[".xlsx"])])
        with self.assertRaisesRegex(AssertionError, "need a header row"):
            psql("SELECT * FROM xlsx.import(:'book', 'bad', create_table => true, "
                 "no_header => true, header_rows => 2)", [("book", self.books[".xlsx"])])

    def test_foreign_tables(self):
        psql("CREATE SERVER books FOREIGN DATA WRAPPER xlsx_fdw; CREATE SCHEMA fdw_xlsx; "
             "CREATE SCHEMA fdw_xls;")
        for ext, path in self.books.items():
            schema = "fdw" + ext.replace(".", "_")
            psql(f"IMPORT FOREIGN SCHEMA x FROM SERVER books INTO {schema} OPTIONS (filename :'book', "
                 "fill_merged 'true', header_rows '2', add_columns 'file=source_file,sheet,row')",
                 [("book", path)])
            self.assertEqual(self.table(f"{schema}.report"), (COLUMNS, TYPES, expected_rows(path)), ext)
        with self.assertRaisesRegex(AssertionError, 'invalid value for option "add_columns"'):
            psql("CREATE FOREIGN TABLE fdw_xls.bad (a text) SERVER books "
                 "OPTIONS (filename :'book', add_columns 'colour')", [("book", self.books[".xls"])])


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
