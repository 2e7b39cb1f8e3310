from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client

from console.catalog.models import Project
from console.jobs.models import Job


def test_it_lists_jobs_with_their_status(
    client: Client, project: Project, done_job: Callable[..., Job], owner: User
) -> None:
    ok = done_job(configuration={"query": {"query": "SELECT 'ok'"}})
    bad = done_job(error_result={"reason": "invalidQuery", "message": "boom"})
    running = Job.objects.create(
        project=project, job_type=Job.Type.LOAD, state=Job.State.RUNNING, user=owner
    )
    r = client.get("/jobs/")
    assert r.status_code == 200
    html = r.content.decode()
    for job in (ok, bad, running):
        assert f'href="/jobs/{job.job_id}/"' in html
    assert "SUCCESS" in html and "FAILURE" in html and "RUNNING" in html
    assert "SELECT &#x27;ok&#x27;" in html
    assert "2.0 sec" in html
    assert f'action="/jobs/{running.job_id}/cancel"' in html
    assert '<a href="?history=personal" aria-current="page">Personal history</a>' in html


def test_it_separates_personal_and_project_history(
    client: Client, done_job: Callable[..., Job]
) -> None:
    mine = done_job()
    theirs = done_job(user=None, user_email="someone@example.com")
    personal = client.get("/jobs/?history=personal").content.decode()
    project = client.get("/jobs/?history=project").content.decode()
    assert mine.job_id in personal and theirs.job_id not in personal
    assert mine.job_id in project and theirs.job_id in project


def test_it_filters_by_status(client: Client, done_job: Callable[..., Job]) -> None:
    ok = done_job()
    bad = done_job(error_result={"reason": "invalidQuery", "message": "boom"})
    html = client.get("/jobs/?history=project&status=FAILURE").content.decode()
    assert bad.job_id in html and ok.job_id not in html


def test_it_says_when_there_are_no_jobs(client: Client, db: None) -> None:
    assert "No jobs yet." in client.get("/jobs/").content.decode()
