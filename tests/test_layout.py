"""The checkout's shape: what the installed package holds and what shipped code may import."""

from __future__ import annotations

import ast
import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("console", "mfcore")


def test_it_installs_console_and_mfcore_but_not_the_benchmarks():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    # setuptools' find matches these patterns against each top-level package's name.
    packages = [
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if any(fnmatch(path.parent.name, pattern) for pattern in include)
    ]
    assert sorted(packages) == sorted(SHIPPED)
    assert (ROOT / "benchmarks" / "__init__.py").exists()


def test_it_keeps_benchmarks_out_of_shipped_code():
    importers = []
    for package in SHIPPED:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                else:
                    continue
                if any(name.split(".")[0] == "benchmarks" for name in names):
                    importers.append(str(path.relative_to(ROOT)))
    assert importers == []
    assert not list((ROOT / "console").rglob("*bench*.py"))
    assert not list((ROOT / "mfcore").rglob("*bench*.py"))
