"""A name an older Quarry let into the catalog never breaks a console page for anyone."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from django.test import Client

from console.catalog.models import Dataset, MLModel, Project, Table, TrainingIteration
from console.jobs.models import Job

# Names the REST API always refused but SQL DDL once let in, and names that stress a URL. The
# long one is as long as a PostgreSQL catalog holds; SQLite held 1,100 characters too.
ODD_NAMES = ["a/b", "t-" * 512, "", "a b", "..", ".", "<b>x</b>", "a\nb", "t$2020", "%2F", "é"]


@pytest.fixture
def odd(dataset: Dataset, project: Project, done_job: Callable[..., Job]) -> list[Job]:
    """Put a table and a model of every odd name in the dataset, and jobs that made them."""
    jobs = []
    for number, name in enumerate(ODD_NAMES):
        Table.objects.create(dataset=dataset, table_id=name)
        model = MLModel.objects.create(
            dataset=dataset, model_id=name, state=MLModel.State.READY, artifact_path=""
        )
        ref = {"projectId": "local-project", "datasetId": dataset.dataset_id}
        jobs.append(done_job(statistics={"ddlTargetTable": {**ref, "tableId": name}}))
        jobs.append(done_job(statistics={"ddlTargetModel": {**ref, "modelId": name}}))
        load = {"load": {"destinationTable": {**ref, "tableId": name}}}
        jobs.append(done_job(job_type=Job.Type.LOAD, configuration=load))
        training = done_job(state=Job.State.RUNNING, ended=None)
        TrainingIteration.objects.create(
            model=model, job=training, iteration=number, loss=1.0, duration_ms=1
        )
        jobs.append(training)
    return jobs


def test_it_shows_every_page_that_lists_an_odd_name(client: Client, odd: list[Job]) -> None:
    for url in ["/", "/d/bqml_tutorial/", "/jobs/", "/query", "/d/bqml_tutorial/delete"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "&lt;b&gt;x&lt;/b&gt;" in response.content.decode(), url


def test_it_shows_the_page_of_every_job_that_made_one(client: Client, odd: list[Job]) -> None:
    for job in odd:
        for url in [f"/jobs/{job.job_id}/", f"/jobs/{job.job_id}/status"]:
            assert client.get(url).status_code == 200, (url, job.statistics, job.configuration)


def test_it_opens_or_cleanly_misses_each_odd_object(client: Client, odd: list[Job]) -> None:
    for name in ODD_NAMES:
        table = f"/d/bqml_tutorial/t/{quote(name, safe='')}/"
        model = f"/d/bqml_tutorial/m/{quote(name, safe='')}/"
        for url in [table, f"{table}delete", model, f"{model}delete", f"{model}training"]:
            assert client.get(url).status_code in (200, 404), url
