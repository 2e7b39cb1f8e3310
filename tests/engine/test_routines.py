"""SQL UDFs: CREATE [TEMP] FUNCTION, calls (inlined, typed, checked) and DROP FUNCTION."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from console.catalog.models import Dataset, Project, Routine
from console.engine.routines import define
from console.engine.script import dry_run
from console.errors import BigQueryError
from console.iam.models import RoleBinding
from console.jobs.models import Job
from console.jobs.runner import run
from console.jobs.submit import submit
from tests.conftest import job_rows, run_here


@pytest.fixture
def dataset(db: None) -> Dataset:
    return Dataset.create(Project.default(), "ds")


def _run(sql: str) -> Job:
    job = run_here({"query": {"query": sql, "useLegacySql": False}})
    assert job.state == Job.State.DONE
    return job


def _rows(sql: str) -> list[list[Any]]:
    job = _run(sql)
    assert job.error_result is None, job.error_result
    return job_rows(job)[1]


def _error(sql: str) -> str:
    job = _run(sql)
    assert job.error_result is not None, "the job should have failed"
    assert job.error_result["reason"] == "invalidQuery"
    return job.error_result["message"]


ADD_FOUR = (
    "CREATE FUNCTION ds.add_four_and_divide(x INT64, y INT64) RETURNS FLOAT64 AS ((x + 4) / y) "
    "OPTIONS(description='Adds four, then divides')"
)


def test_it_creates_a_function_a_query_then_calls(dataset: Dataset) -> None:
    job = _run(ADD_FOUR)

    assert job.error_result is None
    assert job.statistics["statementType"] == "CREATE_FUNCTION"
    assert job.statistics["ddlOperationPerformed"] == "CREATE"
    assert job.statistics["ddlTargetRoutine"] == {
        "projectId": "local-project",
        "datasetId": "ds",
        "routineId": "add_four_and_divide",
    }
    routine = Routine.objects.get(dataset=dataset)
    assert routine.arguments == [
        {"name": "x", "dataType": {"typeKind": "INT64"}},
        {"name": "y", "dataType": {"typeKind": "INT64"}},
    ]
    assert routine.return_type == {"typeKind": "FLOAT64"}
    assert routine.definition_body == "(x + 4) / y"
    assert routine.description == "Adds four, then divides"
    assert _rows(
        "SELECT ds.add_four_and_divide(2, 3) AS a, `local-project.ds.add_four_and_divide`(6, 5) "
        "AS b, local_project_alias.v FROM (SELECT 1 AS v) AS local_project_alias"
    ) == [[2.0, 2.0, 1]]


def test_it_applies_a_function_to_every_row_and_casts_its_arguments(dataset: Dataset) -> None:
    _run("CREATE FUNCTION ds.label(n INT64, s STRING) AS (CONCAT(s, '-', CAST(n AS STRING)))")

    rows = _rows("SELECT ds.label(n, 'item') AS l FROM UNNEST([1, 2, 3]) AS n ORDER BY n")

    assert rows == [["item-1"], ["item-2"], ["item-3"]]
    _run("CREATE FUNCTION ds.later(d DATE, n NUMERIC) AS (DATE_ADD(d, INTERVAL 1 DAY))")
    assert _rows("SELECT ds.later('2024-02-28', -1.5) AS d") == [[dt.date(2024, 2, 29)]]
    # 2.6 is FLOAT64, which BigQuery does not coerce to INT64.
    assert _error("SELECT ds.label(2.6, 'x')") == (
        "No matching signature for function ds.label for argument types: FLOAT64, STRING. "
        "Supported signature: ds.label(INT64, STRING) at [1:8]"
    )


def test_it_takes_arrays_structs_and_any_type(dataset: Dataset) -> None:
    _run("CREATE FUNCTION ds.total(a ARRAY<INT64>) AS ((SELECT SUM(v) FROM UNNEST(a) AS v))")
    _run(
        "CREATE FUNCTION ds.tag(p STRUCT<n INT64, s STRING>) RETURNS STRING "
        "AS (CONCAT(p.s, CAST(p.n AS STRING)))"
    )
    _run("CREATE FUNCTION ds.twice(x ANY TYPE) AS (x || x)")

    assert _rows(
        "SELECT ds.total([1, 2, 3]) AS t, ds.tag(STRUCT(7 AS n, 'z' AS s)) AS g, "
        "ds.twice('ab') AS w, ds.twice([1]) AS v"
    ) == [[6, "z7", "abab", [1, 1]]]


def test_it_calls_functions_in_every_statement_that_reads_rows(dataset: Dataset) -> None:
    _run("CREATE FUNCTION ds.plus_four(x INT64) AS (x + 4)")
    _run("CREATE TABLE ds.t AS SELECT ds.plus_four(n) AS n FROM UNNEST([1, 2, 3]) AS n")

    _run("UPDATE ds.t SET n = ds.plus_four(n) WHERE ds.plus_four(n) > 10")
    _run("DELETE FROM ds.t WHERE ds.plus_four(n) = 9")

    assert _rows("SELECT n FROM ds.t ORDER BY n") == [[6], [11]]


def test_it_keeps_a_temporary_function_for_its_query_only(dataset: Dataset) -> None:
    job = _run("CREATE TEMP FUNCTION twice(s STRING) AS (CONCAT(s, s));\nSELECT twice('ab') AS v")

    assert job.error_result is None
    assert job_rows(job)[1] == [["abab"]]
    # Declaring functions first does not make a query a script, as in BigQuery.
    assert job.statistics["statementType"] == "SELECT"
    assert not Routine.objects.exists()
    assert _error("SELECT twice('ab')") == "Function not found: twice at [1:8]"


def test_it_refuses_a_persistent_function_calling_a_temporary_one(dataset: Dataset) -> None:
    message = _error(
        "CREATE TEMP FUNCTION t(x INT64) AS (x * 2);\nCREATE FUNCTION ds.p(x INT64) AS (t(x) + 1)"
    )

    assert message == "Function not found: t at [2:35]"
    assert not Routine.objects.exists()


def test_it_expands_functions_that_call_functions(dataset: Dataset) -> None:
    _run("CREATE FUNCTION ds.sq(x FLOAT64) AS (x * x)")
    _run("CREATE FUNCTION ds.norm(a FLOAT64, b FLOAT64) AS (SQRT(ds.sq(a) + ds.sq(b)))")

    assert _rows("SELECT ds.norm(3, ds.sq(2)) AS n") == [[5.0]]


def test_it_refuses_a_cycle_of_functions(dataset: Dataset) -> None:
    _run("CREATE FUNCTION ds.f(x INT64) AS (x + 1)")
    _run("CREATE FUNCTION ds.g(x INT64) AS (ds.f(x) * 2)")

    message = _error("CREATE OR REPLACE FUNCTION ds.f(x INT64) AS (`local-project.ds.g`(x))")

    assert message.startswith(
        "Recursive function calls are not supported: local-project:ds.f -> local-project:ds.g "
        "-> local-project:ds.f at [1:"
    )
    assert _rows("SELECT ds.g(1)") == [[4]]


def test_it_says_which_function_is_not_found_and_where(dataset: Dataset) -> None:
    assert _error("SELECT 1,\n  ds.nope(1)") == "Function not found: ds.nope at [2:3]"
    assert _error("SELECT nowhere.f(1)") == "Function not found: nowhere.f at [1:8]"
    assert _error("SELECT a.b.ds.f(1)") == "Function not found: a.b.ds.f at [1:8]"


def test_it_refuses_a_call_with_the_wrong_number_of_arguments(dataset: Dataset) -> None:
    _run(ADD_FOUR)

    assert _error("SELECT ds.add_four_and_divide(1)") == (
        "No matching signature for function ds.add_four_and_divide for argument types: INT64. "
        "Supported signature: ds.add_four_and_divide(INT64, INT64) at [1:8]"
    )


def test_it_replaces_skips_and_refuses_an_existing_function(dataset: Dataset) -> None:
    _run("CREATE FUNCTION ds.f(x INT64) AS (x + 1)")

    duplicate = _run("CREATE FUNCTION ds.f(x INT64) AS (x + 2)")
    skipped = _run("CREATE FUNCTION IF NOT EXISTS ds.f(x INT64) AS (x + 3)")
    assert _rows("SELECT ds.f(1)") == [[2]]

    assert duplicate.error_result["message"] == "Already Exists: Function local-project:ds.f"
    assert skipped.statistics["ddlOperationPerformed"] == "SKIP"
    replaced = _run("CREATE OR REPLACE FUNCTION ds.f(x INT64) AS (x + 10)")
    assert replaced.statistics["ddlOperationPerformed"] == "REPLACE"
    assert _rows("SELECT ds.f(1)") == [[11]]


def test_it_drops_a_function(dataset: Dataset) -> None:
    _run("CREATE FUNCTION ds.f(x INT64) AS (x + 1)")

    dropped = _run("DROP FUNCTION ds.f")
    again = _run("DROP FUNCTION ds.f")
    skipped = _run("DROP FUNCTION IF EXISTS ds.f")

    assert dropped.statistics["statementType"] == "DROP_FUNCTION"
    assert dropped.statistics["ddlOperationPerformed"] == "DROP"
    assert dropped.statistics["ddlTargetRoutine"]["routineId"] == "f"
    assert not Routine.objects.exists()
    assert again.error_result["message"] == "Not found: Function local-project:ds.f"
    assert skipped.statistics["ddlOperationPerformed"] == "SKIP"


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "CREATE FUNCTION ds.f(x STRING) RETURNS STRING LANGUAGE js AS r'return x;'",
            "Functions in LANGUAGE js are not supported by Quarry at [1:20]",
        ),
        (
            "CREATE TABLE FUNCTION ds.f(x INT64) AS (SELECT x)",
            "CREATE TABLE FUNCTION is not supported by Quarry",
        ),
        (
            "CREATE FUNCTION ds.f(x INT64) AS ((SELECT COUNT(*) FROM ds.t))",
            "Function ds.f reads table ds.t",
        ),
        ("CREATE FUNCTION ds.f(x INT64) AS (x + y)", "Unrecognized name: y at [1:39]"),
        (
            "CREATE FUNCTION ds.f(x INT64) AS (SUM(x))",
            "Aggregate function SUM not allowed in SQL function body at [1:35]",
        ),
        ("CREATE FUNCTION ds.f(x INT64) AS (NOPE(x))", "Function not found: NOPE at [1:35]"),
        ("CREATE FUNCTION ds.`f-g`(x INT64) AS (x)", 'Invalid routine ID "f-g"'),
        (
            "CREATE OR REPLACE AGGREGATE FUNCTION ds.f(x INT64) AS (SUM(x))",
            "CREATE AGGREGATE FUNCTION is not supported by Quarry",
        ),
    ],
)
def test_it_refuses_what_quarry_cannot_run_and_creates_nothing(
    dataset: Dataset, sql: str, message: str
) -> None:
    assert _error(sql).startswith(message)
    assert not Routine.objects.exists()


def test_it_keeps_routines_with_their_dataset(dataset: Dataset) -> None:
    _run("CREATE FUNCTION ds.f(x INT64) AS (x + 1)")

    refused = _run("DROP SCHEMA ds")
    assert refused.error_result["message"] == "Dataset local-project:ds is still in use"
    assert Routine.objects.exists()

    _run("DROP SCHEMA ds CASCADE")
    assert not Routine.objects.exists()


def test_it_dry_runs_a_query_with_functions(dataset: Dataset) -> None:
    _run("CREATE FUNCTION ds.f(x INT64) AS (x + 1)")

    checked = dry_run(
        Project.default(),
        "CREATE TEMP FUNCTION g(x INT64) AS (ds.f(x) * 2); SELECT g(1), ds.f(2)",
        principal=None,
    )

    assert checked["statementType"] == "SELECT"
    with pytest.raises(BigQueryError, match="Function not found: ds.h at"):
        dry_run(Project.default(), "SELECT ds.h(1)", principal=None)
    with pytest.raises(BigQueryError, match="Unrecognized name: y at"):
        dry_run(Project.default(), "CREATE FUNCTION ds.g(x INT64) AS (x + y)", principal=None)


def test_it_lets_only_who_may_get_a_function_call_it(dataset: Dataset) -> None:
    _run("CREATE FUNCTION ds.f(x INT64) AS (x + 1)")
    users = get_user_model().objects
    bob, carol = users.create_user("bob"), users.create_user("carol")
    RoleBinding.grant(Project.default(), bob, "roles/bigquery.jobUser")
    RoleBinding.grant(Project.default(), carol, "roles/bigquery.jobUser")
    RoleBinding.grant(Project.default(), carol, "roles/bigquery.dataViewer")

    def run_as(user: Any, sql: str) -> Job:
        job = submit(user, Project.default(), {"query": {"query": sql}})
        assert job.mark_running()
        run(job)
        job.refresh_from_db()
        return job

    refused = run_as(bob, "SELECT ds.f(1) AS v")
    allowed = run_as(carol, "SELECT ds.f(1) AS v")

    assert refused.error_result == {
        "reason": "accessDenied",
        "message": "Access Denied: Routine local-project:ds.f: Permission bigquery.routines.get "
        "denied on routine local-project:ds.f (or it may not exist).",
    }
    assert allowed.error_result is None
    assert job_rows(allowed)[1] == [[2]]
    creating = run_as(carol, "CREATE FUNCTION ds.g(x INT64) AS (x)")
    assert "Permission bigquery.routines.create denied" in creating.error_result["message"]


def test_it_refuses_the_second_of_two_racing_inserts(dataset: Dataset) -> None:
    resource = {
        "arguments": [{"name": "x", "dataType": {"typeKind": "INT64"}}],
        "definitionBody": "x + 1",
    }
    # Both requests looked before either saved: the second meets the first's row.
    first = Routine(dataset=dataset, routine_id="f")
    second = Routine(dataset=dataset, routine_id="f")
    define(None, first, resource)

    with pytest.raises(BigQueryError, match="Already Exists: Routine local-project:ds.f"):
        define(None, second, {**resource, "definitionBody": "x + 2"})
    assert Routine.objects.get().definition_body == "x + 1"


def test_it_lists_routines_in_information_schema(dataset: Dataset) -> None:
    _run(ADD_FOUR)

    rows = _rows(
        "SELECT routine_name, routine_type, data_type, routine_body, routine_definition, ddl "
        "FROM ds.INFORMATION_SCHEMA.ROUTINES"
    )

    assert rows == [
        [
            "add_four_and_divide",
            "FUNCTION",
            "FLOAT64",
            "SQL",
            "(x + 4) / y",
            "CREATE FUNCTION `local-project.ds.add_four_and_divide`(x INT64, y INT64) RETURNS "
            'FLOAT64\nOPTIONS(description="Adds four, then divides")\nAS ((x + 4) / y);',
        ]
    ]
