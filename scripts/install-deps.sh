#!/usr/bin/env bash
# The one place that names the project's dependencies: Debian 12 packages only.
# Used by both README commands and by .ci/run. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake pkg-config clang-format
  # PostgreSQL server, client library and extension build headers
  postgresql-15 postgresql-server-dev-15 libpq-dev
  # reading workbooks, password-protected ones with OpenSSL
  libminizip-dev zlib1g-dev libexpat1-dev libisal-dev libssl-dev
  # writing test and bench workbooks
  libxlsxwriter-dev
  # CLI, formatting, JSON, tests
  libcli11-dev libfmt-dev nlohmann-json3-dev libcpp-httplib-dev libgtest-dev
  # fuzzing and sanitizers
  clang libclang-rt-14-dev
  # tests drive the server as a non-root user when run as root; an independent decryptor
  util-linux python3 bc time unzip
  # password-protected workbooks checked against independent tools: msoffcrypto-tool decrypts,
  # officecrypto-tool (npm, run by Node.js) encrypts
  python3-msoffcrypto-tool nodejs
  # legacy .xls checked against an independent reader
  python3-xlrd
  # exported workbooks opened by independent readers: openpyxl and LibreOffice
  python3-openpyxl libreoffice-calc-nogui
  # the upload page's browser test
  chromium chromium-driver python3-selenium
  # Debian packages (scripts/package.sh) and the man page
  debhelper postgresql-server-dev-all lintian man-db
  # PGXN's client, to install the extension from a release zip as PGXN users do
  pgxnclient
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: installed ${missing[*]}"
