"""Every environment variable Quarry reads is in the README's Settings table, and no other."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Reads of a variable named by a literal: os.environ.get("X"), os.environ["X"] (not assigned),
# os.getenv("X") and settings.py's envbool/envint/envlist("X", ...). setdefault is a default
# for a library (DJANGO_SETTINGS_MODULE), not a setting of Quarry's.
READ = re.compile(
    r"""(?:os\.environ\.get|os\.getenv|\benv(?:bool|int|list))\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\](?!\s*=[^=])"""
)


def _variables_read() -> set[str]:
    names = set()
    for package in ("console", "mfcore"):
        for path in (ROOT / package).rglob("*.py"):
            for match in READ.finditer(path.read_text()):
                names.add(match.group(1) or match.group(2))
    return names


def _variables_documented() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section, re.MULTILINE))


def test_it_finds_the_variables_settings_and_commands_read():
    read = _variables_read()
    assert {"QUARRY_VAR_DIR", "DEBUG", "QUARRY_SESSION_AGE_S", "LOG_LEVEL"} <= read
    assert {"QUARRY_USER", "MFCORE_NUM_THREADS"} <= read
    assert "DJANGO_SETTINGS_MODULE" not in read


def test_it_documents_every_variable_read_in_the_readme():
    assert sorted(_variables_read() - _variables_documented()) == []


def test_it_documents_no_variable_that_nothing_reads():
    assert sorted(_variables_documented() - _variables_read()) == []
