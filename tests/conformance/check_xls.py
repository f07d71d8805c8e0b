#!/usr/bin/python3
"""Legacy .xls workbooks (BIFF8, written by LibreOffice: tests/data/xls/make_fixtures.sh), read
by xlsx2pg and checked against an independent reader and against the .xlsx they came from.

- Every sheet of every fixture, cell by cell, against xlrd (Debian's python3-xlrd): text as
  written, numbers as the same double, dates in the workbook's date system (the 1904 one in
  forms.xls) to the millisecond, booleans, errors, formulas' cached values, hidden sheets.
- typed.xls against typed.xlsx, written again by generate_workbook with the same seed: the
  same CSV from `cat`, and the same table from `load --create`.
- With a harness server (--pgenv): the .xls loads through the client, xlsx.import (from a
  path and from a bytea) and xlsx_fdw, and each table equals the one loaded from the .xlsx.
- A file named .xlsx that is an .xls (and the reverse) reads by its content.

Usage: check_xls.py XLSX2PG GENERATE_WORKBOOK FIXTURE_DIR WORK_DIR [--pgenv ENV_FILE]
"""
import csv
import datetime
import io
import json
import os
import shutil
import subprocess
import sys

import xlrd

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def run(args, env=None):
    return subprocess.run(args, capture_output=True, text=True, env=env)


def cat(xlsx2pg, path, sheet):
    out = run([xlsx2pg, "cat", path, "--sheet", str(sheet)])
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return out.stdout


def expected_text(cell, datemode):
    """What the cell should read as, from xlrd's value; None for an empty cell."""
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_TEXT:
        return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "true" if cell.value else "false"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code[cell.value]
    return cell.value  # a number or a date serial: compared as such


def same_value(ours, cell, datemode):
    want = expected_text(cell, datemode)
    if want is None:
        return ours == ""
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        return float(ours) == want
    if cell.ctype == xlrd.XL_CELL_DATE:
        if want < 0:
            return float(ours) == want  # Excel shows no date before its epoch
        if datemode == 0 and 1 <= want < 61 and want == int(want):
            # xlrd refuses dates before 1900-03-01 (Excel counts the fictitious 1900-02-29).
            day = "1900-02-29" if want == 60 else str(datetime.date(1899, 12, 31) + datetime.timedelta(days=int(want)))
            return ours == day
        moment = xlrd.xldate_as_datetime(want, datemode)
        if len(ours) == 10:
            return ours == moment.strftime("%Y-%m-%d") and want == int(want)
        if ":" in ours and "-" not in ours:  # a time of day
            parsed = datetime.datetime.strptime(ours.split(".")[0], "%H:%M:%S")
            ms = int((ours.split(".") + ["0"])[1].ljust(3, "0")) if "." in ours else 0
            got = parsed.replace(year=moment.year, month=moment.month, day=moment.day,
                                 microsecond=ms * 1000)
        else:
            got = datetime.datetime.fromisoformat(ours)
        return abs((got - moment).total_seconds()) < 0.0005
    return ours == want


def against_xlrd(xlsx2pg, path):
    book = xlrd.open_workbook(path)
    listed = json.loads(run([xlsx2pg, "sheets", path, "--json"]).stdout)["sheets"]
    check([s["name"] for s in listed] == book.sheet_names(),
          f"{os.path.basename(path)}: sheet names as xlrd reads them")
    states = {0: "visible", 1: "hidden", 2: "veryHidden"}
    check([s["state"] for s in listed] == [states[s.visibility] for s in book.sheets()],
          f"{os.path.basename(path)}: sheet states")
    for index, sheet in enumerate(book.sheets(), start=1):
        rows = list(csv.reader(io.StringIO(cat(xlsx2pg, path, index), newline="")))
        bad = []
        for r in range(sheet.nrows):
            for c in range(sheet.ncols):
                ours = rows[r][c] if r < len(rows) and c < len(rows[r]) else ""
                if not same_value(ours, sheet.cell(r, c), book.datemode):
                    bad.append(f"{xlrd.cellname(r, c)} ours={ours[:40]!r} xlrd={sheet.cell(r, c).value!r:.40}")
        extra = any(any(v != "" for v in row) for row in rows[sheet.nrows:])
        check(not bad and not extra,
              f"{os.path.basename(path)} sheet {sheet.name!r}: {sheet.nrows} rows x {sheet.ncols} "
              f"columns as xlrd reads them {bad[:5]}")


def loads(xlsx2pg, pgenv, xls, xlsx, work):
    env = dict(os.environ)
    for line in open(pgenv):
        key, _, value = line.strip().partition("=")
        if key:
            env[key] = value

    def psql(sql, variables=()):
        args = ["psql", "-XAtq", "-v", "ON_ERROR_STOP=1"]
        for name, value in variables:
            args += ["-v", f"{name}={value}"]
        return subprocess.run(args, input=sql, env=env, capture_output=True, text=True)

    psql("DROP DATABASE IF EXISTS xls_load")
    psql("CREATE DATABASE xls_load TEMPLATE template0")
    env["PGDATABASE"] = "xls_load"
    psql("CREATE EXTENSION pg_xlsx")
    for source, table, extra in [(xlsx, "from_xlsx", []), (xls, "from_xls", []),
                                 (xls, "from_xls_direct", ["--mode", "direct"])]:
        r = run([xlsx2pg, "load", source, table, "--create", "-q"] + extra, env)
        check(r.returncode == 0, f"load of {os.path.basename(source)} into {table} {r.stderr.strip()}")

    def same_as_xlsx(table):
        r = psql(f"SELECT (SELECT count(*) FROM (SELECT * FROM from_xlsx EXCEPT ALL SELECT * FROM {table}) a)"
                 f" + (SELECT count(*) FROM (SELECT * FROM {table} EXCEPT ALL SELECT * FROM from_xlsx) b),"
                 f" (SELECT count(*) FROM {table})")
        return r.returncode == 0 and r.stdout.strip() == "0|300", r.stdout.strip() + r.stderr

    for table in ["from_xls", "from_xls_direct"]:
        ok, detail = same_as_xlsx(table)
        check(ok, f"{table} (the client) holds the rows of the .xlsx, typed alike {detail}")
    types = psql("SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attnum) FROM pg_attribute"
                 " WHERE attrelid = 'from_xls'::regclass AND attnum > 0")
    check("date" in types.stdout and "boolean" in types.stdout,
          f"--create types the .xls's dates and booleans {types.stdout.strip()}")
    r = psql("CREATE TABLE srv_path (LIKE from_xlsx); CREATE TABLE srv_bytea (LIKE from_xlsx);\n"
             "SELECT loaded FROM xlsx.import(:'book', 'srv_path');\n"
             "SELECT loaded FROM xlsx.import(pg_read_binary_file(:'book'), 'srv_bytea');\n",
             [("book", xls)])
    check(r.returncode == 0 and r.stdout.split() == ["300", "300"], f"xlsx.import of the .xls {r.stdout} {r.stderr}")
    for table in ["srv_path", "srv_bytea"]:
        ok, detail = same_as_xlsx(table)
        check(ok, f"{table} (xlsx.import) holds the rows of the .xlsx {detail}")
    r = psql("CREATE SERVER books FOREIGN DATA WRAPPER xlsx_fdw; CREATE SCHEMA fdw;\n"
             "IMPORT FOREIGN SCHEMA xlsx FROM SERVER books INTO fdw OPTIONS (filename :'book');\n"
             "CREATE TABLE via_fdw (LIKE from_xlsx);\n"
             "INSERT INTO via_fdw SELECT * FROM fdw.directory;\n", [("book", xls)])
    check(r.returncode == 0, f"xlsx_fdw reads the .xls {r.stderr}")
    ok, detail = same_as_xlsx("via_fdw")
    check(ok, f"via_fdw (xlsx_fdw) holds the rows of the .xlsx {detail}")
    r = psql("SELECT string_agg(name || ':' || state, ',') FROM xlsx.sheets(:'book')",
             [("book", os.path.join(work, "forms.xls"))])
    check(r.stdout.strip() == "Formulas:visible,Hidden one:hidden", f"xlsx.sheets lists an .xls {r.stdout} {r.stderr}")
    env["PGDATABASE"] = "postgres"
    psql("DROP DATABASE xls_load")


def main():
    xlsx2pg, generate, fixtures, work = sys.argv[1:4] + [os.path.abspath(sys.argv[4])]
    pgenv = sys.argv[sys.argv.index("--pgenv") + 1] if "--pgenv" in sys.argv else None
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chmod(work, 0o755)  # the server reads the fixtures from here
    for name in sorted(os.listdir(fixtures)):
        if name.endswith(".xls"):
            shutil.copy(os.path.join(fixtures, name), work)
            against_xlrd(xlsx2pg, os.path.join(work, name))
    xls = os.path.join(work, "typed.xls")
    xlsx = os.path.join(work, "typed.xlsx")
    subprocess.run([generate, xlsx, "--rows", "300", "--typed", "--seed", "7"], check=True,
                   capture_output=True)
    check(cat(xlsx2pg, xls, 1) == cat(xlsx2pg, xlsx, 1), "typed.xls reads as the typed.xlsx it came from")
    # By content, not by name.
    renamed = os.path.join(work, "really-an-xls.xlsx")
    shutil.copy(xls, renamed)
    check(cat(xlsx2pg, renamed, 1) == cat(xlsx2pg, xls, 1), "an .xls named .xlsx reads by its content")
    renamed = os.path.join(work, "really-an-xlsx.xls")
    shutil.copy(xlsx, renamed)
    check(cat(xlsx2pg, renamed, 1) == cat(xlsx2pg, xlsx, 1), "an .xlsx named .xls reads by its content")
    if pgenv:
        loads(xlsx2pg, pgenv, xls, xlsx, work)
    print(f"xls: {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
