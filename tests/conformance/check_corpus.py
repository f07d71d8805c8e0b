#!/usr/bin/env python3
"""Reader conformance on the shared corpus.

For every workbook the reference readers could open, `xlsx2pg sheets` must list the same sheets
and `xlsx2pg cat` must give the same values as the better truth (see the corpus README), after
the normalisation that README describes. Every file marked as bad input must fail with the
expected kind of error, quickly and without crashing. Known deviations live in
known_deviations.json, each with its reason; a deviation that no longer deviates is an error too,
so the list cannot go stale.

With --load ENV_FILE (the test harness's server), each sheet is instead loaded with
`xlsx2pg load --no-header --all-text --create --keep-staging` and read back from the database:
the staging table (with each row's sheet row) must hold the truth's grid, and the target the
same rows. With --import ENV_FILE the same is done inside the server, with
`xlsx.import(..., no_header => true, all_text => true, create_table => true, keep_staging => true)`,
once from the file's path and once from its bytes (a bytea), which must agree; files marked
as bad input must be refused by xlsx.import with the expected error kind.

Usage: check_corpus.py XLSX2PG CORPUS_DIR [--threads N] [--load ENV_FILE | --import ENV_FILE]
                       [--only NAME...]
Prints one line per file and ends with "N passed, N failed".
"""
import argparse
import csv
import gzip
import io
import json
import math
import os
import re
import subprocess
import sys

# expected_error in the manifest -> error kinds of ours that satisfy it (None: may also load).
EXPECTED_KINDS = {
    "corrupt_zip": {"corrupt_zip"},
    "encrypted": {"encrypted"},
    "not_xlsx": {"not_workbook"},
    "xml_entity_expansion": {"forbidden_xml"},
    # poi__poc-shared-strings also numbers its rows from 0: refused before any limit is reached.
    "resource_limits": {"limit_exceeded", "invalid_value"},
    "backslash_part_names": None,  # we normalise \ to /, as calamine does
}
STRICT_NS = "purl.oclc.org/ooxml"


def read_csv_text(text):
    return trim_grid(list(csv.reader(io.StringIO(text, newline=""))))


def trim_grid(rows):
    # Anchored at A1; trim trailing empty cells and trailing empty rows.
    out = []
    for row in rows:
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def read_truth(path):
    if os.path.exists(path):
        with open(path, encoding="utf-8", newline="") as f:
            return read_csv_text(f.read())
    if os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz", "rt", encoding="utf-8", newline="") as f:
            return read_csv_text(f.read())
    return None


def as_float(s):
    try:
        v = float(s)
        return v if math.isfinite(v) else None
    except ValueError:
        return None


ISO_DT = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$")
ISO_D = re.compile(r"^(\d{4}-\d{2}-\d{2})$")
TIME = re.compile(r"^(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)$")
DURATION = re.compile(r"^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$")
PT = re.compile(r"^PT(-?[\d.]+)S$")


def seconds(t):
    m = TIME.match(t)
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)) if m else None


LO_DT = re.compile(r"^(\d{2})/(\d{2})/(\d{4})(?: (\d{2}:\d{2}:\d{2}(?:\.\d+)?))?$")


def split_datetime(s):
    m = LO_DT.match(s)  # LibreOffice renders dates through an US format
    if m:
        return f"{m.group(3)}-{m.group(1)}-{m.group(2)}", seconds(m.group(4)) if m.group(4) else None
    m = ISO_DT.match(s)
    if m:
        return m.group(1), seconds(m.group(2))
    m = ISO_D.match(s)
    if m:
        return m.group(1), 0.0
    return None


def cells_match(ours, truth):
    if ours == truth:
        return True
    if truth in ("TRUE", "FALSE") and ours == truth.lower():
        return True
    a, b = as_float(ours), as_float(truth)
    if b is None and truth.endswith("%"):  # LibreOffice keeps percent formatting
        b = as_float(truth[:-1])
        b = b / 100 if b is not None else None
    if a is not None and b is not None:
        return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))
    if ours.replace("\r\n", "\n") == truth.replace("\r\n", "\n"):
        return True
    m = PT.match(truth)
    d = DURATION.match(ours)
    if m and d:
        secs = int(d.group(2)) * 3600 + int(d.group(3)) * 60 + float(d.group(4))
        return abs((-secs if d.group(1) else secs) - float(m.group(1))) < 1e-3
    t_dt, o_dt = split_datetime(truth), split_datetime(ours)
    if t_dt and o_dt:
        if ISO_D.match(ours) or t_dt[1] is None:
            return t_dt[0] == o_dt[0]  # a date-only format shows the date only
        return t_dt[0] == o_dt[0] and abs(t_dt[1] - o_dt[1]) < 1e-3
    o_time = seconds(ours)
    if o_time is not None:
        t_time = seconds(truth)
        if t_time is None and t_dt:
            t_time = t_dt[1]  # a time format over a serial >= 1: Excel shows the time only
        return t_time is not None and abs(o_time - t_time) < 1e-3
    return False


def run(cmd, timeout=120, env=None):
    return subprocess.run(cmd, capture_output=True, timeout=timeout, env=env)


class Database:
    """A fresh database on the harness's server, for loading the corpus into."""

    def __init__(self, env_file, server_import=False):
        self.server_import = server_import
        self.env = dict(os.environ)
        with open(env_file) as f:
            for line in f:
                key, _, value = line.strip().partition("=")
                if key:
                    self.env[key] = value
        self.env["PGDATABASE"] = "postgres"
        name = "corpus_import" if server_import else "corpus_load"
        self.psql(f"DROP DATABASE IF EXISTS {name}")
        self.psql(f"CREATE DATABASE {name} TEMPLATE template0")
        self.env["PGDATABASE"] = name
        self.psql("CREATE EXTENSION pg_xlsx")
        self.tables = 0

    def psql(self, sql):
        res = run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql], env=self.env)
        if res.returncode != 0:
            raise RuntimeError(res.stderr.decode(errors="replace"))
        return res.stdout.decode("utf-8")

    def csv_of(self, sql):
        return self.psql(f"COPY ({sql}) TO STDOUT (FORMAT csv)")

    def load_sheet(self, tool, path, sheet, threads):
        """The sheet's grid as loaded (anchored at A1), or an error message."""
        self.tables += 1
        table = f"sheet_{self.tables}"
        res = run([tool, "load", path, table, "--sheet", sheet, "--no-header", "--all-text",
                   "--create", "--keep-staging", "--json", "-c", "1", "--threads", str(threads)],
                  env=self.env)
        if res.returncode not in (0, 1):  # 1: loaded, with rejects (compared below)
            message = res.stderr.decode(errors="replace")
            return None, "empty" if "no sheet column is loaded" in message else message[-400:] or "failed"
        return self.read_back(table, json.loads(res.stdout)["loads"][0]["run_id"])

    def import_sheet(self, source, sheet, threads):
        """The same through xlsx.import inside the server; source is SQL for a path or bytea."""
        self.tables += 1
        table = f"sheet_{self.tables}"
        try:
            run_id = self.psql(
                f"SELECT run_id FROM xlsx.import({source}, '{table}', sheet => {sql_literal(sheet)}, "
                f"no_header => true, all_text => true, create_table => true, keep_staging => true, "
                f"threads => {threads})").strip()
        except RuntimeError as e:
            message = str(e)
            return None, "empty" if "has no data" in message else message[-400:]
        return self.read_back(table, run_id)

    def read_back(self, table, run_id):
        staged = list(csv.reader(io.StringIO(
            self.csv_of(f"SELECT * FROM xlsx_staging.run_{run_id} ORDER BY xlsx_sheet_row"), newline="")))
        merged = list(csv.reader(io.StringIO(self.csv_of(f"SELECT * FROM {table}"), newline="")))
        if sorted(r[1:] for r in staged) != sorted(merged):
            return None, "the target's rows are not the staged rows"
        grid = []
        for r in staged:
            number = int(r[0])
            grid.extend([] for _ in range(number - len(grid)))
            grid[number - 1] = r[1:]
        return trim_grid(grid), None


def sql_literal(text):
    return "'" + text.replace("'", "''") + "'"


def import_error_kind(db, path):
    """The error kind xlsx.sheets reports for a bad file, or None when it reads it."""
    try:
        db.psql(f"SELECT * FROM xlsx.sheets({sql_literal(path)})")
    except RuntimeError as e:
        m = re.search(r"error kind ([a-z_]+)", str(e))
        return m.group(1) if m else "unclear: " + str(e)[-200:]
    return None


def error_kind(stderr):
    m = re.search(rb"error \[([a-z_]+)\]", stderr)
    return m.group(1).decode() if m else None


def choose_truth(corpus, name, row):
    """The better truth for this file, as the corpus README explains."""
    op_dir = os.path.join(corpus, "truth", "openpyxl", name)
    lo_dir = os.path.join(corpus, "truth", "libreoffice", name)
    op_ok = row["openpyxl_status"] == "ok" and os.path.exists(os.path.join(op_dir, "_sheets.json"))
    lo_ok = row["libreoffice_status"] == "ok" and os.path.exists(os.path.join(lo_dir, "_sheets.json"))
    strict = "strict_ooxml" in row["features"]
    if op_ok and not strict:
        with open(os.path.join(op_dir, "_sheets.json")) as f:
            sheets = json.load(f)
        if sheets:
            return "openpyxl", op_dir, sheets
    if lo_ok:
        with open(os.path.join(lo_dir, "_sheets.json")) as f:
            return "libreoffice", lo_dir, json.load(f)
    return None, None, None


def check_file(tool, corpus, row, threads, deviations, db):
    name = row["file"][:-5]
    path = os.path.join(corpus, "files", row["file"])
    expected = row["expected_error"].split(":")[0].strip() if row["expected_error"] else ""
    if expected:
        res = run([tool, "sheets", "--json", "--threads", str(threads), path])
        kind = error_kind(res.stderr)
        if res.returncode not in (0, 2):
            return f"crashed or bad exit {res.returncode}: {res.stderr[-300:]!r}"
        allowed = EXPECTED_KINDS.get(expected, set())
        if db and db.server_import and allowed is not None:
            server_kind = import_error_kind(db, os.path.abspath(path))
            if server_kind not in allowed:
                return f"expected {expected} error from xlsx.sheets, got {server_kind}"
        if allowed is None:
            if res.returncode == 0:
                return check_values(tool, corpus, name, path, row, threads, deviations, db)
            return None if kind else f"unclear error: {res.stderr[-300:]!r}"
        if kind in allowed:
            return None
        return f"expected {expected} error, got exit {res.returncode} kind {kind}: {res.stderr[-300:]!r}"
    return check_values(tool, corpus, name, path, row, threads, deviations, db)


def check_values(tool, corpus, name, path, row, threads, deviations, db):
    source, truth_dir, truth_sheets = choose_truth(corpus, name, row)
    if source is None:
        return "skip: no reference reader opened it"
    if source == "libreoffice":  # LibreOffice names its CSVs "<file>-<sheet>"
        for s in truth_sheets:
            s["name"] = s["name"].removeprefix(name + "-")
        truth_sheets.sort(key=lambda s: s["index"])
    res = run([tool, "sheets", "--json", "--threads", str(threads), path])
    if res.returncode != 0:
        return f"sheets failed: {res.stderr.decode(errors='replace')[-400:]}"
    ours = json.loads(res.stdout)["sheets"]
    our_names = [s["name"] for s in ours]
    truth_names = [s["name"] for s in truth_sheets]
    # LibreOffice's list is not in workbook order; openpyxl's is.
    if source == "openpyxl":
        same = our_names == truth_names
    else:
        same = sorted(our_names) == sorted(truth_names)
    if not same:
        return f"sheet list {our_names} != {source} {truth_names}"
    by_name = {s["name"]: s for s in truth_sheets}
    for s_ours in ours:
        s_truth = by_name[s_ours["name"]]
        if "state" in s_truth and s_truth["state"] != s_ours["state"]:
            return f"sheet {s_ours['name']!r} state {s_ours['state']} != {s_truth['state']}"
        if s_ours["kind"] != "worksheet":
            continue
        truth = read_truth(os.path.join(truth_dir, s_truth["csv"]))
        if truth is None:
            return f"no truth CSV for sheet {s_ours['name']!r}"
        if db and db.server_import:
            path_sql = sql_literal(os.path.abspath(path))
            got, problem = db.import_sheet(path_sql, s_ours["name"], threads)
            if problem == "empty" and not truth:
                continue
            if problem:
                return f"import of sheet {s_ours['index']} failed: {problem}"
            from_bytes, problem = db.import_sheet(f"pg_read_binary_file({path_sql})", s_ours["name"], threads)
            if from_bytes != got:
                return f"import of sheet {s_ours['index']} from bytes differs from the path's: {problem}"
        elif db:
            got, problem = db.load_sheet(tool, path, s_ours["name"], threads)
            if problem == "empty" and not truth:
                continue
            if problem:
                return f"load of sheet {s_ours['index']} failed: {problem}"
        else:
            res = run([tool, "cat", "--threads", str(threads), "--sheet", s_ours["name"], path])
            if res.returncode != 0:
                return f"cat sheet {s_ours['index']} failed: {res.stderr.decode(errors='replace')[-400:]}"
            got = read_csv_text(res.stdout.decode("utf-8"))
        diffs = []
        for r in range(max(len(got), len(truth))):
            a = got[r] if r < len(got) else []
            b = truth[r] if r < len(truth) else []
            for c in range(max(len(a), len(b))):
                x = a[c] if c < len(a) else ""
                y = b[c] if c < len(b) else ""
                if not cells_match(x, y):
                    diffs.append(f"{s_ours['name']}!R{r + 1}C{c + 1} ours={x[:60]!r} {source}={y[:60]!r}")
        if diffs:
            return f"{len(diffs)} cells differ: " + "; ".join(diffs[:4])
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tool")
    ap.add_argument("corpus")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--load", metavar="ENV_FILE")
    ap.add_argument("--import", dest="server_import", metavar="ENV_FILE")
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    db = (Database(args.load) if args.load
          else Database(args.server_import, server_import=True) if args.server_import else None)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "known_deviations.json")) as f:
        deviations = json.load(f)
    with open(os.path.join(args.corpus, "manifest.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    passed = failed = skipped = 0
    for row in rows:
        name = row["file"][:-5]
        if args.only and name not in args.only:
            continue
        try:
            problem = check_file(args.tool, args.corpus, row, args.threads, deviations, db)
        except subprocess.TimeoutExpired:
            problem = "timed out"
        if problem and problem.startswith("skip:"):
            skipped += 1
            print(f"SKIP {name}: {problem[5:].strip()}")
            continue
        if name in deviations:
            if problem:
                passed += 1
                print(f"ok   {name} (known deviation: {deviations[name]})")
            else:
                failed += 1
                print(f"FAIL {name}: listed as a known deviation but now matches; remove it")
            continue
        if problem:
            failed += 1
            print(f"FAIL {name}: {problem}")
        else:
            passed += 1
            print(f"ok   {name}")
    print(f"corpus: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
