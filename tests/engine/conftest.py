"""Fixtures of the conformance suites: the dataset of tests/engine/conformance, built once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.forms.models import model_to_dict

from console.catalog.models import Dataset, MLModel, Project, Table, TableVersion
from console.jobs.models import Job
from tests.engine.conformance import MODEL, SETUP, run


class _Rollback(Exception):
    pass


@pytest.fixture(scope="session")
def built(django_db_setup: None, django_db_blocker: Any) -> dict[str, Any]:
    """Run SETUP and MODEL through the engine once; keep the rows, roll the catalog back.

    Table versions and model artifacts are immutable files, so every test can point fresh
    catalog rows at the same files instead of rebuilding them.
    """
    captured: dict[str, Any] = {}
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                Dataset.create(Project.default(), "ds")
                for sql in [*SETUP, MODEL]:
                    job = run(sql)
                    assert job.error_result is None, (sql, job.error_result)
                captured["tables"] = [
                    (
                        model_to_dict(t, exclude=["id", "dataset"]),
                        [model_to_dict(v, exclude=["id", "table"]) for v in t.versions.all()],
                    )
                    for t in Table.objects.all()
                ]
                model = MLModel.objects.get()
                captured["model"] = model_to_dict(model, exclude=["id", "dataset", "training_job"])
                captured["iterations"] = list(
                    model.iterations.values("iteration", "loss", "eval_loss", "duration_ms")
                )
                raise _Rollback
        except _Rollback:
            pass
    return captured


@pytest.fixture
def engine(db: None, built: dict[str, Any]) -> Any:
    dataset = Dataset.create(Project.default(), "ds")
    for fields, versions in built["tables"]:
        table = Table.objects.create(dataset=dataset, **fields)
        for version in versions:
            TableVersion.objects.create(table=table, **version)
    return run


@pytest.fixture
def ml_engine(engine: Any, built: dict[str, Any]) -> Any:
    job = Job.objects.create(project=Project.default(), job_type=Job.Type.QUERY)
    model = MLModel.objects.create(
        dataset=Dataset.objects.get(dataset_id="ds"), training_job=job, **built["model"]
    )
    for iteration in built["iterations"]:
        model.iterations.create(job=job, **iteration)
    return engine
