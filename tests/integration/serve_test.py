#!/usr/bin/env python3
"""xlsx2pg serve against the harness's server, through a real HTTP client on loopback.

Usage: serve_test.py XLSX2PG GENERATE_WORKBOOK PG_ENV_FILE WORK_DIR
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pg_helpers  # noqa: E402
from pg_helpers import free_port  # noqa: E402

XLSX2PG, GENERATOR, ENV_FILE, WORK = sys.argv[1:5]
CORPUS = os.environ.get("XLSX_CORPUS_DIR", os.path.join(os.path.dirname(__file__), "../../../shared/corpus"))
TOKEN = "t0ken-" + uuid.uuid4().hex
DATABASE = "serve_test"
ROWS = 2000


def pg_env():
    return pg_helpers.pg_env(ENV_FILE)


def psql(sql, database=DATABASE):
    return pg_helpers.psql(ENV_FILE, sql, database)


def multipart(filename, content, field="file"):
    boundary = "xlsx2pg" + uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
            f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    body = head + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Serve(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(os.path.join(WORK, "uploads"))
        cls.uploads = os.path.join(WORK, "uploads")
        psql(f"DROP DATABASE IF EXISTS {DATABASE}", "postgres")
        psql(f"CREATE DATABASE {DATABASE}", "postgres")
        psql("CREATE EXTENSION pg_xlsx")
        cls.book = os.path.join(WORK, "directory.xlsx")
        subprocess.run([GENERATOR, cls.book, "--rows", str(ROWS), "--typed"], check=True,
                       capture_output=True)
        with open(cls.book, "rb") as f:
            cls.book_bytes = f.read()
        token_file = os.path.join(WORK, "token")
        with open(token_file, "w") as f:
            f.write(TOKEN + "\n")
        cls.token_file = token_file
        cls.port, cls.server = cls.start_server(
            "--max-upload-size", str(len(cls.book_bytes) * 3), "--max-concurrent", "2",
            "--max-uploads", "3", "--min-upload-rate", "20000")

    @classmethod
    def start_server(cls, *flags):
        port = free_port()
        server = subprocess.Popen(
            [XLSX2PG, "serve", "--listen", f"127.0.0.1:{port}", "-d", DATABASE,
             "--token-file", cls.token_file, "--temp-dir", cls.uploads, "-c", "2", *flags],
            env=pg_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(100):
            try:
                if cls.request("GET", "/health", port=port)[0] == 200:
                    return port, server
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the server did not come up")

    @classmethod
    def tearDownClass(cls):
        cls.server.send_signal(signal.SIGTERM)
        assert cls.server.wait(timeout=30) == 0

    @classmethod
    def request(cls, method, path, body=None, content_type=None, token=TOKEN, port=None,
                headers=None):
        port = port or cls.port
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method,
                                     headers=headers or {})
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        if content_type:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, timeout=120) as res:
                return res.status, json.loads(res.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def upload(self, query, filename="directory.xlsx", content=None, token=TOKEN, port=None,
               headers=None):
        body, content_type = multipart(filename, self.book_bytes if content is None else content)
        return self.request("POST", "/upload?" + query, body, content_type, token, port, headers)

    def health(self, key):
        return self.request("GET", "/health")[1].get(key)

    def tearDown(self):
        self.assertEqual(os.listdir(self.uploads), [], "a temporary upload was left behind")

    def test_health_checks_the_database(self):
        status, body = self.request("GET", "/health")
        self.assertEqual(status, 200)
        self.assertEqual(body["database"], "ok")
        self.assertEqual(body["extension"],
                         psql("SELECT extversion FROM pg_extension WHERE extname = 'pg_xlsx'"))
        self.assertRegex(body["extension"], r"^\d+\.\d+$")

    def test_token_is_required(self):
        self.assertEqual(self.request("GET", "/health", token=None)[0], 401)
        self.assertEqual(self.request("GET", "/health", token=TOKEN + "x")[0], 401)
        self.assertEqual(self.upload("table=nope&create=true", token="wrong")[0], 401)
        self.assertEqual(psql("SELECT to_regclass('nope') IS NULL"), "t")

    def test_upload_per_method(self):
        for method in ("copy", "batch", "insert"):
            with self.subTest(method=method):
                status, body = self.upload(f"table=by_{method}&create=true&method={method}&mode=direct")
                self.assertEqual(status, 200, body)
                load = body["loads"][0]
                self.assertEqual((load["method"], load["rows_loaded"]), (method, ROWS))
                self.assertEqual(psql(f"SELECT count(*) FROM by_{method}"), str(ROWS))
                status, stats = self.request("GET", f"/runs/{load['run_id']}")
                self.assertEqual(status, 200)
                self.assertEqual((stats["total_records"], stats["loaded"], stats["file_name"]),
                                 (ROWS, ROWS, "directory.xlsx"))

    def test_staging_upsert(self):
        status, body = self.upload("table=keyed_new&create=true")
        self.assertEqual(status, 200, body)
        psql("ALTER TABLE keyed_new ADD PRIMARY KEY (id)")
        status, body = self.upload("table=keyed_new&upsert=id")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["loads"][0]["rows_updated"], ROWS)
        self.assertEqual(psql("SELECT count(*) FROM keyed_new"), str(ROWS))

    def test_ranges_excel_tables_and_stop_at_empty(self):
        # The directory's first two columns of ten rows: A1:B11 with its header.
        status, body = self.upload("table=ranged&create=true&range=A1:B11")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["loads"][0]["rows_loaded"], 10)
        self.assertEqual(psql("SELECT count(*) FROM pg_attribute WHERE attrelid = 'ranged'::regclass "
                              "AND attnum > 0"), "2")
        status, body = self.upload("table=ranged&range=B9:A1")
        self.assertEqual((status, body["error"]), (400, "range must be a range such as A5:H200, A5:H or B:F"))
        status, body = self.upload("table=ranged&stop_at_empty=maybe")
        self.assertEqual(status, 400)
        status, body = self.upload("table=ranged&table_name=Nope")
        self.assertEqual(status, 422, body)
        self.assertIn('no Excel table named "Nope"', body["error"])
        # Column I (Website) is sparse: the range's rows end at its first empty cell with
        # stop_at_empty, and go on to the last row without it.
        status, body = self.upload("table=stopped&create=true&range=I1:I2001&stop_at_empty=true")
        self.assertEqual(status, 200, body)
        stopped = body["loads"][0]["rows_loaded"]
        status, body = self.upload("table=unstopped&create=true&range=I1:I2001")
        self.assertEqual(status, 200, body)
        self.assertTrue(0 < stopped < body["loads"][0]["rows_loaded"], (stopped, body))
        self.assertEqual(psql("SELECT count(*) FROM stopped"), str(stopped))

    def test_concurrent_uploads(self):
        self.assertEqual(self.upload("table=together&create=true")[0], 200)
        psql("TRUNCATE together")
        results = []
        threads = [threading.Thread(target=lambda: results.append(self.upload("table=together")))
                   for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(r[0] for r in results), [200, 200], results)
        self.assertEqual(psql("SELECT count(*) FROM together"), str(2 * ROWS))

    def test_slow_uploads_hold_no_import_slot_and_are_dropped(self):
        # Clients that send an upload a byte a second (below --min-upload-rate 20000).
        def trickle():
            s = socket.create_connection(("127.0.0.1", self.port))
            s.sendall((f"POST /upload?table=held HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
                       f"Content-Type: multipart/form-data; boundary=held\r\n"
                       f"Content-Length: 100000\r\n\r\n--held\r\n").encode())
            s.settimeout(0.9)
            outcome = "still open"
            started = time.monotonic()
            while time.monotonic() - started < 30:
                try:
                    s.sendall(b"x")
                    answer = s.recv(4096)
                except socket.timeout:
                    continue
                except OSError:
                    answer = b""
                # Dropped: a 408 when it reaches the client first, else the closed socket.
                outcome = answer.split(b"\r\n")[0].decode(errors="replace") or "closed"
                break
            s.close()
            slow.append((outcome, time.monotonic() - started))

        slow = []
        threads = [threading.Thread(target=trickle) for _ in range(2)]
        for t in threads:
            t.start()
        for _ in range(100):
            if self.health("uploads_arriving") == 2:
                break
            time.sleep(0.1)
        self.assertEqual(self.health("uploads_arriving"), 2)
        # Both import slots are still free: a normal upload goes through at once.
        status, body = self.upload("table=while_slow&create=true")
        self.assertEqual(status, 200, body)
        # Uploads arriving at once are bounded apart (--max-uploads 3).
        third = threading.Thread(target=trickle)
        third.start()
        for _ in range(100):
            if self.health("uploads_arriving") == 3:
                break
            time.sleep(0.1)
        status, body = self.upload("table=one_too_many&create=true")
        self.assertEqual(status, 429, body)
        for t in threads + [third]:
            t.join()
        # Each slow client was dropped soon after the grace of 5 s.
        self.assertTrue(all(a in ("HTTP/1.1 408 Request Timeout", "closed") for a, _ in slow), slow)
        self.assertTrue(all(seconds < 10 for _, seconds in slow), slow)
        self.assertEqual(self.health("uploads_arriving"), 0)
        self.assertEqual(psql("SELECT to_regclass('held') IS NULL"), "t")

    def test_only_allowed_schemas_are_targets(self):
        psql("CREATE SCHEMA IF NOT EXISTS other")
        for table in ("other.t", "xlsx_staging.evil", "xlsx.evil"):
            status, body = self.upload(f"table={table}&create=true")
            self.assertEqual((status, body.get("error_kind")), (403, "forbidden_target"), (table, body))
        self.assertIn("this service may write into public", self.upload("table=other.t&create=true")[1]["error"])
        self.assertEqual(psql("SELECT count(*) FROM pg_tables WHERE tablename IN ('t', 'evil') "
                              "AND schemaname IN ('other', 'xlsx_staging', 'xlsx')"), "0")
        port, server = self.start_server("--allow-schema", "public", "--allow-schema", "other")
        try:
            status, body = self.upload("table=other.t&create=true", port=port)
            self.assertEqual(status, 200, body)
            status, body = self.upload("table=xlsx_staging.evil&create=true", port=port)
            self.assertEqual(status, 403, body)
        finally:
            server.send_signal(signal.SIGTERM)
            self.assertEqual(server.wait(timeout=30), 0)
        self.assertEqual(psql("SELECT count(*) FROM other.t"), str(ROWS))

    def test_shutdown_interrupts_imports_in_flight(self):
        big = os.path.join(WORK, "big.xlsx")
        subprocess.run([GENERATOR, big, "--rows", "300000"], check=True, capture_output=True)
        with open(big, "rb") as f:
            content = f.read()
        port, server = self.start_server("--max-upload-size", str(len(content) * 2))
        result = []
        t = threading.Thread(target=lambda: result.append(
            self.upload("table=cut_short&create=true", filename="big.xlsx", content=content, port=port)))
        t.start()
        for _ in range(300):
            if psql("SELECT count(*) FROM xlsx.import_chunks c JOIN xlsx.import_runs r USING (run_id) "
                    "WHERE r.target_table = 'public.cut_short'") != "0":
                break
            time.sleep(0.05)
        server.send_signal(signal.SIGTERM)
        self.assertEqual(server.wait(timeout=30), 0)
        t.join()
        self.assertEqual(result[0][0], 503, result)
        self.assertEqual(result[0][1].get("error_kind"), "interrupted", result)
        self.assertEqual(psql("SELECT state FROM xlsx.import_runs WHERE target_table = 'public.cut_short'"),
                         "interrupted")
        self.assertEqual(psql("SELECT to_regclass('cut_short') IS NULL"), "t")

    def test_page_inspect_tables_and_rejects_csv(self):
        # The page and its files need no token (they hold no data); every API call does.
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/") as page:
            self.assertIn("default-src 'none'", page.headers["Content-Security-Policy"])
            self.assertIn('<script src="/app.js"', page.read().decode())
        self.assertEqual(self.request("GET", "/tables", token=None)[0], 401)
        body, content_type = multipart("book.xlsx", self.book_bytes)
        status, info = self.request("POST", "/inspect", body, content_type)
        self.assertEqual(status, 200, info)
        self.assertEqual(info["file"], "book.xlsx")
        self.assertEqual([(s["name"], s["rows"], s["columns"]) for s in info["sheets"]],
                         [("Directory", ROWS + 1, 15)])
        body, content_type = multipart("old.xlsx", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + bytes(600))
        status, info = self.request("POST", "/inspect", body, content_type)
        self.assertEqual((status, info.get("error_kind")), (422, "not_workbook"), info)
        self.assertNotIn(self.uploads, info["error"])  # the temporary file's name stays inside
        body, content_type = multipart("data.csv", b"a,b\n")
        self.assertEqual(self.request("POST", "/inspect", body, content_type)[0], 415)
        # Tables in the allowed schemas that the role can insert into.
        psql("CREATE TABLE IF NOT EXISTS listed (id integer)")
        status, tables = self.request("GET", "/tables")
        self.assertEqual(status, 200)
        self.assertIn({"schema": "public", "name": "listed", "qualified_name": "public.listed"}, tables)
        # Rejects of a run as CSV, every one of them.
        schema = subprocess.run([XLSX2PG, "schema", self.book, "strict_rating"], check=True,
                                capture_output=True, text=True).stdout
        psql(schema.replace('"rating" numeric', '"rating" integer'))
        status, body = self.upload("table=strict_rating")
        self.assertEqual(status, 200, body)
        run, rejected = body["loads"][0]["run_id"], body["loads"][0]["rows_rejected"]
        self.assertGreater(rejected, 10)
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/runs/{run}/rejects.csv")
        req.add_header("Authorization", f"Bearer {TOKEN}")
        with urllib.request.urlopen(req) as res:
            self.assertIn("attachment", res.headers["Content-Disposition"])
            lines = res.read().decode().splitlines()
        self.assertEqual(lines[0], "sheet_row,column,value,target_type,reason")
        self.assertEqual(len(lines) - 1, rejected)
        self.assertEqual(self.request("GET", "/uploads/0123-abcd")[0], 404)

    def test_password_protected_workbooks(self):
        # Excel 2007's standard encryption, from Apache POI's tests; the password in a header.
        book = open(os.path.join(CORPUS, "files", "poi__58616.xlsx"), "rb").read()
        body, content_type = multipart("scores.xlsx", book)
        status, sheets = self.request("POST", "/inspect", body, content_type,
                                      headers={"X-Workbook-Password": "VelvetSweatshop"})
        self.assertEqual(status, 200, sheets)
        self.assertEqual(sheets["sheets"][0]["name"], "Template")
        status, err = self.request("POST", "/inspect", body, content_type)
        self.assertEqual((status, err["error_kind"]), (422, "encrypted"), err)
        status, err = self.upload("table=scores&create=true", "scores.xlsx", book,
                                  headers={"X-Workbook-Password": "Velvet"})
        self.assertEqual((status, err["error_kind"]), (422, "wrong_password"), err)
        self.assertNotIn("Velvet", json.dumps(err))
        status, body = self.upload("table=scores&create=true&sheet=Categories", "scores.xlsx",
                                   book, headers={"X-Workbook-Password": "VelvetSweatshop"})
        self.assertEqual(status, 200, body)
        self.assertEqual(psql("SELECT count(*) > 0 FROM scores"), "t")

    def test_legacy_xls_workbooks(self):
        # Written by LibreOffice (tests/data/xls): listed, then loaded with its types.
        xls_dir = os.path.join(os.path.dirname(__file__), "..", "data", "xls")
        book = open(os.path.join(xls_dir, "forms.xls"), "rb").read()
        body, content_type = multipart("forms.xls", book)
        status, info = self.request("POST", "/inspect", body, content_type)
        self.assertEqual(status, 200, info)
        self.assertEqual([(s["name"], s["state"]) for s in info["sheets"]],
                         [("Formulas", "visible"), ("Hidden one", "hidden")])
        book = open(os.path.join(xls_dir, "typed.xls"), "rb").read()
        status, body = self.upload("table=typed_xls&create=true", "typed.xls", book)
        self.assertEqual(status, 200, body)
        self.assertEqual(psql("SELECT count(*), min(founded)::text, bool_or(active) FROM typed_xls"),
                         "300|1950-01-08|t")

    def test_reports_with_merged_cells(self):
        # Two header rows under merged group titles, regions merged down; the file column
        # names the upload as sent.
        book = open(os.path.join(os.path.dirname(__file__), "..", "data", "report.xlsx"), "rb").read()
        status, body = self.upload("table=report&create=true&fill_merged=true&header_rows=2"
                                   "&add_columns=file,row", "q1-report.xlsx", book)
        self.assertEqual(status, 200, body)
        self.assertEqual(psql("SELECT string_agg(concat_ws(':', region, q2_revenue, file, row), ',' "
                              "ORDER BY row) FROM report"),
                         "North:24:q1-report.xlsx:3,North:34:q1-report.xlsx:4,"
                         "North:44:q1-report.xlsx:5,South:54:q1-report.xlsx:6,"
                         "South:64:q1-report.xlsx:7")
        status, body = self.upload("table=report2&create=true&add_columns=colour", "r.xlsx", book)
        self.assertEqual(status, 400, body)

    def test_oversized_upload(self):
        status, body = self.upload("table=big&create=true", content=self.book_bytes * 4)
        self.assertEqual(status, 413, body)
        self.assertEqual(psql("SELECT to_regclass('big') IS NULL"), "t")

    def test_hostile_filename_is_only_a_label(self):
        status, body = self.upload("table=hostile&create=true", filename='../../etc/x";DROP TABLE y;--.xlsx')
        self.assertEqual(status, 200, body)
        run = body["loads"][0]["run_id"]
        self.assertEqual(psql(f"SELECT file_name FROM xlsx.import_runs WHERE run_id = {run}"),
                         'x";DROP TABLE y;--.xlsx')
        self.assertFalse(os.path.exists("/etc/x\";DROP TABLE y;--.xlsx"))

    def test_client_errors(self):
        self.assertEqual(self.upload("table=t", filename="data.csv")[0], 415)
        self.assertEqual(self.upload("table=t&mode=fast")[0], 400)
        self.assertEqual(self.upload("table=t&colour=red")[0], 400)
        self.assertEqual(self.upload("table=t&upsert=id&mode=direct")[0], 400)
        # A table that is not SQL name syntax is refused with the quoted form that would work.
        status, body = self.upload("table=Sales%202024&create=true")
        self.assertEqual(status, 400, body)
        self.assertIn('quote it: "Sales 2024"', body["error"])
        status, body = self.upload("table=%22Sales%202024%22&create=true")
        self.assertEqual(status, 200, body)
        body, content_type = multipart("a.xlsx", self.book_bytes, field="other")
        self.assertEqual(self.request("POST", "/upload?table=t", body, content_type)[0], 400)
        self.assertEqual(self.request("POST", "/upload?table=t", b"raw", "application/octet-stream")[0], 400)
        ole2 = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
        status, body = self.upload("table=t&create=true", filename="old.xlsx", content=ole2 + bytes(600))
        self.assertEqual((status, body.get("error_kind")), (422, "not_workbook"), body)
        encrypted = ole2 + bytes(100) + "EncryptionInfo".encode("utf-16-le")
        status, body = self.upload("table=t&create=true", filename="secret.xlsx", content=encrypted)
        self.assertEqual((status, body.get("error_kind")), (422, "encrypted"), body)
        status, body = self.upload("table=no_such_table")
        self.assertEqual(status, 422, body)
        self.assertEqual(self.request("GET", "/runs/99999999")[0], 404)
        self.assertEqual(self.request("GET", "/nowhere")[0], 404)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
