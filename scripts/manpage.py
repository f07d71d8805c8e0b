#!/usr/bin/env python3
"""Writes the xlsx2pg(1) man page from the help the binary prints, so the two cannot drift.

Usage: manpage.py XLSX2PG [OUT]      (OUT defaults to stdout)

Every subcommand's --help (CLI11's layout: a description, a Usage line, Positionals: and
Options: with one entry per flag, its text on the same line or indented below) becomes a
section of COMMANDS with a .TP item per flag. The date comes from SOURCE_DATE_EPOCH when set,
so that a package build is reproducible.
"""
import datetime
import os
import re
import subprocess
import sys


def help_of(tool, *args):
    return subprocess.run([tool, *args, "--help"], capture_output=True, text=True,
                          check=True).stdout


def escape(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def parse(text):
    """(description, usage, [(section, [(flag, help)])]) of one CLI11 help text."""
    lines = text.rstrip("\n").split("\n")
    description = lines[0].strip()
    usage = next(l for l in lines if l.startswith("Usage:"))[len("Usage:"):].strip()
    sections, entries = [], None
    for line in lines[1:]:
        if re.match(r"^[A-Z][a-z]+:$", line):
            entries = []
            sections.append((line[:-1], entries))
        elif entries is not None and line.startswith("  "):
            body = line[2:]
            if entries and line.startswith(" " * 30):  # the help of the flag above, below it
                flag, words = entries[-1]
                entries[-1] = (flag, (words + " " + body.strip()).strip())
            else:  # the flag, then its help after two or more blanks (or on the next line)
                m = re.match(r"(\S.*?)(?:\s{2,}(.*))?$", body.strip())
                entries.append((m.group(1), (m.group(2) or "").strip()))
    return description, usage, sections


def main():
    tool = sys.argv[1]
    out = open(sys.argv[2], "w") if len(sys.argv) > 2 else sys.stdout
    version = subprocess.run([tool, "--version"], capture_output=True, text=True,
                             check=True).stdout.strip()
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", datetime.datetime.now().timestamp()))
    date = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%d")
    top_description, _, top_sections = parse(help_of(tool))
    commands = dict(top_sections)["Subcommands"]

    w = out.write
    w(f'.TH XLSX2PG 1 "{date}" "{escape(version)}" "User Commands"\n')
    w(".SH NAME\nxlsx2pg \\- " + escape(top_description.split(": ", 1)[-1]) + "\n")
    w(".SH SYNOPSIS\n")
    for name, _ in commands:
        w(f".B xlsx2pg {name}\n.RI [ OPTIONS ]\n.br\n")
    w(".B xlsx2pg\n.I FILE.xlsx TABLE\n.RI [ OPTIONS ]\n")
    w(".SH DESCRIPTION\n")
    w("xlsx2pg loads the sheets of Excel workbooks (.xlsx) into PostgreSQL tables: parsed in "
      "parallel, streamed over several COPY connections, atomic (a staging table merged in one "
      "transaction, or a direct COPY all connections commit together) and resumable. It also "
      "lists a workbook's sheets, writes a sheet as CSV, prints the CREATE TABLE a load would "
      "run, and serves uploads over HTTP. The short form \\fBxlsx2pg\\fR \\fIFILE.xlsx TABLE\\fR "
      "is \\fBxlsx2pg load\\fR. It connects as \\fBpsql\\fR(1) does. Each load is recorded in "
      "the pg_xlsx extension's ledger (\\fBxlsx.import_runs\\fR), which must be installed in "
      "the database.\n")
    w(".SH COMMANDS\n")
    for name, summary in commands:
        description, usage, sections = parse(help_of(tool, name))
        usage = usage.split(" ", 1)[1] if " " in usage else ""
        w(f'.SS "xlsx2pg {name} {escape(usage)}"\n{escape(description)}\n')
        for section, entries in sections:
            if section not in ("Positionals", "Options"):
                continue
            for flag, words in entries:
                w(f".TP\n.B {escape(flag)}\n{escape(words)}\n")
    w(".SH EXIT STATUS\n")
    for code, meaning in [("0", "success"),
                          ("1", "success, with rejected rows (in xlsx.rejects)"),
                          ("2", "failure; the target is unchanged (a staging run can be resumed)"),
                          ("3", "usage error"),
                          ("130, 143", "stopped by SIGINT or SIGTERM; the target is unchanged")]:
        w(f".TP\n.B {code}\n{escape(meaning)}\n")
    w(".SH ENVIRONMENT\n")
    w("PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSSLMODE and the other libpq "
      "variables, and \\fI~/.pgpass\\fR, as for \\fBpsql\\fR(1).\n")
    w(".SH SEE ALSO\n\\fBpsql\\fR(1); in the database, \\fBxlsx.import\\fR, \\fBxlsx.stats\\fR "
      "and \\fBxlsx.merge\\fR of the pg_xlsx extension.\n")


if __name__ == "__main__":
    main()
