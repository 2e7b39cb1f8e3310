from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from console.catalog.models import Project
from console.jobs.models import Job


def test_it_lists_jobs_with_their_status(
    client: Client, project: Project, done_job: Callable[..., Job]
) -> None:
    ok = done_job(configuration={"query": {"query": "SELECT 'ok'"}})
    bad = done_job(error_result={"reason": "invalidQuery", "message": "boom"})
    running = Job.objects.create(project=project, job_type=Job.Type.LOAD, state=Job.State.RUNNING)
    r = client.get("/jobs/")
    assert r.status_code == 200
    html = r.content.decode()
    for job in (ok, bad, running):
        assert f'href="/jobs/{job.job_id}/"' in html
    assert "SUCCESS" in html and "FAILURE" in html and "RUNNING" in html
    assert "SELECT &#x27;ok&#x27;" in html
    assert "2.0 sec" in html


def test_it_says_when_there_are_no_jobs(client: Client, db: None) -> None:
    assert "No jobs yet." in client.get("/jobs/").content.decode()
