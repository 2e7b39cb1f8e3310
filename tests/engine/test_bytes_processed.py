"""Bytes processed: what a statement reads, tables and models, the same in a run and a dry run."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from console.catalog.models import Dataset, MLModel, Project, Table
from console.engine.script import dry_run
from console.jobs.models import Job
from tests.conftest import synthetic_ratings

pytestmark = pytest.mark.worker

MODEL = "bqml_tutorial.mf"


@pytest.fixture
def ratings(transactional_db: None) -> Table:
    return synthetic_ratings(Dataset.create(Project.default(), "bqml_tutorial"))


@pytest.fixture
def model(run_sql: Callable[..., Job], ratings: Table) -> MLModel:
    job = run_sql(
        f"""CREATE MODEL {MODEL}
        OPTIONS(model_type='matrix_factorization', user_col='user_id', item_col='item_id',
                num_factors=8, max_iterations=2) AS
        SELECT user_id, item_id, rating FROM bqml_tutorial.ratings"""
    )
    assert job.error_result is None, job.error_result
    return MLModel.objects.get(model_id="mf")


def _processed(run_sql: Callable[..., Job], sql: str) -> int:
    """Return the bytes a statement processed, checking the dry run and the API agree."""
    job = run_sql(sql)
    assert job.error_result is None, job.error_result
    processed = int(job.statistics["totalBytesProcessed"])
    assert dry_run(Project.default(), sql, principal=None)["totalBytesProcessed"] == processed
    api = Client().get(f"/bigquery/v2/projects/local-project/jobs/{job.job_id}").json()
    assert api["statistics"]["totalBytesProcessed"] == str(processed)
    assert api["statistics"]["query"]["totalBytesProcessed"] == str(processed)
    return processed


def test_ml_recommend_counts_the_model_it_reads(
    run_sql: Callable[..., Job], model: MLModel, ratings: Table
) -> None:
    assert model.num_bytes > 0
    sql = f"CREATE TABLE bqml_tutorial.recommend AS SELECT * FROM ML.RECOMMEND(MODEL {MODEL})"
    assert _processed(run_sql, sql) == model.num_bytes
    with_input = (
        f"SELECT * FROM ML.RECOMMEND(MODEL {MODEL}, "
        "(SELECT DISTINCT user_id FROM bqml_tutorial.ratings))"
    )
    users = ratings.column_bytes["user_id"]
    assert _processed(run_sql, with_input) == model.num_bytes + users


def test_ml_evaluate_counts_the_model_only_when_it_evaluates_input(
    run_sql: Callable[..., Job], model: MLModel, ratings: Table
) -> None:
    assert _processed(run_sql, f"SELECT * FROM ML.EVALUATE(MODEL {MODEL})") == 0
    sql = f"SELECT * FROM ML.EVALUATE(MODEL {MODEL}, TABLE bqml_tutorial.ratings)"
    assert _processed(run_sql, sql) == model.num_bytes + sum(ratings.column_bytes.values())
    assert _processed(run_sql, f"SELECT * FROM ML.TRAINING_INFO(MODEL {MODEL})") == 0


def test_create_model_counts_its_training_query(
    run_sql: Callable[..., Job], model: MLModel, ratings: Table
) -> None:
    sql = f"""CREATE OR REPLACE MODEL {MODEL}
        OPTIONS(model_type='matrix_factorization', user_col='user_id', item_col='item_id',
                num_factors=8, max_iterations=2) AS
        SELECT user_id, item_id, rating FROM bqml_tutorial.ratings"""
    assert _processed(run_sql, sql) == sum(ratings.column_bytes.values())
