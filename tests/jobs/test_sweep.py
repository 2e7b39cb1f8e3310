"""The sweep every worker runs: jobs of lost workers end, PENDING jobs are woken again."""

from __future__ import annotations

import os
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from console.catalog.models import Project
from console.jobs import lease
from console.jobs.models import Job
from console.jobs.submit import submit
from console.jobs.sweep import end_lapsed_leases, requeue_pending
from tests.conftest import started_worker


def _running(heartbeat_age_s: float | None) -> Job:
    job = submit(None, Project.default(), {"query": {"query": "SELECT 1"}})
    assert job.mark_running()
    beat = None if heartbeat_age_s is None else timezone.now() - timedelta(seconds=heartbeat_age_s)
    Job.objects.filter(pk=job.pk).update(
        heartbeat=beat, started=timezone.now() - timedelta(seconds=600)
    )
    return job


def test_it_ends_only_the_jobs_whose_lease_lapsed(db: None, settings: Any) -> None:
    settings.QUARRY_JOB_LEASE_S = 60
    lost, silent_since_upgrade, alive = _running(61), _running(None), _running(5)
    assert end_lapsed_leases() == 2
    for job in (lost, silent_since_upgrade):
        job.refresh_from_db()
        assert job.state == Job.State.DONE
        assert "no sign of life for 60 s" in job.error_result["message"]
    alive.refresh_from_db()
    assert alive.state == Job.State.RUNNING and alive.error_result is None


def test_it_renews_the_lease_while_a_job_runs(transactional_db: None, settings: Any) -> None:
    settings.QUARRY_JOB_LEASE_S = 0.6  # a beat every 0.1 s
    job = _running(30)
    with lease.held(job):
        time.sleep(0.5)
        job.refresh_from_db()
        assert timezone.now() - job.heartbeat < timedelta(seconds=0.3)
    assert end_lapsed_leases() == 0


def test_it_never_runs_a_job_whose_cancel_is_half_way(db: None) -> None:
    job = submit(None, Project.default(), {"query": {"query": "SELECT 1"}})
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)  # the cancel's first step
    assert not job.mark_running()
    requeue_pending()  # the sweep finishes what the cancel began
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.error_result["reason"] == "stopped"


@pytest.mark.worker
def test_it_has_a_worker_remove_leftover_files_soon_after_it_starts(
    worker_env: dict[str, str], storage_dir: Path
) -> None:
    leftover = storage_dir / "tables" / f".tmp-{uuid.uuid4().hex}-t.parquet"
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"PAR1 of a write whose worker was killed")
    an_hour_ago = time.time() - 3600
    os.utime(leftover, (an_hour_ago, an_hour_ago))
    queue = f"sweep-{uuid.uuid4().hex[:8]}"
    with started_worker({**worker_env, "QUARRY_QUEUE": queue, "QUARRY_SWEEP_S": "1"}, queue):
        deadline = time.monotonic() + 30
        while leftover.exists():
            assert time.monotonic() < deadline, "the worker's janitor left the file"
            time.sleep(0.2)
