"""`python3 manage.py test`: the whole suite under pytest (extra arguments go to pytest)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

CHROMIUM = "/usr/bin/chromium"
# dbt is a command-line tool with pins of its own (dbt-core wants protobuf below 6), so it gets
# an environment of its own beside .venv; tests/api/test_it_runs_dbt.py runs it against Quarry.
DBT_REQUIREMENTS = ("dbt-core==1.9.4", "dbt-bigquery==1.9.1")


class Command(BaseCommand):
    help = "Run Quarry's test suite with pytest; it starts its own worker and, if needed, Redis."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("pytest_args", nargs="*", help="passed on to pytest")

    def run_from_argv(self, argv: list[str]) -> None:
        # Everything after `test` belongs to pytest, including options Django does not know.
        sys.exit(self._run(argv[2:]))

    def handle(self, *args: Any, pytest_args: list[str], **options: Any) -> None:
        sys.exit(self._run(pytest_args))

    def _run(self, pytest_args: list[str]) -> int:
        self._ensure_chromium()
        self._ensure_dbt()
        env = {**os.environ, "MOVIELENS_DIR": os.environ.get("MOVIELENS_DIR", _movielens_dir())}
        return subprocess.call(
            [sys.executable, "-m", "pytest", *pytest_args], cwd=settings.BASE_DIR, env=env
        )

    def _ensure_chromium(self) -> None:
        # Playwright cannot download its own browser here; the browser tests drive Debian's.
        if os.path.exists(CHROMIUM) or os.environ.get("QUARRY_SKIP_BROWSER_INSTALL") == "1":
            return
        if os.geteuid() == 0 and shutil.which("apt-get"):
            self.stdout.write("Installing Debian's chromium for the browser tests ...")
            quiet = {"stdout": subprocess.DEVNULL}
            subprocess.call(["apt-get", "update", "-qq"], **quiet)
            subprocess.call(
                ["apt-get", "install", "-y", "-qq", "chromium"],
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                **quiet,
            )
        if not os.path.exists(CHROMIUM):
            self.stderr.write(
                f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) "
                "or the browser tests will fail."
            )

    def _ensure_dbt(self) -> None:
        home = Path(settings.BASE_DIR) / ".venv-dbt"
        stamp = home / ".quarry-installed"
        wanted = " ".join(DBT_REQUIREMENTS)
        if stamp.exists() and stamp.read_text().strip() == wanted:
            return
        self.stdout.write("Installing dbt-bigquery into .venv-dbt for the dbt tests ...")
        venv.EnvBuilder(with_pip=True, clear=True).create(home)
        pip = [str(home / "bin" / "python"), "-m", "pip", "install", "-q"]
        if subprocess.call([*pip, "--disable-pip-version-check", *DBT_REQUIREMENTS]) == 0:
            stamp.write_text(wanted)
        else:
            self.stderr.write("Installing dbt failed: the dbt tests will fail.")


def _movielens_dir() -> str:
    # The shared MovieLens folder sits beside the checkout on developer machines and in CI.
    candidate = settings.BASE_DIR.parent / "shared" / "data" / "movielens"
    return str(candidate) if candidate.is_dir() else ""
