#!/usr/bin/env python3
"""Quarry's command line: Django's manage.py that first makes sure its own environment exists.

`python3 manage.py serve` and `python3 manage.py test` are the README's two commands, so on a fresh
clone this file must get from a bare Python to a working install by itself: it creates `.venv`,
installs the project into it when pyproject.toml changed since the last install, and re-runs itself
with the environment's interpreter. Only the standard library may be used before that point.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".quarry-installed"


def _requirements_digest() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def _ensure_environment() -> None:
    """Create and fill .venv when needed, then re-run this command inside it."""
    if os.environ.get("QUARRY_NO_BOOTSTRAP") == "1":
        return
    inside = Path(sys.prefix).resolve() == VENV.resolve()
    digest = _requirements_digest()
    if not VENV_PYTHON.exists():
        print("Creating the Python environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text().strip() != digest:
        print("Installing Quarry and its dependencies into .venv ...", flush=True)
        pip = [str(VENV_PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
        STAMP.write_text(digest)
    if not inside:
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:]])


def main() -> None:
    _ensure_environment()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
