"""jobs.delete: a DONE job's metadata goes, with its result file once nothing else names it."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from google.api_core import exceptions
from google.cloud import bigquery

from console.api import discovery
from console.catalog import storage
from console.catalog.models import Dataset, Project
from console.engine import tables
from console.iam.models import ApiKey, RoleBinding
from console.jobs.models import Job

API = "/bigquery/v2/projects/local-project"


def _result_file() -> str:
    schema = pa.schema([("x", pa.int64())])
    path, _ = tables.write_parquet("results", schema, [pa.record_batch([[1]], schema=schema)])
    return path


def _job(state: str = Job.State.DONE, **fields: Any) -> Job:
    return Job.objects.create(
        project=Project.default(),
        job_type=Job.Type.QUERY,
        state=state,
        configuration={"query": {"query": "SELECT 1"}},
        **fields,
    )


def _delete(job_id: str, token: str | None = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().delete(f"{API}/jobs/{job_id}/delete?location=US", **headers)


def test_it_deletes_a_done_jobs_metadata_and_result_file(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    job = _job(result_path=_result_file())
    with django_capture_on_commit_callbacks(execute=True):
        response = _delete(job.job_id)
    assert response.status_code == 204
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not storage.resolve(job.result_path).exists()
    assert Client().get(f"{API}/jobs/{job.job_id}").status_code == 404


def test_it_keeps_a_result_file_a_table_still_names(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    dataset = Dataset.create(Project.default(), "ds")
    schema = pa.schema([("x", pa.int64())])
    table = tables.write_version(
        dataset, "t", schema, None, [pa.record_batch([[1]], schema=schema)]
    )
    job = _job(result_path=table.data_path)
    with django_capture_on_commit_callbacks(execute=True):
        assert _delete(job.job_id).status_code == 204
    assert storage.resolve(table.data_path).exists()


@pytest.mark.parametrize("state", [Job.State.PENDING, Job.State.RUNNING])
def test_it_refuses_a_job_that_has_not_ended(db: None, state: str) -> None:
    job = _job(state, result_path="")
    response = _delete(job.job_id)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["errors"][0]["reason"] == "invalid"
    assert error["message"].startswith(f"Job local-project:US.{job.job_id} is {state}")
    assert Job.objects.filter(pk=job.pk, state=state).exists()


def test_it_answers_404_for_an_unknown_job(db: None) -> None:
    response = _delete("job_nope")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Not found: Job local-project:US.job_nope"


def test_it_needs_bigquery_jobs_delete(db: None, settings: Any) -> None:
    settings.QUARRY_ANONYMOUS_ACCESS = False
    users = get_user_model().objects
    bob, admin = users.create_user("bob"), users.create_user("ada")
    RoleBinding.grant(Project.default(), bob, "roles/bigquery.user")
    RoleBinding.grant(Project.default(), admin, "roles/bigquery.admin")
    bobs = _job(user=bob)
    refused = _delete(bobs.job_id, ApiKey.issue(bob, "k")[1])
    assert refused.status_code == 403
    assert "bigquery.jobs.delete" in refused.json()["error"]["message"]
    assert Job.objects.filter(pk=bobs.pk).exists()
    assert _delete(bobs.job_id, ApiKey.issue(admin, "k")[1]).status_code == 204


def test_it_lists_jobs_delete_in_the_discovery_document() -> None:
    method = discovery.document("http://q/")["resources"]["jobs"]["methods"]["delete"]
    assert method["httpMethod"] == "DELETE"
    assert method["path"] == "projects/{+projectId}/jobs/{+jobId}/delete"
    assert json.dumps(method["parameters"]["location"]) == '{"type": "string", "location": "query"}'


@pytest.mark.worker
def test_it_deletes_with_the_python_client(bq: bigquery.Client) -> None:
    job = bq.query("SELECT 1 AS x")
    job.result()
    path = Job.objects.get(job_id=job.job_id).result_path
    bq.delete_job_metadata(job)
    with pytest.raises(exceptions.NotFound):
        bq.get_job(job.job_id)
    assert not storage.resolve(path).exists()
    assert job.job_id not in [j.job_id for j in bq.list_jobs()]
