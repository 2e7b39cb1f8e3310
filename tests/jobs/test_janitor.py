"""The sweep keeps what jobs still use: results, and the files of loads that have not run."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.utils import timezone

from console.catalog.models import Dataset, Project
from console.jobs.janitor import sweep
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
    after_time_limit = timezone.now() + dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)

    report = sweep(now=after_time_limit)

    assert report.removed == [cancelled.upload_path]
    assert (own_storage_dir / waiting.upload_path).exists()
    assert (own_storage_dir / query.result_path).exists()


def test_it_leaves_files_younger_than_the_job_time_limit(own_storage_dir: Path, db: None) -> None:
    Dataset.create(Project.default(), "ds")
    cancelled = submit_test_load("ds", "t", io.BytesIO(b"1\n"), schema="x:INT64")
    cancelled.request_cancel()
    assert sweep().removed == []
    assert (own_storage_dir / cancelled.upload_path).exists()
