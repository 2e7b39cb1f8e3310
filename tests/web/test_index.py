from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from console.catalog.models import MLModel, Table
from console.jobs.models import Job


def test_it_shows_welcome_and_explorer(client: Client, ratings: Table, model: MLModel) -> None:
    r = client.get("/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Welcome to Quarry" in html
    assert 'aria-label="Explorer"' in html
    assert "local-project" in html
    assert 'href="/d/bqml_tutorial/"' in html
    assert 'href="/d/bqml_tutorial/t/ratings/"' in html
    assert 'href="/d/bqml_tutorial/m/mf_explicit/"' in html
    assert 'href="/datasets/new"' in html


def test_it_says_when_there_are_no_datasets(client: Client, db: None) -> None:
    r = client.get("/")
    assert "No datasets yet" in r.content.decode()


def test_it_lists_recent_jobs(client: Client, done_job: Callable[..., Job]) -> None:
    job = done_job(error_result={"reason": "invalidQuery", "message": "boom"})
    r = client.get("/")
    html = r.content.decode()
    assert job.job_id in html
    assert "FAILURE" in html
