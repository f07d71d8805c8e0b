#!/usr/bin/env bash
# Builds the Debian packages (postgresql-N-pg-xlsx for each postgresql-server-dev-N installed
# here that debian/pgversions allows, and xlsx2pg) in a clean copy of the tracked tree with
# dpkg-buildpackage (debian/control made again from control.in for those versions), checks them with lintian, installs them with apt-get, and runs a
# smoke test against the installed files only: the binary, its man page, CREATE EXTENSION in a
# fresh cluster, one load with the installed binary and one xlsx.import.
#   scripts/package.sh [WORK_DIR]     (default: build-packages; needs root, as apt-get does)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(realpath -m "${1:-build-packages}")
rm -rf "$work"
mkdir -p "$work/src"
git ls-files -z | xargs -0 cp --parents -t "$work/src"

echo "package: pg_buildext updatecontrol (PostgreSQL $(cd "$work/src" && pg_buildext supported-versions | xargs)), dpkg-buildpackage -us -uc -b"
(cd "$work/src" && pg_buildext updatecontrol && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 ||
    { tail -60 "$work/build.log"; exit 1; }
ls "$work"/*.deb
echo "package: lintian"
lintian --fail-on error --tag-display-limit 0 "$work"/*.changes | tee "$work/lintian.log"

echo "package: apt-get install the packages"
(cd "$work" && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall \
    ./postgresql-*-pg-xlsx_*.deb ./xlsx2pg_*.deb >/dev/null)

# Only installed files from here on.
xlsx2pg=/usr/bin/xlsx2pg
"$xlsx2pg" --version
man -w xlsx2pg
pg_bin=$(pg_config --bindir)
cluster="$work/cluster"
as_server_user() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$cluster/sock"
[[ $(id -u) -eq 0 ]] && chown -R postgres: "$cluster"
as_server_user "$pg_bin/initdb" -D "$cluster/data" --auth=trust --username=postgres >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_server_user "$pg_bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w \
    -o "-p $port -k $cluster/sock -c listen_addresses=''" start >/dev/null
trap 'as_server_user "$pg_bin/pg_ctl" -D "$cluster/data" -m immediate stop >/dev/null 2>&1 || true' EXIT
export PGHOST="$cluster/sock" PGPORT=$port PGUSER=postgres PGDATABASE=postgres
psql -qX -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_xlsx"
psql -qXAt -c "SELECT 'pg_xlsx ' || extversion FROM pg_extension WHERE extname = 'pg_xlsx'"

# A small workbook, written here without any of the project's tools.
book="$cluster/smoke.xlsx"
python3 - "$book" <<'PY'
import sys, zipfile
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>amount</t></is></c></row>'
rows += "".join(f'<row r="{i + 1}"><c r="A{i + 1}"><v>{i}</v></c><c r="B{i + 1}"><v>{i}.5</v></c></row>' for i in range(1, 101))
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("_rels/.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr("xl/workbook.xml", f'<workbook {ns} xmlns:r="{rel}"><sheets><sheet name="Data" sheetId="1" r:id="r1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    z.writestr("xl/worksheets/sheet1.xml", f"<worksheet {ns}><sheetData>{rows}</sheetData></worksheet>")
PY
chmod a+r "$book"
"$xlsx2pg" load "$book" smoke --create -q
psql -qXAt -v ON_ERROR_STOP=1 -c "SELECT * FROM xlsx.import('$book', 'smoke_server', create_table => true)" >/dev/null
result=$(psql -qXAt -c "SELECT (SELECT count(*) || ' ' || sum(amount) FROM smoke) || ' / ' || (SELECT count(*) || ' ' || sum(amount) FROM smoke_server)")
echo "package: loaded $result"
[[ $result == "100 5100.0 / 100 5100.0" ]] || { echo "package: smoke load gave '$result'"; exit 1; }
echo "package: the installed packages work"
