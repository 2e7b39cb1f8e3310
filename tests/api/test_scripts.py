"""Scripts through the real Python client: the result, the child jobs, errors and dry runs."""

from __future__ import annotations

import pytest
from google.api_core.exceptions import BadRequest
from google.cloud import bigquery

pytestmark = pytest.mark.worker

SCRIPT = """DECLARE total INT64 DEFAULT 0;
CREATE SCHEMA ds;
CREATE TABLE ds.t AS SELECT n FROM UNNEST([1, 2, 3]) AS n;
FOR r IN (SELECT n FROM ds.t) DO
  SET total = total + r.n;
END FOR;
SELECT total, @@script.num_child_jobs AS children"""


def test_it_runs_a_script_and_lists_its_child_jobs(bq: bigquery.Client) -> None:
    job = bq.query(SCRIPT)
    rows = list(job.result())
    assert [(row.total, row.children) for row in rows] == [(6, 3)]
    job.reload()
    assert job.statement_type == "SCRIPT"
    assert job.num_child_jobs == 4

    children = list(bq.list_jobs(parent_job=job))
    # Newest first, as BigQuery lists them.
    assert [child.statement_type for child in children] == [
        "SELECT",
        "SELECT",
        "CREATE_TABLE_AS_SELECT",
        "CREATE_SCHEMA",
    ]
    assert all(child.parent_job_id == job.job_id for child in children)
    last = children[0]
    assert last.script_statistics.evaluation_kind == "STATEMENT"
    frame = last.script_statistics.stack_frames[0]
    assert (frame.start_line, frame.start_column, frame.text[:12]) == (7, 1, "SELECT total")
    assert children[1].script_statistics.evaluation_kind == "EXPRESSION"
    # A child SELECT's rows are its own result.
    child_rows = list(bq.get_job(last.job_id).result())
    assert [(row.total, row.children) for row in child_rows] == [(6, 3)]


def test_it_lists_scripts_but_not_their_children_without_a_parent(bq: bigquery.Client) -> None:
    job = bq.query("SELECT 1; SELECT 2")
    job.result()
    listed = [listed.job_id for listed in bq.list_jobs()]
    assert listed == [job.job_id]


def test_it_reports_an_uncaught_error_with_its_position(bq: bigquery.Client) -> None:
    job = bq.query("DECLARE x INT64 DEFAULT 1;\nSELECT x / 0;")
    with pytest.raises(BadRequest) as failed:
        job.result()
    assert "Query error: division by zero: " in str(failed.value)
    assert " at [2:1]; reason: invalidQuery" in str(failed.value)


def test_it_dry_runs_a_script(bq: bigquery.Client) -> None:
    config = bigquery.QueryJobConfig(dry_run=True)
    job = bq.query("DECLARE x INT64 DEFAULT 1;\nSELECT x;", job_config=config)
    assert job.statement_type == "SCRIPT"
