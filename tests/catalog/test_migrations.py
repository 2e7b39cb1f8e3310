"""Data migrations: what they do to rows an older Quarry left behind."""

from __future__ import annotations

import importlib

from django.apps import apps

from console.catalog.models import Dataset, MLModel, Project, TrainingIteration
from console.jobs.models import Job

current_runs = importlib.import_module(
    "console.catalog.migrations.0005_training_iterations_of_current_runs"
)


def _job(state: str) -> Job:
    return Job.objects.create(project=Project.default(), job_type=Job.Type.QUERY, state=state)


def test_it_forgets_the_iterations_replaced_trainings_left_behind(db: None) -> None:
    dataset = Dataset.create(Project.default(), "bqml_tutorial")
    old, current, running = _job("DONE"), _job("DONE"), _job("RUNNING")
    model = MLModel.objects.create(dataset=dataset, model_id="mf", training_job=current)
    for job in (old, current, running):
        TrainingIteration.objects.create(model=model, job=job, iteration=0, loss=1, duration_ms=1)

    current_runs.forget_replaced_runs(apps, None)

    kept = set(TrainingIteration.objects.values_list("job_id", flat=True))
    assert kept == {current.pk, running.pk}  # a retraining in progress keeps its own too
