"""A model keeps the iterations of the training that produced it, and only those."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.test import Client

from console.catalog.models import Dataset, MLModel, Project, TrainingIteration
from console.jobs.models import Job
from console.jobs.submit import submit
from tests.conftest import job_rows, synthetic_ratings, wait_for

pytestmark = pytest.mark.worker

CREATE = """CREATE OR REPLACE MODEL bqml_tutorial.mf
OPTIONS(model_type='matrix_factorization', user_col='user_id', item_col='item_id',
        num_factors={factors}, max_iterations={iterations}, early_stop=FALSE) AS
SELECT user_id, item_id, rating FROM bqml_tutorial.{table}"""


def _create(run_sql: Callable[..., Job], iterations: int) -> Job:
    job = run_sql(CREATE.format(factors=4, iterations=iterations, table="ratings"))
    assert job.error_result is None, job.error_result
    return job


def _training_info(run_sql: Callable[..., Job]) -> list[int]:
    job = run_sql("SELECT iteration FROM ML.TRAINING_INFO(MODEL bqml_tutorial.mf)")
    assert job.error_result is None, job.error_result
    return sorted(row[0] for row in job_rows(job, 0, 100)[1])


@pytest.fixture
def dataset(transactional_db: None) -> Dataset:
    dataset = Dataset.create(Project.default(), "bqml_tutorial")
    synthetic_ratings(dataset)
    return dataset


def test_it_forgets_the_iterations_of_a_replaced_training(
    run_sql: Callable[..., Job], dataset: Dataset
) -> None:
    first = _create(run_sql, iterations=3)
    second = _create(run_sql, iterations=2)

    model = MLModel.objects.get(model_id="mf")
    assert set(TrainingIteration.objects.values_list("job_id", flat=True)) == {second.pk}
    assert model.iterations.count() == 2
    assert _training_info(run_sql) == [0, 1]

    # Job history still tells what the replaced training did, from the job's own record.
    api = Client().get(f"/bigquery/v2/projects/local-project/jobs/{first.job_id}").json()
    results = api["statistics"]["query"]["mlStatistics"]["iterationResults"]
    assert [r["index"] for r in results] == [0, 1, 2]
    assert all(r["trainingLoss"] > 0 for r in results)


def test_it_forgets_the_iterations_of_a_dropped_model(
    run_sql: Callable[..., Job], dataset: Dataset
) -> None:
    _create(run_sql, iterations=2)
    job = run_sql("DROP MODEL bqml_tutorial.mf")
    assert job.error_result is None, job.error_result
    assert not TrainingIteration.objects.exists()


def test_a_cancelled_retraining_leaves_the_model_its_own_iterations(
    run_sql: Callable[..., Job], dataset: Dataset
) -> None:
    first = _create(run_sql, iterations=2)
    synthetic_ratings(dataset, "big", n_users=3000, n_items=1500, n_ratings=150_000)
    sql = CREATE.format(factors=32, iterations=200, table="big")
    retraining = submit(None, Project.default(), {"query": {"query": sql}})
    deadline = time.monotonic() + 120
    while not TrainingIteration.objects.filter(job=retraining).exists():
        assert time.monotonic() < deadline, "the retraining recorded no iteration"
        time.sleep(0.05)
    retraining.request_cancel()
    retraining = wait_for(retraining)
    assert retraining.error_result["reason"] == "stopped"

    assert set(TrainingIteration.objects.values_list("job_id", flat=True)) == {first.pk}
    assert _training_info(run_sql) == [0, 1]


def test_deleting_a_job_record_keeps_its_models_training_info(
    run_sql: Callable[..., Job], dataset: Dataset
) -> None:
    job = _create(run_sql, iterations=2)
    job.delete()
    assert _training_info(run_sql) == [0, 1]
