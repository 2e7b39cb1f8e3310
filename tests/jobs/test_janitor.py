"""The sweep keeps what jobs still use: results, and the files of loads that have not run."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.utils import timezone

from console.catalog.models import Dataset, Project
from console.jobs.janitor import MIN_GRACE, sweep
from console.jobs.models import Job
from tests.conftest import run_here, submit_test_load


def test_it_removes_a_finished_loads_leftover_file_but_not_a_waiting_ones(
    own_storage_dir: Path, db: None, settings: Any
) -> None:
    Dataset.create(Project.default(), "ds")
    waiting = submit_test_load("ds", "t", io.BytesIO(b"1\n"), schema="x:INT64")
    cancelled = submit_test_load("ds", "u", io.BytesIO(b"2\n"), schema="x:INT64")
    # Cancelled before it ran, so nothing ever loaded (and removed) its file.
    cancelled.request_cancel()
    query = run_here({"query": {"query": "SELECT 1 AS x"}})
    later = timezone.now() + MIN_GRACE + dt.timedelta(seconds=1)

    report = sweep(now=later)

    assert report.removed == [cancelled.upload_path]
    assert (own_storage_dir / waiting.upload_path).exists()
    assert (own_storage_dir / query.result_path).exists()


def test_it_leaves_files_a_running_job_may_still_be_writing(
    own_storage_dir: Path, db: None
) -> None:
    Dataset.create(Project.default(), "ds")
    cancelled = submit_test_load("ds", "t", io.BytesIO(b"1\n"), schema="x:INT64")
    cancelled.request_cancel()
    assert sweep().removed == []  # younger than MIN_GRACE
    running = run_here({"query": {"query": "SELECT 2 AS x"}})
    started = timezone.now() - dt.timedelta(minutes=1)  # before the file was written
    Job.objects.filter(pk=running.pk).update(state=Job.State.RUNNING, started=started)
    later = timezone.now() + MIN_GRACE + dt.timedelta(minutes=1)
    assert sweep(now=later).removed == []  # the running job started before the file was written
    Job.objects.filter(pk=running.pk).update(state=Job.State.DONE)
    assert sweep(now=later).removed == [cancelled.upload_path]
