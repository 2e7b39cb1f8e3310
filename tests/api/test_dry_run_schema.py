"""A dry run tells a query's result schema and bytes without running it (ibis, dbt rely on it)."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from django.test import Client
from google.cloud import bigquery

from console.catalog.models import Dataset, Project
from console.engine import tables
from console.jobs.models import Job
from tests.api.conftest import make_client

DRY_RUN = bigquery.QueryJobConfig(dry_run=True, use_query_cache=False)


@pytest.fixture
def ratings(transactional_db: None) -> None:
    dataset = Dataset.create(Project.default(), "ds")
    schema = pa.schema([("user_id", pa.int64()), ("rating", pa.float64()), ("note", pa.string())])
    rows = pa.record_batch([[1, 2], [4.5, 3.0], ["a", None]], schema=schema)
    tables.write_version(dataset, "ratings", schema, None, [rows])


@pytest.fixture
def client(live_server, ratings: None) -> bigquery.Client:
    # A dry run is answered at once, by the web process: no worker is needed.
    return make_client(live_server.url)


def test_it_gives_the_clients_dry_run_the_result_schema(client: bigquery.Client) -> None:
    sql = (
        "SELECT user_id, AVG(rating) AS mean, COUNT(*) AS n, [user_id] AS ids, "
        "STRUCT(note AS text) AS s FROM ds.ratings GROUP BY user_id, note"
    )
    job = client.query(sql, job_config=DRY_RUN)
    assert [(f.name, f.field_type, f.mode) for f in job.schema] == [
        ("user_id", "INTEGER", "NULLABLE"),
        ("mean", "FLOAT", "NULLABLE"),
        ("n", "INTEGER", "NULLABLE"),
        ("ids", "INTEGER", "REPEATED"),
        ("s", "RECORD", "NULLABLE"),
    ]
    assert [f.name for f in job.schema[-1].fields] == ["text"]
    assert job.total_bytes_processed > 0
    assert job.statement_type == "SELECT"


def test_it_runs_nothing_for_a_dry_run(client: bigquery.Client) -> None:
    job = client.query("SELECT user_id FROM ds.ratings", job_config=DRY_RUN)
    stored = Job.objects.get(job_id=job.job_id)
    assert stored.state == Job.State.DONE and not stored.result_path
    assert [f.name for f in job.schema] == ["user_id"]


def test_it_refuses_an_unknown_column_in_a_dry_run(client: bigquery.Client) -> None:
    with pytest.raises(Exception, match="Unrecognized name: nope"):
        client.query("SELECT nope FROM ds.ratings", job_config=DRY_RUN)


def test_it_gives_no_schema_for_a_statement_without_rows(client: bigquery.Client) -> None:
    job = client.query("CREATE TABLE ds.t2 (x INT64)", job_config=DRY_RUN)
    assert job.schema is None


def test_it_answers_jobs_query_dry_runs_with_the_schema(ratings: None) -> None:
    body = {"query": "SELECT note FROM ds.ratings", "useLegacySql": False, "dryRun": True}
    response = Client().post(
        "/bigquery/v2/projects/local-project/queries",
        json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["schema"] == {"fields": [{"name": "note", "type": "STRING", "mode": "NULLABLE"}]}
    assert int(answer["totalBytesProcessed"]) > 0
    assert "rows" not in answer
