"""configuration.query.destinationTable: a SELECT's rows written to a table, as BigQuery does.

Most cases run in-process through the runner the worker uses; the concurrent appends run on two
real worker processes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

from console.catalog.models import Dataset, Project, Table
from console.engine.destination import Destination
from console.engine.query import Context
from console.engine.results import read_rows
from console.errors import BigQueryError, ConcurrentUpdateError, NotFoundError
from console.jobs.models import Job
from console.jobs.submit import submit
from tests.conftest import job_rows, run_here, started_worker, wait_for


def _query(sql: str, table_id: str | None = "out", **dispositions: Any) -> Job:
    """Run sql as a QUERY job writing to ds.table_id in-process; return the finished job."""
    query = {"query": sql, "useLegacySql": False, **dispositions}
    if table_id is not None:
        query["destinationTable"] = {
            "projectId": "local-project",
            "datasetId": "ds",
            "tableId": table_id,
        }
    return run_here({"query": query})


def _rows(table_id: str = "out") -> list[list[Any]]:
    return sorted(read_rows(Table.objects.get(table_id=table_id), 0, 1000)[1])


@pytest.fixture
def dataset(db: None) -> Dataset:
    return Dataset.create(Project.default(), "ds")


def test_it_writes_a_new_table_and_returns_its_rows(dataset: Dataset) -> None:
    job = _query("SELECT 1 AS n UNION ALL SELECT 2")
    assert job.error_result is None, job.error_result
    assert _rows() == [[1], [2]]
    table = Table.objects.get(table_id="out")
    assert (job.result_path, job.result_schema, job.result_rows) == (
        table.data_path,
        table.schema,
        2,
    )
    assert job.statistics["statementType"] == "SELECT"


def test_it_gives_a_new_destination_the_jobs_partitioning_and_clustering(dataset: Dataset) -> None:
    sql = "SELECT DATE '2024-01-31' AS day, 'a' AS k, 1 AS n"
    job = _query(
        sql,
        timePartitioning={"type": "DAY", "field": "day"},
        clustering={"fields": ["k"]},
        destinationTableProperties={"description": "made by a query", "labels": {"team": "recs"}},
    )
    assert job.error_result is None, job.error_result
    table = Table.objects.get(table_id="out")
    assert table.time_partitioning["field"] == "day" and table.clustering_fields == ["k"]
    assert (table.description, table.labels) == ("made by a query", {"team": "recs"})
    # Appending with another partitioning is refused and adds no rows, as in BigQuery.
    other = _query(sql, writeDisposition="WRITE_APPEND", timePartitioning={"type": "MONTH"})
    assert "Incompatible table partitioning specification" in other.error_result["message"]
    assert _rows() == [[dt.date(2024, 1, 31), "a", 1]]
    # A field the query does not return is refused before the table exists.
    missing = _query(sql, "other", clustering={"fields": ["nope"]})
    assert "nope" in missing.error_result["message"]
    assert not Table.objects.filter(table_id="other").exists()


def test_it_refuses_a_table_with_rows_by_default(dataset: Dataset) -> None:
    assert _query("SELECT 1 AS n").error_result is None
    job = _query("SELECT 2 AS n")
    assert job.error_result["reason"] == "duplicate"
    assert job.error_result["message"] == "Already Exists: Table local-project:ds.out"
    assert _rows() == [[1]]


def test_it_replaces_and_appends(dataset: Dataset) -> None:
    assert _query("SELECT 1 AS n").error_result is None
    replaced = _query("SELECT 2 AS n", writeDisposition="WRITE_TRUNCATE")
    assert replaced.error_result is None, replaced.error_result
    assert _rows() == [[2]]
    appended = _query("SELECT 3 AS n", writeDisposition="WRITE_APPEND")
    assert appended.error_result is None, appended.error_result
    assert _rows() == [[2], [3]]
    # The job's result is the destination table: every row of it, not only the appended one.
    assert sorted(job_rows(appended)[1]) == [[2], [3]]
    assert Table.objects.get(table_id="out").version == 3


def test_it_says_the_result_is_gone_once_the_destination_is_dropped(
    dataset: Dataset, django_capture_on_commit_callbacks: Any
) -> None:
    job = _query("SELECT 1 AS n")
    with django_capture_on_commit_callbacks(execute=True):
        assert _query("DROP TABLE ds.out", table_id=None).error_result is None
    with pytest.raises(NotFoundError, match="has been deleted"):
        job_rows(job)


def test_it_creates_no_table_with_create_never(dataset: Dataset) -> None:
    job = _query("SELECT 1 AS n", createDisposition="CREATE_NEVER")
    assert job.error_result["reason"] == "notFound"
    assert "Not found: Table local-project:ds.out" in job.error_result["message"]
    assert not Table.objects.filter(table_id="out").exists()


def test_it_refuses_a_destination_for_scripts_and_other_statements(dataset: Dataset) -> None:
    script = _query("SELECT 1; SELECT 2")
    assert "cannot be set for scripts" in script.error_result["message"]
    ddl = _query("CREATE TABLE ds.other (n INT64)")
    assert "cannot be set for CREATE_TABLE statements" in ddl.error_result["message"]
    assert not Table.objects.exists()


def test_it_refuses_an_unknown_disposition_before_any_job_exists(dataset: Dataset) -> None:
    with pytest.raises(BigQueryError, match="Invalid value for writeDisposition"):
        _query("SELECT 1 AS n", writeDisposition="WRITE_SOMETIMES")
    assert not Job.objects.exists()


def _append_prepared() -> tuple[Destination, Dataset, Table | None]:
    """Return an append to ds.out that has looked at the table (as a running query has)."""
    ctx = Context(project=Project.default(), default_dataset=None, con=None)
    destination = Destination.from_configuration(
        {
            "destinationTable": {"datasetId": "ds", "tableId": "out"},
            "writeDisposition": "WRITE_APPEND",
        }
    )
    assert destination is not None
    return destination, *destination.prepare(ctx)


def test_it_keeps_another_writers_rows_by_refusing_a_stale_append(dataset: Dataset) -> None:
    assert _query("SELECT 1 AS n").error_result is None
    destination, seen_dataset, seen = _append_prepared()
    # Another writer commits after this append looked at the table and before it commits.
    assert _query("SELECT 2 AS n", writeDisposition="WRITE_APPEND").error_result is None
    reader = _reader([3])
    with pytest.raises(ConcurrentUpdateError, match="due to concurrent update"):
        destination.write(seen_dataset, seen, reader)
    assert _rows() == [[1], [2]]


def test_it_refuses_to_create_a_table_another_writer_created_first(dataset: Dataset) -> None:
    destination, seen_dataset, seen = _append_prepared()
    assert seen is None
    assert _query("SELECT 2 AS n").error_result is None
    with pytest.raises(ConcurrentUpdateError):
        destination.write(seen_dataset, seen, _reader([3]))
    assert _rows() == [[2]]


def _reader(values: list[int]) -> pa.RecordBatchReader:
    table = pa.table({"n": pa.array(values, pa.int64())})
    return pa.RecordBatchReader.from_batches(table.schema, table.to_batches())


# Two workers appending at once --------------------------------------------------------------


@pytest.fixture
def two_workers(worker: None, worker_env: dict[str, str]) -> Iterator[None]:
    """Add a second worker process on the session's queue, so two jobs run at the same time."""
    name = f"{worker_env['QUARRY_QUEUE']}-second"
    with started_worker(worker_env, name):
        yield


APPEND = "SELECT '{tag}' AS tag, n FROM UNNEST(GENERATE_ARRAY(1, {rows})) AS n"


@pytest.mark.worker
def test_it_keeps_both_writers_rows_when_two_appends_race(
    two_workers: None, transactional_db: None
) -> None:
    Dataset.create(Project.default(), "ds")
    rows = 300_000
    first = _submit(APPEND.format(tag="start", rows=1), "WRITE_EMPTY")
    assert wait_for(first).error_result is None
    jobs = {tag: _submit(APPEND.format(tag=tag, rows=rows), "WRITE_APPEND") for tag in "ab"}
    done = {tag: wait_for(job) for tag, job in jobs.items()}
    table = Table.objects.get(table_id="out")
    counts: dict[str, int] = {}
    for tag, _ in read_rows(table, 0, 2 * rows + 1)[1]:
        counts[tag] = counts.get(tag, 0) + 1
    failed = [tag for tag, job in done.items() if job.error_result]
    for tag in failed:
        # A writer that lost the race says so; it never silently drops the other's rows.
        message = done[tag].error_result["message"]
        assert "Could not serialize access to table local-project:ds.out" in message
    assert len(failed) < 2
    assert counts == {"start": 1, **{tag: rows for tag in "ab" if tag not in failed}}
    assert table.num_rows == sum(counts.values())


def _submit(sql: str, disposition: str) -> Job:
    query = {
        "query": sql,
        "useLegacySql": False,
        "destinationTable": {"datasetId": "ds", "tableId": "out"},
        "writeDisposition": disposition,
    }
    return submit(None, Project.default(), {"query": query})
