#!/usr/bin/env python3
"""META.json against the PGXN Meta Spec 1.0.0 (https://pgxn.org/spec/) and against the tree:
the required keys and their forms, the licence from the spec's list, every provided extension's
file present, and the versions the same as the control file's and the full install script's."""
import json
import re
import sys
from pathlib import Path

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+)?$")
LICENSES = {"agpl_3", "apache_1_1", "apache_2_0", "artistic_1", "artistic_2", "bsd", "freebsd",
            "gfdl_1_2", "gfdl_1_3", "gpl_1", "gpl_2", "gpl_3", "lgpl_2_1", "lgpl_3_0", "mit",
            "mozilla_1_0", "mozilla_1_1", "openssl", "perl_5", "postgresql", "qpl_1_0", "ssleay",
            "sun", "zlib", "open_source", "restricted", "unrestricted", "unknown"}
STATUSES = {"stable", "testing", "unstable"}


def problems(root: Path):
    meta = json.loads((root / "META.json").read_text())
    for key in ("name", "abstract", "version", "maintainer", "license", "provides", "meta-spec"):
        if key not in meta:
            yield f"required key {key} is missing"
    if not re.fullmatch(r"[A-Za-z0-9_-]{2,}", meta.get("name", "")):
        yield f"name {meta.get('name')!r} is not a distribution name"
    if not SEMVER.match(meta.get("version", "")):
        yield f"version {meta.get('version')!r} is not a semantic version"
    licenses = meta.get("license")
    for license in [licenses] if isinstance(licenses, str) else list(licenses or []):
        if license not in LICENSES:
            yield f"license {license!r} is not one of the spec's"
    if meta.get("meta-spec", {}).get("version") != "1.0.0":
        yield "meta-spec version must be 1.0.0"
    if meta.get("release_status", "stable") not in STATUSES:
        yield f"release_status {meta['release_status']!r}"
    control = (root / "extension/pg_xlsx.control").read_text()
    default_version = re.search(r"default_version\s*=\s*'([^']+)'", control).group(1)
    for name, ext in meta.get("provides", {}).items():
        for key in ("file", "version"):
            if key not in ext:
                yield f"provides.{name}.{key} is missing"
        if not SEMVER.match(ext.get("version", "")):
            yield f"provides.{name}.version is not a semantic version"
        if not (root / ext.get("file", "")).is_file():
            yield f"provides.{name}.file {ext.get('file')} is not in the tree"
        if ext.get("file") != f"sql/{name}--{default_version}.sql":
            yield f"provides.{name}.file should be the full script of {default_version}"
        if not ext.get("version", "").startswith(default_version + "."):
            yield f"provides.{name}.version {ext.get('version')} is not the control file's {default_version}"
    if not meta.get("version", "").startswith(default_version + "."):
        yield f"version {meta.get('version')} is not the control file's {default_version}"
    if "PostgreSQL" not in meta.get("prereqs", {}).get("runtime", {}).get("requires", {}):
        yield "prereqs.runtime.requires names no PostgreSQL version"
    if not (root / "Makefile").is_file():
        yield "no Makefile: pgxn install runs make"


def main():
    found = list(problems(Path(sys.argv[1])))
    for p in found:
        print(f"META.json: {p}")
    if not found:
        print("META.json: valid")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
