#!/usr/bin/env python3
"""The man page written by scripts/manpage.py holds every subcommand and every flag the binary's
--help lists, and renders without a warning.

Usage: check_manpage.py XLSX2PG MANPAGE_SCRIPT WORK_DIR
"""
import os
import re
import subprocess
import sys

tool, script, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
page = os.path.join(work, "xlsx2pg.1")
subprocess.run([sys.executable, script, tool, page], check=True)
rendered = subprocess.run(["man", "--warnings", "-l", page], capture_output=True, text=True,
                          env=dict(os.environ, MANWIDTH="200", MAN_KEEP_FORMATTING=""))
text = re.sub(r"\s+", " ", rendered.stdout)
problems = [f"man warned: {line}" for line in rendered.stderr.splitlines() if line.strip()]

top = subprocess.run([tool, "--help"], capture_output=True, text=True, check=True).stdout
commands = re.findall(r"^  (\w+) {2,}", top.split("Subcommands:")[1], re.M)
flags = 0
for command in commands:
    if f"xlsx2pg {command}" not in text:
        problems.append(f"no section for {command}")
    help_text = subprocess.run([tool, command, "--help"], capture_output=True, text=True,
                               check=True).stdout
    for flag in re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", help_text.split("Options:")[1]):
        flags += 1
        if flag not in text:
            problems.append(f"{command}: {flag} is not in the man page")
for problem in problems:
    print(problem)
print(f"man page: {len(commands)} commands, {flags} flags; "
      f"{flags - len(problems)} passed, {len(problems)} failed")
sys.exit(1 if problems else 0)
