#!/usr/bin/env python3
"""The way out, against the harness's server. Tables and queries are exported by
`xlsx2pg export`, by xlsx.export and xlsx.export_to_file, and by serve's GET /export, then
loaded back (xlsx2pg load and xlsx.import) into a table like the source: EXCEPT ALL both ways
empty. Independent readers open every file: openpyxl, with the value and type each cell should
have, and LibreOffice (soffice --convert-to csv), without a complaint.

Usage: export_test.py XLSX2PG GENERATE_WORKBOOK PG_ENV_FILE WORK_DIR [ROWS]
Without ROWS: the table of edge values and a 2,000-row typed directory, every path and refusal.
With ROWS (ctest's roundtrip.export_large: 1,000,000): the typed directory only, through the
client and the server, and the client's peak memory against its bound.
"""
import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request
import uuid

import openpyxl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pg_helpers  # noqa: E402

XLSX2PG, GENERATOR, ENV_FILE, WORK = sys.argv[1], sys.argv[2], sys.argv[3], os.path.abspath(sys.argv[4])
LARGE_ROWS = int(sys.argv[5]) if len(sys.argv) > 5 else 0
DATABASE = "export_test_large" if LARGE_ROWS else "export_test"
TOKEN = "t0ken-" + uuid.uuid4().hex
# The export's memory bound: the 150 MB, whatever the row count.
MAX_EXPORT_RSS_KB = 150 * 1024

EDGE_TABLE = """
CREATE TABLE edge (id int, i8 bigint, f8 float8, f4 real, n numeric, m numeric(12,2), d date,
                   ts timestamp, tz timestamptz, t time, iv interval, b boolean, s text);
INSERT INTO edge VALUES
 (1, 9007199254740993, 'NaN', 1.1, 12345678901234567890.5, 1234.50, '1900-02-28',
  '2024-01-15 10:20:30.123', '2024-01-15 10:20:30+00', '13:45:00.25', '25:30:00', true,
  '_x0041_ and 0012'),
 (2, 42, 0.30000000000000004, 'Infinity', 0.1, -0.01, '1900-03-01', '9999-12-31 23:59:59.999',
  '2024-07-01 12:00:00.5+02', '23:59:59.999', '1 mon', false,
  E'ctl\\x01\\ttab\\nnl\\rcr \\U0001F600 ' || chr(127)),
 (3, -9007199254740993, '-0', '-Infinity', 'NaN', NULL, '1899-12-31',
  '2024-01-15 10:20:30.123456', NULL, '24:00:00', '-1 day', NULL, ''),
 (4, 999999999999999, 1.7976931348623157e308, 0, 1e20, 0, 'infinity', '1900-01-01 00:00:00',
  '-infinity', '00:00:00', '1 day 02:03:04.5', NULL, NULL),
 (5, 1000000000000000000, 2.2250738585072014e-308, 3.4028235e38, 0.000001, 99999999.99,
  '2000-02-29', '1900-02-28 23:59:59', '1970-01-01 00:00:00+00', '12:00:00.000001',
  '00:00:00.001', true, repeat(U&'\\00E9', 32767)),
 (6, 0, 5e-324, 1e-45, -123456789012345, -0.5, '9999-12-31', '2000-01-01 00:00:00',
  '2024-03-31 02:30:00+00', '00:00:00.001', '838:59:59', false, '=1+1');
-- What comes back: an empty string is an empty cell, which a load reads as NULL (Excel shows
-- the two the same way).
CREATE VIEW edge_expected AS SELECT id, i8, f8, f4, n, m, d, ts, tz, t, iv, b, NULLIF(s, '') AS s
  FROM edge;
"""

D, T, TD = dt.datetime, dt.time, dt.timedelta
# What openpyxl reads from each cell of the edge table's sheet (the session's time zone is
# Europe/Berlin): numbers, dates, times, durations and booleans where the cell holds the value
# exactly, text (the server's own) where it cannot.
EDGE_CELLS = {
    1: [1, "9007199254740993", "NaN", 1.1, "12345678901234567890.5", 1234.5, D(1900, 2, 28),
        D(2024, 1, 15, 10, 20, 30, 123000), D(2024, 1, 15, 11, 20, 30), T(13, 45, 0, 250000),
        TD(hours=25, minutes=30), True, "_x0041_ and 0012"],
    2: [2, 42, "0.30000000000000004", "Infinity", 0.1, -0.01, D(1900, 3, 1),
        D(9999, 12, 31, 23, 59, 59, 999000), D(2024, 7, 1, 12, 0, 0, 500000),
        T(23, 59, 59, 999000), "1 mon", False, "ctl\x01\ttab\nnl\rcr \U0001F600 \x7f"],
    3: [3, "-9007199254740993", 0, "-Infinity", "NaN", None, "1899-12-31",
        "2024-01-15 10:20:30.123456", None, "24:00:00", "-1 days", None, None],
    4: [4, 999999999999999, "1.7976931348623157e+308", 0, 1e20, 0, "infinity", D(1900, 1, 1),
        "-infinity", T(0, 0), TD(days=1, hours=2, minutes=3, seconds=4.5), None, None],
    5: [5, "1000000000000000000", "2.2250738585072014e-308", 3.4028235e38, 1e-06, 99999999.99,
        D(2000, 2, 29), D(1900, 2, 28, 23, 59, 59), D(1970, 1, 1, 1, 0), "12:00:00.000001",
        TD(milliseconds=1), True, "\u00e9" * 32767],
    6: [6, 0, 5e-324, 1e-45, -123456789012345, -0.5, D(9999, 12, 31), D(2000, 1, 1),
        D(2024, 3, 31, 4, 30), T(0, 0, 0, 1000), TD(hours=838, minutes=59, seconds=59), False,
        "=1+1"],
}
EDGE_FORMATS = {"m": "#,##0.00", "d": "yyyy-mm-dd", "ts": "yyyy-mm-dd hh:mm:ss.000",
                "t": "hh:mm:ss.000", "iv": "[h]:mm:ss.000"}
EDGE_COLUMNS = "id i8 f8 f4 n m d ts tz t iv b s".split()


def env(**extra):
    return dict(pg_helpers.pg_env(ENV_FILE), PGDATABASE=DATABASE, **extra)


def psql(sql):
    return pg_helpers.psql(ENV_FILE, sql, DATABASE)


def xlsx2pg(*args, check=True):
    out = subprocess.run([XLSX2PG, *args], env=env(), capture_output=True, text=True)
    if check and out.returncode != 0:
        raise AssertionError(f"xlsx2pg {' '.join(args)}: rc {out.returncode}\n{out.stderr}")
    return out


def unescape(text):
    """ECMA-376's _xHHHH_ escapes, which openpyxl 3.0 leaves as written (Excel reads them)."""
    if not isinstance(text, str):
        return text
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def differences(expected, actual):
    """Rows of one table not in the other, both ways: "0|0" when they are the same."""
    return psql(f"SELECT (SELECT count(*) FROM (TABLE {expected} EXCEPT ALL TABLE {actual}) a) "
                f"|| '|' || (SELECT count(*) FROM (TABLE {actual} EXCEPT ALL TABLE {expected}) b)")


def table_like(name, source):
    psql(f"DROP TABLE IF EXISTS {name}; CREATE TABLE {name} (LIKE {source})")


def export_with_peak_memory(*args):
    """Runs xlsx2pg export under /usr/bin/time; its peak RSS in KB."""
    out = subprocess.run(["/usr/bin/time", "-f", "%M", XLSX2PG, "export", "--quiet", *args],
                         env=env(), capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError(out.stderr)
    return int(out.stderr.strip().splitlines()[-1])


def server_readable(path):
    os.chmod(path, 0o644)
    return path


def libreoffice_converts(test, paths):
    """soffice --convert-to csv opens each file without a complaint; the CSVs it wrote."""
    out_dir = os.path.join(WORK, "libreoffice")
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    profile = "file://" + os.path.join(WORK, "lo-profile")
    r = subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                        "--convert-to", "csv", "--outdir", out_dir, *paths],
                       capture_output=True, text=True, timeout=600)
    test.assertEqual(r.returncode, 0, r.stderr)
    test.assertNotRegex(r.stdout + r.stderr, r"(?i)error|corrupt|repair")
    csvs = {}
    for path in paths:
        csv = os.path.join(out_dir, os.path.splitext(os.path.basename(path))[0] + ".csv")
        test.assertTrue(os.path.exists(csv), f"LibreOffice did not convert {path}: {r.stdout}")
        with open(csv, encoding="utf-8", errors="replace") as f:
            csvs[path] = f.read()
    return csvs


class ExportTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        os.chmod(WORK, 0o1777)  # the server writes export_to_file's files here
        pg_helpers.psql(ENV_FILE, f"DROP DATABASE IF EXISTS {DATABASE}", "postgres")
        pg_helpers.psql(ENV_FILE, f"CREATE DATABASE {DATABASE} TEMPLATE template0", "postgres")
        pg_helpers.psql(ENV_FILE, f"ALTER DATABASE {DATABASE} SET timezone = 'Europe/Berlin'",
                        "postgres")
        psql("CREATE EXTENSION pg_xlsx")
        # The typed directory (text, integers, numerics, dates, booleans), loaded as tables are.
        rows = LARGE_ROWS or 2000
        book = os.path.join(WORK, "directory.xlsx")
        subprocess.run([GENERATOR, book, "--rows", str(rows), "--typed"], check=True,
                       capture_output=True)
        xlsx2pg("load", book, "directory", "--create", "--quiet")
        cls.rows = rows


@unittest.skipIf(LARGE_ROWS, "the large run checks the typed directory only")
class Export(ExportTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        psql(EDGE_TABLE)
        cls.client_file = os.path.join(WORK, "edge.xlsx")
        xlsx2pg("export", "SELECT * FROM edge ORDER BY id", cls.client_file, "--sheet", "Edge")

    def check_edge_sheet(self, path, sheet):
        book = openpyxl.load_workbook(path)
        ws = book[sheet]
        self.assertEqual([c.value for c in ws[1]], EDGE_COLUMNS)
        self.assertTrue(all(c.font.b for c in ws[1]), "the header is bold")
        self.assertEqual(ws.freeze_panes, "A2")
        self.assertEqual(ws.auto_filter.ref, "A1:M7")
        for row in ws.iter_rows(min_row=2):
            expected = EDGE_CELLS[row[0].value]
            for name, cell, want in zip(EDGE_COLUMNS, row, expected):
                got = unescape(cell.value)
                where = f"{sheet}!{cell.coordinate} ({name})"
                self.assertEqual(type(got), type(want), f"{where}: {got!r}, expected {want!r}")
                self.assertEqual(got, want, where)
                if name in EDGE_FORMATS and not isinstance(got, str) and got is not None:
                    self.assertEqual(cell.number_format, EDGE_FORMATS[name], where)
        self.assertGreater(ws.column_dimensions["S"].width or 0, 0)

    def test_client_round_trip_is_exact(self):
        table_like("edge_back", "edge_expected")
        xlsx2pg("load", self.client_file, "edge_back", "--quiet")
        self.assertEqual(differences("edge_expected", "edge_back"), "0|0")

    def test_client_file_as_openpyxl_reads_it(self):
        self.check_edge_sheet(self.client_file, "Edge")

    def test_server_round_trip_is_exact(self):
        # xlsx.export's bytea straight into xlsx.import: one statement, both in the server.
        table_like("edge_server", "edge_expected")
        psql("SELECT loaded FROM xlsx.import(xlsx.export('SELECT * FROM edge ORDER BY id', "
             "'Edge'), 'edge_server')")
        self.assertEqual(differences("edge_expected", "edge_server"), "0|0")
        # And to a server file, read back by openpyxl and imported from its path.
        path = os.path.join(WORK, "edge_server.xlsx")
        self.assertEqual(psql(f"SELECT xlsx.export_to_file('SELECT * FROM edge ORDER BY id', "
                              f"'{path}', 'Edge')"), "6")
        self.check_edge_sheet(server_readable(path), "Edge")
        table_like("edge_server_file", "edge_expected")
        psql(f"SELECT loaded FROM xlsx.import('{path}', 'edge_server_file')")
        self.assertEqual(differences("edge_expected", "edge_server_file"), "0|0")

    def test_client_and_server_write_the_same_cells(self):
        path = os.path.join(WORK, "edge_bytes.xlsx")
        out = subprocess.run(["psql", "-XAt", "-c",
                              "SELECT xlsx.export('SELECT * FROM edge ORDER BY id', 'Edge')"],
                             env=env(), capture_output=True, check=True)
        with open(path, "wb") as f:
            f.write(bytes.fromhex(out.stdout.decode().strip()[2:]))
        cat = [xlsx2pg("cat", p).stdout for p in (self.client_file, path)]
        self.assertEqual(cat[0], cat[1])

    def test_notes_say_which_values_are_text(self):
        out = xlsx2pg("export", "edge", os.path.join(WORK, "edge_notes.xlsx"))
        self.assertIn('sheet "edge" column "f8": 3 values written as text', out.stdout)
        self.assertIn("(17 significant digits, one more than a number cell keeps)", out.stdout)
        self.assertIn('column "tz": timestamp with time zone, written as the wall time in the '
                      "session's time zone Europe/Berlin", out.stdout)
        self.assertIn('column "d": 2 values written as text (outside Excel\'s dates', out.stdout)

    def test_typed_directory_round_trips_through_every_path(self):
        self.assertEqual(psql("SELECT count(*) FROM directory"), str(self.rows))
        client = os.path.join(WORK, "directory_out.xlsx")
        xlsx2pg("export", "directory", client, "--quiet")
        table_like("directory_client", "directory")
        xlsx2pg("load", client, "directory_client", "--quiet")
        self.assertEqual(differences("directory", "directory_client"), "0|0")
        table_like("directory_server", "directory")
        psql("SELECT loaded FROM xlsx.import(xlsx.export('TABLE directory'), 'directory_server')")
        self.assertEqual(differences("directory", "directory_server"), "0|0")
        book = openpyxl.load_workbook(client, read_only=True)
        first = next(book["directory"].iter_rows(min_row=2, max_row=2, values_only=True))
        types = [type(v).__name__ for v in first]
        self.assertEqual(types[0], "int")
        self.assertIn("datetime", types)
        self.assertIn("bool", types)

    def test_several_sheets_in_one_snapshot(self):
        path = os.path.join(WORK, "several.xlsx")
        out = xlsx2pg("export", "SELECT id, s FROM edge WHERE id < 3 ORDER BY id", path,
                      "--query", "public.directory", "--query", "VALUES (1, 'x'), (2, 'y')",
                      "--sheet", "Edges", "--sheet", "Directory", "--json")
        self.assertIn('"rows": ' + str(self.rows + 4), out.stdout)
        book = openpyxl.load_workbook(path, read_only=True)
        self.assertEqual(book.sheetnames, ["Edges", "Directory", "Sheet3"])
        self.assertEqual([r for r in book["Sheet3"].iter_rows(values_only=True)],
                         [("column1", "column2"), (1, "x"), (2, "y")])

    def test_refusals_leave_no_file(self):
        path = os.path.join(WORK, "refused.xlsx")
        long_text = "SELECT 1 AS id, repeat('a', 32768) AS body"
        r = xlsx2pg("export", long_text, path, check=False)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("[invalid_value]", r.stderr)
        self.assertIn('refused.xlsx: sheet "Sheet1" cell B2: column "body": text of 32768 '
                      "characters, more than a cell holds (32,767)", r.stderr)
        self.assertFalse(os.path.exists(path))
        r = xlsx2pg("export", long_text, path, "--truncate-long-text")
        self.assertIn("cut to the 32,767 characters a cell holds", r.stdout)
        self.assertEqual(len(openpyxl.load_workbook(path)["Sheet1"]["B2"].value), 32767)
        os.remove(path)
        r = xlsx2pg("export", "SELECT 1; SELECT 2", path, check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("[database]", r.stderr)
        r = xlsx2pg("export", "no_such_table", path, check=False)
        self.assertIn('relation "no_such_table" does not exist', r.stderr)
        r = xlsx2pg("export", "DELETE FROM edge RETURNING *", path, check=False)
        self.assertIn("read-only transaction", r.stderr)
        self.assertEqual(psql("SELECT count(*) FROM edge"), "6")
        self.assertEqual(sorted(f for f in os.listdir(WORK) if f.startswith(".")), [],
                         "a partial file was left")

    def test_interrupt_leaves_no_file(self):
        path = os.path.join(WORK, "interrupted.xlsx")
        proc = subprocess.Popen([XLSX2PG, "export", "--quiet", "SELECT g, repeat('x', 200) "
                                 "FROM generate_series(1, 100000000) g", path],
                                env=env(), stderr=subprocess.PIPE, text=True)
        # Waits for the COPY to be running (a state, polled), then asks the export to stop.
        for _ in range(1200):
            if psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'xlsx2pg' "
                    "AND datname = current_database() AND query LIKE 'COPY (%'") == "1":
                break
            time.sleep(0.1)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        # The bound is the behaviour: an export stops promptly when asked.
        _, stderr = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 130, stderr)
        self.assertIn("export interrupted by SIGINT; nothing was written", stderr)
        self.assertFalse(os.path.exists(path))
        self.assertEqual([f for f in os.listdir(WORK) if f.startswith(".interrupted")], [])

    def test_export_to_file_needs_pg_write_server_files(self):
        psql("DROP ROLE IF EXISTS export_test_reader; CREATE ROLE export_test_reader; "
             "GRANT SELECT ON edge TO export_test_reader")
        path = os.path.join(WORK, "not_allowed.xlsx")
        out = subprocess.run(
            ["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", "SET ROLE export_test_reader",
             "-c", f"SELECT xlsx.export_to_file('TABLE edge', '{path}')"],
            env=env(), capture_output=True, text=True)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("permission denied", out.stderr)
        self.assertFalse(os.path.exists(path))
        # The bytea form runs the query with the caller's rights: what it may read, no more.
        out = subprocess.run(["psql", "-XAtq", "-c", "SET ROLE export_test_reader",
                              "-c", "SELECT length(xlsx.export('TABLE edge')) > 0",
                              "-c", "SELECT xlsx.export('TABLE directory')"],
                             env=env(), capture_output=True, text=True)
        self.assertIn("t", out.stdout)
        self.assertIn("permission denied for table directory", out.stderr)
        out = subprocess.run(["psql", "-XAtq", "-c",
                              "SELECT xlsx.export_to_file('TABLE edge', 'relative.xlsx')"],
                             env=env(), capture_output=True, text=True)
        self.assertIn("relative path not allowed", out.stderr)

    def test_serve_exports_tables_named_queries_and_rejects(self):
        token_file = os.path.join(WORK, "token")
        with open(token_file, "w") as f:
            f.write(TOKEN + "\n")
        queries = os.path.join(WORK, "queries.json")
        with open(queries, "w") as f:
            f.write('{"edge-report": "SELECT * FROM edge ORDER BY id"}')
        temp = os.path.join(WORK, "serve-temp")
        os.makedirs(temp)
        port = pg_helpers.free_port()
        server = subprocess.Popen(
            [XLSX2PG, "serve", "--listen", f"127.0.0.1:{port}", "--token-file", token_file,
             "--export-queries", queries, "--temp-dir", temp], env=env(),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            def get(path, token=TOKEN):
                req = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
                if token:
                    req.add_header("Authorization", f"Bearer {token}")
                try:
                    with urllib.request.urlopen(req, timeout=120) as res:
                        return res.status, res.headers, res.read()
                except urllib.error.HTTPError as e:
                    return e.code, e.headers, e.read()
                except OSError:
                    return None, None, None

            for _ in range(300):
                if get("/health")[0] == 200:
                    break
                time.sleep(0.1)
            status, headers, body = get("/export?table=edge")
            self.assertEqual(status, 200, body)
            self.assertIn('filename="edge.xlsx"', headers["Content-Disposition"])
            served = os.path.join(WORK, "served_edge.xlsx")
            with open(served, "wb") as f:
                f.write(body)
            table_like("edge_served", "edge_expected")
            xlsx2pg("load", served, "edge_served", "--quiet")
            self.assertEqual(differences("edge_expected", "edge_served"), "0|0")
            self.check_edge_sheet(served, "edge")

            status, _, body = get("/export?query_name=edge-report")
            self.assertEqual(status, 200, body)
            named = os.path.join(WORK, "served_named.xlsx")
            with open(named, "wb") as f:
                f.write(body)
            self.check_edge_sheet(named, "edge-report")

            self.assertEqual(get("/export?table=edge", token=None)[0], 401)
            self.assertEqual(get("/export?query_name=nope")[0], 404)
            self.assertEqual(get("/export?table=xlsx.import_runs")[0], 404)  # not allowed
            self.assertEqual(get("/export?table=pg_catalog.pg_authid")[0], 404)
            self.assertEqual(get("/export?table=edge;drop")[0], 400)
            self.assertEqual(get("/export")[0], 400)

            # The rejects of a run, as the upload page offers them beside the CSV.
            psql("CREATE TABLE small (id integer, body text)")
            book = os.path.join(WORK, "rejected.xlsx")
            xlsx2pg("export", "VALUES (1, 'a'), (NULL, 'b'), (2, 'c')", book, "--quiet")
            psql("DROP TABLE small; CREATE TABLE small (column1 integer NOT NULL, column2 text)")
            r = xlsx2pg("load", book, "small", "--json", check=False)
            run = re.search(r'"run_id": (\d+)', r.stdout).group(1)
            status, headers, body = get(f"/runs/{run}/rejects.xlsx")
            self.assertEqual(status, 200, body)
            rejects = os.path.join(WORK, "rejects.xlsx")
            with open(rejects, "wb") as f:
                f.write(body)
            rows = list(openpyxl.load_workbook(rejects)["Rejects"].iter_rows(values_only=True))
            self.assertEqual(rows[0], ("sheet_row", "column", "value", "target_type", "reason"))
            self.assertEqual(rows[1][:2], (3, "column1"))
            self.assertEqual(os.listdir(temp), [], "an export was left in the temp dir")
            self.assertEqual(libreoffice_converts(self, [served, named, rejects,
                                                         self.client_file])[served].split("\n")[0],
                             ",".join(EDGE_COLUMNS))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)


@unittest.skipUnless(LARGE_ROWS, "the large run only")
class LargeExport(ExportTestCase):
    def test_a_million_rows_round_trip_in_bounded_memory(self):
        client = os.path.join(WORK, "directory_out.xlsx")
        peak_kb = export_with_peak_memory("directory", client)
        self.assertLessEqual(peak_kb, MAX_EXPORT_RSS_KB, f"peak RSS {peak_kb} KB")
        table_like("directory_client", "directory")
        xlsx2pg("load", client, "directory_client", "--quiet")
        self.assertEqual(differences("directory", "directory_client"), "0|0")
        server = os.path.join(WORK, "directory_server.xlsx")
        self.assertEqual(psql(f"SELECT xlsx.export_to_file('TABLE directory', '{server}')"),
                         str(self.rows))
        table_like("directory_server", "directory")
        psql(f"SELECT loaded FROM xlsx.import('{server_readable(server)}', 'directory_server')")
        self.assertEqual(differences("directory", "directory_server"), "0|0")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
