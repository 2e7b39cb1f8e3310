"""Bad requests get BigQuery-shaped 4xx errors and change nothing (no worker needed)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from console.catalog.models import Dataset, Project, Table
from console.jobs.models import Job

API = "/bigquery/v2/projects/local-project"
UPLOAD = "/upload/bigquery/v2/projects/local-project/jobs"
LOAD = {
    "configuration": {
        "load": {
            "destinationTable": {
                "projectId": "local-project",
                "datasetId": "ds",
                "tableId": "t",
            },
            "sourceFormat": "CSV",
            "schema": {"fields": [{"name": "a", "type": "INTEGER"}]},
        }
    }
}


@pytest.fixture
def dataset(db: None) -> Dataset:
    return Dataset.create(Project.default(), "ds")


def _post(client: Client, url: str, body: object) -> object:
    return client.post(url, json.dumps(body), content_type="application/json")


def _error(response) -> dict:
    body = response.json()["error"]
    assert body["code"] == response.status_code
    assert body["errors"][0]["message"] == body["message"]
    return body


def _multipart(metadata: dict, data: bytes) -> tuple[bytes, str]:
    boundary = "===============1234567890123456789=="
    body = (
        (
            f"--{boundary}\r\ncontent-type: application/json; charset=UTF-8\r\n\r\n"
            f"{json.dumps(metadata)}\r\n--{boundary}\r\ncontent-type: */*\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--".encode()
    )
    return body, f'multipart/related; boundary="{boundary}"'


@pytest.fixture
def uploads_left(storage_dir: Path) -> Callable[[], list[Path]]:
    """Return a function listing the files this test left in the uploads folder.

    The storage folder is the session's, so uploads of other tests' jobs that no worker ran may
    already be there.
    """
    folder = storage_dir / "uploads"

    def listing() -> set[Path]:
        return set(folder.glob("*")) if folder.exists() else set()

    before = listing()
    return lambda: sorted(listing() - before)


def test_it_refuses_unknown_fields(client: Client, db: None) -> None:
    response = _post(
        client, f"{API}/datasets", {"datasetReference": {"datasetId": "x"}, "colour": 1}
    )
    assert response.status_code == 400
    error = _error(response)
    assert error["errors"][0]["reason"] == "invalid"
    assert 'Unknown name "colour"' in error["message"]
    assert not Dataset.objects.exists()


def test_it_refuses_wrong_types(client: Client, db: None) -> None:
    response = _post(
        client,
        f"{API}/datasets",
        {"datasetReference": {"datasetId": "x"}, "defaultTableExpirationMs": "soon"},
    )
    assert response.status_code == 400
    assert "TYPE_INT64" in _error(response)["message"]
    response = _post(client, f"{API}/datasets", {"datasetReference": {"datasetId": 7}})
    assert response.status_code == 400
    assert not Dataset.objects.exists()


def test_it_refuses_a_body_that_is_not_json(client: Client, db: None) -> None:
    response = client.post(f"{API}/datasets", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert "Invalid JSON payload" in _error(response)["message"]


def test_it_accepts_int64_as_number_or_string(client: Client, db: None) -> None:
    for name, value in (("a", 3600000), ("b", "3600000")):
        body = {"datasetReference": {"datasetId": name}, "defaultTableExpirationMs": value}
        assert _post(client, f"{API}/datasets", body).status_code == 200
    assert {d.default_table_expiration_ms for d in Dataset.objects.all()} == {3600000}


def test_it_answers_not_found_duplicate_and_in_use(client: Client, dataset: Dataset) -> None:
    missing = client.get(f"{API}/datasets/nope")
    assert missing.status_code == 404
    assert _error(missing)["message"] == "Not found: Dataset local-project:nope"
    assert _error(missing)["status"] == "NOT_FOUND"

    duplicate = _post(client, f"{API}/datasets", {"datasetReference": {"datasetId": "ds"}})
    assert duplicate.status_code == 409
    assert _error(duplicate)["errors"][0]["reason"] == "duplicate"

    Table.objects.create(dataset=dataset, table_id="t")
    in_use = client.delete(f"{API}/datasets/ds")
    assert in_use.status_code == 400
    assert _error(in_use)["errors"][0]["reason"] == "resourceInUse"
    assert client.delete(f"{API}/datasets/ds?deleteContents=true").status_code == 204
    assert not Dataset.objects.exists() and not Table.objects.exists()


@pytest.mark.parametrize(
    "path",
    ["/datasets/ds/tables/nope", "/datasets/ds/tables/nope/data", "/datasets/ds/models/nope"],
)
def test_it_answers_404_for_missing_resources(client: Client, dataset: Dataset, path: str) -> None:
    response = client.get(f"{API}{path}")
    assert response.status_code == 404
    assert _error(response)["message"].startswith("Not found:")


def test_it_answers_404_for_a_missing_job_and_project(client: Client, db: None) -> None:
    response = client.get(f"{API}/queries/job_nope?maxResults=0&location=US")
    assert response.status_code == 404
    assert _error(response)["message"] == "Not found: Job local-project:US.job_nope"
    assert client.get("/bigquery/v2/projects/other/datasets").status_code == 404


def test_it_refuses_a_wrong_method(client: Client, db: None) -> None:
    response = client.put(f"{API}/datasets")
    assert response.status_code == 405
    assert _error(response)["errors"][0]["reason"] == "methodNotAllowed"


def test_it_refuses_bad_sql_in_a_dry_run_without_a_job(client: Client, db: None) -> None:
    response = _post(
        client,
        f"{API}/jobs",
        {"configuration": {"query": {"query": "SELEC 1", "useLegacySql": False}, "dryRun": True}},
    )
    assert response.status_code == 400
    assert "Syntax error" in _error(response)["message"]
    assert not Job.objects.exists()


def test_it_refuses_legacy_sql_and_unsupported_features(client: Client, db: None) -> None:
    for query in (
        {"query": "SELECT 1", "useLegacySql": True},
        {"query": "SELECT 1", "queryParameters": [{"name": "x"}]},
        {"query": "SELECT 1", "destinationTable": {"datasetId": "ds"}},
        {
            "query": "SELECT 1",
            "destinationTable": {"datasetId": "ds", "tableId": "t"},
            "writeDisposition": "WRITE_SOMETIMES",
        },
    ):
        response = _post(client, f"{API}/jobs", {"configuration": {"query": query}})
        assert response.status_code == 400, query
    response = _post(client, f"{API}/queries", {"query": "SELECT 1", "useLegacySql": True})
    assert response.status_code == 400
    assert not Job.objects.exists()


def test_it_refuses_a_duplicate_job_id(client: Client, db: None) -> None:
    body = {
        "jobReference": {"jobId": "mine", "projectId": "local-project"},
        "configuration": {"query": {"query": "SELECT 1"}, "dryRun": True},
    }
    assert _post(client, f"{API}/jobs", body).status_code == 200
    assert _post(client, f"{API}/jobs", body).status_code == 409


def test_it_refuses_an_oversized_multipart_upload(
    client: Client, dataset: Dataset, settings, storage_dir: Path, uploads_left
) -> None:
    settings.QUARRY_MAX_UPLOAD_BYTES = 100
    body, content_type = _multipart(LOAD, b"1\n" * 200)
    response = client.post(f"{UPLOAD}?uploadType=multipart", body, content_type=content_type)
    assert response.status_code == 400
    assert "Upload too large" in _error(response)["message"]
    assert not Job.objects.exists() and not Table.objects.exists()
    assert uploads_left() == []


def test_it_refuses_an_oversized_resumable_upload(
    client: Client, dataset: Dataset, settings, storage_dir: Path, uploads_left
) -> None:
    settings.QUARRY_MAX_UPLOAD_BYTES = 100
    start = _post(client, f"{UPLOAD}?uploadType=resumable", LOAD)
    assert start.status_code == 200
    location = start["Location"]
    assert location.startswith("http://testserver/upload/bigquery/v2/")
    put = client.put(
        location,
        b"1\n" * 200,
        content_type="*/*",
        HTTP_CONTENT_RANGE="bytes 0-399/400",
    )
    assert put.status_code == 400
    assert not Job.objects.exists()
    assert uploads_left() == []


def test_it_refuses_a_resumable_upload_to_a_missing_dataset(
    client: Client, db: None, storage_dir: Path, uploads_left
) -> None:
    response = _post(client, f"{UPLOAD}?uploadType=resumable", LOAD)
    assert response.status_code == 404
    assert uploads_left() == []


def test_it_refuses_a_bad_load_configuration(client: Client, dataset: Dataset) -> None:
    bad_schema = json.loads(json.dumps(LOAD))
    bad_schema["configuration"]["load"]["schema"]["fields"][0]["type"] = "COLOUR"
    response = _post(client, f"{UPLOAD}?uploadType=resumable", bad_schema)
    assert response.status_code == 400
    assert "unsupported type" in _error(response)["message"]
    gcs = json.loads(json.dumps(LOAD))
    gcs["configuration"]["load"]["sourceUris"] = ["gs://bucket/file.csv"]
    missing = _post(client, f"{API}/jobs", gcs)
    assert missing.status_code == 404
    assert _error(missing)["message"] == "Not found: URI gs://bucket/file.csv"
    gcs["configuration"]["load"]["sourceUris"] = ["https://example.com/file.csv"]
    assert _post(client, f"{API}/jobs", gcs).status_code == 400
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "No rows present in the request."),
        ({"rows": [{"insertId": "x"}]}, "rows[0].json must be a JSON object"),
        ({"rows": [{"json": {"a": 1}}], "templateSuffix": "_x"}, "templateSuffix"),
        ({"rows": [{"json": {"a": 1}}], "skipInvalidRows": "maybe"}, "skip_invalid_rows"),
    ],
)
def test_it_refuses_a_malformed_insert_all(
    client: Client, dataset: Dataset, body: dict, message: str
) -> None:
    Table.objects.create(dataset=dataset, table_id="t", schema=[{"name": "a", "type": "INT64"}])
    r = _post(client, f"{API}/datasets/ds/tables/t/insertAll", body)
    assert r.status_code == 400
    assert message in _error(r)["message"]
    assert Table.objects.get(table_id="t").version == 0
