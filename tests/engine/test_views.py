"""Views: CREATE / DROP VIEW, and reading a view as the query it saves, as BigQuery does."""

from __future__ import annotations

from typing import Any

import pytest

from console.catalog.models import Dataset, Project, Table
from console.engine.script import dry_run
from console.jobs.models import Job
from tests.conftest import job_rows, run_here


def _run(sql: str, **query: Any) -> Job:
    return run_here({"query": {"query": sql, "useLegacySql": False, **query}})


def _ok(sql: str) -> Job:
    job = _run(sql)
    assert job.error_result is None, job.error_result
    return job


def _error(sql: str) -> dict[str, Any]:
    job = _run(sql)
    assert job.error_result is not None, f"{sql} ran"
    return job.error_result


@pytest.fixture
def dataset(db: None) -> Dataset:
    ds = Dataset.create(Project.default(), "ds")
    _ok(
        "CREATE TABLE ds.ratings AS SELECT * FROM UNNEST([STRUCT(1 AS user_id, 5.0 AS rating, "
        "'long text here' AS note), (2, 3.0, 'x'), (1, 4.0, 'y')])"
    )
    return ds


def test_it_creates_a_view_that_keeps_its_query_and_schema_but_no_rows(dataset: Dataset) -> None:
    job = _ok(
        "CREATE VIEW ds.avg_rating AS\n"
        "SELECT user_id, AVG(rating) AS avg -- per user\n"
        "FROM ds.ratings GROUP BY user_id"
    )
    assert job.statistics["statementType"] == "CREATE_VIEW"
    assert job.statistics["ddlOperationPerformed"] == "CREATE"
    assert job.statistics["ddlTargetTable"] == {
        "projectId": "local-project",
        "datasetId": "ds",
        "tableId": "avg_rating",
    }
    assert int(job.statistics["totalBytesProcessed"]) == 0
    checked = dry_run(
        Project.default(), "CREATE VIEW ds.v AS SELECT * FROM ds.ratings", principal=None
    )
    assert (checked["statementType"], checked["totalBytesProcessed"]) == ("CREATE_VIEW", 0)
    view = Table.objects.get(table_id="avg_rating")
    assert view.table_type == Table.Type.VIEW
    assert view.view_query == (
        "SELECT user_id, AVG(rating) AS avg -- per user\nFROM ds.ratings GROUP BY user_id"
    )
    assert [(f["name"], f["type"]) for f in view.schema] == [
        ("user_id", "INT64"),
        ("avg", "FLOAT64"),
    ]
    assert view.data_path == "" and view.num_rows == 0


def test_it_reads_a_view_as_its_query_and_counts_the_tables_it_reads(dataset: Dataset) -> None:
    _ok("CREATE VIEW ds.good AS SELECT user_id, rating FROM ds.ratings WHERE rating >= 4")
    job = _ok("SELECT g.user_id, SUM(rating) AS total FROM ds.good AS g GROUP BY 1")
    assert job_rows(job)[1] == [[1, 9.0]]
    ratings = Table.objects.get(table_id="ratings")
    read = ratings.column_bytes["user_id"] + ratings.column_bytes["rating"]
    assert int(job.statistics["totalBytesProcessed"]) == read
    # The dry run counts the same bytes, without the note column the view never reads.
    checked = dry_run(Project.default(), "SELECT * FROM ds.good", principal=None)
    assert checked["totalBytesProcessed"] == read


def test_it_reads_views_of_views_and_sees_the_tables_as_they_are_now(dataset: Dataset) -> None:
    _ok("CREATE VIEW ds.v1 AS SELECT user_id, rating FROM ds.ratings")
    _ok("CREATE VIEW ds.v2 AS SELECT user_id FROM ds.v1 WHERE rating > 3")
    _ok("INSERT INTO ds.ratings (user_id, rating) VALUES (7, 5.0)")
    job = _ok("SELECT user_id FROM ds.v2 ORDER BY user_id")
    assert job_rows(job)[1] == [[1], [1], [7]]


def test_it_refuses_a_second_view_of_the_same_name_unless_told(dataset: Dataset) -> None:
    _ok("CREATE VIEW ds.v AS SELECT user_id FROM ds.ratings")
    error = _error("CREATE VIEW ds.v AS SELECT rating FROM ds.ratings")
    assert error["reason"] == "duplicate"
    assert error["message"] == "Already Exists: Table local-project:ds.v"
    assert _error("CREATE VIEW ds.ratings AS SELECT 1 AS x")["reason"] == "duplicate"
    skipped = _ok("CREATE VIEW IF NOT EXISTS ds.v AS SELECT rating FROM ds.ratings")
    assert skipped.statistics["ddlOperationPerformed"] == "SKIP"
    replaced = _ok("CREATE OR REPLACE VIEW ds.v AS (\n  SELECT rating FROM ds.ratings -- new\n)")
    assert replaced.statistics["ddlOperationPerformed"] == "REPLACE"
    view = Table.objects.get(table_id="v")
    assert [f["name"] for f in view.schema] == ["rating"]
    assert view.view_query == "SELECT rating FROM ds.ratings -- new"
    # A table is not replaced by a view.
    error = _error("CREATE OR REPLACE VIEW ds.ratings AS SELECT 1 AS x")
    assert error["message"] == (
        "local-project:ds.ratings is not allowed for this operation because it is currently a "
        "TABLE."
    )
    assert Table.objects.get(table_id="ratings").table_type == Table.Type.TABLE


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "CREATE VIEW ds.v AS SELECT * FROM ds.missing",
            "Not found: Table local-project:ds.missing was not found in location US",
        ),
        ("CREATE VIEW ds.v AS SELECT nope FROM ds.ratings", "Unrecognized name: nope at [1:28]"),
        (
            "CREATE VIEW ds.v AS SELECT * FROM ratings",
            'Table "ratings" must be qualified with a dataset (e.g. dataset.table) at [1:35]',
        ),
        (
            "CREATE VIEW ds.v AS SELECT 1 AS a, 2 AS A",
            "Duplicate column names in the result are not supported. Found duplicate(s): A",
        ),
        (
            "CREATE VIEW ds.v (a) AS SELECT 1 AS x, 2 AS y",
            "The view's column list names 1 columns but its query returns 2",
        ),
    ],
)
def test_it_refuses_a_view_whose_query_does_not_run_and_creates_nothing(
    dataset: Dataset, sql: str, message: str
) -> None:
    # Unqualified names are refused even with a default dataset: a view's names never depend
    # on who reads it.
    job = _run(sql, defaultDataset={"projectId": "local-project", "datasetId": "ds"})
    assert job.error_result["message"] == message
    assert job.error_result["reason"] in ("invalidQuery", "notFound")
    assert not Table.objects.filter(table_id="v").exists()


def test_it_names_columns_and_keeps_options(dataset: Dataset) -> None:
    _ok(
        "CREATE VIEW ds.v (who, score) OPTIONS(description='Scores', friendly_name='Scores', "
        "labels=[('team', 'recs')], expiration_timestamp=TIMESTAMP '2099-01-01 00:00:00 UTC') "
        "AS SELECT user_id, rating FROM ds.ratings"
    )
    view = Table.objects.get(table_id="v")
    assert [f["name"] for f in view.schema] == ["who", "score"]
    assert (view.description, view.friendly_name, view.labels) == (
        "Scores",
        "Scores",
        {"team": "recs"},
    )
    assert view.expiration_time.year == 2099
    job = _ok("SELECT who, score FROM ds.v WHERE who = 2")
    assert job_rows(job)[1] == [[2, 3.0]]
    # OR REPLACE makes a new view: the options it does not repeat are gone.
    _ok("CREATE OR REPLACE VIEW ds.v OPTIONS(description='Fresh') AS SELECT 1 AS x")
    view = Table.objects.get(table_id="v")
    assert (view.description, view.friendly_name, view.labels) == ("Fresh", "", {})
    assert view.expiration_time is None
    message = _error("CREATE VIEW ds.w OPTIONS(colour='red') AS SELECT 1 AS x")["message"]
    assert message.startswith("Unknown option: colour at [1:")
    assert message.endswith(
        "Options for views are description, friendly_name, labels, expiration_timestamp"
    )
    assert not Table.objects.filter(table_id="w").exists()


def test_it_drops_views_with_drop_view_and_tables_with_drop_table(dataset: Dataset) -> None:
    _ok("CREATE VIEW ds.v AS SELECT user_id FROM ds.ratings")
    view_error = _error("DROP TABLE ds.v")
    assert view_error == {
        "reason": "invalidQuery",
        "location": "query",
        "message": "local-project:ds.v is not allowed for this operation because it is currently "
        "a VIEW.",
    }
    table_error = _error("DROP VIEW ds.ratings")
    assert table_error["message"].endswith("because it is currently a TABLE.")
    assert Table.objects.filter(table_id__in=["v", "ratings"]).count() == 2
    dropped = _ok("DROP VIEW ds.v")
    assert dropped.statistics["statementType"] == "DROP_VIEW"
    assert dropped.statistics["ddlOperationPerformed"] == "DROP"
    assert dropped.statistics["ddlTargetTable"]["tableId"] == "v"
    assert not Table.objects.filter(table_id="v").exists()
    assert _ok("DROP VIEW IF EXISTS ds.v").statistics["ddlOperationPerformed"] == "SKIP"
    assert _error("DROP VIEW ds.v")["reason"] == "notFound"


def test_it_refuses_time_travel_cycles_and_views_nested_too_deep(dataset: Dataset) -> None:
    _ok("CREATE VIEW ds.v AS SELECT user_id FROM ds.ratings")
    error = _error("SELECT * FROM ds.v FOR SYSTEM_TIME AS OF CURRENT_TIMESTAMP()")
    assert error["message"].startswith(
        "FOR SYSTEM_TIME AS OF cannot be used with view local-project:ds.v at [1:"
    )
    # Replacing v so that it reads w, which reads v, makes a cycle: reading either says so.
    _ok("CREATE VIEW ds.w AS SELECT user_id FROM ds.v")
    _ok("CREATE OR REPLACE VIEW ds.v AS SELECT user_id FROM ds.ratings UNION ALL SELECT 1")
    Table.objects.filter(table_id="v").update(view_query="SELECT user_id FROM ds.w", version=9)
    assert _error("SELECT * FROM ds.w")["message"] == (
        "View local-project:ds.w references itself: local-project:ds.w -> local-project:ds.v "
        "-> local-project:ds.w"
    )
    _ok("CREATE OR REPLACE VIEW ds.v0 AS SELECT user_id FROM ds.ratings")
    for level in range(1, 17):
        _ok(f"CREATE VIEW ds.v{level} AS SELECT user_id FROM ds.v{level - 1}")
    assert len(job_rows(_ok("SELECT * FROM ds.v15"))[1]) == 3
    assert "more than 16 levels deep" in _error("SELECT * FROM ds.v16")["message"]


def test_it_never_writes_rows_into_a_view(dataset: Dataset) -> None:
    _ok("CREATE VIEW ds.v AS SELECT user_id FROM ds.ratings")
    refused = "local-project:ds.v is not allowed for this operation because it is currently a VIEW."
    for sql in (
        "INSERT INTO ds.v (user_id) VALUES (9)",
        "DELETE FROM ds.v WHERE TRUE",
        "CREATE OR REPLACE TABLE ds.v AS SELECT 9 AS user_id",
    ):
        assert _error(sql)["message"] == refused, sql
    into_view = _run(
        "SELECT 9 AS user_id",
        destinationTable={"projectId": "local-project", "datasetId": "ds", "tableId": "v"},
        writeDisposition="WRITE_TRUNCATE",
    )
    assert into_view.error_result["message"] == refused
    view = Table.objects.get(table_id="v")
    assert (view.table_type, view.data_path) == (Table.Type.VIEW, "")
    assert len(job_rows(_ok("SELECT * FROM ds.v"))[1]) == 3


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE MATERIALIZED VIEW ds.mv AS SELECT user_id FROM ds.ratings",
        "DROP MATERIALIZED VIEW ds.mv",
        "CREATE TEMP VIEW mv AS SELECT 1 AS x",
    ],
)
def test_it_refuses_materialized_and_temporary_views_rather_than_make_a_plain_one(
    dataset: Dataset, sql: str
) -> None:
    verb, modifier = sql.split()[:2]
    assert _error(sql)["message"].startswith(f"{verb} {modifier} VIEW is not supported by Quarry")
    assert not Table.objects.filter(table_id="mv").exists()
