"""Row encoding, paging and the discovery document, on rows stored as the engine stores them."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
import pytest
from django.test import Client
from django.utils import timezone

from console.api.rows import encode_rows
from console.catalog.models import Dataset, Project, Table
from console.engine import tables
from console.engine.types import arrow_schema
from console.jobs.models import Job

API = "/bigquery/v2/projects/local-project"
FIELDS = [
    {"name": "n", "type": "INT64", "mode": "NULLABLE"},
    {"name": "ts", "type": "TIMESTAMP", "mode": "NULLABLE"},
    {"name": "tags", "type": "STRING", "mode": "REPEATED"},
    {
        "name": "rec",
        "type": "RECORD",
        "mode": "NULLABLE",
        "fields": [
            {"name": "x", "type": "FLOAT64", "mode": "NULLABLE"},
            {"name": "at", "type": "TIMESTAMP", "mode": "NULLABLE"},
        ],
    },
]
WHEN = dt.datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=dt.UTC)
ROWS = [
    {"n": 1, "ts": WHEN, "tags": ["a", "b"], "rec": {"x": 1.5, "at": WHEN}},
    {"n": None, "ts": None, "tags": [], "rec": None},
    {"n": 3, "ts": WHEN, "tags": ["c"], "rec": {"x": float("nan"), "at": None}},
]


def _store(rows: list[dict]) -> str:
    schema = arrow_schema(FIELDS)
    relative, _ = tables.write_parquet(
        "results", schema, [pa.RecordBatch.from_pylist(rows, schema)]
    )
    return relative


@pytest.fixture
def table(db: None) -> Table:
    dataset = Dataset.create(Project.default(), "ds")
    return Table.objects.create(
        dataset=dataset, table_id="t", schema=FIELDS, data_path=_store(ROWS), num_rows=3, version=1
    )


@pytest.fixture
def done_job(db: None) -> Job:
    now = timezone.now()
    return Job.objects.create(
        project=Project.default(),
        job_id="job_done",
        job_type=Job.Type.QUERY,
        state=Job.State.DONE,
        configuration={"query": {"query": "SELECT ...", "useLegacySql": False}},
        statistics={"statementType": "SELECT", "totalBytesProcessed": "10"},
        result_path=_store(ROWS),
        result_schema=FIELDS,
        result_rows=3,
        created=now,
        started=now,
        ended=now,
    )


def test_it_encodes_timestamps_as_microseconds_when_asked(client: Client, table: Table) -> None:
    url = f"{API}/datasets/ds/tables/t/data?formatOptions.useInt64Timestamp=True"
    body = client.get(url).json()
    assert body["kind"] == "bigquery#tableDataList" and body["totalRows"] == "3"
    first, empty, third = (row["f"] for row in body["rows"])
    micros = str(int(WHEN.timestamp() * 1_000_000))
    assert first[0] == {"v": "1"}
    assert first[1] == {"v": micros}
    assert first[2] == {"v": [{"v": "a"}, {"v": "b"}]}
    assert first[3] == {"v": {"f": [{"v": "1.5"}, {"v": micros}]}}
    assert empty == [{"v": None}, {"v": None}, {"v": []}, {"v": None}]
    assert third[3] == {"v": {"f": [{"v": "NaN"}, {"v": None}]}}


def test_it_encodes_timestamps_as_float_seconds_for_bq(client: Client, table: Table) -> None:
    body = client.get(f"{API}/datasets/ds/tables/t/data?maxResults=1").json()
    cells = body["rows"][0]["f"]
    assert cells[1]["v"] == "1700000000.500000"
    assert float(cells[3]["v"]["f"][1]["v"]) == WHEN.timestamp()
    assert body["pageToken"] == "1"


def test_it_pages_table_data(client: Client, table: Table) -> None:
    second = client.get(f"{API}/datasets/ds/tables/t/data?maxResults=1&pageToken=1").json()
    assert second["rows"][0]["f"][0] == {"v": None} and second["pageToken"] == "2"
    last = client.get(f"{API}/datasets/ds/tables/t/data?startIndex=2").json()
    assert len(last["rows"]) == 1 and "pageToken" not in last
    chosen = client.get(f"{API}/datasets/ds/tables/t/data?selectedFields=tags,n").json()
    assert chosen["rows"][0]["f"] == [{"v": "1"}, {"v": [{"v": "a"}, {"v": "b"}]}]


def test_it_honours_max_results_zero(client: Client, done_job: Job) -> None:
    body = client.get(f"{API}/queries/job_done?maxResults=0&location=US").json()
    assert body["jobComplete"] is True and body["totalRows"] == "3"
    assert "rows" not in body and body["schema"]["fields"][0]["type"] == "INTEGER"
    page = client.get(
        f"{API}/queries/job_done?maxResults=2&formatOptions.useInt64Timestamp=True"
    ).json()
    assert len(page["rows"]) == 2 and page["pageToken"] == "2"
    rest = client.get(f"{API}/queries/job_done?pageToken=2").json()
    assert len(rest["rows"]) == 1 and "pageToken" not in rest


def test_it_omits_schema_and_total_rows_for_ddl(client: Client, done_job: Job) -> None:
    Job.objects.filter(pk=done_job.pk).update(result_path="", result_schema=[], result_rows=None)
    body = client.get(f"{API}/queries/job_done?maxResults=0").json()
    assert body["jobComplete"] is True
    assert "schema" not in body and "totalRows" not in body


def test_it_shows_a_jobs_anonymous_destination_table(client: Client, done_job: Job) -> None:
    body = client.get(f"{API}/jobs/job_done?projection=full&location=US").json()
    assert body["id"] == "local-project:US.job_done"
    assert body["status"] == {"state": "DONE"}
    assert body["statistics"]["query"]["statementType"] == "SELECT"
    destination = body["configuration"]["query"]["destinationTable"]
    assert destination["projectId"] == "local-project"
    assert destination["datasetId"].startswith("_") and destination["tableId"] == "anonjob_done"
    listed = client.get(f"{API}/jobs?allUsers=True&stateFilter=done&projection=full").json()
    assert [j["jobReference"]["jobId"] for j in listed["jobs"]] == ["job_done"]


def test_it_never_shows_a_retried_reason_for_a_failed_job(client: Client, done_job: Job) -> None:
    Job.objects.filter(pk=done_job.pk).update(
        error_result={"reason": "internalError", "message": "Internal error: boom"}
    )
    body = client.get(f"{API}/jobs/job_done").json()
    assert body["status"]["errorResult"]["reason"] == "invalid"
    failed = client.get(f"{API}/queries/job_done")
    assert failed.status_code == 400


@pytest.mark.parametrize(
    "path", ["/$discovery/rest?version=v2", "/discovery/v1/apis/bigquery/v2/rest"]
)
def test_it_serves_a_discovery_document_of_what_it_serves(client: Client, path: str) -> None:
    doc = client.get(path, HTTP_HOST="127.0.0.1:8123").json()
    assert doc["rootUrl"] == "http://127.0.0.1:8123/"
    assert doc["baseUrl"] == "http://127.0.0.1:8123/bigquery/v2/"
    served = {
        f"{resource}.{method}"
        for resource, body in doc["resources"].items()
        for method in body["methods"]
    }
    assert "jobs.getQueryResults" in served and "models.patch" in served
    assert "tabledata.insertAll" in served and "routines.list" in served
    insert = doc["resources"]["jobs"]["methods"]["insert"]
    assert insert["mediaUpload"]["protocols"]["simple"]["path"].startswith("/upload/bigquery/v2/")


def test_it_encodes_numeric_and_interval_as_bigquery_writes_them() -> None:
    fields = [{"name": "n", "type": "NUMERIC"}, {"name": "i", "type": "INTERVAL"}]
    rows = [[decimal.Decimal("1.500000000"), "1-2 3 4:5:6.5"], [decimal.Decimal("0E-9"), None]]
    assert encode_rows(fields, rows, int64_timestamps=False) == [
        {"f": [{"v": "1.5"}, {"v": "1-2 3 4:5:6.5"}]},
        {"f": [{"v": "0"}, {"v": None}]},
    ]
