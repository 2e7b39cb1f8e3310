"""Query parameters: every type comes back as itself, and no value can change the statement."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
from typing import Any

import pytest

from console.catalog.models import Dataset, Project, Table
from console.engine import params
from console.errors import InvalidError
from console.jobs.submit import submit
from tests.conftest import job_rows, run_here


def scalar(name: str | None, kind: str, value: Any) -> dict[str, Any]:
    parameter: dict[str, Any] = {
        "parameterType": {"type": kind},
        "parameterValue": {"value": value},
    }
    if name:
        parameter["name"] = name
    return parameter


def query(sql: str, parameters: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {"query": {"query": sql, "useLegacySql": False, "queryParameters": parameters, **more}}


def result(job: Any) -> tuple[dict[str, str], list[Any]]:
    assert job.error_result is None, job.error_result
    fields, rows, _ = job_rows(job)
    return {f["name"]: f["type"] for f in fields}, rows[0]


@pytest.mark.django_db
def test_it_binds_every_scalar_type_as_itself() -> None:
    given = [
        scalar("i", "INT64", "-9223372036854775808"),
        scalar("f", "FLOAT64", 2.5),
        scalar("inf", "FLOAT64", "-Infinity"),
        scalar("n", "NUMERIC", "12345.678901234"),
        scalar("iv", "INTERVAL", "1-2 3 4:5:6.5"),
        scalar("b", "BOOL", "TRUE"),
        scalar("s", "STRING", "it's"),
        scalar("by", "BYTES", base64.b64encode(b"\x00\xffquarry").decode()),
        scalar("d", "DATE", "2024-02-29"),
        scalar("dtm", "DATETIME", "2024-02-29T13:14:15.250000"),
        scalar("t", "TIME", "13:14:15"),
        scalar("ts", "TIMESTAMP", "2024-02-29 13:14:15.5+02:00"),
        scalar("j", "JSON", '{"a": [1, 2]}'),
        {"name": "nothing", "parameterType": {"type": "INT64"}, "parameterValue": {}},
    ]
    names = [p["name"] for p in given]
    job = run_here(query("SELECT " + ", ".join(f"@{n} AS {n}" for n in names), given))
    types, row = result(job)
    # JSON comes back as the engine type its literal has (issue 16 owns that).
    literal = "SELECT JSON '{\"a\": [1, 2]}' AS j"
    literal_types, _ = result(run_here(query(literal, [])))
    assert types == {
        "i": "INT64",
        "f": "FLOAT64",
        "inf": "FLOAT64",
        "n": "NUMERIC",
        "iv": "INTERVAL",
        "b": "BOOL",
        "s": "STRING",
        "by": "BYTES",
        "d": "DATE",
        "dtm": "DATETIME",
        "t": "TIME",
        "ts": "TIMESTAMP",
        "j": literal_types["j"],
        "nothing": "INT64",
    }
    values = dict(zip(names, row, strict=True))
    assert values["i"] == -(2**63)
    assert values["f"] == 2.5 and values["inf"] == float("-inf")
    assert decimal.Decimal(str(values["n"])) == decimal.Decimal("12345.678901234")
    assert values["b"] is True and values["s"] == "it's"
    assert values["by"] == b"\x00\xffquarry"
    assert values["d"] == dt.date(2024, 2, 29)
    assert values["dtm"] == dt.datetime(2024, 2, 29, 13, 14, 15, 250000)
    assert values["t"] == dt.time(13, 14, 15)
    assert values["ts"] == dt.datetime(2024, 2, 29, 11, 14, 15, 500000, tzinfo=dt.UTC)
    assert values["iv"] == "1-2 3 4:5:6.5"
    assert values["nothing"] is None


@pytest.mark.django_db
def test_it_binds_intervals_as_bigquery_reads_them() -> None:
    given = [
        scalar("back", "INTERVAL", "-0-1 -2 -3:4:5"),
        {
            "name": "each",
            "parameterType": {"type": "ARRAY", "arrayType": {"type": "INTERVAL"}},
            "parameterValue": {"arrayValues": [{"value": "0-0 1 0:0:0"}]},
        },
    ]
    # 2024-03-31 less a month is 2024-02-29 (the month has no 31st), less 2 days and 3:04:05.
    sql = "SELECT @back AS back, @each AS each, DATE '2024-03-31' + @back AS moved"
    types, row = result(run_here(query(sql, given)))
    assert types == {"back": "INTERVAL", "each": "INTERVAL", "moved": "DATETIME"}
    assert row == ["-0-1 -2 -3:4:5", ["0-0 1 0:0:0"], dt.datetime(2024, 2, 26, 20, 55, 55)]


@pytest.mark.django_db
def test_it_refuses_bignumeric_parameters_as_it_refuses_bignumeric() -> None:
    # DuckDB's DECIMAL stops at 38 digits: a BIGNUMERIC bound as one would be rounded.
    with pytest.raises(InvalidError, match="BIGNUMERIC, which Quarry does not support yet"):
        submit(None, Project.default(), query("SELECT @bn", [scalar("bn", "BIGNUMERIC", "3.5")]))


@pytest.mark.django_db
def test_it_binds_arrays_and_structs() -> None:
    given = [
        {
            "name": "ids",
            "parameterType": {"type": "ARRAY", "arrayType": {"type": "INT64"}},
            "parameterValue": {"arrayValues": [{"value": "3"}, {"value": "4"}]},
        },
        {
            "name": "who",
            "parameterType": {
                "type": "STRUCT",
                "structTypes": [
                    {"name": "name", "type": {"type": "STRING"}},
                    {"name": "tags", "type": {"type": "ARRAY", "arrayType": {"type": "STRING"}}},
                ],
            },
            "parameterValue": {
                "structValues": {
                    "name": {"value": "ada"},
                    "tags": {"arrayValues": [{"value": "x"}]},
                }
            },
        },
        {
            "name": "none",
            "parameterType": {"type": "ARRAY", "arrayType": {"type": "STRING"}},
            "parameterValue": {"arrayValues": []},
        },
    ]
    job = run_here(
        query(
            "SELECT (SELECT SUM(v) FROM UNNEST(@ids) AS v) AS total, 4 IN UNNEST(@ids) AS has_4, "
            "@who.name AS name, ARRAY_LENGTH(@who.tags) AS tags, ARRAY_LENGTH(@none) AS empty",
            given,
        )
    )
    _, row = result(job)
    assert row == [7, True, "ada", 1, 0]


@pytest.mark.django_db
def test_it_numbers_positional_parameters_in_text_order() -> None:
    given = [scalar(None, "STRING", "first"), scalar(None, "INT64", "2")]
    job = run_here(
        query("SELECT x FROM UNNEST(['first', 'second']) AS x WHERE x = ? LIMIT ?", given)
    )
    _, row = result(job)
    assert row == ["first"]


@pytest.mark.django_db
def test_it_never_lets_a_value_become_sql() -> None:
    dataset = Dataset.create(Project.default(), "ds")
    run_here(query("CREATE TABLE ds.t AS SELECT 1 AS a", []))
    hostile = "x'); DROP TABLE ds.t; SELECT ('"
    job = run_here(query("SELECT @s AS s, @s = 'x' AS same", [scalar("s", "STRING", hostile)]))
    _, row = result(job)
    assert row == [hostile, False]
    assert Table.objects.filter(dataset=dataset, table_id="t").exists()


@pytest.mark.django_db
def test_it_binds_parameters_in_dml_and_ddl() -> None:
    Dataset.create(Project.default(), "ds")
    given = [scalar("id", "INT64", "7"), scalar("name", "STRING", "seven")]
    run_here(query("CREATE TABLE ds.t (id INT64, name STRING)", []))
    job = run_here(query("INSERT INTO ds.t (id, name) VALUES (@id, @name)", given))
    assert job.error_result is None, job.error_result
    job = run_here(
        query(
            "CREATE TABLE ds.copy AS SELECT * FROM ds.t WHERE id = @id",
            [scalar("id", "INT64", "7")],
        )
    )
    assert job.error_result is None, job.error_result
    assert Table.objects.get(table_id="copy").num_rows == 1


@pytest.mark.django_db
def test_it_names_a_parameter_the_query_lacks() -> None:
    job = run_here(query("SELECT 1 AS a,\n  @missing AS b", [scalar("other", "INT64", "1")]))
    assert job.error_result["message"] == "Query parameter 'missing' not found at [2:3]"
    assert job.error_result["reason"] == "invalidQuery"


@pytest.mark.django_db
def test_it_dry_runs_with_parameters() -> None:
    job = submit(
        None,
        Project.default(),
        {**query("SELECT @a AS a", [scalar("a", "INT64", "1")]), "dryRun": True},
    )
    assert job.statistics["statementType"] == "SELECT"
    with pytest.raises(InvalidError, match="Query parameter 'b' not found at \\[1:8\\]"):
        submit(None, Project.default(), {**query("SELECT @b AS b", []), "dryRun": True})


@pytest.mark.parametrize(
    ("sql", "given", "message"),
    [
        ("SELECT ?", [scalar(None, "INT64", "1"), scalar(None, "INT64", "2")], "has 1 positional"),
        ("SELECT ?, @a", [scalar("a", "INT64", "1")], "Positional parameters cannot be used"),
    ],
)
@pytest.mark.django_db
def test_it_refuses_parameters_that_do_not_match_the_query(
    sql: str, given: list[dict[str, Any]], message: str
) -> None:
    job = run_here(query(sql, given))
    assert message in job.error_result["message"]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ([scalar("a", "INT64", "1.5")], "Query parameter a has an invalid INT64 value: '1.5'"),
        ([scalar("a", "INT64", "9223372036854775808")], "invalid INT64 value"),
        ([scalar("a", "DATE", "2024-02-30")], "invalid DATE value"),
        ([scalar("a", "BYTES", "not base64!")], "invalid BYTES value"),
        ([scalar("a", "NUMERIC", "1e30")], "invalid NUMERIC value"),
        ([scalar("a", "INTERGER", "1")], "unknown type: INTERGER"),
        ([scalar("a", "GEOGRAPHY", "POINT(1 1)")], "GEOGRAPHY, which Quarry does not support"),
        ([scalar("a b", "INT64", "1")], "Invalid query parameter name: 'a b'"),
        ([scalar("a", "INT64", "1"), scalar("A", "INT64", "2")], "Duplicate query parameter"),
        (
            [
                {
                    "name": "a",
                    "parameterType": {"type": "ARRAY", "arrayType": {"type": "INT64"}},
                    "parameterValue": {"arrayValues": [{"value": "1"}, {}]},
                }
            ],
            "an ARRAY cannot hold a NULL element",
        ),
    ],
)
@pytest.mark.django_db
def test_it_refuses_a_bad_parameter_before_the_job_exists(
    given: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(InvalidError, match=message) as refused:
        submit(None, Project.default(), query("SELECT @a", given))
    assert refused.value.location.startswith("queryParameters")
    from console.jobs.models import Job

    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("n:INT64:5", scalar("n", "INT64", "5")),
        ("s::hello:world", scalar("s", "STRING", "hello:world")),
        (":DATE:2024-01-01", scalar(None, "DATE", "2024-01-01")),
        (
            "ids:ARRAY<INT64>:[1, 2]",
            {
                "name": "ids",
                "parameterType": {"type": "ARRAY", "arrayType": {"type": "INT64"}},
                "parameterValue": {"arrayValues": [{"value": "1"}, {"value": "2"}]},
            },
        ),
        (
            's:STRUCT<x INT64, y STRING>:{"x": 1, "y": "b"}',
            {
                "name": "s",
                "parameterType": {
                    "type": "STRUCT",
                    "structTypes": [
                        {"name": "x", "type": {"type": "INT64"}},
                        {"name": "y", "type": {"type": "STRING"}},
                    ],
                },
                "parameterValue": {"structValues": {"x": {"value": "1"}, "y": {"value": "b"}}},
            },
        ),
        ("n:INT64:NULL", {"name": "n", "parameterType": {"type": "INT64"}, "parameterValue": {}}),
    ],
)
def test_it_reads_bqs_parameter_syntax(text: str, expected: dict[str, Any]) -> None:
    assert params.from_cli(text) == expected


def test_it_says_what_is_wrong_with_a_bq_parameter() -> None:
    with pytest.raises(InvalidError, match="expected name:TYPE:value"):
        params.from_cli("just-a-name")
    with pytest.raises(InvalidError, match="written in JSON"):
        params.from_cli("a:ARRAY<INT64>:1,2")
