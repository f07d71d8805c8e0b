#!/usr/bin/python3
"""Password-protected workbooks, read by xlsx2pg and checked against independent tools.

- The corpus's encrypted files (written by Excel, POI, excelize, xlsx-populate; agile and
  standard encryption) read with their projects' passwords give, sheet by sheet, what the same
  workbook decrypted by msoffcrypto-tool (Debian's python3-msoffcrypto-tool) gives.
- Workbooks encrypted by an independent writer, officecrypto-tool from npm, in agile and
  standard encryption with a non-ASCII password, read as the workbook they came from.
- The password comes from --password-file, XLSX2PG_PASSWORD or a prompt on a terminal; none
  is kind `encrypted`, a wrong one kind `wrong_password` with exit code 4, and the password is
  never printed. A tampered package fails its integrity check; a truncated file is an error.
- With a harness server (--pgenv), a load of an encrypted workbook lands the same rows as a
  load of the plain one.

Usage: check_encrypted.py XLSX2PG GENERATE_WORKBOOK CORPUS_DIR WORK_DIR [--pgenv ENV_FILE]
"""
import os
import pty
import select
import shutil
import subprocess
import sys
import time

import msoffcrypto
import olefile

# The corpus's encrypted workbooks and the passwords their projects' tests use.
CORPUS = {
    "excelize__encryptAES.xlsx": "password",
    "xlsxpopulate__encryption_out.xlsx": "new password",
    "xlsxpopulate__e2e-parse_encrypted_input.xlsx": "open sesame",
    "calamine__pass_protected.xlsx": "123",
    "poi__extenxls_pwd123.xlsx": "pwd123",
    "poi__protect.xlsx": "VelvetSweatshop",
    "poi__58616.xlsx": "VelvetSweatshop",
}
OFFICECRYPTO = "officecrypto-tool@0.0.19"
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def run(args, env=None, stdin=subprocess.DEVNULL):
    return subprocess.run(args, capture_output=True, text=True, env=env, stdin=stdin)


def with_password(password):
    env = dict(os.environ)
    env["XLSX2PG_PASSWORD"] = password
    return env


def sheet_count(xlsx2pg, path, env=None):
    out = run([xlsx2pg, "sheets", path, "--json"], env)
    if out.returncode != 0:
        return None
    import json

    return len(json.loads(out.stdout)["sheets"])


def cat_all(xlsx2pg, path, env=None):
    """Every sheet as CSV, or the error."""
    count = sheet_count(xlsx2pg, path, env)
    if count is None:
        return run([xlsx2pg, "sheets", path], env).stderr
    return [run([xlsx2pg, "cat", path, "-s", str(i)], env).stdout for i in range(1, count + 1)]


def msoffcrypto_decrypt(path, password, out_path):
    try:
        with open(path, "rb") as f:
            office = msoffcrypto.OfficeFile(f)
            office.load_key(password=password)
            with open(out_path, "wb") as out:
                office.decrypt(out)
        return True
    except Exception as e:  # msoffcrypto refuses some valid files (see below)
        print(f"     msoffcrypto-tool cannot decrypt {os.path.basename(path)}: {e}")
        return False


def corpus_files(xlsx2pg, corpus, work):
    compared = 0
    for name, password in CORPUS.items():
        path = os.path.join(corpus, "files", name)
        ours = cat_all(xlsx2pg, path, with_password(password))
        check(isinstance(ours, list), f"{name} opens with its password")
        plain = os.path.join(work, "plain_" + name)
        if msoffcrypto_decrypt(path, password, plain):
            check(ours == cat_all(xlsx2pg, plain), f"{name}: every sheet as msoffcrypto-tool's decryption gives it")
            compared += 1
    # POI's extenxls file has a package stream cut short in the container (its sector chain
    # ends before its stated size, though the package fits): msoffcrypto-tool gives up there.
    check(compared >= 6, f"{compared} corpus files compared with msoffcrypto-tool")


def passwords_and_errors(xlsx2pg, corpus, work):
    path = os.path.join(corpus, "files", "calamine__pass_protected.xlsx")
    secret = "123"
    none = run([xlsx2pg, "cat", path])
    check(none.returncode == 2 and "[encrypted]" in none.stderr and "--password-file" in none.stderr,
          "no password: kind encrypted, saying how to give one")
    for wrong in ["124", "päss wörd", ""]:
        r = run([xlsx2pg, "cat", path], with_password(wrong))
        check(r.returncode == 4 and "[wrong_password]" in r.stderr and (not wrong or wrong not in r.stderr + r.stdout),
              f"wrong password {wrong!r}: kind wrong_password, exit code 4, not printed")
    password_file = os.path.join(work, "password.txt")
    with open(password_file, "w") as f:
        f.write(secret + "\n")
    os.chmod(password_file, 0o600)
    r = run([xlsx2pg, "sheets", path, "--password-file", password_file])
    check(r.returncode == 0 and "Sheet1" in r.stdout, "--password-file gives the password")
    r = run([xlsx2pg, "sheets", path, "--password-file", os.path.join(work, "missing.txt")])
    check(r.returncode == 3, "an unreadable --password-file is a usage error")

    # On a terminal the password is asked for, without echo.
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(xlsx2pg, [xlsx2pg, "sheets", path])
    seen = b""
    deadline = time.monotonic() + 60  # a prompt that never comes fails the test, not CI
    while b"Password for" not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 1)[0]:
            seen += os.read(fd, 1024)
    os.write(fd, (secret + "\n").encode())
    while time.monotonic() < deadline:
        if not select.select([fd], [], [], 1)[0]:
            continue
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    if time.monotonic() >= deadline:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    check(os.waitstatus_to_exitcode(status) == 0 and b"Sheet1" in seen and secret.encode() not in seen,
          "on a terminal the password is asked for and not echoed")

    # A changed byte of the encrypted package fails the HMAC; a truncated file is an error.
    agile = os.path.join(corpus, "files", "xlsxpopulate__encryption_out.xlsx")
    ole = olefile.OleFileIO(agile)
    start = ole.direntries[ole._find("EncryptedPackage")].isectStart
    sector_size = ole.sectorsize
    ole.close()
    data = bytearray(open(agile, "rb").read())
    data[(start + 1) * sector_size + 100] ^= 0x01
    tampered = os.path.join(work, "tampered.xlsx")
    open(tampered, "wb").write(data)
    r = run([xlsx2pg, "cat", tampered], with_password("new password"))
    check(r.returncode == 2 and "integrity" in r.stderr and "[corrupt_zip]" in r.stderr,
          "a tampered package fails its integrity check")
    truncated = os.path.join(work, "truncated.xlsx")
    open(truncated, "wb").write(open(agile, "rb").read()[:6000])
    r = run([xlsx2pg, "cat", truncated], with_password("new password"))
    check(r.returncode == 2 and "error [" in r.stderr, "a truncated encrypted workbook is an error")


def independent_writer(xlsx2pg, generate, work):
    """officecrypto-tool (npm) encrypts a generated workbook, in both kinds of encryption."""
    modules = os.path.join(work, "npm")
    if not os.path.isdir(os.path.join(modules, "node_modules", "officecrypto-tool")):
        subprocess.run(["npm", "install", "--silent", "--prefix", modules, OFFICECRYPTO], check=True,
                       timeout=300)
    script = os.path.join(work, "encrypt.js")
    with open(script, "w") as f:
        f.write("const oc = require('officecrypto-tool'); const fs = require('fs');\n"
                "const [, , input, output, password, type] = process.argv;\n"
                "const options = type === 'standard' ? {password, type} : {password};\n"
                "fs.writeFileSync(output, oc.encrypt(fs.readFileSync(input), options));\n")
    plain = os.path.join(work, "typed.xlsx")
    subprocess.run([generate, plain, "--rows", "3000", "--typed"], check=True, capture_output=True)
    password = "pä ss wörd 🔑"
    expected = cat_all(xlsx2pg, plain)
    env = dict(os.environ, NODE_PATH=os.path.join(modules, "node_modules"))
    for kind in ["agile", "standard"]:
        encrypted = os.path.join(work, f"typed_{kind}.xlsx")
        subprocess.run(["node", script, plain, encrypted, password, kind], check=True, env=env)
        check(cat_all(xlsx2pg, encrypted, with_password(password)) == expected,
              f"officecrypto-tool's {kind} encryption reads as the workbook it came from")
    return plain, os.path.join(work, "typed_agile.xlsx"), password


def loads(xlsx2pg, pgenv, plain, encrypted, password):
    env = dict(os.environ)
    for line in open(pgenv):
        if "=" in line:
            key, value = line.strip().split("=", 1)
            env[key] = value

    def psql(sql):
        return subprocess.run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql], env=env,
                              capture_output=True, text=True, check=True).stdout.strip()

    env["PGDATABASE"] = "postgres"
    psql("DROP DATABASE IF EXISTS encrypted_load")
    psql("CREATE DATABASE encrypted_load TEMPLATE template0")
    env["PGDATABASE"] = "encrypted_load"
    psql("CREATE EXTENSION pg_xlsx")
    for table, extra, source, pw in [("enc_plain", [], plain, None),
                                     ("enc_staged", [], encrypted, password),
                                     ("enc_direct", ["--mode", "direct"], encrypted, password)]:
        run_env = dict(env)
        if pw:
            run_env["XLSX2PG_PASSWORD"] = pw
        r = run([xlsx2pg, "load", source, table, "--create", "-q"] + extra, run_env)
        check(r.returncode == 0, f"load of {os.path.basename(source)} into {table} {r.stderr.strip()}")
    for table in ["enc_staged", "enc_direct"]:
        check(psql(f"SELECT count(*) FROM (SELECT * FROM enc_plain EXCEPT ALL SELECT * FROM {table}) d") == "0"
              and psql(f"SELECT count(*) FROM {table}") == "3000",
              f"{table} holds the plain workbook's rows")
    checksum = psql("SELECT file_checksum FROM xlsx.import_runs WHERE target_table = 'public.enc_staged'")
    size = os.path.getsize(encrypted)
    check(checksum.endswith(f":{size}"), "the run records the checksum of the file as given")

    # Inside the server: xlsx.import with the password as a psql variable (sent as a literal
    # here; an application binds it), from the path and as a large object, and xlsx_fdw with
    # the password in a user mapping.
    def script(sql):
        return subprocess.run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-v", f"pw={password}",
                               "-v", f"book={encrypted}"], input=sql, env=env, capture_output=True, text=True)

    r = script("SELECT loaded FROM xlsx.import(:'book', 'srv_path', create_table => true, password => :'pw');\n"
               "\\lo_import :book\n"
               "SELECT loaded FROM xlsx.import(:LASTOID, 'srv_lo', create_table => true, password => :'pw');\n"
               "SELECT lo_unlink(:LASTOID);\n")
    check(r.returncode == 0 and r.stdout.split()[:1] == ["3000"], f"xlsx.import with the password {r.stderr}")
    for table in ["srv_path", "srv_lo"]:
        check(psql(f"SELECT count(*) FROM (SELECT * FROM enc_plain EXCEPT ALL SELECT * FROM {table}) d") == "0",
              f"{table} holds the plain workbook's rows")
    r = script("SELECT string_agg(name, ',') FROM xlsx.sheets(:'book', password => :'pw');\n"
               "\\lo_import :book\n"
               "SELECT count(*) FROM xlsx.tables(:LASTOID, password => :'pw');\n"
               "SELECT lo_unlink(:LASTOID);\n")
    check(r.returncode == 0 and r.stdout.split()[:2] == ["Directory", "0"],
          f"xlsx.sheets and xlsx.tables list it with the password {r.stdout} {r.stderr}")
    r = script("SELECT * FROM xlsx.import(:'book', 'srv_none', create_table => true);")
    check(r.returncode != 0 and "password protected" in r.stderr, "xlsx.import without the password is refused")
    r = script("\\set VERBOSITY verbose\nSELECT * FROM xlsx.import(:'book', 'srv_wrong', create_table => true, password => 'Wrong!');")
    check(r.returncode != 0 and "28P01" in r.stderr and "Wrong!" not in r.stderr,
          "a wrong password is SQLSTATE 28P01, and not repeated")
    r = script("CREATE SERVER enc_books FOREIGN DATA WRAPPER xlsx_fdw;\n"
               "CREATE USER MAPPING FOR CURRENT_USER SERVER enc_books OPTIONS (password :'pw');\n"
               "CREATE SCHEMA enc_fdw;\n"
               "IMPORT FOREIGN SCHEMA xlsx FROM SERVER enc_books INTO enc_fdw OPTIONS (filename :'book');\n"
               "SELECT count(*) FROM enc_fdw.directory;\n")
    check(r.returncode == 0 and r.stdout.strip() == "3000", f"xlsx_fdw reads it with a user mapping's password {r.stderr}")
    r = script("CREATE FOREIGN TABLE enc_fdw.leaky (id text) SERVER enc_books OPTIONS (filename :'book', password :'pw');")
    check(r.returncode != 0 and "belongs to a user mapping" in r.stderr, "a foreign table takes no password")
    check(psql("SELECT count(*) FROM xlsx.import_runs r WHERE row_to_json(r)::text LIKE '%%pä ss%%'") == "0",
          "the ledger holds no password")
    env["PGDATABASE"] = "postgres"
    psql("DROP DATABASE encrypted_load")


def main():
    xlsx2pg, generate, corpus, work = sys.argv[1:5]
    pgenv = sys.argv[sys.argv.index("--pgenv") + 1] if "--pgenv" in sys.argv else None
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    corpus_files(xlsx2pg, corpus, work)
    passwords_and_errors(xlsx2pg, corpus, work)
    plain, encrypted, password = independent_writer(xlsx2pg, generate, work)
    if pgenv:
        loads(xlsx2pg, pgenv, plain, encrypted, password)
    print(f"{len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
