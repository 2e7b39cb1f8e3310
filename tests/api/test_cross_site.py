"""JSON bodies come only as application/json, as BigQuery takes them; bodyless requests work."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from console.catalog.models import Dataset, Project
from console.jobs.models import Job

PROJECT = "local-project"
API = f"/bigquery/v2/projects/{PROJECT}"
UPLOAD = f"/upload/bigquery/v2/projects/{PROJECT}/jobs"
LOAD = {
    "configuration": {
        "load": {
            "destinationTable": {"projectId": PROJECT, "datasetId": "ds", "tableId": "t"},
            "sourceFormat": "CSV",
            "schema": {"fields": [{"name": "x", "type": "INTEGER"}]},
        }
    }
}


def _error(response: Any) -> dict[str, Any]:
    body = response.json()["error"]
    assert body["code"] == response.status_code
    return body["errors"][0]


def _new_dataset(client: Client, content_type: str, **headers: str) -> Any:
    body = json.dumps({"datasetReference": {"datasetId": "made"}})
    return client.generic("POST", f"{API}/datasets", body, content_type=content_type, **headers)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
def test_it_refuses_a_json_body_sent_as_another_type(
    client: Client, db: None, content_type: str
) -> None:
    Project.default()
    query = {"configuration": {"query": {"query": "CREATE TABLE ds.t AS SELECT 1"}}}
    r = client.generic("POST", f"{API}/jobs", json.dumps(query), content_type=content_type)

    assert r.status_code == 400
    shown = content_type.split(";")[0] or "(none)"
    assert _error(r)["message"] == (
        f"Unsupported content with type: {shown}. "
        "Send the request body as JSON, with Content-Type: application/json"
    )
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=UTF-8", "Application/JSON"]
)
def test_it_takes_json_with_or_without_a_charset(
    client: Client, db: None, content_type: str
) -> None:
    r = _new_dataset(client, content_type)

    assert r.status_code == 200
    assert Dataset.objects.filter(dataset_id="made").exists()


def test_it_refuses_a_resumable_upload_whose_metadata_is_not_json_typed(
    client: Client, db: None, storage_dir: Any
) -> None:
    Dataset.create(Project.default(), "ds")
    sessions = set((storage_dir / "uploads").glob("*.session.json"))
    r = client.post(f"{UPLOAD}?uploadType=resumable", json.dumps(LOAD), content_type="text/plain")

    assert r.status_code == 400 and "Location" not in r
    assert set((storage_dir / "uploads").glob("*.session.json")) == sessions


def _pending_job() -> Job:
    return Job.objects.create(
        project=Project.default(),
        job_type=Job.Type.QUERY,
        configuration={"query": {"query": "SELECT 1", "useLegacySql": False}},
    )


def test_it_still_cancels_a_job_with_a_bodyless_post(client: Client, db: None) -> None:
    job = _pending_job()
    r = client.generic("POST", f"{API}/jobs/{job.job_id}/cancel")

    assert r.status_code == 200
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.error_result["reason"] == "stopped"
