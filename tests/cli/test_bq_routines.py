"""`manage.py bq` and routines: ls --routines, show --routine, rm --routine, as bq prints them."""

from __future__ import annotations

import pytest

from console.catalog.models import Routine
from tests.cli.test_bq_command import bq

pytestmark = pytest.mark.worker


@pytest.fixture
def dataset(worker: None, transactional_db: None) -> None:
    assert bq("mk", "-d", "ds")[0] == 0
    code, out, err = bq(
        "query", "--nouse_legacy_sql",
        "CREATE FUNCTION ds.add_four(x INT64, y INT64) RETURNS FLOAT64 AS ((x + 4) / y)",
    )  # fmt: skip
    assert code == 0, err
    assert out.splitlines()[-1] == "Created local-project.ds.add_four"


def test_it_lists_shows_calls_and_removes_a_routine(dataset: None) -> None:
    _, listed, _ = bq("ls", "--routines", "ds")
    _, shown, _ = bq("show", "--routine", "ds.add_four")
    _, called, _ = bq("query", "--nouse_legacy_sql", "SELECT ds.add_four(2, 3) AS v")

    header, rule, row = listed.splitlines()[:3]
    assert header.split() == ["Id", "Routine", "Type", "Language", "Creation", "Time", "Last",
                              "Modified", "Time", "Is", "Remote"]  # fmt: skip
    assert row.split()[:3] == ["add_four", "SCALAR_FUNCTION", "SQL"]
    assert row.split()[-1] == "No"
    assert shown.startswith("Routine local-project:ds.add_four\n")
    assert "(x INT64, y INT64) -> FLOAT64" in shown
    assert "(x + 4) / y" in shown
    assert "| 2.0 |" in called

    assert bq("rm", "-f", "--routine", "ds.add_four")[0] == 0
    assert not Routine.objects.exists()
    code, _, err = bq("show", "--routine", "ds.add_four")
    assert code != 0
    assert "Not found: Routine local-project:ds.add_four" in err
