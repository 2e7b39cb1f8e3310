"""routines.insert / list / get / update / delete through the real google-cloud-bigquery client."""

from __future__ import annotations

import pytest
from google.api_core.exceptions import BadRequest, Conflict, NotFound
from google.cloud import bigquery
from google.cloud.bigquery import RoutineArgument, StandardSqlDataType, StandardSqlTypeNames

from console.catalog.models import Routine
from tests.api.test_it_runs_tutorial_with_bq_cli import BQ, bq_cli  # noqa: F401 (a fixture)

pytestmark = pytest.mark.worker

INT64 = StandardSqlDataType(type_kind=StandardSqlTypeNames.INT64)


def _routine(routine_id: str, body: str, **kw: object) -> bigquery.Routine:
    kw = {"type_": "SCALAR_FUNCTION", "language": "SQL", **kw}
    arguments = [RoutineArgument(name="x", data_type=INT64)]
    return bigquery.Routine(f"local-project.ds.{routine_id}", body=body, arguments=arguments, **kw)


def test_it_creates_lists_calls_updates_and_deletes_a_routine(bq: bigquery.Client) -> None:
    bq.create_dataset("ds")

    created = bq.create_routine(
        _routine("triple", "x * 3", return_type=INT64, description="Three times x")
    )
    listed = list(bq.list_routines("ds"))
    fetched = bq.get_routine("ds.triple")
    called = list(bq.query("SELECT ds.triple(4) AS v, ds.triple(x) AS w FROM UNNEST([5]) x"))

    assert created.reference.routine_id == "triple"
    assert created.created is not None and created.etag
    assert [r.routine_id for r in listed] == ["triple"]
    assert listed[0].type_ == "SCALAR_FUNCTION" and listed[0].language == "SQL"
    assert fetched.body == "x * 3"
    assert fetched.description == "Three times x"
    assert [(a.name, a.data_type.type_kind) for a in fetched.arguments] == [("x", "INT64")]
    assert fetched.return_type.type_kind == "INT64"
    assert [tuple(row.values()) for row in called] == [(12, 15)]

    fetched.body = "x * 30"
    # routines.update replaces the whole routine, as in BigQuery.
    updated = bq.update_routine(fetched, ["body", "arguments", "return_type", "type_", "language"])
    assert updated.body == "x * 30"
    assert list(bq.query("SELECT ds.triple(1) AS v"))[0]["v"] == 30

    with pytest.raises(BadRequest, match="still in use"):
        bq.delete_dataset("ds")
    bq.delete_routine("ds.triple")
    with pytest.raises(NotFound, match="Not found: Routine local-project:ds.triple"):
        bq.get_routine("ds.triple")


def test_it_shows_a_function_created_in_sql(bq: bigquery.Client) -> None:
    bq.create_dataset("ds")
    bq.query(
        "CREATE FUNCTION ds.greet(name STRING) AS (CONCAT('hello ', name)) "
        "OPTIONS(description='Greets')"
    ).result()

    routine = bq.get_routine("ds.greet")

    assert routine.type_ == "SCALAR_FUNCTION"
    assert routine.body == "CONCAT('hello ', name)"
    assert routine.return_type is None
    assert routine.description == "Greets"
    assert routine.arguments[0].data_type.type_kind == "STRING"


def test_it_refuses_what_it_cannot_run_and_keeps_nothing(bq: bigquery.Client) -> None:
    bq.create_dataset("ds")
    bq.create_routine(_routine("f", "x + 1"))

    with pytest.raises(Conflict, match="Already Exists: Routine local-project:ds.f"):
        bq.create_routine(_routine("f", "x + 2"))
    with pytest.raises(BadRequest, match="language JAVASCRIPT are not supported by Quarry"):
        bq.create_routine(_routine("js", "return x;", language="JAVASCRIPT", return_type=INT64))
    with pytest.raises(BadRequest, match=r"Unrecognized name: y at \[1:5\]"):
        bq.create_routine(_routine("g", "x + y"))
    with pytest.raises(BadRequest, match="Syntax error: Unexpected end of expression"):
        bq.create_routine(_routine("g", "x +"))
    with pytest.raises(BadRequest, match=r"Syntax error: Unexpected keyword FROM at \[1:5\]"):
        bq.create_routine(_routine("g", "x + FROM"))
    with pytest.raises(BadRequest, match="Function not found: ds.nope"):
        bq.create_routine(_routine("h", "ds.nope(x)"))

    assert [r.routine_id for r in bq.list_routines("ds")] == ["f"]
    assert bq.get_routine("ds.f").body == "x + 1"


@pytest.mark.skipif(BQ is None, reason="the bq CLI is not installed (google-cloud-cli)")
def test_it_serves_the_real_bq_cli_ls_show_and_rm_of_routines(bq_cli) -> None:  # noqa: F811
    made = bq_cli("query", "--nouse_legacy_sql", "CREATE SCHEMA ds; CREATE FUNCTION ds.add_four("
                  "x INT64, y INT64) RETURNS FLOAT64 AS ((x + 4) / y)")  # fmt: skip
    assert made.returncode == 0, made.stderr + made.stdout

    listed = bq_cli("ls", "--routines", "ds")
    shown = bq_cli("show", "--routine", "ds.add_four")
    removed = bq_cli("rm", "-f", "--routine", "ds.add_four")

    assert listed.returncode == 0, listed.stderr + listed.stdout
    assert listed.stdout.splitlines()[2].split()[:3] == ["add_four", "SCALAR_FUNCTION", "SQL"]
    assert "(x INT64, y INT64) -> FLOAT64" in shown.stdout
    assert "(x + 4) / y" in shown.stdout
    assert removed.returncode == 0, removed.stderr + removed.stdout
    assert not Routine.objects.exists()
