from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from django.contrib.auth.models import User
from django.test import Client
from django.utils.html import escape

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
    assert (
        '<div class="statement-text" title="SELECT &#x27;ok&#x27;"><code>SELECT &#x27;ok&#x27;'
        in html
    )
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


def test_it_shows_when_each_job_was_created_with_the_time_zone(
    client: Client, done_job: Callable[..., Job]
) -> None:
    created = datetime(2026, 11, 29, 23, 54, 17, tzinfo=UTC)
    job = done_job(created=created)
    html = client.get("/jobs/").content.decode()
    assert (
        f'<time datetime="{created.isoformat()}"><span class="nowrap">Nov 29, 2026,</span> '
        '<span class="nowrap">11:54:17 PM UTC+0</span></time>'
    ) in html
    page = client.get(f"/jobs/{job.job_id}/").content.decode()
    assert "<dt>Creation time</dt><dd>Nov 29, 2026, 11:54:17 PM UTC+0</dd>" in page


def test_it_shows_the_statement_on_its_own_line_with_all_of_it_in_the_title(
    client: Client, done_job: Callable[..., Job]
) -> None:
    sql = (
        "SELECT user_id,\n  ARRAY_AGG(STRUCT(movie_title, genre, predicted_rating)\n"
        "    ORDER BY predicted_rating DESC LIMIT 5)\n"
        "FROM bqml_tutorial.recommend JOIN bqml_tutorial.movies ON item_id = movie_id\n"
        "GROUP BY user_id"
    )
    done_job(configuration={"query": {"query": sql}})
    html = client.get("/jobs/").content.decode()
    cell = r'<td class="statement" colspan="6">.*?<code>(.*?)</code>'
    shown = re.search(cell, html, flags=re.DOTALL).group(1)
    assert shown == escape(" ".join(sql.split()))  # on one line, none of it cut on the server
    assert f'title="{escape(sql)}"' in html
