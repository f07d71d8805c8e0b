#!/usr/bin/python3
"""serve's upload page in a real browser: Debian's headless Chromium driven by Selenium (Debian's
python3-selenium, hence /usr/bin/python3), against a real `xlsx2pg serve` and the harness's
server. A person's steps: give the token, pick a workbook, see its sheets, load it into a new
table, read the counts; load bad rows and look at the rejects and their CSV and workbook; meet the errors.

Usage: browser_test.py XLSX2PG GENERATE_WORKBOOK PG_ENV_FILE WORK_DIR
Saves a screenshot of each result page in WORK_DIR.
"""
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import uuid

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pg_helpers  # noqa: E402
from pg_helpers import free_port  # noqa: E402

XLSX2PG, GENERATOR, ENV_FILE, WORK = sys.argv[1:5]
TOKEN = "browser-" + uuid.uuid4().hex
DATABASE = "browser_test"
ROWS = 3000


def pg_env():
    return pg_helpers.pg_env(ENV_FILE)


def psql(sql, database=DATABASE):
    return pg_helpers.psql(ENV_FILE, sql, database)


class UploadPage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(os.path.join(WORK, "uploads"))
        cls.downloads = os.path.join(WORK, "downloads")
        os.makedirs(cls.downloads)
        psql(f"DROP DATABASE IF EXISTS {DATABASE}", "postgres")
        psql(f"CREATE DATABASE {DATABASE}", "postgres")
        psql("CREATE EXTENSION pg_xlsx")
        cls.book = os.path.join(WORK, "directory.xlsx")
        subprocess.run([GENERATOR, cls.book, "--rows", str(ROWS), "--typed"], check=True,
                       capture_output=True)
        token_file = os.path.join(WORK, "token")
        with open(token_file, "w") as f:
            f.write(TOKEN + "\n")
        cls.port = free_port()
        cls.server = subprocess.Popen(
            [XLSX2PG, "serve", "--listen", f"127.0.0.1:{cls.port}", "-d", DATABASE,
             "--token-file", token_file, "--temp-dir", os.path.join(WORK, "uploads"),
             "--max-upload-size", str(os.path.getsize(cls.book) * 2)],
            env=pg_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        # As this machine needs Chromium started: headless, no sandbox as root, no network
        # of its own, a fresh profile.
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                     "--window-size=1200,1500", f"--user-data-dir={tempfile.mkdtemp()}"):
            options.add_argument(flag)
        cls.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        cls.driver.execute_cdp_cmd("Page.setDownloadBehavior",
                                   {"behavior": "allow", "downloadPath": cls.downloads})
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", cls.port)).close()
                break
            except OSError:
                time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.server.send_signal(signal.SIGTERM)
        cls.server.wait(timeout=30)

    # A person's steps ---------------------------------------------------------------------

    def el(self, element_id):
        return self.driver.find_element("id", element_id)

    def wait(self, condition, seconds=60):
        try:
            return WebDriverWait(self.driver, seconds).until(lambda d: condition())
        except Exception:
            self.driver.save_screenshot(os.path.join(WORK, f"timeout-{self._testMethodName}.png"))
            raise AssertionError("timed out; the page says: " + self.el("message").text)

    def open_page(self, token=TOKEN):
        self.driver.get(f"http://127.0.0.1:{self.port}/")
        self.driver.execute_script("sessionStorage.clear()")
        self.driver.refresh()
        self.wait(lambda: self.el("token-box").is_displayed())  # the service asks for it
        self.el("token").send_keys(token)
        self.el("token-save").click()
        if token == TOKEN:
            self.wait(lambda: not self.el("token-box").is_displayed())

    def pick(self, path):
        self.el("file").send_keys(path)

    def load_into(self, table, create):
        self.wait(lambda: self.el("options").is_displayed())
        self.el("table").clear()
        self.el("table").send_keys(table)
        if create != self.el("create").is_selected():
            self.el("create").click()
        self.el("upload").click()
        self.wait(lambda: self.el("result").is_displayed() or self.el("message").text, 120)
        self.assertEqual(self.el("message").text, "")

    def number(self, element_id):
        return int(self.el(element_id).text.replace(",", ""))

    # The tests ----------------------------------------------------------------------------

    def test_a_workbook_into_a_new_table(self):
        self.open_page()
        self.pick(self.book)
        self.wait(lambda: len(self.driver.find_elements("css selector", "#sheet option")) == 1)
        self.assertIn("Directory", self.el("sheet").text)
        self.assertIn("3,001 rows, 15 columns", self.el("sheet").text)
        self.load_into("from_browser", create=True)
        self.driver.save_screenshot(os.path.join(WORK, "result-new-table.png"))
        self.assertEqual(self.number("rows-read"), ROWS)
        self.assertEqual(self.number("rows-loaded"), ROWS)
        self.assertEqual(self.number("rows-rejected"), 0)
        self.assertEqual(psql("SELECT count(*) FROM from_browser"), str(ROWS))
        self.assertFalse(self.el("rejects-box").is_displayed())
        # The new table is offered next time.
        self.open_page()
        self.wait(lambda: "public.from_browser" in self.driver.execute_script(
            "return [...document.querySelectorAll('#tables option')].map(o => o.value)"))

    def test_a_report_with_merged_cells_and_two_header_rows(self):
        self.open_page()
        self.pick(os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "data", "report.xlsx")))
        self.wait(lambda: "Report" in self.el("sheet").text)
        self.el("fill-merged").click()
        self.el("header-rows").clear()
        self.el("header-rows").send_keys("2")
        self.el("add-sources").click()
        self.load_into("report_from_browser", create=True)
        self.assertEqual(self.number("rows-loaded"), 5)
        self.assertEqual(psql("SELECT string_agg(concat_ws(':', region, q1_units, file, sheet, row), ',' "
                              "ORDER BY row) FROM report_from_browser"),
                         "North:21:report.xlsx:Report:3,North:31:report.xlsx:Report:4,"
                         "North:41:report.xlsx:Report:5,South:51:report.xlsx:Report:6,"
                         "South:61:report.xlsx:Report:7")

    def test_bad_rows_show_as_rejects_and_download_as_csv(self):
        # rating holds fractions (4.9): an integer column rejects every row whose rating has one.
        schema = subprocess.run([XLSX2PG, "schema", self.book, "with_rejects"], check=True,
                                capture_output=True, text=True).stdout
        psql(schema.replace('"rating" numeric', '"rating" integer'))
        self.open_page()
        self.pick(self.book)
        self.load_into("with_rejects", create=False)
        self.driver.save_screenshot(os.path.join(WORK, "result-rejects.png"))
        rejected = self.number("rows-rejected")
        run = self.el("run").text.split()[0]
        self.assertGreater(rejected, 0)
        self.assertEqual(self.number("rows-loaded") + rejected, ROWS)
        self.assertEqual(psql("SELECT count(*) FROM with_rejects"), str(ROWS - rejected))
        self.assertEqual(psql(f"SELECT count(*) FROM xlsx.rejects WHERE run_id = {run}"), str(rejected))
        shown = [[td.text for td in tr.find_elements("css selector", "td")]
                 for tr in self.driver.find_elements("css selector", "#rejects tbody tr")]
        self.assertEqual(len(shown), min(10, rejected))
        first = psql(f"SELECT sheet_row || '|' || column_name || '|' || raw_value || '|' || reason "
                     f"FROM xlsx.rejects WHERE run_id = {run} ORDER BY sheet_row LIMIT 1")
        self.assertEqual("|".join(shown[0]), first)
        self.el("rejects-csv").click()
        path = os.path.join(self.downloads, f"run-{run}-rejects.csv")
        self.wait(lambda: os.path.exists(path) and os.path.getsize(path) > 0)
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[0], ["sheet_row", "column", "value", "target_type", "reason"])
        self.assertEqual(len(rows) - 1, rejected)
        # The same rows as a workbook, read back by our own reader: the CSV's fields, typed.
        self.el("rejects-xlsx").click()
        book = os.path.join(self.downloads, f"run-{run}-rejects.xlsx")
        self.wait(lambda: os.path.exists(book) and os.path.getsize(book) > 0)
        cat = subprocess.run([XLSX2PG, "cat", book], check=True, capture_output=True, text=True)
        with open(path, newline="") as f:
            self.assertEqual(list(csv.reader(cat.stdout.splitlines(keepends=True))),
                             list(csv.reader(f)))

    def test_errors_are_told_plainly(self):
        self.open_page()
        too_big = os.path.join(WORK, "too_big.xlsx")
        with open(too_big, "wb") as f:
            f.write(os.urandom(os.path.getsize(self.book) * 3))
        self.pick(too_big)
        self.wait(lambda: "too large" in self.el("message").text)
        not_a_workbook = os.path.join(WORK, "data.csv")
        with open(not_a_workbook, "w") as f:
            f.write("id,name\n1,x\n")
        self.pick(not_a_workbook)
        self.wait(lambda: "Only .xlsx" in self.el("message").text)
        self.driver.save_screenshot(os.path.join(WORK, "result-error.png"))

    def test_a_wrong_token_is_refused(self):
        self.open_page(token="not-the-token")
        self.wait(lambda: "access token is missing or wrong" in self.el("message").text)
        self.assertTrue(self.el("token-box").is_displayed())
        # The page sent no inline script the policy would have blocked: it is all from app.js.
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/") as page:
            self.assertIn("script-src 'self'", page.headers["Content-Security-Policy"])
            self.assertNotIn("<script>", page.read().decode())


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
