"""`python -m benchmarks.load --quick` runs end to end against a real `manage.py serve`.

Its figures are not checked (the machine may be busy); its answers are: the benchmark exits 1
when any page or query failed or answered wrongly.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.worker
def test_it_serves_every_page_and_query_of_the_quick_run_without_an_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [row for row in map(str.split, done.stdout.splitlines()) if row and row[0].isdigit()]
    assert [row[:2] for row in rows] == [
        ["1", "pages"],
        ["1", "queries"],
        ["4", "pages"],
        ["4", "queries"],
    ]
    assert all(int(row[2]) > 0 and row[3] == "0" for row in rows), done.stdout
