"""Catalog rows and stored results for the console's view tests, made directly (no worker)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pyarrow as pa
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from console.catalog.models import Dataset, MLModel, Project, Table, TrainingIteration
from console.engine import tables
from console.engine.types import arrow_schema
from console.iam.models import RoleBinding
from console.jobs.models import Job

RATINGS_SCHEMA = [
    {"name": "user_id", "type": "INTEGER", "mode": "NULLABLE"},
    {"name": "item_id", "type": "INTEGER", "mode": "NULLABLE"},
    {"name": "rating", "type": "FLOAT", "mode": "NULLABLE"},
]
RECOMMENDATIONS_SCHEMA = [
    {"name": "user_id", "type": "INTEGER", "mode": "NULLABLE"},
    {
        "name": "recommended",
        "type": "RECORD",
        "mode": "REPEATED",
        "fields": [
            {"name": "movie_title", "type": "STRING", "mode": "NULLABLE"},
            {"name": "predicted_rating", "type": "FLOAT", "mode": "NULLABLE"},
        ],
    },
]


def write_rows(fields: list[dict[str, Any]], rows: list[dict[str, Any]]) -> str:
    """Store rows as a Parquet file the way the engine does; return its relative path."""
    schema = arrow_schema(fields)
    batch = pa.RecordBatch.from_pylist(rows, schema=schema)
    relative, _ = tables.write_parquet("results", schema, [batch])
    return relative


@pytest.fixture
def project(db: None) -> Project:
    return Project.default()


@pytest.fixture
def dataset(project: Project) -> Dataset:
    return Dataset.create(project, "bqml_tutorial", description="BigQuery ML tutorial dataset.")


@pytest.fixture
def ratings(dataset: Dataset) -> Table:
    rows = [{"user_id": u, "item_id": u * 10, "rating": u / 2} for u in range(1, 121)]
    return Table.objects.create(
        dataset=dataset,
        table_id="ratings",
        schema=RATINGS_SCHEMA,
        data_path=write_rows(RATINGS_SCHEMA, rows),
        version=1,
        num_rows=len(rows),
        num_bytes=2048,
    )


@pytest.fixture
def model(dataset: Dataset, project: Project) -> MLModel:
    job = Job.objects.create(
        project=project,
        job_type=Job.Type.QUERY,
        state=Job.State.DONE,
        configuration={"query": {"query": "CREATE MODEL ...", "useLegacySql": False}},
    )
    mdl = MLModel.objects.create(
        dataset=dataset,
        model_id="mf_explicit",
        options={"model_type": "MATRIX_FACTORIZATION", "l2_reg": 9.83, "num_factors": 34},
        state=MLModel.State.READY,
        feature_columns=[{"name": "user_id", "type": {"typeKind": "INT64"}}],
        label_columns=[{"name": "rating", "type": {"typeKind": "FLOAT64"}}],
        evaluation_metrics={"mean_absolute_error": 0.71, "r2_score": 0.42},
        training_job=job,
    )
    for i, loss in enumerate([2.5, 1.25, 0.875]):
        TrainingIteration.objects.create(
            model=mdl, job=job, iteration=i, loss=loss, duration_ms=1500 + i
        )
    return mdl


def make_done_job(project: Project, **kw: Any) -> Job:
    now = timezone.now()
    defaults: dict[str, Any] = {
        "job_type": Job.Type.QUERY,
        "state": Job.State.DONE,
        "configuration": {"query": {"query": "SELECT 1", "useLegacySql": False}},
        "created": now - timedelta(seconds=3),
        "started": now - timedelta(seconds=2),
        "ended": now,
    }
    defaults.update(kw)
    return Job.objects.create(project=project, **defaults)


@pytest.fixture
def done_job(project: Project, owner: Any) -> Callable[..., Job]:
    """Return a factory of finished QUERY jobs of alice's, made as if a worker had run them."""
    mine = {"user": owner, "user_email": owner.email}
    return lambda **kw: make_done_job(project, **{**mine, **kw})


@pytest.fixture
def store_rows(db: None) -> Callable[[list[dict[str, Any]], list[dict[str, Any]]], str]:
    """Return a function that stores rows as the engine does and returns their relative path."""
    return write_rows


@pytest.fixture
def owner(db: None) -> Any:
    """Return alice, who owns the default project."""
    user = get_user_model().objects.create_user("alice", "alice@example.com", "alice-password")
    RoleBinding.grant(Project.default(), user, "roles/owner")
    return user


@pytest.fixture
def client(owner: Any) -> Client:
    """Return a browser signed in as the project's owner: every console page needs sign-in."""
    browser = Client()
    browser.force_login(owner)
    return browser
