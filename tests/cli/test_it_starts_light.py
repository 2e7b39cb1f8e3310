"""`manage.py bq` as a new user's first command, and what it loads to run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _fresh_env(var_dir: Path) -> dict[str, str]:
    # A new machine: its own var dir, the default SQLite catalog, no environment to bootstrap.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return {**env, "QUARRY_VAR_DIR": str(var_dir), "QUARRY_NO_BOOTSTRAP": "1"}


def test_it_makes_the_catalog_when_bq_comes_before_serve(tmp_path: Path) -> None:
    def bq(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", "bq", *argv],
            cwd=ROOT,
            env=_fresh_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )

    made = bq("mk", "first_steps")
    assert made.returncode == 0, made.stderr
    assert "Dataset 'local-project:first_steps' successfully created." in made.stdout
    listed = bq("ls")
    assert listed.returncode == 0, listed.stderr
    assert "first_steps" in listed.stdout


def test_it_lists_without_loading_the_engine(tmp_path: Path) -> None:
    # DuckDB, sqlglot, pyarrow and pandas cost most of a second to import: the catalog's
    # commands must not pay for them.
    probe = (
        "import sys, django; django.setup(); "
        "from console.management.commands.bq import Command; Command().execute_bq(['ls']); "
        "print(sorted(m for m in ('duckdb', 'sqlglot', 'pyarrow', 'pandas') if m in sys.modules))"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**_fresh_env(tmp_path), "DJANGO_SETTINGS_MODULE": "console.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().splitlines()[-1] == "[]"
