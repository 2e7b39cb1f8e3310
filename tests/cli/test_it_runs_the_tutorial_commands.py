"""The tutorial's shell commands exactly as written, with `bq` being `manage.py bq`.

`bash` runs the tutorial's lines unchanged (curl, unzip, sed, bq mk, bq load); curl's download
of files.grouplens.org is answered by a local proxy with MovieLens 1M from MOVIELENS_DIR (or a
synthetic stand-in). Then the tutorial's SQL goes through `bq query`, as a shell user runs it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests import tutorial

pytestmark = pytest.mark.worker

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


@pytest.fixture
def shell(worker: None, transactional_db: None, worker_env, grouplens, tmp_path: Path):
    """Return a function running a shell script where `bq` is this checkout's `manage.py bq`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    bq = bin_dir / "bq"
    bq.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{MANAGE}" bq "$@"\n')
    bq.chmod(0o755)
    env = {**os.environ, **worker_env, **grouplens, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    return tutorial.shell_in(tmp_path / "work", env)


def test_it_runs_the_tutorials_shell_commands_as_written(shell, movielens) -> None:
    tutorial.run_shell_route(shell, movielens)
