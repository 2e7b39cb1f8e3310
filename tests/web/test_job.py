from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from console.jobs.models import Job


def test_it_shows_job_information(client: Client, done_job: Callable[..., Job]) -> None:
    job = done_job(configuration={"query": {"query": "SELECT 42 AS answer"}})
    r = client.get(f"/jobs/{job.job_id}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Job information" in html
    assert f"local-project:US.{job.job_id}" in html
    assert "SELECT 42 AS answer" in html
    assert "alice@example.com" in html
    assert "SUCCESS" in html
    assert f'href="/query?job={job.job_id}"' in html


def test_it_shows_a_failed_query(client: Client, done_job: Callable[..., Job]) -> None:
    job = done_job(
        error_result={"reason": "notFound", "message": "Not found: Table local-project:d.t"}
    )
    html = client.get(f"/jobs/{job.job_id}/").content.decode()
    assert "Query failed" in html
    assert "Not found: Table local-project:d.t" in html


def test_it_404s_in_console_style(client: Client, db: None) -> None:
    r = client.get("/jobs/job_nope/")
    assert r.status_code == 404
    assert "Not found: Job local-project:job_nope" in r.content.decode()


@pytest.mark.parametrize(("job_type", "kind"), [(Job.Type.LOAD, "Load"), (Job.Type.COPY, "Copy")])
def test_it_shows_a_load_or_copy_job_with_its_destination(
    client: Client, done_job: Callable[..., Job], job_type: str, kind: str
) -> None:
    target = {"projectId": "local-project", "datasetId": "bqml_tutorial", "tableId": "ratings"}
    config = {kind.lower(): {"destinationTable": target}}
    job = done_job(job_type=job_type, configuration=config)
    html = client.get(f"/jobs/{job.job_id}/").content.decode()
    assert f"<h1>{kind} job</h1>" in html
    assert f"{kind} job completed" in html
    assert "local-project.bqml_tutorial.ratings" in html
    assert "Query results" not in html
